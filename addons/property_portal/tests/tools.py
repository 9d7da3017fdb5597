# This file is part of the property service suite. See README.md.
from trytond.pool import Pool


def create_estate(code, name, building, **values):
    "A property company in CNY with one estate of one building"
    pool = Pool()
    Currency = pool.get('currency.currency')
    Company = pool.get('company.company')
    Party = pool.get('party.party')
    Estate = pool.get('property.estate')

    cny, = Currency.create([{'name': "人民币", 'code': 'CNY', 'symbol': '¥'}])
    company_party, = Party.create([{'name': "安居物业"}])
    company, = Company.create([{'party': company_party.id,
                'currency': cny.id}])
    estate, = Estate.create([{
                'company': company.id, 'code': code, 'name': name,
                'buildings': [('create', [{
                                'code': building, 'name': f"{building}栋"}])],
                **values}])
    return estate
