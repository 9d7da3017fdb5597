# This file is part of the property service suite. See README.md.
"""Arrears (欠费): what is still owed on the bills, by age.

Read from the accounting data, not from a parallel ledger: the receivable
lines (1122) of the posted, unpaid customer invoices that billing runs
created, less the partial payments linked to them (the payment lines of
the invoice not reconciled yet). A bill is placed in an age bucket by the
days between its due date and the date of the report (today by default):
not due, 1-30, 31-90, 91-180 and over 180 days overdue.

Two views: one line per bill (property.arrears) and totals per estate,
building, unit or party (property.arrears.summary). Both carry the estate,
so the estate record rules restrict the staff to the estates they work
for."""
import datetime as dt
from decimal import Decimal

from sql import Literal, Null
from sql.aggregate import Count, Max, Min, Sum
from sql.conditionals import Case, Coalesce

from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

BUCKETS = [
    ('not_due', "Not Due"),
    ('1_30', "1-30 Days"),
    ('31_90', "31-90 Days"),
    ('91_180', "91-180 Days"),
    ('over_180', "Over 180 Days"),
    ]
# bucket: (more than, at most) days overdue
BUCKET_DAYS = [
    ('not_due', None, 0),
    ('1_30', 0, 30),
    ('31_90', 30, 90),
    ('91_180', 90, 180),
    ('over_180', 180, None),
    ]


def report_date():
    Date = Pool().get('ir.date')
    return Transaction().context.get('date') or Date.today()


def bucket_case(maturity_date, date):
    "SQL CASE giving the age bucket of a due date at date"
    whens = []
    for key, _, most in BUCKET_DAYS:
        if most is None:
            continue
        # at most `most` days overdue: due on or after date - most
        whens.append((maturity_date >= date - dt.timedelta(days=most),
                key))
    return Case(*whens, else_='over_180')


class Arrears(ModelSQL, ModelView):
    "Arrears (欠费明细): one line per bill still owed"
    __name__ = 'property.arrears'
    __string__ = "Arrears"

    company = fields.Many2One('company.company', "Company", readonly=True)
    estate = fields.Many2One(
        'property.estate', "Estate", required=True, readonly=True)
    building = fields.Many2One(
        'property.building', "Building", readonly=True)
    unit = fields.Many2One('property.unit', "Unit", readonly=True)
    party = fields.Many2One(
        'party.party', "Party", readonly=True,
        context={'company': Eval('company', -1)}, depends={'company'})
    invoice = fields.Many2One('account.invoice', "Bill", readonly=True)
    invoice_date = fields.Date("Bill Date", readonly=True)
    maturity_date = fields.Date("Due Date", readonly=True)
    amount = fields.Numeric("Amount", digits=(16, 2), readonly=True,
        help="Amount of the bill still open in the ledger.")
    paid = fields.Numeric("Paid", digits=(16, 2), readonly=True,
        help="Partial payments received on the bill.")
    amount_due = fields.Numeric("Amount Due", digits=(16, 2), readonly=True)
    bucket = fields.Selection(BUCKETS, "Age", readonly=True)
    days_overdue = fields.Function(
        fields.Integer("Days Overdue"), 'get_days_overdue')
    disputed = fields.Boolean("Disputed", readonly=True)
    dunning_level = fields.Function(fields.Many2One(
            'account.dunning.level', "Dunning Level"), 'get_dunning_level')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('estate')
        cls._order = [
            ('maturity_date', 'ASC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        pool = Pool()
        Invoice = pool.get('account.invoice')
        MoveLine = pool.get('account.move.line')
        InvoicePayment = pool.get('account.invoice-account.move.line')
        InvoiceLine = pool.get('account.invoice.line')
        BillingLine = pool.get('property.billing.line')
        Unit = pool.get('property.unit')
        context = Transaction().context
        date = report_date()

        invoice = Invoice.__table__()
        line = MoveLine.__table__()
        pay_rel = InvoicePayment.__table__()
        pay_line = MoveLine.__table__()
        invoice_line = InvoiceLine.__table__()
        billing_line = BillingLine.__table__()
        unit = Unit.__table__()

        # the open part of each posted bill's receivable
        open_ = line.join(invoice, condition=(line.move == invoice.move)
            & (line.account == invoice.account)
            ).select(
                invoice.id.as_('invoice'),
                Sum(line.debit - line.credit).as_('amount'),
                Min(line.maturity_date).as_('maturity_date'),
                where=(line.reconciliation == Null)
                & (invoice.type == 'out')
                & (invoice.state == 'posted')
                & (invoice.invoice_date <= date)
                & ((invoice.company == context['company'])
                    if context.get('company') else Literal(True)),
                group_by=[invoice.id])
        # partial payments linked to the bill and not reconciled yet
        paid = pay_rel.join(pay_line,
            condition=pay_rel.line == pay_line.id
            ).select(
                pay_rel.invoice.as_('invoice'),
                Sum(pay_line.credit - pay_line.debit).as_('paid'),
                where=pay_line.reconciliation == Null,
                group_by=[pay_rel.invoice])
        # the unit billed (bills of billing runs only)
        billed = billing_line.join(invoice_line,
            condition=billing_line.invoice_line == invoice_line.id
            ).select(
                invoice_line.invoice.as_('invoice'),
                Max(billing_line.unit).as_('unit'),
                group_by=[invoice_line.invoice])

        paid_amount = Coalesce(paid.paid, 0)
        due = open_.amount - paid_amount
        return (open_
            .join(invoice, condition=invoice.id == open_.invoice)
            .join(billed, condition=billed.invoice == open_.invoice)
            .join(unit, condition=unit.id == billed.unit)
            .join(paid, 'LEFT', condition=paid.invoice == open_.invoice)
            .select(
                open_.invoice.as_('id'),
                invoice.company.as_('company'),
                unit.estate.as_('estate'),
                unit.building.as_('building'),
                unit.id.as_('unit'),
                invoice.party.as_('party'),
                open_.invoice.as_('invoice'),
                invoice.invoice_date.as_('invoice_date'),
                open_.maturity_date.as_('maturity_date'),
                open_.amount.as_('amount'),
                paid_amount.as_('paid'),
                due.as_('amount_due'),
                bucket_case(open_.maturity_date, date).as_('bucket'),
                Coalesce(invoice.disputed, False).as_('disputed'),
                where=due > 0))

    def get_days_overdue(self, name):
        return max((report_date() - self.maturity_date).days, 0)

    @classmethod
    def get_dunning_level(cls, records, name):
        Dunning = Pool().get('account.dunning')
        result = {r.id: None for r in records}
        invoice_ids = [r.invoice.id for r in records]
        for sub in (invoice_ids[i:i + 500]
                for i in range(0, len(invoice_ids), 500)):
            for dunning in Dunning.search([
                        ('line.move.origin', 'in',
                            ['account.invoice,%s' % i for i in sub]),
                        ]):
                result[dunning.invoice.id] = dunning.level.id
        return result


GROUPS = [
    ('estate', "Estate"),
    ('building', "Building"),
    ('unit', "Unit"),
    ('party', "Party"),
    ]


class ArrearsContext(ModelView):
    "Arrears Context"
    __name__ = 'property.arrears.context'
    __string__ = "Arrears Context"
    date = fields.Date(
        "Date", required=True,
        help="Bills are aged by the days overdue at this date.")
    group_by = fields.Selection(GROUPS, "Totals by", required=True)

    @classmethod
    def default_date(cls):
        return Pool().get('ir.date').today()

    @classmethod
    def default_group_by(cls):
        return 'party'


class ArrearsSummary(ModelSQL, ModelView):
    "Arrears by estate, building, unit or party (欠费汇总), by age"
    __name__ = 'property.arrears.summary'
    __string__ = "Arrears Summary"

    company = fields.Many2One('company.company', "Company", readonly=True)
    estate = fields.Many2One(
        'property.estate', "Estate", required=True, readonly=True)
    building = fields.Many2One(
        'property.building', "Building", readonly=True)
    unit = fields.Many2One('property.unit', "Unit", readonly=True)
    party = fields.Many2One(
        'party.party', "Party", readonly=True,
        context={'company': Eval('company', -1)}, depends={'company'})
    bills = fields.Integer("Bills", readonly=True)
    not_due = fields.Numeric("Not Due", digits=(16, 2), readonly=True)
    days_1_30 = fields.Numeric("1-30 Days", digits=(16, 2), readonly=True)
    days_31_90 = fields.Numeric("31-90 Days", digits=(16, 2), readonly=True)
    days_91_180 = fields.Numeric(
        "91-180 Days", digits=(16, 2), readonly=True)
    days_over_180 = fields.Numeric(
        "Over 180 Days", digits=(16, 2), readonly=True)
    overdue = fields.Numeric("Overdue", digits=(16, 2), readonly=True)
    total = fields.Numeric("Total Due", digits=(16, 2), readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('estate')
        cls._order = [('total', 'DESC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        Arrears = Pool().get('property.arrears')
        group_by = Transaction().context.get('group_by') or 'party'
        keys = {
            'estate': ['estate'],
            'building': ['estate', 'building'],
            'unit': ['estate', 'building', 'unit'],
            'party': ['estate', 'party'],
            }.get(group_by, ['estate', 'party'])
        arrears = Arrears.table_query()
        columns = [Min(arrears.id).as_('id'),
            Min(arrears.company).as_('company')]
        for name in ['estate', 'building', 'unit', 'party']:
            column = getattr(arrears, name)
            columns.append(
                (column if name in keys else Literal(None)).as_(name))
        columns.append(Count(arrears.id).as_('bills'))
        for key, _, _ in BUCKET_DAYS:
            name = 'days_' + key if key != 'not_due' else key
            columns.append(Sum(Case((arrears.bucket == key,
                            arrears.amount_due), else_=0)).as_(name))
        columns.append(Sum(Case((arrears.bucket != 'not_due',
                        arrears.amount_due), else_=0)).as_('overdue'))
        columns.append(Sum(arrears.amount_due).as_('total'))
        return arrears.select(*columns,
            group_by=[getattr(arrears, k) for k in keys])
