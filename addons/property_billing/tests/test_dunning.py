# This file is part of the property service suite. See README.md.
"""Arrears, dunning, late fees and disputed bills; the bad input of
collection (rates, payments, dunning) refused with nothing written."""
import datetime as dt
from decimal import Decimal

from trytond.model.exceptions import (
    DomainValidationError, RequiredValidationError)
from trytond.modules.property_billing import accounting
from trytond.modules.property_billing.exceptions import (
    DisputeError, DunningError, LateFeeError, RateError, ReceiptError)
from trytond.pool import Pool
from trytond.tests.test_tryton import _DBTestCase, with_transaction
from trytond.transaction import Transaction

from . import test_billing

D = Decimal


class DunningTestCase(_DBTestCase):
    "Test arrears, dunning and late fees"
    module = 'property_billing'
    _setup = test_billing.BillingTestCase._setup
    _run = test_billing.BillingTestCase._run
    _method = test_billing.BillingTestCase._method

    def _bill_march(self):
        "Bill March 2026: 435.24 (张伟), 359.55 (李娜), 7.21 (王芳)"
        pool = Pool()
        Run = pool.get('property.billing.run')
        Invoice = pool.get('account.invoice')
        data = self._setup()
        Run.bill([self._run(data)])
        data['bills'] = [Invoice.search([('party', '=', p.id)])[0]
            for p in data['parties']]
        return data

    def _pay(self, data, bill, amount, date=dt.date(2026, 3, 10)):
        Receipt = Pool().get('property.receipt')
        receipt, = Receipt.create([{
                    'estate': data['estate'].id, 'party': bill.party.id,
                    'date': date, 'amount': amount,
                    'payment_method': self._method('现金').id,
                    'invoices': [('add', [bill.id])]}])
        Receipt.post([receipt])
        return receipt

    @with_transaction()
    def test_setup_dunning_procedure(self):
        "The set-up creates 提醒/催缴函/最后通知 and the late fee on 630101"
        pool = Pool()
        Procedure = pool.get('account.dunning.procedure')
        data = self._setup()
        procedure, = Procedure.search([])
        self.assertEqual(
            [(l.name, l.overdue.days, bool(l.send_email),
                    bool(l.print_on_letter), bool(l.fee))
                for l in procedure.levels], [
                ('提醒', 15, True, False, False),
                ('催缴函', 45, True, True, True),
                ('最后通知', 90, True, True, True),
                ])
        fee = procedure.levels[1].fee
        self.assertEqual((fee.compute_method, fee.daily_rate, fee.cap),
            ('daily_rate', D('0.0003'), D('1')))
        self.assertEqual(fee.product.account_revenue_used.code, '630101')
        self.assertEqual(fee.product.customer_taxes_used, ())
        # every customer billed gets the procedure
        for party in data['parties']:
            self.assertEqual(party.dunning_procedure, procedure)

    @with_transaction()
    def test_late_fee_bad_input(self):
        "A daily rate or cap out of bounds is refused"
        Fee = Pool().get('account.dunning.fee')
        self._setup()
        fee, = Fee.search([])
        for values in [
                {'daily_rate': D('0')}, {'daily_rate': D('-0.0003')},
                {'cap': D('-1')}, {'cap': D('0')}, {'cap': D('1.5')}]:
            with self.subTest(values=values):
                with self.assertRaises(LateFeeError):
                    Fee.write([fee], values)
        with self.assertRaises((RequiredValidationError, LateFeeError)):
            Fee.write([fee], {'daily_rate': None})

    @with_transaction()
    def test_late_fee_daily_rate_and_cap(self):
        "Late fee = overdue amount x 0.0003 x days, capped, less charged"
        pool = Pool()
        Dunning = pool.get('account.dunning')
        Fee = pool.get('account.dunning.fee')
        data = self._bill_march()
        owner_bill = data['bills'][0]
        self.assertEqual(owner_bill.total_amount, D('435.24'))
        self.assertEqual(owner_bill.lines_to_pay[0].maturity_date,
            dt.date(2026, 3, 1))
        Dunning.generate_dunnings(date=dt.date(2026, 3, 20))
        dunning, = Dunning.search([('party', '=', owner_bill.party.id)])
        self.assertEqual(dunning.level.name, '提醒')
        fee, = Fee.search([])
        # 50 days: 435.24 x 0.0003 x 50 = 6.5286
        self.assertEqual(fee.get_daily_rate_amount(
                dunning, dt.date(2026, 4, 20)), D('6.53'))
        # a partial payment lowers the overdue amount: 235.24 x 0.015
        self._pay(data, owner_bill, D('200'))
        dunning = Dunning(dunning.id)
        self.assertEqual(dunning.overdue_amount, D('235.24'))
        self.assertEqual(fee.get_daily_rate_amount(
                dunning, dt.date(2026, 4, 20)), D('3.53'))
        # capped at the overdue amount (3,400 days would be 102 %)
        self.assertEqual(fee.get_daily_rate_amount(
                dunning, dt.date(2035, 7, 17)), D('235.24'))
        Fee.write([fee], {'cap': D('0.05')})
        fee = Fee(fee.id)
        # 5 % cap: 0.0003 x 200 days would be 6 %
        self.assertEqual(fee.get_daily_rate_amount(
                dunning, dt.date(2026, 9, 17)), D('11.76'))
        # nothing before the due date
        self.assertEqual(fee.get_daily_rate_amount(
                dunning, dt.date(2026, 3, 1)), D('0'))

    @with_transaction()
    def test_dunning_levels_fees_and_dispute(self):
        "Letters charge the late fee to 630101; a disputed bill gets none"
        pool = Pool()
        Dunning = pool.get('account.dunning')
        Invoice = pool.get('account.invoice')
        MoveLine = pool.get('account.move.line')
        Date = pool.get('ir.date')
        data = self._bill_march()
        today = Date.today()
        if today.year != 2026:
            # the fee is posted today
            accounting.create_fiscal_year(data['company'], today.year)
        owner_bill, owner2_bill, tenant_bill = data['bills']
        Dunning.generate_dunnings(date=dt.date(2026, 3, 20))
        dunnings = Dunning.search([])
        self.assertEqual(len(dunnings), 3)
        Dunning.process(dunnings)
        # the reminder has no fee
        self.assertFalse(MoveLine.search([('account.code', '=', '630101')]))

        # the tenant contests the bill: the reason is required
        with self.assertRaises(DisputeError):
            Invoice.set_disputed([tenant_bill], ' ')
        Invoice.set_disputed([tenant_bill], '入住前的垃圾费不应由我承担')
        tenant_bill = Invoice(tenant_bill.id)
        self.assertTrue(tenant_bill.disputed)
        self.assertEqual(tenant_bill.dispute_date, today)
        tenant_dunning, = Dunning.search([
                ('party', '=', tenant_bill.party.id)])
        self.assertTrue(tenant_dunning.blocked)

        Dunning.generate_dunnings(date=dt.date(2026, 4, 20))
        levels = {d.party.name: d.level.name for d in Dunning.search([])}
        self.assertEqual(levels, {
                '张伟': '催缴函', '李娜': '催缴函', '王芳': '提醒'})
        Dunning.process(Dunning.search([('state', '=', 'draft')]))
        days = (today - dt.date(2026, 3, 1)).days
        expected = {}
        for bill in [owner_bill, owner2_bill]:
            amount = bill.total_amount
            expected[bill.party.name] = min(
                (amount * D('0.0003') * days).quantize(D('0.01')), amount)
        fees = {}
        for line in MoveLine.search([('account.code', '=', '630101')]):
            fees[line.move.origin.dunning.party.name] = line.credit
            self.assertEqual(line.move.date, today)
        self.assertEqual(fees, expected)
        # the fee is owed by the party on its receivable
        receivable = {l.party.name: l.debit
            for l in MoveLine.search([('account.code', '=', '1122')])
            if str(l.move.origin).startswith('account.dunning.fee')}
        self.assertEqual(receivable, expected)

        # processing again charges nothing more
        Dunning.process(Dunning.search([]))
        self.assertEqual(
            len(MoveLine.search([('account.code', '=', '630101')])), 2)

        # disputed bills cannot be disputed twice nor a paid one disputed
        self._pay(data, owner2_bill, owner2_bill.total_amount,
            date=dt.date(2026, 4, 21))
        with self.assertRaises(DisputeError):
            Invoice.set_disputed([Invoice(owner2_bill.id)], '已付')
        # unblocking the dunning of a disputed bill is refused
        with self.assertRaises(DunningError):
            Dunning.write([tenant_dunning], {'blocked': False})
        # resolved: dunned again
        Invoice.resolve_dispute([tenant_bill])
        self.assertFalse(Dunning(tenant_dunning.id).blocked)

    @with_transaction()
    def test_paid_bill_not_dunned(self):
        "A paid bill gets no dunning, and one cannot be made by hand"
        pool = Pool()
        Dunning = pool.get('account.dunning')
        Procedure = pool.get('account.dunning.procedure')
        data = self._bill_march()
        owner_bill = data['bills'][0]
        self._pay(data, owner_bill, owner_bill.total_amount)
        Dunning.generate_dunnings(date=dt.date(2026, 4, 20))
        self.assertEqual(
            sorted(d.party.name for d in Dunning.search([])),
            sorted(['李娜', '王芳']))
        procedure, = Procedure.search([])
        paid_line, = [l for l in owner_bill.move.lines
            if l.account.code == '1122']
        with self.assertRaises(DunningError):
            Dunning.create([{
                        'line': paid_line.id, 'procedure': procedure.id,
                        'level': procedure.levels[0].id}])

    @with_transaction()
    def test_arrears_by_age_and_estate_rule(self):
        "Arrears come from the ledger, by age; staff see their estates"
        pool = Pool()
        Arrears = pool.get('property.arrears')
        Summary = pool.get('property.arrears.summary')
        Invoice = pool.get('account.invoice')
        Estate = pool.get('property.estate')
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        from trytond.modules.company.tests import create_employee
        data = self._bill_march()
        owner_bill, owner2_bill, tenant_bill = data['bills']
        self._pay(data, owner_bill, D('200'))
        self._pay(data, owner2_bill, owner2_bill.total_amount)
        Invoice.set_disputed([tenant_bill], '面积有误')

        with Transaction().set_context(date=dt.date(2026, 4, 20)):
            rows = {r.party.name: (r.unit.code, r.amount, r.paid,
                    r.amount_due, r.bucket, r.days_overdue, bool(r.disputed))
                for r in Arrears.search([])}
            self.assertEqual(rows, {
                    '张伟': ('1-0101', D('435.24'), D('200'), D('235.24'),
                        '31_90', 50, False),
                    '王芳': ('1-0102', D('7.21'), D('0'), D('7.21'),
                        '31_90', 50, True),
                    })
            with Transaction().set_context(group_by='estate'):
                summary, = Summary.search([])
                self.assertEqual(
                    (summary.estate, summary.bills, summary.days_31_90,
                        summary.overdue, summary.total),
                    (data['estate'], 2, D('242.45'), D('242.45'),
                        D('242.45')))
            with Transaction().set_context(group_by='party'):
                self.assertEqual(
                    {s.party.name: s.total for s in Summary.search([])},
                    {'张伟': D('235.24'), '王芳': D('7.21')})
        for date, bucket in [
                (dt.date(2026, 3, 1), 'not_due'),
                (dt.date(2026, 3, 31), '1_30'),
                (dt.date(2026, 5, 30), '31_90'),
                (dt.date(2026, 5, 31), '91_180'),
                (dt.date(2026, 8, 28), '91_180'),
                (dt.date(2026, 8, 29), 'over_180')]:
            with Transaction().set_context(date=date):
                self.assertEqual(
                    {r.bucket for r in Arrears.search([])}, {bucket},
                    msg=str(date))
        # bills dated after the report date are not counted yet
        with Transaction().set_context(date=dt.date(2026, 2, 28)):
            self.assertEqual(Arrears.search([]), [])

        # a clerk sees the arrears of the estates they work for only
        other = Estate.create([{'code': 'HY', 'name': '和园'}])[0]
        employee = create_employee(data['company'], name="陈佳怡")
        Estate.write([other], {'staff': [('add', [employee.id])]})
        clerk, = User.create([{
                    'name': "陈佳怡", 'login': 'clerk',
                    'groups': [('add', [ModelData.get_id(
                                    'property_service',
                                    'group_property_clerk')])],
                    'companies': [('add', [data['company'].id])],
                    'company': data['company'].id,
                    'employees': [('add', [employee.id])],
                    'employee': employee.id}])
        transaction = Transaction()
        context = dict(_check_access=True, company=data['company'].id,
            companies=[data['company'].id], date=dt.date(2026, 4, 20))
        with transaction.set_user(clerk.id), transaction.set_context(
                **context):
            self.assertEqual(Arrears.search([]), [])
            self.assertEqual(Summary.search([]), [])
        Estate.write([data['estate']], {'staff': [('add', [employee.id])]})
        with transaction.set_user(clerk.id), transaction.set_context(
                **context):
            self.assertEqual(len(Arrears.search([])), 2)
            # staff may mark a bill disputed without invoice rights
            Invoice.set_disputed([Invoice(owner_bill.id)], '漏水期间')
        self.assertTrue(Invoice(owner_bill.id).disputed)

    @with_transaction()
    def test_bad_input_of_billing_and_payments(self):
        "Bad rates and receipts are refused and write nothing"
        pool = Pool()
        Rate = pool.get('property.fee.rate')
        Tier = pool.get('property.fee.rate.tier')
        Receipt = pool.get('property.receipt')
        Move = pool.get('account.move')
        data = self._bill_march()
        fee = data['fees'][0]
        # a rate ending before it starts
        with self.assertRaises((RateError, DomainValidationError)):
            Rate.create([{'fee': fee.id, 'estate': data['estate'].id,
                        'start_date': dt.date(2026, 6, 1),
                        'end_date': dt.date(2026, 5, 1),
                        'unit_price': D('3')}])
        rate, = Rate.search([
                ('fee', '=', fee.id), ('start_date', '=', dt.date(2026, 1, 1))])
        # a negative or zero tier
        for values in [{'threshold': D('-1'), 'unit_price': D('3')},
                {'threshold': D('10'), 'unit_price': D('-3')}]:
            with self.assertRaises(RateError):
                Tier.create([dict(values, rate=rate.id)])
        moves = Move.search_count([])
        owner_bill = data['bills'][0]
        # a receipt of zero or a negative amount
        for amount in [D('0'), D('-10')]:
            with self.assertRaises(ReceiptError):
                self._pay(data, owner_bill, amount)
        # paying more than due without keeping the excess as prepayment
        with self.assertRaises(ReceiptError):
            self._pay(data, owner_bill, owner_bill.total_amount + 1)
        self.assertEqual(Move.search_count([]), moves)
        self.assertEqual(Receipt.search_count([('state', '=', 'posted')]),
            0)
        # a rate without its start of validity (last: on PostgreSQL the
        # NOT NULL violation aborts the transaction)
        with self.assertRaises(RequiredValidationError):
            Rate.create([{'fee': fee.id, 'unit_price': D('3')}])
