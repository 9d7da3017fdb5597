# This file is part of the property service suite. See README.md.
"""Statement of account (对账单) of a party, optionally for one unit.

Built from the posted accounting lines of the party on the receivable
accounts (1122 应收账款) and the prepayment account (2203 预收账款): the
balance is what the party owes, less what it holds as prepayment (negative:
the party is in credit). One row per accounting move: bill, credit note,
payment, prepayment received, prepayment used for a bill.

``Statement.statement()`` returns the rows for a party and dates: the staff
list (a context view reachable from the party form) and the owner portal use
the same figures."""
import datetime as dt
from decimal import Decimal

from sql import Literal

from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access

from . import accounting

KINDS = [
    ('bill', "Bill"),
    ('credit_note', "Credit Note"),
    ('payment', "Payment"),
    ('prepayment', "Prepayment"),
    ('prepayment_used', "Prepayment Used"),
    ('other', "Other"),
    ]


def _date(value):
    if isinstance(value, str):
        return dt.date.fromisoformat(value)
    return value


class StatementContext(ModelView):
    "Statement of Account Context"
    __name__ = 'property.billing.statement.context'
    __string__ = "Statement of Account Context"

    company = fields.Many2One('company.company', "Company", required=True)
    party = fields.Many2One(
        'party.party', "Party", required=True,
        context={'company': Eval('company', -1)}, depends={'company'})
    unit = fields.Many2One(
        'property.unit', "Unit",
        help="Leave empty for every unit of the party.")
    from_date = fields.Date("From Date", required=True)
    to_date = fields.Date("To Date", required=True)
    opening_balance = fields.Function(fields.Numeric(
            "Opening Balance", digits=(16, 2), readonly=True),
        'on_change_with_opening_balance')
    closing_balance = fields.Function(fields.Numeric(
            "Closing Balance", digits=(16, 2), readonly=True),
        'on_change_with_closing_balance')

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_party(cls):
        return Transaction().context.get('party')

    @classmethod
    def default_from_date(cls):
        today = Pool().get('ir.date').today()
        return today.replace(month=1, day=1)

    @classmethod
    def default_to_date(cls):
        return Pool().get('ir.date').today()

    def _statement(self):
        Statement = Pool().get('property.billing.statement')
        if not (self.company and self.party and self.from_date
                and self.to_date):
            return None
        return Statement.statement(self.company, self.party,
            self.from_date, self.to_date, unit=self.unit)

    @fields.depends('company', 'party', 'unit', 'from_date', 'to_date')
    def on_change_with_opening_balance(self, name=None):
        statement = self._statement()
        return statement['opening'] if statement else None

    @fields.depends('company', 'party', 'unit', 'from_date', 'to_date')
    def on_change_with_closing_balance(self, name=None):
        statement = self._statement()
        return statement['closing'] if statement else None


class Statement(ModelSQL, ModelView):
    "Statement of Account (对账单)"
    __name__ = 'property.billing.statement'
    __string__ = "Statement of Account"

    company = fields.Many2One('company.company', "Company", readonly=True)
    date = fields.Date("Date", readonly=True)
    move = fields.Many2One('account.move', "Move", readonly=True)
    kind = fields.Function(
        fields.Selection(KINDS, "Kind"), 'get_row')
    invoice = fields.Function(
        fields.Many2One('account.invoice', "Bill"), 'get_row')
    reference = fields.Function(fields.Char("Reference"), 'get_row')
    description = fields.Function(fields.Char("Description"), 'get_row')
    debit = fields.Function(
        fields.Numeric("Debit", digits=(16, 2)), 'get_row')
    credit = fields.Function(
        fields.Numeric("Credit", digits=(16, 2)), 'get_row')
    balance = fields.Function(
        fields.Numeric("Balance", digits=(16, 2),
            help="Owed by the party after this row; negative: in credit."),
        'get_row')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('date', 'ASC'), ('id', 'ASC')]

    @classmethod
    def _context_statement(cls):
        pool = Pool()
        Company = pool.get('company.company')
        Party = pool.get('party.party')
        Unit = pool.get('property.unit')
        context = Transaction().context
        if not (context.get('company') and context.get('party')
                and context.get('from_date') and context.get('to_date')):
            return None
        unit = Unit(context['unit']) if context.get('unit') else None
        return cls.statement(Company(context['company']),
            Party(context['party']), _date(context['from_date']),
            _date(context['to_date']), unit=unit)

    @classmethod
    def table_query(cls):
        Move = Pool().get('account.move')
        move = Move.__table__()
        statement = cls._context_statement()
        ids = [r['move'] for r in statement['rows']] if statement else []
        where = move.id.in_(ids) if ids else Literal(False)
        return move.select(
            move.id.as_('id'),
            move.company.as_('company'),
            move.date.as_('date'),
            move.id.as_('move'),
            where=where)

    @classmethod
    def get_row(cls, rows, names):
        statement = cls._context_statement()
        by_move = {r['move']: r for r in statement['rows']} if statement else {}
        result = {n: {} for n in names}
        for row in rows:
            values = by_move.get(row.id, {})
            for name in names:
                result[name][row.id] = values.get(name)
        return result

    @classmethod
    def statement(cls, company, party, from_date, to_date, unit=None):
        """The statement of account of party from from_date to to_date
        (included), for one unit or all: {'opening', 'closing', 'rows'},
        each row a dict with move, date, kind, invoice (id or None),
        reference, description, debit, credit and balance (Decimal)."""
        pool = Pool()
        MoveLine = pool.get('account.move.line')
        prepayment = accounting.get_account(company, accounting.PREPAYMENT)
        with without_check_access():
            lines = MoveLine.search([
                    ('company', '=', company.id),
                    ('party', '=', party.id),
                    ('move.state', '=', 'posted'),
                    ('date', '<=', to_date),
                    ['OR',
                        ('account.type.receivable', '=', True),
                        ('account', '=', prepayment.id),
                        ],
                    ], order=[('date', 'ASC'), ('move', 'ASC'), ('id', 'ASC')])
            moves = {}
            for line in lines:
                moves.setdefault(line.move, []).append(line)
            opening = Decimal(0)
            rows = []
            balance = None
            for move, move_lines in moves.items():
                if unit and unit.id not in cls._move_units(move):
                    continue
                debit = sum((l.debit for l in move_lines), Decimal(0))
                credit = sum((l.credit for l in move_lines), Decimal(0))
                if move.date < from_date:
                    opening += debit - credit
                    continue
                if balance is None:
                    balance = opening
                balance += debit - credit
                kind, invoice = cls._move_kind(move, move_lines, prepayment)
                rows.append({
                        'move': move.id,
                        'date': move.date,
                        'kind': kind,
                        'invoice': invoice.id if invoice else None,
                        'reference': (invoice.number if invoice
                            else move.number),
                        'description': (move.description
                            or (invoice.description if invoice else None)),
                        'debit': debit,
                        'credit': credit,
                        'balance': balance,
                        })
        return {
            'opening': opening,
            'closing': balance if balance is not None else opening,
            'rows': rows,
            }

    @classmethod
    def _move_kind(cls, move, lines, prepayment):
        "(kind, invoice or None) of a move of the statement"
        Invoice = Pool().get('account.invoice')
        invoice = move.origin if isinstance(move.origin, Invoice) else None
        on_prepayment = [l for l in lines if l.account == prepayment]
        if invoice and invoice.move == move:
            if invoice.total_amount < 0:
                return 'credit_note', invoice
            return 'bill', invoice
        if invoice and on_prepayment:
            return 'prepayment_used', invoice
        if invoice:
            return 'payment', invoice
        if on_prepayment and all(l.credit > 0 for l in on_prepayment):
            return 'prepayment', None
        return 'other', None

    @classmethod
    def _move_units(cls, move):
        "Ids of the units a move of the statement is about"
        pool = Pool()
        Invoice = pool.get('account.invoice')
        InvoiceLine = pool.get('account.invoice.line')
        Line = pool.get('property.billing.line')
        Receipt = pool.get('property.receipt')
        units = set()
        if isinstance(move.origin, Invoice):
            invoice_lines = []
            for il in move.origin.lines:
                invoice_lines.append(il.id)
                # a credit note: the units of the lines it credits
                if isinstance(il.origin, InvoiceLine):
                    invoice_lines.append(il.origin.id)
            units.update(l.unit.id for l in Line.search([
                        ('invoice_line', 'in', invoice_lines)]))
        for receipt in Receipt.search([('prepayment_move', '=', move.id)]):
            if receipt.unit:
                units.add(receipt.unit.id)
        return units
