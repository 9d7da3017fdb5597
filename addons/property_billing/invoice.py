# This file is part of the property service suite. See README.md.
"""Customer invoices (bills) of a property company."""
from sql import Null

from trytond import backend
from trytond.model import dualmethod, fields
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction

# Context key set by the billing run while it builds the moves of the bills
# it has created and posts them (billing.py): their lines and taxes are
# final.
BILLS_CREATED = 'property_billing_bills_created'


class Invoice(metaclass=PoolMeta):
    __name__ = 'account.invoice'

    # the estate of a bill decides which staff see it (billing_access.xml);
    # other invoices of the company have none
    estate = fields.Many2One(
        'property.estate', "Estate", readonly=True, ondelete='RESTRICT')

    @classmethod
    def __register__(cls, module):
        pool = Pool()
        BillingLine = pool.get('property.billing.line')
        InvoiceLine = pool.get('account.invoice.line')
        super().__register__(module)
        if not backend.TableHandler.table_exist(BillingLine._table):
            return
        # bills made before they had an estate: the estate they billed
        table = cls.__table__()
        billed = BillingLine.__table__()
        line = InvoiceLine.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.update([table.estate],
                [billed.join(line, condition=billed.invoice_line == line.id
                        ).select(billed.estate,
                        where=line.invoice == table.id, limit=1)],
                where=(table.estate == Null)
                & table.id.in_(line.join(billed,
                        condition=billed.invoice_line == line.id
                        ).select(line.invoice))))

    def _get_move_line(self, date, amount):
        line = super()._get_move_line(date, amount)
        # a bill without payment term is due on its bill date, not on the
        # day it happens to be posted (the platform's default): arrears and
        # dunning age from it
        if (self.type == 'out' and not self.payment_term
                and not self.payment_term_date and self.invoice_date):
            line.maturity_date = self.invoice_date
        return line

    def compute_fields(self, field_names=None):
        values = super().compute_fields(field_names=field_names)
        # account_invoice derives number_alnum and number_digit from the
        # number; for a new draft it writes None over None, a write that
        # recomputes the taxes of every new invoice a second time
        for name in ['number_alnum', 'number_digit']:
            if (name in values and values[name] is None
                    and getattr(self, name) is None):
                del values[name]
        return values

    @dualmethod
    def update_taxes(cls, invoices, exception=False):
        # Posting saves a draft invoice four times (number, payment means,
        # amount caches, state) and the platform recomputes its taxes after
        # each save, then once more in get_move to check them: 80 % of the
        # time of posting a billing run. The bills of a run get their taxes
        # from account_invoice when they are created and a change of their
        # lines before they are posted recomputes them (outside this
        # context).
        if Transaction().context.get(BILLS_CREATED):
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
