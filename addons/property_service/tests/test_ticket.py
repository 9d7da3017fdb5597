# This file is part of the property service suite. See README.md.
"""Service desk rules: workflow, history, time limits, escalation and the
bad input a clerk can give."""
import datetime
from decimal import Decimal

from trytond.exceptions import ConcurrencyException, UserError
from trytond.model.exceptions import AccessError, ValidationError
from trytond.modules.company.tests import (
    create_company, create_employee, set_company)
from trytond.pool import Pool
from trytond.tests.test_tryton import _DBTestCase, with_transaction
from trytond.transaction import Transaction


def setup_desk():
    "A company with one estate, its manager, a clerk, a technician, a unit"
    pool = Pool()
    Estate = pool.get('property.estate')
    Unit = pool.get('property.unit')
    Party = pool.get('party.party')
    Category = pool.get('property.ticket.category')
    User = pool.get('res.user')

    company = create_company()
    employees = {}
    users = {}
    for role in ['manager', 'clerk', 'technician', 'outsider']:
        employee = create_employee(company, name=f"Employee {role}")
        employees[role] = employee
        user, = User.create([{
                    'name': role, 'login': f'desk_{role}',
                    'companies': [('add', [company.id])],
                    'company': company.id,
                    'employees': [('add', [employee.id])],
                    'employee': employee.id,
                    }])
        users[role] = user
    estate, = Estate.create([{
                'company': company.id, 'code': 'A', 'name': "Estate A",
                'manager': employees['manager'].id,
                'staff': [('add', [employees['clerk'].id,
                            employees['technician'].id])],
                'buildings': [('create', [{'code': '1', 'name': "1栋"}])],
                }])
    other, = Estate.create([{
                'company': company.id, 'code': 'B', 'name': "Estate B",
                'staff': [('add', [employees['outsider'].id])],
                }])
    unit, = Unit.create([{
                'building': estate.buildings[0].id, 'number': '0101',
                'building_area': Decimal('88')}])
    requester, = Party.create([{'name': "业主 张三"}])
    category, = Category.create([{
                'name': "水电维修", 'type': 'repair',
                'department': 'engineering', 'priority': '2_high',
                'response_time': datetime.timedelta(hours=1),
                'resolution_time': datetime.timedelta(hours=24),
                'steps': "上门检查\n维修\n业主确认",
                }])
    return {
        'company': company, 'estate': estate, 'other_estate': other,
        'unit': unit, 'requester': requester, 'category': category,
        'employees': employees, 'users': users,
        }


def create_ticket(desk, **values):
    Ticket = Pool().get('property.ticket')
    vals = {
        'estate': desk['estate'].id,
        'unit': desk['unit'].id,
        'requester': desk['requester'].id,
        'type': 'repair',
        'channel': 'counter',
        'category': desk['category'].id,
        'description': "厨房水龙头漏水",
        }
    vals.update(values)
    ticket, = Ticket.create([vals])
    return ticket


class TicketTestCase(_DBTestCase):
    "Test the service desk tickets"
    module = 'property_service'

    @with_transaction()
    def test_assign_multiline_description(self):
        "A description on several lines reaches the assignee on one line"
        pool = Pool()
        Ticket = pool.get('property.ticket')
        Notification = pool.get('res.notification')
        desk = setup_desk()
        with set_company(desk['company']):
            ticket = create_ticket(desk, description="3号楼电梯异响\n\n轿厢灯不亮")
            Ticket.submit([ticket])
            ticket.assignee = desk['employees']['technician']
            ticket.save()
            Ticket.assign([ticket])
            notification, = Notification.search([
                    ('user', '=', desk['users']['technician'].id)])
            self.assertEqual(notification.description, "3号楼电梯异响 轿厢灯不亮")

    @with_transaction()
    def test_repair_workflow(self):
        "A ticket goes from draft to closed with an attributed history"
        pool = Pool()
        Ticket = pool.get('property.ticket')
        Notification = pool.get('res.notification')
        desk = setup_desk()
        with set_company(desk['company']):
            ticket = create_ticket(desk)
            self.assertTrue(ticket.number.startswith('GD'))
            self.assertEqual(ticket.checklist, "上门检查\n维修\n业主确认")
            self.assertEqual(ticket.department, 'engineering')
            self.assertEqual(ticket.priority, '2_high')

            Ticket.submit([ticket])
            self.assertEqual(ticket.state, 'open')
            self.assertEqual(
                ticket.response_deadline - ticket.received_at,
                datetime.timedelta(hours=1))
            self.assertEqual(
                ticket.resolution_deadline - ticket.received_at,
                datetime.timedelta(hours=24))

            ticket.assignee = desk['employees']['technician']
            ticket.save()
            Ticket.assign([ticket])
            self.assertEqual(ticket.state, 'assigned')
            self.assertTrue(ticket.responded_on_time)
            self.assertIsNotNone(ticket.response_hours)
            notification, = Notification.search([
                    ('user', '=', desk['users']['technician'].id)])
            self.assertIn(ticket.number, notification.label)
            self.assertEqual(notification.records, str([ticket.id]))
            self.assertEqual(notification.description, "厨房水龙头漏水")

            Ticket.start([ticket])
            Ticket.resolve([ticket])
            self.assertTrue(ticket.resolved_on_time)
            Ticket.close([ticket])
            self.assertEqual(ticket.state, 'closed')
            self.assertEqual(
                [(h.action, h.from_state, h.to_state) for h in ticket.history],
                [('submit', 'draft', 'open'),
                    ('assign', 'open', 'assigned'),
                    ('start', 'assigned', 'in_progress'),
                    ('resolve', 'in_progress', 'resolved'),
                    ('close', 'resolved', 'closed')])
            self.assertTrue(all(h.user and h.date for h in ticket.history))

    @with_transaction()
    def test_reopen(self):
        "A rejected result sends the ticket back to work and counts it"
        pool = Pool()
        Ticket = pool.get('property.ticket')
        desk = setup_desk()
        with set_company(desk['company']):
            ticket = create_ticket(
                desk, assignee=desk['employees']['technician'].id)
            Ticket.submit([ticket])
            Ticket.assign([ticket])
            Ticket.start([ticket])
            Ticket.resolve([ticket])
            Ticket.reopen([ticket])
            self.assertEqual(ticket.state, 'in_progress')
            self.assertEqual(ticket.reopen_count, 1)
            self.assertIsNone(ticket.resolved_at)

    @with_transaction()
    def test_assign_outside_estate_refused(self):
        "A ticket cannot be assigned to an employee of another estate"
        desk = setup_desk()
        with set_company(desk['company']):
            ticket = create_ticket(desk)
            ticket.assignee = desk['employees']['outsider']
            with self.assertRaises(ValidationError) as cm:
                ticket.save()
            self.assertIn("Estate A", cm.exception.message)

    @with_transaction()
    def test_assign_without_assignee_refused(self):
        "Pressing assign without an assignee says what is missing"
        Ticket = Pool().get('property.ticket')
        desk = setup_desk()
        with set_company(desk['company']):
            ticket = create_ticket(desk)
            Ticket.submit([ticket])
            with self.assertRaises(UserError):
                Ticket.assign([ticket])
            self.assertEqual(ticket.state, 'open')

    @with_transaction()
    def test_cancel_needs_reason(self):
        "Cancelling needs a reason, which is kept in the history"
        Ticket = Pool().get('property.ticket')
        desk = setup_desk()
        with set_company(desk['company']):
            ticket = create_ticket(desk)
            Ticket.submit([ticket])
            with self.assertRaises(UserError):
                Ticket.cancel([ticket])
            ticket.cancel_reason = "业主已自行修好"
            ticket.save()
            Ticket.cancel([ticket])
            self.assertEqual(ticket.state, 'cancelled')
            self.assertEqual(ticket.history[-1].note, "业主已自行修好")

    @with_transaction()
    def test_closed_ticket_not_editable_nor_deletable(self):
        "Closed tickets are not edited; submitted tickets are not deleted"
        Ticket = Pool().get('property.ticket')
        desk = setup_desk()
        with set_company(desk['company']):
            ticket = create_ticket(desk)
            Ticket.submit([ticket])
            with self.assertRaises(UserError):
                Ticket.delete([ticket])
            ticket.cancel_reason = "重复登记"
            ticket.save()
            Ticket.cancel([ticket])
            with self.assertRaises(UserError):
                Ticket.write([ticket], {'description': "改写"})
            self.assertEqual(Ticket(ticket.id).description, "厨房水龙头漏水")
            draft = create_ticket(desk)
            Ticket.delete([draft])

    @with_transaction()
    def test_stale_write_refused(self):
        "A clerk saving over a change made in the meantime is refused"
        Ticket = Pool().get('property.ticket')
        desk = setup_desk()
        transaction = Transaction()
        with set_company(desk['company']):
            ticket = create_ticket(desk)
            stale, = Ticket.read([ticket.id], ['_timestamp'])
            # another clerk changes the ticket a second later
            Ticket.write([ticket], {'description': "第一位客服的修改"})
            table = Ticket.__table__()
            cursor = transaction.connection.cursor()
            cursor.execute(*table.update(
                    [table.write_date],
                    [datetime.datetime.now() + datetime.timedelta(seconds=2)],
                    where=table.id == ticket.id))
            transaction.timestamp = {
                f'property.ticket,{ticket.id}': stale['_timestamp']}
            with self.assertRaises(ConcurrencyException):
                Ticket.write([Ticket(ticket.id)], {
                        'description': "第二位客服的修改"})
            transaction.timestamp = {}
            self.assertEqual(Ticket(ticket.id).description, "第一位客服的修改")

    @with_transaction()
    def test_received_in_future_refused(self):
        "A request cannot be received in the future"
        desk = setup_desk()
        with set_company(desk['company']):
            with self.assertRaises(ValidationError):
                create_ticket(desk, received_at=datetime.datetime.now()
                    + datetime.timedelta(days=1))

    @with_transaction()
    def test_category_time_limits_validated(self):
        "Time limits must be positive and response before resolution"
        Category = Pool().get('property.ticket.category')
        with self.assertRaises(ValidationError):
            Category.create([{'name': "X",
                        'response_time': datetime.timedelta(0)}])
        with self.assertRaises(ValidationError):
            Category.create([{'name': "Y",
                        'response_time': datetime.timedelta(hours=5),
                        'resolution_time': datetime.timedelta(hours=2)}])

    @with_transaction()
    def test_escalate_overdue(self):
        "The cron escalates overdue tickets once and tells the manager"
        pool = Pool()
        Ticket = pool.get('property.ticket')
        Notification = pool.get('res.notification')
        desk = setup_desk()
        with set_company(desk['company']):
            late = create_ticket(desk, received_at=datetime.datetime.now()
                - datetime.timedelta(hours=3))
            fresh = create_ticket(desk)
            Ticket.submit([late, fresh])
            self.assertEqual(
                Ticket.search([('overdue', '=', True)]), [late])
            self.assertEqual(
                Ticket.search([('overdue', '=', False),
                        ('id', 'in', [late.id, fresh.id])]), [fresh])
            escalated = Ticket.escalate_overdue()
            self.assertEqual(escalated, [late])
            self.assertTrue(late.escalated)
            self.assertFalse(fresh.escalated)
            self.assertEqual(late.history[-1].action, 'escalate')
            notification, = Notification.search([
                    ('user', '=', desk['users']['manager'].id)])
            self.assertIn(late.number, notification.label)
            self.assertEqual(Ticket.escalate_overdue(), [])



def _product(name, price):
    pool = Pool()
    Template = pool.get('product.template')
    Uom = pool.get('product.uom')
    unit, = Uom.search([('name', '=', 'Unit')])
    template, = Template.create([{
                'name': name, 'type': 'goods', 'default_uom': unit.id,
                'list_price': price,
                'products': [('create', [{}])],
                }])
    return template.products[0]


class WorkOrderTestCase(_DBTestCase):
    "Test work orders, return visits and satisfaction"
    module = 'property_service'

    def _repair(self, desk):
        Ticket = Pool().get('property.ticket')
        ticket = create_ticket(
            desk, assignee=desk['employees']['technician'].id)
        Ticket.submit([ticket])
        Ticket.assign([ticket])
        return ticket

    @with_transaction()
    def test_work_order_charge_and_labour(self):
        "A repair at the owner's cost stores what billing will invoice"
        pool = Pool()
        WorkOrder = pool.get('property.work_order')
        Line = pool.get('timesheet.line')
        Ticket = pool.get('property.ticket')
        desk = setup_desk()
        with set_company(desk['company']):
            ticket = self._repair(desk)
            tap = _product("水龙头", Decimal('85.00'))
            tape = _product("生料带", Decimal('3.50'))
            order, = WorkOrder.create([{
                        'ticket': ticket.id,
                        'technician': desk['employees']['technician'].id,
                        'at_owner_cost': True,
                        'labour_charge': Decimal('50.00'),
                        'materials': [('create', [{
                                        'product': tap.id, 'quantity': 1,
                                        'unit': tap.default_uom.id,
                                        'unit_price': Decimal('85.00')}, {
                                        'product': tape.id, 'quantity': 2,
                                        'unit': tape.default_uom.id,
                                        'unit_price': Decimal('3.50'),
                                        'chargeable': False}])],
                        }])
            self.assertTrue(order.number.startswith('WX'))
            self.assertEqual(order.estate, desk['estate'])
            WorkOrder.start([order])
            self.assertEqual(Ticket(ticket.id).state, 'in_progress')
            Line.create([{
                        'employee': desk['employees']['technician'].id,
                        'work': order.timesheet_work.id,
                        'duration': datetime.timedelta(minutes=90),
                        'date': datetime.date.today(),
                        }])
            self.assertEqual(WorkOrder(order.id).labour_hours, 1.5)
            with self.assertRaises(UserError):
                WorkOrder.complete([order])
            order.result = "更换水龙头"
            order.save()
            WorkOrder.complete([order])
            self.assertEqual(order.chargeable_amount, Decimal('135.00'))
            self.assertEqual(order.bill_to, desk['requester'])
            with self.assertRaises(UserError):
                WorkOrder.sign_off([order])
            order.signed_by = "张三"
            order.save()
            WorkOrder.sign_off([order])
            self.assertEqual(order.state, 'signed')
            self.assertIsNotNone(order.signed_at)

    @with_transaction()
    def test_work_order_technician_outside_estate(self):
        "A work order cannot go to a technician of another estate"
        WorkOrder = Pool().get('property.work_order')
        desk = setup_desk()
        with set_company(desk['company']):
            ticket = self._repair(desk)
            with self.assertRaises(UserError):
                WorkOrder.create([{
                            'ticket': ticket.id,
                            'technician': desk['employees']['outsider'].id,
                            }])

    @with_transaction()
    def test_material_quantity_and_charge_validated(self):
        "Quantities are positive and charges not negative"
        WorkOrder = Pool().get('property.work_order')
        desk = setup_desk()
        with set_company(desk['company']):
            ticket = self._repair(desk)
            tap = _product("水龙头", Decimal('85.00'))
            with self.assertRaises(UserError):
                WorkOrder.create([{
                            'ticket': ticket.id,
                            'technician': desk['employees']['technician'].id,
                            'materials': [('create', [{
                                            'product': tap.id, 'quantity': 0,
                                            'unit': tap.default_uom.id}])],
                            }])
            with self.assertRaises(UserError):
                WorkOrder.create([{
                            'ticket': ticket.id,
                            'technician': desk['employees']['technician'].id,
                            'labour_charge': Decimal('-1'),
                            }])

    @with_transaction()
    def test_close_needs_finished_work_orders(self):
        "A ticket with an unfinished work order cannot be closed"
        pool = Pool()
        Ticket = pool.get('property.ticket')
        WorkOrder = pool.get('property.work_order')
        desk = setup_desk()
        with set_company(desk['company']):
            ticket = self._repair(desk)
            WorkOrder.create([{
                        'ticket': ticket.id,
                        'technician': desk['employees']['technician'].id}])
            Ticket.start([ticket])
            Ticket.resolve([ticket])
            with self.assertRaises(UserError):
                Ticket.close([ticket])

    @with_transaction()
    def test_complaint_return_visit_and_handlers(self):
        "Complaints go to designated handlers and close after a return visit"
        pool = Pool()
        Ticket = pool.get('property.ticket')
        Estate = pool.get('property.estate')
        desk = setup_desk()
        Estate.write([desk['estate']], {
                'complaint_handlers': [
                    ('add', [desk['employees']['clerk'].id])]})
        with set_company(desk['company']), Transaction().set_context(
                employee=desk['employees']['clerk'].id):
            ticket = create_ticket(
                desk, type='complaint', category=None,
                description="保洁员态度恶劣")
            self.assertTrue(ticket.return_visit_required)
            Ticket.submit([ticket])
            ticket.assignee = desk['employees']['technician']
            with self.assertRaises(ValidationError):
                ticket.save()
            ticket = Ticket(ticket.id)
            ticket.assignee = desk['employees']['clerk']
            ticket.save()
            Ticket.assign([ticket])
            Ticket.start([ticket])
            Ticket.resolve([ticket])
            with self.assertRaises(UserError):
                Ticket.close([ticket])
            with self.assertRaises(UserError):
                Ticket.record_return_visit([ticket])
            ticket.return_visit_result = "业主表示满意"
            ticket.satisfaction = 4
            ticket.save()
            Ticket.record_return_visit([ticket])
            self.assertEqual(
                ticket.return_visit_by, desk['employees']['clerk'])
            Ticket.close([ticket])
            self.assertEqual(ticket.state, 'closed')
            self.assertEqual(
                [h.action for h in ticket.history][-3:],
                ['rate', 'return_visit', 'close'])

    @with_transaction()
    def test_satisfaction_range_and_rectification(self):
        "Scores are 1-5; 2 or less opens one rectification ticket"
        pool = Pool()
        Ticket = pool.get('property.ticket')
        desk = setup_desk()
        with set_company(desk['company']):
            ticket = self._repair(desk)
            Ticket.start([ticket])
            Ticket.resolve([ticket])
            for score in [0, 6, -1]:
                with self.assertRaises(ValidationError):
                    Ticket.write([ticket], {'satisfaction': score})
            Ticket.write([ticket], {
                    'satisfaction': 2, 'satisfaction_comment': "还在漏"})
            Ticket.write([ticket], {'satisfaction': 1})
            follow_up, = ticket.follow_ups
            self.assertEqual(follow_up.type, 'rectification')
            self.assertEqual(follow_up.state, 'open')
            self.assertEqual(follow_up.origin, ticket)
            self.assertEqual(follow_up.unit, desk['unit'])

    @with_transaction()
    def test_requester_emailed_on_resolution(self):
        "A requester with an email address gets one when resolved"
        pool = Pool()
        Ticket = pool.get('property.ticket')
        Email = pool.get('ir.email')
        ContactMechanism = pool.get('party.contact_mechanism')
        desk = setup_desk()
        ContactMechanism.create([{
                    'party': desk['requester'].id, 'type': 'email',
                    'value': 'zhangsan@example.com'}])
        with set_company(desk['company']):
            ticket = self._repair(desk)
            other = create_ticket(desk, requester=None, type='consultation',
                category=None,
                unit=None, assignee=desk['employees']['clerk'].id)
            Ticket.submit([other])
            Ticket.assign([other])
            Ticket.start([ticket, other])
            ticket.resolution = "已更换水龙头"
            ticket.save()
            Ticket.resolve([ticket, other])
            email, = Email.search([])
            self.assertEqual(email.resource, ticket)
            self.assertEqual(email.recipients, 'zhangsan@example.com')
            self.assertIn(ticket.number, email.subject)
            self.assertIn("已更换水龙头", email.body)

    @with_transaction()
    def test_kpi_and_load(self):
        "The KPI board and the load per person count the tickets"
        pool = Pool()
        Ticket = pool.get('property.ticket')
        KPI = pool.get('property.ticket.kpi')
        Load = pool.get('property.ticket.load')
        desk = setup_desk()
        with set_company(desk['company']):
            done = self._repair(desk)
            Ticket.start([done])
            Ticket.resolve([done])
            Ticket.write([done], {'satisfaction': 4})
            self._repair(desk)
            complaint = create_ticket(desk, type='complaint', category=None)
            Ticket.submit([complaint])
            create_ticket(desk)  # drafts are not counted
            kpi, = KPI.search([])
            self.assertEqual(kpi.estate, desk['estate'])
            self.assertEqual(kpi.month, datetime.date.today().replace(day=1))
            self.assertEqual(
                (kpi.ticket_count, kpi.repair_count, kpi.complaint_count,
                    kpi.responded_count, kpi.resolved_count),
                (3, 2, 1, 2, 1))
            self.assertEqual(kpi.response_rate, 1.0)
            self.assertEqual(kpi.resolution_rate, 1.0)
            self.assertAlmostEqual(kpi.complaint_rate, 1 / 3)
            self.assertEqual(kpi.avg_satisfaction, 4.0)
            # rows read by id aggregate only their estate and month
            other, = KPI.read([kpi.id], ['ticket_count'])
            self.assertEqual(other['ticket_count'], 3)
            # an id that is not ours gets the platform's error, no crash
            with self.assertRaises(AccessError):
                KPI.read([0], ['ticket_count'])
            load, = Load.search([])
            self.assertEqual(load.assignee, desk['employees']['technician'])
            self.assertEqual((load.open_count, load.overdue_count), (1, 0))


del _DBTestCase
