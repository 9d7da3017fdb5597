# This file is part of the property service suite. See README.md.
import datetime as dt
from decimal import Decimal

from trytond.modules.company.tests import (
    CompanyTestMixin, create_company, set_company)
from trytond.modules.currency.tests import add_currency_rate, create_currency
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction

from trytond.modules.property_billing.accounting import get_account, setup_company
from trytond.modules.property_billing.exceptions import AccountingSetupError


def create_cny_company(name="安居物业服务有限公司"):
    cny = create_currency('CNY')
    cny.symbol, cny.digits, cny.rounding = '¥', 2, Decimal('0.01')
    cny.save()
    add_currency_rate(cny, 1)
    return create_company(name=name, currency=cny)


class PropertyBillingTestCase(CompanyTestMixin, ModuleTestCase):
    "Test Property Billing module"
    module = 'property_billing'

    @with_transaction()
    def test_accounting_setup(self):
        "The chart has the accounts and taxes a property company needs"
        pool = Pool()
        Period = pool.get('account.period')
        company = create_cny_company()
        with set_company(company):
            fiscal_years, categories = setup_company(company, [2026])

            receivable = get_account(company, '1122')
            self.assertEqual(receivable.name, '应收账款')
            self.assertTrue(receivable.type.receivable)
            self.assertTrue(receivable.party_required)
            for code, name in [
                    ('2203', '预收账款'),
                    ('224101', '其他应付款-押金'),
                    ('22210102', '应交税费-应交增值税(销项税额)')]:
                account = get_account(company, code)
                self.assertEqual(account.name, name)
                # liabilities: balance sheet, not assets
                self.assertEqual(account.type.statement, 'balance')
                self.assertFalse(account.type.assets)
            income = get_account(company, '600101')
            self.assertEqual(income.name, '主营业务收入-物业服务费')
            self.assertTrue(income.type.revenue)
            self.assertEqual(
                [t.rate for t in categories['property'].customer_taxes],
                [Decimal('0.06')])
            self.assertEqual(
                categories['property'].account_revenue, income)
            self.assertEqual(
                [t.rate for t in categories['water'].customer_taxes],
                [Decimal('0.09')])
            self.assertEqual(
                categories['late_fee'].customer_taxes, ())

            periods = Period.search([
                    ('fiscalyear', '=', fiscal_years[0].id),
                    ('type', '=', 'standard')], order=[('start_date', 'ASC')])
            self.assertEqual(len(periods), 12)
            self.assertEqual(
                (periods[1].start_date, periods[1].end_date),
                (dt.date(2026, 2, 1), dt.date(2026, 2, 28)))

    @with_transaction()
    def test_invoice_posts_to_chinese_accounts(self):
        "A property fee invoice posts to 应收账款, income and output VAT"
        pool = Pool()
        Party = pool.get('party.party')
        Invoice = pool.get('account.invoice')
        InvoiceLine = pool.get('account.invoice.line')
        Template = pool.get('product.template')
        Uom = pool.get('product.uom')
        company = create_cny_company()
        with set_company(company):
            _, categories = setup_company(company, [2026])
            party = Party(name="张伟", addresses=[{}])
            party.save()
            unit, = Uom.search([('symbol', '=', 'm²')])
            template = Template(
                name="物业服务费", type='service', default_uom=unit,
                account_category=categories['property'],
                products=[{}])
            template.save()
            product, = template.products
            invoice = Invoice(
                type='out', party=party, invoice_date=dt.date(2026, 3, 1),
                currency=company.currency)
            invoice.on_change_party()
            invoice.set_journal()
            line = InvoiceLine(
                invoice=invoice, type='line', company=company,
                currency=company.currency, product=product)
            line.on_change_product()
            line.quantity = Decimal('89.50')
            line.unit_price = Decimal('2.8000')
            invoice.lines = [line]
            invoice.save()
            Invoice.post([invoice])
            # 89.50 m² x 2.80 = 250.60; VAT 6% = 15.04
            self.assertEqual(invoice.untaxed_amount, Decimal('250.60'))
            self.assertEqual(invoice.tax_amount, Decimal('15.04'))
            self.assertTrue(invoice.number.startswith('SF2026-'))
            totals = {
                line.account.code: line.debit - line.credit
                for line in invoice.move.lines}
            self.assertEqual(totals, {
                    '1122': Decimal('265.64'),
                    '600101': Decimal('-250.60'),
                    '22210102': Decimal('-15.04'),
                    })

    @with_transaction()
    def test_accounting_setup_wizard_twice_refused(self):
        "Setting up a company that has the chart is refused"
        pool = Pool()
        Setup = pool.get('property.billing.accounting_setup', type='wizard')
        company = create_cny_company()
        with set_company(company):
            setup_company(company, [2026])
            session_id, _, _ = Setup.create()
            wizard = Setup(session_id)
            wizard.start.company = company
            wizard.start.first_year = wizard.start.last_year = 2027
            with self.assertRaises(AccountingSetupError):
                wizard.transition_setup()
            wizard.start.first_year = 2028
            with self.assertRaises(AccountingSetupError):
                wizard.transition_setup()


del ModuleTestCase
