# This file is part of the property service suite. See README.md.
"""Bills in the owner portal: who sees which bill (owners, a former tenant
and the next tenant), amounts, payment requests with the transfer receipt,
the cashier's confirmation, and isolation (another owner's ids, no
session, tampered cookie, CSRF)."""
import datetime as dt
import io
import re
from decimal import Decimal

from trytond.modules.property_billing.accounting import setup_company
from trytond.modules.property_billing.tests.test_module import (
    create_cny_company)
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, RouteTestCase
from trytond.transaction import Transaction, TransactionError

D = Decimal
PNG = b'\x89PNG\r\n\x1a\n' + b'\0' * 64
PDF = b'%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n'
OWNERS = {
    # email: (party, password, unit, role, start, end)
    'wang@example.com': ("王秀英", 'secret-wang', '0101', 'owner',
        dt.date(2020, 1, 1), None),
    'li@example.com': ("李建国", 'secret-li', '0102', 'owner',
        dt.date(2020, 1, 1), None),
    # the tenant of 0103 until September, then the next one
    'zhao@example.com': ("赵敏", 'secret-zhao', '0103', 'tenant',
        dt.date(2025, 1, 1), dt.date(2026, 9, 30)),
    'sun@example.com': ("孙丽", 'secret-sun', '0103', 'tenant',
        dt.date(2026, 10, 1), None),
    }


class BillsRouteTestCase(RouteTestCase):
    "Test the bills pages and endpoints of the owner portal"
    module = 'property_portal'
    language = 'zh_CN'

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # posting bills takes its locks by restarting the transaction (what
        # with_transaction does for the other tests)
        extras = {}
        while True:
            with Transaction().start(DB_NAME, 1, **extras) as transaction:
                try:
                    cls.fill_database()
                    break
                except TransactionError as exception:
                    transaction.rollback()
                    exception.fix(extras)

    @classmethod
    def fill_database(cls):
        pool = Pool()
        User = pool.get('res.user')
        Party = pool.get('party.party')
        Estate = pool.get('property.estate')
        Unit = pool.get('property.unit')
        Occupancy = pool.get('property.occupancy')
        WebUser = pool.get('web.user')
        Template = pool.get('product.template')
        Uom = pool.get('product.uom')
        Fee = pool.get('property.fee')
        Plan = pool.get('property.fee.plan')
        Period = pool.get('account.period')
        Run = pool.get('property.billing.run')
        Receipt = pool.get('property.receipt')
        Method = pool.get('account.invoice.payment.method')
        Invoice = pool.get('account.invoice')

        company = create_cny_company()
        User.write([User(Transaction().user)], {
                'companies': [('add', [company.id])],
                'company': company.id})
        Transaction().set_context(User.get_preferences(context_only=True))
        _, categories = setup_company(company, [2026])
        estate, = Estate.create([{
                    'company': company.id, 'code': 'YGHY',
                    'name': "阳光花园", 'service_phone': '0571-88886666',
                    'buildings': [('create', [{
                                    'code': 'A', 'name': "A栋"}])]}])
        units = {}
        for number in ['0101', '0102', '0103']:
            units[number], = Unit.create([{
                        'building': estate.buildings[0].id, 'entrance': '1',
                        'number': number,
                        'building_area': D('89.50')}])
        landlord, = Party.create([{'name': "钱多多",
                    'addresses': [('create', [{}])]}])
        Occupancy.create([{'unit': units['0103'].id, 'party': landlord.id,
                    'role': 'owner', 'share': D(100),
                    'start_date': dt.date(2020, 1, 1)}])
        cls.parties = {}
        for email, (name, password, number, role, start, end) in (
                OWNERS.items()):
            party, = Party.create([{'name': name,
                        'addresses': [('create', [{}])]}])
            cls.parties[email] = party.id
            Occupancy.create([{
                        'unit': units[number].id, 'party': party.id,
                        'role': role,
                        'share': D(100) if role == 'owner' else None,
                        'start_date': start, 'end_date': end}])
            WebUser.create([{'email': email, 'party': party.id,
                        'email_valid': True,
                        'password_hash': WebUser.hash_password(password)}])
        square_meter, = Uom.search([('symbol', '=', 'm²')])
        template, = Template.create([{
                    'name': "物业服务费", 'type': 'service',
                    'default_uom': square_meter.id,
                    'account_category': categories['property'].id,
                    'products': [('create', [{}])]}])
        fee, = Fee.create([{
                    'code': 'WYF', 'name': "物业服务费", 'method': 'area',
                    'product': template.products[0].id,
                    'rates': [('create', [{
                                    'start_date': dt.date(2026, 1, 1),
                                    'unit_price': D('2.80')}])]}])
        # the tenant living there pays, the owner while there is none
        Plan.create([{'name': "住宅物业费", 'estate': estate.id,
                    'fees': [('add', [fee.id])],
                    'start_date': dt.date(2026, 1, 1), 'bill_to': 'tenant'}])

        def bill(month):
            period, = Period.search([
                    ('start_date', '=', dt.date(2026, month, 1)),
                    ('type', '=', 'standard')])
            run, = Run.create([{'period': period.id,
                        'invoice_date': period.start_date,
                        'estates': [('add', [estate.id])]}])
            Run.bill([run])
        bill(9)
        # 王秀英 pays September and 100 more kept as prepayment (预存),
        # which pays part of October's bill
        wang = cls.parties['wang@example.com']
        september, = Invoice.search([('party', '=', wang)])
        method, = Method.search([('name', '=', '现金')])
        receipt, = Receipt.create([{
                    'estate': estate.id, 'unit': units['0101'].id,
                    'party': wang, 'date': dt.date(2026, 9, 10),
                    'payment_method': method.id,
                    'amount': september.total_amount + 100,
                    'prepay_excess': True,
                    'invoices': [('add', [september.id])]}])
        Receipt.post([receipt])
        bill(10)
        # 李建国's bills fell due on their bill dates (a run posts on the
        # 1st): what the move lines say when billing is not run late
        MoveLine = pool.get('account.move.line')
        line = MoveLine.__table__()
        for invoice in Invoice.search(
                [('party', '=', cls.parties['li@example.com'])]):
            Transaction().connection.cursor().execute(*line.update(
                    [line.maturity_date], [invoice.invoice_date],
                    where=line.id.in_([l.id for l in invoice.lines_to_pay])))
        cls.bills = {}
        for email, party in cls.parties.items():
            cls.bills[email] = [i.id for i in Invoice.search(
                    [('party', '=', party)],
                    order=[('invoice_date', 'ASC')])]

    def staff(self, action):
        """action(pool) as the administrator in its own transaction,
        retried to take the locks it needs as the server does"""
        extras = {}
        while True:
            with Transaction().start(self.db_name, 1, **extras) as transaction:
                try:
                    User = Pool().get('res.user')
                    with transaction.set_context(
                            User.get_preferences(context_only=True)):
                        return action(Pool())
                except TransactionError as exception:
                    transaction.rollback()
                    exception.fix(extras)

    def url(self, path):
        return f'/{self.db_name}/portal/{path}'

    def login(self, client, email):
        response = client.get(self.url('login'))
        token = self.token(response)
        response = client.post(self.url('login'), data={
                'email': email, 'password': OWNERS[email][1],
                'csrf_token': token})
        self.assertEqual(response.status_code, 303)
        return client

    def token(self, response):
        return re.search(r'name="csrf_token" value="([0-9a-f]+)"',
            response.get_data(as_text=True)).group(1)

    def api_headers(self, client, email):
        response = client.post(self.url('api/login'), json={
                'email': email, 'password': OWNERS[email][1]})
        return {'Authorization': 'Bearer ' + response.json['session']}

    def test_bills_list_and_amount_due(self):
        "An owner sees her bills per unit with the amount due, no others"
        client = self.login(self.client(), 'li@example.com')
        response = client.get(self.url('bills'))
        page = response.get_data(as_text=True)
        self.assertEqual(response.status_code, 200)
        self.assertIn('我的账单', page)
        self.assertIn('阳光花园 A-1-0102', page)
        self.assertEqual(page.count('¥265.64'), 4)  # total and due x 2
        self.assertIn('¥531.28', page)
        self.assertIn('2026-09', page)
        self.assertIn('2026-10', page)
        # billed on the 1st without a payment term: due that day
        self.assertIn('逾期', page)
        self.assertNotIn('A-1-0101', page)
        self.assertNotIn('A-1-0103', page)
        dashboard = client.get(self.url('dashboard')).get_data(as_text=True)
        self.assertIn('待缴金额', dashboard)
        self.assertIn('¥531.28', dashboard)

    def test_bill_detail_partly_paid_by_prepayment(self):
        "Lines with quantity, rate and amount; the prepayment that paid"
        client = self.login(self.client(), 'wang@example.com')
        september, october = self.bills['wang@example.com']
        page = client.get(self.url('bills/%d' % october)).get_data(
            as_text=True)
        self.assertIn('物业服务费', page)
        self.assertIn('89.5', page)
        self.assertIn('¥2.80', page)
        self.assertIn('¥250.60', page)
        self.assertIn('¥15.04', page)
        self.assertIn('¥100.00', page)
        self.assertIn('预存款抵扣', page)
        self.assertIn('¥165.64', page)
        # partly paid, but a bill without payment term is due on its date
        # (October): being overdue is what the owner must see
        self.assertIn('逾期', page)
        self.assertNotIn('部分已缴', page)
        page = client.get(self.url('bills/%d' % september)).get_data(
            as_text=True)
        self.assertIn('已缴', page)
        self.assertNotIn('bills/%d/pay' % september, page)
        listing = client.get(self.url('bills')).get_data(as_text=True)
        # the unpaid bill comes first
        self.assertLess(listing.index('2026-10'), listing.index('2026-09'))
        payments = client.get(self.url('payments')).get_data(as_text=True)
        self.assertIn('¥365.64', payments)
        self.assertIn('现金', payments)
        self.assertIn('预存余额', payments)
        self.assertIn('¥0.00', payments)

    def test_other_owner_bill_not_found(self):
        "Another owner's bill answers like a bill that does not exist"
        client = self.login(self.client(), 'wang@example.com')
        other = self.bills['li@example.com'][0]
        for path in ['bills/%d', 'bills/%d/pay']:
            response = client.get(self.url(path % other))
            missing = client.get(self.url(path % 999999))
            self.assertEqual(response.status_code, 404, msg=path)
            self.assertEqual(response.get_data(), missing.get_data())
            self.assertNotIn('李建国', response.get_data(as_text=True))
        page = client.get(self.url('bills/%d' % self.bills[
                    'wang@example.com'][1]))
        token = self.token(page)
        response = client.post(self.url('bills/%d/pay' % other), data={
                'csrf_token': token, 'method': 'transfer',
                'receipt': (io.BytesIO(PNG), 'r.png')})
        self.assertEqual(response.status_code, 404)
        headers = self.api_headers(client, 'wang@example.com')
        for path in ['api/bills/%d', 'api/bills/%d/pay']:
            method = client.post if path.endswith('pay') else client.get
            response = method(self.url(path % other), headers=headers)
            self.assertEqual(response.status_code, 404, msg=path)
            self.assertEqual(response.json, {'error': 'not found'})
        with Transaction().start(self.db_name, 0):
            Request = Pool().get('property.payment.request')
            self.assertEqual(Request.search([
                        ('party', '=', self.parties['li@example.com']),
                        ('method', '=', 'transfer')]), [])

    def test_bill_pdf_own_only(self):
        "The bill notice downloads as a PDF for its owner only"
        client = self.login(self.client(), 'li@example.com')
        september = self.bills['li@example.com'][0]
        page = client.get(self.url('bills/%d' % september)).get_data(
            as_text=True)
        self.assertIn('bills/%d/pdf' % september, page)
        response = client.get(self.url('bills/%d/pdf' % september))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.content_type, 'application/pdf')
        self.assertTrue(response.get_data().startswith(b'%PDF'))
        self.assertIn('attachment', response.headers['Content-Disposition'])
        other = client.get(self.url('bills/%d/pdf'
                % self.bills['wang@example.com'][0]))
        self.assertEqual(other.status_code, 404)
        self.assertNotIn(b'%PDF', other.get_data())
        self.assertEqual(self.client().get(self.url('bills/%d/pdf'
                    % september)).status_code, 303)

    def test_former_and_next_tenant(self):
        """A former tenant sees and pays her own old bill, not the next
        tenant's; the next tenant sees only his"""
        zhao = self.login(self.client(), 'zhao@example.com')
        september, = self.bills['zhao@example.com']
        sun_bill, = self.bills['sun@example.com']
        page = zhao.get(self.url('bills')).get_data(as_text=True)
        self.assertIn('A-1-0103', page)
        self.assertIn('2026-09', page)
        self.assertNotIn('2026-10', page)
        self.assertEqual(
            zhao.get(self.url('bills/%d' % sun_bill)).status_code, 404)
        response = zhao.get(self.url('bills/%d/pay' % september))
        self.assertEqual(response.status_code, 200)
        # pays her old bill by transfer with a PDF receipt
        response = zhao.post(self.url('bills/%d/pay' % september), data={
                'csrf_token': self.token(response), 'method': 'transfer',
                'receipt': (io.BytesIO(PDF), 'transfer.pdf')})
        self.assertEqual(response.status_code, 303,
            re.sub(r'(?s).*<main>|</main>.*', '', response.get_data(
                    as_text=True)))
        page = zhao.get(response.headers['Location']).get_data(as_text=True)
        self.assertIn('等待物业确认', page)
        self.assertIn('银行转账', page)
        # the cashier confirms: a posted receipt pays the bill
        def confirm(pool):
            Request = pool.get('property.payment.request')
            request, = Request.search([
                    ('party', '=', self.parties['zhao@example.com'])])
            # her bill for September (until she moved out)
            self.assertEqual(request.amount, D('256.80'))
            self.assertEqual(request.invoices[0].id, september)
            self.assertEqual(request.payment_method.name, '银行转账')
            Request.confirm([request])
            self.assertEqual(request.receipt.state, 'posted')
        self.staff(confirm)
        page = zhao.get(self.url('bills/%d' % september)).get_data(
            as_text=True)
        self.assertIn('已缴', page)
        self.assertIn('¥256.80', page)
        self.assertNotIn('等待物业确认', page)
        sun = self.login(self.client(), 'sun@example.com')
        page = sun.get(self.url('bills')).get_data(as_text=True)
        self.assertIn('2026-10', page)
        self.assertNotIn('2026-09', page)
        self.assertEqual(
            sun.get(self.url('bills/%d' % september)).status_code, 404)

    def test_pay_bad_input_and_reject(self):
        "CSRF, method, type and size of the receipt, one open request"
        client = self.login(self.client(), 'wang@example.com')
        october = self.bills['wang@example.com'][1]
        url = self.url('bills/%d/pay' % october)
        token = self.token(client.get(url))

        def post(**data):
            data.setdefault('csrf_token', token)
            data.setdefault('method', 'wechat')
            return client.post(url, data=data)
        self.assertEqual(post(csrf_token='',
                receipt=(io.BytesIO(PNG), 'r.png')).status_code, 403)
        response = post(method='cash', receipt=(io.BytesIO(PNG), 'r.png'))
        self.assertEqual(response.status_code, 400)
        self.assertIn('请选择付款方式', response.get_data(as_text=True))
        response = post()
        self.assertIn('请上传转账凭证', response.get_data(as_text=True))
        # a script named as a picture: the content decides
        response = post(receipt=(io.BytesIO(b'<script>x</script>'),
                'r.png'))
        self.assertEqual(response.status_code, 400)
        self.assertIn('JPEG、PNG', response.get_data(as_text=True))
        response = post(receipt=(io.BytesIO(PNG + b'\0' * 1600 * 1024),
                'r.png'))
        self.assertEqual(response.status_code, 400)
        self.assertIn('1536', response.get_data(as_text=True))
        with Transaction().start(self.db_name, 0):
            Request = Pool().get('property.payment.request')
            self.assertEqual(Request.search([
                        ('party', '=', self.parties['wang@example.com'])]),
                [])
        self.assertEqual(post(receipt=(io.BytesIO(PNG), 'r.png'))
            .status_code, 303)
        response = post(receipt=(io.BytesIO(PNG), 'r.png'))
        self.assertEqual(response.status_code, 400)
        self.assertIn('已有缴费申请', response.get_data(as_text=True))
        # the cashier rejects with a reason the owner reads
        def reject(pool):
            Request = pool.get('property.payment.request')
            request, = Request.search([
                    ('party', '=', self.parties['wang@example.com'])])
            self.assertEqual(request.amount, D('165.64'))
            Request.write([request],
                {'rejection_reason': '未查到该笔转账，请核对'})
            Request.reject([request])
        self.staff(reject)
        page = client.get(self.url('bills/%d' % october)).get_data(
            as_text=True)
        self.assertIn('未查到该笔转账，请核对', page)
        self.assertIn('bills/%d/pay' % october, page)
        # a new request, withdrawn by the owner (CSRF checked)
        self.assertEqual(post(receipt=(io.BytesIO(PNG), 'r.png'))
            .status_code, 303)
        with Transaction().start(self.db_name, 0):
            Request = Pool().get('property.payment.request')
            request, = Request.search([('state', '=', 'requested'),
                    ('party', '=', self.parties['wang@example.com'])])
        cancel = self.url('bills/%d/requests/%d/cancel'
            % (october, request.id))
        self.assertEqual(client.post(cancel).status_code, 403)
        other = self.login(self.client(), 'li@example.com')
        other_token = self.token(other.get(self.url('bills')))
        self.assertEqual(other.post(cancel, data={
                    'csrf_token': other_token}).status_code, 404)
        self.assertEqual(client.post(cancel, data={
                    'csrf_token': token}).status_code, 303)
        with Transaction().start(self.db_name, 0):
            Request = Pool().get('property.payment.request')
            self.assertEqual(Request(request.id).state, 'cancelled')

    def test_api(self):
        "JSON bills, bill, payments and pay, for the owner's bills only"
        client = self.client()
        headers = self.api_headers(client, 'li@example.com')
        data = client.get(self.url('api/bills'), headers=headers).json
        self.assertEqual(data['amount_due'],
            [{'currency': 'CNY', 'amount': D('531.28')}])
        self.assertEqual(sorted(b['id'] for b in data['bills']),
            sorted(self.bills['li@example.com']))
        self.assertEqual({b['status'] for b in data['bills']}, {'overdue'})
        september = self.bills['li@example.com'][0]
        bill = client.get(self.url('api/bills/%d' % september),
            headers=headers).json
        self.assertEqual((bill['unit'], bill['period'], bill['due']),
            ('A-1-0102', '2026-09', D('265.64')))
        self.assertEqual(bill['lines'][0]['amount'], D('250.60'))
        # the pay endpoint takes a bearer session only (no cookie: CSRF)
        browser = self.login(self.client(), 'li@example.com')
        response = browser.post(self.url('api/bills/%d/pay' % september),
            data={'method': 'alipay',
                'receipt': (io.BytesIO(PNG), 'r.png')})
        self.assertEqual(response.status_code, 401)
        response = client.post(self.url('api/bills/%d/pay' % september),
            headers=headers, data={'method': 'alipay',
                'receipt': (io.BytesIO(b'GIF89a'), 'r.gif')})
        self.assertEqual(response.status_code, 400)
        response = client.post(self.url('api/bills/%d/pay' % september),
            headers=headers, data={'method': 'alipay',
                'receipt': (io.BytesIO(PNG), 'r.png')})
        self.assertEqual(response.status_code, 201)
        self.assertEqual((response.json['state'], response.json['amount']),
            ('requested', D('265.64')))
        payments = client.get(self.url('api/payments'), headers=headers).json
        self.assertEqual([r['bills'] for r in payments['payment_requests']],
            [[september]])
        self.assertEqual(payments['receipts'], [])
        self.assertEqual(payments['prepayments'],
            [{'currency': 'CNY', 'amount': D(0)}])

    def test_bills_need_a_session(self):
        "No session, a tampered or an expired one: login or 401"
        bill = self.bills['li@example.com'][0]
        for cookie in [None, 'f' * 64, 'not-a-session']:
            client = self.client()
            if cookie:
                client.set_cookie('portal_session', cookie,
                    path=f'/{self.db_name}/portal/')
            for path in ['bills', 'bills/%d' % bill, 'bills/%d/pay' % bill,
                    'payments']:
                response = client.get(self.url(path))
                self.assertEqual(response.status_code, 303, msg=path)
                self.assertTrue(
                    response.headers['Location'].endswith('/login'))
            for path in ['api/bills', 'api/bills/%d' % bill, 'api/payments']:
                self.assertEqual(
                    client.get(self.url(path)).status_code, 401)
        client = self.client()
        headers = self.api_headers(client, 'li@example.com')
        with Transaction().start(self.db_name, 0):
            Session = Pool().get('web.user.session')
            table = Session.__table__()
            old = dt.datetime.now() - Session.timeout() - dt.timedelta(
                hours=1)
            Transaction().connection.cursor().execute(*table.update(
                    [table.create_date, table.write_date], [old, old]))
        self.assertEqual(client.get(self.url('api/bills'),
                headers=headers).status_code, 401)
        response = client.post(self.url('api/bills/%d/pay' % bill),
            headers=headers, data={'method': 'alipay',
                'receipt': (io.BytesIO(PNG), 'r.png')})
        self.assertEqual(response.status_code, 401)


del RouteTestCase
