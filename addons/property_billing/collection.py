# This file is part of the property service suite. See README.md.
"""Collection rate (收缴率) per estate, building, fee and billing month.

For a report range (usually one month M), two kinds of rows:

- current (当期): what was billed for the months of the range and how much
  of it is collected by the end of the range (当期收缴率);
- prior (往期): the arrears of earlier months still due at the start of the
  range and how much of them was collected during the range (往期欠费清缴率).

The rows are an SQL view over the billed lines (property.billing.line), so
the estate record rules restrict them like the billed lines; the amounts are
computed from the accounting: each bill's total (VAT included) less its
credit notes (红字收费单), and the payments recorded on it (counter
receipts, prepayments consumed, bank statements), by date. A bill's amounts
are shared among its billed lines in proportion to their untaxed amounts,
to the cent (the shares of a bill always add up to the bill)."""
import datetime as dt
from collections import defaultdict
from decimal import Decimal

from sql import Cast, Literal
from sql.aggregate import Min
from sql.conditionals import Case

from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access

KINDS = [
    ('current', "Current Period"),
    ('prior', "Prior Periods"),
    ]


def allocate(total, weights):
    """Share total among weights to the cent, the shares adding up to total
    (largest remainder)."""
    if not weights:
        return []
    whole = sum(weights)
    if not whole:
        shares = [Decimal(0)] * len(weights)
        shares[0] = total
        return shares
    cent = Decimal('0.01')
    raw = [total * w / whole for w in weights]
    shares = [r.quantize(cent, rounding='ROUND_DOWN') for r in raw]
    rest = int(((total - sum(shares)) / cent).to_integral_value())
    # the cents left go to the largest remainders
    order = sorted(range(len(raw)), key=lambda i: -abs(raw[i] - shares[i]))
    step = cent if rest > 0 else -cent
    for i in order[:abs(rest)]:
        shares[i] += step
    return shares


def report_dates(context=None):
    "(company id, first day, last day) of the report from the context"
    context = context if context is not None else Transaction().context
    today = Pool().get('ir.date').today()
    from_date = context.get('from_date') or today.replace(day=1)
    to_date = context.get('to_date') or today
    if isinstance(from_date, str):
        from_date = dt.date.fromisoformat(from_date)
    if isinstance(to_date, str):
        to_date = dt.date.fromisoformat(to_date)
    return context.get('company'), from_date, to_date


class CollectionContext(ModelView):
    "Collection Rate Context"
    __name__ = 'property.billing.collection.context'
    __string__ = "Collection Rate Context"

    company = fields.Many2One('company.company', "Company", required=True)
    estate = fields.Many2One(
        'property.estate', "Estate",
        domain=[('company', '=', Eval('company', -1))],
        help="Leave empty for every estate you manage.")
    from_date = fields.Date(
        "From Date", required=True,
        help="Months billed from this date are the current period; earlier "
        "months are arrears.")
    to_date = fields.Date(
        "To Date", required=True,
        help="Payments are counted up to this date.")
    group_building = fields.Boolean("By Building")
    group_fee = fields.Boolean("By Fee")
    group_month = fields.Boolean("By Month")

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_from_date(cls):
        return Pool().get('ir.date').today().replace(day=1)

    @classmethod
    def default_to_date(cls):
        return Pool().get('ir.date').today()

    @classmethod
    def default_group_fee(cls):
        return True


class Collection(ModelSQL, ModelView):
    "Collection Rate (收缴率)"
    __name__ = 'property.billing.collection'
    __string__ = "Collection Rate"

    company = fields.Many2One('company.company', "Company", readonly=True)
    estate = fields.Many2One('property.estate', "Estate", readonly=True)
    building = fields.Many2One('property.building', "Building", readonly=True)
    fee = fields.Many2One('property.fee', "Fee", readonly=True)
    month = fields.Date("Month", readonly=True)
    kind = fields.Selection(KINDS, "Period", readonly=True)
    billed = fields.Function(fields.Numeric(
            "Billed", digits=(16, 2),
            help="Billed for these months, VAT included, less credit "
            "notes."), 'get_amounts')
    due = fields.Function(fields.Numeric(
            "Due", digits=(16, 2),
            help="Current period: what was billed. Prior periods: what was "
            "still due at the start of the range."), 'get_amounts')
    collected = fields.Function(fields.Numeric(
            "Collected", digits=(16, 2),
            help="Current period: paid by the end of the range. Prior "
            "periods: paid during the range."), 'get_amounts')
    outstanding = fields.Function(fields.Numeric(
            "Outstanding", digits=(16, 2)), 'get_amounts')
    rate = fields.Function(fields.Float(
            "Collection Rate", digits=(1, 4)), 'get_amounts')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [
            ('estate', 'ASC'), ('kind', 'ASC'), ('building', 'ASC'),
            ('fee', 'ASC'), ('month', 'DESC'), ('id', 'ASC')]

    @classmethod
    def _grouping(cls):
        context = Transaction().context
        return {
            'building': bool(context.get('group_building')),
            'fee': bool(context.get('group_fee')),
            'month': bool(context.get('group_month')),
            }

    @classmethod
    def _scope(cls):
        """The tables and the condition selecting the billed lines of the
        report: (from clause, billed line, unit, invoice, condition)."""
        pool = Pool()
        Line = pool.get('property.billing.line')
        Unit = pool.get('property.unit')
        InvoiceLine = pool.get('account.invoice.line')
        Invoice = pool.get('account.invoice')
        PaymentLine = pool.get('account.invoice-account.move.line')
        MoveLine = pool.get('account.move.line')
        Move = pool.get('account.move')
        context = Transaction().context
        company, from_date, to_date = report_dates()
        line = Line.__table__()
        unit = Unit.__table__()
        invoice_line = InvoiceLine.__table__()
        invoice = Invoice.__table__()
        payment = PaymentLine.__table__()
        move_line = MoveLine.__table__()
        move = Move.__table__()
        from_ = (line
            .join(unit, condition=unit.id == line.unit)
            .join(invoice_line, condition=invoice_line.id == line.invoice_line)
            .join(invoice, condition=invoice.id == invoice_line.invoice))
        paid_in_range = (payment
            .join(move_line, condition=move_line.id == payment.line)
            .join(move, condition=move.id == move_line.move)
            .select(payment.invoice,
                where=(move.date >= from_date) & (move.date <= to_date)))
        where = (invoice.state.in_(['posted', 'paid'])
            & (line.month <= to_date)
            # arrears: bills still due, or paid during the range
            & ((line.month >= from_date)
                | (invoice.state == 'posted')
                | invoice.id.in_(paid_in_range)))
        where &= line.company == (company or -1)
        if context.get('estate'):
            where &= line.estate == context['estate']
        return from_, line, unit, invoice, where

    @classmethod
    def table_query(cls):
        _, from_date, _ = report_dates()
        from_, line, unit, _, where = cls._scope()
        grouping = cls._grouping()
        # the kind is computed in a sub-query: PostgreSQL does not take a
        # parametrised CASE of the SELECT as the one of the GROUP BY
        lines = from_.select(
            line.id, line.company, line.estate,
            unit.building.as_('building'), line.fee, line.month,
            Case((line.month >= from_date, 'current'),
                else_='prior').as_('kind'),
            where=where)
        group_by = [lines.company, lines.estate, lines.kind]
        types = {
            'building': fields.Integer('i').sql_type().base,
            'fee': fields.Integer('i').sql_type().base,
            'month': fields.Date('d').sql_type().base,
            }
        selected = []
        for name in ['building', 'fee', 'month']:
            column = getattr(lines, name)
            if grouping[name]:
                group_by.append(column)
                selected.append(column.as_(name))
            else:
                selected.append(Cast(Literal(None), types[name]).as_(name))
        return lines.select(
            Min(lines.id).as_('id'),
            lines.company.as_('company'),
            lines.estate.as_('estate'),
            lines.kind.as_('kind'),
            *selected,
            group_by=group_by)

    @classmethod
    def line_amounts(cls):
        """{billed line id: (estate, building, fee, month, kind, billed,
        due, collected)} for the billed lines of the report, from the
        bills, credit notes and payments."""
        pool = Pool()
        Line = pool.get('property.billing.line')
        Invoice = pool.get('account.invoice')
        InvoiceLine = pool.get('account.invoice.line')
        PaymentLine = pool.get('account.invoice-account.move.line')
        _, from_date, to_date = report_dates()
        from_, line, unit, invoice, where = cls._scope()
        cursor = Transaction().connection.cursor()
        cursor.execute(*from_.select(
                line.id, line.estate, unit.building, line.fee, line.month,
                invoice.id, where=where))
        scope = {r[0]: r[1:] for r in cursor}
        invoice_ids = sorted({r[4] for r in scope.values()})
        result = {}
        with without_check_access():
            for i in range(0, len(invoice_ids), 500):
                sub = invoice_ids[i:i + 500]
                invoices = Invoice.browse(sub)
                # every billed line of the bills shares the bill
                lines = defaultdict(list)
                for bl in Line.search([('invoice_line.invoice', 'in', sub)],
                        order=[('id', 'ASC')]):
                    lines[bl.invoice_line.invoice.id].append(bl)
                origins = {}
                for invoice_ in invoices:
                    for il in invoice_.lines:
                        origins[str(il)] = invoice_.id
                credited = defaultdict(Decimal)
                origin_keys = list(origins)
                for j in range(0, len(origin_keys), 500):
                    notes = {}
                    for cl in InvoiceLine.search([
                                ('origin', 'in', origin_keys[j:j + 500]),
                                ('invoice.state', 'in', ['posted', 'paid']),
                                ('invoice.invoice_date', '<=', to_date),
                                ]):
                        notes[cl.invoice] = origins[str(cl.origin)]
                    for note, original in notes.items():
                        credited[original] += note.total_amount
                paid_to = defaultdict(Decimal)
                paid_before = defaultdict(Decimal)
                for payment in PaymentLine.search([('invoice', 'in', sub)]):
                    amount = payment.line.credit - payment.line.debit
                    if payment.line.date <= to_date:
                        paid_to[payment.invoice.id] += amount
                    if payment.line.date < from_date:
                        paid_before[payment.invoice.id] += amount
                for invoice_ in invoices:
                    bls = lines[invoice_.id]
                    weights = [bl.amount for bl in bls]
                    net = invoice_.total_amount + credited[invoice_.id]
                    shares = zip(bls,
                        allocate(net, weights),
                        allocate(paid_to[invoice_.id], weights),
                        allocate(paid_before[invoice_.id], weights))
                    for bl, billed, paid, before in shares:
                        if bl.id not in scope:
                            continue
                        estate, building, fee, month, _ = scope[bl.id]
                        if isinstance(month, str):
                            month = dt.date.fromisoformat(month)
                        if month >= from_date:
                            kind, due, collected = 'current', billed, paid
                        else:
                            kind = 'prior'
                            due, collected = billed - before, paid - before
                        result[bl.id] = (estate, building, fee, month, kind,
                            billed, due, collected)
        return result

    @classmethod
    def get_amounts(cls, rows, names):
        grouping = cls._grouping()
        totals = defaultdict(lambda: [Decimal(0)] * 3)
        for (estate, building, fee, month, kind, billed, due,
                collected) in cls.line_amounts().values():
            key = (estate, kind,
                building if grouping['building'] else None,
                fee if grouping['fee'] else None,
                month if grouping['month'] else None)
            total = totals[key]
            total[0] += billed
            total[1] += due
            total[2] += collected
        result = {n: {} for n in names}
        for row in rows:
            key = (row.estate.id, row.kind,
                row.building.id if row.building else None,
                row.fee.id if row.fee else None,
                row.month)
            billed, due, collected = totals.get(key, [Decimal(0)] * 3)
            values = {
                'billed': billed,
                'due': due,
                'collected': collected,
                'outstanding': due - collected,
                'rate': float(collected / due) if due else None,
                }
            for name in names:
                result[name][row.id] = values[name]
        return result
