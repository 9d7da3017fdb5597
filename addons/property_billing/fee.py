# This file is part of the property service suite. See README.md.
from decimal import Decimal

from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, ModelSQL, ModelView, Unique, fields)
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.transaction import Transaction

from .exceptions import FeeError, RateError

METHODS = [
    ('area', "Per m² of Building Area"),
    ('unit', "Fixed per Unit"),
    ('parking', "Per Parking Space"),
    ('metered', "Metered"),
    ('one_off', "One-off"),
    ]
METER_KINDS = [
    (None, ""),
    ('water', "Water"),
    ('electricity', "Electricity"),
    ('gas', "Gas"),
    ]
PRICE_DIGITS = (16, 4)


class Fee(DeactivableMixin, ModelSQL, ModelView):
    """Fee item (收费项目): what is charged, how the quantity is measured and
    at which rates. The product gives the income account and the taxes
    (its accounting category)."""
    __name__ = 'property.fee'
    __string__ = "Fee"
    _rec_name = 'name'

    company = fields.Many2One(
        'company.company', "Company", required=True, ondelete='RESTRICT')
    code = fields.Char("Code", required=True, strip=True)
    name = fields.Char("Name", required=True, translate=True)
    product = fields.Many2One(
        'product.product', "Product", required=True, ondelete='RESTRICT',
        domain=[('type', '=', 'service')],
        context={'company': Eval('company', -1)}, depends={'company'},
        help="The service product invoiced: its accounting category gives "
        "the income account and the taxes (property services: VAT 6%).")
    method = fields.Selection(METHODS, "Method", required=True,
        help="How the quantity of a bill line is measured.")
    meter_kind = fields.Selection(METER_KINDS, "Meter Kind",
        states={
            'invisible': Eval('method') != 'metered',
            'required': Eval('method') == 'metered',
            })
    rates = fields.One2Many(
        'property.fee.rate', 'fee', "Rates",
        order=[('start_date', 'DESC')])
    description = fields.Text("Description",
        help="Printed on the published fee standards (收费标准).")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('code_company_unique', Unique(t, t.company, t.code),
                'property_billing.msg_fee_code_unique'),
            ]
        cls._order = [('code', 'ASC'), ('id', 'ASC')]

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_method(cls):
        return 'area'

    def get_rec_name(self, name):
        return f'[{self.code}] {self.name}'

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, operand, *extra = clause
        bool_op = 'AND' if operator.startswith('!') or operator.startswith(
            'not ') else 'OR'
        return [bool_op,
            ('code', operator, operand, *extra),
            ('name', operator, operand, *extra),
            ]

    def get_rate(self, estate, date):
        """The rate of the fee valid on date for the estate: a rate of the
        estate wins over a company-wide one (estate empty)."""
        best = None
        for rate in self.rates:
            if not rate.is_valid(date):
                continue
            if rate.estate and rate.estate != estate:
                continue
            if best is None or (rate.estate and not best.estate):
                best = rate
        return best

    @classmethod
    def validate_fields(cls, fees, field_names):
        super().validate_fields(fees, field_names)
        if field_names & {'product', 'method'}:
            for fee in fees:
                if fee.product and not fee.product.account_category:
                    raise FeeError(gettext(
                            'property_billing.msg_fee_product_category',
                            fee=fee.rec_name, product=fee.product.rec_name))


class FeeRate(ModelSQL, ModelView):
    """Rate of a fee (收费标准) over a validity period, for all estates or
    one. Once billed a rate is kept as it was: a new rate gets a new
    record from a new start date."""
    __name__ = 'property.fee.rate'
    __string__ = "Fee Rate"

    fee = fields.Many2One(
        'property.fee', "Fee", required=True, ondelete='CASCADE')
    estate = fields.Many2One(
        'property.estate', "Estate", ondelete='RESTRICT',
        help="Leave empty for the rate of every estate of the company.")
    start_date = fields.Date("Start Date", required=True)
    end_date = fields.Date(
        "End Date",
        domain=[If(Eval('end_date') & Eval('start_date'),
                ('end_date', '>=', Eval('start_date')), ())],
        help="Last day of validity; empty while the rate is in force.")
    unit_price = fields.Numeric(
        "Unit Price", digits=PRICE_DIGITS, required=True,
        help="Price per m² per month, per unit per month, per parking "
        "space per month, per unit of consumption, or the one-off amount.")
    tiers = fields.One2Many(
        'property.fee.rate.tier', 'rate', "Tiers",
        order=[('threshold', 'ASC')],
        help="Metered fees: consumption above a threshold is charged at "
        "the tier's price (阶梯价).")
    approval = fields.Char(
        "Approval Reference",
        help="The price bureau or owners' assembly decision that authorises "
        "the rate (R22: every charge traceable to a published rate).")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('start_date', 'DESC'), ('id', 'DESC')]

    def get_rec_name(self, name):
        return f'{self.fee.rec_name} {self.start_date}'

    def is_valid(self, date):
        return (self.start_date <= date
            and (self.end_date is None or date <= self.end_date))

    def compute_amount(self, quantity):
        """Amount of a quantity at this rate, the tiers applied to the part
        of the quantity above each threshold."""
        if not self.tiers:
            return quantity * self.unit_price
        amount = Decimal(0)
        bounds = [(Decimal(0), self.unit_price)] + [
            (t.threshold, t.unit_price) for t in self.tiers]
        for i, (low, price) in enumerate(bounds):
            high = bounds[i + 1][0] if i + 1 < len(bounds) else None
            if quantity <= low:
                break
            part = (min(quantity, high) if high is not None else quantity)
            amount += (part - low) * price
        return amount

    @classmethod
    def validate_fields(cls, rates, field_names):
        super().validate_fields(rates, field_names)
        if field_names & {
                'fee', 'estate', 'start_date', 'end_date', 'unit_price'}:
            for rate in rates:
                rate.check_rate()
            cls.check_overlap(rates)

    def check_rate(self):
        if self.unit_price is None or self.unit_price < 0:
            raise RateError(gettext(
                    'property_billing.msg_rate_negative',
                    rate=self.rec_name, price=self.unit_price))
        if self.end_date and self.end_date < self.start_date:
            raise RateError(gettext(
                    'property_billing.msg_rate_dates',
                    rate=self.rec_name))

    @classmethod
    def check_overlap(cls, rates):
        "Two rates of a fee for the same estate never overlap"
        for rate in rates:
            others = cls.search([
                    ('id', '!=', rate.id),
                    ('fee', '=', rate.fee.id),
                    ('estate', '=', rate.estate.id if rate.estate else None),
                    ['OR',
                        ('end_date', '=', None),
                        ('end_date', '>=', rate.start_date)],
                    ] + ([('start_date', '<=', rate.end_date)]
                    if rate.end_date else []), limit=1)
            if others:
                raise RateError(gettext(
                        'property_billing.msg_rate_overlap',
                        rate=rate.rec_name, other=others[0].rec_name))

    @classmethod
    def check_modification(cls, mode, rates, values=None, external=False):
        super().check_modification(
            mode, rates, values=values, external=external)
        # a billed rate is history: only its end date may still be set
        if mode == 'delete' or (mode == 'write'
                and values.keys() - {'end_date', 'approval'}):
            BillingLine = Pool().get('property.billing.line')
            for sub in (rates[i:i + 500] for i in range(0, len(rates), 500)):
                used = BillingLine.search([
                        ('rate', 'in', [r.id for r in sub])], limit=1)
                if used:
                    raise RateError(gettext(
                            'property_billing.msg_rate_billed',
                            rate=used[0].rate.rec_name))


class FeeRateTier(ModelSQL, ModelView):
    "Tier of a metered rate (阶梯价)"
    __name__ = 'property.fee.rate.tier'
    __string__ = "Fee Rate Tier"

    rate = fields.Many2One(
        'property.fee.rate', "Rate", required=True, ondelete='CASCADE')
    threshold = fields.Numeric(
        "Above", digits=(16, 2), required=True,
        help="Consumption above this quantity is charged at this price.")
    unit_price = fields.Numeric(
        "Unit Price", digits=PRICE_DIGITS, required=True)

    @classmethod
    def validate_fields(cls, tiers, field_names):
        super().validate_fields(tiers, field_names)
        for tier in tiers:
            if tier.threshold <= 0 or tier.unit_price < 0:
                raise RateError(gettext(
                        'property_billing.msg_rate_tier',
                        rate=tier.rate.rec_name))
