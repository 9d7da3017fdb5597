# This file is part of the property service suite. See README.md.
"""Notices in the owner portal: an owner reads the published, unexpired
notices of her estate and building, newest first; drafts, withdrawn and
expired notices, other buildings' and other estates' notices answer 404
like ids that do not exist; a former tenant reads nothing any more."""
import datetime as dt
import re
from decimal import Decimal

from trytond.pool import Pool
from trytond.tests.test_tryton import RouteTestCase

from .tools import create_estate

OWNERS = {
    # email: (name, password, estate, building, number, moved out)
    'wang@example.com': ("王秀英", 'secret-wang', 'YGHY', 0, '0101', False),
    'li@example.com': ("李建国", 'secret-li', 'CHY', 0, '0101', False),
    'zhao@example.com': ("赵敏", 'secret-zhao', 'YGHY', 1, '0101', True),
    }
CSV = '"项目","金额（元）"\n"公共收益结余","64,650.00"\n'.encode('utf-8-sig')


class PortalNoticeTestCase(RouteTestCase):
    "Test notices in the owner portal"
    module = 'property_portal'
    language = 'zh_CN'

    @classmethod
    def setUpDatabase(cls):
        pool = Pool()
        Party = pool.get('party.party')
        Estate = pool.get('property.estate')
        Building = pool.get('property.building')
        Unit = pool.get('property.unit')
        Occupancy = pool.get('property.occupancy')
        WebUser = pool.get('web.user')
        Notice = pool.get('property.notice')
        Attachment = pool.get('ir.attachment')
        Date = pool.get('ir.date')

        yghy = create_estate('YGHY', "阳光花园", 'A')
        Building.create([{'estate': yghy.id, 'code': 'B', 'name': "B栋"}])
        chy, = Estate.create([{'company': yghy.company.id, 'code': 'CHY',
                    'name': "翠湖苑", 'buildings': [('create', [
                                {'code': 'A', 'name': "A栋"}])]}])
        estates = {'YGHY': Estate(yghy.id), 'CHY': chy}
        today = Date.today()
        day = dt.timedelta(days=1)
        for email, (name, password, code, building, number,
                moved_out) in OWNERS.items():
            party, = Party.create([{'name': name}])
            unit, = Unit.create([{
                        'building': estates[code].buildings[building].id,
                        'number': number, 'building_area': Decimal(90)}])
            Occupancy.create([{'unit': unit.id, 'party': party.id,
                        'role': 'tenant' if moved_out else 'owner',
                        'share': None if moved_out else Decimal(100),
                        'start_date': today - 100 * day,
                        'end_date': today - 2 * day if moved_out else None,
                        }])
            WebUser.create([{'email': email, 'party': party.id,
                        'email_valid': True,
                        'password_hash': WebUser.hash_password(password)}])

        yghy = estates['YGHY']
        building_a, building_b = sorted(yghy.buildings, key=lambda b: b.code)

        def notice(key, estate, title, ago, **values):
            record, = Notice.create([{'estate': estate.id,
                        'category': values.pop('category', 'notice'),
                        'title': title, 'body': f"{title}的内容。",
                        'publish_date': today - ago * day, **values}])
            cls.notices[key] = record.id
            return record

        cls.notices = {}
        published = [
            notice('old', yghy, "电梯年度检验结果公示", 20,
                category='disclosure'),
            notice('financial', yghy, "第三季度公共收益收支公示", 3,
                category='financial'),
            notice('outage_a', yghy, "A栋停水通知", 1, category='outage',
                buildings=[('add', [building_a.id])]),
            notice('outage_b', yghy, "B栋停电通知", 1, category='outage',
                buildings=[('add', [building_b.id])]),
            notice('newest', yghy, "中秋游园活动", 0, category='activity'),
            notice('other_estate', chy, "翠湖苑绿化养护通知", 0),
            notice('future', yghy, "下周消防演练", -3),
            notice('withdrawn', yghy, "门禁卡更换（已撤回）", 2,
                withdraw_reason="另行通知"),
            ]
        Notice.publish(published)
        Notice.withdraw([Notice(cls.notices['withdrawn'])])
        notice('draft', yghy, "春节值班安排（草稿）", 0)
        expired = notice('expired', yghy, "台风防御提示", 30,
            expiry_date=today - 20 * day)
        Notice.write([expired], {'state': 'published'})
        Attachment.create([{'resource': str(Notice(cls.notices['financial'])),
                    'name': "收支明细.csv", 'data': CSV}])

    def url(self, path):
        return f'/{self.db_name}/portal/{path}'

    def login(self, email):
        client = self.client()
        page = client.get(self.url('login')).get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([0-9a-f]+)"',
            page).group(1)
        response = client.post(self.url('login'), data={'email': email,
                'password': OWNERS[email][1], 'csrf_token': token})
        self.assertEqual(response.status_code, 303)
        return client

    def api(self, email):
        client = self.client()
        response = client.post(self.url('api/login'), json={
                'email': email, 'password': OWNERS[email][1]})
        return client, {'Authorization':
            f"Bearer {response.json['session']}"}

    def test_list_newest_first_own_estate_and_building(self):
        "The owner of A栋 reads her estate's and building's notices"
        client = self.login('wang@example.com')
        response = client.get(self.url('notices'))
        self.assertEqual(response.status_code, 200)
        page = response.get_data(as_text=True)
        self.assertIn('通知公告', page)
        titles = ["中秋游园活动", "A栋停水通知", "第三季度公共收益收支公示",
            "电梯年度检验结果公示"]
        positions = [page.find(t) for t in titles]
        self.assertNotIn(-1, positions)
        self.assertEqual(positions, sorted(positions))
        self.assertIn('财务公示', page)
        for absent in ["B栋停电通知", "翠湖苑绿化养护通知", "下周消防演练",
                "已撤回", "草稿", "台风防御提示"]:
            self.assertNotIn(absent, page)

    def test_dashboard_shows_latest_three(self):
        "The dashboard shows the three latest notices"
        client = self.login('wang@example.com')
        page = client.get(self.url('dashboard')).get_data(as_text=True)
        self.assertIn('最新公告', page)
        for title in ["中秋游园活动", "A栋停水通知", "第三季度公共收益收支公示"]:
            self.assertIn(title, page)
        self.assertNotIn("电梯年度检验结果公示", page)
        self.assertNotIn("B栋停电通知", page)

    def test_detail_and_attachment(self):
        "A notice's page shows its text and its attachment downloads"
        client = self.login('wang@example.com')
        response = client.get(self.url(
                'notices/%d' % self.notices['financial']))
        self.assertEqual(response.status_code, 200)
        page = response.get_data(as_text=True)
        self.assertIn("第三季度公共收益收支公示的内容。", page)
        link, = re.findall(r'href="([^"]*/attachments/\d+)"', page)
        response = client.get(link)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.get_data(), CSV)
        self.assertEqual(response.headers['Content-Type'],
            'application/octet-stream')
        self.assertTrue(response.headers['Content-Disposition'].startswith(
                'attachment;'))
        self.assertEqual(response.headers['X-Content-Type-Options'],
            'nosniff')
        # the attachment through another notice of hers: not found
        other = link.replace('notices/%d/' % self.notices['financial'],
            'notices/%d/' % self.notices['newest'])
        self.assertEqual(client.get(other).status_code, 404)

    def test_hidden_notices_not_found(self):
        """Drafts, withdrawn, expired, future, other buildings' and other
        estates' notices answer like a notice that does not exist"""
        client = self.login('wang@example.com')
        missing = client.get(self.url('notices/999999'))
        self.assertEqual(missing.status_code, 404)
        for key in ['draft', 'withdrawn', 'expired', 'future', 'outage_b',
                'other_estate']:
            response = client.get(self.url('notices/%d' % self.notices[key]))
            self.assertEqual(response.status_code, 404, msg=key)
            self.assertEqual(response.get_data(), missing.get_data(),
                msg=key)
        # and the owner of 翠湖苑 does not read 阳光花园's
        client = self.login('li@example.com')
        response = client.get(self.url(
                'notices/%d' % self.notices['financial']))
        self.assertEqual(response.status_code, 404)
        self.assertIn("翠湖苑绿化养护通知",
            client.get(self.url('notices')).get_data(as_text=True))

    def test_former_tenant_reads_nothing(self):
        "A tenant who moved out no longer reads the estate's notices"
        client = self.login('zhao@example.com')
        page = client.get(self.url('notices')).get_data(as_text=True)
        self.assertIn('您所在小区目前没有公告', page)
        self.assertNotIn("中秋游园活动", page)
        self.assertEqual(client.get(self.url(
                    'notices/%d' % self.notices['newest'])).status_code, 404)

    def test_no_session(self):
        "Without a valid session the notices redirect to the login"
        for cookie in [None, 'f' * 64]:
            client = self.client()
            if cookie:
                client.set_cookie('portal_session', cookie,
                    path=f'/{self.db_name}/portal/')
            for path in ['notices', 'notices/%d' % self.notices['newest']]:
                response = client.get(self.url(path))
                self.assertEqual(response.status_code, 303, msg=path)
                self.assertTrue(
                    response.headers['Location'].endswith('/login'))
        response = self.client().get(self.url('api/notices'))
        self.assertEqual(response.status_code, 401)

    def test_api(self):
        "The JSON endpoints answer the same notices"
        client, headers = self.api('wang@example.com')
        notices = client.get(self.url('api/notices'), headers=headers).json
        self.assertEqual([n['id'] for n in notices], [self.notices[k]
                for k in ['newest', 'outage_a', 'financial', 'old']])
        self.assertEqual(notices[1]['buildings'], ["A栋"])
        self.assertEqual(notices[2]['category'], 'financial')
        self.assertEqual(notices[2]['category_label'], '财务公示')
        self.assertNotIn('body', notices[0])
        detail = client.get(self.url('api/notices/%d'
                % self.notices['financial']), headers=headers).json
        self.assertEqual(detail['body'], "第三季度公共收益收支公示的内容。")
        self.assertEqual([a['name'] for a in detail['attachments']],
            ["收支明细.csv"])
        for key in ['draft', 'withdrawn', 'expired', 'other_estate']:
            response = client.get(self.url('api/notices/%d'
                    % self.notices[key]), headers=headers)
            self.assertEqual(response.status_code, 404, msg=key)
            self.assertEqual(response.json, {'error': 'not found'})


del RouteTestCase
