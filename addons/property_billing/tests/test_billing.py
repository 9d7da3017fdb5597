# This file is part of the property service suite. See README.md.
"""Fees, rates, fee plans and billing runs: amounts, proration, bill-to
parties, idempotence (a rerun bills nothing) and the general ledger."""
import datetime as dt
from decimal import Decimal
from unittest.mock import patch

from trytond.modules.property_billing import billing
from trytond.modules.property_billing.accounting import (
    get_account, setup_company)
from trytond.modules.property_billing.exceptions import (
    BillingRunError, DepositError, RateError, ReadingError,
    ReadingImportError, ReceiptError)
from trytond.pool import Pool
from trytond.tests.test_tryton import _DBTestCase, with_transaction
from trytond.transaction import Transaction

from .test_module import create_cny_company

D = Decimal


class BillingTestCase(_DBTestCase):
    "Test billing runs"
    module = 'property_billing'

    def _setup(self):
        pool = Pool()
        Party = pool.get('party.party')
        Estate = pool.get('property.estate')
        Unit = pool.get('property.unit')
        Occupancy = pool.get('property.occupancy')
        ParkingSpace = pool.get('property.parking_space')
        Template = pool.get('product.template')
        Uom = pool.get('product.uom')
        Fee = pool.get('property.fee')
        Plan = pool.get('property.fee.plan')
        Period = pool.get('account.period')

        company = create_cny_company()
        # the company of the user and context for the rest of the test
        User = pool.get('res.user')
        User.write([User(Transaction().user)], {
                'companies': [('add', [company.id])],
                'company': company.id})
        Transaction().set_context(User.get_preferences(context_only=True))
        _, categories = setup_company(company, [2026])
        estate, = Estate.create([{
                    'code': 'YG', 'name': '阳光花园',
                    'buildings': [('create', [{'code': '1', 'name': '1栋'}])],
                    }])
        building, = estate.buildings
        u1, u2 = Unit.create([{
                    'building': building.id, 'number': n,
                    'building_area': area,
                    } for n, area in [('0101', D('89.50')), ('0102', D('120'))]])
        owner1, owner2, tenant = Party.create([
                {'name': n, 'addresses': [('create', [{}])]}
                for n in ['张伟', '李娜', '王芳']])
        Occupancy.create([
                {'unit': u1.id, 'party': owner1.id, 'role': 'owner',
                    'share': D(100), 'start_date': dt.date(2020, 1, 1)},
                {'unit': u2.id, 'party': owner2.id, 'role': 'owner',
                    'share': D(100), 'start_date': dt.date(2020, 1, 1)},
                # moves in on 11 March: 21 of 31 days
                {'unit': u2.id, 'party': tenant.id, 'role': 'tenant',
                    'start_date': dt.date(2026, 3, 11)},
                ])
        ParkingSpace.create([{
                    'estate': estate.id, 'code': 'B1-001', 'unit': u1.id}])
        square_meter, = Uom.search([('symbol', '=', 'm²')])
        unit_uom, = Uom.search([('symbol', '=', 'u')])

        def product(name, category, uom):
            template, = Template.create([{
                        'name': name, 'type': 'service',
                        'default_uom': uom.id,
                        'account_category': categories[category].id,
                        'products': [('create', [{}])]}])
            return template.products[0]
        uom2, = Uom.copy([unit_uom], {'name': '户·月', 'symbol': '户月',
                'rounding': 0.01, 'digits': 2})
        property_fee, parking_fee, garbage_fee = Fee.create([{
                    'code': 'WYF', 'name': '物业服务费', 'method': 'area',
                    'product': product('物业服务费', 'property',
                        square_meter).id,
                    'rates': [('create', [{
                                    'start_date': dt.date(2026, 1, 1),
                                    'unit_price': D('2.80')}])],
                    }, {
                    'code': 'TCF', 'name': '车位管理费', 'method': 'parking',
                    'product': product('车位管理费', 'parking', uom2).id,
                    'rates': [('create', [{
                                    'start_date': dt.date(2026, 1, 1),
                                    'unit_price': D('150')}])],
                    }, {
                    'code': 'LJF', 'name': '生活垃圾处理费', 'method': 'unit',
                    'product': product('生活垃圾处理费', 'property', uom2).id,
                    'rates': [('create', [{
                                    'start_date': dt.date(2026, 1, 1),
                                    'unit_price': D('10')}])],
                    }])
        Plan.create([{
                    'name': '住宅物业费', 'estate': estate.id,
                    'fees': [('add', [property_fee.id, parking_fee.id])],
                    'start_date': dt.date(2026, 1, 1), 'bill_to': 'owner',
                    }, {
                    'name': '垃圾费（住户）', 'estate': estate.id,
                    'fees': [('add', [garbage_fee.id])],
                    'start_date': dt.date(2026, 1, 1), 'bill_to': 'tenant',
                    }])
        march, = Period.search([
                ('start_date', '=', dt.date(2026, 3, 1)),
                ('type', '=', 'standard')])
        return {
            'company': company, 'estate': estate, 'units': (u1, u2),
            'parties': (owner1, owner2, tenant), 'march': march,
            'fees': (property_fee, parking_fee, garbage_fee),
            }

    def _run(self, data, period=None):
        Run = Pool().get('property.billing.run')
        run, = Run.create([{
                    'period': (period or data['march']).id,
                    'invoice_date': (period or data['march']).start_date,
                    'estates': [('add', [data['estate'].id])],
                    }])
        return run

    @with_transaction()
    def test_bill_month(self):
        "A run bills each unit and party once, posts, and matches the ledger"
        pool = Pool()
        Run = pool.get('property.billing.run')
        Invoice = pool.get('account.invoice')
        MoveLine = pool.get('account.move.line')
        data = self._setup()
        owner1, owner2, tenant = data['parties']
        run = self._run(data)
        Run.preview([run])
        self.assertEqual(
            sum(p.amount for p in run.preview_lines), D('756.60'))
        Run.bill([run])
        self.assertEqual(run.state, 'done')
        invoices = Invoice.search([], order=[('party.name', 'ASC')])
        amounts = {(i.party.name, i.reference): (
                i.state, i.untaxed_amount, i.tax_amount)
            for i in invoices}
        self.assertEqual(amounts, {
                # 89.50 m² x 2.80 + 1 space x 150 + 10 (owner lives there)
                ('张伟', '1-0101'): ('posted', D('410.60'), D('24.64')),
                # 120 m² x 2.80 + garbage 10 days of 31 before the tenant
                ('李娜', '1-0102'): ('posted', D('339.20'), D('20.35')),
                # garbage 21 of 31 days after moving in: 0.68 x 10
                ('王芳', '1-0102'): ('posted', D('6.80'), D('0.41')),
                })
        self.assertEqual(run.invoice_count, 3)
        # general ledger: receivable = bills, income + VAT = bills
        receivable = get_account(data['company'], '1122')
        lines = MoveLine.search([('account', '=', receivable.id)])
        self.assertEqual(
            sum(l.debit - l.credit for l in lines),
            sum(i.total_amount for i in invoices))
        income = sum(
            l.credit - l.debit for l in MoveLine.search([
                    ('account.code', 'in', ['600101', '600102'])]))
        self.assertEqual(income, sum(i.untaxed_amount for i in invoices))

        # a retried batch bills nothing
        self.assertEqual(Run.bill_units(run, [u.id for u in data['units']]),
            [])
        self.assertEqual(Invoice.search_count([]), 3)
        # a second run of the same month is refused
        again = self._run(data)
        with self.assertRaises(BillingRunError):
            Run.bill([again])
        self.assertEqual(Invoice.search_count([]), 3)

    @with_transaction()
    def test_bill_in_queued_batches(self):
        """A large run is billed by queued batches: each creates its bills
        and queues their posting in the posting queue; a posting posts what
        the batches created so far. The bills are the same as in one go and
        their numbers gapless."""
        pool = Pool()
        Run = pool.get('property.billing.run')
        Invoice = pool.get('account.invoice')
        Queue = pool.get('ir.queue')
        MoveLine = pool.get('account.move.line')
        data = self._setup()
        run = self._run(data)
        with patch.object(billing, 'QUEUE_BATCH', 1):  # one unit a batch
            Run.bill([run])
        self.assertEqual((run.state, run.pending), ('processing', 2))
        self.assertEqual([(b.number, b.unit_count, b.state)
                for b in run.batches], [(1, 1, 'pending'), (2, 1, 'pending')])
        self.assertEqual(Invoice.search_count([]), 0)

        def next_task(name):
            "what a trytond-worker of the queue takes next (ir.queue.pull)"
            tasks = Queue.search([
                    ('name', '=', name),
                    ('dequeued_at', '=', None),
                    ], order=[('scheduled_at', 'ASC NULLS FIRST'),
                    ('expected_at', 'ASC NULLS FIRST'), ('id', 'ASC')])
            tasks = [t for t in tasks
                if t.data['method'] in {'create_queued', 'post_created'}]
            if tasks:
                tasks[0].run()
                return tasks[0].data['method']

        # the first batch creates its bill (张伟's), still draft
        self.assertEqual(next_task('default'), 'create_queued')
        self.assertEqual(Invoice.search_count([('state', '=', 'draft')]), 1)
        run = Run(run.id)
        self.assertEqual([b.state for b in run.batches],
            ['created', 'pending'])
        # the posting queue posts it while the second batch waits
        self.assertEqual(next_task(billing.POSTING_QUEUE), 'post_created')
        self.assertEqual(Invoice.search_count([('state', '=', 'posted')]), 1)
        run = Run(run.id)
        self.assertEqual((run.state, run.pending), ('processing', 1))
        self.assertEqual([b.state for b in run.batches], ['posted', 'pending'])
        # the second batch (李娜's and 王芳's bills) and its posting
        self.assertEqual(next_task('default'), 'create_queued')
        self.assertEqual(next_task(billing.POSTING_QUEUE), 'post_created')
        self.assertIsNone(next_task('default'))
        self.assertIsNone(next_task(billing.POSTING_QUEUE))
        self.assertEqual([(b.invoice_count, b.state) for b in run.batches],
            [(1, 'posted'), (2, 'posted')])

        run = Run(run.id)
        self.assertEqual((run.state, run.pending), ('done', 0))
        invoices = Invoice.search([], order=[('number', 'ASC')])
        self.assertEqual({(i.party.name, i.reference, i.state,
                    i.untaxed_amount) for i in invoices}, {
                ('张伟', '1-0101', 'posted', D('410.60')),
                ('李娜', '1-0102', 'posted', D('339.20')),
                ('王芳', '1-0102', 'posted', D('6.80')),
                })
        numbers = [int(i.number[-4:]) for i in invoices]
        self.assertEqual(numbers, list(range(numbers[0], numbers[0] + 3)))
        self.assertTrue(all(i.move.state == 'posted' and i.move.number
                for i in invoices))
        receivable = get_account(data['company'], '1122')
        self.assertEqual(
            sum(l.debit - l.credit for l in MoveLine.search([
                        ('account', '=', receivable.id)])),
            sum(i.total_amount for i in invoices))

    @with_transaction()
    def test_resume_tasks_of_a_dead_worker(self):
        """The cron queues again a batch whose task a dead worker left
        dequeued, and a posting lost with its worker; never a task that
        waits for a worker. (A worker killed for real on PostgreSQL:
        tests/postgresql/test_billing_kill.py.)"""
        pool = Pool()
        Run = pool.get('property.billing.run')
        Queue = pool.get('ir.queue')
        Invoice = pool.get('account.invoice')
        data = self._setup()
        run = self._run(data)
        with patch.object(billing, 'QUEUE_BATCH', 1):  # one unit a batch
            Run.bill([run])
        first, second = Run(run.id).batches

        def tasks(method):
            "the tasks of the method waiting for a worker"
            return [t for t in Queue.search([('dequeued_at', '=', None)],
                    order=[('id', 'ASC')]) if t.data['method'] == method]

        def die(task):
            "ir.queue.pull marks it dequeued, then its worker is killed"
            Queue.write([task], {'dequeued_at': dt.datetime.now()})

        # nothing is left while the tasks wait for a worker
        waiting = tasks('create_queued')
        self.assertEqual([t.id for t in waiting], [first.task, second.task])
        Run.resume_stalled()
        self.assertEqual(tasks('create_queued'), waiting)

        die(waiting[0])
        Run.resume_stalled()
        again = tasks('create_queued')
        self.assertEqual(len(again), 2)
        first = first.__class__(first.id)
        self.assertEqual(first.task, again[-1].id)
        self.assertEqual(again[-1].data, waiting[0].data)
        # the batch queued again creates its bill once
        again[-1].run()
        self.assertEqual(first.__class__(first.id).state, 'created')
        self.assertEqual(Invoice.search_count([]), 1)

        # its posting dies too: the cron queues another one
        posting, = tasks('post_created')
        die(posting)
        Run.resume_stalled()
        posting, = tasks('post_created')
        posting.run()
        self.assertEqual(Invoice.search_count([('state', '=', 'posted')]),
            1)
        # the second batch, then nothing left
        waiting = tasks('create_queued')
        self.assertEqual([t.id for t in waiting], [second.task])
        waiting[0].run()
        tasks('post_created')[0].run()
        Run.resume_stalled()
        self.assertEqual(tasks('create_queued'), [])
        self.assertEqual(tasks('post_created'), [])
        run = Run(run.id)
        self.assertEqual((run.state, run.pending), ('done', 0))
        self.assertEqual(Invoice.search_count([('state', '=', 'posted')]),
            3)

    @with_transaction()
    def test_rate_change_keeps_billed(self):
        "A new rate applies from its start; billed lines keep their rate"
        pool = Pool()
        Run = pool.get('property.billing.run')
        Rate = pool.get('property.fee.rate')
        Line = pool.get('property.billing.line')
        Period = pool.get('account.period')
        data = self._setup()
        property_fee = data['fees'][0]
        Run.bill([self._run(data)])
        old_rate, = property_fee.rates
        with self.assertRaises(RateError):
            Rate.write([old_rate], {'unit_price': D('3.00')})
        with self.assertRaises(RateError):
            Rate.delete([old_rate])
        Rate.write([old_rate], {'end_date': dt.date(2026, 3, 31)})
        Rate.create([{'fee': property_fee.id,
                    'start_date': dt.date(2026, 4, 1),
                    'unit_price': D('3.00')}])
        april, = Period.search([
                ('start_date', '=', dt.date(2026, 4, 1)),
                ('type', '=', 'standard')])
        Run.bill([self._run(data, april)])
        prices = {(l.month, l.unit_price) for l in Line.search([
                    ('fee', '=', property_fee.id)])}
        self.assertEqual(prices, {
                (dt.date(2026, 3, 1), D('2.80')),
                (dt.date(2026, 4, 1), D('3.00'))})
        # a rate overlapping another of the same fee is refused
        with self.assertRaises(RateError):
            Rate.create([{'fee': property_fee.id,
                        'start_date': dt.date(2026, 6, 1),
                        'unit_price': D('3.50')}])

    @with_transaction()
    def test_negative_rate_refused(self):
        "A negative unit price is refused"
        Rate = Pool().get('property.fee.rate')
        data = self._setup()
        with self.assertRaises(RateError):
            Rate.create([{'fee': data['fees'][0].id,
                        'estate': data['estate'].id,
                        'start_date': dt.date(2026, 1, 1),
                        'unit_price': D('-1')}])

    @with_transaction()
    def test_billed_line_unique_in_database(self):
        "The database refuses a second billed line for a unit/fee/month"
        pool = Pool()
        Run = pool.get('property.billing.run')
        Line = pool.get('property.billing.line')
        data = self._setup()
        Run.bill([self._run(data)])
        line = Line.search([], limit=1)[0]
        values = {f: getattr(line, f) for f in [
                'month', 'quantity', 'unit_price', 'amount']}
        values.update({f: getattr(line, f).id for f in [
                    'company', 'estate', 'unit', 'fee', 'party', 'rate',
                    'invoice_line']})
        from trytond.model.exceptions import SQLConstraintError
        with self.assertRaises(SQLConstraintError):
            Line.create([values])


    @with_transaction()
    def test_readings(self):
        "A reading lower than the previous is refused unless replaced"
        pool = Pool()
        Meter = pool.get('property.meter')
        Reading = pool.get('property.meter.reading')
        data = self._setup()
        u1, u2 = data['units']
        meter, = Meter.create([{
                    'estate': data['estate'].id, 'code': 'W-0101',
                    'kind': 'water', 'unit': u1.id}])
        Reading.create([{'meter': meter.id, 'date': dt.date(2026, 2, 28),
                    'value': D('100')}])
        with self.assertRaises(ReadingError):
            Reading.create([{'meter': meter.id,
                        'date': dt.date(2026, 3, 1), 'value': D('99')}])
        with self.assertRaises(ReadingError):
            Reading.create([{'meter': meter.id,
                        'date': dt.date(2026, 3, 2), 'value': D('-1'),
                        'replacement': True}])
        # (the failed rows are rolled back by the transaction in real use)
        Reading.delete(Reading.search([
                    ('date', 'in', [dt.date(2026, 3, 1), dt.date(2026, 3, 2)])]))
        new, = Reading.create([{'meter': meter.id,
                    'date': dt.date(2026, 3, 15), 'value': D('3'),
                    'replacement': True}])
        last, = Reading.create([{'meter': meter.id,
                    'date': dt.date(2026, 3, 31), 'value': D('15')}])
        self.assertEqual(
            [r.consumption for r in [new, last]], [D('0'), D('12')])
        # inserting a reading above the following one is refused too
        with self.assertRaises(ReadingError):
            Reading.create([{'meter': meter.id,
                        'date': dt.date(2026, 3, 20), 'value': D('20')}])

    @with_transaction()
    def test_metered_fee_tiers_and_shared_meter(self):
        "Water is billed by consumption with tiers, shared meters by area"
        pool = Pool()
        Meter = pool.get('property.meter')
        Reading = pool.get('property.meter.reading')
        Fee = pool.get('property.fee')
        Plan = pool.get('property.fee.plan')
        Run = pool.get('property.billing.run')
        Line = pool.get('property.billing.line')
        data = self._setup()
        u1, u2 = data['units']
        water = Fee.create([{
                    'code': 'SF', 'name': '水费', 'method': 'metered',
                    'meter_kind': 'water',
                    'product': data['fees'][0].product.id,
                    'rates': [('create', [{
                                    'start_date': dt.date(2026, 1, 1),
                                    'unit_price': D('3.00'),
                                    'tiers': [('create', [{
                                                    'threshold': D('10'),
                                                    'unit_price': D('4.50'),
                                                    }])],
                                    }])],
                    }])[0]
        Plan.create([{'name': '水费', 'estate': data['estate'].id,
                    'fees': [('add', [water.id])],
                    'start_date': dt.date(2026, 1, 1)}])
        own, shared = Meter.create([{
                    'estate': data['estate'].id, 'code': 'W-0101',
                    'kind': 'water', 'unit': u1.id,
                    }, {
                    'estate': data['estate'].id, 'code': 'W-GT',
                    'kind': 'water', 'shared': True,
                    'units': [('add', [u1.id, u2.id])],
                    }])
        Reading.create([
                {'meter': own.id, 'date': dt.date(2026, 2, 28),
                    'value': D('100')},
                {'meter': own.id, 'date': dt.date(2026, 3, 31),
                    'value': D('112')},
                {'meter': shared.id, 'date': dt.date(2026, 2, 28),
                    'value': D('0')},
                # 20.95 m³ shared: 89.50 / 209.50 and 120 / 209.50
                {'meter': shared.id, 'date': dt.date(2026, 3, 31),
                    'value': D('20.95')},
                ])
        Run.bill([self._run(data)])
        lines = {l.unit.code: (l.quantity, l.amount)
            for l in Line.search([('fee', '=', water.id)])}
        # unit 1: 12 + 8.95 = 20.95 m³: 10 x 3.00 + 10.95 x 4.50 = 79.28
        # unit 2: 12.00 m³: 10 x 3.00 + 2 x 4.50 = 39.00
        self.assertEqual(lines, {
                '1-0101': (D('20.95'), D('79.28')),
                '1-0102': (D('12.00'), D('39.00')),
                })

    @with_transaction()
    def test_reading_import(self):
        "A CSV with bad rows imports nothing and names every bad line"
        pool = Pool()
        Meter = pool.get('property.meter')
        Reading = pool.get('property.meter.reading')
        Import = pool.get('property.meter.reading.import', type='wizard')
        data = self._setup()
        u1, u2 = data['units']
        Meter.create([{
                    'estate': data['estate'].id, 'code': code,
                    'kind': 'water', 'unit': unit.id}
                for code, unit in [('W1', u1), ('W2', u2)]])
        good = ('meter_code,date,value,reader\n'
            'W1,2026-02-28,100,李师傅\n'
            'W1,2026-03-31,112.5,李师傅\n'
            'W2,2026-03-31,40,李师傅\n')
        bad = ('meter_code,date,value,reader,replacement\n'
            'W1,2026-04-30,110,李师傅,\n'       # lower than 112.5
            'W9,2026-04-30,1,李师傅,\n'         # unknown meter
            'W2,2026-04-31,50,李师傅,\n'        # no such date
            'W2,2026-04-30,abc,李师傅,\n'       # not a number
            'W1,2026-05-31,5,李师傅,1\n')       # new meter: fine
        self.assertEqual(
            Import.import_csv(data['estate'], good.encode('utf-8')), 3)
        with self.assertRaises(ReadingImportError) as cm:
            Import.import_csv(data['estate'], bad.encode('utf-8'))
        message = cm.exception.message
        for line in ['2', '3', '4', '5']:
            self.assertIn(f'Line {line}:', message)
        self.assertNotIn('Line 6:', message)
        self.assertEqual(Reading.search_count([]), 3)

    def _method(self, name):
        Method = Pool().get('account.invoice.payment.method')
        method, = Method.search([('name', '=', name)])
        return method

    def _receipt_values(self, data, bill, amount, method, prepay=False):
        "A receipt of the first owner on 10 March paying bill"
        return {
            'estate': data['estate'].id,
            'unit': data['units'][0].id,
            'party': data['parties'][0].id, 'date': dt.date(2026, 3, 10),
            'payment_method': self._method(method).id,
            'amount': amount, 'prepay_excess': prepay,
            'invoices': [('add', [bill.id])],
            }

    @with_transaction()
    def test_counter_payments_and_prepayment(self):
        "Partial payment, overpayment refused, prepayment used next month"
        pool = Pool()
        Run = pool.get('property.billing.run')
        Invoice = pool.get('account.invoice')
        Receipt = pool.get('property.receipt')
        Period = pool.get('account.period')
        data = self._setup()
        owner1 = data['parties'][0]
        Run.bill([self._run(data)])
        bill, = Invoice.search([('party', '=', owner1.id)])
        self.assertEqual(bill.total_amount, D('435.24'))

        def receipt(amount, prepay=False):
            receipt, = Receipt.create([self._receipt_values(
                        data, bill, amount, '微信支付', prepay)])
            Receipt.post([receipt])
            return receipt

        # partial payment at the counter
        receipt(D('200'))
        bill = Invoice(bill.id)
        self.assertEqual((bill.state, bill.amount_to_pay),
            ('posted', D('235.24')))
        # paying more than due without choosing prepayment is refused
        with self.assertRaises(ReceiptError):
            receipt(D('300'))
        self.assertEqual(Invoice(bill.id).amount_to_pay, D('235.24'))
        # the rest and 500 more kept as prepayment (预存)
        paid = receipt(D('735.24'), prepay=True)
        self.assertEqual(paid.prepayment, D('500.00'))
        self.assertEqual(Invoice(bill.id).state, 'paid')
        # April's bill is paid from the prepayment automatically
        april, = Period.search([
                ('start_date', '=', dt.date(2026, 4, 1)),
                ('type', '=', 'standard')])
        Run.bill([self._run(data, april)])
        april_bill, = Invoice.search([
                ('party', '=', owner1.id),
                ('invoice_date', '=', dt.date(2026, 4, 1))])
        self.assertEqual(april_bill.state, 'paid')
        from trytond.modules.property_billing.receipt import (
            prepayment_balance)
        self.assertEqual(
            prepayment_balance(data['company'], [owner1])[owner1.id],
            D('500.00') - april_bill.total_amount)

    @with_transaction()
    def test_receipts_posted_together(self):
        """Receipts posted in one call pay a bill in turn: the second sees
        what the first paid; an overpayment among them posts none"""
        pool = Pool()
        Run = pool.get('property.billing.run')
        Invoice = pool.get('account.invoice')
        Receipt = pool.get('property.receipt')
        ReceiptInvoice = pool.get('property.receipt-account.invoice')
        Move = pool.get('account.move')
        data = self._setup()
        owner1 = data['parties'][0]
        Run.bill([self._run(data)])
        bill, = Invoice.search([('party', '=', owner1.id)])
        self.assertEqual(bill.total_amount, D('435.24'))

        def receipts(*amounts):
            return Receipt.create([
                    self._receipt_values(data, bill, amount, '现金')
                    for amount in amounts])

        moves = Move.search_count([])
        # 200 + 300 is more than the 435.24 due: refused, nothing posted
        refused = receipts(D('200'), D('300'))
        with self.assertRaises(ReceiptError):
            Receipt.post(refused)
        self.assertEqual(Move.search_count([]), moves)
        self.assertEqual(Invoice(bill.id).amount_to_pay, D('435.24'))
        Receipt.delete(refused)

        first, second = receipts(D('200'), D('235.24'))
        Receipt.post([first, second])
        self.assertEqual([(r.state, r.prepayment) for r in [first, second]],
            [('posted', D('0')), ('posted', D('0'))])
        self.assertEqual({(l.receipt.id, l.amount)
                for l in ReceiptInvoice.search([])},
            {(first.id, D('200')), (second.id, D('235.24'))})
        bill = Invoice(bill.id)
        self.assertEqual((bill.state, bill.amount_to_pay), ('paid', D('0')))
        # one payment move per receipt, on the bill, posted and reconciled
        self.assertEqual(sorted(l.credit for l in bill.payment_lines),
            [D('200'), D('235.24')])
        self.assertTrue(all(l.move.state == 'posted' and l.reconciliation
                and l.move.origin == bill for l in bill.payment_lines))

    @with_transaction()
    def test_deposit_refunded_once(self):
        "A deposit is held as a liability and refunded once"
        pool = Pool()
        Deposit = pool.get('property.deposit')
        data = self._setup()
        deposit, = Deposit.create([{
                    'estate': data['estate'].id,
                    'unit': data['units'][0].id,
                    'party': data['parties'][0].id,
                    'description': '装修押金', 'amount': D('2000'),
                    'payment_method': self._method('现金').id,
                    'received_date': dt.date(2026, 3, 2)}])
        Deposit.receive([deposit])
        MoveLine = pool.get('account.move.line')

        def held():
            return sum(l.credit - l.debit for l in MoveLine.search([
                        ('account.code', '=', '224101'),
                        ('party', '=', data['parties'][0].id)]))
        self.assertEqual(held(), D('2000'))
        Deposit.refund([deposit])
        self.assertEqual(deposit.state, 'refunded')
        with self.assertRaises(DepositError):
            Deposit.refund([deposit])
        self.assertEqual(held(), D('0'))
        with self.assertRaises(DepositError):
            Deposit.create([{
                        'estate': data['estate'].id,
                        'party': data['parties'][0].id,
                        'description': '钥匙押金', 'amount': D('-50'),
                        'payment_method': self._method('现金').id,
                        'received_date': dt.date(2026, 3, 2)}])

    @with_transaction()
    def test_clerk_takes_payment_but_not_rates_or_invoices(self):
        "A clerk posts a counter receipt but cannot change rates or delete"
        pool = Pool()
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        Estate = pool.get('property.estate')
        Run = pool.get('property.billing.run')
        Rate = pool.get('property.fee.rate')
        Invoice = pool.get('account.invoice')
        Receipt = pool.get('property.receipt')
        from trytond.model.exceptions import AccessError
        from trytond.modules.company.tests import create_employee
        data = self._setup()
        company = data['company']
        Run.bill([self._run(data)])
        bill, = Invoice.search([('party', '=', data['parties'][0].id)])
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
            receipt, = Receipt.create([{
                        'estate': data['estate'].id,
                        'party': data['parties'][0].id,
                        'date': dt.date(2026, 3, 10),
                        'payment_method': self._method('现金').id,
                        'amount': bill.total_amount,
                        'invoices': [('add', [bill.id])]}])
            Receipt.post([receipt])
            with self.assertRaises(AccessError):
                Rate.write(list(data['fees'][0].rates),
                    {'approval': '改价'})
            with self.assertRaises(AccessError):
                Invoice.delete([bill])
        self.assertEqual(Invoice(bill.id).state, 'paid')
