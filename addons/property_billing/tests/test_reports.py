# This file is part of the property service suite. See README.md.
"""Collection rate (收缴率), statement of account (对账单), income per
estate on analytic accounts, credit notes on bills and the access matrix of
billing per role and estate."""
import datetime as dt
from decimal import Decimal

from trytond.model.exceptions import AccessError
from trytond.modules.company.tests import create_employee
from trytond.modules.property_billing.collection import allocate
from trytond.pool import Pool
from trytond.tests.test_tryton import _DBTestCase, with_transaction
from trytond.transaction import Transaction

from . import test_billing

D = Decimal


class ReportsTestCase(_DBTestCase):
    "Test billing reports and access"
    module = 'property_billing'
    # the set-up of the billing tests (one estate, three parties, fees)
    _setup = test_billing.BillingTestCase._setup
    _run = test_billing.BillingTestCase._run
    _method = test_billing.BillingTestCase._method
    _receipt_values = test_billing.BillingTestCase._receipt_values

    def _period(self, month):
        Period = Pool().get('account.period')
        period, = Period.search([
                ('start_date', '=', dt.date(2026, month, 1)),
                ('type', '=', 'standard')])
        return period

    def _pay(self, data, party, invoices, amount, date, prepay=False,
            unit=None):
        Receipt = Pool().get('property.receipt')
        receipt, = Receipt.create([{
                    'estate': data['estate'].id,
                    'unit': unit.id if unit else None,
                    'party': party.id, 'date': date,
                    'payment_method': self._method('微信支付').id,
                    'amount': amount, 'prepay_excess': prepay,
                    'invoices': [('add', [i.id for i in invoices])],
                    }])
        Receipt.post([receipt])
        return receipt

    def _second_estate(self, data):
        "海韵小区: one unit of 100 m² of 赵敏 billed the property fee"
        pool = Pool()
        Estate = pool.get('property.estate')
        Unit = pool.get('property.unit')
        Party = pool.get('party.party')
        Occupancy = pool.get('property.occupancy')
        Plan = pool.get('property.fee.plan')
        estate, = Estate.create([{
                    'code': 'HY', 'name': '海韵小区',
                    'buildings': [('create', [{'code': '2', 'name': '2栋'}])],
                    }])
        unit, = Unit.create([{'building': estate.buildings[0].id,
                    'number': '0201', 'building_area': D('100')}])
        owner, = Party.create([{'name': '赵敏',
                    'addresses': [('create', [{}])]}])
        Occupancy.create([{'unit': unit.id, 'party': owner.id,
                    'role': 'owner', 'share': D(100),
                    'start_date': dt.date(2020, 1, 1)}])
        Plan.create([{'name': '住宅物业费', 'estate': estate.id,
                    'fees': [('add', [data['fees'][0].id])],
                    'start_date': dt.date(2026, 1, 1), 'bill_to': 'owner'}])
        return estate, unit, owner

    def _collection(self, from_date, to_date, **grouping):
        Collection = Pool().get('property.billing.collection')
        with Transaction().set_context(
                from_date=from_date, to_date=to_date, **grouping):
            rows = Collection.search([])
            return [(r.estate.code, r.kind,
                    r.fee.code if r.fee else None,
                    r.billed, r.due, r.collected, r.outstanding,
                    round(r.rate, 6) if r.rate is not None else None)
                for r in rows]

    def _credit(self, invoice, date):
        "Credit a bill with the platform's wizard, cancelling it (refund)"
        Credit = Pool().get('account.invoice.credit', type='wizard')
        with Transaction().set_context(active_model='account.invoice',
                active_id=invoice.id, active_ids=[invoice.id]):
            session_id, _, _ = Credit.create()
            Credit.execute(session_id, {'start': {
                        'with_refund': True, 'with_refund_allowed': True,
                        'invoice_date': date}}, 'credit')
            Credit.delete(session_id)

    def test_allocate(self):
        "Shares add up to the total to the cent, in proportion"
        self.assertEqual(allocate(D('10.00'), [D(1), D(1), D(1)]),
            [D('3.34'), D('3.33'), D('3.33')])
        self.assertEqual(sum(allocate(D('435.24'),
                    [D('250.60'), D('150'), D('10')])), D('435.24'))
        self.assertEqual(allocate(D('-7.21'), [D('6.80')]), [D('-7.21')])
        self.assertEqual(allocate(D('5'), [D(0), D(0)]), [D('5'), D(0)])
        self.assertEqual(allocate(D('5'), []), [])

    @with_transaction()
    def test_collection_rate_current_and_prior(self):
        "Current period collected vs billed; arrears collected next month"
        pool = Pool()
        Run = pool.get('property.billing.run')
        Invoice = pool.get('account.invoice')
        data = self._setup()
        owner1, owner2, tenant = data['parties']
        Run.bill([self._run(data)])
        march = {i.party: i for i in Invoice.search([])}
        self.assertEqual(
            sum(i.total_amount for i in march.values()), D('802.00'))
        # 200 of 张伟's 435.24 paid in March
        self._pay(data, owner1, [march[owner1]], D('200'),
            dt.date(2026, 3, 10))

        m1, m31 = dt.date(2026, 3, 1), dt.date(2026, 3, 31)
        self.assertEqual(self._collection(m1, m31), [
                ('YG', 'current', None, D('802.00'), D('802.00'),
                    D('200.00'), D('602.00'), round(200 / 802, 6)),
                ])
        by_fee = self._collection(m1, m31, group_fee=True)
        self.assertEqual(
            sorted(r[2] for r in by_fee), ['LJF', 'TCF', 'WYF'])
        self.assertEqual(sum(r[4] for r in by_fee), D('802.00'))
        self.assertEqual(sum(r[5] for r in by_fee), D('200.00'))
        # 物业服务费 89.50 m² x 2.80 x 1.06 = 265.64 + 120 m² x 2.80 x 1.06
        # = 356.16
        wyf, = [r for r in by_fee if r[2] == 'WYF']
        self.assertEqual(wyf[4], D('621.80'))

        # April: 李娜 pays her March bill, nobody pays April yet
        Run.bill([self._run(data, self._period(4))])
        april = [i for i in Invoice.search([
                    ('invoice_date', '=', dt.date(2026, 4, 1))])]
        april_total = sum(i.total_amount for i in april)
        self._pay(data, owner2, [march[owner2]], march[owner2].total_amount,
            dt.date(2026, 4, 15))
        a1, a30 = dt.date(2026, 4, 1), dt.date(2026, 4, 30)
        self.assertEqual(self._collection(a1, a30), [
                ('YG', 'current', None, april_total, april_total,
                    D(0), april_total, 0.0),
                # arrears at 1 April: 802.00 - 200.00; 359.55 cleared
                ('YG', 'prior', None, D('802.00'), D('602.00'),
                    D('359.55'), D('242.45'), round(359.55 / 602, 6)),
                ])
        # March seen again at the end of April: collected so far
        self.assertEqual(self._collection(m1, a30)[0][5], D('559.55'))
        # a bill paid before the range is no arrear of the range
        self._pay(data, tenant, [march[tenant]], D('7.21'),
            dt.date(2026, 3, 31))
        prior, = [r for r in self._collection(a1, a30) if r[1] == 'prior']
        self.assertEqual(prior[4], D('594.79'))

        # a credit note (红字) cancels 王芳's April bill: no longer due
        tenant_april, = [i for i in april if i.party == tenant]
        self._credit(tenant_april, dt.date(2026, 4, 20))
        current, = [r for r in self._collection(a1, a30)
            if r[1] == 'current']
        self.assertEqual(current[4], april_total - tenant_april.total_amount)

    @with_transaction()
    def test_statement_of_account(self):
        "Opening balance, bills, payments, prepayment and credit note"
        pool = Pool()
        Run = pool.get('property.billing.run')
        Invoice = pool.get('account.invoice')
        Statement = pool.get('property.billing.statement')
        data = self._setup()
        owner1 = data['parties'][0]
        u1 = data['units'][0]
        Run.bill([self._run(data)])
        bill, = Invoice.search([('party', '=', owner1.id)])
        self._pay(data, owner1, [bill], D('200'), dt.date(2026, 3, 10),
            unit=u1)
        self._pay(data, owner1, [bill], D('735.24'), dt.date(2026, 3, 20),
            prepay=True, unit=u1)
        Run.bill([self._run(data, self._period(4))])
        april, = Invoice.search([('party', '=', owner1.id),
                ('invoice_date', '=', dt.date(2026, 4, 1))])
        self.assertEqual(april.state, 'paid')

        statement = Statement.statement(data['company'], owner1,
            dt.date(2026, 3, 5), dt.date(2026, 4, 30))
        # the March bill (1 March) is before the range
        self.assertEqual(statement['opening'], D('435.24'))
        rows = [(r['date'], r['kind'], r['debit'], r['credit'],
                r['balance']) for r in statement['rows']]
        self.assertEqual(rows, [
                (dt.date(2026, 3, 10), 'payment', D(0), D('200.00'),
                    D('235.24')),
                (dt.date(2026, 3, 20), 'payment', D(0), D('235.24'),
                    D('0.00')),
                (dt.date(2026, 3, 20), 'prepayment', D(0), D('500.00'),
                    D('-500.00')),
                (dt.date(2026, 4, 1), 'bill', D('435.24'), D(0),
                    D('-64.76')),
                (dt.date(2026, 4, 1), 'prepayment_used', D('435.24'),
                    D('435.24'), D('-64.76')),
                ])
        self.assertEqual(statement['closing'], D('-64.76'))
        self.assertEqual(statement['rows'][3]['reference'], april.number)

        # another unit of the party is not in the unit's statement
        by_unit = Statement.statement(data['company'], owner1,
            dt.date(2026, 1, 1), dt.date(2026, 4, 30), unit=data['units'][1])
        self.assertEqual((by_unit['opening'], by_unit['rows']), (D(0), []))
        by_unit = Statement.statement(data['company'], owner1,
            dt.date(2026, 1, 1), dt.date(2026, 4, 30), unit=u1)
        self.assertEqual(by_unit['closing'], D('-64.76'))

        # the staff list shows the same rows for the context of the party
        with Transaction().set_context(company=data['company'].id,
                party=owner1.id, from_date=dt.date(2026, 3, 5),
                to_date=dt.date(2026, 4, 30)):
            listed = Statement.search([])
            self.assertEqual([(r.date, r.kind, r.balance) for r in listed],
                [(d, k, b) for d, k, _, _, b in rows])

        # a credit note for 王芳's bill takes her balance back to 0
        tenant = data['parties'][2]
        tenant_bill, = Invoice.search([('party', '=', tenant.id),
                ('invoice_date', '=', dt.date(2026, 3, 1))])
        self._credit(tenant_bill, dt.date(2026, 3, 25))
        statement = Statement.statement(data['company'], tenant,
            dt.date(2026, 3, 1), dt.date(2026, 3, 31))
        self.assertEqual([(r['kind'], r['debit'] - r['credit'])
                for r in statement['rows']],
            [('bill', D('7.21')), ('credit_note', D('-7.21'))])
        self.assertEqual(statement['closing'], D(0))

    @with_transaction()
    def test_income_per_estate_analytic(self):
        "Analytic balances of the estates equal their untaxed income"
        pool = Pool()
        Run = pool.get('property.billing.run')
        Line = pool.get('property.billing.line')
        Account = pool.get('analytic_account.account')
        Invoice = pool.get('account.invoice')
        data = self._setup()
        estate_b, _, owner_b = self._second_estate(data)
        run, = Run.create([{'period': data['march'].id,
                    'invoice_date': data['march'].start_date,
                    'estates': [('add', [data['estate'].id, estate_b.id])],
                    }])
        Run.bill([run])
        income = {}
        for line in Line.search([]):
            income.setdefault(line.estate, D(0))
            income[line.estate] += line.amount
        self.assertEqual(income[estate_b], D('280.00'))
        root, = Account.search([('type', '=', 'root'), ('code', '=', 'XQ')])
        self.assertEqual(root.name, '小区')
        accounts = Account.search([('root', '=', root.id),
                ('type', '=', 'normal')])
        self.assertEqual(
            {a.name: a.balance for a in accounts},
            {e.name: income[e] for e in income})
        estate_b = type(estate_b)(estate_b.id)
        self.assertEqual(estate_b.analytic_account.balance, D('280.00'))
        # a credit note takes the income back off the estate
        bill_b, = Invoice.search([('party', '=', owner_b.id)])
        self._credit(bill_b, dt.date(2026, 3, 20))
        self.assertEqual(
            Account(estate_b.analytic_account.id).balance, D('0.00'))
        # April reuses the accounts
        Run.bill([self._run(data, self._period(4))])
        self.assertEqual(Account.search_count([('root', '=', root.id),
                    ('type', '=', 'normal')]), 2)

    @with_transaction()
    def test_income_lines_analytic_state(self):
        "Income lines of bills are analytic-valid; a change is still written"
        pool = Pool()
        Run = pool.get('property.billing.run')
        Invoice = pool.get('account.invoice')
        MoveLine = pool.get('account.move.line')
        AnalyticLine = pool.get('analytic_account.line')
        Move = pool.get('account.move')
        Receipt = pool.get('property.receipt')
        data = self._setup()
        Run.bill([self._run(data)])
        bill = Invoice.search([('state', '=', 'posted')])[0]
        income = [l for l in bill.move.lines if l.analytic_lines]
        self.assertTrue(income)
        # every income line carries its whole amount on its estate
        self.assertEqual({l.analytic_state for l in income}, {'valid'})
        for line in income:
            self.assertEqual(
                sum(a.credit - a.debit for a in line.analytic_lines),
                line.credit - line.debit)
        # the other lines of the bill (receivable, VAT) and those of a
        # counter payment need no analytic line: valid too
        self.assertEqual(
            {l.analytic_state for l in bill.move.lines}, {'valid'})
        owner_bill, = Invoice.search([('party', '=', data['parties'][0].id)])
        receipt, = Receipt.create([self._receipt_values(
                    data, owner_bill, D('100'), '现金')])
        Receipt.post([receipt])
        payment_lines = MoveLine.search([
                ('move.origin', '=', str(owner_bill)),
                ('move', '!=', owner_bill.move.id)])
        self.assertTrue(payment_lines)
        self.assertEqual(
            {l.analytic_state for l in payment_lines}, {'valid'})
        # a manual draft move: its income line has no analytic line yet
        revenue = income[0]
        move, = Move.copy([bill.move], {'origin': None, 'lines': None})
        line, other = MoveLine.create([{
                    'move': move.id, 'account': revenue.account.id,
                    'credit': D('50'), 'debit': D(0),
                    }, {
                    'move': move.id, 'account': bill.account.id,
                    'party': bill.party.id,
                    'debit': D('50'), 'credit': D(0),
                    }])
        self.assertEqual(line.analytic_state, 'draft')
        # its analytic line, once it carries the whole amount, makes it
        # valid, and taking it away makes it draft again: both written
        analytic, = AnalyticLine.create([{
                    'move_line': line.id, 'date': move.date,
                    'account': revenue.analytic_lines[0].account.id,
                    'credit': D('20'), 'debit': D(0)}])
        self.assertEqual(MoveLine(line.id).analytic_state, 'draft')
        AnalyticLine.write([analytic], {'credit': D('50')})
        self.assertEqual(MoveLine(line.id).analytic_state, 'valid')
        AnalyticLine.delete([analytic])
        self.assertEqual(MoveLine(line.id).analytic_state, 'draft')

    def _user(self, data, login, group, estate=None):
        pool = Pool()
        User = pool.get('res.user')
        Estate = pool.get('property.estate')
        ModelData = pool.get('ir.model.data')
        company = data['company']
        employee = create_employee(company, name=login)
        if estate:
            Estate.write([estate], {'staff': [('add', [employee.id])]})
        user, = User.create([{
                    'name': login, 'login': login,
                    'groups': [('add', [ModelData.get_id(
                                    'property_service',
                                    f'group_property_{group}')])],
                    'companies': [('add', [company.id])],
                    'company': company.id,
                    'employees': [('add', [employee.id])],
                    'employee': employee.id}])
        return user

    def _as(self, user, data):
        transaction = Transaction()
        return transaction.set_user(user.id), transaction.set_context(
            _check_access=True, company=data['company'].id,
            companies=[data['company'].id])

    @with_transaction()
    def test_access_matrix(self):
        "What each role may do with fees, plans, runs, bills and receipts"
        pool = Pool()
        Fee = pool.get('property.fee')
        Rate = pool.get('property.fee.rate')
        Plan = pool.get('property.fee.plan')
        Run = pool.get('property.billing.run')
        Line = pool.get('property.billing.line')
        Invoice = pool.get('account.invoice')
        Receipt = pool.get('property.receipt')
        Collection = pool.get('property.billing.collection')
        InvoiceLine = pool.get('account.invoice.line')
        Deposit = pool.get('property.deposit')
        data = self._setup()
        estate_a = data['estate']
        estate_b, unit_b, owner_b = self._second_estate(data)
        accountant = self._user(data, 'accountant', 'accountant')
        from trytond.modules.property_service.res import User
        User.clear_property_estates_cache()
        # an accountant of both estates sets up a fee and bills March
        pool.get('property.estate').write([estate_a, estate_b], {
                'staff': [('add', [accountant.employee.id])]})
        User.clear_property_estates_cache()
        property_fee = data['fees'][0]
        set_user, set_context = self._as(accountant, data)
        with set_user, set_context:
            fee, = Fee.create([{'code': 'ZXF', 'name': '装修管理费',
                        'method': 'unit',
                        'product': property_fee.product.id}])
            Rate.create([{'fee': fee.id, 'start_date': dt.date(2026, 1, 1),
                        'unit_price': D('5')}])
            Plan.write(Plan.search([('estate', '=', estate_b.id)]),
                {'name': '住宅物业费（海韵）'})
            run, = Run.create([{'period': data['march'].id,
                        'invoice_date': data['march'].start_date,
                        'estates': [('add', [estate_a.id, estate_b.id])]}])
            Run.bill([run])
            self.assertEqual(Invoice.search_count([]), 4)
            bill_b, = Invoice.search([('party', '=', owner_b.id)])
            # posted bills: no edit, no delete, by anyone
            with self.assertRaises(AccessError):
                Invoice.write([bill_b], {'invoice_date': dt.date(2026, 3, 2)})
            with self.assertRaises(AccessError):
                InvoiceLine.write(list(bill_b.lines),
                    {'unit_price': D('1.0000')})
            with self.assertRaises(AccessError):
                Invoice.delete([bill_b])
        bills = Invoice.search([('state', '=', 'posted')])
        self.assertEqual(len(bills), 4)
        # not even the superuser: only a credit note corrects a bill
        with self.assertRaises(AccessError):
            Invoice.delete([bill_b])

        # a clerk of estate A takes a counter payment, nothing more
        clerk = self._user(data, 'clerk_a', 'clerk', estate=estate_a)
        User.clear_property_estates_cache()
        owner1 = data['parties'][0]
        bill_a, = Invoice.search([('party', '=', owner1.id)])
        lines_b = _lines_of(estate_b)
        self.assertTrue(lines_b)
        set_user, set_context = self._as(clerk, data)
        with set_user, set_context:
            receipt = self._pay(data, owner1, [bill_a], D('100'),
                dt.date(2026, 3, 10))
            self.assertEqual(receipt.state, 'posted')
            for call in [
                    lambda: Rate.write(list(property_fee.rates),
                        {'approval': '改价'}),
                    lambda: Fee.write([property_fee], {'name': '改'}),
                    lambda: Plan.write(
                        Plan.search([('estate', '=', estate_a.id)]),
                        {'name': '改'}),
                    lambda: Run.create([{'period': data['march'].id,
                                'invoice_date': data['march'].start_date,
                                'estates': [('add', [estate_a.id])]}]),
                    lambda: Invoice.delete([bill_a]),
                    ]:
                with self.assertRaises(AccessError):
                    call()
            # estate A only: bills, runs, billed lines, receipts, collection
            self.assertEqual({i.estate for i in Invoice.search([])},
                {estate_a})
            with self.assertRaises(AccessError):
                Invoice.read([bill_b.id], ['total_amount'])
            self.assertEqual({l.invoice.estate for l in InvoiceLine.search(
                        [('invoice.type', '=', 'out')])}, {estate_a})
            self.assertEqual({l.estate for l in Line.search([])},
                {estate_a})
            with self.assertRaises(AccessError):
                Run.search([])
            self.assertEqual(
                {r.estate for r in Receipt.search([])}, {estate_a})
            with Transaction().set_context(from_date=dt.date(2026, 3, 1),
                    to_date=dt.date(2026, 3, 31)):
                self.assertEqual(
                    {r.estate for r in Collection.search([])}, {estate_a})
            with self.assertRaises(AccessError):
                Line.read([l.id for l in lines_b], ['amount'])

        # a manager of estate B sees estate B only
        manager = self._user(data, 'manager_b', 'manager', estate=estate_b)
        User.clear_property_estates_cache()
        set_user, set_context = self._as(manager, data)
        with set_user, set_context:
            self.assertEqual({l.estate for l in Line.search([])},
                {estate_b})
            self.assertEqual(Receipt.search([]), [])
            self.assertEqual(Invoice.search([]), [bill_b])
            # a run over both estates is not shown to staff of one
            self.assertEqual(Run.search([]), [])
            # managers read billing, they do not change it
            plan_b, = Plan.search([('estate', '=', estate_b.id)])
            with self.assertRaises(AccessError):
                Plan.write([plan_b], {'name': '改'})
            with self.assertRaises(AccessError):
                Receipt.create([{'estate': estate_b.id,
                            'party': owner_b.id,
                            'date': dt.date(2026, 3, 10),
                            'payment_method': self._method('现金').id,
                            'amount': D('1')}])

        # technicians and guards see no billing at all
        for group in ['technician', 'guard']:
            user = self._user(data, group, group, estate=estate_a)
            User.clear_property_estates_cache()
            set_user, set_context = self._as(user, data)
            with set_user, set_context:
                for Model in [Fee, Rate, Plan, Run, Line, Invoice, Receipt,
                        Deposit, Collection]:
                    with self.assertRaises(AccessError, msg=(
                                group, Model.__name__)):
                        Model.search([])


def _lines_of(estate):
    Line = Pool().get('property.billing.line')
    return Line.search([('estate', '=', estate.id)])
