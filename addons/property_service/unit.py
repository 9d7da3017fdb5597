# This file is part of the property service suite. See README.md.
from collections import defaultdict

from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, ModelSQL, ModelView, Unique, fields)
from trytond.pool import Pool
from trytond.pyson import Eval

from .exceptions import AreaError, DeleteHistoryError
from .personal_data import (
    RESIDENCE, PersonalDataMixin, caller_access, may_read)

USAGES = [
    ('residential', "Residential"),
    ('commercial', "Commercial"),
    ('office', "Office"),
    ('storage', "Storage"),
    ]
OWNER_ROLES = {'owner', 'co_owner'}


class Unit(PersonalDataMixin, DeactivableMixin, ModelSQL, ModelView):
    "Unit (房屋): an apartment, shop, office or storage room"
    __name__ = 'property.unit'
    __string__ = "Unit"
    _rec_name = 'code'
    _personal_data = {f: RESIDENCE
        for f in ['occupancies', 'owners', 'owner_names', 'residents']}

    estate = fields.Many2One(
        'property.estate', "Estate", required=True, ondelete='RESTRICT',
        states={'readonly': Eval('id', -1) >= 0})
    building = fields.Many2One(
        'property.building', "Building", required=True, ondelete='RESTRICT',
        domain=[('estate', '=', Eval('estate', -1))],
        states={'readonly': Eval('id', -1) >= 0})
    entrance = fields.Char(
        "Entrance", strip=True, help="The entrance (单元) of the building.")
    floor = fields.Integer("Floor")
    number = fields.Char("Number", required=True, strip=True)
    code = fields.Char(
        "Code", required=True, strip=True,
        help="Full code, unique in the estate, e.g. A-1-0302 "
        "(building-entrance-number). Filled in from the building, entrance "
        "and number when left empty.")
    building_area = fields.Numeric(
        "Building Area (m²)", digits=(16, 2), required=True)
    usable_area = fields.Numeric("Usable Area (m²)", digits=(16, 2))
    usage = fields.Selection(USAGES, "Usage", required=True)
    state = fields.Selection([
            ('vacant', "Vacant"),
            ('occupied', "Occupied"),
            ('renovating', "Renovating"),
            ], "State", readonly=True, required=True,
        help="Occupied while someone lives in the unit; follows the "
        "occupancies, updated daily.")
    occupancies = fields.One2Many(
        'property.occupancy', 'unit', "Occupancies",
        order=[('start_date', 'DESC'), ('id', 'DESC')])
    owners = fields.Function(fields.Many2Many(
            'party.party', None, None, "Owners",
            help="Owners and co-owners of record today."),
        'get_current_parties', searcher='search_current_parties')
    owner_names = fields.Function(
        fields.Char("Owner Names"), 'get_current_parties')
    residents = fields.Function(fields.Many2Many(
            'party.party', None, None, "Residents",
            help="Everyone living in the unit today."),
        'get_current_parties', searcher='search_current_parties')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        # access rights and record rules of the estate apply
        cls.__access__.add('estate')
        t = cls.__table__()
        cls._sql_constraints += [
            ('code_estate_unique', Unique(t, t.estate, t.code),
                'property_service.msg_unit_code_unique'),
            ]
        cls._order = [('estate', 'ASC'), ('code', 'ASC'), ('id', 'ASC')]

    @classmethod
    def default_usage(cls):
        return 'residential'

    @classmethod
    def default_state(cls):
        return 'vacant'

    @classmethod
    def compute_code(cls, building_code, entrance, number):
        return '-'.join(p for p in (building_code, entrance, number) if p)

    @fields.depends(
        'building', '_parent_building.code', 'entrance', 'number', 'code')
    def on_change_with_code(self):
        if self.building and self.building.code and self.number:
            return self.compute_code(
                self.building.code, self.entrance, self.number)
        return self.code

    @fields.depends('building', '_parent_building.estate')
    def on_change_building(self):
        if self.building:
            self.estate = self.building.estate

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Building = pool.get('property.building')
        values = super().preprocess_values(mode, values)
        if mode == 'create' and values.get('building'):
            building = Building(values['building'])
            values.setdefault('estate', building.estate.id)
            if not values.get('code') and values.get('number'):
                values['code'] = cls.compute_code(
                    building.code, values.get('entrance'), values['number'])
        return values

    def get_rec_name(self, name):
        return f'{self.estate.name} {self.code}'

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, operand, *extra = clause
        if operator.startswith('!') or operator.startswith('not '):
            bool_op = 'AND'
        else:
            bool_op = 'OR'
        domain = [bool_op,
            ('code', operator, operand, *extra),
            ('estate.name', operator, operand, *extra),
            ]
        # by owner or tenant name only for who may know who lives where
        if (may_read('property.unit', ['occupancies'])
                and may_read('property.occupancy', ['party'])):
            domain.append(('occupancies.party.name', operator, operand, *extra))
        return domain

    @classmethod
    def _current_occupancy_domain(cls, date=None):
        Date = Pool().get('ir.date')
        date = date or Date.today()
        return [
            ('start_date', '<=', date),
            ['OR', ('end_date', '=', None), ('end_date', '>', date)],
            ]

    @classmethod
    def get_current_parties(cls, units, names):
        Occupancy = Pool().get('property.occupancy')
        result = {n: defaultdict(list) for n in names}
        occupancies = []
        if may_read('property.occupancy', ['unit', 'party']):
            # with the caller's rules, not as root
            with caller_access():
                occupancies = Occupancy.search([
                        ('unit', 'in', [u.id for u in units]),
                        *cls._current_occupancy_domain(),
                        ], order=[('start_date', 'ASC'), ('id', 'ASC')])
        for occupancy in occupancies:
            unit_id = occupancy.unit.id
            if occupancy.role in OWNER_ROLES:
                if 'owners' in names:
                    result['owners'][unit_id].append(occupancy.party.id)
                if 'owner_names' in names:
                    result['owner_names'][unit_id].append(
                        occupancy.party.rec_name)
            if 'residents' in names and occupancy.resident:
                result['residents'][unit_id].append(occupancy.party.id)
        if 'owner_names' in names:
            result['owner_names'] = defaultdict(lambda: None, {
                    u: '、'.join(n)
                    for u, n in result['owner_names'].items()})
        return {n: {u.id: result[n][u.id] for u in units} for n in names}

    @classmethod
    def search_current_parties(cls, name, clause):
        _, operator, operand, *extra = clause
        domain = [
            ('party' + clause[0][len(name):], operator, operand, *extra),
            *cls._current_occupancy_domain(),
            ]
        if name == 'owners':
            domain.append(('role', 'in', list(OWNER_ROLES)))
        else:
            domain.append(('resident', '=', True))
        return [('occupancies', 'where', domain)]

    @classmethod
    def update_states(cls, units=None):
        """Set occupied/vacant from today's occupancies (renovating is left
        to the renovation workflow). Run daily by cron for move-in and
        move-out dates that arrive."""
        Occupancy = Pool().get('property.occupancy')
        domain = [('state', 'in', ['vacant', 'occupied'])]
        if units is not None:
            domain.append(('id', 'in', [u.id for u in units]))
        units = cls.search(domain)
        occupied = set()
        for sub in (units[i:i + 1000] for i in range(0, len(units), 1000)):
            occupancies = Occupancy.search([
                    ('unit', 'in', [u.id for u in sub]),
                    ('resident', '=', True),
                    *cls._current_occupancy_domain(),
                    ])
            occupied.update(o.unit.id for o in occupancies)
        to_write = defaultdict(list)
        for unit in units:
            state = 'occupied' if unit.id in occupied else 'vacant'
            if unit.state != state:
                to_write[state].append(unit)
        args = []
        for state, records in to_write.items():
            args.extend((records, {'state': state}))
        if args:
            cls.write(*args)

    @classmethod
    def validate_fields(cls, units, field_names):
        super().validate_fields(units, field_names)
        # Checked here rather than by SQL CHECK constraints: SQLite stores
        # numerics in a way that makes such constraints compare wrongly.
        if field_names & {'building_area', 'usable_area'}:
            for unit in units:
                unit.check_areas()

    def check_areas(self):
        if self.building_area is None or self.building_area <= 0:
            raise AreaError(gettext(
                    'property_service.msg_unit_building_area_positive',
                    unit=self.code, area=self.building_area))
        if self.usable_area is not None:
            if self.usable_area <= 0:
                raise AreaError(gettext(
                        'property_service.msg_unit_usable_area_positive',
                        unit=self.code, area=self.usable_area))
            if self.usable_area > self.building_area:
                raise AreaError(gettext(
                        'property_service.msg_unit_usable_area_too_big',
                        unit=self.code, usable_area=self.usable_area,
                        building_area=self.building_area))

    @classmethod
    def check_modification(cls, mode, units, values=None, external=False):
        super().check_modification(
            mode, units, values=values, external=external)
        if mode == 'delete':
            for unit in units:
                if unit.occupancies:
                    raise DeleteHistoryError(gettext(
                            'property_service.msg_unit_delete_history',
                            unit=unit.rec_name))
