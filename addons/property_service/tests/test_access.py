# This file is part of the property service suite. See README.md.
"""Access per role and per estate, enforced by ir.model.access and ir.rule:
a manager of estate A does not see estate B, guards and technicians do not
see who lives where, another company's estates stay invisible."""
from contextlib import contextmanager
from decimal import Decimal

from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError
from trytond.modules.company.tests import create_company, create_employee
from trytond.pool import Pool
from trytond.tests.test_tryton import _DBTestCase, with_transaction
from trytond.transaction import Transaction

ROLES = ['manager', 'clerk', 'technician', 'guard', 'accountant',
    'archivist']
PHONES = {'A': '13800138000', 'B': '13900139000', 'X': '13700137000'}


class PropertyAccessTestCase(_DBTestCase):
    "Test access rules of the estate registry"
    module = 'property_service'

    def _setup(self):
        "Two estates of one company, one of another, a user per role"
        pool = Pool()
        Estate = pool.get('property.estate')
        Unit = pool.get('property.unit')
        Party = pool.get('party.party')
        Occupancy = pool.get('property.occupancy')
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')

        company = create_company()
        other_company = create_company(name="Other Property Co")
        estates = {}
        for code, comp in [('A', company), ('B', company),
                ('X', other_company)]:
            estate, = Estate.create([{
                        'company': comp.id, 'code': code,
                        'name': f"Estate {code}",
                        'buildings': [('create', [{
                                        'code': '1', 'name': "1栋"}])],
                        }])
            building, = estate.buildings
            unit, = Unit.create([{
                        'building': building.id, 'number': '0101',
                        'building_area': Decimal('88.00')}])
            owner, = Party.create([{'name': f"Owner {code}",
                        'contact_mechanisms': [('create', [{
                                        'type': 'mobile',
                                        'value': PHONES[code]}])],
                        'identifiers': [('create', [{
                                        'code': f'ID-{code}-19900101'}])],
                        }])
            Occupancy.create([{
                        'unit': unit.id, 'party': owner.id, 'role': 'owner',
                        'share': Decimal(100)}])
            estates[code] = estate

        users = {}
        for role in ROLES + ['manager_b', 'admin']:
            group_role = role.split('_')[0]
            group = ModelData.get_id(
                'property_service', f'group_property_{group_role}')
            employee = create_employee(company, name=f"Employee {role}")
            user, = User.create([{
                        'name': role, 'login': f'user_{role}',
                        'groups': [('add', [group])],
                        'companies': [('add', [company.id])],
                        'company': company.id,
                        'employees': [('add', [employee.id])],
                        'employee': employee.id,
                        }])
            users[role] = user
            if role == 'manager':
                Estate.write([estates['A']], {'manager': employee.id})
            elif role == 'manager_b':
                Estate.write([estates['B']], {'manager': employee.id})
            elif role != 'admin':
                Estate.write([estates['A']], {
                        'staff': [('add', [employee.id])]})
        return estates, users

    @contextmanager
    def _as(self, user):
        "Act as user with access checks, like a client request"
        transaction = Transaction()
        with transaction.set_user(user.id), transaction.set_context(
                _check_access=True, company=user.company.id,
                companies=[c.id for c in user.companies]):
            yield

    def _visible(self, user, model):
        Model = Pool().get(model)
        with self._as(user):
            return Model.search([])

    @with_transaction()
    def test_staff_see_only_their_estates(self):
        "Staff see only the estates they manage or are assigned to"
        estates, users = self._setup()
        for role in ROLES:
            visible = self._visible(users[role], 'property.estate')
            self.assertEqual(
                [e.id for e in visible], [estates['A'].id], msg=role)
        visible = self._visible(users['manager_b'], 'property.estate')
        self.assertEqual([e.id for e in visible], [estates['B'].id])

    @with_transaction()
    def test_estate_rule_follows_buildings_and_units(self):
        "Buildings, units and occupancies follow the estate rule"
        estates, users = self._setup()
        for model in ['property.building', 'property.unit',
                'property.occupancy']:
            visible = self._visible(users['manager_b'], model)
            self.assertTrue(visible, msg=model)
            for record in visible:
                estate = (record.unit.estate if model == 'property.occupancy'
                    else record.estate)
                self.assertEqual(estate, estates['B'], msg=model)

    @with_transaction()
    def test_admin_sees_all_estates_of_company(self):
        "Property administrators see every estate of their companies only"
        estates, users = self._setup()
        visible = self._visible(users['admin'], 'property.estate')
        self.assertEqual(
            sorted(e.code for e in visible), ['A', 'B'])

    @with_transaction()
    def test_reading_other_estate_by_id_refused(self):
        "Reading a record of another estate by its id is refused"
        pool = Pool()
        Estate = pool.get('property.estate')
        estates, users = self._setup()
        with self._as(users['manager_b']):
            with self.assertRaises(AccessError):
                Estate.read([estates['A'].id], ['name'])

    @with_transaction()
    def test_guard_and_technician_cannot_read_occupancies(self):
        "Guards and technicians do not see who lives where (R12)"
        pool = Pool()
        Occupancy = pool.get('property.occupancy')
        _, users = self._setup()
        for role in ['guard', 'technician']:
            with self._as(users[role]):
                with self.assertRaises(AccessError, msg=role):
                    Occupancy.search([])
        for role in ['manager', 'clerk', 'accountant', 'archivist']:
            self.assertTrue(self._visible(users[role], 'property.occupancy'),
                msg=role)

    @with_transaction()
    def test_only_managers_edit_units(self):
        "A clerk reads units but may not change or delete them"
        pool = Pool()
        Unit = pool.get('property.unit')
        estates, users = self._setup()
        unit, = Unit.search([('estate', '=', estates['A'].id)])
        with self._as(users['clerk']):
            self.assertEqual(Unit.search([]), [unit])
            with self.assertRaises(AccessError):
                Unit.write([Unit(unit.id)], {'building_area': Decimal(1)})
        with self._as(users['manager']):
            Unit.write([Unit(unit.id)], {'building_area': Decimal('90')})
        self.assertEqual(Unit(unit.id).building_area, Decimal('90'))

    @with_transaction()
    def test_manager_cannot_create_unit_in_other_estate(self):
        "A manager cannot put a unit into an estate they do not manage"
        pool = Pool()
        Unit = pool.get('property.unit')
        estates, users = self._setup()
        building = estates['B'].buildings[0]
        with self._as(users['manager']):
            with self.assertRaises(AccessError):
                Unit.create([{
                            'building': building.id, 'number': '0202',
                            'building_area': Decimal('70')}])

    @with_transaction()
    def test_clerk_moves_tenant_out(self):
        "A clerk can end an occupancy with the Move Out button"
        pool = Pool()
        Occupancy = pool.get('property.occupancy')
        estates, users = self._setup()
        occupancy, = Occupancy.search([('unit.estate', '=', estates['A'].id)])
        with self._as(users['clerk']):
            Occupancy.move_out([Occupancy(occupancy.id)])
        self.assertIsNotNone(Occupancy(occupancy.id).end_date)

    @with_transaction()
    def test_assignment_change_updates_visibility(self):
        "Assigning an employee to another estate widens what they see"
        pool = Pool()
        Estate = pool.get('property.estate')
        estates, users = self._setup()
        clerk = users['clerk']
        self.assertEqual(len(self._visible(clerk, 'property.estate')), 1)
        Estate.write([estates['B']], {
                'staff': [('add', [clerk.employee.id])]})
        self.assertEqual(len(self._visible(clerk, 'property.estate')), 2)

    def _tickets(self, estates, users):
        "An open ticket per estate; the one of A assigned to the technician"
        pool = Pool()
        Ticket = pool.get('property.ticket')
        tickets = {}
        for code in ['A', 'B']:
            estate = estates[code]
            unit = estate.units[0]
            ticket, = Ticket.create([{
                        'company': estate.company.id,
                        'estate': estate.id, 'unit': unit.id,
                        'type': 'repair', 'channel': 'phone',
                        'description': f"漏水 {code}",
                        }])
            Ticket.submit([ticket])
            tickets[code] = ticket
        Ticket.write([tickets['A']], {
                'assignee': users['technician'].employee.id})
        Ticket.assign([tickets['A']])
        ticket, = Ticket.create([{
                    'company': estates['A'].company.id,
                    'estate': estates['A'].id,
                    'type': 'consultation', 'channel': 'counter',
                    'description': "咨询停车",
                    }])
        tickets['A2'] = ticket
        return tickets

    @with_transaction()
    def test_tickets_per_estate(self):
        "Clerks and managers see the tickets of their estates only"
        estates, users = self._setup()
        tickets = self._tickets(estates, users)
        for role in ['clerk', 'manager']:
            visible = self._visible(users[role], 'property.ticket')
            self.assertEqual(
                {t.id for t in visible},
                {tickets['A'].id, tickets['A2'].id}, msg=role)
        visible = self._visible(users['manager_b'], 'property.ticket')
        self.assertEqual([t.id for t in visible], [tickets['B'].id])
        visible = self._visible(users['admin'], 'property.ticket')
        self.assertEqual(len(visible), 3)

    @with_transaction()
    def test_technician_sees_assigned_tickets(self):
        "A technician sees only the tickets assigned to them, read-only"
        pool = Pool()
        Ticket = pool.get('property.ticket')
        estates, users = self._setup()
        tickets = self._tickets(estates, users)
        visible = self._visible(users['technician'], 'property.ticket')
        self.assertEqual([t.id for t in visible], [tickets['A'].id])
        with self._as(users['technician']):
            with self.assertRaises(AccessError):
                Ticket.write([Ticket(tickets['A'].id)], {
                        'resolution': "换了阀门"})
            # but the technician may start and resolve their ticket
            Ticket.start([Ticket(tickets['A'].id)])
        self.assertEqual(Ticket(tickets['A'].id).state, 'in_progress')

    @with_transaction()
    def test_guard_reports_but_does_not_read_owners_requests(self):
        "A guard reports a ticket and sees only the tickets they reported"
        pool = Pool()
        Ticket = pool.get('property.ticket')
        estates, users = self._setup()
        tickets = self._tickets(estates, users)
        guard = users['guard']
        with self._as(guard), Transaction().set_context(
                employee=guard.employee.id):
            report, = Ticket.create([{
                        'estate': estates['A'].id,
                        'type': 'other', 'channel': 'inspection',
                        'description': "巡逻发现3栋消防通道堵塞",
                        }])
            Ticket.submit([report])
            self.assertEqual(
                [t.id for t in Ticket.search([])], [report.id])
            with self.assertRaises(AccessError):
                Ticket.read([tickets['A'].id], ['description'])
            with self.assertRaises(AccessError):
                Ticket.write([report], {'description': "改"})
            with self.assertRaises(AccessError):
                Ticket.create([{
                            'estate': estates['B'].id,
                            'type': 'other', 'channel': 'inspection',
                            'description': "不是我的小区",
                            }])

    @with_transaction()
    def test_accountant_and_archivist_see_no_tickets(self):
        "Roles without a part in the service desk cannot read tickets"
        pool = Pool()
        Ticket = pool.get('property.ticket')
        estates, users = self._setup()
        self._tickets(estates, users)
        for role in ['accountant', 'archivist']:
            with self._as(users[role]):
                with self.assertRaises(AccessError, msg=role):
                    Ticket.search([])

    @with_transaction()
    def test_technician_sees_only_own_work_orders(self):
        "A technician sees and works only on their own work orders"
        pool = Pool()
        WorkOrder = pool.get('property.work_order')
        Ticket = pool.get('property.ticket')
        estates, users = self._setup()
        tickets = self._tickets(estates, users)
        own, other = WorkOrder.create([{
                    'company': estates['A'].company.id,
                    'ticket': tickets['A'].id,
                    'technician': users['technician'].employee.id,
                    }, {
                    'company': estates['A'].company.id,
                    'ticket': tickets['A'].id,
                    'technician': users['manager'].employee.id,
                    }])
        visible = self._visible(users['technician'], 'property.work_order')
        self.assertEqual([o.id for o in visible], [own.id])
        with self._as(users['technician']):
            with self.assertRaises(AccessError):
                WorkOrder.read([other.id], ['description'])
            WorkOrder.start([WorkOrder(own.id)])
            with self.assertRaises(AccessError):
                WorkOrder.start([WorkOrder(other.id)])
        self.assertEqual(WorkOrder(own.id).state, 'in_progress')
        self.assertEqual(Ticket(tickets['A'].id).state, 'in_progress')
        # the clerk and the accountant of the estate see both, B's manager none
        for role in ['clerk', 'accountant']:
            self.assertEqual(
                len(self._visible(users[role], 'property.work_order')), 2,
                msg=role)
        self.assertEqual(
            self._visible(users['manager_b'], 'property.work_order'), [])
        with self._as(users['guard']):
            with self.assertRaises(AccessError):
                WorkOrder.search([])

    @with_transaction()
    def test_kpi_follows_estates(self):
        "The KPI board and the load per person show the user's estates only"
        estates, users = self._setup()
        self._tickets(estates, users)
        for model in ['property.ticket.kpi', 'property.ticket.load']:
            visible = self._visible(users['manager_b'], model)
            self.assertTrue(
                all(r.estate == estates['B'] for r in visible), msg=model)
        kpis = self._visible(users['clerk'], 'property.ticket.kpi')
        self.assertEqual([k.estate for k in kpis], [estates['A']])
        with self._as(users['technician']):
            with self.assertRaises(AccessError):
                Pool().get('property.ticket.kpi').search([])


    def _owner(self, estate):
        Party = Pool().get('party.party')
        owner, = Party.search([('name', '=', f"Owner {estate.code}")])
        return owner

    @with_transaction()
    def test_people_scoped_to_estates(self):
        "Staff see the people of their estates only, with their phones"
        pool = Pool()
        Party = pool.get('party.party')
        Mechanism = pool.get('party.contact_mechanism')
        Occupancy = pool.get('property.occupancy')
        estates, users = self._setup()
        owner_a, owner_b = self._owner(estates['A']), self._owner(estates['B'])
        with self._as(users['manager_b']):
            names = {p.name for p in Party.search([])}
            self.assertIn("Owner B", names)
            self.assertNotIn("Owner A", names)
            # companies and staff stay visible
            self.assertIn("Employee clerk", names)
            self.assertEqual(Mechanism.search([
                        ('party.property_units.estate', '=',
                            estates['A'].id)]), [])
            self.assertNotIn(PHONES['A'], str(Mechanism.search_read(
                        [], fields_names=['value_compact'])))
            for Model, record in [(Party, owner_a),
                    (Mechanism, owner_a.contact_mechanisms[0])]:
                with self.assertRaises(AccessError):
                    Model.read([record.id], ['rec_name'])
        with self._as(users['clerk']):
            self.assertEqual(Mechanism.read(
                    [owner_a.contact_mechanisms[0].id], ['value_compact'])[0][
                    'value_compact'], '+8613800138000')
            with self.assertRaises(AccessError):
                Mechanism.read(
                    [owner_b.contact_mechanisms[0].id], ['value_compact'])
        # an owner in both estates: B's manager sees B's unit only
        unit_a = estates['A'].units[0]
        Occupancy.create([{'unit': estates['B'].units[0].id,
                    'party': owner_a.id, 'role': 'tenant'}])
        with self._as(users['manager_b']):
            units = Party.read([owner_a.id], ['property_units'])[0][
                'property_units']
            self.assertEqual(list(units), [estates['B'].units[0].id])
        with self._as(users['admin']):
            self.assertEqual(len(Party.search([('name', 'like', 'Owner %')])), 3)
            self.assertIn(unit_a.id, Party.read(
                    [owner_a.id], ['property_units'])[0]['property_units'])

    @with_transaction()
    def test_guard_and_technician_do_not_learn_who_lives_where(self):
        "Unit owners and residents, a party's units: denied, not searchable"
        pool = Pool()
        Party = pool.get('party.party')
        Unit = pool.get('property.unit')
        estates, users = self._setup()
        owner = self._owner(estates['A'])
        unit = estates['A'].units[0]
        for role in ['guard', 'technician']:
            with self._as(users[role]):
                self.assertEqual(Unit.read([unit.id], ['code'])[0]['code'],
                    unit.code, msg=role)
                for field in ['owners', 'owner_names', 'residents']:
                    with self.assertRaises(AccessError, msg=field):
                        Unit.read([unit.id], [field])
                with self.assertRaises(AccessError, msg=role):
                    Party.read([owner.id], ['property_units'])
                with self.assertRaises(AccessError, msg=role):
                    Unit.search([('owners', '=', owner.id)])
                self.assertEqual(
                    Unit.search([('rec_name', 'ilike', 'Owner A')]), [],
                    msg=role)
                self.assertNotIn('owner_names',
                    Unit.fields_view_get(view_type='tree')['fields'])
        with self._as(users['manager']):
            self.assertEqual(
                Unit.search([('rec_name', 'ilike', 'Owner A')]), [unit])
            self.assertEqual(Unit.read([unit.id], ['owner_names'])[0][
                    'owner_names'], "Owner A")

    @with_transaction()
    def test_phone_search_any_format(self):
        "A phone number is found however it is typed"
        pool = Pool()
        Party = pool.get('party.party')
        Mechanism = pool.get('party.contact_mechanism')
        estates, users = self._setup()
        owner = self._owner(estates['A'])
        self.assertEqual(
            owner.contact_mechanisms[0].value, '+86 138 0013 8000')
        with self._as(users['clerk']):
            for text in ['138-0013-8000', '+8613800138000', '13800138000',
                    '138 0013 8000', '%0013-8000%']:
                self.assertEqual(
                    Party.search([('rec_name', 'ilike', text)]), [owner],
                    msg=text)
        with self.assertRaises(UserError):
            Mechanism.create([{
                        'party': owner.id, 'type': 'mobile',
                        'value': '1380013'}])

    def test_name_search_drops_denied_branches_at_any_depth(self):
        "Modules that extend the party's name search nest it: still dropped"
        from trytond.modules.property_service.party import _without_leaves
        leaf = ('contact_mechanisms.rec_name', 'ilike', '%5678%')
        domain = ['OR', ['OR', ('code', 'ilike', '%5678%'), leaf],
            ('bank_accounts.numbers.rec_name', 'ilike', '%5678%')]
        self.assertEqual(_without_leaves(domain, {leaf[0]}), ['OR',
                ['OR', ('code', 'ilike', '%5678%')],
                ('bank_accounts.numbers.rec_name', 'ilike', '%5678%')])

    @with_transaction()
    def test_personal_data_reads_are_logged(self):
        "Staff reads of phones and ID numbers are logged; few read the log"
        pool = Pool()
        Mechanism = pool.get('party.contact_mechanism')
        Identifier = pool.get('party.identifier')
        Access = pool.get('property.personal_data.access')
        estates, users = self._setup()
        owner = self._owner(estates['A'])
        mechanism, = owner.contact_mechanisms
        identifier, = owner.identifiers
        # reads by code (no access checks) are not staff reads
        self.assertTrue(mechanism.value)
        self.assertEqual(Access.search([]), [])
        with self._as(users['clerk']):
            Mechanism.read([mechanism.id], ['value', 'type'])
            Identifier.search_read([], fields_names=['code'])
            with self.assertRaises(AccessError):
                Access.search([])
        logs = Access.search([], order=[('id', 'ASC')])
        self.assertEqual(
            [(a.user, a.party, a.model, a.record, a.field_names)
                for a in logs],
            [(users['clerk'], owner, 'party.contact_mechanism',
                    mechanism.id, 'value'),
                (users['clerk'], owner, 'party.identifier',
                    identifier.id, 'code')])
        self.assertTrue(all(a.date for a in logs))
        for role, count in [('manager', 2), ('archivist', 2), ('admin', 2),
                ('manager_b', 0)]:
            with self._as(users[role]):
                self.assertEqual(len(Access.search([])), count, msg=role)
        with self._as(users['manager']):
            for method, args in [('write', ([logs[0]], {'field_names': ''})),
                    ('delete', (logs,)),
                    ('create', ([{'field_names': 'x'}],))]:
                with self.assertRaises(AccessError, msg=method):
                    getattr(Access, method)(*args)


del _DBTestCase
