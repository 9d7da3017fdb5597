# This file is part of the property service suite. See README.md.
"Security incidents (安全事件): handling, escalation, statistics"
from sql.aggregate import Count, Min

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Workflow, fields
from trytond.pool import Pool
from trytond.pyson import Eval, If, In
from trytond.transaction import Transaction

from .common import month_of, now
from .exceptions import DeleteHistoryError, IncidentError

TYPES = [
    ('fire', "Fire"),
    ('theft', "Theft"),
    ('fight', "Fight or Disturbance"),
    ('injury', "Injury or Illness"),
    ('flood', "Flood or Leak"),
    ('elevator', "Elevator Entrapment"),
    ('suspicious', "Suspicious Person"),
    ('other', "Other"),
    ]
SEVERITIES = [
    ('low', "Low"),
    ('medium', "Medium"),
    ('high', "High"),
    ('critical', "Critical"),
    ]
ESCALATED_SEVERITIES = {'high', 'critical'}

_closed = Eval('state') == 'closed'


class Incident(Workflow, ModelSQL, ModelView):
    "Security incident (安全事件)"
    __name__ = 'property.incident'
    __string__ = "Security Incident"
    estate = fields.Many2One(
        'property.estate', "Estate", required=True, ondelete='RESTRICT',
        states={'readonly': Eval('state') != 'draft'})
    type = fields.Selection(
        TYPES, "Type", required=True, states={'readonly': _closed})
    severity = fields.Selection(
        SEVERITIES, "Severity", required=True, sort=False,
        states={'readonly': _closed})
    name = fields.Char("Summary", required=True, states={'readonly': _closed})
    place = fields.Char("Place", required=True, states={'readonly': _closed})
    occurred_at = fields.DateTime(
        "Occurred At", required=True, states={'readonly': _closed})
    month = fields.Char("Month", readonly=True)
    people = fields.Text(
        "People Involved", states={'readonly': _closed},
        help="Names and roles of the people involved.")
    reporter = fields.Many2One(
        'company.employee', "Reported By", states={'readonly': _closed})
    description = fields.Text("Description", states={'readonly': _closed})
    handling = fields.Text(
        "Handling Record", states={'readonly': _closed},
        help="How the incident was handled and concluded.")
    steps = fields.One2Many(
        'property.incident.step', 'incident', "Response Steps",
        states={'readonly': _closed})
    police_report = fields.Char(
        "Police Report No.", states={'readonly': _closed})
    fire_report = fields.Char(
        "Fire Service Report No.", states={'readonly': _closed})
    escalated_at = fields.DateTime("Escalated At", readonly=True)
    escalated_to = fields.Many2One(
        'company.employee', "Escalated To", readonly=True)
    followups = fields.One2Many(
        'property.security.followup', 'origin', "Follow-ups", readonly=True)
    closed_at = fields.DateTime("Closed At", readonly=True)
    state = fields.Selection([
            ('draft', "Draft"),
            ('reported', "Reported"),
            ('handling', "Handling"),
            ('closed', "Closed"),
            ], "State", required=True, readonly=True, sort=False)

    @classmethod
    def view_attributes(cls):
        # lists colour their rows (PYSON must be encoded by the server)
        return super().view_attributes() + [
            ('/tree', 'visual', If(Eval('severity').in_(['high', 'critical']),
                    'danger', ''), ['severity']),
            ]

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('occurred_at', 'DESC'), ('id', 'DESC')]

        cls._transitions |= {
            ('draft', 'reported'),
            ('reported', 'handling'),
            ('reported', 'closed'),
            ('handling', 'closed'),
            }
        cls._buttons.update({
                'report': {'invisible': Eval('state') != 'draft',
                    'depends': ['state']},
                'handle': {'invisible': Eval('state') != 'reported',
                    'depends': ['state']},
                'close': {
                    'invisible': ~In(Eval('state'), ['reported', 'handling']),
                    'depends': ['state']},
                })

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_severity(cls):
        return 'low'

    @classmethod
    def default_occurred_at(cls):
        return now()

    def compute_fields(self, field_names=None):
        values = super().compute_fields(field_names=field_names)
        if field_names is None or {'occurred_at', 'estate'} & field_names:
            if self.occurred_at and self.estate:
                month = month_of(self.estate.company, self.occurred_at)
                if getattr(self, 'month', None) != month:
                    values['month'] = month
        return values

    @classmethod
    def check_modification(cls, mode, incidents, values=None,
            external=False):
        super().check_modification(
            mode, incidents, values=values, external=external)
        if mode == 'delete':
            for incident in incidents:
                if incident.state != 'draft':
                    raise DeleteHistoryError(gettext(
                            'property_security.msg_incident_delete',
                            incident=incident.rec_name))
        if mode == 'create' or (mode == 'write' and values
                and 'occurred_at' in values):
            for incident in incidents:
                if incident.occurred_at > now():
                    raise IncidentError(gettext(
                            'property_security.msg_incident_future',
                            incident=incident.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('reported')
    def report(cls, incidents):
        cls.escalate([i for i in incidents
                if i.severity in ESCALATED_SEVERITIES and not i.escalated_at])

    @classmethod
    def escalate(cls, incidents):
        """Notify the estate manager's users of high severity incidents;
        the notification reaches the staff client at once (bus)"""
        pool = Pool()
        User = pool.get('res.user')
        Notification = pool.get('res.notification')
        ModelData = pool.get('ir.model.data')
        notifications = []
        with Transaction().set_context(_check_access=False):
            for incident in incidents:
                manager = incident.estate.manager
                users = (User.search([('employees', '=', manager.id)])
                    if manager else [])
                if not users:
                    # no manager account: property administrators get it
                    group = ModelData.get_id(
                        'property_service', 'group_property_admin')
                    users = User.search([('groups', '=', group)])
                for user in users:
                    notifications.append(Notification(
                            user=user,
                            label=gettext(
                                'property_security.msg_incident_escalation',
                                severity=incident.severity_string,
                                estate=incident.estate.rec_name),
                            description=f'{incident.name} @ {incident.place}',
                            model=cls.__name__,
                            records=str([incident.id]),
                            icon='tryton-warning'))
                incident.escalated_at = now()
                incident.escalated_to = manager
            Notification.save(notifications)
            cls.save(incidents)

    @classmethod
    @ModelView.button
    @Workflow.transition('handling')
    def handle(cls, incidents):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('closed')
    def close(cls, incidents):
        for incident in incidents:
            if not (incident.handling or '').strip():
                raise IncidentError(gettext(
                        'property_security.msg_incident_handling',
                        incident=incident.rec_name))
        cls.write(incidents, {'closed_at': now()})

    severity_string = severity.translated('severity')
    type_string = type.translated('type')


class IncidentStep(ModelSQL, ModelView):
    "Emergency response step of an incident"
    __name__ = 'property.incident.step'
    __string__ = "Incident Response Step"
    incident = fields.Many2One(
        'property.incident', "Incident", required=True, ondelete='CASCADE')
    at = fields.DateTime("At", required=True)
    description = fields.Char("Action", required=True)
    employee = fields.Many2One('company.employee', "By")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('incident')
        cls._order = [('at', 'ASC'), ('id', 'ASC')]


    @classmethod
    def default_at(cls):
        return now()


class IncidentStatistics(ModelSQL, ModelView):
    "Incidents per estate, type and month"
    __name__ = 'property.incident.statistics'
    __string__ = "Incident Statistics"
    estate = fields.Many2One('property.estate', "Estate", readonly=True)
    month = fields.Char("Month", readonly=True)
    type = fields.Selection(TYPES, "Type", readonly=True)
    count = fields.Integer("Incidents", readonly=True)
    high_count = fields.Integer("High Severity", readonly=True)
    police_count = fields.Integer("Reported to Police", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('month', 'DESC'), ('estate', 'ASC'), ('type', 'ASC'),
            ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        incident = Pool().get('property.incident').__table__()
        return incident.select(
            Min(incident.id).as_('id'),
            incident.estate.as_('estate'),
            incident.month.as_('month'),
            incident.type.as_('type'),
            Count(incident.id).as_('count'),
            Count(incident.id, filter_=incident.severity.in_(
                    list(ESCALATED_SEVERITIES))).as_('high_count'),
            Count(incident.id, filter_=incident.police_report != '').as_(
                'police_count'),
            where=incident.state != 'draft',
            group_by=[incident.estate, incident.month, incident.type])
