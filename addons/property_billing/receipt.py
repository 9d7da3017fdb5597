# This file is part of the property service suite. See README.md.
"""Counter receipts (收款), prepayments (预存) and their consumption.

A receipt pays the chosen bills of a party, oldest first, through the
accounting module (one payment move per bill, reconciled once paid). What
is paid beyond the bills is refused unless the clerk keeps it as a
prepayment: it is then credited to 2203 预收账款 for the party and consumed
by the party's next bills automatically."""
from collections import defaultdict
from decimal import Decimal

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Workflow, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access

from . import accounting
from .analytic import expect_analytic_state
from .exceptions import ReceiptError


class Receipt(Workflow, ModelSQL, ModelView):
    "Counter Receipt (收款单)"
    __name__ = 'property.receipt'
    __string__ = "Receipt"
    _rec_name = 'number'
    _states = {'readonly': Eval('state') != 'draft'}

    company = fields.Many2One(
        'company.company', "Company", required=True, states=_states)
    number = fields.Char("Number", readonly=True)
    estate = fields.Many2One(
        'property.estate', "Estate", required=True, ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))], states=_states)
    unit = fields.Many2One(
        'property.unit', "Unit", ondelete='RESTRICT',
        domain=[('estate', '=', Eval('estate', -1))], states=_states)
    party = fields.Many2One(
        'party.party', "Payer", required=True, ondelete='RESTRICT',
        states=_states, context={'company': Eval('company', -1)},
        depends={'company'})
    date = fields.Date("Date", required=True, states=_states)
    payment_method = fields.Many2One(
        'account.invoice.payment.method', "Payment Method", required=True,
        domain=[('company', '=', Eval('company', -1))], states=_states,
        help="Cash, bank card, WeChat Pay, Alipay or bank transfer.")
    amount = fields.Numeric(
        "Amount", digits=(16, 2), required=True, states=_states)
    invoices = fields.Many2Many(
        'property.receipt-account.invoice', 'receipt', 'invoice', "Bills",
        domain=[
            ('company', '=', Eval('company', -1)),
            ('party', '=', Eval('party', -1)),
            ('type', '=', 'out'),
            ('state', '=', 'posted'),
            ],
        states=_states, help="The bills paid, oldest first.")
    prepay_excess = fields.Boolean(
        "Keep Excess as Prepayment", states=_states,
        help="What is paid beyond the bills is kept as a prepayment (预存) "
        "and consumed by the next bills.")
    prepayment = fields.Numeric(
        "Prepayment", digits=(16, 2), readonly=True)
    prepayment_move = fields.Many2One(
        'account.move', "Prepayment Move", readonly=True)
    state = fields.Selection([
            ('draft', "Draft"),
            ('posted', "Posted"),
            ], "State", readonly=True, required=True)
    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        # estates: record rules of billing_access.xml (__access__ would
        # grant every reader of estates, e.g. technicians, this model)
        cls._order = [('date', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {('draft', 'posted')}
        cls._buttons.update({
                'post': {
                    'invisible': Eval('state') != 'draft',
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
    def default_date(cls):
        return Pool().get('ir.date').today()

    @classmethod
    def default_prepay_excess(cls):
        return False

    @classmethod
    def check_modification(cls, mode, receipts, values=None, external=False):
        super().check_modification(
            mode, receipts, values=values, external=external)
        if mode == 'delete':
            for receipt in receipts:
                if receipt.state != 'draft':
                    raise ReceiptError(gettext(
                            'property_billing.msg_receipt_delete',
                            receipt=receipt.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('posted')
    def post(cls, receipts):
        """Post the receipts: their payment moves (one per bill paid, one
        for a prepayment) are saved and posted together, the bills paid in
        full reconciled together: the same accounting documents as
        account_invoice's pay_invoice, in a few calls for any number of
        receipts"""
        pool = Pool()
        Move = pool.get('account.move')
        Invoice = pool.get('account.invoice')
        ReceiptInvoice = pool.get('property.receipt-account.invoice')
        # the button is for clerks and accountants (button groups): the
        # payment moves are written whatever their accounting groups
        with without_check_access():
            paid = defaultdict(Decimal)
            payments = []
            for receipt in receipts:
                payments.extend(
                    (receipt,) + p for p in receipt.get_payments(paid))
                receipt.number = (
                    f'SK{receipt.date:%Y%m%d}-{receipt.id:06d}')
            moves = [move for _, move, _, _ in payments]
            expect_analytic_state(moves)
            Move.save(moves)
            Move.post(moves)
            payment_lines = defaultdict(list)
            for receipt, move, invoice, amount in payments:
                if invoice is None:
                    receipt.prepayment_move = move
                    continue
                line, = [l for l in move.lines
                    if l.account == invoice.account]
                payment_lines[invoice.id].append(line)
            Invoice.add_payment_lines({
                    Invoice(i): lines for i, lines in payment_lines.items()})
            # what each receipt paid on each bill, printed on the receipt
            amounts = defaultdict(Decimal)
            for receipt, _, invoice, amount in payments:
                if invoice is not None:
                    amounts[(receipt.id, invoice.id)] += amount
            to_write = []
            for link in ReceiptInvoice.search([
                        ('receipt', 'in', [r.id for r in receipts]),
                        ]):
                key = (link.receipt.id, link.invoice.id)
                if key in amounts:
                    to_write.extend([[link], {'amount': amounts[key]}])
            if to_write:
                ReceiptInvoice.write(*to_write)
            reconcile_paid(Invoice.browse(list(payment_lines)))
        cls.save(receipts)

    def get_payments(self, paid):
        """The payment moves of the receipt, unsaved: one per bill it pays,
        oldest bill first (what account_invoice's pay_invoice would post),
        and one for what it keeps as prepayment: [(move, bill or None,
        amount)]. paid: {bill id: amount} paid by the receipts posted
        before this one in the same call, updated."""
        pool = Pool()
        Invoice = pool.get('account.invoice')
        if self.amount is None or self.amount <= 0:
            raise ReceiptError(gettext(
                    'property_billing.msg_receipt_amount',
                    amount=self.amount))
        # browsed on their own: read through self.invoices they share the
        # prefetch list of the bills of every receipt posted with this one
        invoices = sorted(
            [i for i in Invoice.browse([i.id for i in self.invoices])
                if i.state == 'posted'],
            key=lambda i: (i.invoice_date, i.id))
        to_pay = {i.id: max(i.amount_to_pay - paid[i.id], Decimal(0))
            for i in invoices}
        due = sum(to_pay.values(), Decimal(0))
        excess = self.amount - due
        if excess > 0 and not self.prepay_excess:
            raise ReceiptError(gettext(
                    'property_billing.msg_receipt_overpaid',
                    amount=self.amount, due=due))
        remaining = self.amount
        description = gettext(
            'property_billing.msg_receipt_description',
            party=self.party.rec_name)
        payments = []
        for invoice in invoices:
            if remaining <= 0:
                break
            pay = min(remaining, to_pay[invoice.id])
            if pay <= 0:
                continue
            payments.append((
                    payment_move(invoice, pay, self.payment_method,
                        self.date, description), invoice, pay))
            paid[invoice.id] += pay
            remaining -= pay
        self.prepayment = Decimal(0)
        if remaining > 0:
            self.prepayment = remaining
            payments.append((
                    prepayment_move(self.company, self.party, self.date,
                        remaining, self.payment_method.debit_account,
                        description), None, remaining))
        return payments


class ReceiptInvoice(ModelSQL):
    "Receipt - Invoice"
    __name__ = 'property.receipt-account.invoice'
    receipt = fields.Many2One(
        'property.receipt', "Receipt", required=True, ondelete='CASCADE')
    invoice = fields.Many2One(
        'account.invoice', "Invoice", required=True, ondelete='RESTRICT')
    amount = fields.Numeric(
        "Amount Paid", digits=(16, 2), readonly=True,
        help="What the receipt paid on the bill, set when it is posted.")


def reconcile_paid(invoices):
    """Reconcile the bills whose payments cover them and mark them paid
    now (the platform would only queue it)"""
    pool = Pool()
    MoveLine = pool.get('account.move.line')
    Invoice = pool.get('account.invoice')
    paid, groups = [], []
    for invoice in invoices:
        if invoice.state != 'posted' or invoice.amount_to_pay:
            continue
        lines = [l for l in invoice.lines_to_pay + invoice.payment_lines
            if not l.reconciliation]
        if lines and sum(l.debit - l.credit for l in lines) == 0:
            groups.append(lines)
            paid.append(invoice)
    if groups:
        MoveLine.reconcile(*groups)
    if paid:
        Invoice.process(Invoice.browse([i.id for i in paid]))


def payment_move(invoice, amount, payment_method, date, description):
    """The move paying amount on a bill at date, unsaved: account_invoice's
    pay_invoice (credit the bill's receivable, debit the payment method's
    account) for a bill in the company's currency, as bills are"""
    pool = Pool()
    Move = pool.get('account.move')
    Line = pool.get('account.move.line')
    Period = pool.get('account.period')
    assert invoice.type == 'out' and amount > 0
    assert invoice.currency == invoice.company.currency
    lines = [
        Line(account=invoice.account, debit=0, credit=amount),
        Line(account=payment_method.debit_account.current(date=date),
            debit=amount, credit=0),
        ]
    for line in lines:
        if line.account.party_required:
            line.party = invoice.party
    return Move(
        journal=payment_method.journal, date=date,
        period=Period.find(invoice.company, date=date), origin=invoice,
        description=description, company=invoice.company, lines=lines)


def prepayment_move(company, party, date, amount, debit_account,
        description):
    """The move of a prepayment received, unsaved: debit the cash/clearing
    account, credit 2203 预收账款 for the party"""
    pool = Pool()
    Move = pool.get('account.move')
    Line = pool.get('account.move.line')
    Period = pool.get('account.period')
    Journal = pool.get('account.journal')
    journal, = Journal.search([('type', '=', 'cash')], limit=1)
    return Move(
        company=company, journal=journal, date=date,
        period=Period.find(company, date=date), description=description,
        lines=[
            Line(account=debit_account, debit=amount, credit=0,
                party=party if debit_account.party_required else None),
            Line(account=accounting.get_account(
                    company, accounting.PREPAYMENT),
                debit=0, credit=amount, party=party),
            ])


def prepayment_balance(company, parties):
    "{party id: prepayment held (credit balance of 2203)}"
    MoveLine = Pool().get('account.move.line')
    account = accounting.get_account(company, accounting.PREPAYMENT)
    result = {p.id: Decimal(0) for p in parties}
    ids = list(result)
    for sub in (ids[i:i + 500] for i in range(0, len(ids), 500)):
        for line in MoveLine.search([
                    ('account', '=', account.id),
                    ('party', 'in', sub),
                    ('move.state', '=', 'posted'),
                    ]):
            result[line.party.id] += line.credit - line.debit
    return result


def consume_prepayments(invoices):
    """Pay posted bills from their party's prepayment, oldest bill first:
    debit 2203 预收账款, credit the bill's receivable, reconciled once
    paid."""
    pool = Pool()
    Invoice = pool.get('account.invoice')
    Move = pool.get('account.move')
    Line = pool.get('account.move.line')
    Period = pool.get('account.period')
    Journal = pool.get('account.journal')
    invoices = [i for i in invoices if i.type == 'out'
        and i.state == 'posted']
    if not invoices:
        return []
    company = invoices[0].company
    balances = prepayment_balance(company, {i.party for i in invoices})
    if not any(v > 0 for v in balances.values()):
        return []
    account = accounting.get_account(company, accounting.PREPAYMENT)
    journal, = Journal.search([('type', '=', 'cash')], limit=1)
    paid, moves = [], []
    for invoice in sorted(invoices, key=lambda i: (i.invoice_date, i.id)):
        available = balances.get(invoice.party.id, 0)
        amount = min(available, invoice.amount_to_pay)
        if amount <= 0:
            continue
        date = invoice.invoice_date
        moves.append(Move(
                company=company, journal=journal, date=date,
                period=Period.find(company, date=date), origin=invoice,
                description=gettext(
                    'property_billing.msg_prepayment_description',
                    invoice=invoice.rec_name),
                lines=[
                    Line(account=account, debit=amount, credit=0,
                        party=invoice.party),
                    Line(account=invoice.account, debit=0, credit=amount,
                        party=invoice.party),
                    ]))
        balances[invoice.party.id] -= amount
        paid.append(invoice)
    # saved and posted together, one move per bill
    expect_analytic_state(moves)
    Move.save(moves)
    Move.post(moves)
    Invoice.add_payment_lines({
            invoice: [l for l in move.lines if l.account == invoice.account]
            for invoice, move in zip(paid, moves)})
    reconcile_paid(Invoice.browse([i.id for i in paid]))
    return paid
