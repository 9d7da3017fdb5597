# This file is part of the property service suite. See README.md.
"""Access of guards, clerks and managers to the security records, per
estate, enforced by ir.model.access, ir.rule, ir.model.button and
ir.model.field.access (R12)."""
import datetime as dt
from contextlib import contextmanager
from decimal import Decimal

from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError
from trytond.model.modelview import AccessButtonError
from trytond.modules.company.tests import create_company, create_employee
from trytond.pool import Pool
from trytond.tests.test_tryton import _DBTestCase, with_transaction
from trytond.transaction import Transaction

NOW = dt.datetime(2026, 11, 20, 22, 0)


class SecurityAccessTestCase(_DBTestCase):
    "Test access rules of the security module"
    module = 'property_security'

    def _setup(self):
        "Estates A and B of one company; users per role; records in both"
        pool = Pool()
        Estate = pool.get('property.estate')
        Unit = pool.get('property.unit')
        Party = pool.get('party.party')
        Occupancy = pool.get('property.occupancy')
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        Checkpoint = pool.get('property.patrol.checkpoint')
        Route = pool.get('property.patrol.route')
        Round = pool.get('property.patrol.round')
        Visitor = pool.get('property.visitor')
        Incident = pool.get('property.incident')

        company = create_company()
        self.company = company
        users, employees = {}, {}
        for role in ['guard', 'guard_b', 'clerk', 'manager', 'manager_b',
                'technician']:
            group = ModelData.get_id(
                'property_service', f'group_property_{role.split("_")[0]}')
            employee = create_employee(company, name=f"Employee {role}")
            user, = User.create([{
                        'name': role, 'login': f'user_{role}',
                        'groups': [('add', [group])],
                        'companies': [('add', [company.id])],
                        'company': company.id,
                        'employees': [('add', [employee.id])],
                        'employee': employee.id,
                        }])
            users[role], employees[role] = user, employee

        estates, rounds, visitors, incidents = {}, {}, {}, {}
        for code in ['A', 'B']:
            suffix = '' if code == 'A' else '_b'
            estate, = Estate.create([{
                        'company': company.id, 'code': code,
                        'name': f"Estate {code}",
                        'manager': employees['manager' + suffix].id,
                        'staff': [('add', [employees['guard' + suffix].id]
                                + ([employees['clerk'].id,
                                        employees['technician'].id]
                                    if code == 'A' else []))],
                        'buildings': [('create', [{
                                        'code': '1', 'name': "1栋"}])],
                        }])
            unit, = Unit.create([{
                        'building': estate.buildings[0].id,
                        'number': '0101', 'building_area': Decimal('88')}])
            owner, = Party.create([{
                        'name': f"Owner {code}",
                        'contact_mechanisms': [('create', [{
                                        'type': 'mobile',
                                        'value': '13912345678'}])],
                        'identifiers': [('create', [{
                                        'type': None,
                                        'code': '330102199001011234'}])],
                        }])
            Occupancy.create([{
                        'unit': unit.id, 'party': owner.id, 'role': 'owner',
                        'share': Decimal(100)}])
            checkpoints = Checkpoint.create([{
                        'estate': estate.id, 'code': f'{code}-{i}',
                        'name': f"Point {i}"} for i in range(3)])
            route, = Route.create([{
                        'estate': estate.id, 'name': "Night",
                        'lines': [('create', [{
                                        'checkpoint': c.id, 'offset': i * 10}
                                    for i, c in enumerate(checkpoints)])],
                        }])
            rounds[code], = Round.create([{
                        'estate': estate.id, 'route': route.id,
                        'guard': employees['guard' + suffix].id,
                        'planned_start': NOW,
                        'planned_end': NOW + dt.timedelta(hours=1),
                        }])
            visitors[code], = Visitor.create([{
                        'estate': estate.id, 'name': f"Visitor {code}",
                        'host_unit': unit.id, 'host_party': owner.id,
                        'valid_from': NOW,
                        'valid_to': NOW + dt.timedelta(hours=4),
                        }])
            incidents[code], = Incident.create([{
                        'estate': estate.id, 'type': 'theft',
                        'severity': 'low', 'name': "Bicycle stolen",
                        'place': "Gate", 'occurred_at': NOW,
                        }])
            estates[code] = estate
            if code == 'A':
                self.owner = owner
        return estates, users, rounds, visitors, incidents

    @contextmanager
    def _as(self, user):
        "Act as user with access checks, like a client request"
        transaction = Transaction()
        with transaction.set_user(user.id), transaction.set_context(
                _check_access=True, company=user.company.id,
                companies=[c.id for c in user.companies],
                _security_now=NOW + dt.timedelta(minutes=5)):
            yield

    def _search(self, user, model):
        Model = Pool().get(model)
        with self._as(user):
            return Model.search([])

    @with_transaction()
    def test_guard_sees_own_estates_only(self):
        "Guards see rounds, visitors and incidents of their estates only"
        estates, users, rounds, visitors, incidents = self._setup()
        for model, records in [
                ('property.patrol.round', rounds),
                ('property.visitor', visitors),
                ('property.incident', incidents)]:
            self.assertEqual(
                self._search(users['guard'], model), [records['A']],
                msg=model)
            self.assertEqual(
                self._search(users['guard_b'], model), [records['B']],
                msg=model)

    @with_transaction()
    def test_guard_cannot_read_other_estate_by_id(self):
        "Reading or scanning a round of another estate by id is refused"
        pool = Pool()
        Round = pool.get('property.patrol.round')
        Incident = pool.get('property.incident')
        _, users, rounds, _, incidents = self._setup()
        with self._as(users['guard']):
            with self.assertRaises(AccessError):
                Round.read([rounds['B'].id], ['state'])
            with self.assertRaises(AccessError):
                Round.scan('B-0', rounds['B'].id)
            with self.assertRaises(AccessError):
                Incident.write([Incident(incidents['B'].id)], {'name': "x"})

    @with_transaction()
    def test_guard_records_rounds_visitors_incidents(self):
        "A guard scans, registers visitors and reports incidents"
        pool = Pool()
        Round = pool.get('property.patrol.round')
        Visitor = pool.get('property.visitor')
        Incident = pool.get('property.incident')
        estates, users, rounds, _, _ = self._setup()
        with self._as(users['guard']):
            result = Round.scan('A-0')
            self.assertEqual(result['round'], rounds['A'].id)
            visitor = Visitor.register_at_gate({
                    'estate': estates['A'].id, 'name': "快递员",
                    'purpose': 'delivery'})
            self.assertEqual(visitor.state, 'checked_in')
            incident, = Incident.create([{
                        'estate': estates['A'].id, 'type': 'suspicious',
                        'severity': 'medium', 'name': "Stranger",
                        'place': "Car park", 'occurred_at': NOW}])
            Incident.report([incident])
            # but not in another estate, and not deleting history
            with self.assertRaises(AccessError):
                Incident.create([{
                            'estate': estates['B'].id, 'type': 'other',
                            'severity': 'low', 'name': "x", 'place': "x",
                            'occurred_at': NOW}])
            with self.assertRaises(AccessError):
                Incident.delete([incident])

    @with_transaction()
    def test_guard_cannot_change_routes_or_drills(self):
        "Guards read routes and drills but do not plan them"
        pool = Pool()
        Route = pool.get('property.patrol.route')
        Drill = pool.get('property.drill')
        estates, users, rounds, _, _ = self._setup()
        with self._as(users['guard']):
            route, = Route.search([])
            with self.assertRaises(AccessError):
                Route.write([route], {'name': "Changed"})
            with self.assertRaises(AccessError):
                Drill.create([{
                            'estate': estates['A'].id, 'name': "x",
                            'planned_date': NOW.date()}])

    @with_transaction()
    def test_clerk_sees_visitors_not_patrols(self):
        "Clerks register visitors but see no patrol or incident"
        pool = Pool()
        Visitor = pool.get('property.visitor')
        estates, users, _, visitors, _ = self._setup()
        self.assertEqual(
            self._search(users['clerk'], 'property.visitor'),
            [visitors['A']])
        with self._as(users['clerk']):
            visitor = Visitor.pre_register({
                    'estate': estates['A'].id, 'name': "Guest",
                    'valid_from': NOW, 'valid_to': NOW + dt.timedelta(
                        hours=2)})
            self.assertTrue(visitor.pre_registered)
        for model in ['property.patrol.round', 'property.incident',
                'property.safety.inspection']:
            with self._as(users['clerk']):
                with self.assertRaises(AccessError, msg=model):
                    Pool().get(model).search([])

    @with_transaction()
    def test_technician_sees_no_visitors(self):
        "Technicians do not see who visits whom"
        _, users, _, _, _ = self._setup()
        with self.assertRaises(AccessError):
            self._search(users['technician'], 'property.visitor')

    @with_transaction()
    def test_manager_sees_everything_of_own_estate(self):
        "Managers see all security records of their estates only"
        estates, users, rounds, visitors, incidents = self._setup()
        for model, records in [
                ('property.patrol.round', rounds),
                ('property.visitor', visitors),
                ('property.incident', incidents)]:
            self.assertEqual(
                self._search(users['manager'], model), [records['A']],
                msg=model)
            self.assertEqual(
                self._search(users['manager_b'], model), [records['B']],
                msg=model)

    @with_transaction()
    def test_closed_round_is_final_except_reopen_by_manager(self):
        "Nobody edits a closed round; only a manager may reopen it"
        pool = Pool()
        Round = pool.get('property.patrol.round')
        _, users, rounds, _, _ = self._setup()
        round_ = rounds['A']
        with self._as(users['guard']):
            Round.close([Round(round_.id)])
            with self.assertRaises(UserError):
                Round.write([Round(round_.id)], {'notes': "later"})
            with self.assertRaises(AccessButtonError):
                Round.reopen([Round(round_.id)])
        with self._as(users['manager']):
            with self.assertRaises(UserError):
                Round.write([Round(round_.id)], {'notes': "later"})
            Round.reopen([Round(round_.id)])
        self.assertEqual(Round(round_.id).state, 'in_progress')

    @with_transaction()
    def test_guard_never_sees_owner_phone_or_id(self):
        "Guards read only masked phone numbers and ID numbers (R12)"
        pool = Pool()
        Party = pool.get('party.party')
        Mechanism = pool.get('party.contact_mechanism')
        Identifier = pool.get('party.identifier')
        _, users, _, _, _ = self._setup()
        owner = self.owner
        mechanism, = owner.contact_mechanisms
        identifier, = owner.identifiers
        with self._as(users['guard']):
            self.assertEqual(Party.read([owner.id], ['name'])[0]['name'],
                "Owner A")
            for Model, record, field in [
                    (Mechanism, mechanism, 'value'),
                    (Mechanism, mechanism, 'rec_name'),
                    (Party, owner, 'mobile'),
                    (Identifier, identifier, 'code')]:
                with self.assertRaises(AccessError, msg=field):
                    Model.read([record.id], [field])
            self.assertEqual(
                Mechanism.read([mechanism.id], ['masked_value'])[0][
                    'masked_value'], '**********5678')
            self.assertEqual(
                Identifier.read([identifier.id], ['masked_code'])[0][
                    'masked_code'], '**************1234')
            view = Mechanism.fields_view_get(view_type='tree')
            self.assertNotIn('value', view['fields'])
            self.assertIn('masked_value', view['fields'])
        for role in ['manager', 'clerk']:
            with self._as(users[role]):
                self.assertEqual(
                    Mechanism.read([mechanism.id], ['value'])[0]['value'],
                    '+86 139 1234 5678', msg=role)

    @with_transaction()
    def test_guard_cannot_find_people_by_phone_or_id(self):
        "A guard cannot confirm phone or ID numbers by searching (R12)"
        pool = Pool()
        Party = pool.get('party.party')
        Identifier = pool.get('party.identifier')
        _, users, _, _, _ = self._setup()
        owner = self.owner
        identifier, = owner.identifiers
        searches = ['%2345678%', '139-1234-5678', '33010219900101%']
        with self._as(users['guard']):
            self.assertEqual(
                Party.search([('rec_name', 'ilike', 'Owner A')]), [owner])
            for text in searches:
                self.assertEqual(
                    Party.search([('rec_name', 'ilike', text)]), [], msg=text)
            with self.assertRaises(AccessError):
                Identifier.read([identifier.id], ['code_compact'])
            for domain in [
                    [('code_compact', 'like', '%1990%')],
                    [('party.identifiers', 'where', [
                                ('code', 'like', '%1990%')])]]:
                with self.assertRaises(AccessError, msg=domain):
                    Identifier.search(domain)
            with self.assertRaises(AccessError):
                Party.search([('contact_mechanisms', 'where', [
                                ('value_compact', 'like', '%5678')])])
        with self._as(users['manager']):
            for text in searches:
                self.assertEqual(
                    Party.search([('rec_name', 'ilike', text)]), [owner],
                    msg=text)


del _DBTestCase
