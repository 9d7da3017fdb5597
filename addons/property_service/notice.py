# This file is part of the property service suite. See README.md.
"""Notices (通告/公示): what the service center posts for the residents of an
estate, or of some of its buildings, from a publish date until an optional
expiry date. Published notices are never edited or deleted: they are
withdrawn, and both stay on record (a public disclosure must be provable)."""
import datetime as dt

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .exceptions import DeleteHistoryError, NoticeError, NoticeValidationError

CATEGORIES = [
    ('notice', "Notice"),
    ('announcement', "Announcement"),
    ('disclosure', "Public Disclosure"),
    ('financial', "Financial Disclosure"),
    ('activity', "Community Activity"),
    ('outage', "Water or Power Outage"),
    ('safety', "Safety Reminder"),
    ('other', "Other"),
    ]
STATES = [
    ('draft', "Draft"),
    ('published', "Published"),
    ('withdrawn', "Withdrawn"),
    ]
# what may still change on a published notice: only the way out
PUBLISHED_WRITABLE = {'state', 'withdraw_reason', 'withdrawn_at',
    'withdrawn_by'}


class Notice(Workflow, ModelSQL, ModelView):
    "Notice (通告/公示) to the residents of an estate"
    __name__ = 'property.notice'
    __string__ = "Notice"
    _rec_name = 'title'

    _draft = {'readonly': Eval('state') != 'draft'}

    company = fields.Many2One(
        'company.company', "Company", required=True, ondelete='RESTRICT',
        states=_draft)
    estate = fields.Many2One(
        'property.estate', "Estate", required=True, ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))], states=_draft)
    buildings = fields.Many2Many(
        'property.notice-property.building', 'notice', 'building',
        "Buildings", domain=[('estate', '=', Eval('estate', -1))],
        states=_draft,
        help="Only the residents of these buildings see the notice; "
        "empty for the whole estate.")
    category = fields.Selection(
        CATEGORIES, "Category", required=True, states=_draft)
    title = fields.Char("Title", required=True, strip=True, states=_draft)
    body = fields.Text("Text", required=True, states=_draft)
    publish_date = fields.Date(
        "Publish Date", states={
            'readonly': Eval('state') != 'draft',
            'required': Eval('state') != 'draft',
            },
        help="Residents see the notice from this day; today when published "
        "without one.")
    expiry_date = fields.Date(
        "Expiry Date", states=_draft,
        help="The last day residents see the notice; empty to keep it "
        "until it is withdrawn.")
    author = fields.Many2One(
        'company.employee', "Author", ondelete='RESTRICT', states=_draft,
        domain=[('company', '=', Eval('company', -1))])
    published_at = fields.Timestamp("Published at", readonly=True)
    published_by = fields.Many2One(
        'res.user', "Published by", readonly=True)
    withdraw_reason = fields.Text(
        "Withdrawal Reason",
        states={
            'readonly': Eval('state') != 'published',
            'invisible': Eval('state') == 'draft',
            })
    withdrawn_at = fields.Timestamp("Withdrawn at", readonly=True)
    withdrawn_by = fields.Many2One(
        'res.user', "Withdrawn by", readonly=True)
    visible = fields.Function(
        fields.Boolean("Visible to Residents",
            help="Published, and today is within its dates."),
        'get_visible', searcher='search_visible')
    state = fields.Selection(
        STATES, "State", required=True, readonly=True, sort=False)

    del _draft

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                # the portal: the published notices of some estates,
                # newest first
                Index(t,
                    (t.estate, Index.Equality()),
                    (t.publish_date, Index.Range(order='DESC')),
                    where=t.state == 'published'),
                })
        cls._order = [('publish_date', 'DESC NULLS FIRST'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'published'),
            ('published', 'withdrawn'),
            }
        cls._buttons.update({
                'publish': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'withdraw': {
                    'invisible': Eval('state') != 'published',
                    'readonly': ~Eval('withdraw_reason'),
                    'depends': ['state', 'withdraw_reason'],
                    },
                })

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_category(cls):
        return 'notice'

    @classmethod
    def default_author(cls):
        return Transaction().context.get('employee')

    @fields.depends('estate', 'company', 'buildings')
    def on_change_estate(self):
        if self.estate:
            self.company = self.estate.company
            self.buildings = [b for b in (self.buildings or [])
                if b.estate == self.estate]

    @staticmethod
    def _today():
        return Pool().get('ir.date').today()

    def get_visible(self, name):
        today = self._today()
        return (self.state == 'published'
            and self.publish_date is not None
            and self.publish_date <= today
            and (self.expiry_date is None or self.expiry_date >= today))

    @classmethod
    def search_visible(cls, name, clause):
        _, operator, value = clause
        today = cls._today()
        visible = [
            ('state', '=', 'published'),
            ('publish_date', '<=', today),
            ['OR', ('expiry_date', '=', None),
                ('expiry_date', '>=', today)],
            ]
        if (operator == '=') == bool(value):
            return visible
        return ['OR',
            ('state', '!=', 'published'),
            ('publish_date', '>', today),
            ('expiry_date', '<', today),
            ]

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Estate = pool.get('property.estate')
        values = super().preprocess_values(mode, values)
        # the company is the estate's: the company rule follows it
        if values.get('estate') and not values.get('company'):
            values['company'] = Estate(values['estate']).company.id
        return values

    @classmethod
    def validate_fields(cls, notices, field_names):
        super().validate_fields(notices, field_names)
        if {'publish_date', 'expiry_date'} & field_names:
            for notice in notices:
                if (notice.publish_date and notice.expiry_date
                        and notice.expiry_date < notice.publish_date):
                    raise NoticeValidationError(gettext(
                            'property_service.msg_notice_expiry_before_publish',
                            notice=notice.rec_name,
                            expiry_date=notice.expiry_date,
                            publish_date=notice.publish_date))
        if {'estate', 'company'} & field_names:
            for notice in notices:
                if notice.estate.company != notice.company:
                    raise NoticeValidationError(gettext(
                            'property_service.msg_notice_estate_company',
                            notice=notice.rec_name))

    @classmethod
    def check_modification(cls, mode, notices, values=None, external=False):
        super().check_modification(
            mode, notices, values=values, external=external)
        if mode == 'write':
            changed = set(values or {})
            for notice in notices:
                if notice.state == 'withdrawn' or (
                        notice.state == 'published'
                        and changed - PUBLISHED_WRITABLE):
                    raise NoticeError(gettext(
                            'property_service.msg_notice_published_edit',
                            notice=notice.rec_name))
        elif mode == 'delete':
            for notice in notices:
                if notice.state != 'draft':
                    raise DeleteHistoryError(gettext(
                            'property_service.msg_notice_delete',
                            notice=notice.rec_name))

    @classmethod
    def copy(cls, notices, default=None):
        default = default.copy() if default is not None else {}
        for name in ['published_at', 'published_by', 'withdraw_reason',
                'withdrawn_at', 'withdrawn_by', 'publish_date']:
            default.setdefault(name, None)
        default.setdefault('state', 'draft')
        return super().copy(notices, default=default)

    @classmethod
    @ModelView.button
    @Workflow.transition('published')
    def publish(cls, notices):
        today = cls._today()
        for notice in notices:
            if notice.expiry_date and notice.expiry_date < today:
                raise NoticeError(gettext(
                        'property_service.msg_notice_publish_expired',
                        notice=notice.rec_name,
                        expiry_date=notice.expiry_date))
        for notice in notices:
            # one write per notice: each keeps its own publish date
            cls.write([notice], {
                    'publish_date': notice.publish_date or today,
                    'published_at': dt.datetime.now(),
                    'published_by': Transaction().user,
                    })

    @classmethod
    @ModelView.button
    @Workflow.transition('withdrawn')
    def withdraw(cls, notices):
        for notice in notices:
            if not (notice.withdraw_reason or '').strip():
                raise NoticeError(gettext(
                        'property_service.msg_notice_withdraw_reason',
                        notice=notice.rec_name))
        cls.write(notices, {
                'withdrawn_at': dt.datetime.now(),
                'withdrawn_by': Transaction().user,
                })


class NoticeBuilding(ModelSQL):
    "Notice - Building"
    __name__ = 'property.notice-property.building'
    __string__ = "Notice Building"
    notice = fields.Many2One(
        'property.notice', "Notice", required=True, ondelete='CASCADE')
    building = fields.Many2One(
        'property.building', "Building", required=True, ondelete='CASCADE')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        # the notice's access rights and record rules apply
        cls.__access__.add('notice')
