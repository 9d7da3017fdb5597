# This file is part of the property service suite. See README.md.
"""Work orders (维修任务单, R5): a repair ticket dispatched to engineering,
with labour on timesheets, materials and what the owner pays."""
import datetime
from decimal import Decimal

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access

from .exceptions import DeleteHistoryError, WorkOrderError


def _now():
    return datetime.datetime.now()


class WorkOrder(Workflow, ModelSQL, ModelView):
    "Work order (维修任务单) of a repair ticket"
    __name__ = 'property.work_order'
    __string__ = "Work Order"
    _rec_name = 'number'

    _draft = {'readonly': Eval('state') != 'draft'}
    _open = {'readonly': Eval('state').in_(['done', 'signed', 'cancelled'])}

    company = fields.Many2One(
        'company.company', "Company", required=True, ondelete='RESTRICT',
        states=_draft)
    number = fields.Char("Number", readonly=True)
    ticket = fields.Many2One(
        'property.ticket', "Ticket", required=True, ondelete='RESTRICT',
        domain=[
            ('company', '=', Eval('company', -1)),
            ('type', 'in', ['repair', 'rectification']),
            ],
        states=_draft)
    estate = fields.Many2One(
        'property.estate', "Estate", required=True, ondelete='RESTRICT',
        readonly=True)
    unit = fields.Function(
        fields.Many2One('property.unit', "Unit"), 'on_change_with_unit')
    technician = fields.Many2One(
        'company.employee', "Technician", required=True,
        ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))], states=_open)
    description = fields.Text("Work to Do", states=_open)
    planned_start = fields.Timestamp("Planned Start", states=_open)
    planned_end = fields.Timestamp("Planned End", states=_open)
    started_at = fields.Timestamp("Started at", readonly=True)
    done_at = fields.Timestamp("Completed at", readonly=True)
    result = fields.Text("Result", states=_open)
    timesheet_work = fields.Many2One(
        'timesheet.work', "Timesheet Work", readonly=True,
        ondelete='RESTRICT')
    labour_hours = fields.Function(
        fields.Float("Labour (h)", digits=(16, 2)), 'get_labour_hours')
    materials = fields.One2Many(
        'property.work_order.material', 'work_order', "Materials",
        states=_open)
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"),
        'on_change_with_currency')
    at_owner_cost = fields.Boolean(
        "At Owner's Cost", states=_open,
        help="The repair is inside the unit and paid by the owner.")
    labour_charge = Monetary(
        "Labour Charge", currency='currency', digits='currency',
        states={
            'readonly': _open['readonly'],
            'invisible': ~Eval('at_owner_cost'),
            })
    chargeable_amount = Monetary(
        "Chargeable Amount", currency='currency', digits='currency',
        readonly=True,
        help="Stored on completion for billing to invoice.")
    bill_to = fields.Many2One(
        'party.party', "Bill to", readonly=True,
        context={'company': Eval('company', -1)}, depends={'company'})
    signed_by = fields.Char(
        "Signed by", states={
            'readonly': Eval('state') != 'done',
            },
        help="The name of who accepted the work for the owner.")
    signed_at = fields.Timestamp("Signed at", readonly=True)
    state = fields.Selection([
            ('draft', "Draft"),
            ('in_progress', "In Progress"),
            ('done', "Done"),
            ('signed', "Signed Off"),
            ('cancelled', "Cancelled"),
            ], "State", readonly=True, required=True, sort=False)

    del _draft, _open

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.ticket, Index.Equality())),
                Index(t, (t.technician, Index.Equality()),
                    where=t.state.in_(['draft', 'in_progress'])),
                })
        cls._order = [('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'in_progress'),
            ('in_progress', 'done'),
            ('done', 'signed'),
            ('done', 'in_progress'),
            ('draft', 'cancelled'),
            ('in_progress', 'cancelled'),
            }
        cls._buttons.update({
                'start': {
                    'invisible': ~Eval('state').in_(['draft', 'done']),
                    'depends': ['state'],
                    },
                'complete': {
                    'invisible': Eval('state') != 'in_progress',
                    'depends': ['state'],
                    },
                'sign_off': {
                    'invisible': Eval('state') != 'done',
                    'readonly': ~Eval('signed_by'),
                    'depends': ['state', 'signed_by'],
                    },
                'cancel': {
                    'invisible': ~Eval('state').in_(['draft', 'in_progress']),
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_at_owner_cost(cls):
        return False

    @fields.depends('ticket', '_parent_ticket.unit')
    def on_change_with_unit(self, name=None):
        return self.ticket.unit if self.ticket else None

    @fields.depends('company')
    def on_change_with_currency(self, name=None):
        return self.company.currency if self.company else None

    @fields.depends('ticket', '_parent_ticket.estate',
        '_parent_ticket.description', 'description')
    def on_change_ticket(self):
        if self.ticket:
            self.estate = self.ticket.estate
            if not self.description:
                self.description = self.ticket.description

    @classmethod
    def get_labour_hours(cls, orders, name):
        result = {}
        for order in orders:
            total = datetime.timedelta()
            if order.timesheet_work:
                for line in order.timesheet_work.timesheet_lines:
                    total += line.duration or datetime.timedelta()
            result[order.id] = round(total.total_seconds() / 3600, 2)
        return result

    def get_rec_name(self, name):
        return self.number or str(self.id)

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('number',) + tuple(clause[1:])]

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Configuration = pool.get('property.configuration')
        Ticket = pool.get('property.ticket')
        values = super().preprocess_values(mode, values)
        if mode == 'create' and not values.get('number'):
            with without_check_access():
                values['number'] = (
                    Configuration(1).work_order_sequence.get())
        if values.get('ticket'):
            # the estate of the ticket decides who sees the work order
            values['estate'] = Ticket(values['ticket']).estate.id
        return values

    @classmethod
    def validate_fields(cls, orders, field_names):
        super().validate_fields(orders, field_names)
        if {'technician', 'ticket'} & field_names:
            for order in orders:
                estate = order.ticket.estate
                staff = {e.id for e in estate.staff}
                if estate.manager:
                    staff.add(estate.manager.id)
                if order.technician.id not in staff:
                    raise WorkOrderError(gettext(
                            'property_service.msg_work_order_technician_estate',
                            order=order.rec_name,
                            employee=order.technician.rec_name,
                            estate=estate.rec_name))
        if 'labour_charge' in field_names:
            for order in orders:
                if order.labour_charge is not None and order.labour_charge < 0:
                    raise WorkOrderError(gettext(
                            'property_service.msg_work_order_charge_negative',
                            order=order.rec_name))
        if 'planned_end' in field_names or 'planned_start' in field_names:
            for order in orders:
                if (order.planned_start and order.planned_end
                        and order.planned_end < order.planned_start):
                    raise WorkOrderError(gettext(
                            'property_service.msg_work_order_planned_dates',
                            order=order.rec_name))

    @classmethod
    def check_modification(cls, mode, orders, values=None, external=False):
        super().check_modification(
            mode, orders, values=values, external=external)
        if mode == 'delete':
            for order in orders:
                if order.state != 'draft':
                    raise DeleteHistoryError(gettext(
                            'property_service.msg_work_order_delete',
                            order=order.rec_name))
        elif mode == 'write' and external:
            for order in orders:
                if order.state in {'signed', 'cancelled'}:
                    raise WorkOrderError(gettext(
                            'property_service.msg_work_order_closed_edit',
                            order=order.rec_name))

    @classmethod
    def copy(cls, orders, default=None):
        default = default.copy() if default is not None else {}
        for name in ['number', 'started_at', 'done_at', 'timesheet_work',
                'chargeable_amount', 'bill_to', 'signed_by', 'signed_at']:
            default.setdefault(name, None)
        return super().copy(orders, default=default)

    @classmethod
    @ModelView.button
    @Workflow.transition('in_progress')
    def start(cls, orders):
        pool = Pool()
        Work = pool.get('timesheet.work')
        Ticket = pool.get('property.ticket')
        works = []
        for order in orders:
            if not order.started_at:
                order.started_at = _now()
            if not order.timesheet_work:
                work = Work(origin=order, company=order.company)
                works.append(work)
                order.timesheet_work = work
        Work.save(works)
        cls.save(orders)
        # the repair is under way: so is its ticket
        tickets = [o.ticket for o in orders if o.ticket.state == 'assigned']
        if tickets:
            Ticket.start(tickets)

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    def complete(cls, orders):
        for order in orders:
            if not (order.result or '').strip():
                raise WorkOrderError(gettext(
                        'property_service.msg_work_order_result',
                        order=order.rec_name))
            order.done_at = _now()
            order.chargeable_amount = order.compute_chargeable_amount()
            order.bill_to = (
                order.ticket.requester if order.at_owner_cost else None)
        cls.save(orders)

    def compute_chargeable_amount(self):
        "What the owner pays: labour charge and chargeable materials"
        if not self.at_owner_cost:
            return Decimal(0)
        amount = self.labour_charge or Decimal(0)
        for material in self.materials:
            if material.chargeable:
                amount += material.amount or Decimal(0)
        return self.currency.round(amount)

    @classmethod
    @ModelView.button
    @Workflow.transition('signed')
    def sign_off(cls, orders):
        for order in orders:
            if not (order.signed_by or '').strip():
                raise WorkOrderError(gettext(
                        'property_service.msg_work_order_signed_by',
                        order=order.rec_name))
        cls.write(orders, {'signed_at': _now()})

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, orders):
        pass


class WorkOrderMaterial(ModelSQL, ModelView):
    "Material used on a work order"
    __name__ = 'property.work_order.material'
    __string__ = "Work Order Material"

    work_order = fields.Many2One(
        'property.work_order', "Work Order", required=True,
        ondelete='CASCADE')
    product = fields.Many2One(
        'product.product', "Product", required=True, ondelete='RESTRICT',
        context={'company': Eval('_parent_work_order', {}).get('company')})
    quantity = fields.Float("Quantity", digits='unit', required=True)
    unit = fields.Many2One('product.uom', "Unit", required=True,
        ondelete='RESTRICT')
    unit_price = fields.Numeric(
        "Unit Price", digits=(16, 4),
        help="The price charged to the owner for one unit.")
    chargeable = fields.Boolean(
        "Chargeable", help="The owner pays for this material.")
    amount = fields.Function(
        fields.Numeric("Amount", digits=(16, 2)), 'on_change_with_amount')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('work_order')

    @classmethod
    def default_quantity(cls):
        return 1

    @classmethod
    def default_chargeable(cls):
        return True

    @fields.depends('product', 'unit', 'work_order',
        '_parent_work_order.company')
    def on_change_product(self):
        if self.product:
            self.unit = self.product.default_uom
            company = (self.work_order.company if self.work_order
                else None)
            with Transaction().set_context(
                    company=company.id if company else None):
                price = self.product.__class__(self.product.id).list_price
            if price is not None:
                self.unit_price = price

    @fields.depends('quantity', 'unit_price')
    def on_change_with_amount(self, name=None):
        if self.quantity is None or self.unit_price is None:
            return None
        return (Decimal(str(self.quantity)) * self.unit_price).quantize(
            Decimal('0.01'))

    @classmethod
    def validate_fields(cls, materials, field_names):
        super().validate_fields(materials, field_names)
        if {'quantity', 'unit_price'} & field_names:
            for material in materials:
                if material.quantity is not None and material.quantity <= 0:
                    raise WorkOrderError(gettext(
                            'property_service.msg_material_quantity',
                            product=material.product.rec_name))
                if (material.unit_price is not None
                        and material.unit_price < 0):
                    raise WorkOrderError(gettext(
                            'property_service.msg_material_price',
                            product=material.product.rec_name))


class TimesheetWork(metaclass=PoolMeta):
    __name__ = 'timesheet.work'

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() + ['property.work_order']
