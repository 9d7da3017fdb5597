# This file is part of the property service suite. See README.md.
"""Set-up shared by bench/billing_bench.py and the PostgreSQL tests
(tests/postgresql/): a throwaway PostgreSQL database with the modules
activated, a company on the Chinese chart with 3 fees and estates of N
units, transactions retried as trytond does, and trytond-worker processes
on the default and posting queues."""
import datetime as dt
import os
import signal
import subprocess
import sys
import tempfile
from decimal import Decimal

VENV_BIN = os.path.dirname(sys.executable)
MONTH = dt.date(2026, 3, 1)
AREAS = [Decimal(a) for a in ['62', '75.5', '89.5', '96', '108', '126.3']]
FEES = [  # code, name, method, price
    ('WYF', '物业服务费', 'area', Decimal('2.80')),
    ('LJF', '生活垃圾处理费', 'unit', Decimal('10')),
    ('GGNH', '公共能耗费', 'unit', Decimal('15')),
    ]


def in_transaction(db, func, *args, context=None):
    "Run func in a transaction, retried with the locks it asks for"
    from trytond.transaction import Transaction, TransactionError
    extras = {}
    if context is None:
        context = getattr(in_transaction, 'context', {})
    while True:
        with Transaction().start(db, 0, **extras) as transaction:
            with transaction.set_context(context):
                try:
                    return func(*args)
                except TransactionError as e:
                    transaction.rollback()
                    e.fix(extras)


def clean_env(**options):
    """The environment for a trytond process: ours without TRYTOND_*
    variables (a configuration file of the caller's or trytond.conf must
    not decide), plus options {'SECTION__OPTION': value}"""
    env = {k: v for k, v in os.environ.items()
        if not k.startswith('TRYTOND_') and k != 'DB_NAME'}
    env.update({f'TRYTOND_{k.upper()}': str(v) for k, v in options.items()})
    return env


def create_database(db, uri, template=None):
    import psycopg
    with psycopg.connect(uri + 'postgres', autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{db}"'
            + (f' TEMPLATE "{template}"' if template else ''))


def activate(db, uri, modules=('property_billing',), create=True):
    "Create the database (if create) and activate modules in it"
    env = clean_env(database__uri=uri)
    if create:
        create_database(db, uri)
    with tempfile.NamedTemporaryFile('w', delete=False) as passfile:
        passfile.write('admin\n')
    env['TRYTONPASSFILE'] = passfile.name
    try:
        subprocess.run([os.path.join(VENV_BIN, 'trytond-admin'), '-d', db,
                '--email', 'admin@example.com', '-u', *modules,
                '--activate-dependencies'],
            env=env, check=True, stdout=subprocess.DEVNULL)
    finally:
        os.unlink(passfile.name)


def drop(db, uri):
    import psycopg
    with psycopg.connect(uri + 'postgres', autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


def setup(pool, estates, year=MONTH.year):
    """The company (Chinese chart, fiscal year), the 3 fees and, for each
    (code, number of units) of estates, an estate of that many units, each
    with an owner, and a fee plan of the 3 fees: (company id, [estate id])"""
    from trytond.modules.property_billing import accounting
    from trytond.transaction import Transaction
    Currency = pool.get('currency.currency')
    Party = pool.get('party.party')
    Company = pool.get('company.company')
    User = pool.get('res.user')
    Estate = pool.get('property.estate')
    Unit = pool.get('property.unit')
    Occupancy = pool.get('property.occupancy')
    Uom = pool.get('product.uom')
    Template = pool.get('product.template')
    Fee = pool.get('property.fee')
    Plan = pool.get('property.fee.plan')

    cny, = Currency.create([{'name': '人民币', 'code': 'CNY', 'symbol': '¥',
                'rates': [('create', [{'date': dt.date(2000, 1, 1),
                                'rate': 1}])]}])
    company_party, = Party.create([{'name': '安居物业服务有限公司'}])
    company, = Company.create([{'party': company_party.id,
                'currency': cny.id}])
    User.write([User(1)], {'companies': [('add', [company.id])],
            'company': company.id})
    with Transaction().set_context(company=company.id):
        _, categories = accounting.setup_company(company, [year])
        square_meter, = Uom.search([('symbol', '=', 'm²')])
        unit_uom, = Uom.search([('symbol', '=', 'u')])
        month_uom, = Uom.copy([unit_uom], {'name': '户·月', 'symbol': '户·月',
                'rounding': 0.01, 'digits': 2})
        fees = []
        for code, name, method, price in FEES:
            template, = Template.create([{
                        'name': name, 'type': 'service',
                        'list_price': price,
                        'default_uom': (square_meter if method == 'area'
                            else month_uom).id,
                        'account_category': categories['property'].id,
                        'products': [('create', [{'code': code}])]}])
            fee, = Fee.create([{'company': company.id, 'code': code,
                        'name': name, 'method': method,
                        'product': template.products[0].id,
                        'rates': [('create', [{
                                        'start_date': dt.date(year, 1, 1),
                                        'unit_price': price}])]}])
            fees.append(fee)
        estate_ids = []
        for code, count in estates:
            if not count:
                continue
            estate, = Estate.create([{'company': company.id, 'code': code,
                        'name': f'测试小区{code}', 'buildings': [('create', [{
                                        'code': str(b), 'name': f'{b}栋'}
                                    for b in range(1, count // 500 + 2)])]}])
            buildings = estate.buildings
            for start in range(0, count, 1000):
                chunk = range(start, min(count, start + 1000))
                parties = Party.create([{'name': f'业主{code}{i:06d}',
                            'addresses': [('create', [{}])]} for i in chunk])
                units = Unit.create([{
                            'building': buildings[i // 500].id,
                            'number': f'{i:06d}',
                            'building_area': AREAS[i % len(AREAS)]}
                        for i in chunk])
                Occupancy.create([{'unit': u.id, 'party': p.id,
                            'role': 'owner', 'share': 100,
                            'start_date': dt.date(2020, 1, 1)}
                        for u, p in zip(units, parties)])
            Plan.create([{'company': company.id, 'estate': estate.id,
                        'name': '物业费', 'start_date': dt.date(year, 1, 1),
                        'fees': [('add', [f.id for f in fees])]}])
            estate_ids.append(estate.id)
    return company.id, estate_ids


def start_run(pool, company_id, estate_id, month=MONTH):
    "Create the billing run of the month for the estate and press Bill"
    Run = pool.get('property.billing.run')
    Period = pool.get('account.period')
    period, = Period.search([('start_date', '=', month),
            ('type', '=', 'standard'), ('company', '=', company_id)])
    run, = Run.create([{'company': company_id, 'period': period.id,
                'invoice_date': month, 'estates': [('add', [estate_id])]}])
    Run.bill([run])
    return run.id


def start_worker(db, uri, queue='default', log=None):
    """A trytond-worker of one process on the queue, in a session of its
    own (it has a child process: signal the whole group)"""
    # a trytond-worker exits at once unless [queue] worker is set
    env = clean_env(database__uri=uri, queue__worker=True)
    out = open(log, 'ab') if log else subprocess.DEVNULL
    try:
        return subprocess.Popen(
            [os.path.join(VENV_BIN, 'trytond-worker'), '-d', db, '-n', '1',
                '-t', '1', '--name', queue], env=env,
            stdout=out, stderr=subprocess.STDOUT if log else out,
            start_new_session=True)
    finally:
        if log:
            out.close()


def start_workers(db, uri, workers, log=None):
    """`workers` processes on the default queue, which create the batches'
    bills, and one on the posting queue, which posts them (as README's
    deployment): [Popen], the posting one last"""
    from trytond.modules.property_billing.billing import POSTING_QUEUE
    return [start_worker(db, uri, name, log=log)
        for name in ['default'] * workers + [POSTING_QUEUE]]


def stop(procs, sig=signal.SIGTERM):
    "Signal the process groups and wait for them"
    for proc in procs:
        # the group even when its leader is gone: a child may live on
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            pass
    for proc in procs:
        proc.wait()
