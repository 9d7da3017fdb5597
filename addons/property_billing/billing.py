# This file is part of the property service suite. See README.md.
"""Billing runs (计费批次) and the table of what was billed.

A run computes, for a month and a scope of estates/buildings, what each
unit owes under its fee plans, then creates one customer invoice per
bill-to party per unit and posts it. Every billed (unit, fee, month, party)
is a row of property.billing.line under a UNIQUE constraint: a rerun, a
retry or a concurrent run never bills it twice; a batch that fails is
rolled back whole, so no unit is left half-billed."""
import calendar
import datetime as dt
import logging
from collections import defaultdict
from decimal import Decimal
from itertools import groupby

from sql import Select

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Unique, fields
from trytond.modules.property_service.unit import OWNER_ROLES
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import (
    Transaction, TransactionError, without_check_access)

from .analytic import expect_analytic_state
from .exceptions import BillingRunError
from .fee import PRICE_DIGITS
from .invoice import BILLS_CREATED
from .receipt import consume_prepayments

QUEUE_BATCH = 200
# the queue of the postings of billing runs, and the advisory lock key of
# the postings of a company (plus its id)
POSTING_QUEUE = 'property_billing_post'
POSTING_LOCK = 0x70726f70 << 16
# the advisory lock key of a batch whose bills are being created (plus its
# id): held by the transaction that creates them
BATCH_LOCK = 0x62617463 << 32

logger = logging.getLogger(__name__)


class PostingWaited(TransactionError):
    "Another posting has ended: start again with what it committed"


def month_days(month):
    return calendar.monthrange(month.year, month.month)[1]


def month_end(month):
    return month.replace(day=month_days(month))


class BillingRun(ModelSQL, ModelView):
    "Billing Run (计费批次)"
    __name__ = 'property.billing.run'
    __string__ = "Billing Run"
    _states = {'readonly': Eval('state') != 'draft'}

    company = fields.Many2One(
        'company.company', "Company", required=True, ondelete='RESTRICT',
        states=_states)
    period = fields.Many2One(
        'account.period', "Period", required=True, ondelete='RESTRICT',
        domain=[
            ('company', '=', Eval('company', -1)),
            ('type', '=', 'standard'),
            ],
        states=_states,
        help="The month billed: fees of quarterly and yearly plans are "
        "billed in the first month of their cycle.")
    estates = fields.Many2Many(
        'property.billing.run-property.estate', 'run', 'estate', "Estates",
        required=True, domain=[('company', '=', Eval('company', -1))],
        states=_states)
    buildings = fields.Many2Many(
        'property.billing.run-property.building', 'run', 'building',
        "Buildings", domain=[('estate', 'in', Eval('estates', []))],
        states=_states, help="Leave empty to bill every building.")
    invoice_date = fields.Date(
        "Bill Date", required=True, states=_states,
        help="Date of the bills; empty: the first day of the period.")
    preview_lines = fields.One2Many(
        'property.billing.run.preview', 'run', "Preview", readonly=True)
    lines = fields.One2Many(
        'property.billing.line', 'run', "Billed Lines", readonly=True)
    batches = fields.One2Many(
        'property.billing.run.batch', 'run', "Batches", readonly=True)
    pending = fields.Integer(
        "Pending Batches", readonly=True,
        help="Batches whose bills are not posted yet.")
    invoice_count = fields.Function(
        fields.Integer("Bills"), 'get_figures')
    amount = fields.Function(
        fields.Numeric("Amount (untaxed)", digits=(16, 2)), 'get_figures')
    state = fields.Selection([
            ('draft', "Draft"),
            ('processing', "Processing"),
            ('done', "Done"),
            ], "State", readonly=True, required=True)
    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('period', 'DESC'), ('id', 'DESC')]
        cls._buttons.update({
                'preview': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'bill': {
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
    def default_pending(cls):
        return 0

    @fields.depends('period', 'invoice_date')
    def on_change_period(self):
        if self.period and not self.invoice_date:
            self.invoice_date = self.period.start_date

    def get_rec_name(self, name):
        return f'{self.period.rec_name} #{self.id}'

    @classmethod
    def get_figures(cls, runs, names):
        pool = Pool()
        Line = pool.get('property.billing.line')
        result = {n: {r.id: None for r in runs} for n in names}
        for run in runs:
            lines = Line.search([('run', '=', run.id)])
            if 'invoice_count' in names:
                result['invoice_count'][run.id] = len(
                    {line.invoice_line.invoice.id for line in lines})
            if 'amount' in names:
                result['amount'][run.id] = sum(
                    (line.amount for line in lines), Decimal(0))
        return result

    @property
    def month(self):
        return self.period.start_date.replace(day=1)

    def unit_domain(self):
        domain = [('estate', 'in', [e.id for e in self.estates])]
        if self.buildings:
            domain.append(('building', 'in', [b.id for b in self.buildings]))
        return domain

    @classmethod
    def check_modification(cls, mode, runs, values=None, external=False):
        super().check_modification(
            mode, runs, values=values, external=external)
        if mode == 'delete':
            for run in runs:
                if run.state != 'draft':
                    raise BillingRunError(gettext(
                            'property_billing.msg_run_delete',
                            run=run.rec_name))

    @classmethod
    @ModelView.button
    def preview(cls, runs):
        "Show what the run would bill, without billing anything"
        pool = Pool()
        Preview = pool.get('property.billing.run.preview')
        Unit = pool.get('property.unit')
        Preview.delete(Preview.search([('run', 'in', [r.id for r in runs])]))
        to_create = []
        for run in runs:
            units = Unit.search(run.unit_domain())
            for item in run.compute(units):
                to_create.append({
                        'run': run.id,
                        'unit': item['unit'].id,
                        'party': item['party'].id,
                        'fee': item['fee'].id,
                        'months': len(item['months']),
                        'quantity': item['quantity'],
                        'unit_price': item['rate'].unit_price,
                        'amount': item['amount'],
                        })
        Preview.create(to_create)

    @classmethod
    @ModelView.button
    def bill(cls, runs):
        """Bill the runs in batches of units (QUEUE_BATCH): a small run at
        once, a large one through the worker queue, where the batches
        create their bills in parallel and one posting at a time numbers
        and posts what they created (see post_created)."""
        pool = Pool()
        Batch = pool.get('property.billing.run.batch')
        for run in runs:
            if run.state != 'draft':
                continue
            batches = run.start_billing()
            if len(batches) == 1:
                (batch, unit_ids), = batches
                run.bill_batch(batch, unit_ids)
                continue
            # the journal period of the month exists before the batches
            # run: creating it locks its table (NOWAIT)
            with without_check_access():
                run.open_journal_period()
                for batch, unit_ids in batches:
                    # its task, to queue it again if a worker dies on it
                    batch.task = Batch.__queue__.create_queued(
                        batch, unit_ids)
                Batch.save([b for b, _ in batches])

    def start_billing(self):
        """Check the run can bill, put it in processing and split its units
        into batches: [(batch, unit ids)]"""
        pool = Pool()
        Unit = pool.get('property.unit')
        Line = pool.get('property.billing.line')
        Batch = pool.get('property.billing.run.batch')
        units = Unit.search(self.unit_domain(), order=[('id', 'ASC')])
        # a second run of a month already billed is a mistake
        billed = Line.search([
                ('month', '=', self.month),
                ('unit', 'in', [u.id for u in units[:1000]]),
                ], limit=1)
        if billed and not self.compute(units):
            raise BillingRunError(gettext(
                    'property_billing.msg_run_already_billed',
                    run=self.rec_name))
        chunks = [[u.id for u in units[i:i + QUEUE_BATCH]]
            for i in range(0, len(units), QUEUE_BATCH)] or [[]]
        # batches are written by the run only (nobody has write access)
        with without_check_access():
            batches = Batch.create([{
                        'run': self.id,
                        'number': number,
                        'unit_count': len(unit_ids),
                        } for number, unit_ids in enumerate(chunks, 1)])
        self.pending = len(batches)
        self.state = 'processing'
        self.save()
        self.log('transition', 'state:processing')
        return list(zip(batches, chunks))

    @classmethod
    def bill_units(cls, run, unit_ids):
        """Bill the units at once in this transaction as one batch of the
        run, created and posted: the posted bills"""
        Batch = Pool().get('property.billing.run.batch')
        run = cls(run.id)
        with without_check_access():
            batch, = Batch.create([{
                        'run': run.id,
                        'number': len(run.batches) + 1,
                        'unit_count': len(unit_ids),
                        }])
        return run.bill_batch(batch, unit_ids)

    def bill_batch(self, batch, unit_ids):
        """Create and post the bills of a batch in this transaction: the
        posted bills. The locks of posting are asked first: Tryton restarts
        the transaction for each lock it grants, so a lock asked after the
        bills were created would have them created again, once per lock."""
        Batch = Pool().get('property.billing.run.batch')
        self.wait_posting()
        with without_check_access():
            self.lock_posting()
        invoices = Batch.create_bills(batch, unit_ids)
        self.post_created(self)
        return invoices

    @classmethod
    def create_bills(cls, run, unit_ids):
        """Create the draft bills of the units with their account moves
        (draft, unnumbered), which post then finds on them"""
        pool = Pool()
        Unit = pool.get('property.unit')
        Invoice = pool.get('account.invoice')
        Move = pool.get('account.move')
        units = Unit.browse(unit_ids)
        # pressing "Bill" is reserved to accountants (button groups): the
        # invoices are then written whatever the accounting groups of the
        # user
        with without_check_access():
            items = run.compute(units)
            # account_invoice computes the taxes of the new bills
            invoices, _ = run.create_invoices(items)
            if invoices:
                # records save under the context they were read in
                with Transaction().set_context(**{BILLS_CREATED: True}):
                    invoices = Invoice.browse(invoices)
                    # get_move is account_invoice's; post uses the move
                    # that it finds on the bill
                    moves = [i.get_move() for i in invoices]
                    expect_analytic_state(moves)
                    Move.save(moves)
                    for invoice, move in zip(invoices, moves):
                        invoice.move = move
                    Invoice.save(invoices)
        return invoices

    @classmethod
    def post_created(cls, run):
        """Post the draft bills of the run (those of the batches created
        and committed), pay them from prepayments and count their batches
        posted: the posted bills. One posting at a time per company (the
        invoice and move numbers are gapless): a posting that finds another
        one running waits for it and starts again after it."""
        pool = Pool()
        Invoice = pool.get('account.invoice')
        Line = pool.get('property.billing.line')
        Batch = pool.get('property.billing.run.batch')
        run = cls(run.id)
        run.wait_posting()
        with without_check_access():
            # the posting locks first: Tryton grants a lock only from the
            # start of a transaction (see lock_posting)
            run.lock_posting()
            # what the snapshot of this transaction sees created
            batches = Batch.search([
                    ('run', '=', run.id),
                    ('state', '=', 'created'),
                    ])
            lines = Line.search([
                    ('run', '=', run.id),
                    ('invoice_line.invoice.state', '=', 'draft'),
                    ])
            invoices = Invoice.browse(sorted(
                    {l.invoice_line.invoice.id for l in lines}))
            if invoices:
                # the report cache of each bill (queued by post) is made
                # by the workers after the billing batches, not between: a
                # task scheduled later is taken after those queued now;
                # records save under the context they were read in
                with Transaction().set_context(
                        queue_scheduled_at=dt.timedelta(minutes=10),
                        **{BILLS_CREATED: True}):
                    Invoice.post(Invoice.browse(invoices))
                # prepayments (预存) held for the parties pay the new bills
                consume_prepayments(Invoice.browse(invoices))
            Batch.write(batches, {'state': 'posted'})
        run.pending = Batch.search_count([
                ('run', '=', run.id),
                ('state', '!=', 'posted'),
                ])
        if not run.pending and run.state != 'done':
            run.state = 'done'
            cls.log([run], 'transition', 'state:done')
        run.save()
        return invoices

    @classmethod
    def resume_stalled(cls):
        """Queue again what dead workers left of the processing runs (the
        cron, every few minutes). trytond-worker marks a task dequeued in
        a connection of its own (autocommit) before it runs the task in a
        transaction: when the worker dies (kill -9, out of memory, a host
        restart) the transaction is rolled back and the locks released,
        but the task stays dequeued and no worker takes it again. Its
        batch would wait for ever and the run never end."""
        for run in cls.search([('state', '=', 'processing')]):
            run.resume()

    def resume(self):
        """Queue again the batches of the run whose task is dequeued but
        not running (nobody holds the batch's lock) and, when created
        batches wait and no posting runs, a posting. A batch queued twice
        is created once: its task takes the batch's lock, skips a batch
        created already, and the UNIQUE billed lines refuse the rest."""
        pool = Pool()
        Queue = pool.get('ir.queue')
        Error = pool.get('ir.error')
        Batch = pool.get('property.billing.run.batch')
        batches = Batch.search([
                ('run', '=', self.id),
                ('state', '!=', 'posted'),
                ])
        data = None
        for batch in batches:
            tasks = Queue.search([('id', '=', batch.task or -1)])
            if not tasks:
                # bills of a one-batch run, made in the transaction of Bill
                continue
            task, = tasks
            data = task.data
            if batch.state != 'pending' or not task.dequeued_at:
                continue
            if Error.search([
                        ('origin', '=', str(task)),
                        ('state', '!=', 'solved'),
                        ], limit=1):
                # it failed with a user error: solving it queues it again
                continue
            if not batch.lock_creation():
                # being created by a live transaction
                continue
            with without_check_access():
                batch.task = Queue.push(task.name, task.data)
            logger.warning('billing run %s: batch %s queued again, '
                'its task %s was left by a dead worker',
                self.id, batch.number, task.id)
        with without_check_access():
            Batch.save(batches)
        if data and any(b.state == 'created' for b in batches):
            transaction = Transaction()
            cursor = transaction.connection.cursor()
            cursor.execute(*Select([transaction.database.lock_id(
                            POSTING_LOCK + self.company.id)]))
            granted, = cursor.fetchone()
            if granted:
                # no posting runs: the one of these batches may have died
                with transaction.set_user(data['user']), \
                        transaction.set_context(
                            data['context'], queue_name=POSTING_QUEUE):
                    self.__class__.__queue__.post_created(self)

    def wait_posting(self):
        """Wait until no other transaction posts bills of the company: a
        transaction-level advisory lock on PostgreSQL (always granted on
        SQLite, which has one writer at a time). Tryton takes the locks of
        posting with NOWAIT and reschedules a queued task that finds them
        held behind every other task: waiting here, then starting again
        with a snapshot that sees what the other posting committed, keeps
        the postings of a run one after the other instead."""
        transaction = Transaction()
        database = transaction.database
        key = POSTING_LOCK + self.company.id
        cursor = transaction.connection.cursor()
        cursor.execute(*Select([database.lock_id(key)]))
        granted, = cursor.fetchone()
        if not granted:
            cursor.execute(*Select([database.lock_id(key, timeout=True)]))
            raise PostingWaited()

    def open_journal_period(self):
        """Create the periods of the bills' month of the revenue journal
        (bills) and of the cash journal (prepayments paying them) if they
        are missing"""
        pool = Pool()
        MoveLine = pool.get('account.move.line')
        Period = pool.get('account.period')
        Journal = pool.get('account.journal')
        period = Period.find(self.company, date=self.invoice_date)
        journals = [Journal.find({'type': 'revenue'})] + Journal.search([
                ('type', '=', 'cash'),
                ], limit=1)
        for journal in filter(None, journals):
            MoveLine.check_journal_period_modify(period, journal)

    def lock_posting(self):
        """Take first the locks that posting the bills asks for: the
        strict invoice and move sequences of the month and, for a month not
        yet posted in the revenue journal, the journal-period table. Tryton
        grants a lock only from the start of a transaction (it raises and
        the transaction is retried with the lock): asked here, a posting is
        retried before any work instead of once per lock after all of it.
        Not the run's row: its batches, creating bills at the same time,
        hold key-share locks on it (their billed lines refer to it); a FOR
        UPDATE lock would stop them until the posting commits."""
        pool = Pool()
        Invoice = pool.get('account.invoice')
        Period = pool.get('account.period')
        Journal = pool.get('account.journal')
        JournalPeriod = pool.get('account.journal.period')
        invoice = Invoice(
            company=self.company, type='out', invoice_date=self.invoice_date,
            accounting_date=None, sequence_type_cache='invoice')
        sequence, _ = invoice._number_sequence()
        sequence.lock()
        period = Period.find(self.company, date=self.invoice_date)
        period.move_sequence_used.lock()
        journal = Journal.find({'type': 'revenue'})
        if journal and not JournalPeriod.search([
                    ('journal', '=', journal.id),
                    ('period', '=', period.id),
                    ], limit=1):
            JournalPeriod.lock()

    def compute(self, units):
        """What the units owe for the run's month under their fee plans,
        less what is billed already: a list of dicts (unit, party, fee,
        rate, months, quantity, amount)."""
        pool = Pool()
        Plan = pool.get('property.fee.plan')
        Line = pool.get('property.billing.line')
        if not units:
            return []
        month = self.month
        plans = Plan.search([
                ('company', '=', self.company.id),
                ('estate', 'in', list({u.estate.id for u in units})),
                ('start_date', '<=', month_end(month)),
                ['OR', ('end_date', '=', None), ('end_date', '>=', month)],
                ])
        unit_ids = [u.id for u in units]
        months_of = {p: p.months_to_bill(month) for p in plans}
        all_months = sorted({m for ms in months_of.values() for m in ms})
        billed = set()
        for sub in (unit_ids[i:i + 500] for i in range(0, len(unit_ids), 500)):
            for line in Line.search([
                        ('unit', 'in', sub),
                        ('month', 'in', all_months or [month]),
                        ]):
                billed.add((line.unit.id, line.fee.id, line.month))
        bill_to = self.bill_to_parties(units, all_months or [month])
        spaces = self.parking_spaces(units)
        consumptions = self.consumptions(units, plans, months_of)
        plan_units = self.plan_units(plans, units)
        items = []
        for unit in units:
            fees = {}
            for plan in plans:
                if not months_of[plan] or unit.id not in plan_units[plan.id]:
                    continue
                for fee in plan.fees:
                    # a unit-specific plan wins over a general one
                    if fee not in fees or plan.unit:
                        fees[fee] = plan
            for fee, plan in sorted(fees.items(), key=lambda x: x[0].code):
                per_party = defaultdict(lambda: [Decimal(0), [], None])
                for m in months_of[plan]:
                    if (unit.id, fee.id, m) in billed:
                        continue
                    base = self.base_quantity(
                        fee, unit, spaces, consumptions, m)
                    if not base:
                        continue
                    rate = fee.get_rate(unit.estate, m)
                    if rate is None:
                        continue
                    shares = bill_to.get((unit.id, plan.bill_to, m), {})
                    for party, days in shares.items():
                        if plan.prorate:
                            factor = Decimal(days) / month_days(m)
                        else:
                            factor = Decimal(1) if days else Decimal(0)
                        if not factor:
                            continue
                        entry = per_party[(party, rate)]
                        entry[0] += base * factor
                        entry[1].append((m, base * factor))
                for (party, rate), (quantity, months, _) in per_party.items():
                    digits = fee.product.default_uom.digits
                    quantity = quantity.quantize(Decimal(1).scaleb(-digits))
                    if not quantity:
                        continue
                    items.append({
                            'unit': unit, 'party': party, 'fee': fee,
                            'rate': rate, 'months': months,
                            'quantity': quantity,
                            'amount': self.company.currency.round(
                                rate.compute_amount(quantity)),
                            })
        return items

    @classmethod
    def plan_units(cls, plans, units):
        "{plan id: ids of the units among units the plan applies to}"
        Unit = Pool().get('property.unit')
        ids = [u.id for u in units]
        result = {}
        for plan in plans:
            found = set()
            for sub in (ids[i:i + 1000] for i in range(0, len(ids), 1000)):
                found.update(u.id for u in Unit.search(
                        plan.unit_domain() + [('id', 'in', sub)]))
            result[plan.id] = found
        return result

    def base_quantity(self, fee, unit, spaces, consumptions, month):
        if fee.method == 'area':
            return unit.building_area
        elif fee.method == 'unit':
            return Decimal(1)
        elif fee.method == 'parking':
            return Decimal(spaces.get(unit.id, 0))
        elif fee.method == 'metered':
            return consumptions.get(
                (fee.meter_kind, month), {}).get(unit.id, Decimal(0))
        # one-off fees are billed by their own processes (renovation,
        # repairs)
        return Decimal(0)

    @classmethod
    def consumptions(cls, units, plans, months_of):
        "{(meter kind, month): {unit id: consumption read in the month}}"
        Meter = Pool().get('property.meter')
        result = {}
        for plan in plans:
            for fee in plan.fees:
                if fee.method != 'metered':
                    continue
                for month in months_of[plan]:
                    key = (fee.meter_kind, month)
                    if key not in result:
                        result[key] = Meter.unit_consumptions(
                            units, fee.meter_kind, month, month_end(month))
        return result

    @classmethod
    def parking_spaces(cls, units):
        ParkingSpace = Pool().get('property.parking_space')
        counts = defaultdict(int)
        ids = [u.id for u in units]
        for sub in (ids[i:i + 500] for i in range(0, len(ids), 500)):
            for space in ParkingSpace.search([
                        ('unit', 'in', sub),
                        ('kind', '!=', 'temporary'),
                        ]):
                counts[space.unit.id] += 1
        return counts

    @classmethod
    def bill_to_parties(cls, units, months):
        """{(unit id, bill_to, month): {party: days}}: who is billed for how
        many days of each month. Owner: the billing-contact owner of record,
        else the first owner. Tenant: the billing-contact tenant living in
        the unit, else the first tenant, else the owner."""
        pool = Pool()
        Occupancy = pool.get('property.occupancy')
        first, last = min(months), month_end(max(months))
        ids = [u.id for u in units]
        by_unit = defaultdict(list)
        for sub in (ids[i:i + 500] for i in range(0, len(ids), 500)):
            for occupancy in Occupancy.search([
                        ('unit', 'in', sub),
                        ('role', 'in', list(OWNER_ROLES) + ['tenant']),
                        ('start_date', '<=', last),
                        ['OR', ('end_date', '=', None),
                            ('end_date', '>', first)],
                        ], order=[('start_date', 'ASC'), ('id', 'ASC')]):
                by_unit[occupancy.unit.id].append(occupancy)

        def choose(current, roles):
            candidates = [o for o in current if o.role in roles]
            if not candidates:
                return None
            contacts = [o for o in candidates if o.billing_contact]
            return (contacts or candidates)[0].party

        result = {}
        for unit_id, occupancies in by_unit.items():
            for month in months:
                end = month_end(month) + dt.timedelta(days=1)
                # the month cut at every start and end of an occupancy
                cuts = {month, end}
                for o in occupancies:
                    for d in (o.start_date, o.end_date):
                        if d and month < d < end:
                            cuts.add(d)
                cuts = sorted(cuts)
                for start, stop in zip(cuts, cuts[1:]):
                    current = [o for o in occupancies if o.is_current(start)]
                    owner = choose(current, OWNER_ROLES)
                    tenant = choose(current, {'tenant'}) or owner
                    for bill_to, party in [
                            ('owner', owner), ('tenant', tenant)]:
                        if party is None:
                            continue
                        shares = result.setdefault(
                            (unit_id, bill_to, month), defaultdict(int))
                        shares[party] += (stop - start).days
        return result

    def create_invoices(self, items):
        """One invoice per (unit, party), one line per fee; the billed lines
        written with them (their UNIQUE constraint guards double billing).
        All the invoices of a batch are saved at once; account_invoice
        computes their taxes on creation."""
        pool = Pool()
        Invoice = pool.get('account.invoice')
        Line = pool.get('property.billing.line')
        Journal = pool.get('account.journal')
        if not items:
            return [], []
        journal = Journal.find({'type': 'revenue'})
        key = lambda i: (i['unit'].id, i['party'].id)  # noqa: E731
        invoices, groups = [], []
        shapes = {}
        for _, group in groupby(sorted(items, key=key), key=key):
            group = list(group)
            invoice = self.get_invoice(
                group[0]['unit'], group[0]['party'], journal)
            invoice.lines = [
                self.get_invoice_line(invoice, item, shapes)
                for item in group]
            invoices.append(invoice)
            groups.append(group)
        Invoice.save(invoices)
        to_create = []
        for invoice, group in zip(invoices, groups):
            for item, inv_line in zip(group, invoice.lines):
                total = sum(q for _, q in item['months'])
                for month, quantity in item['months']:
                    to_create.append({
                            'company': self.company.id,
                            'run': self.id,
                            'unit': item['unit'].id,
                            'estate': item['unit'].estate.id,
                            'fee': item['fee'].id,
                            'month': month,
                            'party': item['party'].id,
                            'rate': item['rate'].id,
                            'quantity': quantity.quantize(Decimal('0.0001')),
                            'unit_price': item['rate'].unit_price,
                            'amount': self.company.currency.round(
                                item['amount'] * quantity / total),
                            'invoice_line': inv_line.id,
                            })
        return invoices, Line.create(to_create)

    def get_invoice(self, unit, party, journal):
        "The (unsaved) bill of a unit for a party"
        Invoice = Pool().get('account.invoice')
        return Invoice(
            company=self.company, type='out', party=party,
            invoice_address=party.address_get(type='invoice'),
            currency=self.company.currency, journal=journal,
            account=party.account_receivable_used,
            payment_term=party.customer_payment_term,
            invoice_date=self.invoice_date,
            reference=unit.code, estate=unit.estate,
            description=gettext(
                'property_billing.msg_bill_description',
                estate=unit.estate.name, unit=unit.code,
                month=self.month.strftime('%Y-%m')))

    def get_invoice_line(self, invoice, item, shapes=None):
        """The (unsaved) invoice line of a billed item. Its revenue account
        and taxes are account_invoice's (on_change_product); they depend on
        the product, the party's tax rule and the date only, so they are
        computed once per such shape of a batch (shapes) and reused."""
        InvoiceLine = Pool().get('account.invoice.line')
        fee = item['fee']
        line = InvoiceLine(
            invoice=invoice, type='line', company=self.company,
            currency=self.company.currency, product=fee.product)
        tax_rule = invoice.party.customer_tax_rule
        shape = (fee.product.id, tax_rule.id if tax_rule else None,
            invoice.invoice_date)
        if shapes is not None and shape in shapes:
            line.account, line.taxes = shapes[shape]
        else:
            line.on_change_product()
            if shapes is not None:
                shapes[shape] = (line.account, line.taxes)
        line.unit = fee.product.default_uom
        line.quantity = item['quantity']
        line.unit_price = (item['amount'] / item['quantity']).quantize(
            Decimal(1).scaleb(-PRICE_DIGITS[1]))
        line.description = self.line_description(item)
        # income per estate (analytic.py)
        self.set_analytic_accounts(line, item['unit'].estate)
        return line

    def line_description(self, item):
        months = [m for m, _ in item['months']]
        period = months[0].strftime('%Y-%m')
        if len(months) > 1:
            period += '~' + months[-1].strftime('%Y-%m')
        return gettext(
            'property_billing.msg_bill_line_description',
            fee=item['fee'].name, period=period,
            quantity=item['quantity'],
            price=item['rate'].unit_price)


class BillingRunEstate(ModelSQL):
    "Billing Run - Estate"
    __name__ = 'property.billing.run-property.estate'
    run = fields.Many2One(
        'property.billing.run', "Run", required=True, ondelete='CASCADE')
    estate = fields.Many2One(
        'property.estate', "Estate", required=True, ondelete='RESTRICT')


class BillingRunBuilding(ModelSQL):
    "Billing Run - Building"
    __name__ = 'property.billing.run-property.building'
    run = fields.Many2One(
        'property.billing.run', "Run", required=True, ondelete='CASCADE')
    building = fields.Many2One(
        'property.building', "Building", required=True, ondelete='RESTRICT')


class BillingRunBatch(ModelSQL, ModelView):
    """Batch of a billing run: the units billed in one transaction. Its
    bills are created by a task of their own, in parallel with the other
    batches, then posted by the run (post_created)."""
    __name__ = 'property.billing.run.batch'
    __string__ = "Billing Batch"
    __access__ = {'run'}

    run = fields.Many2One(
        'property.billing.run', "Run", required=True, readonly=True,
        ondelete='CASCADE')
    number = fields.Integer("Number", required=True, readonly=True)
    unit_count = fields.Integer("Units", required=True, readonly=True)
    invoice_count = fields.Integer("Bills", readonly=True)
    task = fields.Integer(
        "Task", readonly=True,
        help="The queued task that creates the bills of the batch.")
    state = fields.Selection([
            ('pending', "Waiting"),
            ('created', "Created"),
            ('posted', "Posted"),
            ], "State", required=True, readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('run', 'DESC'), ('number', 'ASC'), ('id', 'ASC')]

    @classmethod
    def default_state(cls):
        return 'pending'

    def lock_creation(self):
        """Take the batch's lock for this transaction: False when another
        transaction holds it (it is creating the batch's bills). A
        transaction-level advisory lock on PostgreSQL, released when the
        transaction ends, also when its worker is killed (always granted
        on SQLite, which has one writer at a time)."""
        transaction = Transaction()
        cursor = transaction.connection.cursor()
        cursor.execute(*Select([
                    transaction.database.lock_id(BATCH_LOCK + self.id)]))
        granted, = cursor.fetchone()
        return bool(granted)

    @classmethod
    def create_bills(cls, batch, unit_ids):
        """Create the draft bills of the batch's units (they are posted by
        the run): the bills"""
        Run = Pool().get('property.billing.run')
        batch = cls(batch.id)
        if batch.state != 'pending':
            # a task run again after it committed
            return []
        invoices = Run.create_bills(batch.run, unit_ids)
        with without_check_access():
            cls.write([batch], {
                    'invoice_count': len(invoices),
                    'state': 'created',
                    })
        return invoices

    @classmethod
    def create_queued(cls, batch, unit_ids):
        """The task of a batch: create its bills, then queue their posting
        in the queue POSTING_QUEUE (a worker of its own posts while the
        others create; see README)"""
        Run = Pool().get('property.billing.run')
        if not cls(batch.id).lock_creation():
            # queued again (resume) while its first task still runs
            return
        cls.create_bills(batch, unit_ids)
        with Transaction().set_context(queue_name=POSTING_QUEUE):
            Run.__queue__.post_created(cls(batch.id).run)


class BillingRunPreview(ModelSQL, ModelView):
    "Billing Run Preview"
    __name__ = 'property.billing.run.preview'
    __string__ = "Billing Run Preview"
    run = fields.Many2One(
        'property.billing.run', "Run", required=True, ondelete='CASCADE')
    unit = fields.Many2One('property.unit', "Unit", required=True)
    party = fields.Many2One('party.party', "Bill To", required=True)
    fee = fields.Many2One('property.fee', "Fee", required=True)
    months = fields.Integer("Months")
    quantity = fields.Numeric("Quantity", digits=(16, 4))
    unit_price = fields.Numeric("Rate", digits=PRICE_DIGITS)
    amount = fields.Numeric("Amount", digits=(16, 2))

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('unit', 'ASC'), ('fee', 'ASC'), ('id', 'ASC')]


class BillingLine(ModelSQL, ModelView):
    """Billed line (计费记录): one unit, fee, month and party billed, with the
    rate used. Unique: the database refuses to bill it twice."""
    __name__ = 'property.billing.line'
    __string__ = "Billed Line"

    company = fields.Many2One(
        'company.company', "Company", required=True, readonly=True)
    run = fields.Many2One(
        'property.billing.run', "Run", readonly=True, ondelete='RESTRICT')
    estate = fields.Many2One(
        'property.estate', "Estate", required=True, readonly=True)
    unit = fields.Many2One(
        'property.unit', "Unit", required=True, readonly=True,
        ondelete='RESTRICT')
    fee = fields.Many2One(
        'property.fee', "Fee", required=True, readonly=True,
        ondelete='RESTRICT')
    month = fields.Date("Month", required=True, readonly=True)
    party = fields.Many2One(
        'party.party', "Party", required=True, readonly=True,
        ondelete='RESTRICT', context={'company': Eval('company', -1)},
        depends={'company'})
    rate = fields.Many2One(
        'property.fee.rate', "Rate", required=True, readonly=True,
        ondelete='RESTRICT')
    quantity = fields.Numeric(
        "Quantity", digits=(16, 4), required=True, readonly=True)
    unit_price = fields.Numeric(
        "Rate", digits=PRICE_DIGITS, required=True, readonly=True)
    amount = fields.Numeric(
        "Amount", digits=(16, 2), required=True, readonly=True)
    invoice_line = fields.Many2One(
        'account.invoice.line', "Invoice Line", required=True,
        readonly=True, ondelete='RESTRICT')
    invoice = fields.Function(
        fields.Many2One('account.invoice', "Bill"), 'get_invoice')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        # estates: record rules of billing_access.xml (__access__ would
        # grant every reader of estates, e.g. technicians, this model)
        t = cls.__table__()
        cls._sql_constraints += [
            ('unit_fee_month_party_unique',
                Unique(t, t.unit, t.fee, t.month, t.party),
                'property_billing.msg_billing_line_unique'),
            ]
        cls._order = [('month', 'DESC'), ('unit', 'ASC'), ('id', 'ASC')]

    def get_invoice(self, name):
        return self.invoice_line.invoice.id

    @classmethod
    def check_modification(cls, mode, lines, values=None, external=False):
        super().check_modification(
            mode, lines, values=values, external=external)
        if mode in {'write', 'delete'}:
            raise BillingRunError(gettext(
                    'property_billing.msg_billing_line_history'))
