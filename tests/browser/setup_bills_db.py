"""Add bills to a database filled by setup_sao_db.py, for the portal bills
screenshot (tests/test_browser_bills.py).

    python setup_bills_db.py <database> [<config file> ...]

Sets up the company's accounts (物业财务初始化, fiscal year 2026), a fee
物业服务费 of 2.80 ¥/m² billed to the owners, bills September and October
2026, pays September at the counter with 100 ¥ more kept as prepayment
(which pays part of October) and records the owner's online payment of
October with a transfer receipt, waiting for the cashier."""
import datetime as dt
import sys
from decimal import Decimal

PNG = b'\x89PNG\r\n\x1a\n' + b'\0' * 64


def main(database, *config_files):
    from trytond import config
    if config_files:
        config.update_etc(list(config_files))
    from trytond.modules.property_billing.accounting import setup_company
    from trytond.pool import Pool
    from trytond.transaction import Transaction, TransactionError

    Pool(database).init()
    # posting takes its locks by restarting the transaction, as the server
    # does for a request
    extras = {}
    while True:
        with Transaction().start(database, 0, **extras) as transaction:
            try:
                fill(database, transaction, setup_company)
                break
            except TransactionError as exception:
                transaction.rollback()
                exception.fix(extras)
    print(f'{database}: bills of September to November 2026')


def fill(database, transaction, setup_company):
    "Everything in one transaction, committed by the caller"
    from trytond.pool import Pool
    pool = Pool()
    Company = pool.get('company.company')
    User = pool.get('res.user')
    Estate = pool.get('property.estate')
    Occupancy = pool.get('property.occupancy')
    Template = pool.get('product.template')
    Uom = pool.get('product.uom')
    Fee = pool.get('property.fee')
    Plan = pool.get('property.fee.plan')
    Period = pool.get('account.period')
    Run = pool.get('property.billing.run')
    Receipt = pool.get('property.receipt')
    Method = pool.get('account.invoice.payment.method')
    Invoice = pool.get('account.invoice')
    Request = pool.get('property.payment.request')
    WebUser = pool.get('web.user')

    company, = Company.search([])
    admin, = User.search([('login', '=', 'admin')])
    with transaction.set_context(company=company.id,
            companies=[company.id]):
        _, categories = setup_company(company, [2026])
        estate, = Estate.search([('code', '=', 'YGHY')])
        occupancies = Occupancy.search([('role', '=', 'owner')])
        Occupancy.write(occupancies, {'start_date': dt.date(2020, 1, 1)})
        for occupancy in occupancies:
            if not occupancy.party.addresses:
                occupancy.party.addresses = [{}]
                occupancy.party.save()
        square_meter, = Uom.search([('symbol', '=', 'm²')])
        template, = Template.create([{
                    'name': '物业服务费', 'type': 'service',
                    'default_uom': square_meter.id,
                    'account_category': categories['property'].id,
                    'products': [('create', [{}])]}])
        fee, = Fee.create([{
                    'code': 'WYF', 'name': '物业服务费', 'method': 'area',
                    'product': template.products[0].id,
                    'rates': [('create', [{
                                    'start_date': dt.date(2026, 1, 1),
                                    'unit_price': Decimal('2.80')}])]}])
        Plan.create([{'name': '住宅物业费', 'estate': estate.id,
                    'fees': [('add', [fee.id])], 'bill_to': 'owner',
                    'start_date': dt.date(2026, 1, 1)}])

        def bill(month):
            period, = Period.search([
                    ('start_date', '=', dt.date(2026, month, 1)),
                    ('type', '=', 'standard')])
            run, = Run.create([{'period': period.id,
                        'invoice_date': period.start_date,
                        'estates': [('add', [estate.id])]}])
            Run.bill([run])
        bill(9)
        owner = WebUser.search([])[0].party
        unit = [o.unit for o in occupancies if o.party == owner][0]
        september, = Invoice.search([('party', '=', owner.id)])
        cash, = Method.search([('name', '=', '现金')])
        receipt, = Receipt.create([{
                    'estate': estate.id, 'unit': unit.id,
                    'party': owner.id, 'date': dt.date(2026, 9, 10),
                    'payment_method': cash.id,
                    'amount': september.total_amount + 100,
                    'prepay_excess': True,
                    'invoices': [('add', [september.id])]}])
        Receipt.post([receipt])
        bill(10)
        bill(11)
        october, = Invoice.search([('party', '=', owner.id),
                ('invoice_date', '=', dt.date(2026, 10, 1))])
        Request.request_payment(owner, unit, [october], 'wechat',
            proof=('transfer-receipt.png', PNG))


if __name__ == '__main__':
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    main(*sys.argv[1:])
