#!/usr/bin/env python3
# This file is part of the property service suite. See README.md.
"""Personal data access log benchmark: what logging staff reads of phone
numbers costs a list view.

    .venv/bin/python bench/access_log_bench.py --parties 2000

It activates property_service in a throwaway SQLite database (the test
framework's, cached like the tests), creates one estate with --parties
units and owners (a mobile and an e-mail each, an ID number, an occupancy)
and a service clerk of the estate, then reads as that clerk, with access
checks as a client request:

1. the party list with the owners' mobile and e-mail (one log row per
   party read);
2. the contact mechanism list (type, value, party).

Each read is timed with the log and without it (the log method replaced
by a no-op), alternately, --repeat times; the medians are printed, then the
log call alone for the party list's rows, and the party list read by
property administration (no estate rule) as the rule's baseline.
"""
import argparse
import os
import statistics
import sys
import time
from decimal import Decimal

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--parties', type=int, default=2000)
    parser.add_argument('--repeat', type=int, default=7)
    args = parser.parse_args()
    os.environ.setdefault('TRYTOND_DATABASE_URI', 'sqlite://')
    os.environ.setdefault('DB_NAME', ':memory:')
    os.environ.setdefault(
        'DB_CACHE', os.path.join(ROOT, 'var', 'bench-cache'))
    os.environ.pop('TRYTOND_CONFIG', None)
    os.makedirs(os.environ['DB_CACHE'], exist_ok=True)

    from trytond.tests.test_tryton import activate_module, with_transaction
    activate_module(['property_service'])

    @with_transaction()
    def run():
        from trytond.modules.company.tests import (
            create_company, create_employee)
        from trytond.pool import Pool
        from trytond.transaction import Transaction
        pool = Pool()
        Estate = pool.get('property.estate')
        Unit = pool.get('property.unit')
        Party = pool.get('party.party')
        Mechanism = pool.get('party.contact_mechanism')
        Occupancy = pool.get('property.occupancy')
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        Access = pool.get('property.personal_data.access')

        t0 = time.perf_counter()
        n = args.parties
        company = create_company()
        employee = create_employee(company, name="客服")
        clerk, = User.create([{
                    'name': "clerk", 'login': 'clerk',
                    'groups': [('add', [ModelData.get_id(
                                    'property_service',
                                    'group_property_clerk')])],
                    'companies': [('add', [company.id])],
                    'company': company.id,
                    'employees': [('add', [employee.id])],
                    'employee': employee.id}])
        estate, = Estate.create([{
                    'company': company.id, 'code': 'YGHY', 'name': "阳光花园",
                    'staff': [('add', [employee.id])],
                    'buildings': [('create', [{'code': '1', 'name': "1栋"}])],
                    }])
        units = Unit.create([{
                    'building': estate.buildings[0].id,
                    'number': f'{i:04d}', 'building_area': Decimal('89.50')}
                for i in range(n)])
        owners = Party.create([{
                    'name': f'业主{i:04d}',
                    'contact_mechanisms': [('create', [
                                {'type': 'mobile',
                                    'value': f'138{i:08d}'},
                                {'type': 'email',
                                    'value': f'owner{i}@example.com'}])],
                    'identifiers': [('create', [{
                                    'code': f'3301021990{i:08d}'}])],
                    } for i in range(n)])
        Occupancy.create([{
                    'unit': u.id, 'party': p.id, 'role': 'owner',
                    'share': Decimal(100)} for u, p in zip(units, owners)])
        print(f"set-up of {n} owners: {time.perf_counter() - t0:.1f} s",
            flush=True)

        admin, = User.create([{
                    'name': "admin", 'login': 'padmin',
                    'groups': [('add', [ModelData.get_id(
                                    'property_service',
                                    'group_property_admin')])],
                    'companies': [('add', [company.id])],
                    'company': company.id}])
        log = Access.log
        party_ids = [p.id for p in owners]

        def party_list():
            return Party.read(party_ids, [
                    'code', 'name', 'lang', 'tax_identifier', 'rec_name',
                    'mobile', 'email'])

        def mechanism_list():
            ids = [m.id for m in Mechanism.search(
                    [('party', 'in', party_ids)])]
            return Mechanism.read(ids, [
                    'type', 'value', 'name', 'party', 'party.rec_name',
                    'rec_name'])

        transaction = Transaction()
        with transaction.set_user(clerk.id), transaction.set_context(
                _check_access=True, company=company.id,
                companies=[company.id]):
            for name, read in [('party list', party_list),
                    ('contact mechanism list', mechanism_list)]:
                times = {'with log': [], 'without log': []}
                for i in range(args.repeat):
                    for label in times:
                        Access.log = (log if label == 'with log'
                            else classmethod(lambda cls, *a: None))
                        start = time.perf_counter()
                        rows = read()
                        times[label].append(time.perf_counter() - start)
                        Access.log = log
                assert len(rows) >= n, len(rows)
                medians = {k: statistics.median(v) for k, v in times.items()}
                print(f"{name}, {len(rows)} rows as a clerk: "
                    f"without log {medians['without log'] * 1000:.0f} ms, "
                    f"with log {medians['with log'] * 1000:.0f} ms "
                    f"(+{(medians['with log'] / medians['without log'] - 1) * 100:.0f} %)",
                    flush=True)
            # the cost of the people rule: the same list as property
            # administration (no estate rule), log off
            Access.log = classmethod(lambda cls, *a: None)
            times = []
            with transaction.set_user(admin.id):
                for i in range(args.repeat):
                    start = time.perf_counter()
                    party_list()
                    times.append(time.perf_counter() - start)
            Access.log = log
            print(f"party list as property administration (no estate "
                f"rule), without log: "
                f"{statistics.median(times) * 1000:.0f} ms", flush=True)
            # the log call alone, as the party list makes it
            times = []
            for i in range(args.repeat):
                start = time.perf_counter()
                log(Party, party_ids, ['email', 'mobile'])
                times.append(time.perf_counter() - start)
            print(f"the log call alone for {n} rows: "
                f"{statistics.median(times) * 1000:.1f} ms", flush=True)
        with transaction.set_user(0):
            print(f"log rows written: {Access.search_count([])}")

    run()
    return 0


if __name__ == '__main__':
    sys.exit(main())
