# This file is part of the property service suite. See README.md.
"""Wizard that sets up the accounting of a property company in one step:
the Chinese chart of accounts with output VAT, fiscal years with monthly
periods and sequences, and one product category per kind of income."""
from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.pool import Pool
from trytond.transaction import Transaction
from trytond.wizard import Button, StateTransition, StateView, Wizard

from . import accounting
from .exceptions import AccountingSetupError


class AccountingSetupStart(ModelView):
    "Set up Property Accounting"
    __name__ = 'property.billing.accounting_setup.start'
    __string__ = "Set up Property Accounting"
    company = fields.Many2One('company.company', "Company", required=True)
    first_year = fields.Integer(
        "First Fiscal Year", required=True,
        help="Calendar year of the first fiscal year to create.")
    last_year = fields.Integer(
        "Last Fiscal Year", required=True)

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_first_year(cls):
        return Pool().get('ir.date').today().year

    @classmethod
    def default_last_year(cls):
        return cls.default_first_year()


class AccountingSetup(Wizard):
    "Set up Property Accounting"
    __name__ = 'property.billing.accounting_setup'
    start = StateView('property.billing.accounting_setup.start',
        'property_billing.accounting_setup_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Set up", 'setup', 'tryton-ok', default=True),
            ])
    setup = StateTransition()

    def transition_setup(self):
        company = self.start.company
        first, last = self.start.first_year, self.start.last_year
        if not (1900 < first <= last < first + 10):
            raise AccountingSetupError(gettext(
                    'property_billing.msg_accounting_setup_years',
                    first=first, last=last))
        if accounting.has_chart(company):
            raise AccountingSetupError(gettext(
                    'property_billing.msg_accounting_setup_done',
                    company=company.rec_name))
        accounting.setup_company(company, range(first, last + 1))
        return 'end'
