# This file is part of the property service suite. See README.md.
"""Payment requests from the portal (缴费申请): the cashier's confirmation
posts a real receipt that pays the bills; bad requests are refused."""
import datetime as dt
from decimal import Decimal

from trytond.modules.property_billing.exceptions import PaymentRequestError
from trytond.pool import Pool
from trytond.tests.test_tryton import _DBTestCase, with_transaction
from trytond.transaction import Transaction

from . import test_billing

D = Decimal


class PaymentRequestTestCase(_DBTestCase):
    "Test payment requests"
    module = 'property_billing'
    _setup = test_billing.BillingTestCase._setup
    _run = test_billing.BillingTestCase._run
    _method = test_billing.BillingTestCase._method

    def assertRefused(self, func, *args, **kwargs):
        """func raises PaymentRequestError; what it wrote is undone as the
        rollback of a real request would"""
        cursor = Transaction().connection.cursor()
        cursor.execute('SAVEPOINT refused')
        with self.assertRaises(PaymentRequestError):
            func(*args, **kwargs)
        cursor.execute('ROLLBACK TO SAVEPOINT refused')
        Transaction().cache.clear()

    def _bills(self):
        pool = Pool()
        Run = pool.get('property.billing.run')
        Invoice = pool.get('account.invoice')
        data = self._setup()
        Run.bill([self._run(data)])
        owner1, owner2, tenant = data['parties']
        bill1, = Invoice.search([('party', '=', owner1.id)])
        bill2, = Invoice.search([('party', '=', owner2.id)])
        return data, bill1, bill2

    @with_transaction()
    def test_confirm_posts_receipt_and_pays(self):
        "A confirmed request posts a receipt and the bill is paid"
        pool = Pool()
        Request = pool.get('property.payment.request')
        Invoice = pool.get('account.invoice')
        Attachment = pool.get('ir.attachment')
        MoveLine = pool.get('account.move.line')
        data, bill, _ = self._bills()
        owner1 = data['parties'][0]
        request = Request.request_payment(owner1, data['units'][0], [bill],
            'transfer', proof=('receipt.png', b'\x89PNG\r\n\x1a\nxx'))
        self.assertEqual(request.state, 'requested')
        self.assertEqual(request.amount, D('435.24'))
        self.assertEqual(request.payment_method.name, '银行转账')
        self.assertTrue(request.number.startswith('JF'))
        self.assertEqual(
            len(Attachment.search([('resource', '=', str(request))])), 1)
        # nothing is paid until the cashier confirms
        self.assertEqual(Invoice(bill.id).amount_to_pay, D('435.24'))

        Request.confirm([request])
        self.assertEqual(Request(request.id).state, 'confirmed')
        receipt = request.receipt
        self.assertEqual(
            (receipt.state, receipt.amount, receipt.party, receipt.unit),
            ('posted', D('435.24'), owner1, data['units'][0]))
        bill = Invoice(bill.id)
        self.assertEqual(bill.state, 'paid')
        # the money is on the bank account 100201, the receivable cleared
        bank = sum(l.debit - l.credit for l in MoveLine.search([
                    ('account.code', '=', '100201')]))
        self.assertEqual(bank, D('435.24'))
        receivable = sum(l.debit - l.credit for l in MoveLine.search([
                    ('account.code', '=', '1122'),
                    ('party', '=', owner1.id)]))
        self.assertEqual(receivable, D(0))
        # confirming twice is refused, nothing paid twice
        self.assertRefused(Request.confirm, [request])
        self.assertRefused(Request.reject, [request])
        self.assertEqual(sum(l.debit - l.credit for l in MoveLine.search([
                        ('account.code', '=', '100201')])), D('435.24'))
        self.assertRefused(Request.delete, [request])

    @with_transaction()
    def test_bad_requests_refused(self):
        "Wrong amount, another party's bill, a paid bill, a second request"
        pool = Pool()
        Request = pool.get('property.payment.request')
        Receipt = pool.get('property.receipt')
        data, bill1, bill2 = self._bills()
        owner1 = data['parties'][0]
        unit1 = data['units'][0]

        def create(**values):
            return Request.create([{
                        'company': data['company'].id,
                        'estate': data['estate'].id, 'unit': unit1.id,
                        'party': owner1.id, 'method': 'wechat',
                        'invoices': [('add', [bill1.id])],
                        'amount': D('435.24'), **values}])

        # partial payments are not defined: the amount is the whole due
        self.assertRefused(create, amount=D('400'))
        self.assertEqual(Request.search([]), [])
        # a bill of another owner
        self.assertRefused(create, invoices=[('add', [bill2.id])],
                amount=bill2.total_amount)
        self.assertRefused(create, invoices=[])
        # one open request per bill
        request, = create()
        self.assertRefused(
            Request.request_payment, owner1, unit1, [bill1], 'alipay')
        # the owner cancels; a new request may then be made
        Request.cancel([request])
        self.assertEqual(Request(request.id).state, 'cancelled')
        self.assertRefused(Request.cancel, [Request(request.id)])
        second = Request.request_payment(owner1, unit1, [bill1], 'alipay')
        self.assertEqual(second.payment_method.name, '支付宝')
        # rejected only with a reason for the owner
        self.assertRefused(Request.reject, [second])
        Request.write([second], {'rejection_reason': '未查到该笔转账'})
        Request.reject([second])
        self.assertEqual(Request(second.id).state, 'rejected')

        # paid at the counter while a request waits: confirm is refused
        third = Request.request_payment(owner1, unit1, [bill1], 'transfer')
        receipt, = Receipt.create([{
                    'estate': data['estate'].id, 'party': owner1.id,
                    'date': dt.date(2026, 3, 10),
                    'payment_method': self._method('现金').id,
                    'amount': bill1.total_amount,
                    'invoices': [('add', [bill1.id])]}])
        Receipt.post([receipt])
        self.assertRefused(Request.confirm, [third])
        self.assertEqual(Request(third.id).state, 'requested')
        # and a paid bill cannot be asked for
        self.assertRefused(
            Request.request_payment, owner1, unit1, [bill1], 'transfer')

    @with_transaction()
    def test_clerk_confirms(self):
        "A clerk of the estate confirms; cannot create requests"
        pool = Pool()
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        Estate = pool.get('property.estate')
        Request = pool.get('property.payment.request')
        Invoice = pool.get('account.invoice')
        from trytond.model.exceptions import AccessError
        from trytond.modules.company.tests import create_employee
        data, bill, _ = self._bills()
        company = data['company']
        request = Request.request_payment(
            data['parties'][0], data['units'][0], [bill], 'wechat')
        employee = create_employee(company, name="陈佳怡")
        Estate.write([data['estate']], {'staff': [('add', [employee.id])]})
        clerk, = User.create([{
                    'name': "陈佳怡", 'login': 'clerk',
                    'groups': [('add', [ModelData.get_id(
                                    'property_service',
                                    'group_property_clerk')])],
                    'companies': [('add', [company.id])],
                    'company': company.id,
                    'employees': [('add', [employee.id])],
                    'employee': employee.id}])
        transaction = Transaction()
        with transaction.set_user(clerk.id), transaction.set_context(
                _check_access=True, company=company.id,
                companies=[company.id]):
            waiting = Request.search([('state', '=', 'requested')])
            self.assertEqual(waiting, [request])
            Request.confirm(waiting)
            with self.assertRaises(AccessError):
                Request.create([{
                            'company': company.id,
                            'estate': data['estate'].id,
                            'unit': data['units'][0].id,
                            'party': data['parties'][0].id,
                            'method': 'wechat', 'amount': D(1)}])
        self.assertEqual(Invoice(bill.id).state, 'paid')
