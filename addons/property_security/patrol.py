# This file is part of the property service suite. See README.md.
"Patrols (巡更): checkpoints, routes, schedules, rounds and scans"
import datetime as dt

from sql import Literal
from sql.aggregate import Count, Min

from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, ModelSQL, ModelView, Unique, Workflow, fields,
    sequence_ordered)
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.rpc import RPC
from trytond.transaction import Transaction

from .common import local_to_utc, month_of, now, user_employees
from .exceptions import (
    ClosedRecordError, DeleteHistoryError, ScanError, ScheduleError)

WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday',
    'saturday', 'sunday']


class Checkpoint(DeactivableMixin, ModelSQL, ModelView):
    "Patrol checkpoint (巡查点): a place with a QR sticker or NFC tag"
    __name__ = 'property.patrol.checkpoint'
    __string__ = "Patrol Checkpoint"
    estate = fields.Many2One(
        'property.estate', "Estate", required=True, ondelete='RESTRICT')
    code = fields.Char(
        "Code", required=True, strip=True,
        help="The code carried by the QR sticker or NFC tag.")
    name = fields.Char("Name", required=True)
    location = fields.Char("Location")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('code_estate_unique', Unique(t, t.estate, t.code),
                'property_security.msg_checkpoint_code_unique'),
            ]
        cls._order = [('estate', 'ASC'), ('code', 'ASC'), ('id', 'ASC')]

    def get_rec_name(self, name):
        return f'[{self.code}] {self.name}'

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, operand, *extra = clause
        bool_op = 'AND' if operator.startswith('!') or operator.startswith(
            'not ') else 'OR'
        return [bool_op,
            ('code', operator, operand, *extra),
            ('name', operator, operand, *extra),
            ]


class Route(DeactivableMixin, ModelSQL, ModelView):
    "Patrol route (巡更路线): checkpoints visited in order"
    __name__ = 'property.patrol.route'
    __string__ = "Patrol Route"
    estate = fields.Many2One(
        'property.estate', "Estate", required=True, ondelete='RESTRICT')
    name = fields.Char("Name", required=True)
    lines = fields.One2Many(
        'property.patrol.route.line', 'route', "Checkpoints",
        help="The checkpoints in the order a guard visits them.")
    duration = fields.Integer(
        "Duration (min)", required=True,
        help="Minutes a round of this route is planned to take.")
    tolerance = fields.Integer(
        "Tolerance (min)", required=True,
        help="Minutes a scan may come after the checkpoint's expected "
        "time before it counts as late.")
    schedules = fields.One2Many(
        'property.patrol.schedule', 'route', "Schedules")

    @classmethod
    def __setup__(cls):
        super().__setup__()

    @classmethod
    def default_duration(cls):
        return 60

    @classmethod
    def default_tolerance(cls):
        return 10

    @classmethod
    def validate_fields(cls, routes, field_names):
        super().validate_fields(routes, field_names)
        for route in routes:
            if (route.duration or 0) <= 0 or (route.tolerance or 0) < 0:
                raise ScheduleError(gettext(
                        'property_security.msg_route_duration',
                        route=route.rec_name))

    @classmethod
    def check_modification(cls, mode, routes, values=None, external=False):
        super().check_modification(
            mode, routes, values=values, external=external)
        if mode == 'delete':
            Round = Pool().get('property.patrol.round')
            if Round.search([('route', 'in', [r.id for r in routes])],
                    limit=1):
                raise DeleteHistoryError(gettext(
                        'property_security.msg_route_delete_used'))


class RouteLine(sequence_ordered(), ModelSQL, ModelView):
    "A checkpoint of a route with its expected time from the round start"
    __name__ = 'property.patrol.route.line'
    __string__ = "Patrol Route Checkpoint"
    route = fields.Many2One(
        'property.patrol.route', "Route", required=True, ondelete='CASCADE')
    checkpoint = fields.Many2One(
        'property.patrol.checkpoint', "Checkpoint", required=True,
        ondelete='RESTRICT',
        domain=[('estate', '=', Eval('_parent_route.estate', -1))])
    offset = fields.Integer(
        "Expected After (min)", required=True,
        help="Minutes after the round start the guard is expected here.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('route')

    @classmethod
    def default_offset(cls):
        return 0

    def get_rec_name(self, name):
        return self.checkpoint.rec_name


class Schedule(DeactivableMixin, ModelSQL, ModelView):
    "When rounds of a route are planned (times of day, days of week)"
    __name__ = 'property.patrol.schedule'
    __string__ = "Patrol Schedule"
    route = fields.Many2One(
        'property.patrol.route', "Route", required=True, ondelete='CASCADE')
    estate = fields.Function(
        fields.Many2One('property.estate', "Estate"),
        'on_change_with_estate', searcher='search_estate')
    time = fields.Time("Start Time", required=True, help="Local time.")
    guard = fields.Many2One(
        'company.employee', "Guard",
        help="The guard the generated rounds are assigned to.")
    monday = fields.Boolean("Monday")
    tuesday = fields.Boolean("Tuesday")
    wednesday = fields.Boolean("Wednesday")
    thursday = fields.Boolean("Thursday")
    friday = fields.Boolean("Friday")
    saturday = fields.Boolean("Saturday")
    sunday = fields.Boolean("Sunday")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('route')
        cls._order = [('route', 'ASC'), ('time', 'ASC'), ('id', 'ASC')]

    @classmethod
    def _default_day(cls):
        return True
    default_monday = default_tuesday = default_wednesday = _default_day
    default_thursday = default_friday = _default_day
    default_saturday = default_sunday = _default_day

    @fields.depends('route', '_parent_route.estate')
    def on_change_with_estate(self, name=None):
        return self.route.estate if self.route else None

    @classmethod
    def search_estate(cls, name, clause):
        return [('route.' + clause[0], *clause[1:])]

    def get_rec_name(self, name):
        return f'{self.route.rec_name} {self.time.strftime("%H:%M")}'

    def runs_on(self, date):
        return getattr(self, WEEKDAYS[date.weekday()])

    @classmethod
    def generate_rounds(cls, date=None, days=2):
        """Create the rounds of the active schedules from `date` for `days`
        days; rounds already generated are kept (idempotent)."""
        pool = Pool()
        Round = pool.get('property.patrol.round')
        Date = pool.get('ir.date')
        if date is None:
            date = Date.today()
        schedules = cls.search([('route.active', '=', True)])
        existing = set()
        for round_ in Round.search([
                    ('schedule', 'in', [s.id for s in schedules]),
                    ('planned_date', '>=', date),
                    ('planned_date', '<', date + dt.timedelta(days=days)),
                    ]):
            existing.add((round_.schedule.id, round_.planned_date))
        to_create = []
        for schedule in schedules:
            for day in range(days):
                day = date + dt.timedelta(days=day)
                if (not schedule.runs_on(day)
                        or (schedule.id, day) in existing):
                    continue
                to_create.append(schedule.get_round(day))
        Round.save(to_create)
        return to_create

    def get_round(self, date):
        Round = Pool().get('property.patrol.round')
        route = self.route
        start = local_to_utc(route.estate.company, date, self.time)
        return Round(
            route=route, estate=route.estate, schedule=self,
            guard=self.guard, planned_date=date, planned_start=start,
            planned_end=start + dt.timedelta(minutes=route.duration))


_closed = Eval('state').in_(['done', 'cancelled'])


class Round(Workflow, ModelSQL, ModelView):
    "Patrol round (巡更记录): one walk of a route by a guard"
    __name__ = 'property.patrol.round'
    __string__ = "Patrol Round"
    estate = fields.Many2One(
        'property.estate', "Estate", required=True, ondelete='RESTRICT',
        states={'readonly': Eval('id', -1) >= 0})
    route = fields.Many2One(
        'property.patrol.route', "Route", required=True, ondelete='RESTRICT',
        domain=[('estate', '=', Eval('estate', -1))],
        states={'readonly': Eval('id', -1) >= 0})
    schedule = fields.Many2One(
        'property.patrol.schedule', "Schedule", readonly=True,
        ondelete='RESTRICT')
    guard = fields.Many2One(
        'company.employee', "Guard", states={'readonly': _closed})
    planned_date = fields.Date("Date", required=True, readonly=True)
    planned_start = fields.DateTime(
        "Planned Start", required=True, states={'readonly': _closed})
    planned_end = fields.DateTime(
        "Planned End", required=True, states={'readonly': _closed},
        domain=[('planned_end', '>', Eval('planned_start'))])
    month = fields.Char("Month", readonly=True)
    started_at = fields.DateTime("Started At", readonly=True)
    closed_at = fields.DateTime("Closed At", readonly=True)
    lines = fields.One2Many(
        'property.patrol.round.line', 'round', "Checkpoints", readonly=True)
    scans = fields.One2Many(
        'property.patrol.scan', 'round', "Scans", readonly=True,
        order=[('at', 'ASC'), ('id', 'ASC')])
    followups = fields.One2Many(
        'property.security.followup', 'origin', "Follow-ups", readonly=True)
    notes = fields.Text("Notes", states={'readonly': _closed})
    state = fields.Selection([
            ('planned', "Planned"),
            ('in_progress', "In Progress"),
            ('done', "Closed"),
            ('cancelled', "Cancelled"),
            ], "State", required=True, readonly=True, sort=False)
    checkpoint_count = fields.Function(
        fields.Integer("Checkpoints"), 'get_figures')
    compliant_count = fields.Function(
        fields.Integer("Compliant"), 'get_figures')
    missed_count = fields.Function(fields.Integer("Missed"), 'get_figures')
    late_count = fields.Function(fields.Integer("Late"), 'get_figures')
    out_of_order_count = fields.Function(
        fields.Integer("Out of Order"), 'get_figures')
    compliance = fields.Function(
        fields.Float("Compliance", digits=(1, 4)), 'get_figures')

    @classmethod
    def view_attributes(cls):
        # lists colour their rows (PYSON must be encoded by the server)
        return super().view_attributes() + [
            ('/tree', 'visual', If(Eval('missed_count', 0) > 0,
                    'danger', ''), ['missed_count']),
            ]

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('planned_start', 'DESC'), ('id', 'DESC')]

        cls._transitions |= {
            ('planned', 'in_progress'),
            ('planned', 'done'),
            ('in_progress', 'done'),
            ('planned', 'cancelled'),
            ('done', 'in_progress'),
            }
        cls._buttons.update({
                'start': {'invisible': Eval('state') != 'planned',
                    'depends': ['state']},
                'close': {
                    'invisible': ~Eval('state').in_(
                        ['planned', 'in_progress']),
                    'depends': ['state']},
                'cancel': {'invisible': Eval('state') != 'planned',
                    'depends': ['state']},
                'reopen': {'invisible': Eval('state') != 'done',
                    'depends': ['state']},
                })
        cls.__rpc__.update({
                'scan': RPC(readonly=False, check_access=True),
                'report_anomaly': RPC(readonly=False, check_access=True),
                })

    @classmethod
    def default_state(cls):
        return 'planned'

    @classmethod
    def default_estate(cls):
        return Transaction().context.get('estate')

    @fields.depends('route', 'planned_start')
    def on_change_route(self):
        if self.route and self.planned_start:
            self.planned_end = self.planned_start + dt.timedelta(
                minutes=self.route.duration)

    def get_rec_name(self, name):
        return '%s @ %s' % (self.route.rec_name, self.planned_start)

    def compute_fields(self, field_names=None):
        values = super().compute_fields(field_names=field_names)
        if field_names is None or {'planned_start', 'estate'} & field_names:
            if self.planned_start and self.estate:
                month = month_of(self.estate.company, self.planned_start)
                if getattr(self, 'month', None) != month:
                    values['month'] = month
        return values

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if mode == 'create' and not values.get('planned_date') and (
                values.get('planned_start')):
            values['planned_date'] = values['planned_start'].date()
        return values

    @classmethod
    def get_figures(cls, rounds, names):
        result = {n: {} for n in names}
        for round_ in rounds:
            lines = round_.lines
            total = len(lines)
            compliant = sum(1 for l in lines if l.compliant)
            figures = {
                'checkpoint_count': total,
                'compliant_count': compliant,
                'missed_count': sum(1 for l in lines if l.status == 'missed'),
                'late_count': sum(1 for l in lines if l.status == 'late'),
                'out_of_order_count': sum(1 for l in lines if l.out_of_order),
                'compliance': compliant / total if total else None,
                }
            for name in names:
                result[name][round_.id] = figures[name]
        return result

    @classmethod
    def on_modification(cls, mode, rounds, field_names=None):
        super().on_modification(mode, rounds, field_names=field_names)
        if mode == 'create':
            # the round keeps its own copy of the route's checkpoints so a
            # later change of the route does not rewrite history
            Line = Pool().get('property.patrol.round.line')
            Line.save([Line(round=r, sequence=i,
                        checkpoint=l.checkpoint, offset=l.offset)
                    for r in rounds
                    for i, l in enumerate(r.route.lines, 1)])

    @classmethod
    def check_modification(cls, mode, rounds, values=None, external=False):
        super().check_modification(
            mode, rounds, values=values, external=external)
        if mode == 'delete':
            for round_ in rounds:
                if round_.state != 'planned' or round_.scans:
                    raise DeleteHistoryError(gettext(
                            'property_security.msg_round_delete',
                            round=round_.rec_name))
        elif mode == 'write' and not Transaction().context.get(
                '_patrol_reopen'):
            for round_ in rounds:
                if round_.state == 'done':
                    raise ClosedRecordError(gettext(
                            'property_security.msg_round_closed',
                            round=round_.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('in_progress')
    def start(cls, rounds):
        cls.write([r for r in rounds if not r.started_at],
            {'started_at': now()})

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, rounds):
        pass

    @classmethod
    @ModelView.button
    def reopen(cls, rounds):
        "Only security managers reopen a closed round (ir.model.button)"
        with Transaction().set_context(_patrol_reopen=True):
            cls._reopen(rounds)

    @classmethod
    @Workflow.transition('in_progress')
    def _reopen(cls, rounds):
        cls.write(rounds, {'closed_at': None})

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    def close(cls, rounds):
        """Close rounds: unscanned checkpoints are missed and a follow-up
        is opened for each round that has a missed checkpoint"""
        pool = Pool()
        # fresh records: cached lines may predate the latest scans
        rounds = cls.browse([r.id for r in rounds])
        Line = pool.get('property.patrol.round.line')
        Followup = pool.get('property.security.followup')
        pending = [l for r in rounds for l in r.lines if l.status == 'pending']
        Line.write(pending, {'status': 'missed'})
        followups = []
        for round_ in rounds:
            missed = [l for l in round_.lines
                if l.status in {'pending', 'missed'}]
            if not missed:
                continue
            followups.append(Followup(
                    estate=round_.estate, kind='patrol', origin=round_,
                    name=gettext('property_security.msg_followup_missed',
                        round=round_.rec_name),
                    description='\n'.join(
                        l.checkpoint.rec_name for l in missed),
                    deadline=round_.planned_date + dt.timedelta(days=1)))
        Followup.save(followups)
        cls.write(list(rounds), {'closed_at': now()})

    @classmethod
    def close_overdue(cls):
        "Cron: close the rounds whose window ended (plus tolerance)"
        limit = now() - dt.timedelta(hours=1)
        rounds = cls.search([
                ('state', 'in', ['planned', 'in_progress']),
                ('planned_end', '<', limit),
                ])
        cls.close(rounds)

    @classmethod
    def _find_round(cls, code, round_id):
        pool = Pool()
        Employee = pool.get('company.employee')
        if round_id is not None:
            round_, = cls.browse([int(round_id)])
            # read through the record rules: another estate's round fails
            cls.read([round_.id], ['state'])
            return round_
        employees = user_employees()
        at = now()
        rounds = cls.search([
                ('state', 'in', ['planned', 'in_progress']),
                ('guard', 'in', employees),
                ('planned_start', '<=', at + dt.timedelta(hours=1)),
                ('lines.checkpoint.code', '=', code),
                ], order=[('planned_start', 'ASC')])
        for round_ in rounds:
            if round_.planned_end >= at - dt.timedelta(hours=1):
                return round_
        if rounds:
            return rounds[-1]
        raise ScanError(gettext('property_security.msg_scan_no_round',
                code=code, guard=', '.join(
                    e.rec_name for e in Employee.browse(employees))))

    @classmethod
    def scan(cls, code, round_id=None):
        """Record the scan of checkpoint `code` by the calling guard.

        Called by a phone through JSON-RPC with the guard's own session
        (model.property.patrol.round.scan). Without `round_id` the guard's
        open round that contains the checkpoint is used. A scan outside the
        round's window is recorded as late, never refused."""
        pool = Pool()
        Scan = pool.get('property.patrol.scan')
        code = (code or '').strip()
        round_ = cls._find_round(code, round_id)
        if round_.state not in {'planned', 'in_progress'}:
            raise ScanError(gettext('property_security.msg_scan_round_state',
                    round=round_.rec_name))
        line = round_.line_for(code)
        if line is None:
            raise ScanError(gettext(
                    'property_security.msg_scan_not_on_route',
                    code=code, route=round_.route.rec_name))
        if round_.state == 'planned':
            cls.start([round_])
        scan = Scan(round=round_, line=line, code=code, at=now(),
            employee=(user_employees() or [None])[0])
        scan.save()
        scan = Scan(scan.id)
        round_ = cls(round_.id)
        return {
            'round': round_.id,
            'scan': scan.id,
            'checkpoint': line.checkpoint.rec_name,
            'status': scan.status,
            'out_of_order': bool(scan.out_of_order),
            'outside_window': bool(scan.outside_window),
            'remaining': sum(1 for l in round_.lines
                if l.status == 'pending'),
            }

    @classmethod
    def report_anomaly(cls, code, description, round_id=None, photo=None):
        """An anomaly seen on the spot (RPC for the phone): opens a
        follow-up at once, attached to the round"""
        pool = Pool()
        Followup = pool.get('property.security.followup')
        Date = pool.get('ir.date')
        round_ = cls._find_round((code or '').strip(), round_id)
        line = round_.line_for(code)
        followup = Followup(
            estate=round_.estate, kind='patrol', origin=round_,
            name=gettext('property_security.msg_followup_anomaly',
                checkpoint=line.checkpoint.rec_name if line else code),
            description=description, photo=photo,
            deadline=Date.today() + dt.timedelta(days=1))
        followup.save()
        return followup.id

    def line_for(self, code):
        for line in self.lines:
            if line.checkpoint.code == code:
                return line


class RoundLine(ModelSQL, ModelView):
    "The state of one checkpoint in one round"
    __name__ = 'property.patrol.round.line'
    __string__ = "Patrol Round Checkpoint"
    round = fields.Many2One(
        'property.patrol.round', "Round", required=True, ondelete='CASCADE')
    sequence = fields.Integer("Sequence", readonly=True)
    checkpoint = fields.Many2One(
        'property.patrol.checkpoint', "Checkpoint", required=True,
        readonly=True, ondelete='RESTRICT')
    offset = fields.Integer("Expected After (min)", readonly=True)
    expected_at = fields.Function(
        fields.DateTime("Expected At"), 'get_expected_at')
    scanned_at = fields.DateTime("Scanned At", readonly=True)
    status = fields.Selection([
            ('pending', "Pending"),
            ('ok', "On Time"),
            ('late', "Late"),
            ('missed', "Missed"),
            ], "Status", required=True, readonly=True, sort=False)
    out_of_order = fields.Boolean("Out of Order", readonly=True)
    compliant = fields.Function(fields.Boolean("Compliant"), 'get_compliant')

    @classmethod
    def view_attributes(cls):
        # lists colour their rows (PYSON must be encoded by the server)
        return super().view_attributes() + [
            ('/tree', 'visual', If(Eval('status') == 'missed', 'danger',
                    If(Eval('status') == 'late', 'warning', '')), ['status']),
            ]

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('round')
        cls._order = [('round', 'ASC'), ('sequence', 'ASC'), ('id', 'ASC')]


    @classmethod
    def default_status(cls):
        return 'pending'

    @classmethod
    def default_out_of_order(cls):
        return False

    def get_expected_at(self, name):
        return self.round.planned_start + dt.timedelta(
            minutes=self.offset or 0)

    def get_compliant(self, name):
        return self.status == 'ok' and not self.out_of_order

    def get_rec_name(self, name):
        return self.checkpoint.rec_name

    @classmethod
    def check_modification(cls, mode, lines, values=None, external=False):
        super().check_modification(
            mode, lines, values=values, external=external)
        if mode in {'write', 'delete'}:
            for line in lines:
                if line.round.state == 'done':
                    raise ClosedRecordError(gettext(
                            'property_security.msg_round_closed',
                            round=line.round.rec_name))


class Scan(ModelSQL, ModelView):
    "A checkpoint scan as the phone sent it; never changed afterwards"
    __name__ = 'property.patrol.scan'
    __string__ = "Patrol Scan"
    round = fields.Many2One(
        'property.patrol.round', "Round", required=True, ondelete='RESTRICT',
        readonly=True)
    line = fields.Many2One(
        'property.patrol.round.line', "Checkpoint", required=True,
        readonly=True, ondelete='RESTRICT',
        domain=[('round', '=', Eval('round', -1))])
    code = fields.Char("Code", required=True, readonly=True)
    at = fields.DateTime("At", required=True, readonly=True)
    employee = fields.Many2One(
        'company.employee', "Scanned By", readonly=True)
    status = fields.Selection([
            (None, ""),
            ('ok', "On Time"),
            ('late', "Late"),
            ('repeat', "Repeated"),
            ], "Status", readonly=True)
    out_of_order = fields.Boolean("Out of Order", readonly=True)
    outside_window = fields.Boolean("Outside Window", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('round')
        cls._order = [('at', 'DESC'), ('id', 'DESC')]


    @classmethod
    def check_modification(cls, mode, scans, values=None, external=False):
        super().check_modification(
            mode, scans, values=values, external=external)
        if mode == 'delete' or (mode == 'write' and external):
            raise ClosedRecordError(gettext(
                    'property_security.msg_scan_immutable'))
        if mode == 'create':
            for scan in scans:
                if scan.round.state == 'done':
                    raise ClosedRecordError(gettext(
                            'property_security.msg_round_closed',
                            round=scan.round.rec_name))

    @classmethod
    def on_modification(cls, mode, scans, field_names=None):
        super().on_modification(mode, scans, field_names=field_names)
        if mode == 'create':
            cls.evaluate(scans)

    @classmethod
    def evaluate(cls, scans):
        """Classify the scans in time order and update their checkpoints;
        one write per model for the whole batch"""
        pool = Pool()
        Line = pool.get('property.patrol.round.line')
        Round = pool.get('property.patrol.round')
        rounds = Round.browse(list({s.round.id for s in scans}))
        lines = {r.id: r.lines for r in rounds}
        status = {l.id: l.status for r in rounds for l in r.lines}
        rounds = {r.id: r for r in rounds}
        line_args, scan_args = [], []
        for scan in sorted(scans, key=lambda s: (s.at, s.id)):
            round_ = rounds[scan.round.id]
            line = scan.line
            outside = not (round_.planned_start <= scan.at
                <= round_.planned_end)
            expected = round_.planned_start + dt.timedelta(
                minutes=(line.offset or 0) + round_.route.tolerance)
            values = {'outside_window': outside}
            if status[line.id] != 'pending':
                values.update(status='repeat', out_of_order=False)
            else:
                # a checkpoint after this one already scanned: out of order
                later = any(l.sequence > line.sequence
                    and status[l.id] != 'pending'
                    for l in lines[round_.id])
                status[line.id] = (
                    'late' if outside or scan.at > expected else 'ok')
                values.update(status=status[line.id], out_of_order=later)
                line_args.extend(([Line(line.id)], {
                            'status': status[line.id],
                            'scanned_at': scan.at,
                            'out_of_order': later,
                            }))
            scan_args.extend(([scan], values))
        if line_args:
            Line.write(*line_args)
        cls.write(*scan_args)


class Compliance(ModelSQL, ModelView):
    "Patrol compliance (巡更合格率) per route, guard and month"
    __name__ = 'property.patrol.compliance'
    __string__ = "Patrol Compliance"
    estate = fields.Many2One('property.estate', "Estate", readonly=True)
    route = fields.Many2One('property.patrol.route', "Route", readonly=True)
    guard = fields.Many2One('company.employee', "Guard", readonly=True)
    month = fields.Char("Month", readonly=True)
    rounds = fields.Integer("Rounds", readonly=True)
    checkpoints = fields.Integer("Checkpoints", readonly=True)
    compliant = fields.Integer("Compliant", readonly=True)
    late = fields.Integer("Late", readonly=True)
    missed = fields.Integer("Missed", readonly=True)
    out_of_order = fields.Integer("Out of Order", readonly=True)
    rate = fields.Function(
        fields.Float("Compliance Rate", digits=(1, 4)), 'get_rate')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('month', 'DESC'), ('route', 'ASC'), ('guard', 'ASC'),
            ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        pool = Pool()
        round_ = pool.get('property.patrol.round').__table__()
        line = pool.get('property.patrol.round.line').__table__()
        in_order = line.out_of_order == Literal(False)
        return line.join(round_, condition=line.round == round_.id).select(
            Min(line.id).as_('id'),
            round_.estate.as_('estate'),
            round_.route.as_('route'),
            round_.guard.as_('guard'),
            round_.month.as_('month'),
            Count(round_.id, distinct=True).as_('rounds'),
            Count(line.id).as_('checkpoints'),
            Count(line.id, filter_=(line.status == 'ok') & in_order).as_(
                'compliant'),
            Count(line.id, filter_=line.status == 'late').as_('late'),
            Count(line.id, filter_=line.status == 'missed').as_('missed'),
            Count(line.id, filter_=~in_order).as_('out_of_order'),
            where=round_.state == 'done',
            group_by=[round_.estate, round_.route, round_.guard,
                round_.month])

    def get_rate(self, name):
        if self.checkpoints:
            return self.compliant / self.checkpoints
