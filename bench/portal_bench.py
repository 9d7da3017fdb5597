#!/usr/bin/env python3
# This file is part of the property service suite. See README.md.
"""Load bench of the owner portal against the staff JSON-RPC baseline.

    .venv/bin/python bench/portal_bench.py [--units 10000] [--workers 4]
        [--rate 20] [--duration 60] [--clients 20] [--keep]

On the PostgreSQL server of PG_URI (default postgresql://127.0.0.1:5432/) it
builds (or reuses, with --keep) the database `bench_portal`: every module of
ours, data/demo.py with --units units, and a portal account for every current
owner. It starts the server as in production, gunicorn with --workers
processes on trytond.application:app, and measures on loopback only:

  (a) open loop: --rate dashboard requests per second for --duration seconds,
      latencies measured from each request's scheduled time (so a slow server
      cannot hide its queue), p50/p95/p99;
  (b) closed loop: --clients clients requesting as fast as answered for
      --duration/2 seconds, pages per second;

each beside the same figures for the baseline: the staff JSON-RPC
`search_read` of the same data (the owner's current occupancies with unit,
estate, role and area) by a logged-in staff user. Bounded in count and time.
"""
import argparse
import base64
import http.client
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
DATABASE = 'bench_portal'
PASSWORD = 'bench-owner-password'


def set_database(name):
    "Bench another database than bench_portal (e.g. one per branch)"
    global DATABASE
    if not name.isidentifier():
        sys.exit(f'not a database name: {name!r}')
    DATABASE = name


def run(cmd, env, what):
    started = time.monotonic()
    result = subprocess.run(cmd, env=env, cwd=REPO, capture_output=True,
        text=True)
    if result.returncode:
        sys.exit(f'{what} failed:\n{result.stdout[-3000:]}\n'
            f'{result.stderr[-3000:]}')
    print(f'  {what}: {time.monotonic() - started:.0f} s', flush=True)
    return result


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def psql(uri, sql, database='postgres'):
    parts = urllib.parse.urlsplit(uri)
    cmd = ['psql', '-h', parts.hostname or '127.0.0.1',
        '-p', str(parts.port or 5432), '-d', database, '-tAc', sql]
    if parts.username:
        cmd += ['-U', parts.username]
    return subprocess.run(cmd, capture_output=True, text=True,
        check=True).stdout.strip()


def build(uri, units, env, config_file):
    print(f'building {DATABASE} ({units} units) on {uri}', flush=True)
    psql(uri, f'DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)')
    psql(uri, f"CREATE DATABASE {DATABASE} TEMPLATE template0 "
        "ENCODING 'UTF8'")
    modules = sorted(c.parent.name for c in REPO.glob('addons/*/tryton.cfg'))
    with tempfile.NamedTemporaryFile('w') as password:
        password.write('admin-bench-password')
        password.flush()
        run([str(VENV_BIN / 'trytond-admin'), '-c', config_file,
                '-d', DATABASE, '--all', '-l', 'zh_CN',
                '--email', 'admin@example.com', '-u', *modules,
                '--activate-dependencies'],
            {**env, 'TRYTONPASSFILE': password.name}, 'trytond-admin')
    run([sys.executable, 'data/demo.py', '--database', DATABASE,
            '--units', str(units)], env, 'data/demo.py')
    run([sys.executable, '-c', ACCOUNTS_SCRIPT, DATABASE, PASSWORD], env,
        'portal accounts for every owner')


# One portal account per current owner; one argon2 hash shared by all (the
# bench measures pages, not 10,000 password hashings).
ACCOUNTS_SCRIPT = r'''
import os, sys
from trytond import config
config.update_etc(os.environ['TRYTOND_CONFIG'])
from trytond.pool import Pool
from trytond.transaction import Transaction
database, password = sys.argv[1:]
Pool.start()
pool = Pool(database)
pool.init()
with Transaction().start(database, 0) as transaction:
    WebUser = pool.get('web.user')
    Occupancy = pool.get('property.occupancy')
    taken = {u.party.id for u in WebUser.search([]) if u.party}
    parties = sorted({o.party.id for o in Occupancy.search([
        ('role', '=', 'owner'), ('current', '=', True)])} - taken)
    password_hash = WebUser.hash_password(password)
    for i in range(0, len(parties), 1000):
        WebUser.create([{'email': f'bench{p}@example.com', 'party': p,
            'email_valid': True, 'password_hash': password_hash}
            for p in parties[i:i + 1000]])
    transaction.commit()
    print(len(parties), 'accounts')
'''


class Server:
    "gunicorn serving trytond.application:app, as in production"

    def __init__(self, env, workers, port):
        self.log = tempfile.NamedTemporaryFile(prefix='portal-bench-',
            suffix='.log', delete=False)
        self.process = subprocess.Popen(
            [str(VENV_BIN / 'gunicorn'), '--workers', str(workers),
                '--bind', f'127.0.0.1:{port}', '--access-logfile', '-',
                # the first request of a worker loads the pool: slow on a
                # busy machine, and gunicorn kills workers after 30 s
                '--timeout', '300',
                '--log-level', 'warning', 'trytond.application:app'],
            env={**env, 'TRYTOND_DATABASE_NAMES': DATABASE},
            cwd=REPO, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(('127.0.0.1', port), 1).close()
                return
            except OSError:
                time.sleep(0.5)
        self.stop()
        sys.exit('gunicorn did not start: see ' + self.log.name)

    def stop(self):
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)


class Client:
    "One keep-alive HTTP connection per thread"

    def __init__(self, port):
        self.port = port
        self.local = threading.local()

    def request(self, method, path, body=None, headers=None):
        connection = getattr(self.local, 'connection', None)
        if connection is None:
            connection = self.local.connection = http.client.HTTPConnection(
                '127.0.0.1', self.port, timeout=120)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self.local.connection = None
            raise
        return response.status, data


def owner_sessions(client, count):
    "Log in `count` owners through the JSON endpoint"
    sessions = []
    for party in owner_parties(client, count):
        status, data = client.request('POST', f'/{DATABASE}/portal/api/login',
            json.dumps({'email': f'bench{party}@example.com',
                    'password': PASSWORD}),
            {'Content-Type': 'application/json'})
        if status != 200:
            sys.exit(f'owner login failed: {status} {data[:200]}')
        sessions.append((party, json.loads(data)['session']))
    return sessions


def owner_parties(client, count):
    ids = psql(os.environ.get('PG_URI', 'postgresql://127.0.0.1:5432/'),
        "SELECT party FROM web_user WHERE email LIKE 'bench%%' "
        f"ORDER BY id LIMIT {count}", DATABASE)
    return [int(i) for i in ids.split()]


def staff_session(client):
    status, data = client.request('POST', f'/{DATABASE}/rpc/', json.dumps({
                'id': 1, 'method': 'common.db.login',
                'params': ['admin', {'password': 'admin'}, 'zh_CN']}),
        {'Content-Type': 'application/json'})
    result = json.loads(data)
    if 'result' not in result:
        sys.exit(f'staff login failed: {result}')
    user_id, session, _ = result['result']
    token = base64.b64encode(f'admin:{user_id}:{session}'.encode()).decode()
    return {'Authorization': f'Session {token}',
        'Content-Type': 'application/json'}


def dashboard(client, sessions):
    _, session = random.choice(sessions)
    status, data = client.request('GET', f'/{DATABASE}/portal/dashboard',
        headers={'Cookie': f'portal_session={session}'})
    # every bench owner has a unit: its link must be on the page
    return status == 200 and b'/portal/units/' in data


def search_read_body(party):
    "The baseline: the staff JSON-RPC search_read of an owner's units"
    return json.dumps({'id': 2,
            'method': 'model.property.occupancy.search_read',
            'params': [[('party', '=', party), ('current', '=', True)],
                0, 20, None,
                ['unit.code', 'unit.estate.name', 'role',
                    'unit.building_area'], {}]})


def staff_search_read(client, sessions, headers):
    party, _ = random.choice(sessions)
    body = search_read_body(party)
    status, data = client.request('POST', f'/{DATABASE}/rpc/', body, headers)
    return status == 200 and b'"result"' in data


def open_loop(call, rate, duration):
    "Requests started on a fixed schedule; latency counted from the schedule"
    latencies, errors = [], 0
    lock = threading.Lock()
    start = time.monotonic() + 0.5
    total = int(rate * duration)

    def one(scheduled):
        nonlocal errors
        delay = scheduled - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        try:
            ok = call()
        except Exception:
            ok = False
        with lock:
            latencies.append(time.monotonic() - scheduled)
            errors += not ok

    threads = []
    for i in range(total):
        scheduled = start + i / rate
        delay = scheduled - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        thread = threading.Thread(target=one, args=(scheduled,))
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join(60)
    return latencies, errors


def closed_loop(call, clients, duration):
    done, errors = 0, 0
    lock = threading.Lock()
    stop = time.monotonic() + duration

    def loop():
        nonlocal done, errors
        while time.monotonic() < stop:
            try:
                ok = call()
            except Exception:
                ok = False
            with lock:
                done += 1
                errors += not ok

    threads = [threading.Thread(target=loop) for _ in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(duration + 60)
    return done / (time.monotonic() - started), errors


def percentiles(latencies):
    values = sorted(latencies)
    if not values:
        return 'no request'

    def at(p):
        return values[min(len(values) - 1, int(p * len(values)))] * 1000
    return (f'p50 {at(0.50):6.1f} ms  p95 {at(0.95):6.1f} ms  '
        f'p99 {at(0.99):6.1f} ms  (n={len(values)})')


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--units', type=int, default=10000)
    parser.add_argument('--workers', type=int, default=4)
    parser.add_argument('--rate', type=float, default=20)
    parser.add_argument('--duration', type=float, default=60)
    parser.add_argument('--clients', type=int, default=20)
    parser.add_argument('--owners', type=int, default=200,
        help="distinct owners logged in for the requests")
    parser.add_argument('--keep', action='store_true',
        help="reuse the bench database if it exists")
    parser.add_argument('--database', default=DATABASE,
        help="name of the bench database (default %(default)s)")
    parser.add_argument('--build-only', action='store_true',
        help="build (or keep) the database, measure nothing")
    args = parser.parse_args()
    set_database(args.database)
    if shutil.which('gunicorn', path=str(VENV_BIN)) is None:
        sys.exit("gunicorn is missing: .venv/bin/pip install -e '.[bench]'")

    uri = os.environ.get('PG_URI', 'postgresql://127.0.0.1:5432/')
    with tempfile.NamedTemporaryFile('w', suffix='.conf',
            delete=False) as config_file:
        # one file: TRYTOND_CONFIG takes a single path
        config_file.write(f'[database]\nuri = {uri}\nlanguage = zh_CN\n'
            '[session]\nmax_attempt = 100000\n'
            'max_attempt_ip_network = 1000000\n')
    env = {k: v for k, v in os.environ.items()
        if not k.startswith('TRYTOND_')}
    env.update(TRYTOND_CONFIG=config_file.name, PYTHONOPTIMIZE='1')
    os.environ.update(PG_URI=uri)
    exists = psql(uri,
        f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE}'")
    if not (args.keep and exists):
        build(uri, args.units, env, config_file.name)
    accounts = psql(uri, "SELECT count(*) FROM web_user", DATABASE)
    if args.build_only:
        print(f'{DATABASE}: {accounts} portal accounts')
        return

    port = free_port()
    server = Server(env, args.workers, port)
    try:
        client = Client(port)
        sessions = owner_sessions(client, args.owners)
        headers = staff_session(client)
        cases = [
            ('portal dashboard (HTML)', lambda: dashboard(client, sessions)),
            ('baseline: staff JSON-RPC search_read',
                lambda: staff_search_read(client, sessions, headers)),
            ]
        for _, call in cases:  # warm every worker's caches
            for _ in range(4 * args.workers):
                call()
        print(f'\n{accounts} portal accounts, {args.owners} logged in; '
            f'gunicorn {args.workers} workers; {os.cpu_count()} cores; '
            f'loopback only')
        print(f'(a) open loop, {args.rate:g} requests/s for '
            f'{args.duration:g} s:')
        for name, call in cases:
            latencies, errors = open_loop(call, args.rate, args.duration)
            print(f'  {name:40s} {percentiles(latencies)}  errors {errors}')
        print(f'(b) closed loop, {args.clients} clients for '
            f'{args.duration / 2:g} s:')
        for name, call in cases:
            rate, errors = closed_loop(call, args.clients, args.duration / 2)
            print(f'  {name:40s} {rate:7.1f} per s  errors {errors}')
    finally:
        server.stop()
        os.unlink(config_file.name)


if __name__ == '__main__':
    main()
