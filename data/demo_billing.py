# This file is part of the property service suite. See README.md.
"""Demo data of property_billing, run by data/demo.py (run_extensions).

Sets the demo company's accounting up the way an accountant would with the
"Set up Property Accounting" wizard: the Chinese chart of accounts
(应收账款, 主营业务收入-物业服务费..., 预收账款, 其他应付款-押金,
应交税费-应交增值税(销项税额)), output VAT 6%/9%/13%, CNY, fiscal years
with monthly periods covering the billing history, one product category per
kind of income. Then the fee items (收费项目) with their published rates
per estate and the fee plans of the two demo estates. Does nothing if the
company has the chart already.
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
        counts.update(create_fees(pool, company, categories, first))
    return counts


# (code, name, method, category, uom, {estate code: price}, description)
FEES = [
    ('WYF-ZZ', '物业服务费（住宅）', 'area', 'property', 'm2',
        {'YGHY': '1.80', 'CHY': '2.80'},
        '按房屋建筑面积每月计收，含公共区域保洁、秩序维护、绿化养护。'),
    ('WYF-SY', '物业服务费（商铺）', 'area', 'property', 'm2',
        {'YGHY': '4.50', 'CHY': '5.50'}, '按房屋建筑面积每月计收。'),
    ('TCF', '车位管理费', 'parking', 'parking', 'month',
        {'YGHY': '80', 'CHY': '150'}, '按产权或租赁车位每个每月计收。'),
    ('LJF', '生活垃圾处理费', 'unit', 'property', 'month',
        {'YGHY': '10', 'CHY': '10'}, '按户每月计收，由实际居住人承担。'),
    ]


def create_fees(pool, company, categories, first):
    Uom = pool.get('product.uom')
    Template = pool.get('product.template')
    Fee = pool.get('property.fee')
    Plan = pool.get('property.fee.plan')
    Estate = pool.get('property.estate')
    square_meter, = Uom.search([('symbol', '=', 'm²')])
    unit, = Uom.search([('symbol', '=', 'u')])
    # per unit and month, in hundredths so that partial months prorate
    month, = Uom.copy([unit], {
            'name': '户·月', 'symbol': '户·月', 'rounding': 0.01,
            'digits': 2})
    uoms = {'m2': square_meter, 'month': month}
    estates = {e.code: e for e in Estate.search([
                ('company', '=', company.id)])}
    fees = {}
    for code, name, method, category, uom, prices, description in FEES:
        template, = Template.create([{
                    'name': name, 'type': 'service',
                    'default_uom': uoms[uom].id,
                    'account_category': categories[category].id,
                    'products': [('create', [{'code': code}])],
                    }])
        fees[code], = Fee.create([{
                    'company': company.id, 'code': code, 'name': name,
                    'method': method, 'product': template.products[0].id,
                    'description': description,
                    'rates': [('create', [{
                                    'estate': estates[e].id,
                                    'start_date': first.replace(month=1),
                                    'unit_price': price,
                                    'approval': '杭价费〔2024〕18 号',
                                    } for e, price in prices.items()
                                if e in estates])],
                    }])
    plans = []
    for estate in estates.values():
        plans += [{
                'company': company.id, 'estate': estate.id,
                'name': f'{estate.name}住宅物业费', 'usage': 'residential',
                'fees': [('add', [fees['WYF-ZZ'].id, fees['TCF'].id])],
                'start_date': first.replace(month=1), 'bill_to': 'owner',
                }, {
                'company': company.id, 'estate': estate.id,
                'name': f'{estate.name}商铺物业费（按季）',
                'usage': 'commercial', 'cycle': 'quarterly',
                'fees': [('add', [fees['WYF-SY'].id])],
                'start_date': first.replace(month=1), 'bill_to': 'owner',
                }, {
                'company': company.id, 'estate': estate.id,
                'name': f'{estate.name}生活垃圾处理费', 'usage': 'residential',
                'fees': [('add', [fees['LJF'].id])],
                'start_date': first.replace(month=1), 'bill_to': 'tenant',
                }]
    Plan.create(plans)
    return {'fees': len(fees), 'fee plans': len(plans)}
