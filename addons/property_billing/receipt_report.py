# This file is part of the property service suite. See README.md.
"""The receipt (收据) of a posted counter receipt and the deposit receipt
(押金收据) of a received deposit: amount in figures and in capital
numerals (大写), what was paid, how and to whom. A draft is never printed:
it has paid nothing."""
from trytond.i18n import gettext
from trytond.pool import Pool
from trytond.transaction import without_check_access

from .exceptions import PrintError
from .printing import PropertyReport


class ReceiptReport(PropertyReport):
    "Receipt (收据)"
    __name__ = 'property.receipt'

    @classmethod
    def get_context(cls, records, header, data):
        pool = Pool()
        Receipt = pool.get('property.receipt')
        context = super().get_context(records, header, data)
        receipts = Receipt.browse([r.id for r in records])
        for receipt in receipts:
            if receipt.state != 'posted':
                raise PrintError(gettext(
                        'property_billing.msg_print_receipt_draft',
                        receipt=receipt.rec_name or receipt.id))
        # the user may read the receipts (checked by the report engine):
        # the bills and units they paid are printed with them
        with without_check_access():
            context['receipts'] = [
                receipt_values(r) for r in Receipt.browse(receipts)]
        return context


def receipt_values(receipt):
    pool = Pool()
    ReceiptInvoice = pool.get('property.receipt-account.invoice')
    BillingLine = pool.get('property.billing.line')
    paid = ReceiptInvoice.search([('receipt', '=', receipt.id)])
    paid.sort(key=lambda p: (p.invoice.invoice_date, p.invoice.id))
    units = []
    if receipt.unit:
        units.append(receipt.unit)
    lines = [l.id for p in paid for l in p.invoice.lines]
    for line in BillingLine.search([('invoice_line', 'in', lines)]):
        if line.unit not in units:
            units.append(line.unit)
    cashier = receipt.write_uid or receipt.create_uid
    return {
        'receipt': receipt,
        'company': receipt.company,
        'currency': receipt.company.currency,
        'units': units,
        'paid': [{
                'invoice': p.invoice,
                'amount': p.amount,
                } for p in paid if p.amount],
        'cashier': cashier.name if cashier else '',
        }


class DepositReport(PropertyReport):
    "Deposit Receipt (押金收据)"
    __name__ = 'property.deposit'

    @classmethod
    def get_context(cls, records, header, data):
        Deposit = Pool().get('property.deposit')
        context = super().get_context(records, header, data)
        deposits = Deposit.browse([r.id for r in records])
        for deposit in deposits:
            if deposit.state == 'draft':
                raise PrintError(gettext(
                        'property_billing.msg_print_deposit_draft',
                        deposit=deposit.rec_name))
        context['deposits'] = [{
                'deposit': d,
                'company': d.company,
                'currency': d.company.currency,
                'number': d.number,
                'cashier': (d.create_uid.name if d.create_uid else ''),
                } for d in deposits]
        return context
