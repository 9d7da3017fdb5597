# This file is part of the property service suite. See README.md.
"""Customer invoices (bills) of a property company."""
from trytond.pool import PoolMeta


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
