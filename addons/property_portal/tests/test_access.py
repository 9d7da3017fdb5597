# This file is part of the property service suite. See README.md.
"""Who may read and manage portal accounts (web.user) from the staff side,
as over JSON-RPC: access records, a record rule and field access."""
from contextlib import contextmanager
from decimal import Decimal

from trytond.model.exceptions import AccessError
from trytond.model.modelstorage import SizeValidationError
from trytond.modules.company.tests import create_company, create_employee
from trytond.pool import Pool
from trytond.tests.test_tryton import _DBTestCase, with_transaction
from trytond.transaction import Transaction

ROLES = ['admin', 'manager', 'clerk', 'technician', 'guard', 'accountant',
    'archivist']
SECRETS = ['password_hash', 'email_token', 'reset_password_token']
# models of web_user and res the platform leaves without any access record
INTERNAL = ['web.user.session', 'web.user.authenticate.attempt',
    'web.user.device', 'res.user.login.attempt', 'res.user.device']


class PortalAccessTestCase(_DBTestCase):
    "Test staff access to portal accounts"
    module = 'property_portal'

    def _setup(self):
        "Estates A and B, an owner with a portal account in each, staff of A"
        pool = Pool()
        Estate = pool.get('property.estate')
        Unit = pool.get('property.unit')
        Party = pool.get('party.party')
        Occupancy = pool.get('property.occupancy')
        User = pool.get('res.user')
        WebUser = pool.get('web.user')
        ModelData = pool.get('ir.model.data')

        company = create_company()
        owners, accounts = {}, {}
        for code in ['A', 'B']:
            estate, = Estate.create([{
                        'company': company.id, 'code': code,
                        'name': f"Estate {code}",
                        'buildings': [('create', [{
                                        'code': '1', 'name': "1栋"}])],
                        }])
            unit, = Unit.create([{
                        'building': estate.buildings[0].id, 'number': '0101',
                        'building_area': Decimal('88.00')}])
            owner, other = Party.create([
                    {'name': f"Owner {code}"}, {'name': f"Tenant {code}"}])
            Occupancy.create([{
                        'unit': unit.id, 'party': party.id, 'role': role,
                        'share': share}
                    for party, role, share in [
                        (owner, 'owner', Decimal(100)),
                        (other, 'tenant', None)]])
            account, = WebUser.create([{
                        'email': f'owner{code.lower()}@example.com',
                        'party': owner.id, 'email_valid': True,
                        'password_hash': WebUser.hash_password('secret-1'),
                        }])
            WebUser.reset_password([account])
            owners[code] = (owner, other)
            accounts[code] = account
            if code == 'A':
                estate_a = estate
        users = {}
        for role in ROLES:
            employee = create_employee(company, name=f"Employee {role}")
            users[role], = User.create([{
                        'name': role, 'login': f'user_{role}',
                        'groups': [('add', [ModelData.get_id(
                                        'property_service',
                                        f'group_property_{role}')])],
                        'companies': [('add', [company.id])],
                        'company': company.id,
                        'employees': [('add', [employee.id])],
                        'employee': employee.id,
                        }])
            if role == 'manager':
                Estate.write([estate_a], {'manager': employee.id})
            elif role != 'admin':
                Estate.write([estate_a], {'staff': [('add', [employee.id])]})
        return owners, accounts, users

    @contextmanager
    def _as(self, user_id, company=None):
        "Act as a user with access checks, like a JSON-RPC request"
        transaction = Transaction()
        context = {'_check_access': True}
        if company:
            context.update(company=company.id, companies=[company.id])
        with transaction.set_user(user_id), transaction.set_context(context):
            yield

    @with_transaction()
    def test_only_administration_and_managers_see_accounts(self):
        "Clerks, guards, technicians... neither read nor search web.user"
        pool = Pool()
        WebUser = pool.get('web.user')
        _, accounts, users = self._setup()
        for role in ['clerk', 'technician', 'guard', 'accountant',
                'archivist']:
            with self._as(users[role].id, users[role].company):
                with self.assertRaises(AccessError, msg=role):
                    WebUser.search([])
                with self.assertRaises(AccessError, msg=role):
                    WebUser.read([accounts['A'].id], ['email'])
                with self.assertRaises(AccessError, msg=role):
                    WebUser.create([{'email': 'x@example.com',
                                'party': accounts['A'].party.id}])
        with self._as(users['admin'].id, users['admin'].company):
            self.assertEqual(len(WebUser.search([])), 2)
        with self._as(users['manager'].id, users['manager'].company):
            self.assertEqual(WebUser.search([]), [accounts['A']])
            with self.assertRaises(AccessError):
                WebUser.read([accounts['B'].id], ['email'])

    @with_transaction()
    def test_nobody_reads_hashes_or_tokens(self):
        "Hash and tokens: refused to read and to search, admin included"
        pool = Pool()
        WebUser = pool.get('web.user')
        _, accounts, users = self._setup()
        token = WebUser(accounts['A'].id).reset_password_token
        self.assertTrue(token)
        # the platform's administrator (res.group_admin) and ours
        for user_id, company in [(1, None),
                (users['admin'].id, users['admin'].company),
                (users['manager'].id, users['manager'].company)]:
            with self._as(user_id, company):
                self.assertEqual(
                    WebUser.read([accounts['A'].id], ['email'])[0]['email'],
                    'ownera@example.com')
                for field in SECRETS:
                    with self.assertRaises(AccessError, msg=field):
                        WebUser.read([accounts['A'].id], [field])
                    with self.assertRaises(AccessError, msg=field):
                        WebUser.search([(field, '=', token)])
                    with self.assertRaises(AccessError, msg=field):
                        WebUser.write([WebUser(accounts['A'].id)],
                            {field: 'known'})

    @with_transaction()
    def test_manager_opens_accounts_of_own_estate_only(self):
        """A manager opens an account for a party of their estate and sends
        the validation link, not for another estate's party, and sets no
        password; property administration does both"""
        pool = Pool()
        WebUser = pool.get('web.user')
        owners, accounts, users = self._setup()
        with self._as(users['manager'].id, users['manager'].company):
            account, = WebUser.create([{'email': 'tenanta@example.com',
                        'party': owners['A'][1].id}])
            WebUser.validate_email([account])
            with self.assertRaises(AccessError):
                WebUser.create([{'email': 'tenantb@example.com',
                            'party': owners['B'][1].id}])
            with self.assertRaises(AccessError):
                WebUser.write([account], {'party': owners['B'][1].id})
            with self.assertRaises(AccessError):
                WebUser.write([account], {'password': 'chosen-by-manager'})
            with self.assertRaises(AccessError):
                WebUser.write([account], {
                        'secondary_parties': [('add', [owners['B'][0].id])]})
        self.assertTrue(WebUser(account.id).email_token)
        with self._as(users['admin'].id, users['admin'].company):
            WebUser.write([WebUser(account.id)],
                {'password': 'chosen-by-admin'})
        self.assertTrue(WebUser.check_password('chosen-by-admin',
                WebUser(account.id).password_hash)[0])

    @with_transaction()
    def test_sessions_attempts_devices_not_readable(self):
        "Session keys, login attempts and device cookies: no client reads"
        pool = Pool()
        WebUser = pool.get('web.user')
        _, accounts, users = self._setup()
        accounts['A'].new_session()
        for user_id in [1] + [u.id for u in users.values()]:
            for model in INTERNAL:
                with self._as(user_id):
                    with self.assertRaises(AccessError, msg=model):
                        pool.get(model).search([])
        self.assertTrue(WebUser.get_user(
                pool.get('web.user.session').search([])[0].key))

    @with_transaction()
    def test_staff_texts_limited_like_the_portal(self):
        "The text sizes the portal shows are the models' (staff RPC too)"
        pool = Pool()
        Ticket = pool.get('property.ticket')
        Visitor = pool.get('property.visitor')
        owners, _, users = self._setup()
        owner = owners['A'][0]
        unit = owner.occupancies[0].unit
        clerk = users['clerk']
        with self._as(clerk.id, clerk.company):
            values = {'company': clerk.company.id, 'estate': unit.estate.id,
                'unit': unit.id, 'type': 'repair', 'channel': 'phone'}
            with self.assertRaises(SizeValidationError):
                Ticket.create([{**values, 'description': '漏' * 2001}])
            Ticket.create([{**values, 'description': '漏' * 2000}])
            with self.assertRaises(SizeValidationError):
                Visitor.create([{'estate': unit.estate.id,
                            'name': '长' * 51, 'purpose': 'visit'}])


del _DBTestCase
