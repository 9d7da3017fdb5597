#!/usr/bin/env python3
# This file is part of the property service suite. See README.md.
"""Deterministic demo data for the property service suite.

Run against a database where property_service is already activated:

    python data/demo.py --database demo --units 2000

It creates the CNY currency, the company 安居物业服务有限公司, its employees,
one user per role (password = login, demo only), two estates with buildings,
units, owners, co-owners, tenants (current and moved out), household members
and parking spaces. The random generator has a fixed seed: the same options
give the same data (dates are laid out backwards from --reference-date,
today by default, so that current and past occupancies stay current and past).

It uses the Transaction API directly (not proteus) and creates records in
batches. If the demo company already exists it says so and does nothing.
"""
import argparse
import datetime as dt
import os
import random
import sys
import time
from collections import Counter
from decimal import Decimal

COMPANY_NAME = '安居物业服务有限公司'
SEED = 20261126
BATCH = 1000
MAX_UNITS = 100000

# -- Names -----------------------------------------------------------------
# Surnames roughly by frequency: the common ones are repeated
SURNAMES = (
    '王' * 8 + '李' * 8 + '张' * 7 + '刘' * 6 + '陈' * 5 + '杨' * 3
    + '黄' * 3 + '赵' * 3 + '吴' * 2 + '周' * 2 + '徐' * 2 + '孙' * 2
    + '马' * 2 + '朱' * 2 + '胡' * 2 + '郭' * 2 + '何' * 2 + '高' * 2
    + '林' * 2 + '罗' * 2
    + '郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢'
    + '姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎'
    + '贺顾毛郝龚邵万钱严覃武戴莫孔向汤')
COMPOUND_SURNAMES = ['欧阳', '司马', '上官', '诸葛']
MALE_CHARS = (
    '伟强磊军勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆旭宁龙林阳建国峰成'
    '志新海东亮文博晨睿轩航宏伦达坤翔毅振立德荣庆')
FEMALE_CHARS = (
    '芳娜敏静丽艳娟霞秀玲燕婷雪琳洁倩颖慧莉萍红梅兰蕾欣怡佳悦彤琪晶瑶璐'
    '薇妍婧蓉凤云月丹晓雯馨嘉')
SHOP_BRANDS = [
    '鑫源', '佳乐', '福满', '华联', '百佳', '惠民', '康宁', '悦来', '金誉',
    '顺发', '好邻居', '乐活', '一品', '味道', '小确幸', '邻里']
SHOP_KINDS = [
    '便利店', '生鲜超市', '大药房', '面馆', '洗衣店', '美发工作室',
    '水果店', '房产中介', '快递驿站', '烘焙坊', '茶饮店', '五金店']
# Real mobile prefixes (1[3-9]x)
MOBILE_PREFIXES = [
    '130', '131', '132', '133', '134', '135', '136', '137', '138', '139',
    '150', '151', '152', '153', '155', '156', '157', '158', '159',
    '166', '173', '175', '176', '177', '178', '180', '181', '182', '183',
    '184', '185', '186', '187', '188', '189', '191', '198', '199']
HANGZHOU_STREETS = [
    ('西湖区', '文三路', '310012'), ('西湖区', '天目山路', '310013'),
    ('拱墅区', '莫干山路', '310005'), ('上城区', '解放路', '310009'),
    ('滨江区', '江南大道', '310051'), ('余杭区', '文一西路', '311121'),
    ('萧山区', '市心中路', '311200'), ('临平区', '迎宾路', '311100'),
    ('钱塘区', '学林街', '310018'), ('上城区', '钱江路', '310016')]

ESTATES = [
    {
        'code': 'YGHY', 'name': '阳光花园', 'share': 0.6,
        'address': '浙江省杭州市西湖区文三路 388 号',
        'district': '西湖区', 'street': '文三路 388 号', 'postal_code': '310012',
        'service_phone': '0571-8888 6001',
        'service_hours': '每日 8:00-20:00（夜间值班电话 0571-8888 6009）',
        'age': 18,   # years since delivery
        'floors': [6, 6, 7, 11, 18],
        'entrances': [1, 2, 2, 3],
        'per_floor': [2],
        'layouts': [62, 75, 89, 96, 108, 118, 126, 135],
        },
    {
        'code': 'CHY', 'name': '翠湖苑', 'share': 0.4,
        'address': '浙江省杭州市余杭区五常大道 166 号',
        'district': '余杭区', 'street': '五常大道 166 号', 'postal_code': '311121',
        'service_phone': '0571-8888 6002',
        'service_hours': '周一至周日 8:30-18:00（24 小时报修热线 0571-8888 6019）',
        'age': 9,
        'floors': [11, 18, 26, 33],
        'entrances': [1, 2],
        'per_floor': [2, 3, 4],
        'layouts': [89, 98, 110, 125, 138, 143, 156, 168, 178],
        },
    ]

# (login, name, job, group xml id)
ROLE_USERS = [
    ('manager', '周建国', '物业经理（阳光花园）', 'group_property_manager'),
    ('manager2', '林晓燕', '物业经理（翠湖苑）', 'group_property_manager'),
    ('clerk', '陈佳怡', '客服专员', 'group_property_clerk'),
    ('technician', '王立军', '维修技工', 'group_property_technician'),
    ('guard', '赵大勇', '安保队长', 'group_property_guard'),
    ('accountant', '孙丽娟', '财务会计', 'group_property_accountant'),
    ('archivist', '吴文博', '档案管理员', 'group_property_archivist'),
    ]
# What each role opens at login (res.user actions, run in this order: the
# last tab opened is the one shown), by the xml id of its act_window
ROLE_ACTIONS = {
    'manager': ['property_service.act_console_ticket',
        'property_service.act_ticket_kpi'],
    'manager2': ['property_service.act_console_ticket',
        'property_service.act_ticket_kpi'],
    'clerk': ['property_service.act_console_ticket',
        'property_service.act_ticket_form'],
    'technician': ['property_service.act_work_order_form'],
    'guard': ['property_security.act_visitor_form',
        'property_security.act_round_form'],
    'accountant': ['property_billing.act_arrears_summary',
        'property_billing.act_billing_run_form'],
    'archivist': ['property_service.act_occupancy_form',
        'property_service.act_unit_form'],
    }
# Employees without a login: (name, estate index)
OTHER_EMPLOYEES = [
    ('黄秀英', 0), ('郑雪', 1), ('何志强', 1), ('马东亮', 0)]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--database', '-d', default='demo')
    parser.add_argument('--units', type=int, default=2000,
        help="units over the demo estates (default 2000, at most %s)"
        % MAX_UNITS)
    parser.add_argument('--seed', type=int, default=SEED)
    parser.add_argument('--reference-date', type=dt.date.fromisoformat,
        default=None, help="the 'today' the history is laid out from "
        "(YYYY-MM-DD, default today)")
    args = parser.parse_args()
    if not 10 <= args.units <= MAX_UNITS:
        parser.error('--units must be between 10 and %s' % MAX_UNITS)
    return args


def building_codes():
    "A, B, ..., Z, AA, AB, ..."
    n = 0
    while True:
        n += 1
        code, m = '', n
        while m:
            m, r = divmod(m - 1, 26)
            code = chr(ord('A') + r) + code
        yield code


class Progress:
    """Prints how much of a long step is done and at what rate (the demo's
    data files call show() after each batch)"""

    def __init__(self, label, total):
        self.label, self.total = label, total
        self.started = time.monotonic()

    def show(self, done, extra=''):
        seconds = max(time.monotonic() - self.started, 1e-6)
        print('  %s %s/%s (%.1f/s, %.0f s)%s' % (
                self.label, f'{done:,}', f'{self.total:,}', done / seconds,
                seconds, extra), flush=True)


def batched(values, size=BATCH):
    for i in range(0, len(values), size):
        yield values[i:i + size]


class Generator:
    "Plans every record in plain Python first (deterministic), then writes"

    def __init__(self, rng, today, n_units):
        self.rng = rng
        self.today = today
        self.n_units = n_units
        self.phones = set()
        # parties: list of dicts with name, phone, address
        self.parties = []

    # -- helpers --
    def date_between(self, start, end):
        if end <= start:
            return start
        return start + dt.timedelta(days=self.rng.randint(0, (end - start).days))

    def years_ago(self, years, month=6, day=28):
        try:
            return self.today.replace(
                year=self.today.year - years, month=month, day=day)
        except ValueError:
            return self.today.replace(year=self.today.year - years, day=28)

    def phone(self):
        while True:
            value = self.rng.choice(MOBILE_PREFIXES) + '%08d' % (
                self.rng.randrange(10 ** 8))
            if value not in self.phones:
                self.phones.add(value)
                return value

    def given_name(self, female=None):
        if female is None:
            female = self.rng.random() < 0.5
        chars = FEMALE_CHARS if female else MALE_CHARS
        if self.rng.random() < 0.35:
            return self.rng.choice(chars)
        return ''.join(self.rng.sample(chars, 2))

    def person_name(self, surname=None, female=None):
        if surname is None:
            if self.rng.random() < 0.01:
                surname = self.rng.choice(COMPOUND_SURNAMES)
            else:
                surname = self.rng.choice(SURNAMES)
        return surname + self.given_name(female)

    def other_address(self):
        district, road, postal_code = self.rng.choice(HANGZHOU_STREETS)
        return {
            'street': '%s%s %s 号 %s 幢 %s 室' % (
                district, road, self.rng.randint(1, 999),
                self.rng.randint(1, 30),
                '%d%02d' % (self.rng.randint(1, 25), self.rng.randint(1, 4))),
            'city': '杭州市',
            'postal_code': postal_code,
            }

    def add_party(self, name, phone=True, address=None):
        self.parties.append({
                'name': name,
                'phone': self.phone() if phone else None,
                'address': address,
                })
        return len(self.parties) - 1

    # -- plan --
    def plan_units(self):
        "Buildings and units of each estate: list of (estate, buildings)"
        rng = self.rng
        plan = []
        remaining = self.n_units
        for i, estate in enumerate(ESTATES):
            if i == len(ESTATES) - 1:
                quota = remaining
            else:
                quota = round(self.n_units * estate['share'])
            remaining -= quota
            buildings = []
            codes = building_codes()
            while quota > 0:
                code = next(codes)
                floors = rng.choice(estate['floors'])
                entrances = rng.choice(estate['entrances'])
                per_floor = rng.choice(estate['per_floor'])
                street_shops = rng.random() < 0.3
                layouts = {
                    (e, k): rng.choice(estate['layouts'])
                    for e in range(1, entrances + 1)
                    for k in range(1, per_floor + 1)}
                units = []
                top = 0
                for floor in range(1, floors + 1):
                    for e in range(1, entrances + 1):
                        for k in range(1, per_floor + 1):
                            if quota <= 0:
                                break
                            commercial = street_shops and floor == 1
                            if commercial:
                                base = rng.choice([60, 72, 85, 98, 120, 150])
                            else:
                                base = layouts[(e, k)]
                            area = (Decimal(base)
                                + Decimal(rng.randint(-150, 150)) / 100)
                            area = min(max(area, Decimal(60)), Decimal(180))
                            ratio = Decimal(rng.randint(7500, 8500)) / 10000
                            number = '%02d%02d' % (floor, k)
                            units.append({
                                    'entrance': str(e),
                                    'floor': floor,
                                    'number': number,
                                    'code': '%s-%s-%s' % (code, e, number),
                                    'building_area': area.quantize(
                                        Decimal('0.01')),
                                    'usable_area': (area * ratio).quantize(
                                        Decimal('0.01')),
                                    'usage': ('commercial' if commercial
                                        else 'residential'),
                                    })
                            quota -= 1
                            top = floor
                buildings.append({
                        'code': code,
                        'name': '%s栋' % code,
                        'floors': top,
                        'units': units,
                        })
            plan.append((estate, buildings))
        return plan

    def plan_occupancies(self, estate, unit, delivery):
        """Occupancies of one unit as dicts with a party index, and the
        'kind' of the unit for the parking plan"""
        rng = self.rng
        today = self.today
        occ = []
        shop = unit['usage'] == 'commercial'
        home = '%s%s %s%s栋%s单元%s室' % (
            estate['district'], estate['street'], estate['name'],
            unit['code'].split('-')[0], unit['entrance'], unit['number'])
        home_address = {
            'street': home, 'city': '杭州市',
            'postal_code': estate['postal_code']}

        if rng.random() < 0.08:
            # still held by the developer, never sold
            return occ, None, None
        latest_start = today - dt.timedelta(days=30)
        # resale: a previous owner, the history shows it
        if rng.random() < 0.12:
            first_start = self.date_between(
                delivery, delivery + dt.timedelta(days=90))
            sold = self.date_between(
                min(delivery + dt.timedelta(days=400), latest_start),
                latest_start)
            previous = self.add_party(
                self.person_name(), address=self.other_address())
            occ.append({'party': previous, 'role': 'owner',
                    'share': Decimal(100), 'start_date': first_start,
                    'end_date': sold, 'resident': not shop,
                    'billing_contact': True})
            owner_start = sold
        else:
            owner_start = self.date_between(
                delivery, min(delivery + dt.timedelta(days=3 * 365),
                    latest_start))

        r = rng.random()
        if shop:
            mode = 'rented' if r < 0.65 else (
                'empty' if r < 0.8 else 'resident')
        else:
            mode = ('rented' if r < 0.15 else
                'empty' if r < 0.18 else
                'past_tenant' if r < 0.20 else 'resident')
        resident = mode == 'resident'

        co_owner = not shop and rng.random() < 0.25
        owner_female = rng.random() < 0.45
        surname = None
        owner_name = self.person_name(female=owner_female)
        surname = owner_name[:2] if owner_name[:2] in COMPOUND_SURNAMES \
            else owner_name[0]
        owner = self.add_party(owner_name,
            address=home_address if resident else self.other_address())
        share = Decimal(50) if co_owner else Decimal(100)
        occ.append({'party': owner, 'role': 'owner', 'share': share,
                'start_date': owner_start, 'resident': resident,
                'billing_contact': True})
        residents = [owner] if resident else []
        if co_owner:
            partner = self.add_party(
                self.person_name(female=not owner_female),
                address=home_address if resident else None)
            occ.append({'party': partner, 'role': 'co_owner',
                    'share': Decimal(50), 'start_date': owner_start,
                    'resident': resident, 'billing_contact': False})
            if resident:
                residents.append(partner)

        if resident and not shop and rng.random() < 0.55:
            # household members: children, parents; some moved away
            for _ in range(rng.choice([1, 1, 2, 2, 3])):
                member = self.add_party(
                    self.person_name(surname), phone=rng.random() < 0.4)
                start = self.date_between(owner_start, latest_start)
                end = None
                if rng.random() < 0.1:
                    end = self.date_between(
                        start + dt.timedelta(days=1),
                        today - dt.timedelta(days=1))
                occ.append({'party': member, 'role': 'member',
                        'start_date': start, 'end_date': end,
                        'resident': True, 'billing_contact': False})

        def tenant_name():
            if shop:
                return '杭州%s%s' % (
                    rng.choice(SHOP_BRANDS), rng.choice(SHOP_KINDS))
            return self.person_name()

        if mode in {'rented', 'past_tenant'}:
            tenant_from = owner_start + dt.timedelta(days=30)
            # a tenant who has moved out already (if there was time for one)
            if (mode == 'past_tenant' or rng.random() < 0.35) and (
                    tenant_from < today - dt.timedelta(days=400)):
                start = self.date_between(
                    tenant_from, today - dt.timedelta(days=400))
                end = self.date_between(
                    start + dt.timedelta(days=180),
                    min(start + dt.timedelta(days=1100),
                        today - dt.timedelta(days=20)))
                if end >= today:
                    end = today - dt.timedelta(days=1)
                past = self.add_party(
                    tenant_name(), address=self.other_address())
                occ.append({'party': past, 'role': 'tenant',
                        'start_date': start, 'end_date': end,
                        'resident': True, 'billing_contact': False})
                tenant_from = max(tenant_from, end)
            if mode == 'rented':
                start = self.date_between(
                    min(tenant_from, today - dt.timedelta(days=7)),
                    today - dt.timedelta(days=7))
                tenant = self.add_party(
                    tenant_name(), address=home_address)
                occ.append({'party': tenant, 'role': 'tenant',
                        'start_date': start, 'resident': True,
                        'billing_contact': False})
                residents.append(tenant)
                if not shop and rng.random() < 0.3:
                    member = self.add_party(self.person_name(), phone=False)
                    occ.append({'party': member, 'role': 'member',
                            'start_date': start, 'resident': True,
                            'billing_contact': False})
        return occ, owner, (residents[0] if residents else None)


def main():
    args = parse_args()
    if 'TRYTOND_CONFIG' not in os.environ:
        sys.exit('TRYTOND_CONFIG is not set (run through make demo)')
    from trytond import config
    config.update_etc(os.environ['TRYTOND_CONFIG'])
    from trytond.pool import Pool
    from trytond.transaction import Transaction

    started = time.monotonic()
    db = args.database
    Pool.start()
    pool = Pool(db)
    pool.init()

    with Transaction().start(db, 0, context={'language': 'zh_CN'}):
        Company = pool.get('company.company')
        exists = bool(
            Company.search([('party.name', '=', COMPANY_NAME)], limit=1))
    if exists:
        print("demo: 「%s」 already exists in database %r: registry kept"
            % (COMPANY_NAME, db))
    else:
        with Transaction().start(db, 0, context={'language': 'zh_CN'}):
            counts = populate(pool, args)
        with Transaction().start(db, 0, readonly=True,
                context={'language': 'zh_CN'}):
            summary(pool, counts, time.monotonic() - started)
    run_extensions(pool, db, args)
    return 0


def run_extensions(pool, db, args):
    """Demo data of the other modules: each data/demo_<name>.py defines
    MODULE (the module it needs activated) and populate(pool, args), which
    finds the demo company by COMPANY_NAME, does nothing if its data exist
    already and returns a dict of counts. Each runs in its own transaction."""
    import importlib.util
    import pathlib
    from trytond.transaction import Transaction

    extensions = []
    for path in sorted(pathlib.Path(__file__).parent.glob('demo_*.py')):
        spec = importlib.util.spec_from_file_location(path.stem, path)
        extension = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(extension)
        extensions.append((module_depth(extension.MODULE), path, extension))
    # a module's demo runs after the demos of the modules it depends on
    # (security's rectifications open desk tickets, billing bills the
    # desk's work orders, the portal logs in the registry's owners)
    extensions.sort(key=lambda e: e[:2])
    for _, path, extension in extensions:
        started = time.monotonic()
        counts = _run_extension(pool, db, extension, args)
        if counts is None:
            continue
        print("demo: %s in %.1f s: %s" % (path.stem,
                time.monotonic() - started,
                ', '.join('%s %s' % kv for kv in (counts or {}).items())
                or 'nothing to do'))


def module_depth(name, _depths={}):
    "0 for a module without dependencies, else 1 + the deepest dependency"
    from trytond.modules import get_module_info
    if name not in _depths:
        depends = get_module_info(name).get('depends', [])
        _depths[name] = 1 + max(
            (module_depth(d) for d in depends), default=-1)
    return _depths[name]


def _run_extension(pool, db, extension, args):
    """Run extension.populate in a transaction, retried with the table
    locks it asks for (posting an invoice or writing a singleton locks a
    table, which Tryton only allows from the start of a transaction: the
    RPC dispatcher retries the same way). None if its module is not
    activated."""
    from trytond.transaction import Transaction, TransactionError

    extras = {}
    while True:
        with Transaction().start(
                db, 0, context={'language': 'zh_CN'}, **extras) as transaction:
            Module = pool.get('ir.module')
            if not Module.search([
                        ('name', '=', extension.MODULE),
                        ('state', '=', 'activated')]):
                return None
            try:
                return extension.populate(pool, args)
            except TransactionError as e:
                transaction.rollback()
                e.fix(extras)


def populate(pool, args):
    from trytond.transaction import Transaction

    rng = random.Random(args.seed)
    Date = pool.get('ir.date')
    today = args.reference_date or Date.today()
    gen = Generator(rng, today, args.units)
    counts = Counter()
    t0 = time.monotonic()

    def step(label):
        nonlocal t0
        now = time.monotonic()
        print('  %-30s %6.1f s' % (label, now - t0), flush=True)
        t0 = now

    Lang = pool.get('ir.lang')
    Configuration = pool.get('ir.configuration')
    ModelData = pool.get('ir.model.data')
    Translation = pool.get('ir.translation')
    Currency = pool.get('currency.currency')
    Party = pool.get('party.party')
    Address = pool.get('party.address')
    ContactMechanism = pool.get('party.contact_mechanism')
    Company = pool.get('company.company')
    Employee = pool.get('company.employee')
    User = pool.get('res.user')
    Estate = pool.get('property.estate')
    Building = pool.get('property.building')
    Unit = pool.get('property.unit')
    Occupancy = pool.get('property.occupancy')
    ParkingSpace = pool.get('property.parking_space')

    # -- language: Chinese is the default and translated --
    zh, = Lang.search([('code', '=', 'zh_CN')])
    if not zh.translatable:
        print("warning: zh_CN translations are not loaded "
            "(run trytond-admin --all -l zh_CN)", file=sys.stderr)
        Lang.write([zh], {'translatable': True})
    configuration = Configuration(1)
    if configuration.language != 'zh_CN':
        configuration.language = 'zh_CN'
        configuration.save()
    if not Translation.search([('lang', '=', 'zh_CN')], limit=1):
        print("warning: no zh_CN translation is loaded", file=sys.stderr)

    # -- currency: the currency module ships none --
    currencies = Currency.search([('code', '=', 'CNY')], limit=1)
    if currencies:
        cny, = currencies
    else:
        with Transaction().set_context(language='en'):
            cny, = Currency.create([{
                        'name': 'Yuan Renminbi', 'code': 'CNY',
                        'numeric_code': '156', 'symbol': '¥',
                        'rounding': Decimal('0.01'), 'digits': 2,
                        }])
        with Transaction().set_context(language='zh_CN'):
            Currency.write([cny], {'name': '人民币'})
        counts['currencies'] += 1

    def create_parties(values):
        "Create parties in batches, their codes taken many at once"
        records = []
        for chunk in batched(values):
            sequence = Party._code_sequence()
            if sequence:
                # one sequence update per batch instead of one per party
                for v, code in zip(chunk, sequence.get_many(n=len(chunk))):
                    v['code'] = code
            records.extend(Party.create(chunk))
        return records

    # -- company --
    company_party, = create_parties([{'name': COMPANY_NAME}])
    ContactMechanism.create([
            {'party': company_party.id, 'type': 'phone',
                'value': '0571-8888 6000'},
            {'party': company_party.id, 'type': 'email',
                'value': 'service@anju-wuye.example.com'}])
    # China: the default country of phone numbers typed without +86
    Country = pool.get('country.country')
    china = (Country.search([('code', '=', 'CN')], limit=1)
        or Country.create([{'name': '中国', 'code': 'CN'}]))[0]
    Address.create([{'party': company_party.id,
                'street_unstructured': '西湖区天目山路 181 号 安居大厦 12 楼',
                'city': '杭州市', 'postal_code': '310013',
                'country': china.id}])
    company, = Company.create([{
                'party': company_party.id, 'currency': cny.id,
                'timezone': 'Asia/Shanghai'}])
    counts['companies'] += 1

    with Transaction().set_context(company=company.id):
        # -- employees and users --
        employee_names = [n for _, n, _, _ in ROLE_USERS] + [
            n for n, _ in OTHER_EMPLOYEES]
        employee_parties = create_parties([{'name': n} for n in employee_names])
        ContactMechanism.create([{
                    'party': p.id, 'type': 'mobile', 'value': gen.phone()}
                for p in employee_parties])
        employees = Employee.create([{
                    'party': p.id, 'company': company.id,
                    'start_date': gen.date_between(
                        gen.years_ago(12), gen.years_ago(1)),
                    } for p in employee_parties])
        by_login = {login: e
            for (login, *_), e in zip(ROLE_USERS, employees)}
        others = employees[len(ROLE_USERS):]
        counts['employees'] += len(employees)

        # -- estates --
        plan = gen.plan_units()
        estate_staff = [
            [by_login[l].id for l in (
                    'manager', 'clerk', 'technician', 'guard', 'accountant',
                    'archivist')]
            + [e.id for e, (_, i) in zip(others, OTHER_EMPLOYEES) if i == 0],
            [e.id for e, (_, i) in zip(others, OTHER_EMPLOYEES) if i == 1],
            ]
        managers = [by_login['manager'].id, by_login['manager2'].id]
        estates = Estate.create([{
                    'company': company.id,
                    'code': e['code'], 'name': e['name'],
                    'address': e['address'],
                    'service_phone': e['service_phone'],
                    'service_hours': e['service_hours'],
                    'manager': managers[i],
                    'staff': [('add', estate_staff[i])],
                    } for i, (e, _) in enumerate(plan)])
        counts['estates'] += len(estates)

        lang_id = zh.id
        ActWindow = pool.get('ir.action.act_window')

        def start_actions(login):
            "ir.action ids of the role's start screens (modules activated)"
            ids = []
            for xml_id in ROLE_ACTIONS.get(login, []):
                module, fs_id = xml_id.split('.')
                try:
                    window = ActWindow(ModelData.get_id(module, fs_id))
                except KeyError:
                    continue
                ids.append(window.action.id)
            return ids

        users = User.create([{
                    'login': login, 'name': name,
                    'password_hash': User.hash_password(login),
                    'email': '%s@anju-wuye.example.com' % login,
                    'language': lang_id,
                    'companies': [('add', [company.id])],
                    'company': company.id,
                    'employees': [('add', [by_login[login].id])],
                    'employee': by_login[login].id,
                    'groups': [('add', [
                                ModelData.get_id('property_service', group)])],
                    'actions': [('add', start_actions(login))],
                    } for login, name, _, group in ROLE_USERS])
        counts['users'] += len(users)
        admin, = User.search([('login', '=', 'admin')])
        User.write([admin], {
                'password_hash': User.hash_password('admin'),
                'language': lang_id,
                'companies': [('add', [company.id])],
                'company': company.id,
                })
        # company, users and (with billing) the chart are made here: no
        # module configuration wizard at the admin's first login
        ConfigItem = pool.get('ir.module.config_wizard.item')
        ConfigItem.write(ConfigItem.search([]), {'state': 'done'})
        step('company, staff, users')

        # -- buildings and units --
        unit_rows = []  # (estate plan, unit plan, unit id)
        for estate, (estate_plan, buildings) in zip(estates, plan):
            records = Building.create([{
                        'estate': estate.id, 'code': b['code'],
                        'name': b['name'], 'floors': b['floors'],
                        } for b in buildings])
            counts['buildings'] += len(records)
            values = []
            for building, b in zip(records, buildings):
                for u in b['units']:
                    values.append(dict(u,
                            estate=estate.id, building=building.id))
                    unit_rows.append((estate_plan, u))
            ids = []
            for chunk in batched(values):
                ids.extend(r.id for r in Unit.create(chunk))
            counts['units'] += len(ids)
            for (estate_plan, u), id_ in zip(
                    unit_rows[len(unit_rows) - len(ids):], ids):
                u['id'] = id_
        step('buildings, units')

        # -- plan occupancies and parties (pure python, deterministic) --
        occupancies = []
        unit_owner = {}      # unit id -> owner party index
        unit_resident = {}   # unit id -> a resident party index
        deliveries = {e['code']: gen.years_ago(e['age'], 9, 28)
            for e in ESTATES}
        for estate_plan, u in unit_rows:
            occ, owner, resident = gen.plan_occupancies(
                estate_plan, u, deliveries[estate_plan['code']])
            for o in occ:
                o['unit'] = u['id']
            occupancies.extend(occ)
            if owner is not None:
                unit_owner[u['id']] = (estate_plan['code'], owner)
            if resident is not None:
                unit_resident[u['id']] = (estate_plan['code'], resident)

        # -- parties --
        party_ids = [p.id for p in create_parties(
                [{'name': p['name']} for p in gen.parties])]
        mechanisms = [{'party': pid, 'type': 'mobile', 'value': p['phone']}
            for pid, p in zip(party_ids, gen.parties) if p['phone']]
        for chunk in batched(mechanisms):
            ContactMechanism.create(chunk)
        addresses = [{
                'party': pid,
                'street_unstructured': p['address']['street'],
                'city': p['address']['city'],
                'postal_code': p['address']['postal_code'],
                } for pid, p in zip(party_ids, gen.parties) if p['address']]
        for chunk in batched(addresses):
            Address.create(chunk)
        counts['parties'] += len(party_ids)
        counts['mobiles'] += len(mechanisms)
        counts['addresses'] += len(addresses)
        step('parties')

        # -- occupancies (unit states follow on create) --
        for o in occupancies:
            o['party'] = party_ids[o['party']]
        # keep all the occupancies of a unit in the same batch
        occupancies.sort(key=lambda o: o['unit'])
        chunk = []
        for i, o in enumerate(occupancies):
            chunk.append(o)
            if len(chunk) >= BATCH and (
                    i + 1 == len(occupancies)
                    or occupancies[i + 1]['unit'] != o['unit']):
                Occupancy.create(chunk)
                chunk = []
        if chunk:
            Occupancy.create(chunk)
        counts['occupancies'] += len(occupancies)
        step('occupancies, unit states')

        # a few vacant units are being renovated (by their owners)
        vacant = Unit.search([('state', '=', 'vacant')], order=[('id', 'ASC')])
        renovating = [u for u in vacant
            if u.id in unit_owner and rng.random() < 0.12]
        if renovating:
            Unit.write(renovating, {'state': 'renovating'})
        counts['renovating'] += len(renovating)

        # -- parking spaces --
        spaces = []
        for estate, (estate_plan, _) in zip(estates, plan):
            code = estate_plan['code']
            owned = [(u, party_ids[p]) for u, (c, p) in unit_owner.items()
                if c == code]
            living = [(u, party_ids[p]) for u, (c, p) in unit_resident.items()
                if c == code]
            n_units = sum(1 for e, _ in unit_rows if e['code'] == code)
            total = max(1, round(n_units * 0.45))
            rng.shuffle(owned)
            rng.shuffle(living)
            for n in range(total):
                zone = 'B%d' % (1 + n // 400)
                values = {
                    'estate': estate.id,
                    'code': '%s-%03d' % (zone, 1 + n % 400),
                    'location': '地下%s层 %s 区' % (
                        zone[1:], 'ABCD'[(n % 400) // 100]),
                    }
                r = rng.random()
                if r < 0.5 and owned:
                    unit, holder = owned.pop()
                    values.update(kind='owned', holder=holder, unit=unit)
                elif r < 0.8 and living:
                    unit, holder = living.pop()
                    values.update(kind='leased', holder=holder, unit=unit)
                else:
                    values.update(kind='temporary')
                spaces.append(values)
        for chunk in batched(spaces):
            ParkingSpace.create(chunk)
        counts['parking_spaces'] += len(spaces)
        step('parking spaces')
    return counts


def summary(pool, counts, seconds):
    Estate = pool.get('property.estate')
    Occupancy = pool.get('property.occupancy')
    ParkingSpace = pool.get('property.parking_space')
    print("demo: created in database (seed %s):" % SEED)
    for name in ['currencies', 'companies', 'employees', 'users', 'estates',
            'buildings', 'units', 'parties', 'mobiles', 'addresses',
            'occupancies', 'renovating', 'parking_spaces']:
        print('  %-16s %8d' % (name, counts[name]))
    print('  occupancies by role (current / ended):')
    for role in ['owner', 'co_owner', 'tenant', 'member']:
        print('    %-12s %6d / %d' % (role,
                Occupancy.search_count(
                    [('role', '=', role), ('current', '=', True)]),
                Occupancy.search_count(
                    [('role', '=', role), ('current', '=', False)])))
    print('  parking spaces: %s' % ', '.join(
            '%s %d' % (kind, ParkingSpace.search_count([('kind', '=', kind)]))
            for kind in ['owned', 'leased', 'temporary']))
    for estate in Estate.search([]):
        print('  %s (%s): %d units, %d occupied, vacancy %.1f %%, %s m²' % (
                estate.name, estate.code, estate.unit_count,
                estate.occupied_count, 100 * (estate.vacancy_rate or 0),
                estate.total_building_area))
    print('demo: done in %.1f s' % seconds)


if __name__ == '__main__':
    sys.exit(main())
