# This file is part of the property service suite. See README.md.
"Guard posts (岗位) and shifts (排班) with attendance check-in/out"
import datetime as dt

from trytond.i18n import gettext
from trytond.model import DeactivableMixin, ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.transaction import Transaction

from .common import now, user_employees
from .exceptions import DateOrderError, DeleteHistoryError, ShiftError

# a guard not checked in this long after the shift start leaves a gap
NO_SHOW_GRACE = dt.timedelta(minutes=15)


class Post(DeactivableMixin, ModelSQL, ModelView):
    "Guard post (岗位): gate, control room, patrol..."
    __name__ = 'property.guard.post'
    __string__ = "Guard Post"
    estate = fields.Many2One(
        'property.estate', "Estate", required=True, ondelete='RESTRICT')
    code = fields.Char("Code", required=True, strip=True)
    name = fields.Char("Name", required=True)
    duties = fields.Text("Duties")
    shifts = fields.One2Many('property.guard.shift', 'post', "Shifts")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('estate', 'ASC'), ('code', 'ASC'), ('id', 'ASC')]

    def get_rec_name(self, name):
        return f'[{self.code}] {self.name}'


_done = Eval('state') == 'done'


class Shift(ModelSQL, ModelView):
    "A guard assigned to a post for a time (the roster)"
    __name__ = 'property.guard.shift'
    __string__ = "Guard Shift"
    post = fields.Many2One(
        'property.guard.post', "Post", required=True, ondelete='RESTRICT',
        states={'readonly': Eval('state') != 'planned'})
    estate = fields.Function(
        fields.Many2One('property.estate', "Estate"),
        'on_change_with_estate', searcher='search_estate')
    guard = fields.Many2One(
        'company.employee', "Guard",
        states={'readonly': Eval('state') != 'planned'},
        help="Leave empty while nobody is assigned: the shift is a gap.")
    start = fields.DateTime(
        "Start", required=True,
        states={'readonly': Eval('state') != 'planned'})
    end = fields.DateTime(
        "End", required=True,
        states={'readonly': Eval('state') != 'planned'})
    check_in_line = fields.Many2One(
        'attendance.line', "Check-in", readonly=True, ondelete='RESTRICT')
    check_out_line = fields.Many2One(
        'attendance.line', "Check-out", readonly=True, ondelete='RESTRICT')
    checked_in_at = fields.Function(
        fields.DateTime("Checked In At"), 'get_attendance')
    checked_out_at = fields.Function(
        fields.DateTime("Checked Out At"), 'get_attendance')
    state = fields.Selection([
            ('planned', "Planned"),
            ('on_duty', "On Duty"),
            ('done', "Done"),
            ], "State", required=True, readonly=True, sort=False)
    gap = fields.Function(
        fields.Boolean("Gap", help="No guard assigned, or the guard did "
            "not check in."), 'get_gap', searcher='search_gap')

    @classmethod
    def view_attributes(cls):
        # lists colour their rows (PYSON must be encoded by the server)
        return super().view_attributes() + [
            ('/tree', 'visual', If(Eval('gap'), 'danger', ''), ['gap']),
            ]

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('post')
        cls._order = [('start', 'ASC'), ('post', 'ASC'), ('id', 'ASC')]
        cls._buttons.update({
                'check_in': {'invisible': Eval('state') != 'planned',
                    'depends': ['state']},
                'check_out': {'invisible': Eval('state') == 'done',
                    'depends': ['state']},
                })

    @classmethod
    def default_state(cls):
        return 'planned'

    @fields.depends('post', '_parent_post.estate')
    def on_change_with_estate(self, name=None):
        return self.post.estate if self.post else None

    @classmethod
    def search_estate(cls, name, clause):
        return [('post.' + clause[0], *clause[1:])]

    def get_rec_name(self, name):
        return f'{self.post.rec_name} {self.start}'

    def get_attendance(self, name):
        line = (self.check_in_line if name == 'checked_in_at'
            else self.check_out_line)
        return line.at if line else None

    def get_gap(self, name):
        if not self.guard:
            return True
        return (self.state == 'planned' and self.end > now()
            and self.start + NO_SHOW_GRACE < now())

    @classmethod
    def search_gap(cls, name, clause):
        _, operator, value = clause
        at = now()
        gap = ['OR',
            ('guard', '=', None),
            [('state', '=', 'planned'), ('end', '>', at),
                ('start', '<', at - NO_SHOW_GRACE)],
            ]
        if (operator == '=') == bool(value):
            return gap
        return ['AND',
            ('guard', '!=', None),
            ['OR', ('state', '!=', 'planned'), ('end', '<=', at),
                ('start', '>=', at - NO_SHOW_GRACE)],
            ]

    @classmethod
    def validate_fields(cls, shifts, field_names):
        super().validate_fields(shifts, field_names)
        for shift in shifts:
            if shift.end <= shift.start:
                raise DateOrderError(gettext(
                        'property_security.msg_shift_dates',
                        shift=shift.rec_name))

    @classmethod
    def check_modification(cls, mode, shifts, values=None, external=False):
        super().check_modification(
            mode, shifts, values=values, external=external)
        if mode == 'delete':
            for shift in shifts:
                if shift.check_in_line:
                    raise DeleteHistoryError(gettext(
                            'property_security.msg_shift_delete',
                            shift=shift.rec_name))

    def _attendance_line(self, type_, at):
        Line = Pool().get('attendance.line')
        return Line(
            company=self.post.estate.company, employee=self.guard,
            at=at, type=type_)

    def _check_guard(self):
        "Guards check in only for themselves; managers for anyone"
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        User = pool.get('res.user')
        if not self.guard:
            raise ShiftError(gettext(
                    'property_security.msg_shift_no_guard',
                    shift=self.rec_name))
        if not Transaction().check_access:
            return
        manager_groups = {
            ModelData.get_id('property_service', 'group_property_manager'),
            ModelData.get_id('property_service', 'group_property_admin')}
        if (self.guard.id not in user_employees()
                and not (manager_groups & set(User.get_groups()))):
            raise ShiftError(gettext(
                    'property_security.msg_shift_other_guard',
                    shift=self.rec_name))

    @classmethod
    @ModelView.button
    def check_in(cls, shifts):
        Line = Pool().get('attendance.line')
        at = now()
        for shift in shifts:
            shift._check_guard()
            if shift.state != 'planned':
                raise ShiftError(gettext(
                        'property_security.msg_shift_checked_in',
                        shift=shift.rec_name))
        lines = [s._attendance_line('in', at) for s in shifts]
        # the attendance record belongs to the guard; the shift is the
        # access check (attendance's own rule allows only one's own lines)
        with Transaction().set_context(_check_access=False):
            Line.save(lines)
        for shift, line in zip(shifts, lines):
            shift.check_in_line = line
            shift.state = 'on_duty'
        cls.save(shifts)

    @classmethod
    @ModelView.button
    def check_out(cls, shifts):
        Line = Pool().get('attendance.line')
        at = now()
        for shift in shifts:
            shift._check_guard()
            if shift.state != 'on_duty' or not shift.check_in_line:
                raise ShiftError(gettext(
                        'property_security.msg_shift_not_checked_in',
                        shift=shift.rec_name))
            if at < shift.check_in_line.at:
                raise ShiftError(gettext(
                        'property_security.msg_shift_out_before_in',
                        shift=shift.rec_name))
        lines = [s._attendance_line('out', at) for s in shifts]
        with Transaction().set_context(_check_access=False):
            Line.save(lines)
        for shift, line in zip(shifts, lines):
            shift.check_out_line = line
            shift.state = 'done'
        cls.save(shifts)
