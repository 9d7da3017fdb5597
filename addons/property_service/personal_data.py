# This file is part of the property service suite. See README.md.
"""Personal data of owners and residents (R12): which fields hold it, what
the caller may reach, and the log of staff reads.

A model marks its personal-data fields with ``PersonalDataMixin`` and a
``_personal_data`` mapping {field name: kind}. The mixin

- logs every read of a ``contact`` or ``identity`` field made by a staff
  request (access checks on: the staff client and JSON-RPC) in
  ``property.personal_data.access``;
- remembers whether the caller's access is checked, so that getters and
  searchers (which the platform runs without access checks) can apply the
  caller's rules (``caller_access``) and skip what the caller may not read
  (``may_read``).

Field access per role is given by ir.model.field.access records; the
registry is what tests enumerate (tests/test_privacy.py of
property_security), so that a new field cannot slip through."""
from contextlib import contextmanager

from sql import Literal
from sql.functions import CurrentTimestamp

from trytond.model import ModelSQL, ModelView, fields
from trytond.model.modelstorage import is_leaf
from trytond.pool import Pool
from trytond.transaction import Transaction, check_access

# kinds of personal data
CONTACT = 'contact'  # phone numbers, e-mails: guards read masked values
IDENTITY = 'identity'  # ID numbers: guards read masked values
RESIDENCE = 'residence'  # who lives where: not for guards, technicians
ADDRESS = 'address'  # postal addresses: staff of the person's estates
VISITOR = 'visitor'  # a visitor's identity: the roles of the visitor desk
LOGGED_KINDS = {CONTACT, IDENTITY}

_CALLER_KEY = '_property_caller_check_access'


def caller_checks_access():
    "Whether the current read or search was requested with access checks"
    transaction = Transaction()
    return bool(transaction.user
        and transaction.context.get(_CALLER_KEY, transaction.check_access))


def caller_access():
    "Context applying the caller's access (for getters of Function fields)"
    return check_access(_access=caller_checks_access())


def may_read(model, field_names=()):
    """Whether the caller may read the model and these fields; searchers
    call it before they add a branch that reaches them."""
    pool = Pool()
    ModelAccess = pool.get('ir.model.access')
    FieldAccess = pool.get('ir.model.field.access')
    if not caller_checks_access():
        return True
    with check_access():
        if not ModelAccess.check(model, 'read', raise_exception=False):
            return False
        access = FieldAccess.get_access([model])[model]
    return all(access.get(f, {}).get('read', True) for f in field_names)


def personal_data_models():
    "{model name: {field: kind}} of the models in the pool"
    pool = Pool()
    return {name: dict(Model._personal_data)
        for name, Model in pool.iterobject()
        if getattr(Model, '_personal_data', None)}


class PersonalDataMixin:
    __slots__ = ()
    # {field name: kind}; the party a record belongs to, for the log
    _personal_data = {}
    _personal_data_party = 'party'

    @classmethod
    def read(cls, ids, fields_names):
        transaction = Transaction()
        # reads through records (getters, code) run without access
        # checks: only the staff client's and RPC reads are logged
        checked = transaction.check_access
        with transaction.set_context({_CALLER_KEY: checked}):
            result = super().read(ids, fields_names)
        if checked and result:
            logged = sorted(f for f in fields_names
                if cls._personal_data.get(f) in LOGGED_KINDS)
            if logged:
                Access = Pool().get('property.personal_data.access')
                Access.log(cls, [r['id'] for r in result], logged)
        return result

    @classmethod
    def search(cls, domain, *args, **kwargs):
        transaction = Transaction()
        if transaction.check_access:
            check_where_access(cls, domain)
        with transaction.set_context({_CALLER_KEY: transaction.check_access}):
            return super().search(domain, *args, **kwargs)


def check_where_access(Model, domain):
    """Check read access to the fields inside "where" clauses of a search
    domain: the platform checks the fields a domain names, not those of the
    domain given to "where", so a field denied to the user could still be
    searched through it."""
    pool = Pool()
    ModelAccess = pool.get('ir.model.access')
    FieldAccess = pool.get('ir.model.field.access')

    def walk(Model, domain, inner):
        if is_leaf(domain):
            name, operator, value = domain[:3]
            Target = Model
            for fname in name.split('.'):
                field = Target._fields.get(fname)
                if field is None:
                    return
                if inner:
                    ModelAccess.check(Target.__name__, 'read')
                    FieldAccess.check(Target.__name__, [fname], 'read')
                inner = True
                Target = (field.get_target()
                    if hasattr(field, 'get_target') else None)
                if Target is None:
                    return
            if operator in {'where', 'not where'}:
                ModelAccess.check(Target.__name__, 'read')
                walk(Target, value, True)
        elif isinstance(domain, (list, tuple)):
            for sub in domain:
                if not isinstance(sub, str):
                    walk(Model, sub, inner)

    walk(Model, domain, False)


class PersonalDataAccess(ModelSQL, ModelView):
    """Personal Data Access (个人信息查阅记录): a staff member read contact
    values or ID numbers of a person. Written only by the server, never
    changed or deleted."""
    __name__ = 'property.personal_data.access'
    __string__ = "Personal Data Access"

    user = fields.Many2One('res.user', "User", readonly=True)
    party = fields.Many2One(
        'party.party', "Person", readonly=True, ondelete='SET NULL')
    model = fields.Char("Model", readonly=True)
    record = fields.Integer("Record", readonly=True)
    field_names = fields.Char("Fields", readonly=True)
    date = fields.Function(fields.DateTime("Date"), 'get_date')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('create_date', 'DESC'), ('id', 'DESC')]

    def get_date(self, name):
        return self.create_date

    @classmethod
    def log(cls, Model, ids, field_names):
        """Record that the current user read field_names of the records.
        One INSERT per read call; in a read-only request (RPC read) it goes
        through its own short transaction so that the log is kept."""
        transaction = Transaction()
        party_of = cls._parties(Model, ids)
        table = cls.__table__()
        user = transaction.user
        names = ','.join(field_names)
        now = CurrentTimestamp()
        rows = [[Literal(user), Literal(user), now, Literal(party_of.get(i)),
                Literal(Model.__name__), Literal(i), Literal(names)]
            for i in ids]
        columns = [table.create_uid, table.user, table.create_date,
            table.party, table.model, table.record, table.field_names]

        def insert():
            cursor = Transaction().connection.cursor()
            for i in range(0, len(rows), 500):
                cursor.execute(*table.insert(columns, rows[i:i + 500]))

        if transaction.readonly:
            with transaction.new_transaction() as new:
                insert()
                new.commit()
        else:
            insert()

    @classmethod
    def _parties(cls, Model, ids):
        "{record id: party id} without access checks (one query)"
        field = Model._personal_data_party
        if field is None:
            return {i: i for i in ids}
        table = Model.__table__()
        cursor = Transaction().connection.cursor()
        result = {}
        for i in range(0, len(ids), 1000):
            sub = ids[i:i + 1000]
            cursor.execute(*table.select(table.id, getattr(table, field),
                    where=table.id.in_(sub)))
            result.update(cursor)
        return result
