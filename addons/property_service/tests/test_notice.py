# This file is part of the property service suite. See README.md.
"""Notices (通告/公示): the draft -> published -> withdrawn workflow, the
dates, what can no longer change once published, and who may write or
read them (per group, per estate, per company)."""
import datetime as dt
from contextlib import contextmanager
from decimal import Decimal

from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError, DomainValidationError
from trytond.modules.company.tests import create_company, create_employee
from trytond.pool import Pool
from trytond.tests.test_tryton import _DBTestCase, with_transaction
from trytond.transaction import Transaction

# by the full name: pytest also imports this folder as plain
# `property_service`, whose exception classes would be other objects
from trytond.modules.property_service.exceptions import (
    DeleteHistoryError, NoticeError, NoticeValidationError)

ROLES = ['manager', 'clerk', 'technician', 'guard', 'accountant',
    'archivist']


class NoticeTestCase(_DBTestCase):
    "Test notices"
    module = 'property_service'

    def _setup(self):
        "Estates A and B of one company, X of another; a user per role in A"
        pool = Pool()
        Estate = pool.get('property.estate')
        Unit = pool.get('property.unit')
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')

        company = create_company()
        other = create_company(name="Other Property Co")
        estates = {}
        for code, comp in [('A', company), ('B', company), ('X', other)]:
            estate, = Estate.create([{
                        'company': comp.id, 'code': code,
                        'name': f"Estate {code}",
                        'buildings': [('create', [
                                    {'code': '1', 'name': "1栋"},
                                    {'code': '2', 'name': "2栋"}])],
                        }])
            Unit.create([{'building': estate.buildings[0].id,
                        'number': '0101', 'building_area': Decimal(88)}])
            estates[code] = estate
        users = {}
        for role in ROLES + ['manager_b']:
            group = ModelData.get_id('property_service',
                'group_property_' + role.split('_')[0])
            employee = create_employee(company, name=f"Employee {role}")
            user, = User.create([{
                        'name': role, 'login': f'user_{role}',
                        'groups': [('add', [group])],
                        'companies': [('add', [company.id])],
                        'company': company.id,
                        'employees': [('add', [employee.id])],
                        'employee': employee.id,
                        }])
            users[role] = user
            if role == 'manager_b':
                Estate.write([estates['B']], {'manager': employee.id})
            else:
                Estate.write([estates['A']], {
                        'staff': [('add', [employee.id])]})
        return estates, users

    @contextmanager
    def _as(self, user):
        transaction = Transaction()
        with transaction.set_user(user.id), transaction.set_context(
                _check_access=True, company=user.company.id,
                companies=[c.id for c in user.companies],
                employee=user.employee.id):
            yield

    def _notice(self, estate, **values):
        Notice = Pool().get('property.notice')
        notice, = Notice.create([{
                    'estate': estate.id, 'category': 'outage',
                    'title': "1栋停水通知",
                    'body': "因水箱清洗，明日 9:00-17:00 停水。",
                    **values}])
        return notice

    @with_transaction()
    def test_publish_then_withdraw(self):
        "A clerk publishes a notice, which is then frozen and withdrawn"
        pool = Pool()
        Notice = pool.get('property.notice')
        Date = pool.get('ir.date')
        estates, users = self._setup()
        with self._as(users['clerk']):
            notice = self._notice(estates['A'])
            self.assertEqual(notice.company, estates['A'].company)
            self.assertEqual(notice.author, users['clerk'].employee)
            self.assertEqual(notice.state, 'draft')
            self.assertFalse(notice.visible)
            Notice.publish([notice])
            notice = Notice(notice.id)
            self.assertEqual(notice.state, 'published')
            self.assertEqual(notice.publish_date, Date.today())
            self.assertEqual(notice.published_by, users['clerk'])
            self.assertTrue(notice.visible)
            self.assertEqual(Notice.search([('visible', '=', True)]),
                [notice])

            # published: the text is frozen, and it cannot be deleted
            for values in [{'title': "改过的标题"}, {'body': "改过的内容"},
                    {'expiry_date': Date.today()}]:
                with self.assertRaises(NoticeError, msg=values):
                    Notice.write([notice], values)
            with self.assertRaises(DeleteHistoryError):
                Notice.delete([notice])

            # withdrawing needs a reason (the button is read-only without)
            with self.assertRaises(UserError):
                Notice.withdraw([notice])
        with self.assertRaises(NoticeError):
            Notice.withdraw([notice])
        with self._as(users['clerk']):
            Notice.write([notice], {'withdraw_reason': "日期有误，另行通知"})
            Notice.withdraw([notice])
            notice = Notice(notice.id)
            self.assertEqual(notice.state, 'withdrawn')
            self.assertIsNotNone(notice.withdrawn_at)
            self.assertFalse(notice.visible)
            # kept, and frozen for good
            with self.assertRaises(NoticeError):
                Notice.write([notice], {'withdraw_reason': "改理由"})
            with self.assertRaises(DeleteHistoryError):
                Notice.delete([notice])
        self.assertEqual(Notice.search([('state', '=', 'withdrawn')]),
            [notice])

    @with_transaction()
    def test_dates(self):
        "Expiry before publish is refused; visibility follows the dates"
        pool = Pool()
        Notice = pool.get('property.notice')
        Date = pool.get('ir.date')
        estates, _ = self._setup()
        today = Date.today()
        day = dt.timedelta(days=1)
        with self.assertRaises(NoticeValidationError):
            self._notice(estates['A'], publish_date=today,
                expiry_date=today - day)
        # publishing an already expired notice is refused
        expired = self._notice(estates['A'], expiry_date=today - day)
        with self.assertRaises(NoticeError):
            Notice.publish([expired])
        self.assertEqual(Notice(expired.id).state, 'draft')

        later = self._notice(estates['A'], publish_date=today + day)
        one_day = self._notice(estates['A'], publish_date=today,
            expiry_date=today)
        Notice.publish([later, one_day])
        self.assertEqual(Notice(later.id).publish_date, today + day)
        self.assertFalse(Notice(later.id).visible)
        self.assertTrue(Notice(one_day.id).visible)
        self.assertEqual(Notice.search([('visible', '=', True)]), [one_day])
        self.assertEqual(Notice.search([('visible', '!=', True),
                    ('id', '=', one_day.id)]), [])
        self.assertEqual(
            set(Notice.search([('visible', '=', False),
                        ('id', 'in', [expired.id, later.id, one_day.id])])),
            {expired, later})

    @with_transaction()
    def test_buildings_of_the_estate_only(self):
        "A notice's buildings must be buildings of its estate"
        estates, _ = self._setup()
        notice = self._notice(estates['A'], buildings=[
                ('add', [estates['A'].buildings[0].id])])
        self.assertEqual(list(notice.buildings), [estates['A'].buildings[0]])
        with self.assertRaises(DomainValidationError):
            self._notice(estates['A'], buildings=[
                    ('add', [estates['B'].buildings[0].id])])

    @with_transaction()
    def test_bad_input(self):
        "Missing estate, title or text, or an unknown category are refused"
        Notice = Pool().get('property.notice')
        estates, _ = self._setup()
        good = {'estate': estates['A'].id, 'category': 'notice',
            'title': "通知", 'body': "内容"}
        # a missing estate is refused by the database's NOT NULL, which
        # ends the transaction on PostgreSQL: last
        for values in [{'title': ''}, {'category': 'nonsense'},
                {'estate': None}]:
            with self.assertRaises(UserError, msg=values):
                Notice.create([{**good, **values}])

    @with_transaction()
    def test_draft_can_be_deleted_and_copied(self):
        "A draft can be deleted; a copy of a published notice is a draft"
        Notice = Pool().get('property.notice')
        estates, _ = self._setup()
        draft = self._notice(estates['A'])
        published = self._notice(estates['A'])
        Notice.publish([published])
        copy, = Notice.copy([published])
        self.assertEqual(copy.state, 'draft')
        self.assertIsNone(copy.publish_date)
        self.assertIsNone(copy.published_at)
        Notice.delete([draft, copy])
        self.assertEqual(Notice.search([]), [published])

    @with_transaction()
    def test_access_per_group_and_estate(self):
        """Managers and clerks of the estate write notices, other staff of
        the estate read them, staff of other estates see nothing"""
        Notice = Pool().get('property.notice')
        estates, users = self._setup()
        notice_a = self._notice(estates['A'])
        notice_b = self._notice(estates['B'])
        notice_x = self._notice(estates['X'])
        Notice.publish([notice_a, notice_b, notice_x])
        with self._as(users['manager']):
            draft = self._notice(estates['A'], title="经理起草")
            Notice.publish([draft])
        for role in ['technician', 'guard', 'accountant', 'archivist']:
            with self._as(users[role]):
                self.assertEqual(
                    set(Notice.search([])), {notice_a, draft}, msg=role)
                with self.assertRaises(AccessError, msg=role):
                    self._notice(estates['A'])
        with self._as(users['manager_b']):
            self.assertEqual(Notice.search([]), [notice_b])
            with self.assertRaises(AccessError):
                Notice.read([notice_a.id], ['title'])
            # not in another estate either
            with self.assertRaises(AccessError):
                self._notice(estates['A'])
        with self._as(users['clerk']):
            self.assertNotIn(notice_x, Notice.search([]))
            with self.assertRaises(AccessError):
                Notice.read([notice_x.id], ['title'])


del _DBTestCase
