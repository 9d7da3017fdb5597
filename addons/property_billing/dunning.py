# This file is part of the property service suite. See README.md.
"""Dunning (催缴) and late fees (滞纳金) on the platform's account_dunning.

The platform duns each overdue receivable line level by level (提醒 ->
催缴函 -> 最后通知), mails and prints letters, and posts the fee of a level
(account_dunning_fee) to the receivable and the fee product's income
account (630101 营业外收入-滞纳金). What a property company needs on top:

- a late fee computed at a daily rate of the amount still overdue (e.g.
  万分之三 a day) for the days overdue, capped at a share of that amount
  (by law never more than the principal). Each level charges what accrued
  since the fees already charged on the same dunning, so the total never
  passes the cap;
- disputed bills (有争议, see dispute.py) get no dunning and no fee: their
  dunnings are blocked and no new one is created for them;
- a paid bill is never dunned."""
import datetime as dt
from decimal import Decimal

from trytond.i18n import gettext
from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access

from .exceptions import DunningError, LateFeeError

# the law (行政强制法 第45条) caps a late fee at the principal
MAX_CAP = Decimal(1)


class DunningFee(metaclass=PoolMeta):
    __name__ = 'account.dunning.fee'

    daily_rate = fields.Numeric(
        "Daily Rate", digits=(None, 8),
        states={
            'invisible': Eval('compute_method') != 'daily_rate',
            'required': Eval('compute_method') == 'daily_rate',
            },
        help="Share of the overdue amount charged per day overdue, "
        "e.g. 0.0003 (万分之三).")
    cap = fields.Numeric(
        "Cap", digits=(None, 4),
        states={
            'invisible': Eval('compute_method') != 'daily_rate',
            'required': Eval('compute_method') == 'daily_rate',
            },
        help="Most that the late fees of a bill may reach, as a share of "
        "its overdue amount (1 = the overdue amount itself).")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.compute_method.selection.append(
            ('daily_rate', "Daily Rate on Overdue Amount"))

    @classmethod
    def default_cap(cls):
        return MAX_CAP

    @classmethod
    def validate_fields(cls, fees, field_names):
        super().validate_fields(fees, field_names)
        if field_names & {'compute_method', 'daily_rate', 'cap'}:
            for fee in fees:
                if fee.compute_method != 'daily_rate':
                    continue
                if fee.daily_rate is None or fee.daily_rate <= 0:
                    raise LateFeeError(gettext(
                            'property_billing.msg_late_fee_rate',
                            fee=fee.rec_name, rate=fee.daily_rate))
                if fee.cap is None or not (0 < fee.cap <= MAX_CAP):
                    raise LateFeeError(gettext(
                            'property_billing.msg_late_fee_cap',
                            fee=fee.rec_name, cap=fee.cap))

    def get_amount(self, dunning):
        if self.compute_method == 'daily_rate':
            currency = dunning.company.currency
            return self.get_daily_rate_amount(dunning), currency
        return super().get_amount(dunning)

    def get_daily_rate_amount(self, dunning, date=None):
        """Late fee due at date (today) on the dunning: daily rate x days
        overdue x amount overdue, capped, less the fees charged already"""
        pool = Pool()
        Date = pool.get('ir.date')
        currency = dunning.company.currency
        if dunning.disputed or dunning.blocked:
            return Decimal(0)
        if date is None:
            with Transaction().set_context(company=dunning.company.id):
                date = Date.today()
        principal = dunning.overdue_amount
        days = (date - dunning.maturity_date).days
        if principal <= 0 or days <= 0:
            return Decimal(0)
        accrued = min(
            principal * self.daily_rate * days, principal * self.cap)
        charged = sum(
            (f.amount for f in dunning.fees
                if f.amount and f.level != dunning.level), Decimal(0))
        return max(currency.round(accrued - charged), Decimal(0))


class DunningLevel(metaclass=PoolMeta):
    __name__ = 'account.dunning.level'

    name = fields.Char(
        "Name", translate=True,
        help="Shown to the staff and on letters, e.g. 提醒, 催缴函, 最后通知.")

    def get_rec_name(self, name):
        if self.name:
            return f'{self.name}@{self.procedure.rec_name}'
        return super().get_rec_name(name)


class Dunning(metaclass=PoolMeta):
    __name__ = 'account.dunning'

    invoice = fields.Function(fields.Many2One(
            'account.invoice', "Bill"), 'get_invoice')
    disputed = fields.Function(fields.Boolean(
            "Disputed",
            help="The bill is disputed: no level increase and no late fee."),
        'get_disputed')
    overdue_amount = fields.Function(fields.Numeric(
            "Overdue Amount", digits=(16, 2),
            help="What is still to pay on the dunned line."),
        'get_overdue_amount')

    def get_invoice(self, name):
        origin = self.line.move_origin if self.line else None
        Invoice = Pool().get('account.invoice')
        if isinstance(origin, Invoice) and origin.id >= 0:
            return origin.id

    def get_disputed(self, name):
        return bool(self.invoice and self.invoice.disputed)

    def get_overdue_amount(self, name):
        amount = self.line.debit - self.line.credit
        if self.line.reconciliation:
            return Decimal(0)
        if self.invoice:
            # partial payments of the bill lower what is overdue
            amount = min(amount, self.invoice.amount_to_pay)
        return amount

    @classmethod
    def validate_fields(cls, dunnings, field_names):
        super().validate_fields(dunnings, field_names)
        if field_names & {'line', 'blocked', 'state'}:
            for dunning in dunnings:
                if dunning.state == 'draft' and dunning.line.reconciliation:
                    raise DunningError(gettext(
                            'property_billing.msg_dunning_paid',
                            line=dunning.line.rec_name))
                if dunning.disputed and not dunning.blocked:
                    raise DunningError(gettext(
                            'property_billing.msg_dunning_disputed',
                            invoice=dunning.invoice.rec_name))

    @classmethod
    def process(cls, dunnings):
        # the wizard is for the accountants (model access to dunnings): the
        # fee moves are posted whatever their accounting groups
        with without_check_access():
            super().process(dunnings)

    @classmethod
    def _get_dunning(cls, line, date):
        # a disputed bill is not dunned until its dispute is resolved
        Invoice = Pool().get('account.invoice')
        origin = line.move_origin
        if isinstance(origin, Invoice) and origin.disputed:
            return
        return super()._get_dunning(line, date)


class ProcessDunning(metaclass=PoolMeta):
    __name__ = 'account.dunning.process'

    def transition_send_email(self):
        # the emails sent are logged (ir.email) whatever the user's groups
        with without_check_access():
            return super().transition_send_email()


class FeeDunningLevel(metaclass=PoolMeta):
    __name__ = 'account.dunning.fee.dunning_level'

    @classmethod
    def process(cls, fees):
        # nothing accrued (capped, disputed): no empty move
        super().process([f for f in fees if f.amount])


def create_dunning_procedure(company, late_fee_category):
    """The default procedure of a property company (物业费催缴), made the
    default of every customer: 提醒 by email after 15 days, 催缴函 (letter and
    email, late fee) after 45 days, 最后通知 (letter and email, late fee)
    after 90 days. The late fee is 万分之三 a day, capped at the overdue
    amount, posted to 630101 营业外收入-滞纳金."""
    pool = Pool()
    Template = pool.get('product.template')
    Uom = pool.get('product.uom')
    Journal = pool.get('account.journal')
    Fee = pool.get('account.dunning.fee')
    Procedure = pool.get('account.dunning.procedure')
    Configuration = pool.get('account.configuration')
    unit, = Uom.search([('symbol', '=', 'u')], limit=1)
    with Transaction().set_context(company=company.id):
        template = Template(
            name='滞纳金', type='service', default_uom=unit,
            account_category=late_fee_category, products=[{}])
        template.save()
        product, = template.products
    journal, = Journal.search([('type', '=', 'revenue')], limit=1)
    fee = Fee(
        name='滞纳金（日万分之三）', product=product, journal=journal,
        compute_method='daily_rate', daily_rate=Decimal('0.0003'),
        cap=MAX_CAP)
    fee.save()
    procedure = Procedure(name='物业费催缴', levels=[
            {'name': '提醒', 'sequence': 10,
                'overdue': dt.timedelta(days=15),
                'send_email': True},
            {'name': '催缴函', 'sequence': 20,
                'overdue': dt.timedelta(days=45),
                'print_on_letter': True, 'send_email': True, 'fee': fee},
            {'name': '最后通知', 'sequence': 30,
                'overdue': dt.timedelta(days=90),
                'print_on_letter': True, 'send_email': True, 'fee': fee},
            ])
    procedure.save()
    config = Configuration(1)
    if not config.default_dunning_procedure:
        config.default_dunning_procedure = procedure
        config.save()
    return procedure
