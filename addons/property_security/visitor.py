# This file is part of the property service suite. See README.md.
"Visitors (访客登记): gate registration, pre-registration, passes"
import datetime as dt
import secrets

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Unique, Workflow, fields
from trytond.modules.property_service.personal_data import (
    VISITOR, PersonalDataMixin)
from trytond.pyson import Eval, If
from trytond.rpc import RPC
from trytond.transaction import Transaction

from .common import mask, now, user_employees
from .exceptions import DeleteHistoryError, PassError, VisitorError

_done = Eval('state').in_(['checked_out', 'cancelled'])


class Visitor(PersonalDataMixin, Workflow, ModelSQL, ModelView):
    "Visitor registration (访客登记) and pass (通行证)"
    __name__ = 'property.visitor'
    __string__ = "Visitor"
    _personal_data = {
        f: VISITOR for f in ['name', 'id_number', 'phone', 'plate']}
    _personal_data_party = 'host_party'
    estate = fields.Many2One(
        'property.estate', "Estate", required=True, ondelete='RESTRICT',
        states={'readonly': Eval('state') != 'expected'})
    # sizes: owners pre-register visitors in the portal, guards at the gate
    name = fields.Char(
        "Name", required=True, size=50, states={'readonly': _done})
    id_type = fields.Selection([
            (None, ""),
            ('resident_id', "Resident ID Card"),
            ('passport', "Passport"),
            ('hk_macau_permit', "Mainland Travel Permit (HK/Macau)"),
            ('taiwan_permit', "Mainland Travel Permit (Taiwan)"),
            ('driving_license', "Driving License"),
            ('other', "Other"),
            ], "ID Type", states={'readonly': _done})
    id_number = fields.Char(
        "ID Number", states={'readonly': _done},
        help="Stored masked: only the last 4 characters are kept (R12).")
    phone = fields.Char("Phone", size=30, states={'readonly': _done})
    host_unit = fields.Many2One(
        'property.unit', "Host Unit", ondelete='RESTRICT',
        domain=[('estate', '=', Eval('estate', -1))],
        states={'readonly': _done})
    host_party = fields.Many2One(
        'party.party', "Host", ondelete='RESTRICT',
        states={'readonly': _done},
        help="The resident who invites the visitor (the portal user's "
        "party for portal pre-registrations).")
    purpose = fields.Selection([
            ('visit', "Visiting Friends or Family"),
            ('delivery', "Delivery"),
            ('service', "Service or Repair"),
            ('renovation', "Renovation"),
            ('business', "Business"),
            ('other', "Other"),
            ], "Purpose", required=True, states={'readonly': _done})
    purpose_note = fields.Char(
        "Purpose Note", size=200, states={'readonly': _done})
    plate = fields.Char("Vehicle Plate", size=20, states={'readonly': _done})
    companions = fields.Integer(
        "Companions", states={'readonly': _done})
    pass_code = fields.Char(
        "Pass Code", readonly=True,
        help="Shown or sent to the visitor; checked at the gate.")
    valid_from = fields.DateTime(
        "Valid From", required=True,
        states={'readonly': Eval('state') != 'expected'})
    valid_to = fields.DateTime(
        "Valid To", required=True,
        states={'readonly': Eval('state') != 'expected'},
        domain=[('valid_to', '>', Eval('valid_from'))])
    pre_registered = fields.Boolean(
        "Pre-registered", readonly=True,
        help="Registered before arrival by staff or by the host.")
    created_by_portal = fields.Boolean(
        "Created in Portal", readonly=True,
        help="Pre-registered by the host in the owner portal.")
    registered_by = fields.Many2One(
        'company.employee', "Registered By", readonly=True)
    check_in = fields.DateTime("Checked In", readonly=True)
    check_out = fields.DateTime("Checked Out", readonly=True)
    check_in_by = fields.Many2One(
        'company.employee', "Checked In By", readonly=True)
    check_out_by = fields.Many2One(
        'company.employee', "Checked Out By", readonly=True)
    state = fields.Selection([
            ('expected', "Expected"),
            ('checked_in', "Checked In"),
            ('checked_out', "Checked Out"),
            ('cancelled', "Cancelled"),
            ], "State", required=True, readonly=True, sort=False)
    overstay = fields.Function(
        fields.Boolean("Overstay"), 'get_overstay',
        searcher='search_overstay')

    @classmethod
    def view_attributes(cls):
        # lists colour their rows (PYSON must be encoded by the server)
        return super().view_attributes() + [
            ('/tree', 'visual', If(Eval('overstay'), 'danger', ''),
                ['overstay']),
            ]

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('pass_code_unique', Unique(t, t.estate, t.pass_code),
                'property_security.msg_visitor_pass_unique'),
            ]
        cls._order = [('valid_from', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('expected', 'checked_in'),
            ('checked_in', 'checked_out'),
            ('expected', 'cancelled'),
            }
        cls._buttons.update({
                'do_check_in': {'invisible': Eval('state') != 'expected',
                    'depends': ['state']},
                'do_check_out': {'invisible': Eval('state') == 'checked_out',
                    'readonly': Eval('state') == 'cancelled',
                    'depends': ['state']},
                'cancel': {'invisible': Eval('state') != 'expected',
                    'depends': ['state']},
                })
        cls.__rpc__.update({
                'check_in_pass': RPC(readonly=False, check_access=True),
                })

    @classmethod
    def default_state(cls):
        return 'expected'

    @classmethod
    def default_purpose(cls):
        return 'visit'

    @classmethod
    def default_valid_from(cls):
        return now().replace(microsecond=0)

    @classmethod
    def default_valid_to(cls):
        return now().replace(microsecond=0) + dt.timedelta(hours=4)

    @classmethod
    def default_pre_registered(cls):
        return False

    @classmethod
    def default_created_by_portal(cls):
        return False

    @classmethod
    def default_estate(cls):
        return Transaction().context.get('estate')

    @fields.depends('id_number')
    def on_change_id_number(self):
        self.id_number = mask(self.id_number)

    @fields.depends('host_unit')
    def on_change_host_unit(self):
        if self.host_unit:
            self.estate = self.host_unit.estate

    def get_rec_name(self, name):
        return f'{self.name} ({self.pass_code})'

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, operand, *extra = clause
        bool_op = 'AND' if operator.startswith('!') or operator.startswith(
            'not ') else 'OR'
        return [bool_op,
            ('name', operator, operand, *extra),
            ('pass_code', operator, operand, *extra),
            ('plate', operator, operand, *extra),
            ]

    def get_overstay(self, name):
        return self.state == 'checked_in' and self.valid_to < now()

    @classmethod
    def search_overstay(cls, name, clause):
        _, operator, value = clause
        if (operator == '=') == bool(value):
            return [('state', '=', 'checked_in'), ('valid_to', '<', now())]
        return ['OR', ('state', '!=', 'checked_in'),
            ('valid_to', '>=', now())]

    @classmethod
    def new_pass_code(cls):
        return ''.join(secrets.choice('0123456789') for _ in range(8))

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        # the full ID number is never stored, whoever writes it (R12)
        if values.get('id_number'):
            values['id_number'] = mask(values['id_number'])
        if mode == 'create':
            values.setdefault('pass_code', cls.new_pass_code())
            employees = user_employees()
            if employees and not values.get('registered_by'):
                values['registered_by'] = employees[0]
        return values

    @classmethod
    def check_modification(cls, mode, visitors, values=None, external=False):
        super().check_modification(
            mode, visitors, values=values, external=external)
        if mode == 'delete':
            for visitor in visitors:
                if visitor.state != 'expected' or visitor.check_in:
                    raise DeleteHistoryError(gettext(
                            'property_security.msg_visitor_delete',
                            visitor=visitor.rec_name))

    @classmethod
    def pre_register(cls, values):
        "Pre-registration by staff or (later) by the host in the portal"
        values = dict(values, pre_registered=True, state='expected')
        visitor, = cls.create([values])
        return visitor

    @classmethod
    def register_at_gate(cls, values):
        "A walk-in visitor registered and let in by the guard at once"
        visitor, = cls.create([values])
        cls.do_check_in([visitor])
        return visitor

    @classmethod
    def check_in_pass(cls, estate, code):
        """Check in the visitor holding pass `code` at the gate of `estate`
        (RPC for the gate phone). Returns the visitor id."""
        visitors = cls.search([
                ('estate', '=', int(estate)),
                ('pass_code', '=', (code or '').strip()),
                ])
        if not visitors:
            raise PassError(gettext(
                    'property_security.msg_pass_unknown', code=code))
        visitor, = visitors
        cls.do_check_in([visitor])
        return visitor.id

    @classmethod
    @ModelView.button
    @Workflow.transition('checked_in')
    def do_check_in(cls, visitors):
        at = now()
        for visitor in visitors:
            if at > visitor.valid_to:
                raise PassError(gettext(
                        'property_security.msg_pass_expired',
                        visitor=visitor.rec_name,
                        valid_to=visitor.valid_to))
            if at < visitor.valid_from - dt.timedelta(hours=1):
                raise PassError(gettext(
                        'property_security.msg_pass_not_yet_valid',
                        visitor=visitor.rec_name,
                        valid_from=visitor.valid_from))
        cls.write(visitors, {
                'check_in': at,
                'check_in_by': (user_employees() or [None])[0],
                })

    @classmethod
    @ModelView.button
    def do_check_out(cls, visitors):
        # an explicit error, not the silent skip of a workflow transition
        for visitor in visitors:
            if visitor.state != 'checked_in' or not visitor.check_in:
                raise VisitorError(gettext(
                        'property_security.msg_visitor_not_checked_in',
                        visitor=visitor.rec_name))
        cls._check_out(visitors)

    @classmethod
    @Workflow.transition('checked_out')
    def _check_out(cls, visitors):
        cls.write(visitors, {
                'check_out': now(),
                'check_out_by': (user_employees() or [None])[0],
                })

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, visitors):
        pass
