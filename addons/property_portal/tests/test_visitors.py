# This file is part of the property service suite. See README.md.
"""Visitor pre-registration in the owner portal: an owner announces a
visitor and gets the pass code the gate checks in; bad input is refused
with nothing written; another owner's visitors, a missing or forged
session and a tenant who moved out reach nothing."""
import datetime as dt
import re
from decimal import Decimal

from trytond.pool import Pool
from trytond.tests.test_tryton import RouteTestCase
from trytond.transaction import Transaction

from .tools import create_estate

OWNERS = {
    # email: (name, password, unit number, role)
    'wang@example.com': ("王秀英", 'secret-wang', '0101', 'owner'),
    'li@example.com': ("李建国", 'secret-li', '0102', 'owner'),
    'zhao@example.com': ("赵敏", 'secret-zhao', '0103', 'tenant'),
    }


class PortalVisitorTestCase(RouteTestCase):
    "Test visitor pre-registration in the owner portal"
    module = 'property_portal'
    language = 'zh_CN'

    @classmethod
    def setUpDatabase(cls):
        pool = Pool()
        Party = pool.get('party.party')
        Unit = pool.get('property.unit')
        Occupancy = pool.get('property.occupancy')
        WebUser = pool.get('web.user')

        estate = create_estate('YGHY', "阳光花园", 'A')
        cls.estate = estate.id
        cls.units, cls.parties, cls.occupancies = {}, {}, {}
        for email, (name, password, number, role) in OWNERS.items():
            party, = Party.create([{'name': name}])
            unit, = Unit.create([{
                        'building': estate.buildings[0].id, 'entrance': '1',
                        'number': number, 'building_area': Decimal(90)}])
            occupancy, = Occupancy.create([{
                        'unit': unit.id, 'party': party.id, 'role': role,
                        'share': Decimal(100) if role == 'owner' else None,
                        'start_date': dt.date.today() - dt.timedelta(
                            days=60)}])
            WebUser.create([{'email': email, 'party': party.id,
                        'email_valid': True,
                        'password_hash': WebUser.hash_password(password)}])
            cls.units[email] = unit.id
            cls.parties[email] = party.id
            cls.occupancies[email] = occupancy.id

    def url(self, path):
        return f'/{self.db_name}/portal/{path}'

    def login(self, email):
        client = self.client()
        page = client.get(self.url('login')).get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([0-9a-f]+)"',
            page).group(1)
        response = client.post(self.url('login'), data={'email': email,
                'password': OWNERS[email][1], 'csrf_token': token})
        self.assertEqual(response.status_code, 303)
        return client

    def api(self, email):
        client = self.client()
        response = client.post(self.url('api/login'), json={
                'email': email, 'password': OWNERS[email][1]})
        return client, {'Authorization':
            f"Bearer {response.json['session']}"}

    def token(self, client):
        page = client.get(self.url('visitors/new')).get_data(as_text=True)
        return re.search(r'name="csrf_token" value="([0-9a-f]+)"',
            page).group(1)

    def tomorrow(self):
        return (dt.date.today() + dt.timedelta(days=1)).isoformat()

    def invite(self, client, email, **values):
        data = {'name': "陈小华", 'phone': '138 0571 1234',
            'unit': str(self.units[email]), 'date': self.tomorrow(),
            'time': '10:00', 'people': '3', 'plate': '浙A 12345',
            'purpose': 'visit', 'csrf_token': self.token(client), **values}
        return client.post(self.url('visitors/new'), data=data)

    def visitors(self, name=None):
        """What the gate sees, read on the staff side (the database is
        shared by the tests of the class: each test invites its own name)"""
        with Transaction().start(self.db_name, 0, readonly=True):
            Visitor = Pool().get('property.visitor')
            domain = [('name', '=', name)] if name else []
            return [{'name': v.name, 'host_party': v.host_party.id,
                    'host_unit': v.host_unit.id, 'estate': v.estate.id,
                    'pass_code': v.pass_code, 'phone': v.phone,
                    'plate': v.plate, 'companions': v.companions,
                    'pre_registered': bool(v.pre_registered),
                    'created_by_portal': bool(v.created_by_portal),
                    'window': v.valid_to - v.valid_from,
                    'valid_from': v.valid_from, 'state': v.state}
                for v in Visitor.search(domain, order=[('id', 'ASC')])]

    def test_invite_and_check_in_at_the_gate(self):
        "An owner invites a visitor, gets a pass code, the gate checks it"
        client = self.login('wang@example.com')
        form = client.get(self.url('visitors/new')).get_data(as_text=True)
        self.assertIn('预约访客', form)
        self.assertIn('A-1-0101', form)
        self.assertNotIn('A-1-0102', form)
        response = self.invite(client, 'wang@example.com')
        self.assertEqual(response.status_code, 303)
        visitor_id = int(response.headers['Location'].rsplit('/', 1)[1])
        visitor, = self.visitors("陈小华")
        self.assertEqual(visitor['host_party'],
            self.parties['wang@example.com'])
        self.assertEqual(visitor['host_unit'], self.units['wang@example.com'])
        self.assertEqual(visitor['estate'], self.estate)
        self.assertEqual(visitor['companions'], 2)
        self.assertEqual(visitor['plate'], '浙A12345')
        self.assertEqual(visitor['phone'], '138 0571 1234')
        self.assertTrue(visitor['pre_registered'])
        self.assertTrue(visitor['created_by_portal'])
        self.assertEqual(visitor['window'], dt.timedelta(hours=4))
        self.assertEqual(visitor['valid_from'].time(), dt.time(10))
        self.assertRegex(visitor['pass_code'], r'^\d{8}$')

        page = client.get(self.url('visitors/%d' % visitor_id)).get_data(
            as_text=True)
        self.assertIn(visitor['pass_code'], page)
        self.assertIn('请将此通行码告知访客', page)
        self.assertIn(f'{self.tomorrow()} 10:00', page)
        listing = client.get(self.url('visitors')).get_data(as_text=True)
        self.assertIn("陈小华", listing)
        self.assertIn(visitor['pass_code'], listing)
        self.assertIn('待到访', listing)

        # the guard checks the pass in (within the hour before the window)
        with Transaction().start(self.db_name, 0, context={
                    '_security_now': visitor['valid_from']}) as transaction:
            Visitor = Pool().get('property.visitor')
            Visitor.check_in_pass(self.estate, visitor['pass_code'])
            transaction.commit()
        listing = client.get(self.url('visitors')).get_data(as_text=True)
        self.assertIn('已进入', listing)

    def test_bad_input_writes_nothing(self):
        "Every bad input is refused with a message and nothing is written"
        client = self.login('wang@example.com')
        yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
        far = (dt.date.today() + dt.timedelta(days=60)).isoformat()
        before = len(self.visitors())
        cases = [
            ({'name': '  '}, '请填写访客姓名'),
            ({'name': '长' * 51}, '最多 50 个字符'),
            ({'plate': '浙A' + '1' * 30}, '最多 20 个字符'),
            ({'unit': str(self.units['li@example.com'])}, '请选择您名下的房屋'),
            ({'unit': '999999'}, '请选择您名下的房屋'),
            ({'unit': 'abc'}, '请选择您名下的房屋'),
            ({'date': ''}, '请填写预计到访的日期和时间'),
            ({'date': '2026-02-30'}, '请填写预计到访的日期和时间'),
            ({'time': '25:00'}, '请填写预计到访的日期和时间'),
            ({'date': yesterday}, '预计到访时间已经过去'),
            ({'date': far}, '最多可提前 30 天预约访客'),
            ({'people': '0'}, '来访人数须在 1 到 20 之间'),
            ({'people': '21'}, '来访人数须在 1 到 20 之间'),
            ({'people': '-1'}, '来访人数须在 1 到 20 之间'),
            ({'people': 'two'}, '来访人数须在 1 到 20 之间'),
            ({'phone': 'call me'}, '电话号码格式不正确'),
            ({'plate': '<script>'}, '车牌号格式不正确'),
            ({'purpose': 'burglary'}, '请选择来访事由'),
            ]
        for values, message in cases:
            response = self.invite(client, 'wang@example.com', **values)
            self.assertEqual(response.status_code, 400, msg=values)
            page = response.get_data(as_text=True)
            self.assertIn(message, page, msg=values)
            self.assertNotIn('<script>', page)
        self.assertEqual(len(self.visitors()), before)

    def test_form_without_csrf_refused(self):
        "A visitor form posted from elsewhere (no or a wrong token) fails"
        client = self.login('wang@example.com')
        for token in ['', 'a' * 64]:
            response = self.invite(client, 'wang@example.com',
                name="钱多多", csrf_token=token)
            self.assertEqual(response.status_code, 403)
        self.assertEqual(self.visitors("钱多多"), [])

    def test_other_owner_visitor_not_found(self):
        "Another owner's visitor answers like one that does not exist"
        client = self.login('wang@example.com')
        response = self.invite(client, 'wang@example.com', name="周杰")
        visitor_id = int(response.headers['Location'].rsplit('/', 1)[1])
        pass_code, = [v['pass_code'] for v in self.visitors("周杰")]
        other = self.login('li@example.com')
        missing = other.get(self.url('visitors/999999'))
        response = other.get(self.url('visitors/%d' % visitor_id))
        self.assertEqual(response.status_code, 404)
        self.assertEqual(response.get_data(), missing.get_data())
        listing = other.get(self.url('visitors')).get_data(as_text=True)
        self.assertNotIn(pass_code, listing)
        self.assertIn('您还没有预约访客', listing)
        client, headers = self.api('li@example.com')
        self.assertEqual(client.get(self.url('api/visitors'),
                headers=headers).json, [])
        response = client.get(self.url('api/visitors/%d' % visitor_id),
            headers=headers)
        self.assertEqual(response.status_code, 404)
        self.assertEqual(response.json, {'error': 'not found'})

    def test_sessions(self):
        "No session, a forged or an expired one: login page or 401"
        before = len(self.visitors())
        for cookie in [None, 'f' * 64, 'not-a-session']:
            client = self.client()
            if cookie:
                client.set_cookie('portal_session', cookie,
                    path=f'/{self.db_name}/portal/')
            for path in ['visitors', 'visitors/new', 'visitors/1']:
                response = client.get(self.url(path))
                self.assertEqual(response.status_code, 303, msg=path)
                self.assertTrue(
                    response.headers['Location'].endswith('/login'))
            response = client.post(self.url('visitors/new'), data={
                    'name': "陈小华", 'unit': str(
                        self.units['wang@example.com'])})
            self.assertEqual(response.status_code, 303)
        client, headers = self.api('wang@example.com')
        session = headers['Authorization'].split()[1]
        with Transaction().start(self.db_name, 0) as transaction:
            Session = Pool().get('web.user.session')
            table = Session.__table__()
            old = dt.datetime.now() - Session.timeout() - dt.timedelta(
                hours=1)
            transaction.connection.cursor().execute(*table.update(
                    [table.create_date, table.write_date], [old, old],
                    where=table.key == session))
            transaction.commit()
        for method in ['get', 'post']:
            response = getattr(client, method)(self.url('api/visitors'),
                headers=headers, json={})
            self.assertEqual(response.status_code, 401, msg=method)
        self.assertEqual(len(self.visitors()), before)

    def test_api(self):
        "The JSON endpoint lists and pre-registers, with the same checks"
        client, headers = self.api('wang@example.com')
        body = {'name': "吴敏", 'unit': self.units['wang@example.com'],
            'date': self.tomorrow(), 'time': '18:30', 'people': 2}
        response = client.post(self.url('api/visitors'), headers=headers,
            json=body)
        self.assertEqual(response.status_code, 201)
        created = response.json
        self.assertRegex(created['pass_code'], r'^\d{8}$')
        self.assertEqual(created['people'], 2)
        self.assertEqual(created['unit'], 'A-1-0101')
        self.assertEqual(created['valid_from_local'],
            f'{self.tomorrow()} 18:30')
        self.assertEqual(created['state'], 'expected')
        listing = client.get(self.url('api/visitors'), headers=headers).json
        self.assertIn(created['id'], [v['id'] for v in listing])
        self.assertEqual({v['unit'] for v in listing}, {'A-1-0101'})
        self.assertEqual(client.get(self.url('api/visitors/%d'
                    % created['id']), headers=headers).json['pass_code'],
            created['pass_code'])
        for bad in [[], 'x', {**body, 'name': None},
                {**body, 'unit': self.units['li@example.com']},
                {**body, 'people': True}, {**body, 'people': 2.5},
                {**body, 'date': '2020-01-01'}]:
            response = client.post(self.url('api/visitors'),
                headers=headers, json=bad)
            self.assertEqual(response.status_code, 400, msg=bad)
            self.assertIn('error', response.json)
        self.assertEqual(len(self.visitors("吴敏")), 1)

    def test_former_tenant_loses_access(self):
        "After moving out, a tenant no longer sees or invites visitors"
        client = self.login('zhao@example.com')
        response = self.invite(client, 'zhao@example.com', name="郑强")
        self.assertEqual(response.status_code, 303)
        visitor_id = int(response.headers['Location'].rsplit('/', 1)[1])
        self.assertEqual(client.get(self.url(
                    'visitors/%d' % visitor_id)).status_code, 200)
        with Transaction().start(self.db_name, 0) as transaction:
            Occupancy = Pool().get('property.occupancy')
            Occupancy.write([Occupancy(self.occupancies['zhao@example.com'])],
                {'end_date': dt.date.today() - dt.timedelta(days=1)})
            transaction.commit()
        self.assertEqual(client.get(self.url(
                    'visitors/%d' % visitor_id)).status_code, 404)
        self.assertNotIn("郑强", client.get(self.url('visitors')).get_data(
                as_text=True))
        page = client.get(self.url('visitors/new')).get_data(as_text=True)
        self.assertIn('目前没有与您的账户关联的房屋', page)
        # a form posted with the old unit id is refused
        response = client.post(self.url('visitors/new'), data={
                'name': "郑强", 'unit': str(self.units['zhao@example.com']),
                'date': self.tomorrow(), 'time': '10:00', 'people': '1',
                'csrf_token': re.search(
                    r'name="csrf_token" value="([0-9a-f]+)"',
                    client.get(self.url('dashboard')).get_data(
                        as_text=True)).group(1)})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(len(self.visitors("郑强")), 1)


del RouteTestCase
