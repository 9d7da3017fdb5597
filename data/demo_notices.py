# This file is part of the property service suite. See README.md.
"""Demo notices (通告/公示, run by data/demo.py): for each demo estate a
quarter's worth of notices as a service center posts them: announcements,
a water outage for one building, a community activity, a public disclosure
and a financial disclosure (财务公示) with its statement attached, plus a
draft, an expired notice and a withdrawn one (with its reason), so that
the staff's tabs and the portal's filtering both have something to show.
Dates are laid out backwards from --reference-date (today by default)."""
import datetime as dt

MODULE = 'property_service'
COMPANY_NAME = '安居物业服务有限公司'

# (days ago published, days valid or None, category, title, body,
#  first building only, state)
NOTICES = [
    (2, 7, 'outage', "{building}计划停水通知",
        "尊敬的业主/住户：\n因二次供水设备年度清洗消毒，{building}将于"
        "{d+3} 9:00-17:00 暂停供水。请提前做好储水准备，停水期间请关闭家中水龙头，"
        "以免恢复供水时跑水。给您带来不便，敬请谅解。\n{estate}物业服务中心",
        True, 'published'),
    (5, 30, 'activity', "“邻里一家亲”社区秋季运动会报名开始",
        "{estate}第三届社区秋季运动会将于{d+20}上午在中心广场举行，设亲子接力、"
        "趣味跳绳、乒乓球等项目。即日起可在业主门户或物业服务中心报名，"
        "名额有限，报满即止。\n{estate}物业服务中心",
        False, 'published'),
    (9, None, 'financial', "{quarter}物业服务费及公共收益收支情况公示",
        "根据《物业管理条例》及业主大会议事规则，现将{quarter}物业服务费及"
        "公共收益收支情况公示如下：\n"
        "一、物业服务费收入 {fee} 元，收缴率 {rate}%；\n"
        "二、公共收益（广告位、临时停车、场地租赁）收入 {income} 元；\n"
        "三、公共收益支出 {spent} 元（电梯维保、绿化补种、监控系统升级）；\n"
        "四、公共收益结余 {balance} 元，存入业主共有资金专户。\n"
        "明细见附件。公示期 30 天，如有疑问请于公示期内向物业服务中心或业主委员会"
        "书面提出。\n{estate}物业服务中心",
        False, 'published'),
    (16, 30, 'disclosure', "电梯年度检验结果公示",
        "本小区全部电梯已于上月通过特种设备检验机构年度检验，检验结论均为“合格”，"
        "合格证已张贴于各电梯轿厢内。电梯维保单位：杭州安达电梯工程有限公司，"
        "24 小时救援电话 0571-8777 1234。\n{estate}物业服务中心",
        False, 'published'),
    (24, None, 'announcement', "关于规范电动自行车停放充电的公告",
        "为消除火灾隐患，根据消防部门要求，严禁电动自行车进楼入户、在楼道及"
        "安全出口停放充电。小区已在各楼栋旁增设智能充电桩，请业主规范停放、"
        "集中充电。对楼道内停放的电动自行车，物业将劝导移至充电区。\n"
        "{estate}物业服务中心",
        False, 'published'),
    (35, 14, 'safety', "台风“海葵”防御提示",
        "据气象部门预报，台风将于近日影响我市。请业主关好门窗，收好阳台花盆及"
        "晾晒衣物，地下车库车辆请尽量移至地面高处。物业已启动防台预案，"
        "24 小时值班。\n{estate}物业服务中心",
        False, 'published'),
    (12, None, 'notice', "关于更换小区门禁卡的通知（已撤回）",
        "原定本月起分批更换小区门禁卡，具体安排见后续通知。\n{estate}物业服务中心",
        False, 'withdrawn'),
    (0, None, 'notice', "{next_year}年春节期间物业服务安排",
        "春节期间物业服务中心值班时间为 9:00-17:00，24 小时报修热线照常。"
        "（草稿，待经理审核）",
        False, 'draft'),
    ]


def populate(pool, args):
    from trytond.transaction import Transaction

    Company = pool.get('company.company')
    Estate = pool.get('property.estate')
    Notice = pool.get('property.notice')
    Attachment = pool.get('ir.attachment')
    Date = pool.get('ir.date')

    companies = Company.search([('party.name', '=', COMPANY_NAME)], limit=1)
    if not companies:
        return {}
    company, = companies
    estates = Estate.search([('company', '=', company.id)],
        order=[('code', 'DESC')])
    if not estates or Notice.search(
            [('estate', 'in', [e.id for e in estates])], limit=1):
        return {}
    today = getattr(args, 'reference_date', None) or Date.today()
    quarter_end = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1
        ) - dt.timedelta(days=1)
    quarter = f"{quarter_end.year}年第{(quarter_end.month - 1) // 3 + 1}季度"
    counts = {'notices': 0, 'attachments': 0}
    with Transaction().set_context(company=company.id):
        for n, estate in enumerate(estates):
            building = estate.buildings[0] if estate.buildings else None
            units = estate.unit_count or 0
            # round figures in proportion to the estate's size (demo only)
            fee = 2_000 * (units or 1000) + 38_500 * (n + 1)
            income, spent = 186_400 + 52_300 * n, 121_750 + 31_200 * n
            for (ago, days, category, title, body, one_building,
                    state) in NOTICES:
                published = today - dt.timedelta(days=ago)
                words = {
                    'estate': estate.name,
                    'building': building.name if building else '',
                    'quarter': quarter,
                    'next_year': today.year + 1,
                    'fee': f'{fee:,.2f}',
                    'rate': f'{92.6 - 1.8 * n:.1f}',
                    'income': f'{income:,.2f}',
                    'spent': f'{spent:,.2f}',
                    'balance': f'{income - spent:,.2f}',
                    'ads': f'{income * 45 // 100:,.2f}',
                    'parking': f'{income * 40 // 100:,.2f}',
                    'venue': f'{income - income * 45 // 100 - income * 40 // 100:,.2f}',
                    'elevator': f'{spent // 2:,.2f}',
                    'green': f'{spent // 5:,.2f}',
                    'cctv': f'{spent - spent // 2 - spent // 5:,.2f}',
                    }
                body = body.replace(
                    '{d+3}', (published + dt.timedelta(days=3)).strftime(
                        '%-m月%-d日')).replace(
                    '{d+20}', (published + dt.timedelta(days=20)).strftime(
                        '%-m月%-d日'))
                notice, = Notice.create([{
                            'company': company.id,
                            'estate': estate.id,
                            'buildings': ([('add', [building.id])]
                                if one_building and building else []),
                            'category': category,
                            'title': title.format(**words),
                            'body': body.format(**words),
                            'publish_date': (published
                                if state != 'draft' else None),
                            'expiry_date': (published
                                + dt.timedelta(days=days) if days else None),
                            'author': estate.manager.id
                            if estate.manager else None,
                            }])
                counts['notices'] += 1
                if category == 'financial':
                    Attachment.create([{
                                'resource': str(notice),
                                'name': f"{quarter}收支明细.csv",
                                'data': statement(words).encode('utf-8-sig'),
                                }])
                    counts['attachments'] += 1
                if state == 'draft':
                    continue
                if notice.expiry_date and notice.expiry_date < today:
                    # published back then, expired since: its history as
                    # the publish button would have written it
                    Notice.write([notice], {
                            'state': 'published',
                            'published_at': dt.datetime.combine(
                                published, dt.time(9)),
                            })
                else:
                    Notice.publish([notice])
                if state == 'withdrawn':
                    Notice.write([notice], {'withdraw_reason':
                            "门禁系统供应商调整，换卡安排另行通知"})
                    Notice.withdraw([notice])
    return counts


def statement(words):
    "The financial disclosure's attachment: a CSV a spreadsheet opens"
    rows = [
        ("项目", "金额（元）"),
        ("物业服务费收入", words['fee']),
        ("广告位收益", words['ads']),
        ("临时停车收益", words['parking']),
        ("场地租赁收益", words['venue']),
        ("公共收益收入合计", words['income']),
        ("电梯维保", words['elevator']),
        ("绿化补种", words['green']),
        ("监控系统升级", words['cctv']),
        ("公共收益支出合计", words['spent']),
        ("公共收益结余", words['balance']),
        ]
    return '\n'.join(','.join(f'"{c}"' for c in row) for row in rows) + '\n'
