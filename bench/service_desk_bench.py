#!/usr/bin/env python3
# This file is part of the property service suite. See README.md.
"""Service desk at 10^6 tickets (PostgreSQL).

Loads one estate with N tickets (default 1,000,000, about 2 % of them still
open) at SQL level (INSERT ... SELECT generate_series), then measures, as a
service clerk of that estate with access rules on, what the staff client
asks for when a screen opens (search_read of the first page + search_count,
plus the tab counts):

- console: the dispatch console's open work (all departments, tab counts
  "to assign", "overdue", "escalated") and the load per person;
- list: the estate's open-ticket list (the Tickets menu);
- kpi: the KPI board of the estate for the last 12 months, and for all months.

Baseline in the same run: the same requests after dropping the service
desk's indexes (the plain table with its primary key only), then again
with the indexes restored.

Usage: .venv/bin/python bench/service_desk_bench.py [--tickets N] [--fresh]
(the database bench_service_desk is created on first use and reused).
"""
import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
URI = os.environ.get('PG_URI', 'postgresql://127.0.0.1:5432/')
DB = 'bench_service_desk'
REPEAT = 5


def sh(*args, **kwargs):
    return subprocess.run(args, check=True, **kwargs)


def write_config():
    "A configuration for PostgreSQL (the repository's one is for SQLite)"
    path = os.path.join(tempfile.gettempdir(), 'service_desk_bench.conf')
    with open(path, 'w') as conf:
        conf.write('[database]\nuri = %s\n' % URI)
    return path


def create_database(fresh):
    env = dict(os.environ, TRYTOND_CONFIG=write_config())
    env.pop('TRYTOND_DATABASE__PATH', None)
    env.pop('TRYTOND_DATABASE__URI', None)
    exists = subprocess.run(
        ['psql', '-h', '127.0.0.1', '-U', 'postgres', '-lqt'],
        capture_output=True, text=True).stdout
    present = any(line.split('|')[0].strip() == DB
        for line in exists.splitlines())
    if present and not fresh:
        return False
    if present:
        sh('dropdb', '-h', '127.0.0.1', '-U', 'postgres', DB)
    sh('createdb', '-h', '127.0.0.1', '-U', 'postgres', DB)
    with tempfile.NamedTemporaryFile('w', suffix='.pass') as passfile:
        passfile.write('admin\n')
        passfile.flush()
        env['TRYTONPASSFILE'] = passfile.name
        started = time.monotonic()
        sh(os.path.join(ROOT, '.venv/bin/trytond-admin'), '-d', DB,
            '--all', '--activate-dependencies', '-u', 'property_service',
            '--email', 'admin@example.com', env=env,
            stdout=subprocess.DEVNULL)
        print('activated property_service in %.0f s'
            % (time.monotonic() - started))
    return True


def setup(pool, n_tickets):
    "Company, estate, 1,000 units, staff, a clerk user; tickets by SQL"
    from trytond.modules.company.tests import create_company, create_employee
    from trytond.transaction import Transaction
    Estate = pool.get('property.estate')
    Unit = pool.get('property.unit')
    User = pool.get('res.user')
    Category = pool.get('property.ticket.category')
    Ticket = pool.get('property.ticket')
    ModelData = pool.get('ir.model.data')

    company = create_company(name="安居物业")
    staff = [create_employee(company, name=f"员工{i:02d}") for i in range(20)]
    with Transaction().set_context(company=company.id):
        estate, = Estate.create([{
                    'company': company.id, 'code': 'BENCH',
                    'name': "压测花园", 'manager': staff[0].id,
                    'staff': [('add', [e.id for e in staff[1:]])],
                    'buildings': [('create', [{
                                    'code': str(b), 'name': f"{b}栋"}
                                for b in range(1, 11)])],
                    }])
        Unit.create([{
                    'building': building.id, 'number': f'{n:04d}',
                    'building_area': 90,
                    } for building in estate.buildings
                for n in range(1, 101)])
        category, = Category.create([{
                    'name': "水电维修", 'type': 'repair',
                    'response_time': dt.timedelta(hours=1),
                    'resolution_time': dt.timedelta(hours=24)}])
    clerk, = User.create([{
                'name': "客服", 'login': 'bench_clerk',
                'companies': [('add', [company.id])],
                'company': company.id,
                'employees': [('add', [staff[1].id])],
                'employee': staff[1].id,
                'groups': [('add', [ModelData.get_id(
                                'property_service',
                                'group_property_clerk')])],
                }])

    cursor = Transaction().connection.cursor()
    unit_ids = sorted(u.id for u in Unit.search([
                ('estate', '=', estate.id)]))
    employee_ids = [e.id for e in staff[1:]]
    started = time.monotonic()
    # one row per second of the last ~5 years, 2 % still open: the state
    # and the times follow from the series number
    cursor.execute("""
        INSERT INTO property_ticket (
            company, estate, unit, type, channel, category, priority,
            department, description, number, state, assignee, received_at,
            month, opened_at, assigned_at, resolved_at, closed_at,
            response_deadline, resolution_deadline, response_hours,
            resolution_hours, responded_on_time, resolved_on_time,
            escalated, reopen_count, return_visit_required, satisfaction,
            create_uid, create_date)
        SELECT %(company)s, %(estate)s,
            (%(units)s::int[])[1 + g %% 1000],
            (ARRAY['repair','repair','consultation','complaint',
                'certificate','suggestion','praise','other'])[1 + g %% 8],
            (ARRAY['counter','phone','phone','portal'])[1 + g %% 4],
            %(category)s,
            (ARRAY['0_low','1_normal','1_normal','2_high','3_urgent'])
                [1 + g %% 5],
            'engineering', '压测工单 ' || g, 'B' || lpad(g::text, 8, '0'),
            CASE WHEN g %% 50 = 0 THEN
                (ARRAY['open','assigned','in_progress'])[1 + (g / 50) %% 3]
                WHEN g %% 97 = 0 THEN 'cancelled' ELSE 'closed' END,
            CASE WHEN g %% 50 = 0 AND (g / 50) %% 3 = 0 THEN NULL
                ELSE (%(employees)s::int[])[1 + g %% 19] END,
            r.received, date_trunc('month', r.received)::date,
            r.received + interval '5 minutes',
            CASE WHEN g %% 50 = 0 AND (g / 50) %% 3 = 0 THEN NULL
                ELSE r.received + interval '40 minutes' END,
            CASE WHEN g %% 50 = 0 THEN NULL
                ELSE r.received + interval '20 hours' END,
            CASE WHEN g %% 50 = 0 THEN NULL
                ELSE r.received + interval '30 hours' END,
            r.received + interval '1 hour', r.received + interval '24 hours',
            0.67, CASE WHEN g %% 50 = 0 THEN NULL ELSE 20 END,
            g %% 10 <> 0, g %% 50 <> 0 AND g %% 13 <> 0,
            g %% 50 = 0 AND g %% 7 = 0, 0, g %% 8 = 3,
            CASE WHEN g %% 50 = 0 THEN NULL ELSE 1 + g %% 5 END,
            0, r.received
        FROM generate_series(1, %(n)s) AS g,
            LATERAL (SELECT now()::timestamp(0)
                - (%(n)s - g) * interval '150 seconds' AS received) AS r
        """, {
            'company': company.id, 'estate': estate.id, 'units': unit_ids,
            'employees': employee_ids, 'category': category.id,
            'n': n_tickets})
    print('loaded %s tickets by SQL in %.0f s'
        % (Ticket.search_count([]), time.monotonic() - started))
    return clerk.id


def measure(pool, db, clerk_id):
    "Median seconds of each screen as the clerk, access rules on"
    from trytond.transaction import Transaction
    Ticket = pool.get('property.ticket')
    KPI = pool.get('property.ticket.kpi')
    Load = pool.get('property.ticket.load')
    User = pool.get('res.user')

    with Transaction().start(db, 0, readonly=True):
        user = User(clerk_id)
        context = User.get_preferences(context_only=True)
        company = user.company.id
    open_states = ['open', 'assigned', 'in_progress']
    console_fields = ['number', 'priority', 'received_at', 'estate.rec_name',
        'unit.rec_name', 'type', 'department', 'description',
        'assignee.rec_name', 'response_deadline', 'resolution_deadline',
        'overdue', 'escalated', 'state']
    list_fields = ['number', 'received_at', 'estate.rec_name',
        'unit.rec_name', 'type', 'category.rec_name', 'requester.rec_name',
        'description', 'priority', 'department', 'assignee.rec_name',
        'resolution_deadline', 'escalated', 'state']
    kpi_fields = ['month', 'estate.rec_name', 'ticket_count',
        'consultation_count', 'complaint_count', 'repair_count',
        'other_count', 'response_rate', 'resolution_rate',
        'avg_response_hours', 'avg_resolution_hours', 'avg_satisfaction',
        'complaint_rate', 'escalated_count']
    year_ago = (dt.date.today().replace(day=1) - dt.timedelta(days=335)
        ).replace(day=1)

    def console():
        domain = [('state', 'in', open_states)]
        rows = Ticket.search_read(domain, limit=80,
            order=[('priority', 'DESC'), ('received_at', 'ASC'),
                ('id', 'ASC')], fields_names=console_fields)
        Ticket.search_count(domain)
        for tab in [[('state', '=', 'open')], [('overdue', '=', True)],
                [('escalated', '=', True)]]:
            Ticket.search_count(domain + tab)
        Load.search_read([], limit=80, fields_names=[
                'estate.rec_name', 'assignee.rec_name', 'open_count',
                'overdue_count', 'escalated_count'])
        return len(rows)

    def open_list():
        domain = [('state', 'not in', ['closed', 'cancelled'])]
        rows = Ticket.search_read(domain, limit=80,
            fields_names=list_fields)
        Ticket.search_count(domain)
        return len(rows)

    def kpi_year():
        return len(KPI.search_read([('month', '>=', year_ago)],
                fields_names=kpi_fields))

    def kpi_all():
        return len(KPI.search_read([], fields_names=kpi_fields))

    results = {}
    for name, func in [('console', console), ('list', open_list),
            ('kpi (12 months)', kpi_year), ('kpi (all months)', kpi_all)]:
        times = []
        for i in range(REPEAT + 1):
            with Transaction().start(db, clerk_id, readonly=True,
                    context=dict(context, company=company,
                        _check_access=True)):
                started = time.perf_counter()
                rows = func()
                if i:  # the first run warms caches
                    times.append(time.perf_counter() - started)
        results[name] = (statistics.median(times), rows)
    return results


def vacuum(db):
    "What autovacuum does on a live database: visibility map, statistics"
    from trytond.transaction import Transaction
    with Transaction().start(db, 0) as transaction:
        connection = transaction.connection
        autocommit = connection.autocommit
        connection.commit()
        connection.autocommit = True
        try:
            connection.cursor().execute('VACUUM ANALYZE property_ticket')
        finally:
            connection.autocommit = autocommit


def drop_indexes(db):
    "Drop the service desk's indexes; return their definitions"
    from trytond.transaction import Transaction
    with Transaction().start(db, 0) as transaction:
        cursor = transaction.connection.cursor()
        cursor.execute("""SELECT indexname, indexdef FROM pg_indexes
            WHERE tablename IN ('property_ticket', 'property_work_order')
                AND indexname NOT LIKE '%%_pkey'""")
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute('DROP INDEX "%s"' % name)
    vacuum(db)
    return indexes


def restore_indexes(db, indexes):
    from trytond.transaction import Transaction
    with Transaction().start(db, 0) as transaction:
        cursor = transaction.connection.cursor()
        for _, definition in indexes:
            cursor.execute(definition)
    vacuum(db)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--tickets', type=int, default=1_000_000)
    parser.add_argument('--fresh', action='store_true',
        help="drop and recreate the bench database")
    args = parser.parse_args()

    created = create_database(args.fresh)
    os.environ.pop('TRYTOND_DATABASE__PATH', None)
    os.environ.pop('TRYTOND_DATABASE__URI', None)
    os.environ['TRYTOND_CONFIG'] = write_config()
    from trytond.config import config
    config.update_etc(os.environ['TRYTOND_CONFIG'])
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    pool = Pool(DB)
    pool.init()
    with Transaction().start(DB, 0) as transaction:
        User = pool.get('res.user')
        clerks = User.search([('login', '=', 'bench_clerk')])
        if created or not clerks:
            clerk_id = setup(pool, args.tickets)
            transaction.commit()
        else:
            clerk_id = clerks[0].id
        count = pool.get('property.ticket').search_count([])
    vacuum(DB)
    print(f'{count} tickets in one estate, PostgreSQL, '
        f'median of {REPEAT} runs as a clerk (access rules on)')

    indexes = drop_indexes(DB)
    try:
        baseline = measure(pool, DB, clerk_id)
    finally:
        restore_indexes(DB, indexes)
    indexed = measure(pool, DB, clerk_id)
    print('%-18s %14s %14s %6s' % (
            'screen', 'no indexes', 'with indexes', 'rows'))
    for name in indexed:
        print('%-18s %12.3f s %12.3f s %6d' % (
                name, baseline[name][0], indexed[name][0], indexed[name][1]))
    print('indexes: ' + ', '.join(name for name, _ in indexes))


if __name__ == '__main__':
    sys.exit(main())
