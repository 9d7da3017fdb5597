# This file is part of the property service suite. See README.md.
"""Portal accounts: password reset and self-registration by email, against a
real SMTP server (aiosmtpd) listening on localhost for the test."""
import datetime as dt
import email
import re
import socket
from decimal import Decimal
from urllib.parse import unquote, urlsplit

from aiosmtpd.controller import Controller

from trytond import config
from trytond.pool import Pool
from trytond.tests.test_tryton import RouteTestCase

from .tools import create_estate


class Mailbox:
    "aiosmtpd handler keeping every message received"

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content))
        return '250 OK'

    def links(self, to, path):
        "The portal links of path in the messages sent to an address"
        found = []
        for message in self.messages:
            if message['To'] != to:
                continue
            for part in message.walk():
                if part.get_content_type() == 'text/html':
                    body = part.get_payload(decode=True).decode()
                    found += re.findall(
                        r'href="([^"]*/portal/%s\?[^"]*)"' % path, body)
        return [unquote(link.replace('&amp;', '&')) for link in found]


def _free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


class PortalAccountTestCase(RouteTestCase):
    "Test password reset and self-registration"
    module = 'property_portal'
    language = 'zh_CN'

    @classmethod
    def setUpClass(cls):
        cls.mailbox = Mailbox()
        cls.smtp = Controller(
            cls.mailbox, hostname='127.0.0.1', port=_free_port())
        cls.smtp.start()
        cls.saved_uri = config.get('email', 'uri')
        config.set('email', 'uri', f'smtp://127.0.0.1:{cls.smtp.port}')
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        config.set('email', 'uri', cls.saved_uri)
        cls.smtp.stop()

    @classmethod
    def setUpDatabase(cls):
        pool = Pool()
        Party = pool.get('party.party')
        Unit = pool.get('property.unit')
        Occupancy = pool.get('property.occupancy')
        WebUser = pool.get('web.user')

        estate = create_estate('CHY', "翠湖苑", 'B')
        cls.estate = estate.id
        today = dt.date.today()
        owner, tenant, former = Party.create([
                {'name': "孙丽", 'contact_mechanisms': [('create', [
                                {'type': 'mobile', 'value': '13800138000'}])]},
                {'name': "周杰", 'contact_mechanisms': [('create', [
                                {'type': 'mobile', 'value': '139 0013 9000'}])]},
                {'name': "吴昊", 'contact_mechanisms': [('create', [
                                {'type': 'mobile', 'value': '13700137000'}])]},
                ])
        unit, other_unit = Unit.create([{
                    'building': estate.buildings[0].id, 'entrance': '2',
                    'number': number, 'building_area': Decimal('96')}
                for number in ['1101', '1102']])
        Occupancy.create([
                {'unit': unit.id, 'party': owner.id, 'role': 'owner',
                    'share': Decimal(100),
                    'start_date': today - dt.timedelta(days=900)},
                {'unit': unit.id, 'party': tenant.id, 'role': 'tenant',
                    'start_date': today - dt.timedelta(days=60)},
                {'unit': other_unit.id, 'party': former.id, 'role': 'tenant',
                    'start_date': today - dt.timedelta(days=900),
                    'end_date': today - dt.timedelta(days=90)},
                ])
        WebUser.create([{'email': 'sun@example.com', 'party': owner.id,
                    'email_valid': True,
                    'password_hash': WebUser.hash_password('old-password')}])

    def url(self, path):
        return f'/{self.db_name}/portal/{path}'

    def form(self, client, path, **data):
        "Post a pre-login form the way a browser does (CSRF token included)"
        page = client.get(self.url(path.split('?')[0])).get_data(as_text=True)
        data['csrf_token'] = re.search(
            r'name="csrf_token" value="([0-9a-f]+)"', page).group(1)
        return client.post(self.url(path), data=data)

    def login(self, client, email, password):
        return self.form(client, 'login', email=email, password=password)

    def test_password_reset(self):
        "An owner resets a forgotten password through the emailed link"
        client = self.client()
        sent = len(self.mailbox.messages)
        for address in ['sun@example.com', 'nobody@example.com']:
            response = self.form(client, 'reset-password', email=address)
            self.assertEqual(response.status_code, 200)
            self.assertIn('重设密码的链接已发送',
                response.get_data(as_text=True))
        # one email, to the account that exists
        self.assertEqual(len(self.mailbox.messages), sent + 1)
        link, = self.mailbox.links('sun@example.com', 'set-password')
        self.assertIn(f'/{self.db_name}/portal/set-password', link)
        query = dict(p.split('=', 1) for p in urlsplit(link).query.split('&'))

        for password, confirm, text in [
                ('new-password-1', 'other-password', '两次输入的密码不一致'),
                ('short', 'short', '密码至少需要 8 个字符'),
                ('sun@example.com', 'sun@example.com', None),
                ]:
            response = self.form(client, 'set-password',
                email=query['email'], token=query['token'],
                password=password, confirm=confirm)
            self.assertEqual(response.status_code, 400, msg=password)
            if text:
                self.assertIn(text, response.get_data(as_text=True))
        response = self.form(client, 'set-password', email=query['email'],
            token=query['token'], password='new-password-1',
            confirm='new-password-1')
        self.assertEqual(response.status_code, 200)
        self.assertIn('密码已修改', response.get_data(as_text=True))

        self.assertEqual(self.login(
                self.client(), 'sun@example.com', 'old-password').status_code,
            401)
        self.assertEqual(self.login(
                self.client(), 'sun@example.com', 'new-password-1'
                ).status_code, 303)
        # the link works once
        response = self.form(client, 'set-password', email=query['email'],
            token=query['token'], password='new-password-2',
            confirm='new-password-2')
        self.assertEqual(response.status_code, 400)
        self.assertIn('该链接无效或已过期', response.get_data(as_text=True))

    def test_register_tenant(self):
        "A current tenant registers with the unit code and phone on record"
        client = self.client()
        data = {'estate': str(self.estate), 'unit': 'b-2-1101',
            # typed otherwise than on record (13900139000)
            'phone': '+86 139-0013-9000', 'email': 'zhou@example.com',
            'password': 'zhou-password', 'confirm': 'zhou-password'}
        for field, value in [('phone', '13900139001'), ('unit', 'B-2-1103')]:
            response = self.form(client, 'register', **{**data, field: value})
            self.assertEqual(response.status_code, 400, msg=field)
            self.assertIn('与登记信息不符', response.get_data(as_text=True))
        response = self.form(client, 'register', **data)
        self.assertEqual(response.status_code, 200)
        self.assertIn('已向您发送邮件', response.get_data(as_text=True))

        # no login before the email is confirmed
        response = self.login(self.client(), 'zhou@example.com',
            'zhou-password')
        self.assertEqual(response.status_code, 401)
        self.assertIn('请先确认邮箱', response.get_data(as_text=True))
        link, = self.mailbox.links('zhou@example.com', 'validate-email')
        response = client.get(link[link.index('/', len('http://')):])
        self.assertIn('邮箱已确认', response.get_data(as_text=True))

        client = self.client()
        self.assertEqual(self.login(
                client, 'zhou@example.com', 'zhou-password').status_code, 303)
        page = client.get(self.url('dashboard')).get_data(as_text=True)
        self.assertIn('B-2-1101', page)
        self.assertIn('租户', page)

        # the same email cannot register twice
        response = self.form(self.client(), 'register', **data)
        self.assertIn('该邮箱已有账号', response.get_data(as_text=True))

    def test_register_refused(self):
        "A former tenant's phone does not verify; guessing is rate limited"
        client = self.client()
        data = {'estate': str(self.estate), 'unit': 'B-2-1102',
            'phone': '13700137000', 'email': 'wu@example.com',
            'password': 'wu-password-1', 'confirm': 'wu-password-1'}
        response = self.form(client, 'register', **data)
        self.assertEqual(response.status_code, 400)
        self.assertIn('与登记信息不符', response.get_data(as_text=True))
        for field, value in [('estate', 'x'), ('email', '')]:
            response = self.form(client, 'register', **{**data, field: value})
            self.assertIn('请填写所有栏目', response.get_data(as_text=True))
        limit = config.getint('session', 'max_attempt', default=5)
        for attempt in range(limit + 1):
            response = self.form(client, 'register',
                **{**data, 'phone': f'1360000{attempt:04d}'})
        self.assertIn('尝试次数过多', response.get_data(as_text=True))
        # a registration that would verify still works for another unit:
        # the limit is per unit, so one owner cannot lock out the others
        response = self.form(client, 'register',
            **{**data, 'unit': 'B-2-1101', 'phone': '13800138000',
                'email': 'sun.second@example.com'})
        self.assertIn('已向您发送邮件', response.get_data(as_text=True))

del RouteTestCase
