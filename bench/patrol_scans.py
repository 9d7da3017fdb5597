#!/usr/bin/env python3
# This file is part of the property service suite. See README.md.
"""Patrol scan throughput.

Measures, in one run on one database:
- baseline: the platform's own attendance.line created one record at a
  time (the floor of any Tryton record written per request);
- the phone path: Round.scan(code, round_id), one call per checkpoint (what
  each JSON-RPC request does, without the HTTP layer);
- a batch: all scans of the rounds created at once (offline phone sync,
  demo data), classified by one evaluate pass;
- closing the rounds (missed checkpoints, follow-ups).

Usage (SQLite in memory by default; PostgreSQL with
TRYTOND_DATABASE_URI=postgresql://127.0.0.1:5432/ DB_NAME=bench_scans):

    .venv/bin/python bench/patrol_scans.py [--rounds 100]
"""
import argparse
import datetime as dt
import os
import statistics
import time

os.environ.setdefault('TRYTOND_DATABASE_URI', 'sqlite://')
os.environ.setdefault('DB_NAME', ':memory:')
os.environ.pop('TRYTOND_CONFIG', None)

START = dt.datetime(2026, 11, 1, 22, 0)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--rounds', type=int, default=100)
    args = parser.parse_args()

    from trytond.modules.company.tests import (
        create_company, create_employee, set_company)
    from trytond.pool import Pool
    from trytond.tests.test_tryton import (
        DB_NAME, USER, activate_module, drop_db)
    from trytond.transaction import Transaction

    print("activating property_security on %s ..."
        % os.environ['TRYTOND_DATABASE_URI'], flush=True)
    drop_db()
    activate_module(['property_security'])
    with Transaction().start(DB_NAME, USER) as transaction:
        pool = Pool()
        Estate = pool.get('property.estate')
        Checkpoint = pool.get('property.patrol.checkpoint')
        Route = pool.get('property.patrol.route')
        Round = pool.get('property.patrol.round')
        Scan = pool.get('property.patrol.scan')
        Attendance = pool.get('attendance.line')

        company = create_company()
        guard = create_employee(company, name="张伟")
        estate, = Estate.create([{
                    'company': company.id, 'code': 'B', 'name': "基准小区"}])
        checkpoints = Checkpoint.create([{
                    'estate': estate.id, 'code': f'CP{i}',
                    'name': f"点{i}"} for i in range(6)])
        route, = Route.create([{
                    'estate': estate.id, 'name': "夜巡", 'duration': 60,
                    'lines': [('create', [{
                                    'sequence': i, 'checkpoint': c.id,
                                    'offset': i * 10}
                                for i, c in enumerate(checkpoints)])]}])

        def make_rounds(first_day):
            return Round.create([{
                        'estate': estate.id, 'route': route.id,
                        'guard': guard.id,
                        'planned_start': START + dt.timedelta(days=d),
                        'planned_end': START + dt.timedelta(days=d, hours=1),
                        } for d in range(first_day, first_day + args.rounds)])

        n = args.rounds * len(checkpoints)
        figures = []

        # baseline: the platform's attendance line, one create per record
        with set_company(company):
            durations = []
            for i in range(n):
                t = time.perf_counter()
                Attendance.create([{
                            'employee': guard.id, 'company': company.id,
                            'at': START + dt.timedelta(minutes=i),
                            'date': (START + dt.timedelta(minutes=i)).date(),
                            'type': 'in' if i % 2 == 0 else 'out'}])
                durations.append(time.perf_counter() - t)
        figures.append(("baseline attendance.line create, one by one",
                n, sum(durations), durations))

        # the phone path: one scan call per checkpoint
        rounds = make_rounds(0)
        durations = []
        for round_ in rounds:
            for i, checkpoint in enumerate(checkpoints):
                at = round_.planned_start + dt.timedelta(minutes=i * 10 + 1)
                with transaction.set_context(_security_now=at):
                    t = time.perf_counter()
                    Round.scan(checkpoint.code, round_.id)
                    durations.append(time.perf_counter() - t)
        figures.append(("Round.scan, one call per checkpoint", n,
                sum(durations), durations))

        # batch: all scans of fresh rounds in one create
        rounds = make_rounds(args.rounds)
        Round.write(rounds, {'state': 'in_progress'})
        values = [{'round': r.id, 'line': l.id, 'code': l.checkpoint.code,
                'at': r.planned_start + dt.timedelta(minutes=l.offset + 1)}
            for r in rounds for l in r.lines]
        t = time.perf_counter()
        Scan.create(values)
        figures.append(("Scan.create of all scans (batch)", n,
                time.perf_counter() - t, None))

        t = time.perf_counter()
        Round.close(Round.search([('state', '=', 'in_progress')]))
        figures.append(("Round.close of %d rounds" % (2 * args.rounds),
                2 * args.rounds, time.perf_counter() - t, None))
        transaction.rollback()

    base = figures[0][2] / figures[0][1]
    print("%-48s %7s %9s %9s %9s %8s" % (
            "operation", "records", "total s", "ms/rec", "p95 ms",
            "x base"))
    for label, count, total, durations in figures:
        p95 = (statistics.quantiles(durations, n=20)[-1] * 1000
            if durations else float('nan'))
        print("%-48s %7d %9.2f %9.2f %9.2f %8.2f" % (
                label, count, total, total / count * 1000, p95,
                (total / count) / base))
    drop_db()


if __name__ == '__main__':
    main()
