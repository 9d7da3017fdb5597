# This file is part of the property service suite. See README.md.
"""Demo data of property_billing, run by data/demo.py (run_extensions).

Sets the demo company's accounting up the way an accountant would with the
"Set up Property Accounting" wizard: the Chinese chart of accounts
(应收账款, 主营业务收入-物业服务费..., 预收账款, 其他应付款-押金,
应交税费-应交增值税(销项税额)), output VAT 6%/9%/13%, CNY, fiscal years
with monthly periods covering the billing history, one product category per
kind of income. Then the fee items (收费项目) with their published rates
per estate and the fee plans of the two demo estates. Does nothing if the
company has the chart already.

Then, when DEMO_BILLING_MONTHS is set in the environment (a number of
months, at most HISTORY_MONTHS; ``make run`` sets 4), the billing history of
the last months (this month included), made the way the office makes it:
a billing run per month (real posted bills, through account_invoice) and
the counter receipts of property.receipt (real payment moves, reconciled).
The history covers the first buildings of each estate holding about
DEMO_BILLING_UNITS units (``make run``: 300; 0 for every unit): each bill
costs about 0.08 s on SQLite, so 2,000 units would take 8-10 minutes for
3 months; the accountant can bill the current month of the other buildings
from the client (a run bills nothing twice). Payment behaviour is drawn
from a fixed seed: most owners pay within a few weeks with 微信支付,
支付宝, 现金, 银行卡 or 银行转账; some pay a month or two late; a few pay
nothing (in arrears for every month: 4 months reach the 15, 45 and 90 day
levels of the dunning procedure); a few keep a prepayment (预存) that the
runs consume. Progress (counts and rate) is printed as it goes.
"""
import datetime as dt
import os
import random
import time
from collections import defaultdict

MODULE = 'property_billing'
HISTORY_MONTHS = 4
# units of the billing history by default (DEMO_BILLING_UNITS)
HISTORY_UNITS = 300


def populate(pool, args):
    from trytond.modules.property_billing import accounting
    from trytond.transaction import Transaction

    from demo import COMPANY_NAME

    Company = pool.get('company.company')
    Date = pool.get('ir.date')
    companies = Company.search([('party.name', '=', COMPANY_NAME)], limit=1)
    if not companies:
        return {}
    company, = companies
    today = getattr(args, 'reference_date', None) or Date.today()
    first = (today.replace(day=1) - dt.timedelta(days=31 * HISTORY_MONTHS))
    counts = {}
    with Transaction().set_context(company=company.id):
        if accounting.has_chart(company):
            return {}
        fiscal_years, categories = accounting.setup_company(
            company, range(first.year, today.year + 1))
        Account = pool.get('account.account')
        counts['accounts'] = Account.search_count(
            [('company', '=', company.id)])
        counts['fiscal years'] = len(fiscal_years)
        counts['income categories'] = len(categories)
        counts.update(create_fees(pool, company, categories, first))
        months = min(HISTORY_MONTHS,
            int(os.environ.get('DEMO_BILLING_MONTHS') or 0))
        units = int(os.environ.get('DEMO_BILLING_UNITS', HISTORY_UNITS))
        if months:
            counts.update(bill_history(
                    pool, company, today, months,
                    random.Random(getattr(args, 'seed', 0) or 0), units))
    return counts


# (code, name, method, category, uom, {estate code: price}, description)
FEES = [
    ('WYF-ZZ', '物业服务费（住宅）', 'area', 'property', 'm2',
        {'YGHY': '1.80', 'CHY': '2.80'},
        '按房屋建筑面积每月计收，含公共区域保洁、秩序维护、绿化养护。'),
    ('WYF-SY', '物业服务费（商铺）', 'area', 'property', 'm2',
        {'YGHY': '4.50', 'CHY': '5.50'}, '按房屋建筑面积每月计收。'),
    ('TCF', '车位管理费', 'parking', 'parking', 'month',
        {'YGHY': '80', 'CHY': '150'}, '按产权或租赁车位每个每月计收。'),
    ('LJF', '生活垃圾处理费', 'unit', 'property', 'month',
        {'YGHY': '10', 'CHY': '10'}, '按户每月计收，由实际居住人承担。'),
    ]


def create_fees(pool, company, categories, first):
    Uom = pool.get('product.uom')
    Template = pool.get('product.template')
    Fee = pool.get('property.fee')
    Plan = pool.get('property.fee.plan')
    Estate = pool.get('property.estate')
    square_meter, = Uom.search([('symbol', '=', 'm²')])
    unit, = Uom.search([('symbol', '=', 'u')])
    # per unit and month, in hundredths so that partial months prorate
    month, = Uom.copy([unit], {
            'name': '户·月', 'symbol': '户·月', 'rounding': 0.01,
            'digits': 2})
    uoms = {'m2': square_meter, 'month': month}
    estates = {e.code: e for e in Estate.search([
                ('company', '=', company.id)])}
    fees = {}
    for code, name, method, category, uom, prices, description in FEES:
        template, = Template.create([{
                    'name': name, 'type': 'service',
                    'default_uom': uoms[uom].id,
                    'account_category': categories[category].id,
                    'products': [('create', [{'code': code}])],
                    }])
        fees[code], = Fee.create([{
                    'company': company.id, 'code': code, 'name': name,
                    'method': method, 'product': template.products[0].id,
                    'description': description,
                    'rates': [('create', [{
                                    'estate': estates[e].id,
                                    'start_date': first.replace(month=1),
                                    'unit_price': price,
                                    'approval': '杭价费〔2024〕18 号',
                                    } for e, price in prices.items()
                                if e in estates])],
                    }])
    plans = []
    for estate in estates.values():
        plans += [{
                'company': company.id, 'estate': estate.id,
                'name': f'{estate.name}住宅物业费', 'usage': 'residential',
                'fees': [('add', [fees['WYF-ZZ'].id, fees['TCF'].id])],
                'start_date': first.replace(month=1), 'bill_to': 'owner',
                }, {
                'company': company.id, 'estate': estate.id,
                'name': f'{estate.name}商铺物业费（按季）',
                'usage': 'commercial', 'cycle': 'quarterly',
                'fees': [('add', [fees['WYF-SY'].id])],
                'start_date': first.replace(month=1), 'bill_to': 'owner',
                }, {
                'company': company.id, 'estate': estate.id,
                'name': f'{estate.name}生活垃圾处理费', 'usage': 'residential',
                'fees': [('add', [fees['LJF'].id])],
                'start_date': first.replace(month=1), 'bill_to': 'tenant',
                }]
    Plan.create(plans)
    return {'fees': len(fees), 'fee plans': len(plans)}


# payment behaviour of a bill-to party: (kind, weight)
BEHAVIOURS = [('on time', 80), ('late', 12), ('prepaid', 4), ('arrears', 4)]
# counter payment methods, as often used
METHODS = [('微信支付', 38), ('支付宝', 24), ('现金', 14), ('银行卡', 14),
    ('银行转账', 10)]


def history_months(today, count):
    "First days of the last count months, oldest first"
    months = [today.replace(day=1)]
    while len(months) < count:
        months.insert(0, (months[0] - dt.timedelta(days=1)).replace(day=1))
    return months


def history_buildings(pool, estates, target):
    """The first buildings of each estate (in creation order) holding
    about target units together, shared by the estates as their units are
    (a building that would overshoot an estate's share by more than a
    quarter is passed over); None for every building (target 0 or at least
    every unit)"""
    Building = pool.get('property.building')
    Unit = pool.get('property.unit')
    total = Unit.search_count([('estate', 'in', [e.id for e in estates])])
    if not target or target >= total:
        return None
    chosen = []
    for estate in estates:
        quota = target * Unit.search_count(
            [('estate', '=', estate.id)]) / total
        count = 0
        for building in Building.search(
                [('estate', '=', estate.id)], order=[('id', 'ASC')]):
            if count >= quota:
                break
            size = Unit.search_count([('building', '=', building.id)])
            if count and count + size > 1.25 * quota:
                continue
            chosen.append(building)
            count += size
    return chosen


def bill_history(pool, company, today, count, rng, target=0):
    """Bill each month of the history with a billing run (of the first
    buildings holding about target units, 0 for all) and take the counter
    payments the parties made since (dated up to today)."""
    from trytond.transaction import Transaction

    from demo import Progress
    Run = pool.get('property.billing.run')
    Batch = pool.get('property.billing.run.batch')
    Period = pool.get('account.period')
    Estate = pool.get('property.estate')
    Unit = pool.get('property.unit')
    Occupancy = pool.get('property.occupancy')
    Method = pool.get('account.invoice.payment.method')
    Receipt = pool.get('property.receipt')
    months = history_months(today, count)
    estates = Estate.search([('company', '=', company.id)])
    buildings = history_buildings(pool, estates, target)
    unit_domain = [('estate', 'in', [e.id for e in estates])]
    if buildings is not None:
        unit_domain.append(('building', 'in', [b.id for b in buildings]))
    n_units = Unit.search_count(unit_domain)
    methods = {m.name: m for m in Method.search([
                ('company', '=', company.id)])}
    method_names = [n for n, _ in METHODS]
    method_weights = [w for _, w in METHODS]

    def pick_method():
        return methods[rng.choices(method_names, method_weights)[0]]

    # who behaves how: drawn once per owner or tenant, in id order
    parties = sorted({o.party.id: o for o in Occupancy.search([
                    ('unit', 'where', unit_domain),
                    ('role', 'in', ['owner', 'tenant']),
                    ], order=[('id', 'ASC')])}.items())
    behaviour = {}
    kinds = [k for k, _ in BEHAVIOURS]
    weights = [w for _, w in BEHAVIOURS]
    prepayments = []
    for party_id, occupancy in parties:
        behaviour[party_id] = kind = rng.choices(kinds, weights)[0]
        if kind == 'prepaid':
            prepayments.append(Receipt(
                    company=company, estate=occupancy.unit.estate,
                    unit=occupancy.unit, party=occupancy.party,
                    date=months[0] - dt.timedelta(days=rng.randint(3, 20)),
                    payment_method=pick_method(), prepay_excess=True,
                    amount=rng.choice([1000, 2000, 3000, 5000]),
                    invoices=[]))
    Receipt.save(prepayments)
    Receipt.post(prepayments)

    runs = []
    for month in months:
        period = Period.find(company, date=month)
        runs.append(Run(company=company, period=period, invoice_date=month,
                estates=estates, buildings=buildings or []))
    Run.save(runs)
    # every lock posting asks for, before any bill: a lock asked later
    # would have the whole transaction retried
    for run in runs:
        run.lock_posting()
    # after the locks: a lock granted restarts the transaction
    print('  billing history: %d months of %s units (%s)' % (
            count, f'{n_units:,}', 'every building' if buildings is None
            else '%d buildings: %s' % (len(buildings), ', '.join(
                    '%s %s' % (b.estate.code, b.code) for b in buildings))),
        flush=True)
    payments = defaultdict(list)  # (date, party id) -> bills
    bills = 0
    progress = Progress('billing runs: units', n_units * len(runs))
    done = 0
    with Transaction().set_context(_skip_warnings=True):
        for run in runs:
            # the batches of the run, each created and posted in turn (a
            # worker-less server runs the queued batches so)
            for batch, unit_ids in run.start_billing():
                Batch.create_bills(batch, unit_ids)
                for invoice in Run.post_created(run):
                    bills += 1
                    kind = behaviour.get(invoice.party.id, 'on time')
                    if kind == 'arrears':
                        continue
                    elif kind == 'late':
                        delay = rng.randint(35, 70)
                    else:
                        # prepaid: what the prepayment did not cover
                        delay = rng.randint(0, 24)
                    date = invoice.invoice_date + dt.timedelta(days=delay)
                    if date <= today:
                        payments[(date, invoice.party.id)].append(invoice)
                done += len(unit_ids)
                progress.show(done, ', %s: %s bills posted (%.1f bills/s)' % (
                        run.month.strftime('%Y-%m'), f'{bills:,}',
                        bills / (time.monotonic() - progress.started)))
    receipts = pay_bills(pool, company, payments, pick_method)
    return {
        'billing runs': len(runs), 'units billed': n_units, 'bills': bills,
        'receipts': len(receipts), 'prepayments': len(prepayments),
        'parties in arrears': sum(
            1 for k in behaviour.values() if k == 'arrears'),
        }


def pay_bills(pool, company, payments, pick_method):
    "One counter receipt per party and day for what its bills still owe"
    from demo import Progress
    Invoice = pool.get('account.invoice')
    Receipt = pool.get('property.receipt')
    Line = pool.get('property.billing.line')
    # what every bill owes and where it is, read at once (not per receipt)
    invoices = Invoice.browse(sorted(
            {i.id for bills in payments.values() for i in bills}))
    to_pay = {i.id: i.amount_to_pay for i in invoices}
    places = {}
    for sub in (invoices[i:i + 500] for i in range(0, len(invoices), 500)):
        for line in Line.search([
                    ('invoice_line.invoice', 'in', [i.id for i in sub]),
                    ]):
            places[line.invoice_line.invoice.id] = line
    receipts = []
    for (date, _), bills in sorted(payments.items()):
        bills = Invoice.browse([i.id for i in bills])
        amount = sum(to_pay[i.id] for i in bills)
        if amount <= 0:
            continue
        line = places[bills[0].id]
        receipts.append(Receipt(
                company=company, estate=line.estate, unit=line.unit,
                party=bills[0].party, date=date,
                payment_method=pick_method(), amount=amount,
                invoices=bills))
    # in slices: validating thousands of new receipts at once builds one
    # query with a condition per receipt, deeper than SQLite accepts
    progress = Progress('receipts posted', len(receipts))
    for i in range(0, len(receipts), 200):
        Receipt.save(receipts[i:i + 200])
        Receipt.post(receipts[i:i + 200])
        progress.show(min(i + 200, len(receipts)))
    return receipts
