# This file is part of the property service suite. See README.md.
"""Rectification follow-ups (整改跟进) of patrol anomalies, inspection
defects, drill findings and incidents, with a deadline tracked to closure"""
from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Workflow, fields
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.transaction import Transaction, without_check_access

from .common import now
from .exceptions import DeleteHistoryError, FollowupError

_done = Eval('state') != 'open'


class Followup(Workflow, ModelSQL, ModelView):
    "Rectification follow-up"
    __name__ = 'property.security.followup'
    __string__ = "Rectification"
    estate = fields.Many2One(
        'property.estate', "Estate", required=True, ondelete='RESTRICT',
        states={'readonly': _done})
    kind = fields.Selection([
            ('patrol', "Patrol Anomaly"),
            ('inspection', "Inspection Defect"),
            ('drill', "Drill Finding"),
            ('incident', "Incident"),
            ('other', "Other"),
            ], "Kind", required=True, states={'readonly': _done})
    origin = fields.Reference(
        "Origin", selection='get_origins', readonly=True)
    name = fields.Char("Subject", required=True, states={'readonly': _done})
    description = fields.Text("Description", states={'readonly': _done})
    photo = fields.Binary("Photo", states={'readonly': _done})
    responsible = fields.Many2One(
        'company.employee', "Responsible", states={'readonly': _done})
    deadline = fields.Date(
        "Deadline", required=True, states={'readonly': _done})
    resolution = fields.Text(
        "Resolution", states={'readonly': _done},
        help="What was done; required to close.")
    ticket = fields.Many2One(
        'property.ticket', "Service Ticket", readonly=True,
        ondelete='RESTRICT',
        help="The service desk ticket that puts this rectification on the "
        "dispatch console.")
    closed_at = fields.DateTime("Closed At", readonly=True)
    closed_by = fields.Many2One('res.user', "Closed By", readonly=True)
    state = fields.Selection([
            ('open', "Open"),
            ('done', "Closed"),
            ('cancelled', "Cancelled"),
            ], "State", required=True, readonly=True, sort=False)
    overdue = fields.Function(
        fields.Boolean("Overdue"), 'get_overdue', searcher='search_overdue')

    @classmethod
    def view_attributes(cls):
        # lists colour their rows (PYSON must be encoded by the server)
        return super().view_attributes() + [
            ('/tree', 'visual', If(Eval('overdue'), 'danger', ''),
                ['overdue']),
            ]

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('deadline', 'ASC'), ('id', 'ASC')]
        cls._transitions |= {
            ('open', 'done'),
            ('open', 'cancelled'),
            ('done', 'open'),
            }
        cls._buttons.update({
                'do': {'invisible': Eval('state') != 'open',
                    'depends': ['state']},
                'cancel': {'invisible': Eval('state') != 'open',
                    'depends': ['state']},
                'reopen': {'invisible': Eval('state') != 'done',
                    'depends': ['state']},
                })

    @classmethod
    def default_state(cls):
        return 'open'

    @classmethod
    def default_kind(cls):
        return 'other'

    @classmethod
    def _get_origins(cls):
        return ['property.patrol.round', 'property.safety.inspection.line',
            'property.drill', 'property.incident']

    @classmethod
    def get_origins(cls):
        IrModel = Pool().get('ir.model')
        return [(None, '')] + [(m, IrModel.get_name(m))
            for m in cls._get_origins()]

    def get_overdue(self, name):
        Date = Pool().get('ir.date')
        return self.state == 'open' and self.deadline < Date.today()

    @classmethod
    def search_overdue(cls, name, clause):
        Date = Pool().get('ir.date')
        _, operator, value = clause
        domain = [('state', '=', 'open'), ('deadline', '<', Date.today())]
        if (operator == '=') != bool(value):
            domain = ['OR', ('state', '!=', 'open'),
                ('deadline', '>=', Date.today())]
        return domain

    @classmethod
    def on_modification(cls, mode, followups, field_names=None):
        super().on_modification(mode, followups, field_names=field_names)
        if mode == 'create':
            cls.open_tickets(followups)

    @classmethod
    def open_tickets(cls, followups):
        """Each rectification is also a service desk ticket (type
        rectification, channel inspection) so that it shows on the dispatch
        console with the rest of the open work"""
        Ticket = Pool().get('property.ticket')
        departments = {'inspection': 'engineering'}
        # a guard reporting an anomaly opens the ticket whatever the desk's
        # own access rules: the follow-up was checked already
        with without_check_access():
            tickets = Ticket.create([{
                        'company': f.estate.company.id,
                        'estate': f.estate.id,
                        'type': 'rectification',
                        'channel': 'inspection',
                        'department': departments.get(f.kind, 'security'),
                        'description': '\n'.join(
                            filter(None, [f.name, f.description])),
                        'origin': str(f),
                        } for f in followups])
            Ticket.submit(tickets)
            args = []
            for followup, ticket in zip(followups, tickets):
                args.extend(([followup], {'ticket': ticket.id}))
            if args:
                cls.write(*args)

    @classmethod
    def check_modification(cls, mode, followups, values=None, external=False):
        super().check_modification(
            mode, followups, values=values, external=external)
        if mode == 'delete':
            raise DeleteHistoryError(gettext(
                    'property_security.msg_followup_delete'))

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    def do(cls, followups):
        for followup in followups:
            if not (followup.resolution or '').strip():
                raise FollowupError(gettext(
                        'property_security.msg_followup_resolution',
                        followup=followup.rec_name))
        cls.write(followups, {
                'closed_at': now(), 'closed_by': Transaction().user})
        cls.close_tickets(followups)

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, followups):
        cls.cancel_tickets(followups)

    @classmethod
    @ModelView.button
    @Workflow.transition('open')
    def reopen(cls, followups):
        cls.write(followups, {'closed_at': None, 'closed_by': None})
        # the desk never reopens a closed ticket: the new round of work gets
        # a new ticket on the dispatch console
        cls.open_tickets([f for f in followups
                if not f.ticket or f.ticket.state in {'closed', 'cancelled'}])

    @classmethod
    def close_tickets(cls, followups):
        """Keep the desk ticket in step: the rectification is done, so its
        ticket is resolved with the same resolution and closed, through the
        desk's own workflow (history, on-time figures)"""
        Ticket = Pool().get('property.ticket')
        employee = Transaction().context.get('employee')
        with without_check_access():
            for followup in followups:
                ticket = followup.ticket
                if not ticket or ticket.state in {'closed', 'cancelled'}:
                    continue
                if ticket.state in {'open', 'assigned'}:
                    if not ticket.assignee:
                        assignee = (followup.responsible.id
                            if followup.responsible else employee)
                        if not assignee:
                            raise FollowupError(gettext(
                                    'property_security'
                                    '.msg_followup_ticket_assignee',
                                    followup=followup.rec_name,
                                    ticket=ticket.rec_name))
                        ticket.assignee = assignee
                        ticket.save()
                    if ticket.state == 'open':
                        Ticket.assign([ticket])
                    Ticket.start([ticket])
                if ticket.state == 'in_progress':
                    ticket.resolution = followup.resolution
                    ticket.save()
                    Ticket.resolve([ticket])
                Ticket.close([ticket])

    @classmethod
    def cancel_tickets(cls, followups):
        Ticket = Pool().get('property.ticket')
        with without_check_access():
            tickets = []
            for followup in followups:
                ticket = followup.ticket
                if ticket and ticket.state not in {
                        'resolved', 'closed', 'cancelled'}:
                    ticket.cancel_reason = gettext(
                        'property_security.msg_followup_ticket_cancelled',
                        followup=followup.rec_name)
                    tickets.append(ticket)
            Ticket.save(tickets)
            Ticket.cancel(tickets)
