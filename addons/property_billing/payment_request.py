# This file is part of the property service suite. See README.md.
"""Payment requests (缴费申请) from the owner portal.

Until a payment gateway is connected, an owner who paid a bill by bank
transfer, WeChat or Alipay says so in the portal and uploads the transfer
receipt; a cashier checks the money arrived and confirms the request, which
posts a counter receipt (property.receipt) paying those bills, so the
accounting is the same as at the counter. A request pays its bills in full
(no partial amounts: the amount must equal what the bills still ask), and a
bill is in at most one open request at a time."""
import datetime as dt
from decimal import Decimal

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Workflow, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access

from .exceptions import PaymentRequestError

# the recorded methods an owner may choose, and the counter payment method
# (created by the accounting set-up) proposed to the cashier for each
METHODS = [
    ('transfer', "Bank Transfer"),
    ('wechat', "WeChat Pay"),
    ('alipay', "Alipay"),
    ]
PAYMENT_METHOD_NAMES = {
    'transfer': '银行转账',
    'wechat': '微信支付',
    'alipay': '支付宝',
    }


class PaymentRequest(Workflow, ModelSQL, ModelView):
    "Payment Request (缴费申请)"
    __name__ = 'property.payment.request'
    __string__ = "Payment Request"
    _rec_name = 'number'
    _states = {'readonly': Eval('state') != 'requested'}

    company = fields.Many2One(
        'company.company', "Company", required=True, readonly=True)
    number = fields.Char("Number", readonly=True)
    estate = fields.Many2One(
        'property.estate', "Estate", required=True, readonly=True,
        ondelete='RESTRICT')
    unit = fields.Many2One(
        'property.unit', "Unit", required=True, readonly=True,
        ondelete='RESTRICT')
    party = fields.Many2One(
        'party.party', "Payer", required=True, readonly=True,
        ondelete='RESTRICT', context={'company': Eval('company', -1)},
        depends={'company'})
    invoices = fields.Many2Many(
        'property.payment.request-account.invoice', 'request', 'invoice',
        "Bills", readonly=True)
    amount = fields.Numeric(
        "Amount", digits=(16, 2), required=True, readonly=True,
        help="What the bills asked when the owner paid: the whole of it.")
    method = fields.Selection(
        METHODS, "Paid By", required=True, readonly=True)
    payment_method = fields.Many2One(
        'account.invoice.payment.method', "Payment Method",
        domain=[('company', '=', Eval('company', -1))],
        states={
            'readonly': Eval('state') != 'requested',
            'required': Eval('state') == 'confirmed',
            },
        help="The account the money arrived on, used by the receipt.")
    requested_at = fields.DateTime("Requested At", readonly=True)
    rejection_reason = fields.Text(
        "Rejection Reason", states=_states,
        help="Shown to the owner in the portal.")
    receipt = fields.Many2One(
        'property.receipt', "Receipt", readonly=True,
        ondelete='RESTRICT')
    state = fields.Selection([
            ('requested', "Waiting for Confirmation"),
            ('confirmed', "Confirmed"),
            ('rejected', "Rejected"),
            ('cancelled', "Cancelled"),
            ], "State", readonly=True, required=True, sort=False)
    state_string = state.translated('state')
    method_string = method.translated('method')
    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('estate')
        cls._order = [('requested_at', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('requested', 'confirmed'),
            ('requested', 'rejected'),
            ('requested', 'cancelled'),
            }
        cls._buttons.update({
                'confirm': {
                    'invisible': Eval('state') != 'requested',
                    'depends': ['state'],
                    },
                'reject': {
                    'invisible': Eval('state') != 'requested',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'requested'

    @classmethod
    def default_requested_at(cls):
        return dt.datetime.now()

    @classmethod
    def validate_fields(cls, requests, field_names):
        super().validate_fields(requests, field_names)
        if field_names & {'invoices', 'amount', 'party', 'state'}:
            cls.check_invoices(requests)

    @classmethod
    def check_invoices(cls, requests):
        "The payer's posted bills, still due, in no other open request"
        pool = Pool()
        Relation = pool.get('property.payment.request-account.invoice')
        for request in requests:
            if request.state != 'requested':
                continue
            if not request.invoices:
                raise PaymentRequestError(gettext(
                        'property_billing.msg_payment_request_no_bill'))
            for invoice in request.invoices:
                if invoice.party != request.party or invoice.type != 'out':
                    raise PaymentRequestError(gettext(
                            'property_billing.msg_payment_request_party',
                            invoice=invoice.rec_name,
                            party=request.party.rec_name))
                if invoice.state != 'posted' or invoice.amount_to_pay <= 0:
                    raise PaymentRequestError(gettext(
                            'property_billing.msg_payment_request_not_due',
                            invoice=invoice.rec_name))
            due = request.due_amount()
            if request.amount != due:
                raise PaymentRequestError(gettext(
                        'property_billing.msg_payment_request_amount',
                        amount=request.amount, due=due))
            others = Relation.search([
                    ('invoice', 'in', [i.id for i in request.invoices]),
                    ('request', '!=', request.id),
                    ('request.state', '=', 'requested'),
                    ], limit=1)
            if others:
                raise PaymentRequestError(gettext(
                        'property_billing.msg_payment_request_open',
                        invoice=others[0].invoice.rec_name))

    def due_amount(self):
        return sum((i.amount_to_pay for i in self.invoices), Decimal(0))

    @classmethod
    def request_payment(cls, party, unit, invoices, method, proof=None):
        """Record an owner's payment of the bills (all of them, in full)
        with the transfer receipt `proof` (name, data); the bills are
        locked so two requests cannot take the same bill at once."""
        pool = Pool()
        Invoice = pool.get('account.invoice')
        Attachment = pool.get('ir.attachment')
        PaymentMethod = pool.get('account.invoice.payment.method')
        Invoice.lock(invoices)
        invoices = Invoice.browse([i.id for i in invoices])
        payment_methods = PaymentMethod.search([
                ('company', '=', unit.estate.company.id),
                ('name', '=', PAYMENT_METHOD_NAMES.get(method)),
                ], limit=1)
        request = cls(
            company=unit.estate.company, estate=unit.estate, unit=unit,
            party=party, invoices=invoices, method=method,
            amount=sum((i.amount_to_pay for i in invoices), Decimal(0)),
            payment_method=payment_methods[0] if payment_methods else None)
        request.save()
        request.number = f'JF{request.requested_at:%Y%m%d}-{request.id:06d}'
        request.save()
        if proof:
            name, data = proof
            Attachment.create([{
                        'resource': str(request), 'name': name,
                        'data': data}])
        return request

    @classmethod
    @ModelView.button
    def confirm(cls, requests):
        """The money arrived: post a counter receipt paying the bills (the
        button is for clerks and accountants; the moves are written
        whatever their accounting groups)"""
        pool = Pool()
        Receipt = pool.get('property.receipt')
        Date = pool.get('ir.date')
        cls.check_open(requests)
        receipts = []
        with without_check_access():
            for request in requests:
                if not request.payment_method:
                    raise PaymentRequestError(gettext(
                            'property_billing.msg_payment_request_method',
                            request=request.rec_name))
                due = request.due_amount()
                if due != request.amount or any(
                        i.state != 'posted' for i in request.invoices):
                    # paid at the counter meanwhile, or credited
                    raise PaymentRequestError(gettext(
                            'property_billing.msg_payment_request_changed',
                            request=request.rec_name, amount=request.amount,
                            due=due))
                with Transaction().set_context(
                        company=request.company.id):
                    today = Date.today()
                receipt = Receipt(
                    company=request.company, estate=request.estate,
                    unit=request.unit, party=request.party, date=today,
                    payment_method=request.payment_method,
                    amount=request.amount, prepay_excess=False,
                    invoices=list(request.invoices))
                receipts.append(receipt)
                request.receipt = receipt
            Receipt.save(receipts)
            Receipt.post(receipts)
            cls.save(requests)
        cls._confirm(requests)

    @classmethod
    @Workflow.transition('confirmed')
    def _confirm(cls, requests):
        pass

    @classmethod
    @ModelView.button
    def reject(cls, requests):
        "Refused by the cashier, with the reason the owner will read"
        cls.check_open(requests)
        for request in cls.browse(requests):
            if not (request.rejection_reason or '').strip():
                raise PaymentRequestError(gettext(
                        'property_billing.msg_payment_request_reason',
                        request=request.rec_name))
        cls._reject(requests)

    @classmethod
    @Workflow.transition('rejected')
    def _reject(cls, requests):
        pass

    @classmethod
    def cancel(cls, requests):
        "Withdrawn by the owner (from the portal) before it was handled"
        cls.check_open(requests)
        cls._cancel(requests)

    @classmethod
    @Workflow.transition('cancelled')
    def _cancel(cls, requests):
        pass

    @classmethod
    def check_open(cls, requests):
        # read the state again: an instance may predate the last transition
        for request in cls.browse([r.id for r in requests]):
            if request.state != 'requested':
                raise PaymentRequestError(gettext(
                        'property_billing.msg_payment_request_handled',
                        request=request.rec_name,
                        state=request.state_string))

    @classmethod
    def check_modification(cls, mode, requests, values=None, external=False):
        super().check_modification(
            mode, requests, values=values, external=external)
        if mode == 'delete':
            # the history of what owners declared is kept
            raise PaymentRequestError(gettext(
                    'property_billing.msg_payment_request_delete'))


class PaymentRequestInvoice(ModelSQL):
    "Payment Request - Invoice"
    __name__ = 'property.payment.request-account.invoice'
    request = fields.Many2One(
        'property.payment.request', "Request", required=True,
        ondelete='CASCADE')
    invoice = fields.Many2One(
        'account.invoice', "Invoice", required=True, ondelete='RESTRICT')
