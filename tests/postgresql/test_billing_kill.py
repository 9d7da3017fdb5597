# This file is part of the property service suite. See README.md.
"""A billing run of 2,000 units on PostgreSQL with trytond-worker
processes (2 on the default queue, 1 on the posting queue, as README's
deployment), one of them killed with SIGKILL in the middle of a batch,
then started again: the run finishes what is left, no unit is billed twice
or half, invoice and move numbers have no gap, the ledger equals the bills.

trytond's worker marks a task dequeued in its own autocommit connection
before the task's transaction starts: the killed worker's transaction is
rolled back, but its task stays dequeued and is never taken again. The
run's cron (property.billing.run|resume_stalled, run here by
`trytond-cron --once` after the restart) queues again what such a task
left undone."""
import os
import re
import signal
import subprocess
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path

import resilience_db  # noqa: F401 (puts bench/ on the path)
from billing_setup import (
    MONTH, VENV_BIN, clean_env, in_transaction, start_run, start_worker,
    start_workers, stop)

# after this many bills posted the run is well under way
KILL_AFTER_POSTED = 400
# the run is stalled when nothing moves for this long
STALL_SECONDS = 120


def _client_ports(pid):
    "The local TCP ports of the sockets of a process"
    inodes = set()
    fd_dir = Path(f'/proc/{pid}/fd')
    for fd in fd_dir.iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith('socket:['):
            inodes.add(target[8:-1])
    ports = set()
    for table in ['/proc/net/tcp', '/proc/net/tcp6']:
        with open(table) as lines:
            next(lines)
            for line in lines:
                fields = line.split()
                if fields[9] in inodes:
                    ports.add(int(fields[1].rsplit(':', 1)[1], 16))
    return ports


def _children(pid):
    path = Path(f'/proc/{pid}/task/{pid}/children')
    try:
        return [int(c) for c in path.read_text().split()]
    except OSError:
        return []


def _in_transaction(db, uri, pid):
    """Whether a process of the worker (the pool child that runs the
    tasks) has an open transaction in the database"""
    import psycopg
    ports = set()
    for child in _children(pid):
        ports |= _client_ports(child)
    if not ports:
        return False
    with psycopg.connect(uri + 'postgres', autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s "
            "AND client_port = ANY(%s) AND xact_start IS NOT NULL "
            "AND state <> 'idle'", (db, list(ports))).fetchone()
    return row[0] > 0


def _company(pool):
    return pool.get('company.company').search([])[0].id


def _estate(pool, code):
    estate, = pool.get('property.estate').search([('code', '=', code)])
    return estate.id


def _progress(pool, run_id):
    "(run state, {batch state: count}, posted bills, draft bills)"
    Run = pool.get('property.billing.run')
    Batch = pool.get('property.billing.run.batch')
    Invoice = pool.get('account.invoice')
    run = Run(run_id)
    batches = Counter(b.state for b in Batch.search([('run', '=', run_id)]))
    estate = run.estates[0].id
    posted = Invoice.search_count([
            ('estate', '=', estate), ('state', '=', 'posted')])
    draft = Invoice.search_count([
            ('estate', '=', estate), ('state', '=', 'draft')])
    return run.state, dict(batches), posted, draft


def _orphans(pool):
    """The batch tasks dequeued and not finished whose batch waits: in a
    live worker they finish, in a killed one they stay so"""
    Queue = pool.get('ir.queue')
    Batch = pool.get('property.billing.run.batch')
    tasks = Queue.search([
            ('dequeued_at', '!=', None), ('finished_at', '=', None)])
    ids = [t.data['instances'] for t in tasks
        if t.data.get('method') == 'create_queued']
    return [b.id for b in Batch.browse(ids) if b.state == 'pending']


def _outcome(pool, run_id):
    "What an accountant checks once the run is done"
    Run = pool.get('property.billing.run')
    Line = pool.get('property.billing.line')
    Unit = pool.get('property.unit')
    Invoice = pool.get('account.invoice')
    Move = pool.get('account.move')
    MoveLine = pool.get('account.move.line')
    run = Run(run_id)
    estate = run.estates[0]
    units = Unit.search([('estate', '=', estate.id)])
    lines = Line.search([('run', '=', run_id)])
    invoices = Invoice.search([('estate', '=', estate.id)])
    company = run.company
    # every out invoice and every posted move of the company: the numbers
    # are gapless over the whole sequence, not only this run's
    all_invoices = Invoice.search([
            ('company', '=', company.id), ('type', '=', 'out'),
            ('number', '!=', None)])
    moves = Move.search([
            ('company', '=', company.id), ('state', '=', 'posted')])
    receivable = MoveLine.search([
            ('move.origin', 'in', [str(i) for i in invoices]),
            ('account.type.receivable', '=', True)])
    revenue_moves = Move.search([
            ('journal.type', '=', 'revenue'), ('company', '=', company.id)])
    return {
        'state': run.state,
        'pending': run.pending,
        'batches': Counter(b.state for b in run.batches),
        'units': {u.id for u in units},
        'fees': len({l.fee.id for l in lines}),
        'billed': Counter((l.unit.id, l.fee.id, l.month) for l in lines),
        'billed_units': {l.unit.id for l in lines},
        'invoices_per_unit': Counter(i.reference for i in invoices),
        'invoice_states': Counter(i.state for i in invoices),
        'lines_per_invoice': Counter(len(i.lines) for i in invoices),
        'invoice_numbers': sorted(i.number for i in all_invoices),
        'moves_without_number': [m.id for m in moves if not m.number],
        'move_numbers': sorted(m.number for m in moves if m.number),
        'invoices_without_posted_move': [i.id for i in invoices
            if not i.move or i.move.state != 'posted'],
        'revenue_moves': len(revenue_moves),
        'company_invoices': Invoice.search_count([
                ('company', '=', company.id), ('type', '=', 'out'),
                ('state', '!=', 'draft')]),
        'ledger': sum((l.debit - l.credit for l in receivable), Decimal(0)),
        'bills_total': sum((i.total_amount for i in invoices), Decimal(0)),
        'billed_total': sum((l.amount for l in lines), Decimal(0)),
        'bills_untaxed': sum((i.untaxed_amount for i in invoices),
            Decimal(0)),
        }


def _gapless(numbers):
    "The numeric parts of the numbers follow each other, none twice"
    values = sorted(int(re.findall(r'\d+', n)[-1]) for n in numbers)
    return values == list(range(values[0], values[0] + len(values)))


def test_worker_killed_mid_run(pg_database, tmp_path):
    db, uri = pg_database
    from trytond.pool import Pool
    pool = Pool(db)
    pool.init()
    company_id = in_transaction(db, _company, pool)
    context = {'company': company_id}
    estate_id = in_transaction(db, _estate, pool, 'A', context=context)

    log = tmp_path / 'workers.log'
    procs = start_workers(db, uri, 2, log=log)
    try:
        start = time.monotonic()
        run_id = in_transaction(db, start_run, pool, company_id, estate_id,
            MONTH, context=context)
        # well under way, and the first default worker inside a batch
        victim = procs[0]
        while True:
            state, batches, posted, draft = in_transaction(
                db, _progress, pool, run_id, context=context)
            assert state != 'done', 'the run ended before the kill'
            if posted >= KILL_AFTER_POSTED and _in_transaction(
                    db, uri, victim.pid):
                break
            time.sleep(0.2)
        os.killpg(victim.pid, signal.SIGKILL)
        victim.wait()
        killed_at = time.monotonic()
        state, batches, posted, draft = in_transaction(
            db, _progress, pool, run_id, context=context)
        print(f'worker {victim.pid} killed after {killed_at - start:.1f} s: '
            f'{posted} bills posted, {draft} drafts, batches {batches}')

        # the killed worker's task: dequeued, never finished, its batch
        # waiting (the precondition of the story)
        deadline = time.monotonic() + 60
        while not in_transaction(db, _orphans, pool, context=context):
            assert time.monotonic() < deadline, (
                'no batch task was lost with the killed worker')
            time.sleep(0.5)

        # the worker is started again, and the cron (as trytond-cron runs
        # it every few minutes) finds what was left
        procs[0] = start_worker(db, uri, 'default', log=log)
        restarted = time.monotonic()
        subprocess.run([os.path.join(VENV_BIN, 'trytond-cron'), '-d', db,
                '--once'], check=True, timeout=300,
            env=clean_env(database__uri=uri, queue__worker=True),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        last, moved = None, time.monotonic()
        while True:
            progress = in_transaction(
                db, _progress, pool, run_id, context=context)
            if progress[0] == 'done':
                break
            if progress != last:
                last, moved = progress, time.monotonic()
            assert time.monotonic() - moved < STALL_SECONDS, (
                f'the run is stalled after the restart: {progress}\n'
                + log.read_text(errors='replace')[-3000:])
            time.sleep(0.5)
        done = time.monotonic()
        print(f'run done {done - restarted:.1f} s after the restart '
            f'({done - start:.1f} s in all)')
    finally:
        stop(procs)

    result = in_transaction(db, _outcome, pool, run_id, context=context)
    assert result['state'] == 'done'
    assert result['pending'] == 0
    assert result['batches'] == {'posted': 10}, result['batches']
    # every unit billed, each (unit, fee, month) once, one bill per unit
    # with its 3 fee lines: nothing twice, nothing half
    assert len(result['units']) == 2000
    assert result['billed_units'] == result['units']
    assert set(result['billed'].values()) == {1}
    assert len(result['billed']) == 2000 * result['fees'] == 6000
    assert set(result['invoices_per_unit'].values()) == {1}
    assert len(result['invoices_per_unit']) == 2000
    assert result['invoice_states'] == {'posted': 2000}
    assert result['lines_per_invoice'] == {3: 2000}
    # gapless invoice and move numbers
    assert len(result['invoice_numbers']) == result['company_invoices']
    assert len(set(result['invoice_numbers'])) == len(
        result['invoice_numbers'])
    assert _gapless(result['invoice_numbers']), result['invoice_numbers']
    assert not result['moves_without_number']
    assert len(set(result['move_numbers'])) == len(result['move_numbers'])
    assert _gapless(result['move_numbers'])
    # the ledger equals the bills: every bill has its posted move, no
    # other move in the revenue journal, receivable = bills' totals
    assert not result['invoices_without_posted_move']
    assert result['revenue_moves'] == result['company_invoices']
    assert result['ledger'] == result['bills_total']
    assert result['billed_total'] == result['bills_untaxed']
