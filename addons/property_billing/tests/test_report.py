# This file is part of the property service suite. See README.md.
"""Printed documents: rendered by the real report engine (HTML template ->
WeasyPrint PDF), the text read back from the PDF."""
import datetime as dt
import io
import unittest
from decimal import Decimal
from pathlib import Path

import pypdf

from trytond.model.exceptions import AccessError
from trytond.modules.property_billing.exceptions import PrintError
from trytond.modules.property_billing.printing import amount_in_words
from trytond.pool import Pool
from trytond.tests.test_tryton import _DBTestCase, with_transaction
from trytond.transaction import Transaction

from . import test_billing

D = Decimal
# the PDFs are kept there for a person to look at (ignored by git)
ARTIFACTS = Path(__file__).resolve().parents[3] / 'tests' / 'artifacts'


def pdf_text(content):
    "The text of every page of a PDF, whitespace removed"
    reader = pypdf.PdfReader(io.BytesIO(content))
    return ''.join(
        ''.join(page.extract_text().split()) for page in reader.pages)


class AmountInWordsTestCase(unittest.TestCase):
    "Capital numerals of an amount (大写金额)"

    def test_amounts(self):
        for amount, words in [
                ('123.45', '壹佰贰拾叁元肆角伍分'),
                ('0', '零元整'),
                ('0.05', '伍分'),
                ('0.50', '伍角整'),
                ('0.55', '伍角伍分'),
                ('1', '壹元整'),
                ('10', '壹拾元整'),
                ('15', '壹拾伍元整'),
                ('100', '壹佰元整'),
                ('101', '壹佰零壹元整'),
                ('110', '壹佰壹拾元整'),
                ('1005.20', '壹仟零伍元贰角整'),
                ('1050', '壹仟零伍拾元整'),
                ('3.05', '叁元零伍分'),
                ('1000.05', '壹仟元零伍分'),
                ('1680.32', '壹仟陆佰捌拾元叁角贰分'),
                ('10000', '壹万元整'),
                ('10010', '壹万零壹拾元整'),
                ('100000', '壹拾万元整'),
                ('100005', '壹拾万零伍元整'),
                ('1001000', '壹佰万壹仟元整'),
                ('1000100', '壹佰万零壹佰元整'),
                ('20006000', '贰仟万陆仟元整'),
                ('100000000', '壹亿元整'),
                ('100010000', '壹亿零壹万元整'),
                ('100000001', '壹亿零壹元整'),
                ('435.24', '肆佰叁拾伍元贰角肆分'),
                ('-12.30', '负壹拾贰元叁角整'),
                # rounded to the fen (half up)
                ('2.345', '贰元叁角伍分'),
                ]:
            with self.subTest(amount=amount):
                self.assertEqual(amount_in_words(D(amount)), words)

    def test_too_large(self):
        with self.assertRaises(ValueError):
            amount_in_words(D('1E16'))


class ReportTestCase(_DBTestCase):
    "Test the printed documents"
    module = 'property_billing'

    def _setup(self):
        # the estate, units, parties, fees and plans of the billing tests
        return test_billing.BillingTestCase._setup(self)

    def _bill(self, data, period=None):
        Run = Pool().get('property.billing.run')
        run = test_billing.BillingTestCase._run(self, data, period)
        Run.bill([run])
        return run

    def _method(self, name):
        Method = Pool().get('account.invoice.payment.method')
        method, = Method.search([('name', '=', name)])
        return method

    def _execute(self, report_name, records, data=None, artifact=None):
        Report = Pool().get(report_name, type='report')
        ext, content, _, name = Report.execute(
            [r.id for r in records], data or {})
        self.assertEqual(ext, 'pdf')
        self.assertTrue(bytes(content).startswith(b'%PDF'))
        if artifact:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            (ARTIFACTS / artifact).write_bytes(bytes(content))
        return pdf_text(bytes(content)), name

    @with_transaction()
    def test_bill_notice(self):
        "The bill notice shows the unit, fee lines, taxes, due and arrears"
        pool = Pool()
        Invoice = pool.get('account.invoice')
        Period = pool.get('account.period')
        data = self._setup()
        owner1 = data['parties'][0]
        self._bill(data)
        march, = Invoice.search([('party', '=', owner1.id)])
        text, name = self._execute('property.billing.bill', [march])
        self.assertIn(march.number, name)
        for expected in [
                '缴费通知单', '安居物业服务有限公司', '阳光花园', '1-0101',
                '张伟', '2026年3月', '2026年3月1日',
                # 89.50 m² x 2.80 = 250.60; 1 space x 150; 10
                '物业服务费', '89.50', '2.80', '¥250.60', '¥150.00',
                '¥10.00',
                '¥410.60', '¥24.64', '¥435.24',
                '肆佰叁拾伍元贰角肆分',
                '微信支付']:
            self.assertIn(expected, text)
        self.assertNotIn('往期欠费', text)

        # April: March unpaid is printed as arrears of the unit
        april, = Period.search([
                ('start_date', '=', dt.date(2026, 4, 1)),
                ('type', '=', 'standard')])
        self._bill(data, april)
        april_bill, = Invoice.search([
                ('party', '=', owner1.id),
                ('invoice_date', '=', dt.date(2026, 4, 1))])
        text, _ = self._execute(
            'property.billing.bill', [april_bill], artifact='bill.pdf')
        self.assertIn('2026年4月', text)
        self.assertIn('往期欠费', text)
        self.assertIn(march.number, text)
        # 435.24 now + 435.24 before
        self.assertIn('¥870.48', text)
        self.assertIn('捌佰柒拾元肆角捌分', text)

        # both bills in one PDF, a page each
        Report = pool.get('property.billing.bill', type='report')
        _, content, _, _ = Report.execute([march.id, april_bill.id], {})
        self.assertEqual(
            len(pypdf.PdfReader(io.BytesIO(bytes(content))).pages), 2)

    @with_transaction()
    def test_bill_notice_refused_for_draft(self):
        "A draft invoice is not printed as a bill notice"
        pool = Pool()
        Invoice = pool.get('account.invoice')
        data = self._setup()
        self._bill(data)
        bill, = Invoice.search([('party', '=', data['parties'][0].id)])
        draft, = Invoice.copy([bill])
        Report = pool.get('property.billing.bill', type='report')
        with self.assertRaises(PrintError):
            Report.execute([draft.id], {})

    @with_transaction()
    def test_bill_notice_access(self):
        "A user without billing rights cannot print a bill"
        pool = Pool()
        User = pool.get('res.user')
        Invoice = pool.get('account.invoice')
        data = self._setup()
        company = data['company']
        self._bill(data)
        bill, = Invoice.search([('party', '=', data['parties'][0].id)])
        user, = User.create([{
                    'name': "赵强", 'login': 'nobilling',
                    'companies': [('add', [company.id])],
                    'company': company.id}])
        Report = pool.get('property.billing.bill', type='report')
        transaction = Transaction()
        with transaction.set_user(user.id), transaction.set_context(
                _check_access=True, company=company.id,
                companies=[company.id]):
            with self.assertRaises(AccessError):
                Report.execute([bill.id], {})

    def _receipt(self, data, amount, prepay=False, post=True):
        pool = Pool()
        Receipt = pool.get('property.receipt')
        Invoice = pool.get('account.invoice')
        owner1 = data['parties'][0]
        bill, = Invoice.search([('party', '=', owner1.id)])
        receipt, = Receipt.create([{
                    'estate': data['estate'].id,
                    'unit': data['units'][0].id,
                    'party': owner1.id, 'date': dt.date(2026, 3, 10),
                    'payment_method': self._method('微信支付').id,
                    'amount': amount, 'prepay_excess': prepay,
                    'invoices': [('add', [bill.id])],
                    }])
        if post:
            Receipt.post([receipt])
        return receipt, bill

    @with_transaction()
    def test_receipt(self):
        "The receipt shows the bills paid, the prepayment and 大写"
        data = self._setup()
        self._bill(data)
        # 435.24 due: 500.00 paid, 64.76 kept as prepayment
        receipt, bill = self._receipt(data, D('500.00'), prepay=True)
        text, name = self._execute(
            'property.receipt', [receipt], artifact='receipt.pdf')
        self.assertIn(receipt.number, name)
        for expected in [
                '收据', '安居物业服务有限公司', receipt.number,
                '2026年3月10日', '张伟', '阳光花园', '1-0101', '微信支付',
                bill.number, '¥435.24', '预存款', '¥64.76', '¥500.00',
                '人民币伍佰元整']:
            self.assertIn(expected, text)

    @with_transaction()
    def test_receipt_partial(self):
        "A partial payment prints what was paid, not the whole bill"
        data = self._setup()
        self._bill(data)
        receipt, bill = self._receipt(data, D('123.45'))
        text, _ = self._execute('property.receipt', [receipt])
        self.assertIn('¥123.45', text)
        self.assertIn('壹佰贰拾叁元肆角伍分', text)
        self.assertNotIn('¥435.24', text)
        self.assertNotIn('预存款', text)

    @with_transaction()
    def test_draft_receipt_refused(self):
        "A draft receipt cannot be printed"
        data = self._setup()
        self._bill(data)
        receipt, _ = self._receipt(data, D('100'), post=False)
        Report = Pool().get('property.receipt', type='report')
        with self.assertRaises(PrintError):
            Report.execute([receipt.id], {})

    @with_transaction()
    def test_receipt_access_other_estate(self):
        "A clerk of one estate cannot print a receipt of another estate"
        pool = Pool()
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        Estate = pool.get('property.estate')
        from trytond.modules.company.tests import create_employee
        data = self._setup()
        company = data['company']
        self._bill(data)
        receipt, _ = self._receipt(data, D('100'))
        other, = Estate.create([{'code': 'HY', 'name': '和园'}])
        employee = create_employee(company, name="陈佳怡")
        Estate.write([other], {'staff': [('add', [employee.id])]})
        clerk, = User.create([{
                    'name': "陈佳怡", 'login': 'clerk',
                    'groups': [('add', [ModelData.get_id(
                                    'property_service',
                                    'group_property_clerk')])],
                    'companies': [('add', [company.id])],
                    'company': company.id,
                    'employees': [('add', [employee.id])],
                    'employee': employee.id}])
        Report = pool.get('property.receipt', type='report')
        transaction = Transaction()

        def execute():
            with transaction.set_user(clerk.id), transaction.set_context(
                    _check_access=True, company=company.id,
                    companies=[company.id]):
                return Report.execute([receipt.id], {})
        with self.assertRaises(AccessError):
            execute()
        # staff of the receipt's estate too: now printed
        Estate.write([data['estate']], {'staff': [('add', [employee.id])]})
        ext, content, _, _ = execute()
        self.assertIn('壹佰元整', pdf_text(bytes(content)))

    @with_transaction()
    def test_deposit_receipt(self):
        "A received deposit prints a deposit receipt; a draft is refused"
        pool = Pool()
        Deposit = pool.get('property.deposit')
        Report = pool.get('property.deposit', type='report')
        data = self._setup()
        deposit, = Deposit.create([{
                    'estate': data['estate'].id,
                    'unit': data['units'][0].id,
                    'party': data['parties'][0].id,
                    'description': '装修押金', 'amount': D('2000'),
                    'payment_method': self._method('现金').id,
                    'received_date': dt.date(2026, 3, 2)}])
        with self.assertRaises(PrintError):
            Report.execute([deposit.id], {})
        Deposit.receive([deposit])
        text, _ = self._execute(
            'property.deposit', [deposit], artifact='deposit.pdf')
        for expected in [
                '押金收据', '装修押金', '¥2,000.00', '人民币贰仟元整',
                '张伟', '1-0101', '现金', '2026年3月2日']:
            self.assertIn(expected, text)

    @with_transaction()
    def test_fee_standards(self):
        "The fee standards list the fees, rates in force and units"
        pool = Pool()
        Rate = pool.get('property.fee.rate')
        Print = pool.get('property.fee.standards.print', type='wizard')
        data = self._setup()
        property_fee = data['fees'][0]
        old, = property_fee.rates
        Rate.write([old], {'end_date': dt.date(2026, 6, 30)})
        Rate.create([{'fee': property_fee.id,
                    'start_date': dt.date(2026, 7, 1),
                    'unit_price': D('3.20'),
                    'approval': '业主大会决议〔2026〕3号'}])
        text, name = self._execute(
            'property.fee.standards', [data['estate']],
            {'date': dt.date(2026, 3, 1)})
        self.assertIn('阳光花园', name)
        for expected in [
                '收费标准公示', '阳光花园', '2026年3月1日',
                '物业服务费', '2.80元/平方米·月', '车位管理费',
                '150.00元/个·月', '生活垃圾处理费', '10.00元/户·月',
                '按月', '增值税6%', '全部房屋']:
            self.assertIn(expected, text)
        self.assertNotIn('3.20', text)

        # through the wizard, at a later date: the new rate
        with Transaction().set_context(
                active_model='property.estate',
                active_id=data['estate'].id,
                active_ids=[data['estate'].id]):
            session_id, _, _ = Print.create()
            wizard = Print(session_id)
            wizard.start.date = dt.date(2026, 7, 1)
            _, report_data = wizard.do_print_({})
        self.assertEqual(report_data['date'], dt.date(2026, 7, 1))
        text, _ = self._execute(
            'property.fee.standards', [data['estate']], report_data,
            artifact='fee_standards.pdf')
        self.assertIn('3.20元/平方米·月', text)
        self.assertIn('业主大会决议〔2026〕3号', text)
        self.assertNotIn('2.80元', text)


del _DBTestCase
