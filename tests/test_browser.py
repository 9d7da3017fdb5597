"""Browser smoke tests: the staff web client (sao) in Chinese, and the owner
portal on a phone-sized screen.

Creates a throwaway database (SQLite in a temporary folder, or on the
PostgreSQL server of TRYTOND_DATABASE_URI when it starts with postgresql),
activates property_service with the zh_CN translations, adds an estate
阳光花园 with the units A-1-0101 and A-1-0102 (tests/browser/setup_sao_db.py),
starts `trytond -c trytond.conf -d <db>` on a free localhost port serving
sao/package, and runs tests/browser/sao_smoke.mjs: headless Debian chromium
logs in as admin, opens 物业 -> 房屋 (Property -> Units) and checks that the
unit codes are listed. The screenshot lands in
tests/artifacts/sao_units_zh_CN.png. Nothing is skipped: a missing browser,
font or sao fails with the make target that installs it.

trytond 8.0 reads TRYTOND_<SECTION>__<OPTION> environment variables *before*
the configuration files, so a value that trytond.conf sets ([database] uri,
[web] listen) cannot be overridden from the environment. The test sets those
variables all the same and passes a second configuration file after
trytond.conf (`-c trytond.conf <tmp>/override.conf`), which does win.
"""
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BROWSER_DIR = REPO / 'tests' / 'browser'
SAO_ROOT = REPO / 'sao' / 'package'
CONFIG = REPO / 'trytond.conf'
SCREENSHOT = REPO / 'tests' / 'artifacts' / 'sao_units_zh_CN.png'
PORTAL_SCREENSHOT = REPO / 'tests' / 'artifacts' / 'portal_dashboard_zh_CN.png'
NOTICES_SCREENSHOT = REPO / 'tests' / 'artifacts' / 'portal_notices_zh_CN.png'
VISITORS_SCREENSHOT = REPO / 'tests' / 'artifacts' / 'portal_visitors_zh_CN.png'
# published by setup_sao_db.py
NOTICE_TITLE = '2026年第三季度公共收益收支情况公示'
# made by setup_sao_db.py: the owner of A-1-0101 (A-1-0102 is someone else's)
PORTAL_OWNER = 'owner@example.com'
PORTAL_PASSWORD = 'owner-demo-password'
CHROMIUM = Path(os.environ.get('CHROMIUM', '/usr/bin/chromium'))
CJK_FONT = 'fonts-wqy-microhei'
UNIT_CODES = ['A-1-0101', 'A-1-0102']
ESTATE = '阳光花园'
# sao's label "Filter" and the party module's menu "Party" in Chinese: sao
# took the admin's language and the server's zh_CN translations are loaded
ZH_CN_TEXTS = ['筛选', '参与者']
BIN = Path(sys.executable).parent


def _executable(name):
    path = BIN / name
    if path.exists():
        return str(path)
    found = shutil.which(name)
    if not found:
        pytest.fail(f'{name} not found next to {sys.executable} nor on PATH: '
            'run `make venv`')
    return found


def _has_cjk_font():
    if shutil.which('fc-list'):
        result = subprocess.run(['fc-list', ':lang=zh', 'family'],
            capture_output=True, text=True)
        return bool(result.stdout.strip())
    result = subprocess.run(
        ['dpkg-query', '-W', '-f=${Status}', CJK_FONT],
        capture_output=True, text=True)
    return result.stdout.endswith('ok installed')


def _check_prerequisites():
    problems = []
    if not os.access(CHROMIUM, os.X_OK):
        problems.append(f'{CHROMIUM} is missing: run `make system-deps`')
    if not _has_cjk_font():
        problems.append(f'the CJK font {CJK_FONT} is missing (Chinese would '
            'render as boxes): run `make system-deps`')
    if not shutil.which('node'):
        problems.append('node is missing: run `make system-deps`')
    if not (BROWSER_DIR / 'node_modules' / 'playwright-core').is_dir():
        problems.append('playwright-core is not installed in tests/browser: '
            'run `make system-deps`')
    if not ((SAO_ROOT / '.installed').exists()
            and (SAO_ROOT / 'index.html').exists()
            and (SAO_ROOT / 'node_modules').is_dir()):
        problems.append(f'sao is not installed in {SAO_ROOT}: run `make sao`')
    if problems:
        pytest.fail('browser test prerequisites missing:\n  '
            + '\n  '.join(problems), pytrace=False)


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def _pg_conninfo(uri, dbname):
    "The URI of database dbname on the server of a trytond database URI"
    parts = urllib.parse.urlsplit(uri)
    return urllib.parse.urlunsplit(parts._replace(path='/' + dbname))


def _pg_execute(uri, sql):
    import psycopg
    with psycopg.connect(_pg_conninfo(uri, 'postgres'), autocommit=True,
            connect_timeout=10) as conn:
        conn.execute(sql)


def _module_state(uri, tmp, name, module):
    "The state of module in the database, read directly from its backend"
    query = 'SELECT state FROM ir_module WHERE name = %s'
    if uri.startswith('postgresql'):
        import psycopg
        with psycopg.connect(_pg_conninfo(uri, name), connect_timeout=10
                ) as conn:
            row = conn.execute(query, (module,)).fetchone()
    else:
        import sqlite3
        conn = sqlite3.connect(tmp / f'{name}.sqlite')
        try:
            row = conn.execute(query.replace('%s', '?'), (module,)).fetchone()
        finally:
            conn.close()
    return row[0] if row else None


def _run(cmd, env, timeout, what):
    started = time.monotonic()
    result = subprocess.run(cmd, env=env, cwd=REPO, capture_output=True,
        text=True, timeout=timeout)
    if result.returncode != 0:
        pytest.fail(f'{what} failed (exit {result.returncode}):\n'
            f'$ {" ".join(map(str, cmd))}\n'
            f'{result.stdout[-3000:]}\n{result.stderr[-5000:]}',
            pytrace=False)
    print(f'{what}: {time.monotonic() - started:.1f} s')
    return result


def _wait_for_server(process, url, log, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f'trytond exited with {process.returncode}:\n'
                + log.read_text(errors='replace')[-5000:], pytrace=False)
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    pytest.fail(f'trytond did not answer on {url} within {timeout} s:\n'
        + log.read_text(errors='replace')[-5000:], pytrace=False)


def _server_log_tail(log, size=4000):
    "The end of the server log without the requests for static files"
    lines = [line for line in log.read_text(errors='replace').splitlines()
        if not ('"GET /' in line and '" 200 -' in line)]
    return '\n'.join(lines)[-size:]


def _stop(process):
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    except ProcessLookupError:
        pass


@pytest.fixture(scope='module')
def server():
    """A throwaway database with every module of ours activated and zh_CN
    loaded (tests/browser/setup_sao_db.py fills it), served by trytond on a
    free port; removed afterwards."""
    _check_prerequisites()
    uri = os.environ.get('TRYTOND_DATABASE_URI') or 'sqlite://'
    postgresql = uri.startswith('postgresql')
    name = f'browser_{os.getpid()}_{secrets.token_hex(3)}'
    password = secrets.token_urlsafe(12)
    port = _free_port()
    url = f'http://127.0.0.1:{port}/'
    tmp = Path(tempfile.mkdtemp(prefix='browser-'))
    process = None
    created = False
    modules = sorted(cfg.parent.name
        for cfg in (REPO / 'addons').glob('*/tryton.cfg'))
    try:
        (tmp / 'password').write_text(password)
        override = tmp / 'override.conf'
        override.write_text(
            '# written by tests/test_browser.py: wins over trytond.conf\n'
            f'[database]\nuri = {uri}\npath = {tmp}\n'
            f'[web]\nlisten = 127.0.0.1:{port}\nroot = {SAO_ROOT}\n')
        env = {k: v for k, v in os.environ.items()
            if not k.startswith('TRYTOND_') and k != 'DB_NAME'}
        env.update({
                'TRYTOND_CONFIG': str(CONFIG),
                'TRYTOND_DATABASE__URI': uri,
                'TRYTOND_DATABASE__PATH': str(tmp),
                'TRYTOND_WEB__LISTEN': f'127.0.0.1:{port}',
                'TRYTOND_WEB__ROOT': str(SAO_ROOT),
                'TRYTONPASSFILE': str(tmp / 'password'),
                })
        configs = [str(CONFIG), str(override)]

        if postgresql:
            _pg_execute(uri, f'CREATE DATABASE "{name}" '
                "TEMPLATE template0 ENCODING 'UTF8'")
        else:
            (tmp / f'{name}.sqlite').touch()
        created = True

        _run([_executable('trytond-admin'), '-c', *configs, '-d', name,
                '--all', '-l', 'zh_CN', '--email', 'admin@example.com',
                '-u', *modules, '--activate-dependencies'],
            env, timeout=300, what='trytond-admin')
        # the database that trytond-admin filled is the one meant (see the
        # note on configuration precedence above)
        for module in modules:
            assert _module_state(uri, tmp, name, module) == 'activated', (
                f'{module} is not activated in {name}')
        _run([sys.executable, str(BROWSER_DIR / 'setup_sao_db.py'), name,
                *configs], env, timeout=120, what='setup_sao_db.py')

        log = tmp / 'trytond.log'
        with log.open('wb') as out:
            process = subprocess.Popen(
                [_executable('trytond'), '-c', *configs, '-d', name],
                env=env, cwd=REPO, stdout=out, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True)
        _wait_for_server(process, url, log)
        yield {'url': url, 'database': name, 'password': password,
            'env': env, 'log': log}
    finally:
        if process is not None:
            _stop(process)
        if postgresql and created:
            _pg_execute(uri, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(tmp, ignore_errors=True)


def _node(script, screenshot, args, server, env=None):
    "Run a browser script; assert it passed and left a real screenshot"
    screenshot.unlink(missing_ok=True)
    screenshot.with_suffix('.failure.png').unlink(missing_ok=True)
    started = time.monotonic()
    result = subprocess.run(
        ['node', str(BROWSER_DIR / script), '--url', server['url'],
            '--database', server['database'], '--screenshot', str(screenshot),
            *args],
        env={**server['env'], 'CHROMIUM': str(CHROMIUM), **(env or {})},
        cwd=REPO, capture_output=True, text=True, timeout=120)
    print(result.stdout)
    print(f'{script}: {time.monotonic() - started:.1f} s')
    assert result.returncode == 0, (
        f'{script} failed (exit {result.returncode}):\n'
        f'{result.stdout}\n{result.stderr}\n--- trytond log ---\n'
        + _server_log_tail(server['log']))
    assert screenshot.is_file(), f'no screenshot at {screenshot}'
    assert screenshot.read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'
    assert screenshot.stat().st_size > 10_000, 'screenshot looks empty'


def test_sao_units_list_zh_cn(server):
    "Staff log into sao and see the units list in Chinese"
    _node('sao_smoke.mjs', SCREENSHOT, [
            '--login', 'admin', '--units', ','.join(UNIT_CODES),
            '--expect', ESTATE, '--page-text', ','.join(ZH_CN_TEXTS)],
        server, env={'SAO_PASSWORD': server['password']})


def _png(path, size=32):
    "A real (tiny, teal) PNG image, as a phone camera would upload"
    import struct
    import zlib

    def chunk(kind, data):
        return (struct.pack('>I', len(data)) + kind + data
            + struct.pack('>I', zlib.crc32(kind + data)))
    rows = b''.join(b'\x00' + b'\x0f\x6e\x6e' * size for _ in range(size))
    path.write_bytes(b'\x89PNG\r\n\x1a\n'
        + chunk(b'IHDR', struct.pack('>IIBBBBB', size, size, 8, 2, 0, 0, 0))
        + chunk(b'IDAT', zlib.compress(rows)) + chunk(b'IEND', b''))
    return path


def test_portal_owner_on_a_phone(server, tmp_path):
    """An owner logs into the portal on a 360 px wide screen and sees her
    unit, reports a repair with a photo and finds it in her requests, reads
    the notices, pre-registers a visitor and gets the pass code"""
    for screenshot in [NOTICES_SCREENSHOT, VISITORS_SCREENSHOT]:
        screenshot.unlink(missing_ok=True)
    _node('portal_smoke.mjs', PORTAL_SCREENSHOT, [
            '--email', PORTAL_OWNER, '--expect', f'{ESTATE} {UNIT_CODES[0]}',
            '--absent', UNIT_CODES[1],
            '--photo', str(_png(tmp_path / 'leak.png')),
            '--notice', NOTICE_TITLE,
            '--notices-screenshot', str(NOTICES_SCREENSHOT),
            '--visitor', '陈小华',
            '--visitors-screenshot', str(VISITORS_SCREENSHOT)],
        server, env={'PORTAL_PASSWORD': PORTAL_PASSWORD})
    for screenshot in [NOTICES_SCREENSHOT, VISITORS_SCREENSHOT]:
        assert screenshot.read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'
        assert screenshot.stat().st_size > 10_000, f'{screenshot} looks empty'
