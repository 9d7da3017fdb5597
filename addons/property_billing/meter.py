# This file is part of the property service suite. See README.md.
"""Meters and readings (抄表).

A meter belongs to one unit, or is shared (公摊) by several units that split
its consumption by building area. A reading is never lower than the
previous one of its meter, unless it is the first reading of a replaced
meter (换表)."""
from collections import defaultdict
from decimal import Decimal

from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, ModelSQL, ModelView, Unique, fields)
from trytond.pool import Pool
from trytond.pyson import Eval

from .exceptions import MeterError, ReadingError
from .fee import METER_KINDS


class Meter(DeactivableMixin, ModelSQL, ModelView):
    "Meter (表计)"
    __name__ = 'property.meter'
    __string__ = "Meter"
    _rec_name = 'code'

    estate = fields.Many2One(
        'property.estate', "Estate", required=True, ondelete='RESTRICT')
    code = fields.Char("Code", required=True, strip=True)
    kind = fields.Selection(
        [k for k in METER_KINDS if k[0]], "Kind", required=True)
    shared = fields.Boolean(
        "Shared", help="A common meter (公摊表) whose consumption the units "
        "share in proportion to their building area.")
    unit = fields.Many2One(
        'property.unit', "Unit", ondelete='RESTRICT',
        domain=[('estate', '=', Eval('estate', -1))],
        states={
            'invisible': Eval('shared', False),
            'required': ~Eval('shared', False),
            })
    units = fields.Many2Many(
        'property.meter-property.unit', 'meter', 'unit', "Units",
        domain=[('estate', '=', Eval('estate', -1))],
        states={'invisible': ~Eval('shared', False)})
    readings = fields.One2Many(
        'property.meter.reading', 'meter', "Readings",
        order=[('date', 'DESC'), ('id', 'DESC')])

    @classmethod
    def __setup__(cls):
        super().__setup__()
        # estates: record rules of billing_access.xml (__access__ would
        # grant every reader of estates, e.g. technicians, this model)
        t = cls.__table__()
        cls._sql_constraints += [
            ('code_estate_unique', Unique(t, t.estate, t.code),
                'property_billing.msg_meter_code_unique'),
            ]
        cls._order = [('estate', 'ASC'), ('code', 'ASC'), ('id', 'ASC')]

    @classmethod
    def default_kind(cls):
        return 'water'

    @classmethod
    def validate_fields(cls, meters, field_names):
        super().validate_fields(meters, field_names)
        for meter in meters:
            if meter.shared and meter.unit:
                raise MeterError(gettext(
                        'property_billing.msg_meter_shared_unit',
                        meter=meter.code))

    @classmethod
    def unit_consumptions(cls, units, kind, start, end):
        """{unit id: consumption} of meters of kind read from start to end
        (inclusive); shared meters split by building area."""
        pool = Pool()
        Reading = pool.get('property.meter.reading')
        Unit = pool.get('property.unit')
        unit_ids = {u.id for u in units}
        meters = cls.search(['OR',
                ('unit', 'in', list(unit_ids)),
                ('units', 'in', list(unit_ids)),
                ])
        meters = [m for m in meters if m.kind == kind]
        result = defaultdict(Decimal)
        if not meters:
            return result
        readings = Reading.search([
                ('meter', 'in', [m.id for m in meters]),
                ('date', '>=', start),
                ('date', '<=', end),
                ])
        by_meter = defaultdict(Decimal)
        for reading in readings:
            by_meter[reading.meter.id] += reading.consumption or 0
        for meter in meters:
            consumption = by_meter[meter.id]
            if not meter.shared:
                result[meter.unit.id] += consumption
                continue
            sharing = Unit.browse([u.id for u in meter.units])
            total = sum((u.building_area for u in sharing), Decimal(0))
            if not total:
                continue
            for unit in sharing:
                if unit.id in unit_ids:
                    result[unit.id] += (
                        consumption * unit.building_area / total)
        return result


class MeterUnit(ModelSQL):
    "Meter - Unit"
    __name__ = 'property.meter-property.unit'
    meter = fields.Many2One(
        'property.meter', "Meter", required=True, ondelete='CASCADE')
    unit = fields.Many2One(
        'property.unit', "Unit", required=True, ondelete='RESTRICT')


class MeterReading(ModelSQL, ModelView):
    "Meter Reading (抄表记录)"
    __name__ = 'property.meter.reading'
    __string__ = "Meter Reading"

    meter = fields.Many2One(
        'property.meter', "Meter", required=True, ondelete='RESTRICT')
    estate = fields.Function(
        fields.Many2One('property.estate', "Estate"),
        'on_change_with_estate', searcher='search_estate')
    date = fields.Date("Date", required=True)
    value = fields.Numeric("Reading", digits=(16, 2), required=True)
    replacement = fields.Boolean(
        "Meter Replaced",
        help="First reading of a new meter (换表): it may be lower than "
        "the last reading of the old one.")
    reader = fields.Char("Reader")
    consumption = fields.Function(
        fields.Numeric("Consumption", digits=(16, 2)), 'get_consumption')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('meter')
        t = cls.__table__()
        cls._sql_constraints += [
            ('meter_date_unique', Unique(t, t.meter, t.date),
                'property_billing.msg_reading_date_unique'),
            ]
        cls._order = [('date', 'DESC'), ('id', 'DESC')]

    @fields.depends('meter', '_parent_meter.estate')
    def on_change_with_estate(self, name=None):
        return self.meter.estate if self.meter else None

    @classmethod
    def search_estate(cls, name, clause):
        return [('meter.' + clause[0], *clause[1:])]

    def get_rec_name(self, name):
        return f'{self.meter.code} {self.date}'

    def previous(self):
        readings = self.search([
                ('meter', '=', self.meter.id),
                ('date', '<', self.date),
                ], order=[('date', 'DESC')], limit=1)
        return readings[0] if readings else None

    def following(self):
        readings = self.search([
                ('meter', '=', self.meter.id),
                ('date', '>', self.date),
                ], order=[('date', 'ASC')], limit=1)
        return readings[0] if readings else None

    @classmethod
    def get_consumption(cls, readings, name):
        "Value less the previous reading; nothing for a new meter's first"
        result = {}
        for reading in readings:
            previous = reading.previous()
            if reading.replacement or previous is None:
                result[reading.id] = Decimal(0)
            else:
                result[reading.id] = reading.value - previous.value
        return result

    @classmethod
    def validate_fields(cls, readings, field_names):
        super().validate_fields(readings, field_names)
        if field_names & {'meter', 'date', 'value', 'replacement'}:
            for reading in readings:
                reading.check_value()

    def check_value(self):
        if self.value < 0:
            raise ReadingError(gettext(
                    'property_billing.msg_reading_negative',
                    meter=self.meter.code, date=self.date, value=self.value))
        previous = self.previous()
        if (previous and not self.replacement
                and self.value < previous.value):
            raise ReadingError(gettext(
                    'property_billing.msg_reading_lower',
                    meter=self.meter.code, date=self.date, value=self.value,
                    previous=previous.value, previous_date=previous.date))
        following = self.following()
        if (following and not following.replacement
                and following.value < self.value):
            raise ReadingError(gettext(
                    'property_billing.msg_reading_lower',
                    meter=self.meter.code, date=following.date,
                    value=following.value, previous=self.value,
                    previous_date=self.date))

    @classmethod
    def check_modification(cls, mode, readings, values=None, external=False):
        super().check_modification(
            mode, readings, values=values, external=external)
        # a reading billed is history
        if mode == 'delete' or (mode == 'write' and values.keys() & {
                    'meter', 'date', 'value', 'replacement'}):
            Line = Pool().get('property.billing.line')
            for reading in readings:
                if Line.search([
                            ('fee.meter_kind', '=', reading.meter.kind),
                            ('month', '=', reading.date.replace(day=1)),
                            ('unit', 'in', [u.id for u in (
                                        [reading.meter.unit]
                                        if reading.meter.unit
                                        else reading.meter.units)]),
                            ], limit=1):
                    raise ReadingError(gettext(
                            'property_billing.msg_reading_billed',
                            reading=reading.rec_name))
