# This file is part of the property service suite. See README.md.
"""PostgreSQL only: scripts/test.sh adds tests/postgresql to the pytest run
of the postgresql backend, never to SQLite's. One database per test session
(`resilience_<pid>`), created from the cached template of resilience_db.py
and dropped at the end, is shared by the tests of this folder."""
import os
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
# tests/: the server helpers of test_browser.py
sys.path.insert(1, str(Path(__file__).parent.parent))
import resilience_db  # noqa: E402


@pytest.fixture(scope='session')
def pg_database():
    "(database name, server URI) of this session's database"
    uri = os.environ.get('TRYTOND_DATABASE_URI', '')
    if not uri.startswith('postgresql'):
        pytest.fail('tests/postgresql need TRYTOND_DATABASE_URI=postgresql://'
            '...: run them with `scripts/test.sh postgresql`', pytrace=False)
    if not uri.endswith('/'):
        uri += '/'
    # the processes of this session (pytest and the servers it starts)
    import trytond.config as config
    config.set('database', 'uri', uri)
    name = f'resilience_{os.getpid()}'
    start = time.monotonic()
    resilience_db.create_from_template(name, uri)
    print(f'database {name} ready in {time.monotonic() - start:.0f} s')
    try:
        yield name, uri
    finally:
        from trytond.pool import Pool
        Pool.stop(name)
        resilience_db.drop(name, uri)
