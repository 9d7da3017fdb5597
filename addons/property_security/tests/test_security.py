# This file is part of the property service suite. See README.md.
"""Rules of patrols, drills, shifts and visitors at fixed times (the
private context key _security_now stands in for the clock)."""
import datetime as dt
from contextlib import contextmanager

from trytond.exceptions import UserError
from trytond.model.exceptions import ValidationError
from trytond.modules.company.tests import (
    create_company, create_employee, set_company)
from trytond.pool import Pool
from trytond.tests.test_tryton import _DBTestCase, with_transaction
from trytond.transaction import Transaction

NIGHT = dt.datetime(2026, 11, 20, 22, 0)


@contextmanager
def at(moment):
    with Transaction().set_context(_security_now=moment):
        yield


class SecurityTestCase(_DBTestCase):
    "Test security operations"
    module = 'property_security'

    def _estate(self):
        pool = Pool()
        Estate = pool.get('property.estate')
        Checkpoint = pool.get('property.patrol.checkpoint')
        Route = pool.get('property.patrol.route')
        self.company = create_company()
        self.guard = create_employee(self.company, name="张伟")
        estate, = Estate.create([{
                    'company': self.company.id, 'code': 'YG',
                    'name': "阳光花园"}])
        checkpoints = Checkpoint.create([{
                    'estate': estate.id, 'code': f'CP{i}',
                    'name': f"点{i}"} for i in range(1, 6)])
        route, = Route.create([{
                    'estate': estate.id, 'name': "夜巡", 'duration': 60,
                    'tolerance': 5,
                    'lines': [('create', [{
                                    'checkpoint': c.id, 'offset': i * 10,
                                    'sequence': i}
                                for i, c in enumerate(checkpoints[:4])])],
                    }])
        return estate, route, checkpoints

    def _round(self, estate, route):
        Round = Pool().get('property.patrol.round')
        round_, = Round.create([{
                    'estate': estate.id, 'route': route.id,
                    'guard': self.guard.id, 'planned_start': NIGHT,
                    'planned_end': NIGHT + dt.timedelta(hours=1)}])
        return round_

    @with_transaction()
    def test_night_round_late_out_of_order_missed(self):
        "A night round: on time, out of order, late, outside, missed"
        pool = Pool()
        Round = pool.get('property.patrol.round')
        Followup = pool.get('property.security.followup')
        estate, route, _ = self._estate()
        round_ = self._round(estate, route)
        with at(NIGHT + dt.timedelta(minutes=2)):
            result = Round.scan('CP1', round_.id)
        self.assertEqual((result['status'], result['out_of_order']),
            ('ok', False))
        with at(NIGHT + dt.timedelta(minutes=21)):
            result = Round.scan('CP3', round_.id)
        self.assertEqual((result['status'], result['out_of_order']),
            ('ok', False))
        # CP2 after CP3: out of order; expected at +10 with 5 min
        # tolerance: late at +24
        with at(NIGHT + dt.timedelta(minutes=24)):
            result = Round.scan('CP2', round_.id)
        self.assertEqual((result['status'], result['out_of_order']),
            ('late', True))
        # a repeated scan is kept but changes nothing
        with at(NIGHT + dt.timedelta(minutes=25)):
            result = Round.scan('CP2', round_.id)
        self.assertEqual(result['status'], 'repeat')
        # CP5 exists in the estate but is not on the route: refused
        with at(NIGHT + dt.timedelta(minutes=26)):
            with self.assertRaises(UserError):
                Round.scan('CP5', round_.id)
        Round.close([round_])
        round_ = Round(round_.id)
        self.assertEqual(
            [(l.checkpoint.code, l.status, bool(l.out_of_order))
                for l in round_.lines],
            [('CP1', 'ok', False), ('CP2', 'late', True),
                ('CP3', 'ok', False), ('CP4', 'missed', False)])
        self.assertEqual(len(round_.scans), 4)
        self.assertEqual(round_.compliance, 0.5)
        self.assertEqual(
            (round_.missed_count, round_.late_count,
                round_.out_of_order_count), (1, 1, 1))
        followup, = Followup.search([('origin', '=', str(round_))])
        self.assertEqual(followup.description, '[CP4] 点4')

    @with_transaction()
    def test_scan_outside_window_recorded_late(self):
        "A scan after the round's window is recorded as late, not refused"
        Round = Pool().get('property.patrol.round')
        estate, route, _ = self._estate()
        round_ = self._round(estate, route)
        with at(NIGHT + dt.timedelta(hours=2)):
            result = Round.scan('CP1', round_.id)
        self.assertEqual(result['status'], 'late')
        self.assertTrue(result['outside_window'])
        self.assertEqual(Round(round_.id).state, 'in_progress')

    @with_transaction()
    def test_scan_finds_guards_round(self):
        "Without a round id the guard's open round with the code is used"
        pool = Pool()
        Round = pool.get('property.patrol.round')
        User = pool.get('res.user')
        estate, route, _ = self._estate()
        round_ = self._round(estate, route)
        user, = User.create([{'name': "张伟", 'login': 'zw',
                    'companies': [('add', [self.company.id])],
                    'company': self.company.id,
                    'employees': [('add', [self.guard.id])],
                    'employee': self.guard.id}])
        with Transaction().set_user(user.id), at(NIGHT):
            self.assertEqual(Round.scan('CP1')['round'], round_.id)
            with self.assertRaises(UserError):
                Round.scan('CP5')
        with at(NIGHT):
            # the administrator is no guard of any round
            with self.assertRaises(UserError):
                Round.scan('CP1')

    @with_transaction()
    def test_closed_round_refuses_scans(self):
        "A closed round takes no more scans"
        Round = Pool().get('property.patrol.round')
        estate, route, _ = self._estate()
        round_ = self._round(estate, route)
        Round.close([round_])
        with at(NIGHT):
            with self.assertRaises(UserError):
                Round.scan('CP1', round_.id)

    @with_transaction()
    def test_schedule_generates_rounds_once(self):
        "The cron generates a round per active weekday, never twice"
        pool = Pool()
        Schedule = pool.get('property.patrol.schedule')
        Round = pool.get('property.patrol.round')
        estate, route, _ = self._estate()
        Schedule.create([{
                    'route': route.id, 'time': dt.time(22, 0),
                    'guard': self.guard.id, 'sunday': False}])
        friday = dt.date(2026, 11, 20)
        Schedule.generate_rounds(friday, days=3)
        Schedule.generate_rounds(friday, days=3)
        rounds = Round.search([], order=[('planned_start', 'ASC')])
        self.assertEqual([r.planned_start for r in rounds], [
                dt.datetime(2026, 11, 20, 22), dt.datetime(2026, 11, 21, 22)])
        self.assertEqual(len(rounds[0].lines), 4)
        self.assertEqual(rounds[0].month, '2026-11')

    @with_transaction()
    def test_round_end_before_start_refused(self):
        "A round cannot end before it starts"
        Round = Pool().get('property.patrol.round')
        estate, route, _ = self._estate()
        with self.assertRaises(ValidationError):
            Round.create([{
                        'estate': estate.id, 'route': route.id,
                        'planned_start': NIGHT,
                        'planned_end': NIGHT - dt.timedelta(hours=1)}])

    @with_transaction()
    def test_route_duration_positive(self):
        "A route needs a positive duration"
        Route = Pool().get('property.patrol.route')
        estate, route, _ = self._estate()
        with self.assertRaises(ValidationError):
            Route.write([route], {'duration': 0})

    @with_transaction()
    def test_drill_plan_overdue(self):
        "The yearly plan counts held and overdue drills"
        pool = Pool()
        Plan = pool.get('property.drill.plan')
        Drill = pool.get('property.drill')
        Date = pool.get('ir.date')
        estate, _, _ = self._estate()
        today = Date.today()
        plan, = Plan.create([{
                    'estate': estate.id, 'year': today.year}])
        past, future, held = Drill.create([{
                    'plan': plan.id, 'estate': estate.id, 'name': name,
                    'type': type_, 'planned_date': date,
                    } for name, type_, date in [
                    ("消防疏散", 'fire_evacuation',
                        today - dt.timedelta(days=3)),
                    ("防汛", 'flood', today + dt.timedelta(days=30)),
                    ("电梯困人", 'elevator_entrapment',
                        today - dt.timedelta(days=10)),
                    ]])
        with self.assertRaises(UserError):
            Drill.hold([held])  # no participants
        Drill.write([held], {'participants': [('add', [self.guard.id])],
                'evaluation': "疏散用时过长"})
        Drill.hold([held])
        with self.assertRaises(UserError):
            Drill.delete([held])
        Drill.add_followup([held])
        plan = Plan(plan.id)
        self.assertEqual(
            (plan.planned_count, plan.held_count, plan.overdue_count),
            (3, 1, 1))
        self.assertEqual(Drill.search([('overdue', '=', True)]), [past])
        self.assertEqual(len(Drill(held.id).followups), 1)

    @with_transaction()
    def test_shift_check_in_out_with_attendance(self):
        "Shifts check in and out through attendance; gaps are flagged"
        pool = Pool()
        Post = pool.get('property.guard.post')
        Shift = pool.get('property.guard.shift')
        Attendance = pool.get('attendance.line')
        estate, _, _ = self._estate()
        post, = Post.create([{
                    'estate': estate.id, 'code': 'G1', 'name': "东门岗"}])
        shift, empty = Shift.create([{
                    'post': post.id, 'guard': guard, 'start': NIGHT,
                    'end': NIGHT + dt.timedelta(hours=8),
                    } for guard in [self.guard.id, None]])
        with at(NIGHT + dt.timedelta(minutes=30)):
            self.assertEqual(
                Shift.search([('gap', '=', True)]), [shift, empty])
            with self.assertRaises(UserError):
                Shift.check_out([shift])  # not checked in
            with self.assertRaises(UserError):
                Shift.check_in([empty])  # nobody assigned
            with set_company(self.company):
                Shift.check_in([shift])
            self.assertEqual(Shift.search([('gap', '=', True)]), [empty])
        with at(NIGHT + dt.timedelta(minutes=10)), \
                self.assertRaises(UserError):
            Shift.check_out([Shift(shift.id)])  # before the check-in
        with at(NIGHT + dt.timedelta(hours=8)):
            Shift.check_out([Shift(shift.id)])
        shift = Shift(shift.id)
        self.assertEqual(shift.state, 'done')
        self.assertEqual(
            [(l.type, l.at) for l in Attendance.search(
                    [('employee', '=', self.guard.id)],
                    order=[('at', 'ASC')])],
            [('in', NIGHT + dt.timedelta(minutes=30)),
                ('out', NIGHT + dt.timedelta(hours=8))])
        with self.assertRaises(ValidationError):
            Shift.create([{'post': post.id, 'start': NIGHT,
                        'end': NIGHT - dt.timedelta(hours=1)}])

    @with_transaction()
    def test_visitor_pass_rules(self):
        "Masked ID, expired pass, check-out before check-in, overstay"
        Visitor = Pool().get('property.visitor')
        estate, _, _ = self._estate()
        with at(NIGHT):
            visitor, = Visitor.create([{
                        'estate': estate.id, 'name': "李明",
                        'id_number': 'E12345678',
                        'valid_from': NIGHT,
                        'valid_to': NIGHT + dt.timedelta(hours=2)}])
        self.assertEqual(visitor.id_number, '*****5678')
        Visitor.write([visitor], {'id_number': '330102199001011234'})
        self.assertEqual(visitor.id_number, '**************1234')
        with at(NIGHT + dt.timedelta(minutes=5)):
            with self.assertRaises(UserError):
                Visitor.do_check_out([visitor])
            Visitor.check_in_pass(estate.id, visitor.pass_code)
        with at(NIGHT + dt.timedelta(hours=3)):
            self.assertTrue(Visitor(visitor.id).overstay)
            self.assertEqual(
                Visitor.search([('overstay', '=', True)]), [visitor])
        with at(NIGHT + dt.timedelta(hours=1)):
            self.assertEqual(Visitor.search([('overstay', '=', True)]), [])
        late, = Visitor.create([{
                    'estate': estate.id, 'name': "王五",
                    'valid_from': NIGHT,
                    'valid_to': NIGHT + dt.timedelta(hours=1)}])
        with at(NIGHT + dt.timedelta(hours=2)):
            with self.assertRaises(UserError):
                Visitor.check_in_pass(estate.id, late.pass_code)
            with self.assertRaises(UserError):
                Visitor.check_in_pass(estate.id, 'nope')
        self.assertEqual(Visitor(late.id).state, 'expected')
        with self.assertRaises(UserError):
            Visitor.delete([visitor])

    @with_transaction()
    def test_incident_rules(self):
        "Incidents: no future time, handling needed to close, kept"
        Incident = Pool().get('property.incident')
        estate, _, _ = self._estate()
        with at(NIGHT):
            with self.assertRaises(UserError):
                Incident.create([{
                            'estate': estate.id, 'type': 'theft',
                            'name': "x", 'place': "x",
                            'occurred_at': NIGHT + dt.timedelta(hours=1)}])
            incident, = Incident.create([{
                        'estate': estate.id, 'type': 'theft',
                        'severity': 'low', 'name': "电动车被盗",
                        'place': "2号楼车棚", 'occurred_at': NIGHT}])
            Incident.report([incident])
            self.assertIsNone(incident.escalated_at)
            with self.assertRaises(UserError):
                Incident.close([incident])
            with self.assertRaises(UserError):
                Incident.delete([incident])
        self.assertEqual(Incident(incident.id).month, '2026-11')

    @with_transaction()
    def test_escalation_without_manager_reaches_admins(self):
        "Without an estate manager, administrators are notified"
        pool = Pool()
        Incident = pool.get('property.incident')
        Notification = pool.get('res.notification')
        estate, _, _ = self._estate()
        with at(NIGHT):
            incident, = Incident.create([{
                        'estate': estate.id, 'type': 'fire',
                        'severity': 'critical', 'name': "配电房起火",
                        'place': "配电房", 'occurred_at': NIGHT}])
            Incident.report([incident])
        self.assertTrue(Notification.search([
                    ('model', '=', 'property.incident'),
                    ('user', '=', 1)]))
        self.assertEqual(Incident(incident.id).escalated_at, NIGHT)


del _DBTestCase
