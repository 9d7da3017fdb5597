# This file is part of the property service suite. See README.md.
"""Customer invoices (bills) of a property company."""
from trytond.model import dualmethod
from trytond.pool import PoolMeta
from trytond.transaction import Transaction

# Context key set by the billing run around Invoice.post of the bills it has
# just created (billing.py): their lines and taxes are final.
BILLS_CREATED = 'property_billing_bills_created'


class Invoice(metaclass=PoolMeta):
    __name__ = 'account.invoice'

    def _get_move_line(self, date, amount):
        line = super()._get_move_line(date, amount)
        # a bill without payment term is due on its bill date, not on the
        # day it happens to be posted (the platform's default): arrears and
        # dunning age from it
        if (self.type == 'out' and not self.payment_term
                and not self.payment_term_date and self.invoice_date):
            line.maturity_date = self.invoice_date
        return line

    @dualmethod
    def update_taxes(cls, invoices, exception=False):
        # Posting saves a draft invoice four times (number, payment means,
        # amount caches, state) and the platform recomputes its taxes after
        # each save: 80 % of the time of posting a billing run. The bills of
        # a run get their taxes when they are created and their lines do not
        # change while they are posted, so only the check that get_move
        # makes (exception=True) is kept.
        if (not exception
                and Transaction().context.get(BILLS_CREATED)):
            return
        super().update_taxes(invoices, exception=exception)

    @classmethod
    def _check_taxes(cls, invoices):
        # The check warns when a line's taxes differ from those its product
        # would get now (on_change_product). The run has just set them from
        # on_change_product for the same product, tax rule and date.
        if Transaction().context.get(BILLS_CREATED):
            return
        super()._check_taxes(invoices)
