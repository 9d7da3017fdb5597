# This file is part of the property service suite. See README.md.
"""Income per estate (分小区收入) through the platform's analytic accounts.

Every company gets an analytic root 小区 (code XQ) with one analytic account
per estate, created with the estate (or when an estate older than
the module is first billed). The invoice lines of a billing run carry the
estate's analytic account (``analytic_invoice``), so posting a bill writes
analytic lines on its income and the analytic account balances show each
estate's untaxed income, credit notes included (the platform copies the
analytic accounts on credit)."""
from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import without_check_access

ROOT_CODE = 'XQ'
ROOT_NAME = '小区'


class Estate(metaclass=PoolMeta):
    __name__ = 'property.estate'
    analytic_account = fields.Many2One(
        'analytic_account.account', "Analytic Account", readonly=True,
        domain=[('company', '=', Eval('company', -1))],
        help="The estate's account under the analytic root 小区: the "
        "income of its bills is booked there.")

    @classmethod
    def on_modification(cls, mode, estates, field_names=None):
        super().on_modification(mode, estates, field_names=field_names)
        if mode == 'create':
            with without_check_access():
                estate_analytic_accounts(cls.browse(estates))

    @classmethod
    def copy(cls, estates, default=None):
        default = default.copy() if default else {}
        default.setdefault('analytic_account', None)
        return super().copy(estates, default=default)


def estate_root(company):
    "The company's analytic root 小区, created if missing"
    Account = Pool().get('analytic_account.account')
    roots = Account.search([
            ('company', '=', company.id),
            ('type', '=', 'root'),
            ('code', '=', ROOT_CODE),
            ], limit=1)
    if roots:
        return roots[0]
    root = Account(
        company=company, type='root', code=ROOT_CODE, name=ROOT_NAME)
    root.save()
    return root


def estate_analytic_accounts(estates):
    """{estate id: its analytic account}, creating the missing ones under
    the root 小区 of the estate's company."""
    pool = Pool()
    Account = pool.get('analytic_account.account')
    Estate = pool.get('property.estate')
    # created with the estate (Estate.on_modification): the billing batches
    # running in parallel only create those of estates older than the module
    missing = [e for e in estates if not e.analytic_account]
    for estate in missing:
        root = estate_root(estate.company)
        account = Account(
            company=estate.company, type='normal', root=root, parent=root,
            code=estate.code, name=estate.name)
        account.save()
        estate.analytic_account = account
    if missing:
        Estate.save(missing)
    # the instances carry their account (read or just set): no new read
    # per call, which runs once per bill line
    return {e.id: e.analytic_account for e in estates}


def expect_analytic_state(moves):
    """Create the lines of new moves (bills, payments) in the analytic state
    that posting gives them: valid for a line whose analytic lines carry its
    amount (the income of a bill) or that needs none (not an income
    account). analytic_account computes the state again when the analytic
    lines are created and when the move is posted, and writes the lines
    whose state differs (MoveLine below): none, instead of every line of
    every move, which it creates draft."""
    for move in moves:
        for line in move.lines:
            type_ = line.account.type
            income = bool(type_ and type_.statement == 'income')
            if getattr(line, 'analytic_lines', None) or not income:
                line.analytic_state = 'valid'


class BillingRun(metaclass=PoolMeta):
    __name__ = 'property.billing.run'

    def set_analytic_accounts(self, invoice_line, estate):
        "Book the income of a bill line on its estate's analytic account"
        Entry = Pool().get('analytic.account.entry')
        account = estate_analytic_accounts([estate])[estate.id]
        invoice_line.analytic_accounts = [
            Entry(root=account.root, account=account)]


class MoveLine(metaclass=PoolMeta):
    __name__ = 'account.move.line'

    @classmethod
    def set_analytic_state(cls, lines):
        # analytic_account sets the state of every line again when a move
        # is posted (and when the analytic lines of a line change), then
        # saves them all: an unchanged state would still be a write of each
        # line, validated field by field (about a third of the time of
        # posting a batch of bills). A line keeps only the states that
        # change.
        stored = {l: l.analytic_state for l in lines
            if l.id is not None and l.id >= 0
            and not (l._values and l._values._contains('analytic_state'))}
        super().set_analytic_state(lines)
        for line, state in stored.items():
            if line._values and line.analytic_state == state:
                line._values._pop('analytic_state', None)
