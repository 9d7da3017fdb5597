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


def _orphans(pool, db, uri):
    """The batches whose task is dequeued and not finished while nobody
    holds the batch's lock (billing.BATCH_LOCK): a task lost with a
    killed worker, which no worker takes again"""
    import psycopg
    from trytond.modules.property_billing.billing import BATCH_LOCK
    Queue = pool.get('ir.queue')
    Batch = pool.get('property.billing.run.batch')
    tasks = Queue.search([
            ('dequeued_at', '!=', None), ('finished_at', '=', None)])
    ids = [t.data['instances'] for t in tasks
        if t.data.get('method') == 'create_queued']
    orphans = []
    with psycopg.connect(uri + db, autocommit=True) as conn:
        for batch in Batch.browse(ids):
            if batch.state != 'pending':
                continue
            key = BATCH_LOCK + batch.id
            free, = conn.execute(
                'SELECT pg_try_advisory_lock(%s)', (key,)).fetchone()
            if free:
                conn.execute('SELECT pg_advisory_unlock(%s)', (key,))
                orphans.append(batch.id)
    return orphans


def _outcome(db, uri, run_id):
    """What an accountant checks once the run is done, read by SQL from the
    tables (2,000 bills: the ORM would take minutes on this machine)"""
    import psycopg
    with psycopg.connect(uri + db, autocommit=True) as conn:
        def one(query, *args):
            return conn.execute(query, args).fetchone()

        def rows(query, *args):
            return conn.execute(query, args).fetchall()
        company, state, pending = one(
            'SELECT company, state, pending FROM property_billing_run '
            'WHERE id = %s', run_id)
        estate, = one('SELECT estate FROM "property_billing_run-'
            'property_estate" WHERE run = %s', run_id)
        invoices = ('SELECT id FROM account_invoice WHERE estate = %s '
            "AND type = 'out'")
        return {
            'state': state,
            'pending': pending,
            'batches': dict(rows('SELECT state, count(*) FROM '
                    'property_billing_run_batch WHERE run = %s '
                    'GROUP BY state', run_id)),
            'units': one('SELECT count(*) FROM property_unit '
                'WHERE estate = %s', estate)[0],
            'units_not_billed': one('SELECT count(*) FROM property_unit u '
                'WHERE u.estate = %s AND NOT EXISTS (SELECT 1 FROM '
                'property_billing_line l WHERE l.unit = u.id '
                'AND l.run = %s)', estate, run_id)[0],
            # (unit, fee, month) billed: rows, distinct, fees
            'billed': one('SELECT count(*), count(DISTINCT (unit, fee, '
                'month)), count(DISTINCT fee) FROM property_billing_line '
                'WHERE run = %s', run_id),
            'bills_per_unit': dict(rows('SELECT n, count(*) FROM (SELECT '
                'reference, count(*) AS n FROM account_invoice '
                "WHERE estate = %s AND type = 'out' GROUP BY reference) b "
                'GROUP BY n', estate)),
            'invoice_states': dict(rows('SELECT state, count(*) FROM '
                "account_invoice WHERE estate = %s AND type = 'out' "
                'GROUP BY state', estate)),
            'lines_per_invoice': dict(rows('SELECT n, count(*) FROM '
                '(SELECT invoice, count(*) AS n FROM account_invoice_line '
                f'WHERE invoice IN ({invoices}) GROUP BY invoice) l '
                'GROUP BY n', estate)),
            # gapless over the whole sequences, not only this run's
            'invoice_numbers': [n for n, in rows('SELECT number FROM '
                    "account_invoice WHERE company = %s AND type = 'out' "
                    "AND state <> 'draft'", company)],
            'move_numbers': [n for n, in rows('SELECT number FROM '
                    "account_move WHERE company = %s AND state = 'posted'",
                    company)],
            'invoices_without_posted_move': one('SELECT count(*) FROM '
                'account_invoice i LEFT JOIN account_move m ON m.id = i.move '
                "WHERE i.estate = %s AND i.type = 'out' AND (m.id IS NULL "
                "OR m.state <> 'posted' OR m.number IS NULL)", estate)[0],
            'revenue_moves': one('SELECT count(*) FROM account_move m '
                'JOIN account_journal j ON j.id = m.journal '
                "WHERE m.company = %s AND j.type = 'revenue'", company)[0],
            'company_bills': one('SELECT count(*) FROM account_invoice '
                "WHERE company = %s AND type = 'out' AND state <> 'draft'",
                company)[0],
            # receivable lines of the bills' moves, and the bills' totals
            'ledger': one('SELECT sum(l.debit - l.credit) FROM '
                'account_move_line l JOIN account_invoice i '
                'ON i.move = l.move JOIN account_account a '
                'ON a.id = l.account JOIN account_account_type t '
                'ON t.id = a.type WHERE t.receivable AND i.estate = %s',
                estate)[0],
            'bills_total': one('SELECT sum(total_amount_cache), '
                'count(total_amount_cache) FROM account_invoice '
                "WHERE estate = %s AND type = 'out'", estate),
            'billed_total': one('SELECT sum(amount) FROM '
                'property_billing_line WHERE run = %s', run_id)[0],
            'bills_untaxed': one('SELECT sum(untaxed_amount_cache) FROM '
                "account_invoice WHERE estate = %s AND type = 'out'",
                estate)[0],
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
        # waiting and nobody on it (the precondition of the story)
        # (PostgreSQL ends the killed worker's session, and releases its
        # lock, when its running statement ends)
        deadline = time.monotonic() + 60
        while not (orphans := in_transaction(
                    db, _orphans, pool, db, uri, context=context)):
            assert time.monotonic() < deadline, (
                'no batch task was lost with the killed worker')
            time.sleep(0.5)
        print(f'batch(es) {orphans} left by the killed worker')

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

    result = _outcome(db, uri, run_id)
    assert result['state'] == 'done'
    assert result['pending'] == 0
    assert result['batches'] == {'posted': 10}, result['batches']
    # every unit billed, each (unit, fee, month) once, one bill per unit
    # with its 3 fee lines: nothing twice, nothing half
    assert result['units'] == 2000
    assert result['units_not_billed'] == 0
    assert result['billed'] == (6000, 6000, 3)
    assert result['bills_per_unit'] == {1: 2000}
    assert result['invoice_states'] == {'posted': 2000}
    assert result['lines_per_invoice'] == {3: 2000}
    # gapless invoice and move numbers (every posted bill and move of the
    # company: estate B's bill, and the other test's payment if it ran)
    assert len(result['invoice_numbers']) == result['company_bills']
    assert len(set(result['invoice_numbers'])) == len(
        result['invoice_numbers'])
    assert _gapless(result['invoice_numbers'])
    assert None not in result['move_numbers']
    assert len(set(result['move_numbers'])) == len(result['move_numbers'])
    assert _gapless(result['move_numbers'])
    # the ledger equals the bills: every bill has its posted move, no
    # other move in the revenue journal, receivable = the bills' totals
    assert result['invoices_without_posted_move'] == 0
    assert result['revenue_moves'] == result['company_bills']
    total, counted = result['bills_total']
    assert counted == 2000
    assert result['ledger'] == total
    assert result['billed_total'] == result['bills_untaxed']
    print(f'{result["invoice_states"]["posted"]} bills posted, total '
        f'{total}, receivable {result["ledger"]}')
