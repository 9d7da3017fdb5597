# This file is part of the property service suite. See README.md.
from collections import defaultdict
from decimal import Decimal

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval

from .exceptions import (
    DeleteHistoryError, OccupancyDateError, OwnerShareError)
from .personal_data import RESIDENCE, PersonalDataMixin
from .unit import OWNER_ROLES


class Occupancy(PersonalDataMixin, ModelSQL, ModelView):
    """Occupancy (住户关系): a party's role in a unit over a period.

    History is never deleted: moving out sets the end date (the day the
    party left; the occupancy is current from start date until the day
    before the end date)."""
    __name__ = 'property.occupancy'
    __string__ = "Occupancy"
    _personal_data = {'party': RESIDENCE}

    unit = fields.Many2One(
        'property.unit', "Unit", required=True, ondelete='RESTRICT')
    estate = fields.Function(
        fields.Many2One('property.estate', "Estate"),
        'on_change_with_estate', searcher='search_estate')
    party = fields.Many2One(
        'party.party', "Party", required=True, ondelete='RESTRICT')
    role = fields.Selection([
            ('owner', "Owner"),
            ('co_owner', "Co-owner"),
            ('tenant', "Tenant"),
            ('member', "Household Member"),
            ], "Role", required=True)
    share = fields.Numeric(
        "Ownership Share (%)", digits=(5, 2),
        states={
            'invisible': ~Eval('role').in_(list(OWNER_ROLES)),
            'required': Eval('role').in_(list(OWNER_ROLES)),
            },
        help="Percentage of the unit owned; owners of record of a unit "
        "never hold more than 100% together at any date.")
    start_date = fields.Date("Start Date", required=True)
    end_date = fields.Date(
        "End Date",
        help="The day the party moved out or the ownership ended.")
    resident = fields.Boolean(
        "Lives Here", help="The party lives in the unit (not only owns it).")
    billing_contact = fields.Boolean(
        "Billing Contact", help="Bills of the unit are addressed to this party.")
    current = fields.Function(
        fields.Boolean("Current"), 'get_current', searcher='search_current')
    note = fields.Text("Note")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('start_date', 'DESC'), ('id', 'DESC')]
        cls._buttons.update({
                'move_out': {
                    'invisible': Eval('end_date', None) != None,  # noqa: E711
                    'depends': ['end_date'],
                    },
                })

    @classmethod
    def default_start_date(cls):
        return Pool().get('ir.date').today()

    @classmethod
    def default_role(cls):
        return 'owner'

    @classmethod
    def default_resident(cls):
        return True

    @fields.depends('role', 'share')
    def on_change_role(self):
        if self.role in OWNER_ROLES:
            if self.share is None:
                self.share = Decimal(100)
        else:
            self.share = None

    @fields.depends('unit', '_parent_unit.estate')
    def on_change_with_estate(self, name=None):
        return self.unit.estate if self.unit else None

    @classmethod
    def search_estate(cls, name, clause):
        return [('unit.' + clause[0], *clause[1:])]

    def get_rec_name(self, name):
        return f'{self.unit.rec_name} {self.party.rec_name}'

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, operand, *extra = clause
        if operator.startswith('!') or operator.startswith('not '):
            bool_op = 'AND'
        else:
            bool_op = 'OR'
        return [bool_op,
            ('unit.rec_name', operator, operand, *extra),
            ('party.rec_name', operator, operand, *extra),
            ]

    def is_current(self, date=None):
        date = date or Pool().get('ir.date').today()
        return (self.start_date <= date
            and (self.end_date is None or self.end_date > date))

    def get_current(self, name):
        return self.is_current()

    @classmethod
    def search_current(cls, name, clause):
        pool = Pool()
        Unit = pool.get('property.unit')
        _, operator, value = clause
        if (operator == '=') == bool(value):
            return Unit._current_occupancy_domain()
        today = pool.get('ir.date').today()
        return ['OR',
            ('start_date', '>', today),
            ('end_date', '<=', today),
            ]

    @classmethod
    @ModelView.button
    def move_out(cls, occupancies):
        "End the occupancies today: the history row stays."
        today = Pool().get('ir.date').today()
        cls.write(occupancies, {'end_date': today})

    @classmethod
    def validate_fields(cls, occupancies, field_names):
        super().validate_fields(occupancies, field_names)
        if field_names & {'start_date', 'end_date', 'role', 'share'}:
            for occupancy in occupancies:
                occupancy.check_dates_and_share()
        if field_names & {'unit', 'role', 'share', 'start_date', 'end_date'}:
            cls.check_owner_shares(occupancies)

    def check_dates_and_share(self):
        if self.end_date and self.end_date < self.start_date:
            raise OccupancyDateError(gettext(
                    'property_service.msg_occupancy_end_before_start',
                    occupancy=self.rec_name,
                    start_date=self.start_date, end_date=self.end_date))
        if self.role in OWNER_ROLES and (
                self.share is None or not (0 < self.share <= 100)):
            raise OwnerShareError(gettext(
                    'property_service.msg_occupancy_share_range',
                    occupancy=self.rec_name, share=self.share))

    @classmethod
    def check_owner_shares(cls, occupancies):
        """Owners and co-owners of a unit may not hold more than 100% at
        any date. The largest overlap of half-open periods is reached at
        one of their start dates, so checking those is enough."""
        units = {o.unit for o in occupancies if o.role in OWNER_ROLES}
        if not units:
            return
        by_unit = defaultdict(list)
        for sub in (list(units)[i:i + 500] for i in range(0, len(units), 500)):
            for owner in cls.search([
                        ('unit', 'in', [u.id for u in sub]),
                        ('role', 'in', list(OWNER_ROLES)),
                        ]):
                by_unit[owner.unit].append(owner)
        for unit, owners in by_unit.items():
            for owner in owners:
                date = owner.start_date
                total = sum((o.share or 0 for o in owners
                        if o.is_current(date)), Decimal(0))
                if total > 100:
                    raise OwnerShareError(gettext(
                            'property_service.msg_occupancy_owner_share',
                            unit=unit.rec_name, date=date,
                            total=total))

    @classmethod
    def check_modification(
            cls, mode, occupancies, values=None, external=False):
        super().check_modification(
            mode, occupancies, values=values, external=external)
        today = Pool().get('ir.date').today()
        if mode == 'delete':
            for occupancy in occupancies:
                if occupancy.start_date <= today:
                    raise DeleteHistoryError(gettext(
                            'property_service.msg_occupancy_delete_history',
                            occupancy=occupancy.rec_name))
        elif mode == 'write' and values.keys() & {'unit', 'party'}:
            for occupancy in occupancies:
                if occupancy.start_date <= today:
                    raise DeleteHistoryError(gettext(
                            'property_service.msg_occupancy_change_history',
                            occupancy=occupancy.rec_name))

    @classmethod
    def on_modification(cls, mode, occupancies, field_names=None):
        super().on_modification(mode, occupancies, field_names=field_names)
        if mode in {'create', 'write'}:
            Unit = Pool().get('property.unit')
            Unit.update_states(list({o.unit for o in occupancies}))
