# This file is part of the property service suite. See README.md.
from decimal import Decimal

from sql import Literal
from sql.aggregate import Count, Sum

from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, ModelSQL, ModelView, Unique, fields)
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .exceptions import DeleteHistoryError


class Estate(DeactivableMixin, ModelSQL, ModelView):
    "Estate (小区/项目): the unit of management, owned by a company"
    __name__ = 'property.estate'
    __string__ = "Estate"
    _rec_name = 'name'

    company = fields.Many2One(
        'company.company', "Company", required=True, ondelete='RESTRICT')
    code = fields.Char("Code", required=True, strip=True)
    name = fields.Char("Name", required=True)
    address = fields.Text("Address")
    manager = fields.Many2One(
        'company.employee', "Manager",
        domain=[('company', '=', Eval('company', -1))],
        help="The estate manager (物业经理), who receives escalations.")
    staff = fields.Many2Many(
        'property.estate-company.employee', 'estate', 'employee', "Staff",
        domain=[('company', '=', Eval('company', -1))],
        help="Employees assigned to this estate: staff see only the estates "
        "they manage or are assigned to.")
    complaint_handlers = fields.Many2Many(
        'property.estate-complaint_handler', 'estate', 'employee',
        "Complaint Handlers",
        domain=[('company', '=', Eval('company', -1))],
        help="The designated employees (指定专人) who handle complaints; "
        "complaints can only be assigned to them when set.")
    service_phone = fields.Char("Service Phone")
    service_hours = fields.Char("Service Hours")
    buildings = fields.One2Many('property.building', 'estate', "Buildings")
    units = fields.One2Many('property.unit', 'estate', "Units", readonly=True)
    parking_spaces = fields.One2Many(
        'property.parking_space', 'estate', "Parking Spaces")

    unit_count = fields.Function(
        fields.Integer("Number of Units"), 'get_figures')
    occupied_count = fields.Function(
        fields.Integer("Occupied Units"), 'get_figures')
    vacancy_rate = fields.Function(
        fields.Float("Vacancy Rate", digits=(1, 4)), 'get_figures')
    total_building_area = fields.Function(
        fields.Numeric("Total Building Area (m²)", digits=(16, 2)),
        'get_figures')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('code_company_unique', Unique(t, t.company, t.code),
                'property_service.msg_estate_code_unique'),
            ]
        cls._order = [('code', 'ASC'), ('id', 'ASC')]

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def get_figures(cls, estates, names):
        "Unit figures of many estates in one aggregate query"
        pool = Pool()
        Unit = pool.get('property.unit')
        unit = Unit.__table__()
        cursor = Transaction().connection.cursor()
        ids = [e.id for e in estates]
        result = {n: {i: None for i in ids} for n in names}
        counts = {i: (0, 0, Decimal(0)) for i in ids}
        cursor.execute(*unit.select(
                unit.estate,
                Count(unit.id),
                Count(unit.id, filter_=unit.state == 'occupied'),
                Sum(unit.building_area),
                where=unit.estate.in_(ids) & (unit.active == Literal(True)),
                group_by=[unit.estate]))
        for estate_id, total, occupied, area in cursor:
            counts[estate_id] = (total, occupied, Decimal(str(area or 0)))
        for estate_id, (total, occupied, area) in counts.items():
            if 'unit_count' in names:
                result['unit_count'][estate_id] = total
            if 'occupied_count' in names:
                result['occupied_count'][estate_id] = occupied
            if 'vacancy_rate' in names:
                result['vacancy_rate'][estate_id] = (
                    (total - occupied) / total if total else None)
            if 'total_building_area' in names:
                result['total_building_area'][estate_id] = area.quantize(
                    Decimal('0.01'))
        return result

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
    def check_modification(cls, mode, estates, values=None, external=False):
        super().check_modification(
            mode, estates, values=values, external=external)
        if mode == 'delete':
            for estate in estates:
                if estate.buildings or estate.parking_spaces:
                    raise DeleteHistoryError(gettext(
                            'property_service.msg_estate_delete_used',
                            estate=estate.rec_name))

    @classmethod
    def on_modification(cls, mode, estates, field_names=None):
        super().on_modification(mode, estates, field_names=field_names)
        if mode != 'write' or {'manager', 'staff'} & set(field_names or []):
            # who sees which estate has changed: record rules must follow
            Pool().get('res.user').clear_property_estates_cache()


class EstateEmployee(ModelSQL):
    "Estate - Employee assignment"
    __name__ = 'property.estate-company.employee'
    __string__ = "Estate Staff Assignment"
    estate = fields.Many2One(
        'property.estate', "Estate", required=True, ondelete='CASCADE')
    employee = fields.Many2One(
        'company.employee', "Employee", required=True, ondelete='CASCADE')

    @classmethod
    def on_modification(cls, mode, records, field_names=None):
        super().on_modification(mode, records, field_names=field_names)
        Pool().get('res.user').clear_property_estates_cache()


class EstateComplaintHandler(ModelSQL):
    "Estate - Complaint handler"
    __name__ = 'property.estate-complaint_handler'
    __string__ = "Estate Complaint Handler"
    estate = fields.Many2One(
        'property.estate', "Estate", required=True, ondelete='CASCADE')
    employee = fields.Many2One(
        'company.employee', "Employee", required=True, ondelete='CASCADE')
