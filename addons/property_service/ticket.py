# This file is part of the property service suite. See README.md.
"""Service desk (服务工单): one ticket per request, whatever its type, following
application -> response -> execution -> feedback (R3) with deadlines from
the category's service standard (R2, R7)."""
import datetime
from email.message import EmailMessage

from trytond.config import config
from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, Workflow, fields)
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.sendmail import send_message_transactional
from trytond.transaction import Transaction, without_check_access

from .exceptions import (
    DeleteHistoryError, TicketClosedError, TicketValidationError,
    TicketWorkflowError)

TYPES = [
    ('consultation', "Consultation"),
    ('complaint', "Complaint"),
    ('repair', "Repair"),
    ('suggestion', "Suggestion"),
    ('praise', "Praise"),
    ('certificate', "Certificate Request"),
    ('rectification', "Rectification"),
    ('other', "Other"),
    ]
CHANNELS = [
    ('counter', "Counter"),
    ('phone', "Phone"),
    ('portal', "Portal"),
    ('suggestion_box', "Suggestion Box"),
    ('inspection', "Inspection"),
    ]
DEPARTMENTS = [
    (None, ""),
    ('service_center', "Service Center"),
    ('engineering', "Engineering"),
    ('security', "Security"),
    ('environment', "Environment"),
    ('finance', "Finance"),
    ('management', "Management Office"),
    ]
PRIORITIES = [
    ('0_low', "Low"),
    ('1_normal', "Normal"),
    ('2_high', "High"),
    ('3_urgent', "Urgent"),
    ]
OPEN_STATES = ['open', 'assigned', 'in_progress']
DONE_STATES = ['resolved', 'closed', 'cancelled']
FINAL_STATES = ['closed', 'cancelled']
STATES = [
    ('draft', "Draft"),
    ('open', "Open"),
    ('assigned', "Assigned"),
    ('in_progress', "In Progress"),
    ('resolved', "Resolved"),
    ('closed', "Closed"),
    ('cancelled', "Cancelled"),
    ]


def _now():
    return datetime.datetime.now()


def _hours(delta):
    return round(delta.total_seconds() / 3600, 2)


class TicketCategory(DeactivableMixin, ModelSQL, ModelView):
    "Ticket category with its service standard (服务标准)"
    __name__ = 'property.ticket.category'
    __string__ = "Ticket Category"

    name = fields.Char("Name", required=True, translate=True)
    type = fields.Selection(
        [(None, "")] + TYPES, "Type",
        help="The type of ticket the category applies to; empty for all.")
    department = fields.Selection(
        DEPARTMENTS, "Responsible Department")
    priority = fields.Selection(PRIORITIES, "Priority", required=True)
    response_time = fields.TimeDelta(
        "Response Time Limit",
        help="Time from the request until someone is assigned.")
    resolution_time = fields.TimeDelta(
        "Resolution Time Limit",
        help="Time from the request until it is resolved.")
    return_visit_required = fields.Boolean(
        "Return Visit Required",
        help="A return visit (回访) must be recorded before closing.")
    steps = fields.Text(
        "Standard Steps",
        help="One step per line; copied onto each ticket as its checklist.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('type', 'ASC'), ('name', 'ASC'), ('id', 'ASC')]

    @classmethod
    def default_priority(cls):
        return '1_normal'

    @classmethod
    def validate_fields(cls, categories, field_names):
        super().validate_fields(categories, field_names)
        if {'response_time', 'resolution_time'} & field_names:
            for category in categories:
                for name in ['response_time', 'resolution_time']:
                    value = getattr(category, name)
                    if value is not None and value <= datetime.timedelta(0):
                        raise TicketValidationError(gettext(
                                'property_service.msg_category_time_positive',
                                category=category.rec_name))
                if (category.response_time and category.resolution_time
                        and category.response_time
                        > category.resolution_time):
                    raise TicketValidationError(gettext(
                            'property_service.msg_category_response_after',
                            category=category.rec_name))


class Ticket(Workflow, ModelSQL, ModelView):
    """Service ticket (服务工单).

    Other modules create tickets with plain values, e.g.
    ``Ticket.create([{'estate': e, 'type': 'repair', 'channel': 'inspection',
    'description': ..., 'origin': anomaly}])`` and open them with
    ``Ticket.submit(tickets)``."""
    __name__ = 'property.ticket'
    __string__ = "Ticket"
    _rec_name = 'number'

    _draft = {'readonly': Eval('state') != 'draft'}
    _final = {'readonly': Eval('state').in_(FINAL_STATES)}

    company = fields.Many2One(
        'company.company', "Company", required=True, ondelete='RESTRICT',
        states=_draft)
    number = fields.Char("Number", readonly=True)
    estate = fields.Many2One(
        'property.estate', "Estate", required=True, ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))], states=_draft)
    unit = fields.Many2One(
        'property.unit', "Unit", ondelete='RESTRICT',
        domain=[('estate', '=', Eval('estate', -1))],
        states={
            'readonly': Eval('state') != 'draft',
            'required': Eval('type').in_(['repair', 'complaint']),
            },
        help="The unit concerned; optional for consultations.")
    requester = fields.Many2One(
        'party.party', "Requester", ondelete='RESTRICT', states=_final,
        context={'company': Eval('company', -1)}, depends={'company'},
        help="The owner, tenant or visitor who made the request.")
    reported_by = fields.Many2One(
        'company.employee', "Reported by", ondelete='RESTRICT',
        states=_draft,
        help="The employee who registered the request.")
    type = fields.Selection(TYPES, "Type", required=True, states=_draft)
    channel = fields.Selection(
        CHANNELS, "Channel", required=True, states=_draft)
    category = fields.Many2One(
        'property.ticket.category', "Category", ondelete='RESTRICT',
        domain=[
            ('type', 'in', [Eval('type'), None]),
            ],
        states=_draft,
        help="The service standard: department, priority and time limits.")
    priority = fields.Selection(
        PRIORITIES, "Priority", required=True, states=_final)
    department = fields.Selection(
        DEPARTMENTS, "Department", states=_final)
    description = fields.Text("Description", required=True, states=_draft)
    checklist = fields.Text("Checklist", states=_final)
    origin = fields.Reference(
        "Origin", selection='get_origin', readonly=True,
        help="The record this ticket comes from (an earlier ticket, a "
        "patrol anomaly, an inspection defect...).")
    follow_ups = fields.One2Many(
        'property.ticket', 'origin', "Follow-ups", readonly=True)

    assignee = fields.Many2One(
        'company.employee', "Assignee", ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))],
        states={
            'readonly': Eval('state').in_(['resolved'] + FINAL_STATES),
            'required': Eval('state').in_(['assigned', 'in_progress']),
            },
        help="The employee responsible: a member of the estate's staff.")
    resolution = fields.Text(
        "Resolution", states=_final, help="What was done for the requester.")
    cancel_reason = fields.Text(
        "Cancellation Reason",
        states={
            'readonly': Eval('state').in_(FINAL_STATES),
            'invisible': ~Eval('state').in_(
                ['draft', 'open', 'assigned', 'in_progress', 'cancelled']),
            })

    received_at = fields.Timestamp(
        "Received at", required=True, states=_draft,
        help="When the request was made: time limits start here.")
    month = fields.Date(
        "Month", readonly=True,
        help="First day of the month the request was made (statistics).")
    opened_at = fields.Timestamp("Opened at", readonly=True)
    assigned_at = fields.Timestamp(
        "Responded at", readonly=True,
        help="When the ticket was first assigned (the response).")
    started_at = fields.Timestamp("Started at", readonly=True)
    resolved_at = fields.Timestamp("Resolved at", readonly=True)
    closed_at = fields.Timestamp("Closed at", readonly=True)
    cancelled_at = fields.Timestamp("Cancelled at", readonly=True)
    response_deadline = fields.Timestamp("Response Deadline", readonly=True)
    resolution_deadline = fields.Timestamp(
        "Resolution Deadline", readonly=True)
    response_hours = fields.Float(
        "Time to Respond (h)", digits=(16, 2), readonly=True)
    resolution_hours = fields.Float(
        "Time to Resolve (h)", digits=(16, 2), readonly=True)
    responded_on_time = fields.Boolean("Responded on Time", readonly=True)
    resolved_on_time = fields.Boolean("Resolved on Time", readonly=True)
    overdue = fields.Function(
        fields.Boolean("Overdue"), 'get_overdue', searcher='search_overdue')
    escalated = fields.Boolean("Escalated", readonly=True)
    escalated_at = fields.Timestamp("Escalated at", readonly=True)
    reopen_count = fields.Integer("Reopened", readonly=True)
    history = fields.One2Many(
        'property.ticket.history', 'ticket', "History", readonly=True)
    work_orders = fields.One2Many(
        'property.work_order', 'ticket', "Work Orders",
        states={
            'invisible': ~Eval('type').in_(['repair', 'rectification']),
            'readonly': Eval('state').in_(FINAL_STATES),
            })

    return_visit_required = fields.Boolean(
        "Return Visit Required", states=_draft,
        help="A return visit (回访) must be recorded before closing; "
        "always for complaints.")
    return_visit_result = fields.Text(
        "Return Visit Result",
        states={
            'readonly': Eval('state') != 'resolved',
            'invisible': Eval('state').in_(
                ['draft', 'open', 'assigned', 'in_progress']),
            },
        help="What the requester said when called back.")
    return_visit_at = fields.Timestamp("Return Visit at", readonly=True)
    return_visit_by = fields.Many2One(
        'company.employee', "Return Visit by", readonly=True)
    satisfaction = fields.Integer(
        "Satisfaction",
        states={
            'readonly': Eval('state') != 'resolved',
            'invisible': Eval('state').in_(
                ['draft', 'open', 'assigned', 'in_progress']),
            },
        help="The requester's score from 1 (very unsatisfied) to 5 (very "
        "satisfied); 2 or less opens a rectification ticket.")
    satisfaction_comment = fields.Text(
        "Satisfaction Comment",
        states={
            'readonly': Eval('state') != 'resolved',
            'invisible': Eval('state').in_(
                ['draft', 'open', 'assigned', 'in_progress']),
            })
    state = fields.Selection(
        STATES, "State", readonly=True, required=True, sort=False)

    del _draft, _final

    @classmethod
    def __setup__(cls):
        cls.number.search_unaccented = False
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.number, Index.Similarity())),
                # the estate's unfinished tickets, newest first (the list)
                Index(t,
                    (t.estate, Index.Equality()),
                    (t.received_at, Index.Range(order='DESC')),
                    where=~t.state.in_(FINAL_STATES)),
                # the console: open work by priority, counts of its tabs
                # and the load per person answered from the index alone
                Index(t,
                    (t.priority, Index.Range(order='DESC')),
                    (t.received_at, Index.Range()),
                    where=t.state.in_(OPEN_STATES)),
                Index(t,
                    (t.estate, Index.Equality()),
                    include=[t.id, t.company, t.state, t.assignee,
                        t.escalated,
                        t.response_deadline, t.resolution_deadline],
                    where=t.state.in_(OPEN_STATES)),
                # the KPI board: an estate's months from the index alone
                Index(t,
                    (t.estate, Index.Equality()),
                    (t.month, Index.Range()),
                    include=[t.id, t.company, t.state, t.type, t.assigned_at,
                        t.responded_on_time, t.resolved_at,
                        t.resolved_on_time, t.escalated, t.satisfaction,
                        t.response_hours, t.resolution_hours]),
                Index(t, (t.origin, Index.Equality())),
                # the owner portal: a requester's tickets, newest first
                Index(t,
                    (t.requester, Index.Equality()),
                    (t.received_at, Index.Range(order='DESC'))),
                })
        cls._order = [('received_at', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'open'),
            ('draft', 'cancelled'),
            ('open', 'assigned'),
            ('open', 'cancelled'),
            ('assigned', 'assigned'),
            ('assigned', 'in_progress'),
            ('assigned', 'cancelled'),
            ('in_progress', 'assigned'),
            ('in_progress', 'resolved'),
            ('in_progress', 'cancelled'),
            ('resolved', 'in_progress'),
            ('resolved', 'closed'),
            }
        cls._buttons.update({
                'submit': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'assign': {
                    'invisible': ~Eval('state').in_(
                        ['open', 'assigned', 'in_progress']),
                    'readonly': ~Eval('assignee'),
                    'depends': ['state', 'assignee'],
                    },
                'start': {
                    'invisible': Eval('state') != 'assigned',
                    'depends': ['state'],
                    },
                'resolve': {
                    'invisible': Eval('state') != 'in_progress',
                    'depends': ['state'],
                    },
                'close': {
                    'invisible': Eval('state') != 'resolved',
                    'depends': ['state'],
                    },
                'reopen': {
                    'invisible': Eval('state') != 'resolved',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': ~Eval('state').in_(
                        ['draft', 'open', 'assigned', 'in_progress']),
                    'readonly': ~Eval('cancel_reason'),
                    'depends': ['state', 'cancel_reason'],
                    },
                'record_return_visit': {
                    'invisible': Eval('state') != 'resolved',
                    'readonly': ~Eval('return_visit_result'),
                    'depends': ['state', 'return_visit_result'],
                    },
                })

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_channel(cls):
        return 'counter'

    @classmethod
    def default_priority(cls):
        return '1_normal'

    @classmethod
    def default_received_at(cls):
        return _now().replace(microsecond=0)

    @classmethod
    def default_reported_by(cls):
        return Transaction().context.get('employee')

    @classmethod
    def default_escalated(cls):
        return False

    @classmethod
    def default_reopen_count(cls):
        return 0

    @classmethod
    def default_return_visit_required(cls):
        return False

    @fields.depends('type', 'category', 'return_visit_required')
    def on_change_type(self):
        if self.type == 'complaint':
            self.return_visit_required = True

    @classmethod
    def _get_origin(cls):
        "Models a ticket may come from; other modules extend the list"
        return ['property.ticket']

    @classmethod
    def get_origin(cls):
        IrModel = Pool().get('ir.model')
        models = cls._get_origin()
        return [(None, '')] + [
            (m, IrModel.get_name(m)) for m in models]

    @fields.depends('category', 'type')
    def on_change_category(self):
        if self.category:
            if self.category.department:
                self.department = self.category.department
            self.priority = self.category.priority
            self.checklist = self.category.steps
            if self.category.return_visit_required:
                self.return_visit_required = True

    @fields.depends('estate', 'unit')
    def on_change_estate(self):
        if self.unit and self.unit.estate != self.estate:
            self.unit = None

    @fields.depends('unit', 'requester')
    def on_change_unit(self):
        if self.unit and not self.requester:
            owners = getattr(self.unit, 'owners', None)
            if owners:
                self.requester = owners[0]

    def get_rec_name(self, name):
        return self.number or str(self.id)

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, operand, *extra = clause
        if operator.startswith('!') or operator.startswith('not '):
            bool_op = 'AND'
        else:
            bool_op = 'OR'
        return [bool_op,
            ('number', operator, operand, *extra),
            ('description', operator, operand, *extra),
            ]

    @classmethod
    def get_overdue(cls, tickets, name):
        now = _now()
        return {t.id: t._is_overdue(now) for t in tickets}

    def _is_overdue(self, now):
        if self.state in {'draft'} | set(DONE_STATES):
            return False
        if self.resolution_deadline and now > self.resolution_deadline:
            return True
        return bool(self.state == 'open' and self.response_deadline
            and now > self.response_deadline)

    @classmethod
    def search_overdue(cls, name, clause):
        _, operator, value = clause
        now = _now()
        overdue = ['OR',
            [('state', 'in', OPEN_STATES),
                ('resolution_deadline', '<', now)],
            [('state', '=', 'open'),
                ('response_deadline', '<', now)],
            ]
        if (operator == '=') == bool(value):
            return overdue
        return ['OR',
            ('state', 'not in', OPEN_STATES),
            [
                ['OR',
                    ('resolution_deadline', '=', None),
                    ('resolution_deadline', '>=', now)],
                ['OR',
                    ('state', '!=', 'open'),
                    ('response_deadline', '=', None),
                    ('response_deadline', '>=', now)],
                ]]

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Configuration = pool.get('property.configuration')
        values = super().preprocess_values(mode, values)
        if mode == 'create':
            values.setdefault('received_at', cls.default_received_at())
            if values.get('type') == 'complaint':
                values['return_visit_required'] = True
        if values.get('received_at'):
            values['month'] = values['received_at'].date().replace(day=1)
        if mode == 'create' and not values.get('number'):
            with without_check_access():
                config = Configuration(1)
                values['number'] = config.ticket_sequence.get()
        if (mode == 'create' and values.get('category')
                and not values.get('checklist')):
            # the service standard of the category applies
            category = pool.get('property.ticket.category')(
                values['category'])
            values['checklist'] = category.steps
            if category.return_visit_required:
                values['return_visit_required'] = True
            if not values.get('department'):
                values['department'] = category.department
            if not values.get('priority'):
                values['priority'] = category.priority
        return values

    @classmethod
    def check_modification(cls, mode, tickets, values=None, external=False):
        super().check_modification(
            mode, tickets, values=values, external=external)
        if mode == 'write':
            for ticket in tickets:
                if ticket.state in FINAL_STATES:
                    raise TicketClosedError(gettext(
                            'property_service.msg_ticket_closed_edit',
                            ticket=ticket.rec_name))
        elif mode == 'delete':
            for ticket in tickets:
                if ticket.state != 'draft':
                    raise DeleteHistoryError(gettext(
                            'property_service.msg_ticket_delete',
                            ticket=ticket.rec_name))

    @classmethod
    def validate_fields(cls, tickets, field_names):
        super().validate_fields(tickets, field_names)
        if {'assignee', 'estate'} & field_names:
            for ticket in tickets:
                ticket.check_assignee()
        if 'satisfaction' in field_names:
            for ticket in tickets:
                if (ticket.satisfaction is not None
                        and not 1 <= ticket.satisfaction <= 5):
                    raise TicketValidationError(gettext(
                            'property_service.msg_ticket_satisfaction_range',
                            ticket=ticket.rec_name,
                            score=ticket.satisfaction))
        if 'received_at' in field_names:
            now = _now() + datetime.timedelta(minutes=5)
            for ticket in tickets:
                if ticket.received_at and ticket.received_at > now:
                    raise TicketValidationError(gettext(
                            'property_service.msg_ticket_received_future',
                            ticket=ticket.rec_name))

    def check_assignee(self):
        "The assignee must work for the ticket's estate"
        if not self.assignee:
            return
        estate = self.estate
        staff = {e.id for e in estate.staff}
        if estate.manager:
            staff.add(estate.manager.id)
        if self.assignee.id not in staff:
            raise TicketValidationError(gettext(
                    'property_service.msg_ticket_assignee_estate',
                    ticket=self.rec_name,
                    employee=self.assignee.rec_name,
                    estate=estate.rec_name))
        handlers = {e.id for e in estate.complaint_handlers}
        if (self.type == 'complaint' and handlers
                and self.assignee.id not in handlers):
            # R6: complaints go to the designated handlers only
            raise TicketValidationError(gettext(
                    'property_service.msg_ticket_complaint_handler',
                    ticket=self.rec_name,
                    employee=self.assignee.rec_name,
                    estate=estate.rec_name))

    @classmethod
    def copy(cls, tickets, default=None):
        default = default.copy() if default is not None else {}
        for name in ['number', 'assignee', 'opened_at', 'assigned_at',
                'started_at', 'resolved_at', 'closed_at', 'cancelled_at',
                'response_deadline', 'resolution_deadline', 'response_hours',
                'resolution_hours', 'responded_on_time', 'resolved_on_time',
                'escalated_at', 'resolution', 'cancel_reason', 'origin']:
            default.setdefault(name, None)
        for name in ['return_visit_result', 'return_visit_at',
                'return_visit_by', 'satisfaction', 'satisfaction_comment']:
            default.setdefault(name, None)
        default.setdefault('work_orders', None)
        default.setdefault('escalated', False)
        default.setdefault('reopen_count', 0)
        default.setdefault('history', None)
        default.setdefault('follow_ups', None)
        default.setdefault('received_at', cls.default_received_at())
        return super().copy(tickets, default=default)

    @classmethod
    def _log(cls, tickets, action, to_state, note=None):
        "Append one attributed, timestamped line per ticket to the history"
        pool = Pool()
        History = pool.get('property.ticket.history')
        transaction = Transaction()
        now = _now()
        with without_check_access():
            History.create([{
                        'ticket': t.id,
                        'date': now,
                        'user': transaction.user,
                        'employee': transaction.context.get('employee'),
                        'action': action,
                        'from_state': t.state,
                        'to_state': to_state,
                        'note': note,
                        } for t in tickets])

    @classmethod
    @ModelView.button
    @Workflow.transition('open')
    def submit(cls, tickets):
        now = _now()
        cls._log(tickets, 'submit', 'open')
        for ticket in tickets:
            ticket.opened_at = now
            ticket.set_deadlines()
        cls.save(tickets)

    def set_deadlines(self):
        start = self.received_at or _now()
        category = self.category
        if category and category.response_time:
            self.response_deadline = start + category.response_time
        if category and category.resolution_time:
            self.resolution_deadline = start + category.resolution_time

    @classmethod
    @ModelView.button
    @Workflow.transition('assigned')
    def assign(cls, tickets):
        now = _now()
        for ticket in tickets:
            if not ticket.assignee:
                raise TicketWorkflowError(gettext(
                        'property_service.msg_ticket_assign_no_assignee',
                        ticket=ticket.rec_name))
            ticket.check_assignee()
        for ticket in tickets:
            cls._log([ticket], 'assign', 'assigned',
                note=ticket.assignee.rec_name)
        for ticket in tickets:
            if not ticket.assigned_at:
                ticket.assigned_at = now
                ticket.response_hours = _hours(now - ticket.received_at)
                ticket.responded_on_time = (
                    not ticket.response_deadline
                    or now <= ticket.response_deadline)
        cls.save(tickets)
        cls.notify_assignees(tickets)

    @classmethod
    def notify_assignees(cls, tickets):
        "Tell the users of the assignees that a ticket is theirs"
        pool = Pool()
        Notification = pool.get('res.notification')
        notifications = []
        for ticket in tickets:
            user = ticket._employee_user(ticket.assignee)
            if user:
                notifications.append(Notification(
                        user=user,
                        label=gettext(
                            'property_service.msg_ticket_assigned_label',
                            ticket=ticket.rec_name),
                        description=ticket.summary(200),
                        model=cls.__name__,
                        records=str([ticket.id])))
        with without_check_access():
            Notification.save(notifications)

    def summary(self, length):
        "The description on one line (notifications refuse line breaks)"
        return ' '.join((self.description or '').split())[:length]

    @staticmethod
    def _employee_user(employee):
        "The active user of an employee, if any"
        pool = Pool()
        User = pool.get('res.user')
        if not employee:
            return None
        with without_check_access():
            users = User.search([
                    ('employees', '=', employee.id),
                    ], limit=1, order=[('id', 'ASC')])
        return users[0] if users else None

    @classmethod
    @ModelView.button
    @Workflow.transition('in_progress')
    def start(cls, tickets):
        now = _now()
        cls._log(tickets, 'start', 'in_progress')
        for ticket in tickets:
            if not ticket.started_at:
                ticket.started_at = now
        cls.save(tickets)

    @classmethod
    @ModelView.button
    @Workflow.transition('resolved')
    def resolve(cls, tickets):
        now = _now()
        cls._log(tickets, 'resolve', 'resolved')
        for ticket in tickets:
            ticket.resolved_at = now
            ticket.resolution_hours = _hours(now - ticket.received_at)
            ticket.resolved_on_time = (
                not ticket.resolution_deadline
                or now <= ticket.resolution_deadline)
        cls.save(tickets)
        cls.notify_requesters(tickets)

    @classmethod
    def notify_requesters(cls, tickets):
        """Email the requesters who have an email address that their
        request is resolved; the ir.email record is the trace (the message
        is sent after commit, a missing SMTP server is only logged)."""
        pool = Pool()
        Email = pool.get('ir.email')
        emails = []
        for ticket in tickets:
            requester = ticket.requester
            address = requester.email if requester else None
            if not address:
                continue
            with Transaction().set_context(language=requester.lang.code
                    if getattr(requester, 'lang', None) else None):
                subject = gettext(
                    'property_service.msg_ticket_resolved_email_subject',
                    ticket=ticket.rec_name)
                body = gettext(
                    'property_service.msg_ticket_resolved_email_body',
                    requester=requester.rec_name,
                    ticket=ticket.rec_name,
                    description=(ticket.description or '')[:100],
                    resolution=ticket.resolution or '',
                    estate=ticket.estate.rec_name)
            msg = EmailMessage()
            msg['From'] = config.get('email', 'from')
            msg['To'] = address
            msg['Subject'] = subject
            msg.set_content(body)
            send_message_transactional(msg)
            emails.append(Email.from_message(
                    msg, body=body, resource=ticket))
        with without_check_access():
            Email.save(emails)

    @classmethod
    @ModelView.button
    @Workflow.transition('in_progress')
    def reopen(cls, tickets):
        "The requester rejects the result: back to work"
        cls._log(tickets, 'reopen', 'in_progress')
        for ticket in tickets:
            ticket.reopen_count = (ticket.reopen_count or 0) + 1
            ticket.resolved_at = None
            ticket.resolution_hours = None
            ticket.resolved_on_time = None
        cls.save(tickets)

    @classmethod
    def check_close(cls, tickets):
        "Refuse to close what is not finished"
        for ticket in tickets:
            if ticket.return_visit_required and not ticket.return_visit_at:
                raise TicketWorkflowError(gettext(
                        'property_service.msg_ticket_close_return_visit',
                        ticket=ticket.rec_name))
            for order in ticket.work_orders:
                if order.state not in {'done', 'signed', 'cancelled'}:
                    raise TicketWorkflowError(gettext(
                            'property_service.msg_ticket_close_work_order',
                            ticket=ticket.rec_name, order=order.rec_name))

    @classmethod
    @ModelView.button
    def record_return_visit(cls, tickets):
        "Stamp the return visit (回访) the clerk has just made"
        now = _now()
        employee = Transaction().context.get('employee')
        for ticket in tickets:
            if ticket.state != 'resolved':
                raise TicketWorkflowError(gettext(
                        'property_service.msg_ticket_return_visit_state',
                        ticket=ticket.rec_name))
            if not (ticket.return_visit_result or '').strip():
                raise TicketWorkflowError(gettext(
                        'property_service.msg_ticket_return_visit_result',
                        ticket=ticket.rec_name))
            note = ticket.return_visit_result
            if ticket.satisfaction is not None:
                note = f'[{ticket.satisfaction}/5] {note}'
            cls._log([ticket], 'return_visit', ticket.state, note=note)
        cls.write(tickets, {
                'return_visit_at': now,
                'return_visit_by': employee,
                })

    @classmethod
    def on_modification(cls, mode, tickets, field_names=None):
        super().on_modification(mode, tickets, field_names=field_names)
        if mode in {'create', 'write'} and (
                mode == 'create' or 'satisfaction' in field_names):
            cls.rectify(tickets)

    @classmethod
    def rectify(cls, tickets):
        "Log each score; open a rectification ticket (整改) for scores <= 2"
        follow_ups = []
        with without_check_access():
            for ticket in tickets:
                if ticket.satisfaction is None:
                    continue
                cls._log([ticket], 'rate', ticket.state,
                    note=f'{ticket.satisfaction}/5 '
                    f'{ticket.satisfaction_comment or ""}'.strip())
                if (ticket.satisfaction > 2
                        or any(f.type == 'rectification'
                            for f in ticket.follow_ups)):
                    continue
                follow_ups.append(cls(
                        company=ticket.company,
                        estate=ticket.estate,
                        unit=ticket.unit,
                        requester=ticket.requester,
                        type='rectification',
                        channel=ticket.channel,
                        priority='2_high',
                        department=ticket.department,
                        description=gettext(
                            'property_service.msg_ticket_rectification',
                            ticket=ticket.rec_name,
                            score=ticket.satisfaction,
                            comment=ticket.satisfaction_comment or ''),
                        origin=ticket,
                        return_visit_required=True))
            if follow_ups:
                cls.save(follow_ups)
                cls.submit(follow_ups)
        return follow_ups

    @classmethod
    @ModelView.button
    @Workflow.transition('closed')
    def close(cls, tickets):
        cls.check_close(tickets)
        now = _now()
        cls._log(tickets, 'close', 'closed')
        cls.write(tickets, {'closed_at': now})

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, tickets):
        for ticket in tickets:
            if not (ticket.cancel_reason or '').strip():
                raise TicketWorkflowError(gettext(
                        'property_service.msg_ticket_cancel_reason',
                        ticket=ticket.rec_name))
        now = _now()
        for ticket in tickets:
            cls._log([ticket], 'cancel', 'cancelled',
                note=ticket.cancel_reason)
        cls.write(tickets, {'cancelled_at': now})

    @classmethod
    def escalate_overdue(cls):
        "Cron: mark overdue tickets escalated and tell the estate managers"
        domain = [
            ('overdue', '=', True),
            ('escalated', '=', False),
            ]
        company = Transaction().context.get('company')
        if company:
            domain.append(('company', '=', company))
        tickets = cls.search(domain)
        if tickets:
            cls.escalate(tickets)
        return tickets

    @classmethod
    def escalate(cls, tickets):
        pool = Pool()
        Notification = pool.get('res.notification')
        now = _now()
        with without_check_access():
            for ticket in tickets:
                cls._log([ticket], 'escalate', ticket.state)
            cls.write(tickets, {'escalated': True, 'escalated_at': now})
            notifications = []
            for ticket in tickets:
                user = cls._employee_user(ticket.estate.manager)
                if user:
                    notifications.append(Notification(
                            user=user,
                            label=gettext(
                                'property_service.msg_ticket_escalated_label',
                                ticket=ticket.rec_name),
                            description=ticket.summary(200),
                            model=cls.__name__,
                            records=str([ticket.id])))
            Notification.save(notifications)


class TicketHistory(ModelSQL, ModelView):
    "Ticket history: who did what when (never edited, never deleted)"
    __name__ = 'property.ticket.history'
    __string__ = "Ticket History"

    ticket = fields.Many2One(
        'property.ticket', "Ticket", required=True, ondelete='CASCADE',
        readonly=True)
    date = fields.Timestamp("Date", required=True, readonly=True)
    user = fields.Many2One('res.user', "User", readonly=True)
    employee = fields.Many2One('company.employee', "Employee", readonly=True)
    action = fields.Selection([
            ('submit', "Submitted"),
            ('assign', "Assigned"),
            ('start', "Started"),
            ('resolve', "Resolved"),
            ('reopen', "Reopened"),
            ('close', "Closed"),
            ('cancel', "Cancelled"),
            ('escalate', "Escalated"),
            ('return_visit', "Return Visit"),
            ('rate', "Rated"),
            ], "Action", required=True, readonly=True)
    from_state = fields.Selection(STATES, "From", readonly=True, sort=False)
    to_state = fields.Selection(STATES, "To", readonly=True, sort=False)
    note = fields.Text("Note", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('ticket')
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.ticket, Index.Equality())))
        cls._order = [('date', 'ASC'), ('id', 'ASC')]

    @classmethod
    def check_modification(cls, mode, records, values=None, external=False):
        super().check_modification(
            mode, records, values=values, external=external)
        if mode in {'write', 'delete'} and external:
            raise DeleteHistoryError(gettext(
                    'property_service.msg_ticket_history_readonly'))
