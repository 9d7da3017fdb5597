# This file is part of the property service suite. See README.md.
"""The fee standards of an estate (收费标准公示) at a date, ready to post on
the notice board: every fee its plans apply, to which units, the rate in
force with its unit (元/平方米·月 ...), tiers, cycle, VAT and the approval
that authorises it."""
from trytond.model import ModelView, fields
from trytond.pool import Pool
from trytond.wizard import Button, StateReport, StateView, Wizard

from .printing import PropertyReport

# the unit of a rate per method, printed after the price; metered fees use
# the symbol of the product's unit of measure
RATE_UNITS = {
    'area': '元/平方米·月',
    'unit': '元/户·月',
    'parking': '元/个·月',
    'one_off': '元/次',
    }
CYCLES = {'monthly': '按月', 'quarterly': '按季', 'yearly': '按年'}
BILL_TO = {'owner': '业主', 'tenant': '住户（无住户时为业主）'}
USAGES = {
    'residential': '住宅', 'commercial': '商铺', 'office': '写字楼',
    'storage': '储藏室',
    }


class FeeStandardsReport(PropertyReport):
    "Fee Standards (收费标准)"
    __name__ = 'property.fee.standards'

    @classmethod
    def get_context(cls, records, header, data):
        pool = Pool()
        Estate = pool.get('property.estate')
        Date = pool.get('ir.date')
        context = super().get_context(records, header, data)
        date = data.get('date') or Date.today()
        context['date'] = date
        context['estates'] = [
            standards(e, date) for e in Estate.browse([r.id for r in records])]
        return context


def rate_unit(fee):
    if fee.method == 'metered':
        return f'元/{fee.product.default_uom.symbol}'
    return RATE_UNITS[fee.method]


def scope(plan):
    "Which units of the estate the plan applies to"
    parts = []
    if plan.unit:
        parts.append(plan.unit.code)
    elif plan.building:
        parts.append(plan.building.name)
    if plan.usage:
        parts.append(USAGES.get(plan.usage, plan.usage))
    return '、'.join(parts) or '全部房屋'


def standards(estate, date):
    "{'estate', 'rows'}: one row per fee of a plan of estate in force at date"
    Plan = Pool().get('property.fee.plan')
    plans = Plan.search([
            ('estate', '=', estate.id),
            ('start_date', '<=', date),
            ['OR', ('end_date', '=', None), ('end_date', '>=', date)],
            ])
    rows = []
    for plan in plans:
        for fee in plan.fees:
            rate = fee.get_rate(estate, date)
            if rate is None:
                continue
            rows.append({
                    'fee': fee,
                    'scope': scope(plan),
                    'rate': rate,
                    'unit': rate_unit(fee),
                    'tiers': list(rate.tiers),
                    'cycle': CYCLES[plan.cycle],
                    'bill_to': BILL_TO[plan.bill_to],
                    'taxes': '、'.join(
                        t.name for t in fee.product.customer_taxes_used),
                    })
    rows.sort(key=lambda r: (r['fee'].code, r['scope']))
    return {
        'estate': estate,
        'company': estate.company,
        'currency': estate.company.currency,
        'rows': rows,
        }


class FeeStandardsPrintStart(ModelView):
    "Print Fee Standards"
    __name__ = 'property.fee.standards.print.start'
    date = fields.Date("Date", required=True,
        help="The fees, plans and rates in force on this date are printed.")

    @classmethod
    def default_date(cls):
        return Pool().get('ir.date').today()


class FeeStandardsPrint(Wizard):
    "Print Fee Standards"
    __name__ = 'property.fee.standards.print'
    start = StateView('property.fee.standards.print.start',
        'property_billing.fee_standards_print_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Print", 'print_', 'tryton-print', default=True),
            ])
    print_ = StateReport('property.fee.standards')

    def do_print_(self, action):
        return action, {
            'ids': [r.id for r in self.records],
            'model': 'property.estate',
            'date': self.start.date,
            }
