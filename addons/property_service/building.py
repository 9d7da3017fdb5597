# This file is part of the property service suite. See README.md.
from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, ModelSQL, ModelView, Unique, fields)

from .exceptions import DeleteHistoryError, FloorsError


class Building(DeactivableMixin, ModelSQL, ModelView):
    "Building (楼栋) of an estate"
    __name__ = 'property.building'
    __string__ = "Building"

    estate = fields.Many2One(
        'property.estate', "Estate", required=True, ondelete='RESTRICT')
    code = fields.Char(
        "Code", required=True, strip=True,
        help="Short code used in unit codes, e.g. A for A-1-0302.")
    name = fields.Char("Name", required=True)
    floors = fields.Integer("Floors")
    units = fields.One2Many('property.unit', 'building', "Units")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        # access rights and record rules of the estate apply
        cls.__access__.add('estate')
        t = cls.__table__()
        cls._sql_constraints += [
            ('code_estate_unique', Unique(t, t.estate, t.code),
                'property_service.msg_building_code_unique'),
            ]
        cls._order = [('estate', 'ASC'), ('code', 'ASC'), ('id', 'ASC')]

    def get_rec_name(self, name):
        return f'{self.estate.name} {self.name}'

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, operand, *extra = clause
        if operator.startswith('!') or operator.startswith('not '):
            bool_op = 'AND'
        else:
            bool_op = 'OR'
        return [bool_op,
            ('name', operator, operand, *extra),
            ('code', operator, operand, *extra),
            ]

    @classmethod
    def validate_fields(cls, buildings, field_names):
        super().validate_fields(buildings, field_names)
        if 'floors' in field_names:
            for building in buildings:
                if building.floors is not None and building.floors <= 0:
                    raise FloorsError(gettext(
                            'property_service.msg_building_floors_positive',
                            building=building.rec_name))

    @classmethod
    def check_modification(cls, mode, buildings, values=None, external=False):
        super().check_modification(
            mode, buildings, values=values, external=external)
        if mode == 'delete':
            for building in buildings:
                if building.units:
                    raise DeleteHistoryError(gettext(
                            'property_service.msg_building_delete_used',
                            building=building.rec_name))
