# This file is part of the property service suite. See README.md.
"""Deposits (押金): held as a liability on 224101 其他应付款-押金 for the
party, refunded once (renovation deposit, key deposit...)."""
from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Workflow, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access

from . import accounting
from .exceptions import DepositError


class Deposit(Workflow, ModelSQL, ModelView):
    "Deposit (押金)"
    __name__ = 'property.deposit'
    __string__ = "Deposit"
    _states = {'readonly': Eval('state') != 'draft'}

    company = fields.Many2One(
        'company.company', "Company", required=True, states=_states)
    estate = fields.Many2One(
        'property.estate', "Estate", required=True, ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))], states=_states)
    unit = fields.Many2One(
        'property.unit', "Unit", ondelete='RESTRICT',
        domain=[('estate', '=', Eval('estate', -1))], states=_states)
    party = fields.Many2One(
        'party.party', "Party", required=True, ondelete='RESTRICT',
        states=_states, context={'company': Eval('company', -1)},
        depends={'company'})
    description = fields.Char(
        "Description", required=True, states=_states,
        help="What the deposit guarantees, e.g. 装修押金.")
    amount = fields.Numeric(
        "Amount", digits=(16, 2), required=True, states=_states)
    payment_method = fields.Many2One(
        'account.invoice.payment.method', "Received By", required=True,
        domain=[('company', '=', Eval('company', -1))], states=_states)
    number = fields.Function(fields.Char("Number"), 'get_number')
    received_date = fields.Date(
        "Received On", required=True, states=_states)
    receive_move = fields.Many2One(
        'account.move', "Receipt Move", readonly=True)
    refund_method = fields.Many2One(
        'account.invoice.payment.method', "Refunded By",
        domain=[('company', '=', Eval('company', -1))],
        states={'readonly': Eval('state') != 'held'},
        help="Empty: the way the deposit was received.")
    refund_date = fields.Date(
        "Refunded On", states={'readonly': Eval('state') != 'held'})
    refund_move = fields.Many2One(
        'account.move', "Refund Move", readonly=True)
    state = fields.Selection([
            ('draft', "Draft"),
            ('held', "Held"),
            ('refunded', "Refunded"),
            ], "State", readonly=True, required=True)
    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        # estates: record rules of billing_access.xml (__access__ would
        # grant every reader of estates, e.g. technicians, this model)
        cls._order = [('received_date', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {('draft', 'held'), ('held', 'refunded')}
        cls._buttons.update({
                'receive': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'refund': {
                    'invisible': Eval('state') != 'held',
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
    def default_received_date(cls):
        return Pool().get('ir.date').today()

    def get_number(self, name):
        "The deposit receipt's number: received date and id (押金收据编号)"
        if self.received_date:
            return f'YJ{self.received_date:%Y%m%d}-{self.id:06d}'

    def get_rec_name(self, name):
        return f'{self.party.rec_name} {self.description}'

    @classmethod
    def validate_fields(cls, deposits, field_names):
        super().validate_fields(deposits, field_names)
        for deposit in deposits:
            if deposit.amount is None or deposit.amount <= 0:
                raise DepositError(gettext(
                        'property_billing.msg_deposit_amount',
                        deposit=deposit.rec_name, amount=deposit.amount))

    @classmethod
    def check_modification(cls, mode, deposits, values=None, external=False):
        super().check_modification(
            mode, deposits, values=values, external=external)
        if mode == 'delete':
            for deposit in deposits:
                if deposit.state != 'draft':
                    raise DepositError(gettext(
                            'property_billing.msg_deposit_delete',
                            deposit=deposit.rec_name))

    def _move(self, date, method, refund):
        pool = Pool()
        Move = pool.get('account.move')
        Line = pool.get('account.move.line')
        Period = pool.get('account.period')
        deposit_account = accounting.get_account(
            self.company, accounting.DEPOSIT)
        cash = method.credit_account if refund else method.debit_account
        held = Line(account=deposit_account, party=self.party,
            debit=self.amount if refund else 0,
            credit=0 if refund else self.amount)
        other = Line(account=cash,
            party=self.party if cash.party_required else None,
            debit=0 if refund else self.amount,
            credit=self.amount if refund else 0)
        move = Move(
            company=self.company, journal=method.journal, date=date,
            period=Period.find(self.company, date=date), origin=self,
            description=self.rec_name, lines=[held, other])
        move.save()
        Move.post([move])
        return move

    @classmethod
    @ModelView.button
    @Workflow.transition('held')
    def receive(cls, deposits):
        # clerks receive deposits without accounting groups (button groups)
        with without_check_access():
            for deposit in deposits:
                deposit.receive_move = deposit._move(
                    deposit.received_date, deposit.payment_method, False)
        cls.save(deposits)

    @classmethod
    @ModelView.button
    def refund(cls, deposits):
        "Refund held deposits; a deposit is refunded at most once"
        Date = Pool().get('ir.date')
        for deposit in deposits:
            if deposit.state != 'held':
                raise DepositError(gettext(
                        'property_billing.msg_deposit_not_held',
                        deposit=deposit.rec_name))
        cls.lock(deposits)
        for deposit in cls.browse([d.id for d in deposits]):
            if deposit.state != 'held' or deposit.refund_move:
                raise DepositError(gettext(
                        'property_billing.msg_deposit_not_held',
                        deposit=deposit.rec_name))
            if not deposit.refund_method:
                deposit.refund_method = deposit.payment_method
            if not deposit.refund_date:
                deposit.refund_date = Date.today()
            with without_check_access():
                deposit.refund_move = deposit._move(
                    deposit.refund_date, deposit.refund_method, True)
            deposit.state = 'refunded'
            deposit.save()
        cls.log(deposits, 'transition', 'state:refunded')
