#!/usr/bin/env python3
# This file is part of the property service suite. See README.md.
"""Profile one portal page in-process (cProfile), to find what to fix
before measuring with portal_bench.py.

    .venv/bin/python bench/portal_profile.py [--database bench_portal]
        [--path dashboard] [--requests 300] [--top 30] [--sort cumulative]

Uses the database that portal_bench.py builds (PostgreSQL of PG_URI, default
postgresql://127.0.0.1:5432/; --keep it there), logs in its first --owners
bench owners through the JSON endpoint, warms the caches, then requests
/<db>/portal/<path> --requests times through trytond's WSGI application
(werkzeug's test client: no network, no server process) and prints the
pages/s of this one process and the profile's top functions."""
import argparse
import cProfile
import io
import os
import pstats
import random
import sys
import tempfile
import time


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--database', default='bench_portal')
    parser.add_argument('--path', default='dashboard')
    parser.add_argument('--requests', type=int, default=300)
    parser.add_argument('--owners', type=int, default=50)
    parser.add_argument('--top', type=int, default=30)
    parser.add_argument('--sort', default='cumulative')
    parser.add_argument('--no-profile', action='store_true',
        help="only time the requests")
    parser.add_argument('--rpc', action='store_true',
        help="the staff JSON-RPC search_read of portal_bench.py instead "
        "(the baseline)")
    parser.add_argument('--sql', action='store_true',
        help="print the SQL queries of one request and stop")
    args = parser.parse_args()

    uri = os.environ.get('PG_URI', 'postgresql://127.0.0.1:5432/')
    with tempfile.NamedTemporaryFile('w', suffix='.conf',
            delete=False) as config_file:
        config_file.write(f'[database]\nuri = {uri}\nlanguage = zh_CN\n'
            '[session]\nmax_attempt = 100000\n'
            'max_attempt_ip_network = 1000000\n')
    for key in [k for k in os.environ if k.startswith('TRYTOND_')]:
        del os.environ[key]
    os.environ['TRYTOND_CONFIG'] = config_file.name
    os.environ['TRYTOND_DATABASE_NAMES'] = args.database
    from trytond import config
    config.update_etc(config_file.name)
    from werkzeug.test import Client
    from trytond.application import app
    from trytond.pool import Pool
    from trytond.transaction import Transaction

    Pool.start()
    Pool(args.database).init()
    with Transaction().start(args.database, 0, readonly=True):
        WebUser = Pool().get('web.user')
        emails = [u.email for u in WebUser.search(
                [('email', 'like', 'bench%')], order=[('id', 'ASC')],
                limit=args.owners)]
    if not emails:
        sys.exit(f'no bench owner in {args.database}: '
            'build it with bench/portal_bench.py --keep')
    client = Client(app, use_cookies=False)
    base = f'/{args.database}/portal/'
    sessions = []
    for email in emails:
        response = client.post(base + 'api/login', json={
                'email': email, 'password': 'bench-owner-password'})
        if response.status_code != 200:
            sys.exit(f'login of {email} failed: {response.status_code}')
        sessions.append(response.json['session'])

    def request():
        response = client.get(base + args.path, headers={
                'Cookie': f'portal_session={random.choice(sessions)}'})
        if response.status_code != 200:
            sys.exit(f'{args.path}: {response.status_code}')
        response.get_data()

    if args.rpc:
        import base64

        # the same request as portal_bench.py's baseline (same folder)
        from portal_bench import search_read_body
        with Transaction().start(args.database, 0, readonly=True):
            parties = [u.party.id for u in Pool().get('web.user').search(
                    [('email', 'in', emails)])]
        result = client.post(f'/{args.database}/rpc/', json={
                'id': 1, 'method': 'common.db.login',
                'params': ['admin', {'password': 'admin'}, 'zh_CN']}).json
        user_id, session, _ = result['result']
        token = base64.b64encode(
            f'admin:{user_id}:{session}'.encode()).decode()
        args.path = 'rpc search_read'

        def request():  # noqa: F811
            body = search_read_body(random.choice(parties))
            response = client.post(f'/{args.database}/rpc/', data=body,
                headers={'Authorization': f'Session {token}',
                    'Content-Type': 'application/json'})
            if response.status_code != 200 or b'"result"' not in (
                    response.get_data()):
                sys.exit(f'rpc: {response.status_code} {response.get_data()}')

    random.seed(1)
    for _ in range(30):
        request()
    if args.sql:
        import logging
        logging.basicConfig(format='%(message)s')
        logging.getLogger('trytond.backend.postgresql.database').setLevel(
            logging.DEBUG)
        request()
        return
    profile = None if args.no_profile else cProfile.Profile()
    started = time.perf_counter()
    cpu = time.process_time()
    if profile:
        profile.enable()
    for _ in range(args.requests):
        request()
    if profile:
        profile.disable()
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu
    # CPU time of this process (the server side; the database is another
    # process): steadier than the wall clock on a shared machine
    print(f'{args.requests} x /portal/{args.path}: {elapsed:.2f} s, '
        f'{args.requests / elapsed:.1f} pages/s in one process, '
        f'{cpu / args.requests * 1000:.1f} ms CPU per page'
        + ('' if not profile else ' (under the profiler)'))
    if profile:
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats(args.sort).print_stats(
            args.top)
        print(out.getvalue())
    os.unlink(config_file.name)


if __name__ == '__main__':
    main()
