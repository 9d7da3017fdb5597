# This file is part of the property service suite. See README.md.
"""The database of the PostgreSQL multi-process tests (tests/postgresql/):
every module of ours activated and, through bench/billing_setup.py, the
company with its chart and fees, estate A of UNITS units (billed by
test_billing_kill.py) and estate B of one unit, whose owner has a portal
account and a posted bill of MONTH, a clerk and a manager of both estates
and an open ticket of B (test_two_servers.py).

Built once into a template database `resilience_tpl_<key>`, the key a hash
of addons/, of this file, of bench/billing_setup.py and of the installed
Tryton (as scripts/test.sh keys its cache, less the modules' tests and
READMEs), so a schema change never reuses a stale template; each test
session creates its own database from it.

    .venv/bin/python tests/postgresql/resilience_db.py <database> <uri>

fills an activated database (what the template build runs, in a process
of its own: a template must have no connection left when it is copied)."""
import hashlib
import importlib.metadata
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / 'bench'))
from billing_setup import (  # noqa: E402
    MONTH, activate, create_database, drop, in_transaction, setup,
    start_run)

UNITS = 2000
MODULES = ['property_portal', 'property_billing', 'property_security',
    'property_service']
OWNER_EMAIL = 'owner-b@example.com'
OWNER_PASSWORD = 'owner-b-resilience'
# staff logins; passwords equal to the login + this suffix
STAFF = [
    ('clerk', '陈佳怡', 'group_property_clerk'),
    ('manager', '周建国', 'group_property_manager'),
    ]
STAFF_PASSWORD = '-resilience'
TICKET = '楼道灯不亮'
TEMPLATE_PREFIX = 'resilience_tpl_'


def cache_key():
    digest = hashlib.sha256()
    # what makes the database: the modules' code, XML and translations,
    # not their tests nor READMEs
    files = sorted(p for p in (REPO / 'addons').rglob('*')
        if p.is_file() and not {'__pycache__', 'tests'} & set(p.parts)
        and p.suffix != '.pyc' and p.name != 'README.rst')
    files += [Path(__file__), REPO / 'bench' / 'billing_setup.py']
    for path in files:
        digest.update(str(path.relative_to(REPO)).encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    for package in ['trytond', 'proteus']:
        try:
            digest.update(importlib.metadata.version(package).encode())
        except importlib.metadata.PackageNotFoundError:
            pass
    return digest.hexdigest()[:16]


def databases(uri, prefix):
    import psycopg
    with psycopg.connect(uri + 'postgres', autocommit=True) as conn:
        return [name for name, in conn.execute(
                'SELECT datname FROM pg_database WHERE datname LIKE %s',
                (prefix + '%',))]


def template(uri, log=print):
    """The name of the template database of the current key, built if
    missing (the templates of other keys, ours only, are dropped)"""
    import subprocess
    import time
    name = TEMPLATE_PREFIX + cache_key()
    existing = databases(uri, TEMPLATE_PREFIX)
    if name in existing:
        return name
    for other in existing:
        drop(other, uri)
    build = f'resilience_build_{os.getpid()}'
    start = time.monotonic()
    try:
        activate(build, uri, MODULES)
        log(f'resilience template: modules activated in '
            f'{time.monotonic() - start:.0f} s')
        subprocess.run([sys.executable, __file__, build, uri], check=True,
            env={k: v for k, v in os.environ.items()
                if not k.startswith('TRYTOND_')})
        import psycopg
        with psycopg.connect(uri + 'postgres', autocommit=True) as conn:
            conn.execute(f'ALTER DATABASE "{build}" RENAME TO "{name}"')
    except BaseException:
        drop(build, uri)
        raise
    log(f'resilience template {name} built in '
        f'{time.monotonic() - start:.0f} s')
    return name


def create_from_template(name, uri, log=print):
    create_database(name, uri, template=template(uri, log=log))


def populate(pool):
    from trytond.transaction import Transaction
    ModelData = pool.get('ir.model.data')
    Party = pool.get('party.party')
    Employee = pool.get('company.employee')
    User = pool.get('res.user')
    Estate = pool.get('property.estate')
    Ticket = pool.get('property.ticket')
    WebUser = pool.get('web.user')
    company_id, estate_ids = setup(pool, [('A', UNITS), ('B', 1)])
    with Transaction().set_context(company=company_id):
        parties = Party.create([{'name': n} for _, n, _ in STAFF])
        employees = Employee.create([{'party': p.id, 'company': company_id}
                for p in parties])
        estates = Estate.browse(estate_ids)
        Estate.write(estates, {
                'manager': employees[1].id,
                'staff': [('add', [e.id for e in employees])],
                })
        User.create([{
                    'login': login, 'name': name,
                    # set directly: the test passwords are short (tests only)
                    'password_hash': User.hash_password(
                        login + STAFF_PASSWORD),
                    'companies': [('add', [company_id])],
                    'company': company_id,
                    'employees': [('add', [employee.id])],
                    'employee': employee.id,
                    'groups': [('add', [
                                ModelData.get_id('property_service', group)])],
                    } for (login, name, group), employee
                in zip(STAFF, employees)])
        estate_b = estates[1]
        unit, = estate_b.units
        owner, = unit.owners
        WebUser.create([{
                    'email': OWNER_EMAIL, 'email_valid': True,
                    'party': owner.id,
                    'password_hash': WebUser.hash_password(OWNER_PASSWORD),
                    }])
        ticket, = Ticket.create([{
                    'company': company_id, 'estate': estate_b.id,
                    'unit': unit.id, 'type': 'repair', 'channel': 'phone',
                    'description': TICKET,
                    }])
        Ticket.submit([ticket])
        # one unit: billed and posted at once, without workers
        start_run(pool, company_id, estate_b.id, MONTH)


def main(database, uri):
    os.environ['TRYTOND_DATABASE__URI'] = uri
    from trytond.pool import Pool
    pool = Pool(database)
    pool.init()
    in_transaction(database, populate, pool, context={})
    return 0


if __name__ == '__main__':
    sys.exit(main(*sys.argv[1:3]))
