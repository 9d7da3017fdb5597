# This file is part of the property service suite. See README.md.
"""Printed documents: rendered by the real report engine (HTML template ->
WeasyPrint PDF), the text read back from the PDF."""
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pypdf

from trytond.model.exceptions import AccessError
from trytond.modules.property_billing.exceptions import PrintError
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


del _DBTestCase
