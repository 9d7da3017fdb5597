# This file is part of the property service suite. See README.md.
"""Disputed bills (有争议账单).

An owner may contest a bill (wrong area, a leak billed as water, service
not rendered). Staff mark it disputed with the reason; until the dispute is
resolved the bill is not dunned and bears no late fee: its dunnings are
blocked (the platform's own flag, which stops level increases and fees)
and no new dunning is created for it (dunning.py). Who disputed it, when
and why stays on the bill."""
from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval
from trytond.transaction import Transaction, without_check_access
from trytond.wizard import Button, StateTransition, StateView, Wizard

from .exceptions import DisputeError


class Invoice(metaclass=PoolMeta):
    __name__ = 'account.invoice'

    disputed = fields.Boolean(
        "Disputed", readonly=True,
        help="Contested by the payer (有争议): not dunned and no late fee "
        "until the dispute is resolved.")
    dispute_reason = fields.Text(
        "Dispute Reason", readonly=True,
        states={'invisible': ~Eval('dispute_reason')})
    dispute_date = fields.Date(
        "Dispute Date", readonly=True,
        states={'invisible': ~Eval('dispute_date')})
    dispute_user = fields.Many2One(
        'res.user', "Disputed By", readonly=True,
        states={'invisible': ~Eval('dispute_user')})

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._check_modify_exclude |= {
            'disputed', 'dispute_reason', 'dispute_date', 'dispute_user'}
        cls._buttons.update({
                'dispute': {
                    'invisible': (Bool(Eval('disputed'))
                        | (Eval('type') != 'out')
                        | (Eval('state') != 'posted')),
                    'depends': ['disputed', 'type', 'state'],
                    },
                'resolve_dispute': {
                    'invisible': ~Eval('disputed'),
                    'depends': ['disputed'],
                    },
                })

    @classmethod
    def default_disputed(cls):
        return False

    @classmethod
    def copy(cls, invoices, default=None):
        default = default.copy() if default is not None else {}
        for name in ['disputed', 'dispute_reason', 'dispute_date',
                'dispute_user']:
            default.setdefault(name, None)
        return super().copy(invoices, default=default)

    @classmethod
    @ModelView.button_action('property_billing.wizard_bill_dispute')
    def dispute(cls, invoices):
        pass

    @classmethod
    def set_disputed(cls, invoices, reason):
        "Mark posted, unpaid bills disputed and block their dunnings"
        pool = Pool()
        Date = pool.get('ir.date')
        Dunning = pool.get('account.dunning')
        if not reason or not reason.strip():
            raise DisputeError(gettext(
                    'property_billing.msg_dispute_reason'))
        for invoice in invoices:
            if invoice.type != 'out' or invoice.state != 'posted':
                raise DisputeError(gettext(
                        'property_billing.msg_dispute_state',
                        invoice=invoice.rec_name))
        # staff without accounting rights may press the button (button
        # groups): the flag is written whatever their invoice access
        with without_check_access():
            cls.write(list(invoices), {
                    'disputed': True,
                    'dispute_reason': reason.strip(),
                    'dispute_date': Date.today(),
                    'dispute_user': Transaction().user,
                    })
            dunnings = cls.dunnings_of(invoices)
            if dunnings:
                Dunning.write(dunnings, {'blocked': True})

    @classmethod
    @ModelView.button
    def resolve_dispute(cls, invoices):
        "The dispute is settled: the bill is dunned again from now on"
        Dunning = Pool().get('account.dunning')
        with without_check_access():
            cls.write(list(invoices), {'disputed': False})
            dunnings = cls.dunnings_of(invoices)
            if dunnings:
                Dunning.write(dunnings, {'blocked': False})

    @classmethod
    def dunnings_of(cls, invoices):
        Dunning = Pool().get('account.dunning')
        lines = [l.id for i in invoices for l in (i.move.lines if i.move
                else []) if l.account == i.account]
        if not lines:
            return []
        return Dunning.search([
                ('line', 'in', lines),
                ('active', 'in', [True, False]),
                ])


class DisputeStart(ModelView):
    "Dispute Bill"
    __name__ = 'property.bill.dispute.start'
    __string__ = "Dispute Bill"
    reason = fields.Text(
        "Reason", required=True,
        help="What the payer contests, e.g. the area billed or a service "
        "not rendered.")


class Dispute(Wizard):
    "Dispute Bill"
    __name__ = 'property.bill.dispute'
    start = StateView('property.bill.dispute.start',
        'property_billing.bill_dispute_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Mark Disputed", 'dispute', 'tryton-ok', default=True),
            ])
    dispute = StateTransition()

    def transition_dispute(self):
        self.model.set_disputed(self.records, self.start.reason)
        return 'end'
