# This file is part of the property service suite. See README.md.
from trytond.i18n import gettext
from trytond.model import DeactivableMixin, ModelSQL, ModelView, fields
from trytond.modules.property_service.unit import USAGES
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.transaction import Transaction

from .exceptions import FeePlanError

CYCLE_MONTHS = {'monthly': 1, 'quarterly': 3, 'yearly': 12}


class FeePlan(DeactivableMixin, ModelSQL, ModelView):
    """Fee plan (收费方案): which fees apply to which units of an estate,
    how often they are billed and to whom."""
    __name__ = 'property.fee.plan'
    __string__ = "Fee Plan"

    company = fields.Many2One(
        'company.company', "Company", required=True, ondelete='RESTRICT')
    name = fields.Char("Name", required=True)
    estate = fields.Many2One(
        'property.estate', "Estate", required=True, ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))])
    building = fields.Many2One(
        'property.building', "Building", ondelete='RESTRICT',
        domain=[('estate', '=', Eval('estate', -1))],
        help="Leave empty for every building of the estate.")
    usage = fields.Selection([(None, "")] + USAGES, "Usage",
        help="Leave empty for units of any usage.")
    unit = fields.Many2One(
        'property.unit', "Unit", ondelete='RESTRICT',
        domain=[
            ('estate', '=', Eval('estate', -1)),
            If(Eval('building'), ('building', '=', Eval('building', -1)), ()),
            ],
        help="Only this unit.")
    fees = fields.Many2Many(
        'property.fee.plan-property.fee', 'plan', 'fee', "Fees",
        domain=[
            ('company', '=', Eval('company', -1)),
            ('method', '!=', 'one_off'),
            ])
    cycle = fields.Selection([
            ('monthly', "Monthly"),
            ('quarterly', "Quarterly"),
            ('yearly', "Yearly"),
            ], "Billing Cycle", required=True,
        help="Quarterly and yearly plans bill every month of the cycle in "
        "its first month (cycles start in January).")
    bill_to = fields.Selection([
            ('owner', "Owner of Record"),
            ('tenant', "Current Tenant"),
            ], "Bill To", required=True,
        help="Tenant: the tenant living in the unit, or the owner while "
        "there is none. The occupancy marked as billing contact is chosen "
        "first.")
    start_date = fields.Date("Start Date", required=True)
    end_date = fields.Date(
        "End Date",
        domain=[If(Eval('end_date') & Eval('start_date'),
                ('end_date', '>=', Eval('start_date')), ())])
    prorate = fields.Boolean(
        "Prorate",
        help="Charge partial months by days on move-in and move-out.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        # estates: record rules of billing_access.xml (__access__ would
        # grant every reader of estates, e.g. technicians, this model)
        cls._order = [('estate', 'ASC'), ('name', 'ASC'), ('id', 'ASC')]

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_cycle(cls):
        return 'monthly'

    @classmethod
    def default_bill_to(cls):
        return 'owner'

    @classmethod
    def default_prorate(cls):
        return True

    def unit_domain(self):
        domain = [('estate', '=', self.estate.id)]
        if self.building:
            domain.append(('building', '=', self.building.id))
        if self.usage:
            domain.append(('usage', '=', self.usage))
        if self.unit:
            domain.append(('id', '=', self.unit.id))
        return domain

    def months_to_bill(self, month):
        """The months (first days) billed by a run of month: none outside the
        plan's dates or outside the first month of its cycle."""
        step = CYCLE_MONTHS[self.cycle]
        if (month.month - 1) % step:
            return []
        months = []
        for i in range(step):
            y, m = divmod(month.month - 1 + i, 12)
            first = month.replace(year=month.year + y, month=m + 1, day=1)
            if self.end_date and first > self.end_date:
                break
            if self.start_date.replace(day=1) <= first:
                months.append(first)
        return months

    @classmethod
    def validate_fields(cls, plans, field_names):
        super().validate_fields(plans, field_names)
        for plan in plans:
            if plan.end_date and plan.end_date < plan.start_date:
                raise FeePlanError(gettext(
                        'property_billing.msg_plan_dates', plan=plan.name))


class FeePlanFee(ModelSQL):
    "Fee Plan - Fee"
    __name__ = 'property.fee.plan-property.fee'
    plan = fields.Many2One(
        'property.fee.plan', "Plan", required=True, ondelete='CASCADE')
    fee = fields.Many2One(
        'property.fee', "Fee", required=True, ondelete='RESTRICT')
