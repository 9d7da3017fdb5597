# This file is part of the property service suite. See README.md.
"""Demo security operations of the demo company (run by data/demo.py):
checkpoints, routes and schedules, three months of closed patrol rounds
with realistic misses, late and out-of-order scans, safety inspections with
defects and rectifications, the year's drill plan, incidents (two
escalated), visitors and a two-week guard roster with attendance.

Deterministic (seeded like data/demo.py); does nothing if the demo
company already has checkpoints."""
import datetime as dt
import random
import time
from collections import Counter

MODULE = 'property_security'
COMPANY_NAME = '安居物业服务有限公司'
DAYS = 91

CHECKPOINTS = [
    ('CP01', '东门岗亭', '东门'),
    ('CP02', '地下车库B1', '车库入口'),
    ('CP03', '配电房', '地下一层'),
    ('CP04', '中心花园', '景观水池旁'),
    ('CP05', '消防通道', '3号楼北侧'),
    ('CP06', '北门围墙', '北侧周界'),
    ]
# (route name, checkpoint indexes, duration, [(time, guard index)])
ROUTES = [
    ('日间巡更路线', [0, 3, 1, 5], 45, [(dt.time(9, 30), 0)]),
    ('夜间巡更路线', [0, 1, 2, 3, 4, 5], 60,
        [(dt.time(22, 0), 1), (dt.time(2, 0), 1)]),
    ]
INCIDENTS = [
    ('theft', 'medium', '电动车被盗', '2号楼车棚'),
    ('suspicious', 'low', '陌生人尾随进入单元门', '5号楼1单元'),
    ('flood', 'medium', '地下车库积水', 'B1车库C区'),
    ('fight', 'low', '邻里因停车发生争执', '南门停车场'),
    ('injury', 'medium', '老人在花园摔倒', '中心花园'),
    ('elevator', 'medium', '电梯困人', '7号楼2号电梯'),
    ('fire', 'high', '电动车充电起火', '9号楼楼下充电区'),
    ('other', 'low', '高空抛物', '3号楼南侧'),
    ]
VISITOR_NAMES = ['李明', '张磊', '王芳', '刘洋', '陈静', '杨帆', '赵敏', '黄磊',
    '周婷', '吴强', '徐丽', '孙浩', '胡军', '朱琳', '高峰', '林涛']
PLATES = ['浙A', '浙B', '沪A', '苏E', '浙C']


def populate(pool, args):
    from trytond.transaction import Transaction
    from trytond.modules.property_security.common import local_to_utc

    Company = pool.get('company.company')
    Estate = pool.get('property.estate')
    Checkpoint = pool.get('property.patrol.checkpoint')
    Route = pool.get('property.patrol.route')
    Schedule = pool.get('property.patrol.schedule')
    Round = pool.get('property.patrol.round')
    Scan = pool.get('property.patrol.scan')
    Followup = pool.get('property.security.followup')
    InspectionSchedule = pool.get('property.safety.inspection.schedule')
    Inspection = pool.get('property.safety.inspection')
    Line = pool.get('property.safety.inspection.line')
    Template = pool.get('property.safety.inspection.template')
    Plan = pool.get('property.drill.plan')
    Drill = pool.get('property.drill')
    Incident = pool.get('property.incident')
    Visitor = pool.get('property.visitor')
    Occupancy = pool.get('property.occupancy')
    Post = pool.get('property.guard.post')
    Shift = pool.get('property.guard.shift')
    Date = pool.get('ir.date')
    User = pool.get('res.user')
    ModelData = pool.get('ir.model.data')

    companies = Company.search([('party.name', '=', COMPANY_NAME)], limit=1)
    if not companies:
        return {}
    company, = companies
    if Checkpoint.search([('estate.company', '=', company.id)], limit=1):
        return {}
    rng = random.Random(args.seed + 5)
    today = args.reference_date or Date.today()
    counts = Counter()
    estates = Estate.search([('company', '=', company.id)],
        order=[('code', 'ASC')])
    guard_group = ModelData.get_id('property_service', 'group_property_guard')
    login_employees, guard_employees = set(), set()
    for user in User.search([]):
        ids = {e.id for e in user.employees}
        login_employees |= ids
        if guard_group in {g.id for g in user.groups}:
            guard_employees |= ids

    t0 = time.monotonic()

    def step(label):
        nonlocal t0
        print('  %-30s %6.1f s' % (label, time.monotonic() - t0), flush=True)
        t0 = time.monotonic()

    def context(at):
        return Transaction().set_context(_security_now=at)

    def local(date, time):
        return local_to_utc(company, date, time)

    for estate in estates:
        staff = list(estate.staff)
        # the guard with a login first, then staff without a login
        guards = ([e for e in staff if e.id in guard_employees]
            + [e for e in staff if e.id not in login_employees])
        manager = estate.manager

        # -- patrols --
        checkpoints = Checkpoint.create([{
                    'estate': estate.id, 'code': f'{estate.code}-{code}',
                    'name': name, 'location': where,
                    } for code, name, where in CHECKPOINTS])
        counts['checkpoints'] += len(checkpoints)
        schedules = []
        for name, indexes, duration, times in ROUTES:
            route, = Route.create([{
                        'estate': estate.id, 'name': name,
                        'duration': duration, 'tolerance': 10,
                        'lines': [('create', [{
                                        'sequence': i,
                                        'checkpoint': checkpoints[c].id,
                                        'offset': i * duration // (
                                            len(indexes) + 1),
                                        } for i, c in enumerate(indexes)])],
                        }])
            schedules += Schedule.create([{
                        'route': route.id, 'time': time,
                        'guard': guards[g % len(guards)].id,
                        } for time, g in times])
        counts['routes'] += len(ROUTES)
        start = today - dt.timedelta(days=DAYS)
        rounds = Schedule.generate_rounds(start, days=DAYS)
        counts['rounds'] += len(rounds)
        scans = []
        for round_ in rounds:
            miss = 0.07 if round_.route.name.startswith('夜') else 0.03
            lines = list(round_.lines)
            offsets = [l.offset for l in lines]
            if rng.random() < 0.05 and len(lines) > 2:
                # walked two neighbouring checkpoints the other way round
                i = rng.randrange(len(lines) - 1)
                lines[i], lines[i + 1] = lines[i + 1], lines[i]
            for offset, line in zip(offsets, lines):
                if rng.random() < miss:
                    continue
                delay = rng.choice([0, 0, 1, 2, 3, 5])
                if rng.random() < 0.05:
                    delay += rng.randint(12, 25)
                scans.append({
                        'round': round_.id, 'line': line.id,
                        'code': line.checkpoint.code,
                        'at': round_.planned_start + dt.timedelta(
                            minutes=offset + delay,
                            seconds=rng.randint(0, 59)),
                        'employee': round_.guard.id,
                        })
        step('rounds generated ' + estate.code)
        Round.write(rounds, {'state': 'in_progress'})
        scans.sort(key=lambda s: s['at'])
        Scan.create(scans)
        counts['scans'] += len(scans)
        step('scans ' + estate.code)
        by_week = {}
        for round_ in rounds:
            by_week.setdefault(
                round_.planned_date.isocalendar()[:2], []).append(round_)
        for week, week_rounds in sorted(by_week.items()):
            # closed by the cron after their end (a week at a time here)
            with context(max(r.planned_end for r in week_rounds)
                    + dt.timedelta(hours=1)):
                Round.close(week_rounds)
        old = Followup.search([
                ('estate', '=', estate.id), ('kind', '=', 'patrol'),
                ('deadline', '<', today - dt.timedelta(days=3))])
        Followup.write(old, {
                'resolution': '已复查，巡查点设施正常，已提醒巡更人员按路线巡查',
                'responsible': manager.id if manager else None})
        with context(local(today, dt.time(9))):
            Followup.do(old)
        Schedule.generate_rounds(today, days=2)

        step('rounds closed ' + estate.code)
        # -- safety inspections --
        inspector = guards[0]
        for kind, interval in [('fire', 'monthly'), ('elevator', 'monthly'),
                ('anti_theft', 'quarterly')]:
            template, = Template.search([('kind', '=', kind)], limit=1)
            InspectionSchedule.create([{
                        'estate': estate.id, 'template': template.id,
                        'interval': interval, 'inspector': inspector.id,
                        'next_date': start + dt.timedelta(
                            days=rng.randint(3, 20)),
                        }])
        inspections = InspectionSchedule.generate_inspections(today)
        inspections = [i for i in inspections if i.estate == estate]
        for inspection in inspections:
            for line in inspection.lines:
                line.result = 'defect' if rng.random() < 0.2 else 'ok'
                if line.result == 'defect':
                    line.defect = rng.choice([
                            '%s：发现问题需整改' % line.name,
                            '%s：部分设施损坏' % line.name,
                            '%s：记录不全' % line.name])
            Line.save(inspection.lines)
            submitted = local(inspection.date, dt.time(16))
            if inspection.date >= today:
                continue
            with context(submitted):
                Inspection.submit([inspection])
            defects = Followup.search([
                    ('origin.inspection', '=', inspection.id,
                        'property.safety.inspection.line')])
            counts['defects'] += len(defects)
            fixed = [f for f in defects
                if f.deadline < today - dt.timedelta(days=10)
                and rng.random() < 0.9]
            Followup.write(fixed, {'resolution': '已整改完毕，经复查合格'})
            with context(submitted + dt.timedelta(days=2)):
                Followup.do(fixed)
                if len(fixed) == len(defects):
                    Inspection.close([inspection])
        counts['inspections'] += len(inspections)

        step('inspections ' + estate.code)
        # -- drills --
        plan, = Plan.create([{'estate': estate.id, 'year': today.year}])
        drills = Drill.create([{
                    'plan': plan.id, 'estate': estate.id, 'type': type_,
                    'name': name, 'organizer': inspector.id,
                    'planned_date': dt.date(today.year, month, day),
                    } for type_, name, month, day in [
                    ('fire_evacuation', '春季消防疏散演练', 3, 20),
                    ('flood', '汛前防汛应急演练', 5, 15),
                    ('elevator_entrapment', '电梯困人救援演练', 6, 18),
                    ('fire_evacuation', '秋季消防疏散演练', 9, 25),
                    ('flood', '冬季管道防冻应急演练', 12, 10),
                    ]])
        # the drills already due are held but the latest, left overdue
        past = [d for d in drills if d.planned_date < today]
        for drill in past[:-1]:
            drill.held_date = drill.planned_date
            drill.participants = staff
            drill.evaluation = '参演人员到位及时，疏散用时%s分钟' % (
                rng.randint(6, 12))
            drill.rating = rng.choice(['good', 'good', 'fair'])
            drill.save()
            Drill.hold([drill])
        counts['drills'] += len(drills)

        step('drills ' + estate.code)
        # -- incidents --
        incidents = []
        for i in range(rng.randint(14, 20)):
            type_, severity, name, place = rng.choice(INCIDENTS[:-2] * 3
                + INCIDENTS[-2:])
            day = start + dt.timedelta(days=rng.randrange(DAYS))
            occurred = local(day, dt.time(rng.randrange(24), rng.randrange(60)))
            incidents.append({
                    'estate': estate.id, 'type': type_,
                    'severity': severity, 'name': name, 'place': place,
                    'occurred_at': occurred, 'reporter': guards[0].id,
                    'people': '值班保安%s' % guards[0].party.name,
                    'police_report': ('110-%s-%04d' % (
                            day.strftime('%Y%m%d'), rng.randrange(10000))
                        if type_ == 'theft' else None),
                    'fire_report': ('119-%s-%04d' % (
                            day.strftime('%Y%m%d'), rng.randrange(10000))
                        if type_ == 'fire' else None),
                    'steps': [('create', [{
                                    'at': occurred + dt.timedelta(minutes=m),
                                    'description': text,
                                    'employee': guards[0].id}
                                for m, text in [
                                    (3, '保安到场，控制现场'),
                                    (15, '通知物业经理及相关住户')]])],
                    })
        incidents = Incident.create(incidents)
        for incident in incidents:
            with context(incident.occurred_at + dt.timedelta(minutes=20)):
                Incident.report([incident])
            if incident.occurred_at < local(
                    today - dt.timedelta(days=2), dt.time(0)):
                incident.handling = '已妥善处理，已记录并回访相关住户'
                incident.save()
                with context(incident.occurred_at + dt.timedelta(hours=6)):
                    Incident.close([incident])
        counts['incidents'] += len(incidents)

        step('incidents ' + estate.code)
        # -- visitors --
        owners = Occupancy.search([
                ('unit.estate', '=', estate.id), ('role', '=', 'owner'),
                ('current', '=', True)], limit=400)
        visitors = []
        for day in range(DAYS + 2):
            date = start + dt.timedelta(days=day)
            for _ in range(rng.randint(4, 9)):
                occupancy = rng.choice(owners)
                arrive = local(date, dt.time(rng.randint(8, 20),
                        rng.randrange(60)))
                pre = rng.random() < 0.4
                visitors.append({
                        'estate': estate.id,
                        'name': rng.choice(VISITOR_NAMES),
                        'id_type': 'resident_id',
                        'id_number': '3301%014d' % rng.randrange(10 ** 14),
                        'phone': '13%09d' % rng.randrange(10 ** 9),
                        'host_unit': occupancy.unit.id,
                        'host_party': occupancy.party.id,
                        'purpose': rng.choice(['visit', 'visit', 'delivery',
                                'service', 'renovation', 'business']),
                        'plate': (rng.choice(PLATES) + '%05d' % rng.randrange(
                                    100000)) if rng.random() < 0.3 else None,
                        'valid_from': arrive - dt.timedelta(minutes=30),
                        'valid_to': arrive + dt.timedelta(hours=4),
                        'pre_registered': pre,
                        'created_by_portal': pre and rng.random() < 0.5,
                        '_arrive': arrive,
                        })
        # the gate history is written as it happened (check-in and -out
        # times and who did them), not replayed through the buttons
        now = local(today, dt.time(12))
        for values in visitors:
            arrive = values.pop('_arrive')
            if arrive > now:
                continue  # expected later
            leave = arrive + dt.timedelta(minutes=rng.randint(10, 200))
            if rng.random() < 0.04:
                leave += dt.timedelta(hours=4)  # overstayed
            values.update({'state': 'checked_in', 'check_in': arrive,
                    'check_in_by': guards[0].id})
            if leave < now:
                values.update({'state': 'checked_out', 'check_out': leave,
                        'check_out_by': guards[0].id})
        records = Visitor.create(visitors)
        counts['visitors'] += len(records)

        step('visitors ' + estate.code)
        # -- guard posts and roster --
        posts = Post.create([{
                    'estate': estate.id, 'code': code, 'name': name,
                    'duties': duties} for code, name, duties in [
                    ('G1', '东门岗', '车辆人员进出管理、访客登记'),
                    ('G2', '监控中心', '监控巡视、消防主机值守、对讲应答'),
                    ]])
        shifts = []
        for day in range(-7, 8):
            date = today + dt.timedelta(days=day)
            for p, post in enumerate(posts):
                for s, (begin, hours) in enumerate([(8, 12), (20, 12)]):
                    guard = guards[(day + p + s) % len(guards)]
                    if day > 2 and rng.random() < 0.1:
                        guard = None  # not staffed yet: a gap
                    start_at = local(date, dt.time(begin))
                    shifts.append({'post': post.id,
                            'guard': guard.id if guard else None,
                            'start': start_at,
                            'end': start_at + dt.timedelta(hours=hours)})
        shifts = Shift.create(shifts)
        with Transaction().set_context(company=company.id):
            for shift in shifts:
                if not shift.guard or shift.start > now:
                    continue
                with context(shift.start - dt.timedelta(
                            minutes=rng.randint(0, 10))):
                    Shift.check_in([shift])
                if shift.end < now:
                    with context(shift.end + dt.timedelta(
                                minutes=rng.randint(0, 10))):
                        Shift.check_out([shift])
        step('roster ' + estate.code)
        counts['shifts'] += len(shifts)
    counts['open rectifications'] = Followup.search_count([
            ('state', '=', 'open')])
    return dict(counts)
