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
from trytond.tests.test_tryton import DB_NAME, RouteTestCase
from trytond.transaction import Transaction

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


PORTAL_URL = 'https://wuye.example.com/%s/portal/'


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
        # links in e-mails come from here, never from the request (the
        # singleton's first write locks its table: start with the lock)
        with Transaction().start(DB_NAME, 0, _lock_tables=[
                    'property_portal_configuration']):
            Configuration = Pool().get('property.portal.configuration')
            Configuration.write([Configuration(1)],
                {"portal_url": PORTAL_URL % DB_NAME})

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
        WebUser.create([{'email': email, 'party': owner.id,
                    'email_valid': True,
                    'password_hash': WebUser.hash_password(password)}
                for email, password in [('sun@example.com', 'old-password'),
                    ('sun.home@example.com', 'home-password')]])

    def url(self, path):
        return f'/{self.db_name}/portal/{path}'

    def form(self, client, path, headers=None, address='127.0.0.1',
            **data):
        "Post a pre-login form the way a browser does (CSRF token included)"
        environ = {'REMOTE_ADDR': address}
        page = client.get(self.url(path.split('?')[0]), headers=headers,
            environ_base=environ).get_data(as_text=True)
        data['csrf_token'] = re.search(
            r'name="csrf_token" value="([0-9a-f]+)"', page).group(1)
        return client.post(self.url(path), data=data, headers=headers,
            environ_base=environ)

    def login(self, client, email, password, address='127.0.0.1'):
        return self.form(client, 'login', email=email, password=password,
            address=address)

    def test_links_from_configuration_not_host_header(self):
        "A reset asked with a forged Host header mails the portal's address"
        sent = len(self.mailbox.messages)
        response = self.form(self.client(), 'reset-password',
            headers={'Host': 'evil.example'}, email='sun.home@example.com')
        self.assertEqual(response.status_code, 200)
        self.assertEqual(len(self.mailbox.messages), sent + 1)
        link, = self.mailbox.links('sun.home@example.com', 'set-password')
        self.assertTrue(link.startswith(
                PORTAL_URL % self.db_name + 'set-password?'), msg=link)
        for message in self.mailbox.messages[sent:]:
            self.assertNotIn('evil.example', message.as_string())
        # redirects stay on the server that was asked (relative Location)
        response = self.client().get(self.url(''),
            headers={'Host': 'evil.example'})
        self.assertEqual(response.status_code, 303)
        self.assertNotIn('evil.example', response.headers['Location'])

    def test_failed_logins_do_not_lock_the_owner_out(self):
        """Wrong passwords from one network throttle that network, not the
        owner logging in from elsewhere or from a browser known to work"""
        saved = config.get('session', 'max_attempt')
        config.set('session', 'max_attempt', '2')  # short waits
        try:
            email, password = 'sun.home@example.com', 'home-password'
            known = self.client()
            self.assertEqual(self.login(known, email, password,
                    address='203.0.113.5').status_code, 303)
            # logged out, the browser keeps its device cookie
            known.delete_cookie('portal_session',
                path=f'/{self.db_name}/portal/')
            attacker = self.client()
            for attempt in range(3):
                response = self.login(attacker, email, 'guess-%d' % attempt,
                    address='203.0.113.7')
                self.assertEqual(response.status_code, 401)
            # the attacker's network is throttled, the right password too
            response = self.login(attacker, email, password,
                address='203.0.113.7')
            self.assertIn('尝试次数过多', response.get_data(as_text=True))
            # the owner, from another network, logs in
            self.assertEqual(self.login(self.client(), email, password,
                    address='198.51.100.20').status_code, 303)
            # and so does her own browser on the attacker's network
            self.assertEqual(self.login(known, email, password,
                    address='203.0.113.7').status_code, 303)
            response = self.client().post(self.url('api/login'), json={
                    'email': ' Sun.Home@example.com', 'password': password},
                environ_base={'REMOTE_ADDR': '203.0.113.7'})
            self.assertEqual(response.status_code, 429)
        finally:
            config.set('session', 'max_attempt', saved or '5')

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
        response = self.client().post(self.url('api/login'), json={
                'email': 'zhou@example.com', 'password': 'zhou-password'})
        self.assertEqual(response.json, {'error': 'email not validated'})
        link, = self.mailbox.links('zhou@example.com', 'validate-email')
        self.assertTrue(link.startswith(PORTAL_URL % self.db_name))
        parts = urlsplit(link)
        response = client.get(parts.path + '?' + parts.query)
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
        # the same unit spelled otherwise is the same unit, and counted so
        for estate, unit, phone in [('00%d' % self.estate, 'B-2-1102', '1'),
                (str(self.estate), ' b-2-1102 ', '2')]:
            response = self.form(client, 'register', **{**data,
                    'estate': estate, 'unit': unit,
                    'phone': '1360000' + phone})
            self.assertIn('尝试次数过多', response.get_data(as_text=True),
                msg=(estate, unit))
        # a registration that would verify still works for another unit:
        # the limit is per unit, so one owner cannot lock out the others
        response = self.form(client, 'register',
            **{**data, 'unit': 'B-2-1101', 'phone': '13800138000',
                'email': 'sun.second@example.com'})
        self.assertIn('已向您发送邮件', response.get_data(as_text=True))

del RouteTestCase
