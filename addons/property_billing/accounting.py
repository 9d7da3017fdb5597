# This file is part of the property service suite. See README.md.
"""Accounting set-up of a Chinese property-management company.

The chart of accounts template (account_chart_cn.xml) is instantiated for a
company with the platform's own "Create Chart" wizard; fiscal years get
monthly periods and their own move and invoice sequences; one accounting
product category per kind of income carries the revenue account and the
default output VAT (6% for property services), which a fee can change by
choosing another category.

Used by data/demo_billing.py, the tests and the benchmark: a company set up
here is what a real one looks like after the accountant ran the same
wizards by hand (see README.rst).
"""
import datetime as dt

from trytond.pool import Pool
from trytond.transaction import Transaction

CHART = 'account_template_root'
RECEIVABLE = '1122'
PAYABLE = '2202'
PREPAYMENT = '2203'
DEPOSIT = '224101'
CASH = '1001'
BANK = '100201'
WECHAT = '101201'
ALIPAY = '101202'
CARD = '101203'
DEFAULT_REVENUE = '600101'
DEFAULT_EXPENSE = '6602'

# (key, category name, revenue account code, tax template xml id)
INCOME_CATEGORIES = [
    ('property', '物业服务费', '600101', 'tax_template_vat_6'),
    ('parking', '停车服务费', '600102', 'tax_template_vat_6'),
    ('water', '水费', '600103', 'tax_template_vat_9'),
    ('electricity', '电费', '600104', 'tax_template_vat_13'),
    ('renovation', '装修管理费', '600105', 'tax_template_vat_6'),
    ('repair', '有偿维修服务', '600106', 'tax_template_vat_6'),
    ('late_fee', '滞纳金', '630101', None),
    ]


def template_id(xml_id):
    return Pool().get('ir.model.data').get_id('property_billing', xml_id)


def get_account(company, code):
    "The company's account created from the template of that code"
    Account = Pool().get('account.account')
    account, = Account.search([
            ('company', '=', company.id),
            ('code', '=', code),
            ], limit=1)
    return account


def get_tax(company, xml_id):
    Tax = Pool().get('account.tax')
    tax, = Tax.search([
            ('company', '=', company.id),
            ('template', '=', template_id(xml_id)),
            ], limit=1)
    return tax


def has_chart(company):
    Account = Pool().get('account.account')
    return bool(Account.search([
                ('company', '=', company.id),
                ('template', '=', template_id(CHART)),
                ], limit=1))


def create_chart(company):
    """Create the chart of accounts and taxes from the template and make
    1122 应收账款 / 2202 应付账款 the parties' default accounts."""
    pool = Pool()
    AccountTemplate = pool.get('account.account.template')
    CreateChart = pool.get('account.create_chart', type='wizard')

    session_id, _, _ = CreateChart.create()
    try:
        wizard = CreateChart(session_id)
        wizard.account.account_template = AccountTemplate(template_id(CHART))
        wizard.account.company = company
        wizard.transition_create_account()
        wizard.properties.company = company
        wizard.properties.account_receivable = get_account(
            company, RECEIVABLE)
        wizard.properties.account_payable = get_account(company, PAYABLE)
        wizard.properties.category_account_revenue = get_account(
            company, DEFAULT_REVENUE)
        wizard.properties.category_account_expense = get_account(
            company, DEFAULT_EXPENSE)
        wizard.transition_create_properties()
    finally:
        CreateChart.delete(session_id)


def create_fiscal_year(company, year):
    """Create the calendar fiscal year with monthly periods, a move
    sequence and invoice sequences (e.g. 收费2026-000001)."""
    pool = Pool()
    FiscalYear = pool.get('account.fiscalyear')
    Sequence = pool.get('ir.sequence.strict')
    SequenceType = pool.get('ir.sequence.type')
    InvoiceSequence = pool.get('account.fiscalyear.invoice_sequence')
    ModelData = pool.get('ir.model.data')

    move_type = SequenceType(ModelData.get_id(
            'account', 'sequence_type_account_move'))
    invoice_type = SequenceType(ModelData.get_id(
            'account_invoice', 'sequence_type_account_invoice'))

    def sequence(name, type_, prefix):
        sequence = Sequence(
            name=f'{name} {year}', sequence_type=type_, company=company,
            prefix=f'{prefix}{year}-', padding=6)
        sequence.save()
        return sequence
    fiscalyear = FiscalYear(
        name=f'{year}年度', company=company,
        start_date=dt.date(year, 1, 1), end_date=dt.date(year, 12, 31),
        move_sequence=sequence('会计凭证', move_type, 'PZ'),
        invoice_sequences=[InvoiceSequence(
                company=company,
                out_invoice_sequence=sequence('收费单', invoice_type, 'SF'),
                out_credit_note_sequence=sequence(
                    '红字收费单', invoice_type, 'HZ'),
                in_invoice_sequence=sequence(
                    '供应商发票', invoice_type, 'GF'),
                in_credit_note_sequence=sequence(
                    '供应商红字发票', invoice_type, 'GH'),
                )])
    fiscalyear.save()
    FiscalYear.create_period([fiscalyear])
    return fiscalyear


def create_income_categories(company):
    "One accounting product category per kind of income: {key: category}"
    pool = Pool()
    Category = pool.get('product.category')
    categories = {}
    with Transaction().set_context(company=company.id):
        for key, name, code, tax in INCOME_CATEGORIES:
            category = Category(
                name=name, accounting=True,
                account_revenue=get_account(company, code),
                account_expense=get_account(company, DEFAULT_EXPENSE),
                customer_taxes=[get_tax(company, tax)] if tax else [])
            category.save()
            categories[key] = category
    return categories


# (name, account code): how owners pay at the counter (收款方式)
PAYMENT_METHODS = [
    ('现金', CASH),
    ('银行卡', CARD),
    ('微信支付', WECHAT),
    ('支付宝', ALIPAY),
    ('银行转账', BANK),
    ]


def create_payment_methods(company):
    "The counter's payment methods, each on its cash or clearing account"
    pool = Pool()
    Journal = pool.get('account.journal')
    Method = pool.get('account.invoice.payment.method')
    journal, = Journal.search([('type', '=', 'cash')], limit=1)
    methods = []
    for name, code in PAYMENT_METHODS:
        account = get_account(company, code)
        methods.append(Method(
                company=company, name=name, journal=journal,
                debit_account=account, credit_account=account))
    Method.save(methods)
    return methods


def setup_company(company, years):
    """Chart, taxes, fiscal years with monthly periods, income categories,
    payment methods and the default dunning procedure for a company that
    has no chart yet."""
    create_chart(company)
    fiscal_years = [create_fiscal_year(company, y) for y in sorted(years)]
    categories = create_income_categories(company)
    create_payment_methods(company)
    # 催缴: default dunning procedure with the late fee (dunning.py)
    from .dunning import create_dunning_procedure
    create_dunning_procedure(company, categories['late_fee'])
    return fiscal_years, categories
