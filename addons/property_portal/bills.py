# This file is part of the property service suite. See README.md.
"""Owner portal: bills (账单), payments (缴费记录), prepayment balance and
payment requests (缴费申请) with the transfer receipt.

Which bills an owner sees: the posted (or paid) customer invoices whose
party is one of the web user's parties (party and secondary parties). The
bill-to party decides, not the current occupancy: a tenant who moved out
still sees and can pay the bills addressed to them, never the bills of the
next tenant of the same unit (addressed to another party), and an owner
does not see the bills addressed to their tenant. The unit of a bill is the
one its billed lines (property.billing.line) name; bills not made by a
billing run are listed under "other" and are paid at the service center.
Any other id answers 404 like one that does not exist."""
import re
from collections import defaultdict
from decimal import Decimal
from http import HTTPStatus

from sql import Null
from sql.aggregate import Sum
from werkzeug.exceptions import abort

from trytond.exceptions import UserError
from trytond.protocols.wrappers import Response, with_pool, with_transaction
from trytond.transaction import Transaction
from trytond.wsgi import app

from .routes import _, portal

BILL_STATES = ('posted', 'paid')
# what an owner may upload as the transfer receipt: by content, not name
PROOF_TYPES = {
    b'\xff\xd8\xff': ('image/jpeg', 'jpg'),
    b'\x89PNG\r\n\x1a\n': ('image/png', 'png'),
    b'%PDF-': ('application/pdf', 'pdf'),
    }


def my_bills(page, domain=None):
    "The owner's bills: the bill-to party is one of the web user's parties"
    Invoice = page.pool.get('account.invoice')
    if not page.party_ids:
        return []
    return Invoice.search([
            ('party', 'in', page.party_ids),
            ('type', '=', 'out'),
            ('state', 'in', BILL_STATES),
            *(domain or []),
            ], order=[('invoice_date', 'DESC'), ('id', 'DESC')])


def my_bill(page, invoice_id):
    bills = my_bills(page, [('id', '=', invoice_id)])
    if not bills:
        abort(HTTPStatus.NOT_FOUND)
    return bills[0]


def billed_units(page, bills):
    "{invoice id: (unit, first month billed)} from the billed lines"
    Line = page.pool.get('property.billing.line')
    result = {}
    ids = [b.id for b in bills]
    for sub in (ids[i:i + 500] for i in range(0, len(ids), 500)):
        for line in Line.search([('invoice_line.invoice', 'in', sub)],
                order=[('month', 'ASC')]):
            result.setdefault(line.invoice_line.invoice.id,
                (line.unit, line.month))
    return result


def open_requests(page, bills):
    "{invoice id: the request waiting for the cashier}"
    Relation = page.pool.get('property.payment.request-account.invoice')
    result = {}
    ids = [b.id for b in bills]
    for sub in (ids[i:i + 500] for i in range(0, len(ids), 500)):
        for relation in Relation.search([
                    ('invoice', 'in', sub),
                    ('request.state', '=', 'requested'),
                    ]):
            result[relation.invoice.id] = relation.request
    return result


def bill_status(page, bill):
    "unpaid 未缴, partial 部分已缴, paid 已缴 or overdue 逾期"
    Date = page.pool.get('ir.date')
    if bill.state == 'paid' or not bill.amount_to_pay:
        return 'paid'
    today = Date.today()
    if any(l.maturity_date and l.maturity_date < today
            for l in bill.lines_to_pay if not l.reconciliation):
        return 'overdue'
    if bill.amount_to_pay < bill.total_amount:
        return 'partial'
    return 'unpaid'


def money(page, amount, currency):
    "¥1,234.50: the currency's symbol and the user's number format"
    Lang = page.pool.get('ir.lang')
    return Lang.get(page.language).currency(
        amount, currency, symbol=True, grouping=True)


def amount_due(page):
    """What the owner still owes, in one query: the open (unreconciled)
    receivable lines of their parties, which are the bills' amounts less
    the payments on them. [(currency, amount)] per company."""
    pool = page.pool
    MoveLine = pool.get('account.move.line')
    Move = pool.get('account.move')
    Account = pool.get('account.account')
    AccountType = pool.get('account.account.type')
    Company = pool.get('company.company')
    if not page.party_ids:
        return []
    line = MoveLine.__table__()
    move = Move.__table__()
    account = Account.__table__()
    type_ = AccountType.__table__()
    cursor = Transaction().connection.cursor()
    cursor.execute(*line
        .join(move, condition=line.move == move.id)
        .join(account, condition=line.account == account.id)
        .join(type_, condition=account.type == type_.id)
        .select(account.company, Sum(line.debit - line.credit),
            where=(type_.receivable == True)  # noqa: E712
            & line.party.in_(page.party_ids)
            & (line.reconciliation == Null)
            & (move.state == 'posted'),
            group_by=[account.company]))
    result = []
    for company_id, amount in cursor:
        amount = Decimal(str(amount or 0))
        company = Company(company_id)
        amount = company.currency.round(amount)
        if amount > 0:
            result.append((company.currency, amount))
    return result


def bill_data(page, bill, units, requests):
    unit, month = units.get(bill.id, (None, None))
    request = requests.get(bill.id)
    return {
        'id': bill.id,
        'number': bill.number,
        'unit': unit.code if unit else None,
        'unit_id': unit.id if unit else None,
        'estate': unit.estate.name if unit else None,
        'period': month.strftime('%Y-%m') if month else None,
        'date': bill.invoice_date,
        'currency': bill.currency.code,
        'total': bill.total_amount,
        'due': bill.amount_to_pay if bill.state == 'posted' else Decimal(0),
        'status': bill_status(page, bill),
        'payment_request': request.id if request else None,
        }


def group_bills(page, bills):
    """[(unit or None, [bill data])] by unit; in each, unpaid first, then
    the latest period first"""
    units = billed_units(page, bills)
    requests = open_requests(page, bills)
    groups = defaultdict(list)
    for bill in bills:
        data = bill_data(page, bill, units, requests)
        data['bill'] = bill
        groups[units.get(bill.id, (None,))[0]].append(data)
    result = []
    for unit in sorted(groups, key=lambda u: (u is None,
                u and (u.estate.name, u.code))):
        rows = groups[unit]
        # latest first inside the unpaid and the paid groups
        unpaid = [r for r in rows if r['status'] != 'paid']
        paid = [r for r in rows if r['status'] == 'paid']
        key = lambda d: (d['period'] or '', d['date'], d['id'])  # noqa
        result.append((unit, sorted(unpaid, key=key, reverse=True)
                + sorted(paid, key=key, reverse=True)))
    return result


def payments_of(page, bill):
    "Payments on one bill: (date, amount, how) of its payment lines"
    rows = []
    for line in sorted(bill.payment_lines, key=lambda l: (l.date, l.id)):
        amount = line.credit - line.debit
        origin = line.move.origin
        how = None
        if origin and origin.__name__ == 'account.invoice':
            how = _('paid_from_prepayment')
        else:
            how = line.move.description or ''
        rows.append({'date': line.date, 'amount': amount, 'how': how})
    return rows


def bill_lines(bill):
    return [{
            'description': line.description or (
                line.product.rec_name if line.product else ''),
            'quantity': line.quantity,
            'unit': line.unit.symbol if line.unit else '',
            'unit_price': line.unit_price,
            'amount': line.amount,
            } for line in bill.lines if line.type == 'line']


def my_requests(page, domain=None):
    Request = page.pool.get('property.payment.request')
    if not page.party_ids:
        return []
    return Request.search([
            ('party', 'in', page.party_ids),
            *(domain or []),
            ], order=[('requested_at', 'DESC'), ('id', 'DESC')])


def my_receipts(page):
    Receipt = page.pool.get('property.receipt')
    if not page.party_ids:
        return []
    return Receipt.search([
            ('party', 'in', page.party_ids),
            ('state', '=', 'posted'),
            ], order=[('date', 'DESC'), ('id', 'DESC')])


def prepayments(page):
    "[(currency, balance)] of 预存 held for the owner's parties"
    from trytond.modules.property_billing.receipt import prepayment_balance
    Party = page.pool.get('party.party')
    parties = Party.browse(page.party_ids)
    result = []
    # the companies that bill the owner (one in most databases)
    companies = sorted({b.company for b in my_bills(page)},
        key=lambda c: c.id)
    for company in companies:
        try:
            balance = sum(prepayment_balance(company, parties).values(),
                Decimal(0))
        except (KeyError, ValueError, UserError):
            # a company without the property chart holds no prepayments
            continue
        result.append((company.currency, balance))
    return result


def proof_of(page, upload):
    "(name, data) of an uploaded transfer receipt, or an error text"
    Configuration = page.pool.get('property.portal.configuration')
    if not upload or not upload.filename:
        return None, _('proof_missing')
    limit = Configuration(1).upload_max_kb * 1024
    # from the start: a transaction retried (to take its locks) reads again
    upload.stream.seek(0)
    data = upload.stream.read(limit + 1)
    if len(data) > limit:
        return None, _('photo_too_big', limit=limit // 1024)
    for magic, (_type, extension) in PROOF_TYPES.items():
        if data.startswith(magic):
            return (f'transfer-receipt.{extension}', data), None
    return None, _('proof_type')


def methods(page):
    return [(key, page.selection('property.payment.request', 'method', key))
        for key in ('transfer', 'wechat', 'alipay')]


def request_payment(page, bill, form, files):
    """Record the owner's payment of one bill; (request, None) or
    (None, error text)"""
    Request = page.pool.get('property.payment.request')
    units = billed_units(page, [bill])
    if bill.id not in units:
        return None, _('bill_pay_at_counter')
    if bill.state != 'posted' or not bill.amount_to_pay:
        return None, _('bill_nothing_due')
    if open_requests(page, [bill]):
        return None, _('bill_request_open')
    method = form.get('method', '')
    if method not in {k for k, _label in methods(page)}:
        return None, _('pay_method_missing')
    proof, error = proof_of(page, files.get('receipt'))
    if error:
        return None, error
    try:
        request = Request.request_payment(bill.party, units[bill.id][0],
            [bill], method, proof=proof)
    except UserError as exception:
        # nothing half-written: the route itself commits what is left
        Transaction().rollback()
        return None, exception.message
    return request, None


# -- Pages ------------------------------------------------------------------

@app.route('/<database_name>/portal/bills', methods=['GET'])
@with_pool
@with_transaction(readonly=True)
@portal()
def bills(page):
    return page.render('bills.html', title=_('bills_title'),
        groups=group_bills(page, my_bills(page)), amount_due=amount_due(page),
        money=money)


@app.route('/<database_name>/portal/bills/<int:invoice_id>',
    methods=['GET'])
@with_pool
@with_transaction(readonly=True)
@portal()
def bill_detail(page, invoice_id):
    bill = my_bill(page, invoice_id)
    units = billed_units(page, [bill])
    data = bill_data(page, bill, units, open_requests(page, [bill]))
    Relation = page.pool.get('property.payment.request-account.invoice')
    requests = [r.request for r in Relation.search(
            [('invoice', '=', bill.id)], order=[('id', 'DESC')])]
    notice = _('request_sent') if page.request.args.get('sent') else None
    return page.render('bill_detail.html', title=bill.number, bill=bill,
        data=data, lines=bill_lines(bill), payments=payments_of(page, bill),
        requests=requests, money=money, notice=notice,
        pdf=has_pdf(page))


@app.route('/<database_name>/portal/bills/<int:invoice_id>/pay',
    methods=['GET', 'POST'])
@with_pool
@with_transaction()
@portal()
def bill_pay(page, invoice_id):
    bill = my_bill(page, invoice_id)
    error = None
    if page.request.method == 'POST':
        page.check_csrf()
        request, error = request_payment(
            page, bill, page.request.form, page.request.files)
        if request:
            return page.redirect('bills/%d?sent=1' % bill.id)
    elif bill.state != 'posted' or not bill.amount_to_pay:
        error = _('bill_nothing_due')
    return page.render('bill_pay.html',
        HTTPStatus.OK if not error else HTTPStatus.BAD_REQUEST,
        title=_('pay_title'), bill=bill, error=error, money=money,
        methods=methods(page), form=page.request.form)


@app.route('/<database_name>/portal/bills/<int:invoice_id>/requests/'
    '<int:request_id>/cancel', methods=['POST'])
@with_pool
@with_transaction()
@portal()
def bill_request_cancel(page, invoice_id, request_id):
    "The owner withdraws a request the cashier has not handled yet"
    Request = page.pool.get('property.payment.request')
    page.check_csrf()
    bill = my_bill(page, invoice_id)
    requests = my_requests(page, [
            ('id', '=', request_id), ('invoices', '=', bill.id)])
    if not requests:
        abort(HTTPStatus.NOT_FOUND)
    if requests[0].state == 'requested':
        Request.cancel(requests)
    return page.redirect('bills/%d' % bill.id)


@app.route('/<database_name>/portal/payments', methods=['GET'])
@with_pool
@with_transaction(readonly=True)
@portal()
def payments(page):
    return page.render('payments.html', title=_('payments_title'),
        prepayments=prepayments(page), receipts=my_receipts(page),
        requests=my_requests(page), money=money)


# -- PDF of a bill (the report property.billing.bill) -------------------------

def has_pdf(page):
    try:
        page.pool.get('property.billing.bill', type='report')
    except KeyError:
        return False
    return True


@app.route('/<database_name>/portal/bills/<int:invoice_id>/pdf',
    methods=['GET'])
@with_pool
@with_transaction()
@portal()
def bill_pdf(page, invoice_id):
    "The bill notice (缴费通知单) of one of the owner's bills"
    bill = my_bill(page, invoice_id)
    if not has_pdf(page):
        abort(HTTPStatus.NOT_FOUND)
    Report = page.pool.get('property.billing.bill', type='report')
    _ext, content, _direct, _name = Report.execute([bill.id], {})
    response = page.secure(Response(bytes(content),
            content_type='application/pdf'))
    response.headers['Content-Disposition'] = (
        'attachment; filename="%s.pdf"' % re.sub(
            r'[^A-Za-z0-9-]', '_', bill.number or str(bill.id)))
    return response


# -- JSON endpoints -----------------------------------------------------------

def request_data(page, request):
    return {
        'id': request.id,
        'number': request.number,
        'state': request.state,
        'method': request.method,
        'amount': request.amount,
        'requested_at': request.requested_at,
        'bills': [i.id for i in request.invoices],
        'rejection_reason': (request.rejection_reason
            if request.state == 'rejected' else None),
        'receipt': request.receipt.number if request.receipt else None,
        }


@app.route('/<database_name>/portal/api/bills', methods=['GET'])
@with_pool
@with_transaction(readonly=True)
@portal(api=True)
def api_bills(page):
    rows = []
    for _unit, group in group_bills(page, my_bills(page)):
        for data in group:
            data.pop('bill')
            rows.append(data)
    return page.json({
            'amount_due': [{'currency': c.code, 'amount': a}
                for c, a in amount_due(page)],
            'bills': rows,
            })


@app.route('/<database_name>/portal/api/bills/<int:invoice_id>',
    methods=['GET'])
@with_pool
@with_transaction(readonly=True)
@portal(api=True)
def api_bill(page, invoice_id):
    Relation = page.pool.get('property.payment.request-account.invoice')
    bill = my_bill(page, invoice_id)
    data = bill_data(page, bill, billed_units(page, [bill]),
        open_requests(page, [bill]))
    data['lines'] = bill_lines(bill)
    data['tax'] = bill.tax_amount
    data['payments'] = payments_of(page, bill)
    data['payment_requests'] = [request_data(page, r.request)
        for r in Relation.search([('invoice', '=', bill.id)],
            order=[('id', 'DESC')])]
    return page.json(data)


@app.route('/<database_name>/portal/api/payments', methods=['GET'])
@with_pool
@with_transaction(readonly=True)
@portal(api=True)
def api_payments(page):
    return page.json({
            'prepayments': [{'currency': c.code, 'amount': a}
                for c, a in prepayments(page)],
            'receipts': [{
                    'number': r.number, 'date': r.date, 'amount': r.amount,
                    'method': r.payment_method.name,
                    'unit': r.unit.code if r.unit else None,
                    'bills': [i.number for i in r.invoices
                        if i.party.id in page.party_ids],
                    } for r in my_receipts(page)],
            'payment_requests': [request_data(page, r)
                for r in my_requests(page)],
            })


@app.route('/<database_name>/portal/api/bills/<int:invoice_id>/pay',
    methods=['POST'])
@with_pool
@with_transaction()
@portal(api=True)
def api_bill_pay(page, invoice_id):
    """multipart/form-data: method (transfer, wechat, alipay) and receipt
    (the file). Bearer authentication only: a browser's cookie would let
    another site post this form (no CSRF token on the API)."""
    if not page.request.headers.get('Authorization', '').startswith(
            'Bearer '):
        return page.json({'error': 'unauthorized'}, HTTPStatus.UNAUTHORIZED)
    bill = my_bill(page, invoice_id)
    request, error = request_payment(
        page, bill, page.request.form, page.request.files)
    if error:
        return page.json({'error': error}, HTTPStatus.BAD_REQUEST)
    return page.json(request_data(page, request), HTTPStatus.CREATED)
