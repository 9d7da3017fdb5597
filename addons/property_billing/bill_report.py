# This file is part of the property service suite. See README.md.
"""The bill notice (缴费通知单) of a customer invoice: one page per bill,
that is per unit, party and period, with the fee lines, taxes, what is still
due, the unit's earlier arrears, the prepayment held and how to pay.

Its report name ``property.billing.bill`` is also what the owner portal
downloads."""
from decimal import Decimal

from trytond.i18n import gettext
from trytond.pool import Pool
from trytond.transaction import without_check_access

from .exceptions import PrintError
from .printing import PropertyReport
from .receipt import prepayment_balance


class BillReport(PropertyReport):
    "Bill Notice (缴费通知单)"
    __name__ = 'property.billing.bill'

    @classmethod
    def get_context(cls, records, header, data):
        pool = Pool()
        Invoice = pool.get('account.invoice')
        context = super().get_context(records, header, data)
        invoices = Invoice.browse([r.id for r in records])
        for invoice in invoices:
            if invoice.type != 'out' or invoice.state not in {
                    'posted', 'paid'}:
                raise PrintError(gettext(
                        'property_billing.msg_print_bill_state',
                        invoice=invoice.rec_name))
        # the user may read the bills (checked by the report engine): the
        # figures around them (billed units, other bills, the prepayment
        # account) are printed whatever their accounting access
        with without_check_access():
            context['bills'] = [
                bill_values(i) for i in Invoice.browse(invoices)]
        return context


def bill_values(invoice):
    "What a bill notice prints about invoice, as plain values"
    pool = Pool()
    BillingLine = pool.get('property.billing.line')
    Method = pool.get('account.invoice.payment.method')
    lines = [l for l in invoice.lines if l.type == 'line']
    billed = BillingLine.search([
            ('invoice_line', 'in', [l.id for l in lines]),
            ], order=[('month', 'ASC')])
    unit = billed[0].unit if billed else None
    months = sorted({b.month for b in billed})
    arrears = []
    if unit:
        # earlier bills of the same unit and party still unpaid
        earlier = BillingLine.search([
                ('unit', '=', unit.id),
                ('party', '=', invoice.party.id),
                ('invoice_line.invoice.state', '=', 'posted'),
                ('invoice_line.invoice.id', '!=', invoice.id),
                ('invoice_line.invoice.invoice_date', '<=',
                    invoice.invoice_date),
                ])
        seen = set()
        for line in earlier:
            other = line.invoice_line.invoice
            if other.id in seen or (other.invoice_date, other.id) > (
                    invoice.invoice_date, invoice.id):
                continue
            seen.add(other.id)
            if other.amount_to_pay:
                arrears.append(other)
        arrears.sort(key=lambda i: (i.invoice_date, i.id))
    maturity = [l.maturity_date for l in invoice.lines_to_pay
        if l.maturity_date]
    methods = Method.search([('company', '=', invoice.company.id)],
        order=[('id', 'ASC')])
    prepayment = prepayment_balance(
        invoice.company, [invoice.party])[invoice.party.id]
    arrears_amount = sum((i.amount_to_pay for i in arrears), Decimal(0))
    return {
        'invoice': invoice,
        'company': invoice.company,
        'currency': invoice.currency,
        'party': invoice.party,
        'address': invoice.invoice_address,
        'unit': unit,
        'estate': unit.estate if unit else None,
        'building': unit.building if unit else None,
        'first_month': months[0] if months else None,
        'last_month': months[-1] if months else None,
        'lines': [{
                'description': l.description or (
                    l.product.rec_name if l.product else ''),
                'quantity': l.quantity,
                'uom': l.unit.symbol if l.unit else '',
                'unit_price': l.unit_price,
                'amount': l.amount,
                'taxes': '、'.join(t.name for t in l.taxes),
                } for l in lines],
        'taxes': [{
                'description': t.description,
                'base': t.base,
                'amount': t.amount,
                } for t in invoice.taxes],
        'due_date': min(maturity) if maturity else invoice.invoice_date,
        'amount_to_pay': invoice.amount_to_pay,
        'arrears': arrears,
        'arrears_amount': arrears_amount,
        'prepayment': prepayment,
        # the prepayment is shown apart: it pays the next bills by itself
        'total_due': invoice.amount_to_pay + arrears_amount,
        'methods': [m.name for m in methods],
        }
