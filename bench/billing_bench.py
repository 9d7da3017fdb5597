#!/usr/bin/env python3
# This file is part of the property service suite. See README.md.
"""Billing benchmark: our billing run against the platform's own recurring
invoicing (sale_subscription), same parties, same lines, same amounts, in
one run on PostgreSQL.

    .venv/bin/pip install -e '.[test,bench]'       # adds sale_subscription
    PYTHONOPTIMIZE=1 .venv/bin/python bench/billing_bench.py \\
        --units 1000 --big 10000 --workers 2

It creates a throwaway database, activates property_billing and
sale_subscription, sets up the company with the Chinese chart, one estate
of --units units (3 fees: 物业服务费 per m², 垃圾处理费 and 公共能耗费 per
unit) and, when --big is given, a second estate of --big units; then

1. ours: a billing run of the month for the first estate, batches queued
   and created by --workers trytond-worker processes on the default queue
   (both cores), posted by one more on the posting queue;
2. ours alone on the second estate;
3. platform: one sale.subscription of 3 lines per owner of the first
   estate, the month's consumptions and invoices generated (on the 1st of
   the next month: the platform bills in arrears, hence this order for
   the invoice numbers), then posted, in one process as its cron does.

It prints times, invoices/s, the ratio ours/platform and the peak memory,
checks that both ways billed the same total and drops the database (unless
--keep).
"""
import argparse
import datetime as dt
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from decimal import Decimal

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV_BIN = os.path.dirname(sys.executable)
MONTH = dt.date(2026, 3, 1)
MONTH_END = dt.date(2026, 3, 31)
NEXT_MONTH = dt.date(2026, 4, 1)
WORKER_WARMUP = 20  # seconds for a trytond-worker to load its pool
AREAS = [Decimal(a) for a in ['62', '75.5', '89.5', '96', '108', '126.3']]
FEES = [  # code, name, method, price
    ('WYF', '物业服务费', 'area', Decimal('2.80')),
    ('LJF', '生活垃圾处理费', 'unit', Decimal('10')),
    ('GGNH', '公共能耗费', 'unit', Decimal('15')),
    ]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--uri', default=os.environ.get(
            'PG_URI', 'postgresql://127.0.0.1:5432/'))
    parser.add_argument('--units', type=int, default=1000)
    parser.add_argument('--big', type=int, default=0,
        help="units of the second estate billed by ours alone")
    parser.add_argument('--workers', type=int, default=2)
    parser.add_argument('--skip-platform', action='store_true')
    parser.add_argument('--keep', action='store_true')
    return parser.parse_args()


def in_transaction(db, func, *args):
    "Run func in a transaction, retried with the locks it asks for"
    from trytond.transaction import Transaction, TransactionError
    extras = {}
    while True:
        with Transaction().start(db, 0, **extras) as transaction:
            context = getattr(in_transaction, 'context', {})
            with transaction.set_context(context):
                try:
                    return func(*args)
                except TransactionError as e:
                    transaction.rollback()
                    e.fix(extras)


def activate(db, uri):
    env = dict(os.environ, TRYTOND_DATABASE__URI=uri)
    import psycopg
    with psycopg.connect(uri + 'postgres', autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{db}"')
    with tempfile.NamedTemporaryFile('w', delete=False) as passfile:
        passfile.write('admin\n')
    env['TRYTONPASSFILE'] = passfile.name
    subprocess.run([os.path.join(VENV_BIN, 'trytond-admin'), '-d', db,
            '--email', 'admin@example.com', '-u', 'property_billing',
            'sale_subscription', '--activate-dependencies'],
        env=env, check=True, stdout=subprocess.DEVNULL)
    os.unlink(passfile.name)


def drop(db, uri):
    import psycopg
    with psycopg.connect(uri + 'postgres', autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


def setup(pool, n_units, big):
    from trytond.modules.property_billing import accounting
    from trytond.transaction import Transaction
    Currency = pool.get('currency.currency')
    Party = pool.get('party.party')
    Company = pool.get('company.company')
    User = pool.get('res.user')
    Estate = pool.get('property.estate')
    Unit = pool.get('property.unit')
    Occupancy = pool.get('property.occupancy')
    Uom = pool.get('product.uom')
    Template = pool.get('product.template')
    Fee = pool.get('property.fee')
    Plan = pool.get('property.fee.plan')

    cny, = Currency.create([{'name': '人民币', 'code': 'CNY', 'symbol': '¥',
                'rates': [('create', [{'date': dt.date(2000, 1, 1),
                                'rate': 1}])]}])
    company_party, = Party.create([{'name': '安居物业服务有限公司'}])
    company, = Company.create([{'party': company_party.id,
                'currency': cny.id}])
    User.write([User(1)], {'companies': [('add', [company.id])],
            'company': company.id})
    with Transaction().set_context(company=company.id):
        _, categories = accounting.setup_company(company, [MONTH.year])
        square_meter, = Uom.search([('symbol', '=', 'm²')])
        unit_uom, = Uom.search([('symbol', '=', 'u')])
        month_uom, = Uom.copy([unit_uom], {'name': '户·月', 'symbol': '户·月',
                'rounding': 0.01, 'digits': 2})
        fees = []
        for code, name, method, price in FEES:
            template, = Template.create([{
                        'name': name, 'type': 'service',
                        'list_price': price,
                        'default_uom': (square_meter if method == 'area'
                            else month_uom).id,
                        'account_category': categories['property'].id,
                        'products': [('create', [{'code': code}])]}])
            fee, = Fee.create([{'company': company.id, 'code': code,
                        'name': name, 'method': method,
                        'product': template.products[0].id,
                        'rates': [('create', [{
                                        'start_date': dt.date(2026, 1, 1),
                                        'unit_price': price}])]}])
            fees.append(fee)
        estates = []
        for code, count in [('A', n_units), ('B', big)]:
            if not count:
                continue
            estate, = Estate.create([{'company': company.id, 'code': code,
                        'name': f'测试小区{code}', 'buildings': [('create', [{
                                        'code': str(b), 'name': f'{b}栋'}
                                    for b in range(1, count // 500 + 2)])]}])
            buildings = estate.buildings
            for start in range(0, count, 1000):
                chunk = range(start, min(count, start + 1000))
                parties = Party.create([{'name': f'业主{code}{i:06d}',
                            'addresses': [('create', [{}])]} for i in chunk])
                units = Unit.create([{
                            'building': buildings[i // 500].id,
                            'number': f'{i:06d}',
                            'building_area': AREAS[i % len(AREAS)]}
                        for i in chunk])
                Occupancy.create([{'unit': u.id, 'party': p.id,
                            'role': 'owner', 'share': 100,
                            'start_date': dt.date(2020, 1, 1)}
                        for u, p in zip(units, parties)])
            Plan.create([{'company': company.id, 'estate': estate.id,
                        'name': '物业费', 'start_date': dt.date(2026, 1, 1),
                        'fees': [('add', [f.id for f in fees])]}])
            estates.append(estate.id)
    return company.id, estates


def platform_setup(pool, company_id, estate_id):
    "One running subscription of the 3 fees per owner of the estate"
    Service = pool.get('sale.subscription.service')
    Rule = pool.get('sale.subscription.recurrence.rule.set')
    Subscription = pool.get('sale.subscription')
    Unit = pool.get('property.unit')
    Fee = pool.get('property.fee')
    monthly, = Rule.create([{'name': '每月', 'rules': [('create', [{
                            'freq': 'monthly', 'interval': 1}])]}])
    services = {}
    for fee in Fee.search([]):
        services[fee.code], = Service.create([{'product': fee.product.id,
                    'consumption_recurrence': monthly.id}])
    units = Unit.search([('estate', '=', estate_id)])
    subscriptions = []
    for unit in units:
        owner, = unit.owners
        subscriptions.append(Subscription(
                company=company_id, party=owner,
                invoice_address=owner.address_get(type='invoice'),
                currency=Subscription.default_currency(),
                start_date=MONTH, invoice_start_date=NEXT_MONTH,
                invoice_recurrence=monthly,
                lines=[{'service': services[code].id,
                        'consumption_recurrence': monthly.id,
                        'quantity': float(unit.building_area
                            if method == 'area' else 1),
                        'unit': services[code].product.default_uom.id,
                        'unit_price': price, 'start_date': MONTH}
                    for code, _, method, price in FEES]))
    Subscription.save(subscriptions)
    Subscription.quote(subscriptions)
    Subscription.run(subscriptions)
    return len(subscriptions)


def platform_generate(pool):
    Line = pool.get('sale.subscription.line')
    Subscription = pool.get('sale.subscription')
    Invoice = pool.get('account.invoice')
    Consumption = pool.get('sale.subscription.line.consumption')
    # March consumed, invoiced on 1 April (the platform bills in arrears)
    Line.generate_consumption(date=MONTH_END)
    Subscription.generate_invoice(date=NEXT_MONTH)
    ids = [i.id for i in Invoice.search([('state', '=', 'draft')])]
    if not ids:
        subscriptions = Subscription.search([])
        print('    no invoice: consumptions', Consumption.search_count([]),
            'subscriptions', [(s.state, s.next_invoice_date)
                for s in subscriptions[:3]],
            'lines', [(l.next_consumption_date, l.quantity)
                for l in Line.search([], limit=3)])
    return ids


def platform_post(pool, ids):
    Invoice = pool.get('account.invoice')
    Invoice.post(Invoice.browse(ids))


def total(pool, ids):
    Invoice = pool.get('account.invoice')
    return sum((i.total_amount for i in Invoice.browse(ids)), Decimal(0))


def ours_start(pool, company_id, estate_id):
    Run = pool.get('property.billing.run')
    Period = pool.get('account.period')
    period, = Period.search([('start_date', '=', MONTH),
            ('type', '=', 'standard'), ('company', '=', company_id)])
    run, = Run.create([{'company': company_id, 'period': period.id,
                'invoice_date': MONTH, 'estates': [('add', [estate_id])]}])
    Run.bill([run])
    return run.id


def ours_state(pool, run_id):
    Run = pool.get('property.billing.run')
    run = Run(run_id)
    return run.state, run.pending


def ours_invoices(pool, run_id):
    Line = pool.get('property.billing.line')
    return sorted({l.invoice_line.invoice.id
            for l in Line.search([('run', '=', run_id)])})


def run_ours(db, pool, uri, company_id, estate_id, workers):
    """Queue the run's batches, let trytond-worker take them, wait for done:
    `workers` processes on the default queue create the batches' bills,
    one more on the posting queue posts them (as README's deployment)"""
    from trytond.modules.property_billing.billing import POSTING_QUEUE
    # a trytond-worker exits at once unless [queue] worker is set
    env = dict(os.environ, TRYTOND_DATABASE__URI=uri,
        TRYTOND_QUEUE__WORKER='True')
    procs = [subprocess.Popen(
            [os.path.join(VENV_BIN, 'trytond-worker'), '-d', db, '-n', '1',
                '-t', '1', '--name', name], env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True)
        for name in ['default'] * workers + [POSTING_QUEUE]]
    # let the workers load the pool before timing (as a running server)
    time.sleep(WORKER_WARMUP)
    start = time.monotonic()
    run_id = in_transaction(db, ours_start, pool, company_id, estate_id)
    try:
        while True:
            state, pending = in_transaction(db, ours_state, pool, run_id)
            if state == 'done':
                break
            time.sleep(0.5)
    finally:
        # each worker has a child process: stop the whole group
        for proc in procs:
            os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            proc.wait()
    elapsed = time.monotonic() - start
    ids = in_transaction(db, ours_invoices, pool, run_id)
    return elapsed, ids


def load():
    "The machine's load averages (1, 5, 15 min): other jobs share it"
    return 'load %.1f %.1f %.1f' % os.getloadavg()


def peak_mb():
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return own / 1024, children / 1024


def main():
    args = parse_args()
    os.environ['TRYTOND_DATABASE__URI'] = args.uri
    db = f'bench_billing_{os.getpid()}'
    print(f'billing bench on {args.uri} database {db}; '
        f'PYTHONOPTIMIZE={os.environ.get("PYTHONOPTIMIZE", "")}', flush=True)
    t0 = time.monotonic()
    activate(db, args.uri)
    print(f'  modules activated in {time.monotonic() - t0:.0f} s', flush=True)
    try:
        from trytond.pool import Pool
        pool = Pool(db)
        pool.init()
        t0 = time.monotonic()
        company_id, estates = in_transaction(
            db, setup, pool, args.units, args.big)
        in_transaction.context = {'company': company_id}
        print(f'  {args.units + args.big} units set up in '
            f'{time.monotonic() - t0:.0f} s', flush=True)

        results = {}
        # ours first: invoice numbers follow dates and the platform bills
        # March on 1 April, ours on 1 March
        elapsed, ids = run_ours(
            db, pool, args.uri, company_id, estates[0], args.workers)
        results['ours'] = (elapsed, ids)
        print(f'ours (billing run, {args.workers} workers + 1 posting): '
            f'{len(ids)} '
            f'invoices created + posted in {elapsed:.1f} s '
            f'({len(ids) / elapsed:.1f} invoices/s; {load()})', flush=True)
        if args.big:
            elapsed, ids = run_ours(
                db, pool, args.uri, company_id, estates[1], args.workers)
            print(f'ours alone, {args.big} units: {len(ids)} invoices in '
                f'{elapsed:.1f} s ({len(ids) / elapsed:.1f} invoices/s; {load()})',
                flush=True)
        if not args.skip_platform:
            in_transaction(db, platform_setup, pool, company_id, estates[0])
            t0 = time.monotonic()
            ids = in_transaction(db, platform_generate, pool)
            generated = time.monotonic() - t0
            in_transaction(db, platform_post, pool, ids)
            elapsed = time.monotonic() - t0
            results['platform'] = (elapsed, ids)
            print(f'platform sale_subscription: {len(ids)} invoices '
                f'generated in {generated:.1f} s, generated + posted in '
                f'{elapsed:.1f} s ({len(ids) / elapsed:.1f} invoices/s; '
                f'{load()})', flush=True)
        if 'platform' in results:
            p_total = in_transaction(db, total, pool, results['platform'][1])
            o_total = in_transaction(db, total, pool, results['ours'][1])
            print(f'ratio ours/platform: '
                f'{results["ours"][0] / results["platform"][0]:.2f} '
                f'(totals {o_total} vs {p_total}: '
                f'{"same" if o_total == p_total else "DIFFERENT"})')
        own, children = peak_mb()
        print(f'peak memory: bench process {own:.0f} MB, '
            f'largest worker {children:.0f} MB')
    finally:
        if not args.keep:
            from trytond.pool import Pool
            Pool.stop(db)
            drop(db, args.uri)
    return 0


if __name__ == '__main__':
    sys.exit(main())
