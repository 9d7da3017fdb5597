# This file is part of the property service suite. See README.md.
"""Requests from the portal: an owner reports a repair with a photo, follows
it, rejects a first resolution and rates the second; nobody else's request
or unit can be reached."""
import datetime as dt
import io
import re
from decimal import Decimal

from trytond.modules.company.tests import create_employee
from trytond.pool import Pool
from trytond.tests.test_tryton import RouteTestCase
from trytond.transaction import Transaction

from .tools import create_estate

PNG = b'\x89PNG\r\n\x1a\n' + b'\x00' * 64
OWNERS = {
    'wang@example.com': ("王秀英", 'secret-wang', '0101'),
    'li@example.com': ("李建国", 'secret-li', '0102'),
    }


class PortalRequestTestCase(RouteTestCase):
    "Test requests (service desk tickets) in the owner portal"
    module = 'property_portal'
    language = 'zh_CN'

    @classmethod
    def setUpDatabase(cls):
        pool = Pool()
        Party = pool.get('party.party')
        Unit = pool.get('property.unit')
        Occupancy = pool.get('property.occupancy')
        WebUser = pool.get('web.user')
        Estate = pool.get('property.estate')

        estate = create_estate('YGHY', "阳光花园", 'A')
        technician = create_employee(estate.company, name="王立军")
        Estate.write([estate], {'staff': [('add', [technician.id])]})
        cls.technician = technician.id
        cls.units = {}
        for email, (name, password, number) in OWNERS.items():
            party, = Party.create([{'name': name}])
            unit, = Unit.create([{
                        'building': estate.buildings[0].id, 'entrance': '1',
                        'number': number, 'building_area': Decimal('88')}])
            Occupancy.create([{'unit': unit.id, 'party': party.id,
                        'role': 'owner', 'share': Decimal(100),
                        'start_date': dt.date.today() - dt.timedelta(days=30),
                        }])
            WebUser.create([{'email': email, 'party': party.id,
                        'email_valid': True,
                        'password_hash': WebUser.hash_password(password)}])
            cls.units[email] = unit.id

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

    def token(self, client, path):
        page = client.get(self.url(path)).get_data(as_text=True)
        return re.search(r'name="csrf_token" value="([0-9a-f]+)"',
            page).group(1)

    def report(self, client, email, **values):
        data = {'type': 'repair', 'unit': str(self.units[email]),
            'description': "厨房水龙头漏水，关不紧",
            'csrf_token': self.token(client, 'requests/new'), **values}
        return client.post(self.url('requests/new'), data=data,
            content_type='multipart/form-data')

    def staff(self, ticket_id, action):
        "What the service center does on its side"
        with Transaction().start(self.db_name, 0, context={
                    'language': 'zh_CN'}) as transaction:
            Ticket = Pool().get('property.ticket')
            ticket = Ticket(ticket_id)
            if action == 'resolve':
                if ticket.state == 'open':
                    ticket.assignee = self.technician
                    ticket.save()
                    Ticket.assign([ticket])
                    Ticket.start([ticket])
                ticket.resolution = "已更换水龙头阀芯"
                ticket.save()
                Ticket.resolve([ticket])
            transaction.commit()
            ticket = Ticket(ticket_id)
            return {'state': ticket.state, 'channel': ticket.channel,
                'requester': ticket.requester.name,
                'satisfaction': ticket.satisfaction,
                'comment': ticket.satisfaction_comment}

    def test_repair_with_photo_reject_then_rate(self):
        "An owner reports a repair with a photo and rates the second fix"
        client = self.login('wang@example.com')
        response = self.report(client, 'wang@example.com',
            photo=(io.BytesIO(PNG), 'leak.png'))
        self.assertEqual(response.status_code, 303)
        ticket_id = int(response.headers['Location'].rsplit('/', 1)[1])
        page = client.get(self.url(f'requests/{ticket_id}')).get_data(
            as_text=True)
        self.assertIn('厨房水龙头漏水', page)
        photo, = re.findall(r'src="([^"]*/photos/\d+)"', page)
        response = client.get(photo)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers['Content-Type'], 'image/png')
        self.assertEqual(response.get_data(), PNG)
        self.assertIn('我的报事', client.get(self.url('dashboard')).get_data(
                as_text=True))

        ticket = self.staff(ticket_id, 'resolve')
        self.assertEqual((ticket['channel'], ticket['requester']),
            ('portal', "王秀英"))
        token = self.token(client, f'requests/{ticket_id}')
        response = client.post(self.url(f'requests/{ticket_id}'), data={
                'csrf_token': token, 'action': 'reject', 'reason': ''})
        self.assertEqual(response.status_code, 400)
        response = client.post(self.url(f'requests/{ticket_id}'), data={
                'csrf_token': token, 'action': 'reject',
                'reason': "还是在滴水"})
        page = response.get_data(as_text=True)
        self.assertIn('报事已重新打开', page)
        self.assertIn('还是在滴水', page)
        self.assertEqual(self.staff(ticket_id, None)['state'], 'in_progress')

        self.staff(ticket_id, 'resolve')
        token = self.token(client, f'requests/{ticket_id}')
        for score in ['0', '6', 'x', '']:
            response = client.post(self.url(f'requests/{ticket_id}'), data={
                    'csrf_token': token, 'action': 'confirm', 'score': score})
            self.assertEqual(response.status_code, 400, msg=score)
        response = client.post(self.url(f'requests/{ticket_id}'), data={
                'csrf_token': token, 'action': 'confirm', 'score': '4',
                'comment': "师傅很专业"})
        self.assertIn('您的评价已记录', response.get_data(as_text=True))
        ticket = self.staff(ticket_id, None)
        self.assertEqual(
            (ticket['state'], ticket['satisfaction'], ticket['comment']),
            ('closed', 4, "师傅很专业"))
        # nothing more to confirm on a closed request
        response = client.post(self.url(f'requests/{ticket_id}'), data={
                'csrf_token': token, 'action': 'reject', 'reason': "again"})
        self.assertEqual(response.status_code, 400)

    def test_bad_requests_write_nothing(self):
        "Bad requests are refused with a message and create no ticket"
        client = self.login('li@example.com')
        cases = [
            ({'description': 'x'}, '至少 5 个字'),
            ({'description': '漏' * 2001}, '最多 2000 个字符'),
            ({'type': 'rectification'}, '请选择报事类型'),
            ({'unit': str(self.units['wang@example.com'])},
                '请选择您的一处房屋'),
            ({'photo': (io.BytesIO(b'%PDF-1.4 not a photo'), 'x.jpg')},
                '只能上传 JPEG、PNG 或 WebP'),
            # over the portal's limit, under the server's request limit
            ({'photo': (io.BytesIO(PNG + b'\x00' * 1600 * 1024),
                        'big.png')}, '照片过大'),
            ]
        for values, text in cases:
            response = self.report(client, 'li@example.com', **values)
            self.assertEqual(response.status_code, 400, msg=text)
            self.assertIn(text, response.get_data(as_text=True))
        response = client.post(self.url('requests/new'), data={
                'type': 'repair', 'unit': str(self.units['li@example.com']),
                'description': "没有 CSRF 令牌的请求"})
        self.assertEqual(response.status_code, 403)
        self.assertIn('您还没有提交过报事', client.get(
                self.url('requests')).get_data(as_text=True))

    def test_other_owner_requests_not_found(self):
        "Another owner's request, photo and JSON answer 404"
        wang = self.login('wang@example.com')
        response = self.report(wang, 'wang@example.com',
            type='complaint', description="楼道灯坏了三天没人修",
            photo=(io.BytesIO(PNG), 'light.png'))
        ticket_id = int(response.headers['Location'].rsplit('/', 1)[1])
        page = wang.get(self.url(f'requests/{ticket_id}')).get_data(
            as_text=True)
        photo, = re.findall(r'src="[^"]*/(photos/\d+)"', page)

        li = self.login('li@example.com')
        for path in [f'requests/{ticket_id}',
                f'requests/{ticket_id}/{photo}', 'requests/999999']:
            response = li.get(self.url(path))
            self.assertEqual(response.status_code, 404, msg=path)
            self.assertNotIn('楼道灯', response.get_data(as_text=True))
        response = li.post(self.url(f'requests/{ticket_id}'), data={
                'csrf_token': self.token(li, 'requests/new'),
                'action': 'reject', 'reason': "not mine"})
        self.assertEqual(response.status_code, 404)
        self.assertNotIn('楼道灯',
            li.get(self.url('requests')).get_data(as_text=True))

    def test_json_requests(self):
        "The JSON endpoints create and list only the owner's requests"
        client = self.client()
        session = client.post(self.url('api/login'), json={
                'email': 'li@example.com',
                'password': OWNERS['li@example.com'][1]}).json['session']
        headers = {'Authorization': f'Bearer {session}'}
        for body in [{}, {'type': 'repair', 'unit': self.units[
                        'wang@example.com'], 'description': "不是我的房子"},
                {'type': 'repair', 'unit': self.units['li@example.com'],
                    'description': 'x'},
                {'type': 'repair', 'unit': self.units['li@example.com'],
                    'description': '漏' * 2001}]:
            response = client.post(self.url('api/requests'), json=body,
                headers=headers)
            self.assertEqual(response.status_code, 400, msg=body)
        response = client.post(self.url('api/requests'), json={
                'type': 'suggestion', 'unit': self.units['li@example.com'],
                'description': "建议在小区门口增加快递柜"}, headers=headers)
        self.assertEqual(response.status_code, 201)
        created = response.json
        self.assertEqual((created['state'], created['unit']),
            ('open', 'A-1-0102'))
        listed = client.get(self.url('api/requests'), headers=headers).json
        self.assertEqual([t['id'] for t in listed], [created['id']])
        detail = client.get(self.url(f"api/requests/{created['id']}"),
            headers=headers).json
        self.assertEqual([line['action'] for line in detail['timeline']],
            ['submit'])


del RouteTestCase
