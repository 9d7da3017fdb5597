# This file is part of the property service suite. See README.md.
"""The owner portal over HTTP: login, pages, JSON endpoints and isolation.
Every route is tried with another owner's ids (IDOR), without a session,
with an expired session and with a tampered cookie."""
import datetime as dt
import re
from decimal import Decimal

from trytond.pool import Pool
from trytond.tests.test_tryton import RouteTestCase
from trytond.transaction import Transaction

from .tools import create_estate

OWNERS = {
    # email: (party name, password, unit number, role, moved out)
    'wang@example.com': ("王秀英", 'secret-wang', '0101', 'owner', False),
    'li@example.com': ("李建国", 'secret-li', '0102', 'owner', False),
    'zhao@example.com': ("赵敏", 'secret-zhao', '0103', 'tenant', True),
    }


class PortalRouteTestCase(RouteTestCase):
    "Test the owner portal routes"
    module = 'property_portal'
    language = 'zh_CN'

    @classmethod
    def setUpDatabase(cls):
        pool = Pool()
        Party = pool.get('party.party')
        Unit = pool.get('property.unit')
        Occupancy = pool.get('property.occupancy')
        WebUser = pool.get('web.user')

        estate = create_estate(
            'YGHY', "阳光花园", 'A', service_phone='0571-88886666')
        today = dt.date.today()
        cls.units = {}
        for email, (name, password, number, role, moved_out) in (
                OWNERS.items()):
            party, = Party.create([{'name': name}])
            unit, = Unit.create([{
                        'building': estate.buildings[0].id, 'entrance': '1',
                        'number': number, 'building_area': Decimal('89.50')}])
            Occupancy.create([{
                        'unit': unit.id, 'party': party.id, 'role': role,
                        'share': Decimal(100) if role == 'owner' else None,
                        'start_date': today - dt.timedelta(days=400),
                        'end_date': (today - dt.timedelta(days=5)
                            if moved_out else None),
                        }])
            WebUser.create([{'email': email, 'party': party.id,
                        'email_valid': True,
                        'password_hash': WebUser.hash_password(password)}])
            cls.units[email] = unit.id

    def url(self, path):
        return f'/{self.db_name}/portal/{path}'

    def login(self, client, email):
        "Log in through the form as a browser would"
        response = client.get(self.url('login'))
        self.assertEqual(response.status_code, 200)
        token = re.search(
            r'name="csrf_token" value="([0-9a-f]+)"',
            response.get_data(as_text=True)).group(1)
        response = client.post(self.url('login'), data={
                'email': email, 'password': OWNERS[email][1],
                'csrf_token': token})
        self.assertEqual(response.status_code, 303)
        self.assertTrue(response.headers['Location'].endswith('/dashboard'))
        return client

    def api_session(self, client, email):
        response = client.post(self.url('api/login'), json={
                'email': email, 'password': OWNERS[email][1]})
        self.assertEqual(response.status_code, 200)
        return response.json['session']

    def test_login_shows_own_units_only(self):
        "An owner logs in and sees her unit, not her neighbour's"
        client = self.login(self.client(), 'wang@example.com')
        response = client.get(self.url('dashboard'))
        page = response.get_data(as_text=True)
        self.assertEqual(response.status_code, 200)
        self.assertIn('我的房屋', page)
        self.assertIn('A-1-0101', page)
        self.assertIn('0571-88886666', page)
        self.assertNotIn('A-1-0102', page)
        self.assertNotIn('李建国', page)
        self.assertEqual(response.headers['X-Frame-Options'], 'DENY')
        self.assertIn('HttpOnly', client.get_cookie(
                'portal_session', path=f'/{self.db_name}/portal/')
            and 'HttpOnly' or '')

    def test_wrong_password_and_unknown_email_same_answer(self):
        "A failed login does not tell whether the email exists"
        answers = []
        for email in ['wang@example.com', 'nobody@example.com']:
            client = self.client()
            page = client.get(self.url('login')).get_data(as_text=True)
            token = re.search(r'name="csrf_token" value="([0-9a-f]+)"',
                page).group(1)
            response = client.post(self.url('login'), data={
                    'email': email, 'password': 'wrong-password',
                    'csrf_token': token})
            self.assertEqual(response.status_code, 401)
            self.assertIsNone(client.get_cookie(
                    'portal_session', path=f'/{self.db_name}/portal/'))
            # the same page but for the per-browser CSRF token
            answers.append(re.sub(r'value="[0-9a-f]{32}"', 'value=""',
                    response.get_data(as_text=True)))
        self.assertIn('邮箱或密码错误', answers[0])
        self.assertEqual(answers[0], answers[1])

    def test_login_without_csrf_refused(self):
        "A login form posted from elsewhere (no CSRF token) is refused"
        client = self.client()
        response = client.post(self.url('login'), data={
                'email': 'wang@example.com',
                'password': OWNERS['wang@example.com'][1]})
        self.assertEqual(response.status_code, 403)
        self.assertIsNone(client.get_cookie(
                'portal_session', path=f'/{self.db_name}/portal/'))

    def test_other_owner_unit_not_found(self):
        "Another owner's unit answers like a unit that does not exist"
        client = self.login(self.client(), 'wang@example.com')
        own = client.get(self.url('units/%d' % self.units['wang@example.com']))
        self.assertEqual(own.status_code, 200)
        self.assertIn('A-1-0101', own.get_data(as_text=True))
        other = client.get(self.url('units/%d' % self.units['li@example.com']))
        missing = client.get(self.url('units/999999'))
        self.assertEqual(other.status_code, 404)
        self.assertEqual(missing.status_code, 404)
        self.assertEqual(other.get_data(), missing.get_data())
        self.assertNotIn('A-1-0102', other.get_data(as_text=True))

    def test_ids_beyond_the_database_not_found(self):
        "Ids of 2^63 and more answer 404 like unknown ids, not a 500"
        client = self.login(self.client(), 'wang@example.com')
        headers = {'Authorization': 'Bearer ' + self.api_session(
                self.client(), 'wang@example.com')}
        missing = client.get(self.url('units/999999')).get_data()
        for big in [2 ** 63 - 1, 2 ** 63, 2 ** 64, 10 ** 30]:
            for path in ['units/%d', 'requests/%d', 'requests/1/photos/%d',
                    'bills/%d', 'bills/%d/pdf', 'notices/%d',
                    'visitors/%d']:
                response = client.get(self.url(path % big))
                self.assertEqual(response.status_code, 404, msg=path)
                if path == 'units/%d':
                    self.assertEqual(response.get_data(), missing)
            for path in ['api/units/%d', 'api/requests/%d', 'api/bills/%d',
                    'api/notices/%d', 'api/visitors/%d']:
                response = client.get(self.url(path % big), headers=headers)
                self.assertEqual(response.status_code, 404, msg=path)
                self.assertEqual(response.json, {'error': 'not found'})

    def test_pages_need_a_session(self):
        "Without a session, or with a tampered one, pages go to the login"
        for cookie in [None, 'f' * 64, 'not-a-session']:
            client = self.client()
            if cookie:
                client.set_cookie('portal_session', cookie,
                    path=f'/{self.db_name}/portal/')
            for path in ['dashboard', 'profile', 'units/%d'
                    % self.units['wang@example.com']]:
                response = client.get(self.url(path))
                self.assertEqual(response.status_code, 303, msg=path)
                self.assertTrue(
                    response.headers['Location'].endswith('/login'))

    def test_api_isolation(self):
        "The JSON endpoints answer only the owner's data"
        client = self.client()
        session = self.api_session(client, 'li@example.com')
        headers = {'Authorization': f'Bearer {session}'}
        units = client.get(self.url('api/units'), headers=headers).json
        self.assertEqual([u['code'] for u in units], ['A-1-0102'])
        self.assertEqual(units[0]['building_area'], Decimal('89.50'))
        me = client.get(self.url('api/me'), headers=headers).json
        self.assertEqual([p['name'] for p in me['parties']], ["李建国"])
        other = client.get(self.url('api/units/%d'
                % self.units['wang@example.com']), headers=headers)
        self.assertEqual(other.status_code, 404)
        self.assertEqual(other.json, {'error': 'not found'})
        own = client.get(self.url('api/units/%d'
                % self.units['li@example.com']), headers=headers)
        self.assertEqual(own.json['household'],
            [{'name': "李建国", 'role': 'owner'}])
        for bad in [None, 'Bearer ', 'Bearer ' + 'a' * 64, session]:
            response = client.get(self.url('api/units'),
                headers={'Authorization': bad} if bad else {})
            self.assertEqual(response.status_code, 401, msg=bad)

    def test_api_login_bad_input(self):
        "The JSON login refuses malformed input without a server error"
        client = self.client()
        for body in [{}, {'email': 'li@example.com'}, [], {'email': 1,
                    'password': 2}]:
            response = client.post(self.url('api/login'), json=body)
            self.assertEqual(response.status_code, 400, msg=body)
        response = client.post(self.url('api/login'), data='not json',
            content_type='application/json')
        self.assertEqual(response.status_code, 400)

    def test_expired_session_refused(self):
        "A session older than the web session timeout no longer works"
        client = self.client()
        session = self.api_session(client, 'wang@example.com')
        headers = {'Authorization': f'Bearer {session}'}
        self.assertEqual(
            client.get(self.url('api/units'), headers=headers).status_code,
            200)
        with Transaction().start(self.db_name, 0):
            Session = Pool().get('web.user.session')
            table = Session.__table__()
            cursor = Transaction().connection.cursor()
            old = dt.datetime.now() - Session.timeout() - dt.timedelta(
                hours=1)
            cursor.execute(*table.update(
                    [table.create_date, table.write_date], [old, old],
                    where=table.key == session))
        self.assertEqual(
            client.get(self.url('api/units'), headers=headers).status_code,
            401)

    def test_former_tenant_loses_access(self):
        "A tenant who moved out still logs in but no longer sees the unit"
        client = self.login(self.client(), 'zhao@example.com')
        page = client.get(self.url('dashboard')).get_data(as_text=True)
        self.assertNotIn('A-1-0103', page)
        self.assertIn('目前没有与您的账户关联的房屋', page)
        response = client.get(
            self.url('units/%d' % self.units['zhao@example.com']))
        self.assertEqual(response.status_code, 404)

    def test_dashboard_follows_changes(self):
        """The dashboard is kept per owner, and shows a change made by the
        staff at the next request"""
        def change(phone, area):
            with Transaction().start(self.db_name, 0):
                pool = Pool()
                Estate = pool.get('property.estate')
                Unit = pool.get('property.unit')
                estate, = Estate.search([('code', '=', 'YGHY')])
                Estate.write([estate], {'service_phone': phone})
                Unit.write([Unit(self.units['wang@example.com'])],
                    {'building_area': area})

        wang = self.login(self.client(), 'wang@example.com')
        li = self.login(self.client(), 'li@example.com')
        page = wang.get(self.url('dashboard')).get_data(as_text=True)
        self.assertIn('0571-88886666', page)
        self.assertIn('A-1-0101', page)
        try:
            change('0571-12345678', Decimal('120.30'))
            page = wang.get(self.url('dashboard')).get_data(as_text=True)
            self.assertIn('0571-12345678', page)
            self.assertNotIn('0571-88886666', page)
            self.assertIn('120.3', page)
            # the owner next door sees their own unit, never Wang's
            page = li.get(self.url('dashboard')).get_data(as_text=True)
            self.assertIn('A-1-0102', page)
            self.assertNotIn('A-1-0101', page)
            # and the English page is in English
            wang.get(self.url('language/en'))
            self.assertIn('My Units',
                wang.get(self.url('dashboard')).get_data(as_text=True))
        finally:
            change('0571-88886666', Decimal('89.50'))

    def test_logout(self):
        "Logging out needs the CSRF token and ends the session"
        client = self.login(self.client(), 'wang@example.com')
        page = client.get(self.url('dashboard')).get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([0-9a-f]+)"',
            page).group(1)
        self.assertEqual(
            client.post(self.url('logout'), data={}).status_code, 403)
        self.assertEqual(
            client.get(self.url('dashboard')).status_code, 200)
        response = client.post(self.url('logout'),
            data={'csrf_token': token})
        self.assertEqual(response.status_code, 303)
        self.assertEqual(client.get(self.url('dashboard')).status_code, 303)

    def test_english_switch(self):
        "Chinese by default, English on request"
        client = self.login(self.client(), 'wang@example.com')
        self.assertIn('我的房屋',
            client.get(self.url('dashboard')).get_data(as_text=True))
        response = client.get(self.url('language/en'))
        self.assertEqual(response.status_code, 303)
        page = client.get(self.url('dashboard')).get_data(as_text=True)
        self.assertIn('My Units', page)
        self.assertIn('lang="en"', page)
        self.assertEqual(
            client.get(self.url('language/fr')).status_code, 404)


class PortalNotActivatedTestCase(RouteTestCase):
    "Portal routes of a database without the portal module answer 404"
    module = 'property_service'

    def test_not_activated(self):
        client = self.client()
        for path in ['', 'login', 'dashboard', 'api/units']:
            response = client.get(f'/{self.db_name}/portal/{path}')
            self.assertEqual(response.status_code, 404, msg=path)
            self.assertNotIn('Traceback', response.get_data(as_text=True))


del RouteTestCase
