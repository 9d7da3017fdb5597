# This file is part of the property service suite. See README.md.
"""Demo service desk: ticket categories with service standards and a year of
tickets (about 3,000 by default) over the demo estates, across types,
channels and states, with their history, work orders, return visits and
scores; a few recent ones are overdue so the console has something to show.
Deterministic for a given seed and reference date."""
import datetime as dt
import random
from collections import Counter
from decimal import Decimal

MODULE = 'property_service'
COMPANY_NAME = '安居物业服务有限公司'
TICKETS_PER_1000_UNITS = 1500
BATCH = 500

# (name, type, department, priority, response h, resolution h, return visit,
#  steps, descriptions)
CATEGORIES = [
    ("户内水电维修", 'repair', 'engineering', '2_high', 1, 24, False,
        "接单后电话联系业主\n上门检查\n维修并试用\n业主签字确认",
        ["厨房水龙头漏水", "卫生间下水道堵塞", "客厅插座没电", "热水器不出热水",
            "阳台地漏返味", "马桶水箱一直流水", "卧室灯不亮"]),
    ("公共设施报修", 'repair', 'engineering', '1_normal', 2, 48, False,
        "现场确认\n维修\n拍照存档",
        ["3号楼电梯按钮失灵", "地下车库照明灯坏了", "单元门禁刷卡无反应",
            "楼道声控灯不亮", "小区路灯不亮", "消防通道指示灯损坏"]),
    ("停电停水抢修", 'repair', 'engineering', '3_urgent', 0.5, 4, False,
        "立即响应\n排查原因\n恢复供应\n通知受影响住户",
        ["整栋楼停电", "楼层突然停水", "配电箱跳闸无法合闸"]),
    ("服务投诉", 'complaint', 'service_center', '2_high', 2, 48, True,
        "记录投诉内容\n调查核实\n答复业主\n回访",
        ["保洁不及时，楼道垃圾两天没清", "报修三天没人上门", "客服电话一直打不通",
            "绿化修剪噪音太早", "快递柜经常满"]),
    ("员工服务态度与廉洁", 'complaint', 'management', '2_high', 2, 48, True,
        "记录投诉内容\n经理调查\n处理涉事员工\n答复业主\n回访",
        ["保安态度恶劣", "维修工索要好处费", "客服对业主不耐烦"]),
    ("邻里与秩序投诉", 'complaint', 'security', '1_normal', 2, 72, True,
        "记录投诉内容\n现场劝导\n答复业主\n回访",
        ["楼上装修噪音超时", "车位被长期占用", "邻居在楼道堆放杂物", "宠物狗不拴绳"]),
    ("一般咨询", 'consultation', 'service_center', '0_low', 4, 24, False,
        "解答\n记录",
        ["咨询物业费缴纳方式", "咨询装修申请流程", "咨询车位租赁价格",
            "咨询门禁卡补办", "咨询快递代收"]),
    ("开具证明", 'certificate', 'service_center', '1_normal', 4, 72, False,
        "核对身份与产权\n开具证明\n通知领取",
        ["开具居住证明", "开具物业费结清证明", "开具装修完工证明"]),
    ("意见建议", 'suggestion', 'management', '0_low', 24, 168, False,
        "登记\n部门评估\n答复",
        ["建议增加儿童游乐设施", "建议增设电动车充电桩", "建议延长游泳池开放时间"]),
    ("表扬", 'praise', 'service_center', '0_low', 24, 168, False,
        "登记\n通报表扬",
        ["感谢维修师傅半夜上门", "表扬保安帮忙搬运", "表扬保洁阿姨拾金不昧"]),
    ("其他事项", 'other', 'service_center', '1_normal', 4, 72, False,
        "登记\n处理\n答复", ["小区宣传栏信息过期", "绿地有枯树需处理"]),
    ]
TYPE_WEIGHTS = {
    "户内水电维修": 30, "公共设施报修": 12, "停电停水抢修": 3, "服务投诉": 6,
    "员工服务态度与廉洁": 1, "邻里与秩序投诉": 4, "一般咨询": 20, "开具证明": 8,
    "意见建议": 6, "表扬": 5, "其他事项": 5,
    }
CHANNELS = [('counter', 30), ('phone', 45), ('portal', 20),
    ('suggestion_box', 3), ('inspection', 2)]
SCORES = [(5, 50), (4, 30), (3, 12), (2, 5), (1, 3)]
MATERIALS = [("水龙头", Decimal('85.00')), ("LED 灯泡", Decimal('25.00')),
    ("开关面板", Decimal('18.00')), ("PVC 水管接头", Decimal('6.50')),
    ("马桶进水阀", Decimal('45.00'))]


def pick(rng, weighted):
    values, weights = zip(*weighted)
    return rng.choices(values, weights)[0]


def populate(pool, args):
    Company = pool.get('company.company')
    Ticket = pool.get('property.ticket')
    Category = pool.get('property.ticket.category')
    Estate = pool.get('property.estate')
    Unit = pool.get('property.unit')
    Occupancy = pool.get('property.occupancy')
    History = pool.get('property.ticket.history')
    WorkOrder = pool.get('property.work_order')
    Material = pool.get('property.work_order.material')
    Template = pool.get('product.template')
    Uom = pool.get('product.uom')
    User = pool.get('res.user')
    Date = pool.get('ir.date')
    from trytond.transaction import Transaction

    from demo import Progress

    company, = Company.search([('party.name', '=', COMPANY_NAME)], limit=1)
    if Ticket.search([('company', '=', company.id)], limit=1):
        return {}
    rng = random.Random(getattr(args, 'seed', 0) or 0)
    today = getattr(args, 'reference_date', None) or Date.today()
    # the end of the demo's working day, or the present time before then:
    # a ticket received in the future is refused
    now = min(dt.datetime.combine(today, dt.time(17, 30)),
        dt.datetime.now().replace(microsecond=0) - dt.timedelta(minutes=10))
    counts = Counter()

    with Transaction().set_context(company=company.id):
        categories = Category.create([{
                    'name': name, 'type': type_, 'department': department,
                    'priority': priority,
                    'response_time': dt.timedelta(hours=response),
                    'resolution_time': dt.timedelta(hours=resolution),
                    'return_visit_required': visit, 'steps': steps,
                    } for (name, type_, department, priority, response,
                    resolution, visit, steps, _) in CATEGORIES])
        counts['ticket categories'] = len(categories)
        by_name = {c.name: c for c in categories}
        descriptions = {c[0]: c[8] for c in CATEGORIES}

        piece, = Uom.search([('symbol', '=', 'u')], limit=1)
        templates = Template.create([{
                    'name': name, 'type': 'goods', 'default_uom': piece.id,
                    'list_price': price, 'products': [('create', [{}])],
                    } for name, price in MATERIALS])
        products = [(t.products[0], price)
            for t, (_, price) in zip(templates, MATERIALS)]

        estates = Estate.search([('company', '=', company.id)])
        users_by_employee = {}
        for user in User.search([('employee', '!=', None)]):
            users_by_employee[user.employee.id] = user.id
        plans = []
        for estate in estates:
            staff = [e for e in estate.staff]
            if estate.manager and estate.manager not in staff:
                staff.append(estate.manager)
            if not staff:
                continue
            # the first staff member answers complaints (指定专人)
            handler = staff[0] if not estate.manager else (
                [e for e in staff if e != estate.manager] or staff)[0]
            Estate.write([estate], {
                    'complaint_handlers': [('add', [handler.id])]})
            units = Unit.search([('estate', '=', estate.id)])
            owners = {}
            for occupancy in Occupancy.search([
                        ('unit.estate', '=', estate.id),
                        ('role', 'in', ['owner', 'co_owner', 'tenant']),
                        ('end_date', '=', None)]):
                owners.setdefault(occupancy.unit.id, occupancy.party.id)
            plans.append((estate, staff, handler, units, owners))

        total_units = sum(len(p[3]) for p in plans)
        n_tickets = max(200, total_units * TICKETS_PER_1000_UNITS // 1000)
        n_tickets = min(n_tickets, 6000)

        names = list(TYPE_WEIGHTS)
        weights = [TYPE_WEIGHTS[n] for n in names]
        values, stories = [], []
        for i in range(n_tickets):
            estate, staff, handler, units, owners = rng.choices(
                plans, [max(len(p[3]), 1) for p in plans])[0]
            category = by_name[rng.choices(names, weights)[0]]
            received = now - dt.timedelta(
                days=rng.uniform(0, 364), hours=rng.uniform(0, 10))
            received = received.replace(
                hour=rng.randint(7, 21), microsecond=0)
            if received > now:
                received = now - dt.timedelta(hours=rng.uniform(1, 48))
            unit = rng.choice(units) if units else None
            if category.type in {'consultation', 'suggestion', 'praise'} \
                    and rng.random() < 0.4:
                unit = None
            requester = owners.get(unit.id) if unit else None
            channel = pick(rng, CHANNELS)
            if category.type == 'suggestion':
                channel = rng.choice(['suggestion_box', 'portal'])
            age = now - received
            assignee = handler if category.type == 'complaint' else (
                rng.choice(staff))
            v = {
                'company': company.id, 'estate': estate.id,
                'unit': unit.id if unit else None,
                'requester': requester,
                'type': category.type, 'channel': channel,
                'category': category.id,
                'description': rng.choice(descriptions[category.name]),
                'received_at': received,
                'opened_at': received + dt.timedelta(minutes=rng.randint(1, 20)),
                'response_deadline': received + category.response_time,
                'resolution_deadline': received + category.resolution_time,
                }
            # how far it went: old tickets are done, recent ones in work
            if age > dt.timedelta(days=10):
                state = pick(rng, [('closed', 88), ('cancelled', 4),
                        ('resolved', 5), ('in_progress', 3)])
            else:
                state = pick(rng, [('open', 15), ('assigned', 20),
                        ('in_progress', 20), ('resolved', 25),
                        ('closed', 15), ('cancelled', 5)])
            slow = rng.random() < 0.12
            history = [('submit', 'draft', 'open', v['opened_at'], None)]
            if state in {'assigned', 'in_progress', 'resolved', 'closed'}:
                response = category.response_time * rng.uniform(
                    1.2, 4) if slow else category.response_time * rng.uniform(
                    0.1, 0.9)
                assigned = received + response
                if assigned > now:
                    assigned = now
                v.update({
                        'assignee': assignee.id,
                        'assigned_at': assigned,
                        'response_hours': round(
                            (assigned - received).total_seconds() / 3600, 2),
                        'responded_on_time': assigned <= v['response_deadline'],
                        })
                history.append(('assign', 'open', 'assigned', assigned,
                        assignee.rec_name))
            if state in {'in_progress', 'resolved', 'closed'}:
                started = v['assigned_at'] + dt.timedelta(
                    minutes=rng.randint(5, 90))
                started = min(started, now)
                v['started_at'] = started
                history.append(('start', 'assigned', 'in_progress', started,
                        None))
            if state in {'resolved', 'closed'}:
                resolution = category.resolution_time * (
                    rng.uniform(1.1, 3) if slow else rng.uniform(0.1, 0.95))
                resolved = max(received + resolution, v['started_at'])
                resolved = min(resolved, now)
                v.update({
                        'resolved_at': resolved,
                        'resolution_hours': round(
                            (resolved - received).total_seconds() / 3600, 2),
                        'resolved_on_time': (
                            resolved <= v['resolution_deadline']),
                        'resolution': "已处理完毕",
                        })
                history.append(('resolve', 'in_progress', 'resolved',
                        resolved, None))
            if state == 'closed':
                visited = min(v['resolved_at'] + dt.timedelta(
                        hours=rng.uniform(2, 48)), now)
                score = pick(rng, SCORES)
                if slow and score > 3:
                    score -= 1
                v.update({
                        'return_visit_at': visited,
                        'return_visit_by': staff[0].id,
                        'return_visit_result': rng.choice([
                                "业主对处理结果满意", "业主表示问题已解决",
                                "业主认为响应偏慢", "业主无其他意见"]),
                        'satisfaction': score,
                        'closed_at': visited,
                        })
                history.append(('return_visit', 'resolved', 'resolved',
                        visited, v['return_visit_result']))
                history.append(('close', 'resolved', 'closed', visited, None))
            if state == 'cancelled':
                v.update({
                        'cancel_reason': rng.choice([
                                "业主已自行解决", "重复报事", "业主撤回"]),
                        'cancelled_at': received + dt.timedelta(hours=1),
                        })
                history.append(('cancel', 'open', 'cancelled',
                        v['cancelled_at'], v['cancel_reason']))
            if (state in {'open', 'assigned', 'in_progress'}
                    and now > v['resolution_deadline']):
                v['escalated'] = True
                v['escalated_at'] = v['resolution_deadline'] + dt.timedelta(
                    minutes=15)
                history.append(('escalate', state, state, v['escalated_at'],
                        None))
            v['state'] = state
            values.append(v)
            stories.append((history, state, category, assignee))

        tickets = []
        progress = Progress('tickets', len(values))
        for start in range(0, len(values), BATCH):
            # satisfaction <= 2 opens rectification tickets on creation
            tickets += Ticket.create(values[start:start + BATCH])
            progress.show(len(tickets))
        counts['tickets'] = len(tickets)
        counts['rectification tickets'] = Ticket.search_count([
                ('company', '=', company.id), ('type', '=', 'rectification')])

        rows, orders = [], []
        for ticket, (history, state, category, assignee) in zip(
                tickets, stories):
            user = users_by_employee.get(assignee.id)
            for action, from_state, to_state, date, note in history:
                rows.append({
                        'ticket': ticket.id, 'date': date,
                        'user': user if action in {'start', 'resolve'}
                        else None,
                        'employee': assignee.id
                        if action in {'start', 'resolve'} else None,
                        'action': action, 'from_state': from_state,
                        'to_state': to_state, 'note': note,
                        })
            if category.type == 'repair' and state in {
                    'in_progress', 'resolved', 'closed'}:
                done = state in {'resolved', 'closed'}
                owner_pays = (category.name == "户内水电维修"
                    and rng.random() < 0.5)
                product, price = rng.choice(products)
                orders.append({
                        'company': company.id, 'ticket': ticket.id,
                        'technician': assignee.id,
                        'description': ticket.description,
                        'planned_start': ticket.started_at,
                        'started_at': ticket.started_at,
                        'done_at': ticket.resolved_at if done else None,
                        'result': "维修完成，试用正常" if done else None,
                        'at_owner_cost': owner_pays,
                        'labour_charge': Decimal('30.00') if owner_pays
                        else None,
                        'chargeable_amount': (Decimal('30.00') + price)
                        if owner_pays and done
                        else (Decimal(0) if done else None),
                        'bill_to': ticket.requester.id
                        if owner_pays and done and ticket.requester else None,
                        'signed_by': (ticket.requester.rec_name
                            if ticket.requester else "业主") if done else None,
                        'signed_at': ticket.resolved_at if done else None,
                        'state': 'signed' if done else 'in_progress',
                        'materials': [('create', [{
                                        'product': product.id,
                                        'quantity': 1,
                                        'unit': piece.id,
                                        'unit_price': price,
                                        'chargeable': owner_pays,
                                        }])],
                        })
        progress = Progress('ticket history lines', len(rows))
        for start in range(0, len(rows), 2000):
            History.create(rows[start:start + 2000])
            if start % 10000 == 8000 or start + 2000 >= len(rows):
                progress.show(min(start + 2000, len(rows)))
        counts['history lines'] = len(rows)
        progress = Progress('work orders', len(orders))
        for start in range(0, len(orders), BATCH):
            WorkOrder.create(orders[start:start + BATCH])
            progress.show(min(start + BATCH, len(orders)))
        counts['work orders'] = len(orders)
        counts['overdue open tickets'] = Ticket.search_count([
                ('company', '=', company.id), ('overdue', '=', True)])
    return dict(counts)
