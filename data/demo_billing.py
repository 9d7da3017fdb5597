# This file is part of the property service suite. See README.md.
"""Demo data of property_billing, run by data/demo.py (run_extensions).

Sets the demo company's accounting up the way an accountant would with the
"Set up Property Accounting" wizard: the Chinese chart of accounts
(应收账款, 主营业务收入-物业服务费..., 预收账款, 其他应付款-押金,
应交税费-应交增值税(销项税额)), output VAT 6%/9%/13%, CNY, fiscal years
with monthly periods covering the billing history, one product category per
kind of income. Does nothing if the company has the chart already.
"""
import datetime as dt

MODULE = 'property_billing'
HISTORY_MONTHS = 3


def populate(pool, args):
    from trytond.modules.property_billing import accounting
    from trytond.transaction import Transaction

    from demo import COMPANY_NAME

    Company = pool.get('company.company')
    Date = pool.get('ir.date')
    companies = Company.search([('party.name', '=', COMPANY_NAME)], limit=1)
    if not companies:
        return {}
    company, = companies
    today = getattr(args, 'reference_date', None) or Date.today()
    first = (today.replace(day=1) - dt.timedelta(days=31 * HISTORY_MONTHS))
    counts = {}
    with Transaction().set_context(company=company.id):
        if accounting.has_chart(company):
            return {}
        fiscal_years, categories = accounting.setup_company(
            company, range(first.year, today.year + 1))
        Account = pool.get('account.account')
        counts['accounts'] = Account.search_count(
            [('company', '=', company.id)])
        counts['fiscal years'] = len(fiscal_years)
        counts['income categories'] = len(categories)
    return counts

