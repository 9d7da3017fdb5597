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
import sys
import time
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from billing_setup import (  # noqa: E402
    FEES, MONTH, activate, drop, in_transaction, setup, start_run,
    start_workers, stop)

MONTH_END = dt.date(2026, 3, 31)
NEXT_MONTH = dt.date(2026, 4, 1)
WORKER_WARMUP = 20  # seconds for a trytond-worker to load its pool


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
    procs = start_workers(db, uri, workers)
    # let the workers load the pool before timing (as a running server)
    time.sleep(WORKER_WARMUP)
    start = time.monotonic()
    run_id = in_transaction(db, start_run, pool, company_id, estate_id)
    try:
        while True:
            state, pending = in_transaction(db, ours_state, pool, run_id)
            if state == 'done':
                break
            time.sleep(0.5)
    finally:
        # each worker has a child process: stop the whole group
        stop(procs)
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
    activate(db, args.uri, ['property_billing', 'sale_subscription'])
    print(f'  modules activated in {time.monotonic() - t0:.0f} s', flush=True)
    try:
        from trytond.pool import Pool
        pool = Pool(db)
        pool.init()
        t0 = time.monotonic()
        company_id, estates = in_transaction(
            db, setup, pool, [('A', args.units), ('B', args.big)])
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
