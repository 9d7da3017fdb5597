# This file is part of the property service suite. See README.md.
"""Per-role matrix of personal data (R12), generated from the models.

Every field marked personal in a model (``_personal_data``, see
property_service/personal_data.py) is read, searched on and searched by
record name as each demo role, on a record of the role's estate and on one
of another estate. What each role may see is the policy below, per kind of
data; the fields come from the pool, so a new field is tested as soon as it
is marked, and a field that looks personal but is not marked fails
``test_registry_complete``."""
import datetime as dt
import re
from contextlib import contextmanager
from decimal import Decimal

from trytond.model import fields
from trytond.model.exceptions import AccessError
from trytond.modules.company.tests import create_company, create_employee
from trytond.modules.property_service.personal_data import (
    ADDRESS, CONTACT, IDENTITY, RESIDENCE, VISITOR, personal_data_models)
from trytond.pool import Pool
from trytond.tests.test_tryton import _DBTestCase, with_transaction
from trytond.transaction import Transaction

NOW = dt.datetime(2026, 11, 20, 22, 0)
STAFF = {'admin', 'manager', 'clerk', 'technician', 'guard', 'accountant',
    'archivist'}
# who reads each kind of personal data, on the records of their estates
POLICY = {
    CONTACT: STAFF - {'guard'},
    IDENTITY: STAFF - {'guard'},
    RESIDENCE: STAFF - {'guard', 'technician'},
    ADDRESS: STAFF,
    VISITOR: {'admin', 'manager', 'clerk', 'guard'},
    }
# fields that look personal by name but are not
NOT_PERSONAL = {
    ('property.estate', 'service_phone'): "the estate's public desk number",
    ('property.estate', 'address'): "the estate's own address",
    }
PERSONAL_NAME = re.compile(
    r'phone|mobile|e_?mail|fax|id_number|id_card|identifier|passport|'
    r'street|address')
PERSON_MODELS = {'party.party', 'party.contact_mechanism',
    'party.identifier', 'party.address'}
ROLES = sorted(STAFF) + ['manager_b']


class PrivacyMatrixTestCase(_DBTestCase):
    "Test personal data access per role and per estate"
    module = 'property_security'

    def _setup(self):
        "Estates A and B, a person of each with every kind of data"
        pool = Pool()
        Estate = pool.get('property.estate')
        Unit = pool.get('property.unit')
        Party = pool.get('party.party')
        Occupancy = pool.get('property.occupancy')
        Visitor = pool.get('property.visitor')
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')

        company = create_company()
        users, employees = {}, {}
        for role in ROLES:
            group = ModelData.get_id(
                'property_service', f'group_property_{role.split("_")[0]}')
            employee = create_employee(company, name=f"Employee {role}")
            users[role], = User.create([{
                        'name': role, 'login': f'user_{role}',
                        'groups': [('add', [group])],
                        'companies': [('add', [company.id])],
                        'company': company.id,
                        'employees': [('add', [employee.id])],
                        'employee': employee.id,
                        }])
            employees[role] = employee
        records = {}
        for n, code in enumerate(['A', 'B']):
            estate, = Estate.create([{
                        'company': company.id, 'code': code,
                        'name': f"Estate {code}",
                        'manager': employees[
                            'manager' if code == 'A' else 'manager_b'].id,
                        'staff': [('add', [employees[r].id for r in STAFF
                                    - {'admin', 'manager'}
                                    if code == 'A'])],
                        'buildings': [('create', [{
                                        'code': '1', 'name': "1栋"}])],
                        }])
            unit, = Unit.create([{
                        'building': estate.buildings[0].id,
                        'number': '0101', 'building_area': Decimal('88')}])
            owner, = Party.create([{
                        'name': f"Owner {code}",
                        'contact_mechanisms': [('create', [
                                    {'type': 'mobile',
                                        'value': f'1391234{n}678'},
                                    {'type': 'email',
                                        'value': f'owner{code}@example.com'},
                                    ])],
                        'identifiers': [('create', [{
                                        'code': f'33010219900101{n}234'}])],
                        'addresses': [('create', [{
                                        'party_name': f"业主{code}",
                                        'street_unstructured':
                                        f"幸福路 {n}号 {code}栋",
                                        'city': "杭州市"}])],
                        }])
            occupancy, = Occupancy.create([{
                        'unit': unit.id, 'party': owner.id, 'role': 'owner',
                        'share': Decimal(100)}])
            visitor, = Visitor.create([{
                        'estate': estate.id, 'name': f"访客{code}",
                        'id_number': f'4401{n}', 'phone': f'1371234{n}678',
                        'plate': f'浙A{n}2345',
                        'host_unit': unit.id, 'host_party': owner.id,
                        'valid_from': NOW,
                        'valid_to': NOW + dt.timedelta(hours=4),
                        }])
            records[code] = {
                'party.party': owner,
                'party.contact_mechanism': owner.contact_mechanisms,
                'party.identifier': owner.identifiers,
                'party.address': owner.addresses,
                'property.unit': [unit],
                'property.occupancy': [occupancy],
                'property.visitor': [visitor],
                }
        return users, records

    @contextmanager
    def _as(self, user):
        transaction = Transaction()
        with transaction.set_user(user.id), transaction.set_context(
                _check_access=True, company=user.company.id,
                companies=[c.id for c in user.companies],
                _security_now=NOW):
            yield

    def _records(self, records, model):
        value = records[model]
        return value if isinstance(value, (list, tuple)) else [value]

    def _check_role(self, role):
        pool = Pool()
        users, records = self._setup()
        registry = personal_data_models()
        self.assertEqual(set(registry), set(records['A']))
        own = {'A', 'B'} if role == 'admin' else (
            {'B'} if role == 'manager_b' else {'A'})
        checked = 0
        for model, personal in sorted(registry.items()):
            Model = pool.get(model)
            for code in ['A', 'B']:
                for record in self._records(records[code], model):
                    for field, kind in sorted(personal.items()):
                        allowed = (role.split('_')[0] in POLICY[kind]
                            and code in own)
                        self._check_field(users[role], Model, record, field,
                            allowed, f'{role} {model}.{field} {code}')
                        checked += 1
        self.assertGreater(checked, 50)

    def _check_field(self, user, Model, record, field, allowed, msg):
        value = Model.read([record.id], [field])[0][field]
        if isinstance(value, (list, tuple)):
            value = value[0] if value else None
        field_ = Model._fields[field]
        with self._as(user):
            # read
            if allowed:
                self.assertEqual(
                    bool(Model.read([record.id], [field])[0][field]),
                    bool(value), msg=msg)
            else:
                with self.assertRaises(AccessError, msg=msg):
                    Model.read([record.id], [field])
            if not value:
                return
            # search on the field (a record name is not its own operand)
            if field_.searchable(Model) and (
                    field != 'rec_name' or not allowed):
                operator = 'ilike' if isinstance(value, str) else '='
                operand = f'%{value}%' if isinstance(value, str) else value
                domain = [('id', '=', record.id), (field, operator, operand)]
                self.assertEqual(
                    self._found(Model, domain), [record] if allowed else [],
                    msg=f'search {msg}')
            # search by record name, here and through the person
            if isinstance(value, str) and not allowed:
                for Target in {Model, Pool().get('party.party')}:
                    found = self._found(
                        Target, [('rec_name', 'ilike', f'%{value}%')])
                    party = getattr(record, 'party', None) or (
                        getattr(record, 'host_party', None))
                    self.assertNotIn(record, found, msg=f'rec_name {msg}')
                    if Model._personal_data.get(field) in {CONTACT, IDENTITY}:
                        self.assertNotIn(party or record, found,
                            msg=f'party rec_name {msg}')

    def _found(self, Model, domain):
        try:
            return Model.search(domain)
        except AccessError:
            return []

    for role in ROLES:
        def test(self, role=role):
            self._check_role(role)
        test.__name__ = f'test_matrix_{role}'
        test.__doc__ = f"Personal data as {role}, own and other estate"
        locals()[test.__name__] = with_transaction()(test)
    del role, test

    @with_transaction()
    def test_registry_complete(self):
        "Every field that looks personal in our models is in the registry"
        pool = Pool()
        registry = personal_data_models()
        missing = []
        for name, Model in pool.iterobject():
            if not (name.startswith('property.') or name in PERSON_MODELS):
                continue
            for fname, field in Model._fields.items():
                field = getattr(field, '_field', field)
                if (isinstance(field, (fields.Char, fields.Text))
                        and PERSONAL_NAME.search(fname)
                        and fname not in registry.get(name, {})
                        and (name, fname) not in NOT_PERSONAL):
                    missing.append(f'{name}.{fname}')
        self.assertEqual(missing, [])


del _DBTestCase
