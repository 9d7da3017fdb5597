#!/usr/bin/env python3
# This file is part of the property service suite. See README.md.
"""Profile one billing batch in process (cProfile), on PostgreSQL.

    PYTHONOPTIMIZE=1 .venv/bin/python bench/billing_profile.py --units 100

Sets up a throwaway database the way billing_bench.py does (one estate of
--units units, 3 fees), then bills the month's units in one call of
property.billing.run.bill_units (create + post, as one queued batch does)
under cProfile and prints the top functions. --keep keeps the database,
--database <name> reuses one kept before (a new month each time is not
needed: the run bills the next month that is not billed yet).
"""
import argparse
import cProfile
import os
import pstats
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import billing_bench as bench  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--uri', default=os.environ.get(
            'PG_URI', 'postgresql://127.0.0.1:5432/'))
    parser.add_argument('--units', type=int, default=100)
    parser.add_argument('--database')
    parser.add_argument('--keep', action='store_true')
    parser.add_argument('--sort', default='cumulative')
    parser.add_argument('--top', type=int, default=45)
    parser.add_argument('--no-profile', action='store_true')
    parser.add_argument('--dump', help="write the raw profile to this file")
    args = parser.parse_args()
    os.environ['TRYTOND_DATABASE__URI'] = args.uri
    db = args.database or f'bench_billing_profile_{os.getpid()}'
    fresh = not args.database
    if fresh:
        bench.activate(db, args.uri)
    from trytond.pool import Pool
    pool = Pool(db)
    pool.init()
    try:
        if fresh:
            company_id, estates = bench.in_transaction(
                db, bench.setup, pool, args.units, 0)
        else:
            company_id, estates = bench.in_transaction(db, existing, pool)
        bench.in_transaction.context = {'company': company_id}
        run_id, unit_ids = bench.in_transaction(
            db, new_run, pool, company_id, estates[0])
        profile = cProfile.Profile()
        t0 = time.monotonic()
        if not args.no_profile:
            profile.enable()
        n = bench.in_transaction(db, bill, pool, run_id, unit_ids)
        profile.disable()
        elapsed = time.monotonic() - t0
        print(f'{n} bills created + posted in {elapsed:.2f} s '
            f'({n / elapsed:.1f} bills/s; {bench.load()}); '
            f'database {db}', flush=True)
        if args.dump:
            profile.dump_stats(args.dump)
        if not args.no_profile:
            pstats.Stats(profile).sort_stats(args.sort).print_stats(args.top)
    finally:
        if fresh and not args.keep:
            Pool.stop(db)
            bench.drop(db, args.uri)


def existing(pool):
    Company = pool.get('company.company')
    Estate = pool.get('property.estate')
    company, = Company.search([], limit=1)
    return company.id, [e.id for e in Estate.search([], order=[('id', 'ASC')])]


def new_run(pool, company_id, estate_id):
    "A run of the first month of the fiscal year not billed yet"
    Run = pool.get('property.billing.run')
    Period = pool.get('account.period')
    Unit = pool.get('property.unit')
    billed = {r.period.id for r in Run.search([])}
    period = next(p for p in Period.search([
                ('company', '=', company_id), ('type', '=', 'standard'),
                ('start_date', '>=', bench.MONTH),
                ], order=[('start_date', 'ASC')])
        if p.id not in billed)
    run, = Run.create([{'company': company_id, 'period': period.id,
                'invoice_date': period.start_date,
                'estates': [('add', [estate_id])]}])
    units = Unit.search(run.unit_domain(), order=[('id', 'ASC')])
    return run.id, [u.id for u in units]


def bill(pool, run_id, unit_ids):
    Run = pool.get('property.billing.run')
    return len(Run.bill_units(Run(run_id), unit_ids))


if __name__ == '__main__':
    sys.exit(main())
