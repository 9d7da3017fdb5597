"""Every menu entry of our modules opens in sao, for every demo role.

A small demo database (data/demo.py with DEMO_UNITS units, default 40, and
DEMO_BILLING_MONTHS=1: tickets, work orders, patrol rounds, visitors, bills
and receipts, every demo login) is created in a temporary folder (or on the
PostgreSQL server of TRYTOND_DATABASE_URI) and served by trytond. The menu
entries each role sees are asked from the server (tests/browser/
role_menus.py: ir.ui.menu searched as that user, entries of the modules
named property_*), so a new module's menus are covered without touching
this test. tests/browser/sao_roles.mjs then drives one headless chromium
page through them: one login per role, each entry opened as a click opens
it, its list (rows or empty), the first record's form, every other view of
the action; it fails on a page error, an error dialog or a view that does
not render within 15 s. Technicians and guards work on a 360 px screen.
Screenshots: tests/artifacts/roles/<login>/<menu xml id>__<view>.png,
results in tests/artifacts/roles/report.json.
"""
import configparser
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from test_browser import (
    BROWSER_DIR, CHROMIUM, CONFIG, REPO, SAO_ROOT, _check_prerequisites,
    _executable, _free_port, _module_state, _pg_execute, _run,
    _server_log_tail, _stop, _wait_for_server)

ROLES = ['admin', 'manager', 'manager2', 'clerk', 'technician', 'guard',
    'accountant', 'archivist']
PHONE_ROLES = ['technician', 'guard']
ARTIFACTS = REPO / 'tests' / 'artifacts' / 'roles'
UNITS = os.environ.get('DEMO_UNITS', '40')


@pytest.fixture(scope='module')
def demo_server():
    """A small demo database with every module of ours, served by trytond
    on a free port; removed afterwards."""
    _check_prerequisites()
    uri = os.environ.get('TRYTOND_DATABASE_URI') or 'sqlite://'
    postgresql = uri.startswith('postgresql')
    name = f'roles_{os.getpid()}_{secrets.token_hex(3)}'
    port = _free_port()
    url = f'http://127.0.0.1:{port}/'
    tmp = Path(tempfile.mkdtemp(prefix='browser-roles-'))
    process = None
    created = False
    modules = sorted(cfg.parent.name
        for cfg in (REPO / 'addons').glob('*/tryton.cfg'))
    try:
        # one configuration file: trytond.conf with this server's values
        # (data/demo.py reads a single file, TRYTOND_CONFIG)
        conf = configparser.ConfigParser(interpolation=None)
        conf.read(CONFIG)
        for section, values in {
                'database': {'uri': uri, 'path': str(tmp)},
                'web': {'listen': f'127.0.0.1:{port}',
                    'root': str(SAO_ROOT)},
                }.items():
            if not conf.has_section(section):
                conf.add_section(section)
            for key, value in values.items():
                conf.set(section, key, value)
        config = tmp / 'trytond.conf'
        with config.open('w') as out:
            conf.write(out)
        (tmp / 'password').write_text(secrets.token_urlsafe(12))
        env = {k: v for k, v in os.environ.items()
            if not k.startswith('TRYTOND_') and k != 'DB_NAME'}
        env.update({
                'TRYTOND_CONFIG': str(config),
                'TRYTONPASSFILE': str(tmp / 'password'),
                'DEMO_BILLING_MONTHS': '1',
                # as `make run`: trytond's per-record assertions off
                'PYTHONOPTIMIZE': '1',
                })
        if postgresql:
            _pg_execute(uri, f'CREATE DATABASE "{name}" '
                "TEMPLATE template0 ENCODING 'UTF8'")
        else:
            (tmp / f'{name}.sqlite').touch()
        created = True
        _run([_executable('trytond-admin'), '-c', str(config), '-d', name,
                '--all', '-l', 'zh_CN', '--email', 'admin@example.com',
                '-u', *modules, '--activate-dependencies'],
            env, timeout=600, what='trytond-admin')
        for module in modules:
            assert _module_state(uri, tmp, name, module) == 'activated', (
                f'{module} is not activated in {name}')
        _run([sys.executable, str(REPO / 'data' / 'demo.py'),
                '--database', name, '--units', UNITS],
            env, timeout=900, what=f'data/demo.py --units {UNITS}')
        menus = _run([sys.executable, str(BROWSER_DIR / 'role_menus.py'),
                name, ','.join(ROLES)],
            env, timeout=120, what='role_menus.py')
        (tmp / 'menus.json').write_text(menus.stdout)

        log = tmp / 'trytond.log'
        with log.open('wb') as out:
            process = subprocess.Popen(
                [_executable('trytond'), '-c', str(config), '-d', name],
                env=env, cwd=REPO, stdout=out, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True)
        _wait_for_server(process, url, log)
        yield {'url': url, 'database': name, 'env': env, 'log': log,
            'menus': tmp / 'menus.json', 'tmp': tmp}
    finally:
        if process is not None:
            _stop(process)
        if postgresql and created:
            _pg_execute(uri, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(tmp, ignore_errors=True)


def test_every_menu_of_every_role(demo_server):
    """Each role opens each of its menu entries of our modules: list, first
    form and every other view render without an error"""
    menus = json.loads(demo_server['menus'].read_text())
    assert set(menus) == set(ROLES)
    # every role has work in our modules; admin sees every entry
    assert all(menus[role] for role in ROLES), {
        role: len(entries) for role, entries in menus.items()}
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    report = ARTIFACTS / 'report.json'
    started = time.monotonic()
    result = subprocess.run(
        ['node', str(BROWSER_DIR / 'sao_roles.mjs'),
            '--url', demo_server['url'], '--database', demo_server['database'],
            '--menus', str(demo_server['menus']),
            '--artifacts', str(ARTIFACTS), '--report', str(report),
            '--phone', ','.join(PHONE_ROLES)],
        env={**demo_server['env'], 'CHROMIUM': str(CHROMIUM)},
        cwd=REPO, capture_output=True, text=True, timeout=1800)
    print(result.stdout[-20000:])
    print(f'sao_roles.mjs: {time.monotonic() - started:.1f} s')
    results = json.loads(report.read_text()) if report.exists() else []
    failed = [r for r in results if not r['ok']]
    assert result.returncode == 0 and not failed, (
        f'sao_roles.mjs failed (exit {result.returncode}), '
        f'{len(failed)} of {len(results)} views:\n'
        + '\n'.join(f"  {r['role']} | {r['menu']} ({r['xml_id']}) | "
            f"{r['view']}: {r['error']}" for r in failed)
        + f'\n{result.stderr[-5000:]}\n--- trytond log ---\n'
        + _server_log_tail(demo_server['log']))
    # every entry each role sees was opened
    opened = {(r['role'], r['xml_id']) for r in results}
    expected = {(role, m['xml_id']) for role in ROLES for m in menus[role]}
    assert opened == expected, sorted(expected - opened)
