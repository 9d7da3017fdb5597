"""Fill a freshly activated database for the sao smoke test.

    python setup_sao_db.py <database> [<config file> ...]

The configuration files are read in order, the last one winning (as with
`trytond -c a.conf b.conf`); without any, trytond reads TRYTOND_CONFIG.
Makes zh_CN the admin's language and creates a currency CNY, a company, the
estate 阳光花园 with one building and the units A-1-0101 and A-1-0102, all as
the superuser in one transaction, gives the admin user that company and marks
the first-login configuration wizard as done. Where property_portal is
activated, each unit gets an owner and the first owner a portal account,
and two notices are published for the estate (one 财务公示).
"""
import sys
from decimal import Decimal

UNIT_CODES = ('A-1-0101', 'A-1-0102')
PORTAL_OWNER = 'owner@example.com'
PORTAL_PASSWORD = 'owner-demo-password'
NOTICES = [
    ('financial', '2026年第三季度公共收益收支情况公示',
        '公共收益收入 186,400.00 元，支出 121,750.00 元，结余 64,650.00 元。'),
    ('outage', 'A 栋计划停水通知',
        '因二次供水设备清洗，A 栋将于本周六 9:00-17:00 暂停供水。'),
    ]


def main(database, *config_files):
    from trytond import config
    if config_files:
        config.update_etc(list(config_files))
    # import after the configuration is complete
    from trytond.pool import Pool
    from trytond.transaction import Transaction

    Pool(database).init()
    with Transaction().start(database, 0) as transaction:
        pool = Pool()
        Lang = pool.get('ir.lang')
        Currency = pool.get('currency.currency')
        Party = pool.get('party.party')
        Company = pool.get('company.company')
        User = pool.get('res.user')
        Estate = pool.get('property.estate')
        Building = pool.get('property.building')
        Unit = pool.get('property.unit')

        zh_cn, = Lang.search([('code', '=', 'zh_CN')])
        if not zh_cn.translatable:
            raise SystemExit(
                'zh_CN is not translatable: run trytond-admin with -l zh_CN')

        currency, = Currency.create([{
                    'name': '人民币',
                    'code': 'CNY',
                    'symbol': '¥',
                    'rounding': Decimal('0.01'),
                    'digits': 2,
                    }])
        party, = Party.create([{'name': '阳光物业服务有限公司'}])
        company, = Company.create([{
                    'party': party.id,
                    'currency': currency.id,
                    'timezone': 'Asia/Shanghai',
                    }])
        estate, = Estate.create([{
                    'company': company.id,
                    'code': 'YGHY',
                    'name': '阳光花园',
                    'address': '上海市浦东新区阳光路 1 号',
                    }])
        building, = Building.create([{
                    'estate': estate.id,
                    'code': 'A',
                    'name': 'A 栋',
                    'floors': 18,
                    }])
        Unit.create([{
                    'building': building.id,
                    'entrance': '1',
                    'floor': 1,
                    'number': code.rsplit('-', 1)[1],
                    'code': code,
                    'building_area': Decimal('89.50'),
                    'usable_area': Decimal('72.30'),
                    'usage': 'residential',
                    } for code in UNIT_CODES])

        units = Unit.search([('code', 'in', UNIT_CODES)],
            order=[('code', 'ASC')])
        Module = pool.get('ir.module')
        if Module.search([('name', '=', 'property_portal'),
                    ('state', '=', 'activated')]):
            # an owner for each unit; the first one gets a portal account
            Occupancy = pool.get('property.occupancy')
            WebUser = pool.get('web.user')
            owners = Party.create([{'name': n} for n in ['王秀英', '李建国']])
            Occupancy.create([{
                        'unit': u.id, 'party': p.id, 'role': 'owner',
                        'share': Decimal(100)}
                    for u, p in zip(units, owners)])
            WebUser.create([{
                        'email': PORTAL_OWNER, 'party': owners[0].id,
                        'email_valid': True,
                        'password_hash': WebUser.hash_password(
                            PORTAL_PASSWORD)}])
            # notices for the portal's notices page (property_service)
            Notice = pool.get('property.notice')
            notices = Notice.create([{
                        'estate': estate.id, 'category': category,
                        'title': title, 'body': body,
                        } for category, title, body in NOTICES])
            Notice.publish(notices)

        admin, = User.search([('login', '=', 'admin')])
        User.write([admin], {
                'language': zh_cn.id,
                'companies': [('add', [company.id])],
                'company': company.id,
                })
        # no "module configuration" wizard on the first login
        ConfigItem = pool.get('ir.module.config_wizard.item')
        ConfigItem.write(ConfigItem.search([]), {'state': 'done'})
        transaction.commit()
    print(f'{database}: company, estate 阳光花园, units {", ".join(UNIT_CODES)}')


if __name__ == '__main__':
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    main(*sys.argv[1:])
