# This file is part of the property service suite. See README.md.
"""Owner portal: server-rendered pages and JSON endpoints under
/<database>/portal/.

Routes run as the superuser (trytond's with_transaction), so every query
here is filtered by the logged-in web user's parties in code: an owner only
reaches units where one of their parties is a current occupant, and any
other id answers 404 exactly like an id that does not exist."""
import functools
import hashlib
import hmac
import logging
import os
import re
import secrets
from http import HTTPStatus

from genshi.template import TemplateLoader
from werkzeug.exceptions import HTTPException, abort
from werkzeug.utils import redirect

from trytond import backend
from trytond import config
from trytond.exceptions import RateLimitException
from trytond.res.exceptions import PasswordError
from trytond.i18n import gettext
from trytond.modules.property_service.phone import normalize_phone
from trytond.protocols.jsonrpc import JSONEncoder, json
from trytond.protocols.wrappers import Response, with_pool, with_transaction
from trytond.transaction import Transaction, TransactionError
from trytond.wsgi import app

from .web_user import login_key

logger = logging.getLogger(__name__)

LANGUAGES = ('zh_CN', 'en')
DEFAULT_LANGUAGE = 'zh_CN'
SESSION_COOKIE = 'portal_session'
LOGIN_CSRF_COOKIE = 'portal_login_csrf'
LANGUAGE_COOKIE = 'portal_lang'
# a browser where the owner logged in: its failures count apart
DEVICE_COOKIE = 'portal_device'
DEVICE_MAX_AGE = 365 * 86400
LOADER = TemplateLoader(
    os.path.join(os.path.dirname(__file__), 'templates'),
    auto_reload=False)
SECURITY_HEADERS = {
    'X-Frame-Options': 'DENY',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'same-origin',
    'Cache-Control': 'no-store',
    'Content-Security-Policy': (
        "default-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; form-action 'self'; frame-ancestors 'none'"),
    }


def _(key, **variables):
    "A portal text, from the module's messages in the user's language"
    return gettext('property_portal.msg_' + key, **variables)


class Portal:
    "What one request knows: database, language, web user and their parties"

    def __init__(self, request, pool, api=False):
        self.request = request
        self.pool = pool
        self.api = api
        self.language = language_of(request)
        # as the client wrote it, so cookie paths match what it sends
        self.base = request.path.split('/portal/', 1)[0] + '/portal'
        self.session_key = self._session_key()
        self.web_user = self._web_user()
        self._units = None
        self._selections = {}

    def _session_key(self):
        authorization = self.request.headers.get('Authorization', '')
        if self.api and authorization.startswith('Bearer '):
            return authorization[len('Bearer '):].strip() or None
        return self.request.cookies.get(SESSION_COOKIE) or None

    def _web_user(self):
        if not self.session_key:
            return None
        WebUser = self.pool.get('web.user')
        user = WebUser.get_user(self.session_key)
        if user and user.active:
            return user
        return None

    def url(self, path=''):
        return f'{self.base}/{path}'

    # -- what the owner may see ------------------------------------------
    @functools.cached_property
    def party_ids(self):
        user = self.web_user
        ids = {p.id for p in user.secondary_parties}
        if user.party:
            ids.add(user.party.id)
        return sorted(ids)

    def occupancies(self):
        "The owner's current occupancies: the only way to their units"
        Occupancy = self.pool.get('property.occupancy')
        if not self.party_ids:
            return []
        return Occupancy.search([
                ('party', 'in', self.party_ids),
                ('current', '=', True),
                ], order=[('unit.estate', 'ASC'), ('unit.code', 'ASC')])

    def units(self):
        # once per request: the dashboard, notices and visitors all ask
        if self._units is None:
            units = {}
            for occupancy in self.occupancies():
                units.setdefault(occupancy.unit, []).append(occupancy)
            self._units = units
        return self._units

    def unit(self, unit_id):
        "One of the owner's units, or 404 like a unit that does not exist"
        for unit, occupancies in self.units().items():
            if unit.id == unit_id:
                return unit, occupancies
        abort(HTTPStatus.NOT_FOUND)

    def household(self, unit):
        "Who lives in or holds the unit now: names and roles only"
        Occupancy = self.pool.get('property.occupancy')
        return Occupancy.search([
                ('unit', '=', unit.id),
                ('current', '=', True),
                ], order=[('role', 'ASC'), ('start_date', 'ASC')])

    # -- labels in the user's language -------------------------------------
    def selection(self, model, field, value):
        "The label of a selection value (fields_get once per request)"
        labels = self._selections.get((model, field))
        if labels is None:
            Model = self.pool.get(model)
            labels = self._selections[model, field] = dict(
                Model.fields_get([field])[field]['selection'])
        return labels.get(value, value)

    @functools.cached_property
    def lang(self):
        "The user's ir.lang, read once per request"
        return self.pool.get('ir.lang').get(self.language)

    def datetime(self, value):
        "A timestamp (stored in UTC-naive server time) in the user's format"
        if not value:
            return ''
        return self.lang.strftime(value, '%Y-%m-%d %H:%M')

    def date(self, value):
        if not value:
            return ''
        return self.lang.strftime(value)

    # -- CSRF ---------------------------------------------------------------
    @property
    def csrf_token(self):
        "Bound to the session; before login, to a cookie (double submit)"
        if self.session_key and self.web_user:
            return hmac.new(self.session_key.encode(), b'portal-csrf',
                hashlib.sha256).hexdigest()
        return self.request.cookies.get(LOGIN_CSRF_COOKIE) or ''

    def check_csrf(self):
        sent = self.request.form.get('csrf_token', '')
        expected = self.csrf_token
        if not expected or not hmac.compare_digest(sent, expected):
            abort(HTTPStatus.FORBIDDEN)

    # -- responses ------------------------------------------------------------
    def render(self, template, status=HTTPStatus.OK, **values):
        return self.html_response(self.render_html(template, **values),
            status=status)

    def render_html(self, template, **values):
        "The page as a str; csrf_token: the logout form's, by default"
        Configuration = self.pool.get('property.portal.configuration')
        values.setdefault('title', '')
        if self.web_user:
            values.setdefault('csrf_token', self.csrf_token)
        stream = LOADER.load(template).generate(
            _=_, portal=self, configuration=Configuration(1),
            other_language='en' if self.language == 'zh_CN' else 'zh_CN',
            **values)
        return stream.render('html', doctype='html5', encoding=None)

    def html_response(self, html, status=HTTPStatus.OK):
        response = Response(html.encode('utf-8'), status=status,
            content_type='text/html; charset=utf-8')
        return self.secure(response)

    def json(self, data, status=HTTPStatus.OK):
        response = Response(
            json.dumps(data, cls=JSONEncoder, ensure_ascii=False),
            status=status, content_type='application/json; charset=utf-8')
        return self.secure(response)

    def secure(self, response):
        for name, value in SECURITY_HEADERS.items():
            response.headers[name] = value
        return response

    def redirect(self, path):
        return self.secure(redirect(self.url(path), code=HTTPStatus.SEE_OTHER))

    def set_cookie(self, response, name, value, max_age=None):
        response.set_cookie(
            name, value, max_age=max_age, path=self.base + '/',
            httponly=True, samesite='Lax',
            secure=self.request.scheme == 'https')

    def delete_cookie(self, response, name):
        response.delete_cookie(name, path=self.base + '/')


MAX_ID = 2 ** 63 - 1  # the largest id the databases store (BIGINT)


def parse_id(value):
    "A record id from a path or a form, or None when it cannot be one"
    if isinstance(value, str):
        value = value.strip()
        if not value.isascii() or not value.isdigit():
            return None
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if 0 < value <= MAX_ID else None


def too_long(page, model, values, size=None):
    """The error text for the first text longer than its field's size (the
    same limit staff meet over RPC), or None"""
    Model = page.pool.get(model)
    for name, value in values.items():
        limit = size or Model._fields[name].size
        if limit and isinstance(value, str) and len(value) > limit:
            label = Model.fields_get([name])[name]['string']
            return _('text_too_long', field=label, size=limit)
    return None


def language_of(request):
    language = request.cookies.get(LANGUAGE_COOKIE)
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


def portal(login=True, api=False):
    """Wrap a portal view: 404 where the module is not activated, language,
    login, and errors that never show a traceback to the owner."""
    def decorator(func):
        @functools.wraps(func)
        def wrapper(request, pool, *args, **kwargs):
            try:
                pool.get('property.portal.configuration')
            except KeyError:
                abort(HTTPStatus.NOT_FOUND)
            transaction = Transaction()
            # the Host header is the client's to choose: without it the
            # platform's URLs and e-mail Message-IDs (trytond.url.host) use
            # [web] hostname, like the portal's own links (web_user.py)
            request_context = dict(transaction.context.get('_request') or {})
            request_context.pop('http_host', None)
            with transaction.set_context(language=language_of(request),
                    _request=request_context):
                page = Portal(request, pool, api=api)
                try:
                    # ids in the path: beyond the database's integers they
                    # are ids that do not exist (not an overflow, a 500)
                    if any(isinstance(v, int) and parse_id(v) is None
                            for v in kwargs.values()):
                        abort(HTTPStatus.NOT_FOUND)
                    if login and not page.web_user:
                        if api:
                            return page.json({'error': 'unauthorized'},
                                HTTPStatus.UNAUTHORIZED)
                        return page.redirect('login')
                    return func(page, *args, **kwargs)
                except HTTPException as exception:
                    transaction.rollback()
                    if exception.code == HTTPStatus.NOT_FOUND:
                        return not_found(page)
                    if exception.code == HTTPStatus.FORBIDDEN and not api:
                        return page.render('error.html',
                            HTTPStatus.FORBIDDEN, title=_('forbidden_title'),
                            message=_('forbidden_text'))
                    raise
                except (TransactionError, backend.DatabaseOperationalError):
                    raise
                except Exception:
                    logger.exception("portal error on %s", request.path)
                    transaction.rollback()
                    if api:
                        return page.json({'error': 'server error'},
                            HTTPStatus.INTERNAL_SERVER_ERROR)
                    return page.render('error.html',
                        HTTPStatus.INTERNAL_SERVER_ERROR,
                        title=_('error_title'), message=_('error_text'))
        return wrapper
    return decorator


def not_found(page):
    if page.api:
        return page.json({'error': 'not found'}, HTTPStatus.NOT_FOUND)
    return page.render('error.html', HTTPStatus.NOT_FOUND,
        title=_('not_found_title'), message=_('not_found_text'))


# -- Pages ------------------------------------------------------------------

def anonymous_form(page, template, status=HTTPStatus.OK, **values):
    "A form shown before login, with its double-submit CSRF cookie"
    token = page.request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_hex(
        16)
    response = page.render(template, status, login_csrf=token, **values)
    page.set_cookie(response, LOGIN_CSRF_COOKIE, token)
    return response


def check_new_password(page, password, confirm, users):
    "The error text for a new password, or None when it is acceptable"
    User = page.pool.get('res.user')
    if password != confirm:
        return _('password_mismatch')
    # the platform's policy ([password] length, forbidden list, not the
    # email), and at least 8 characters whatever the configuration
    if len(password) < max(
            8, config.getint('password', 'length', default=0)):
        return _('password_too_short',
            length=max(8, config.getint('password', 'length', default=0)))
    try:
        User.validate_password(password, users)
    except PasswordError as exception:
        return exception.message
    return None


@app.route('/<database_name>/portal/', methods=['GET'])
@with_pool
@with_transaction(readonly=True)
@portal(login=False)
def index(page):
    return page.redirect('dashboard' if page.web_user else 'login')


@app.route('/<database_name>/portal/login', methods=['GET', 'POST'])
@with_pool
@with_transaction()
@portal(login=False)
def login(page):
    request = page.request
    error = None
    if page.web_user:
        return page.redirect('dashboard')
    if request.method == 'POST':
        page.check_csrf()
        WebUser = page.pool.get('web.user')
        email = request.form.get('email', '').strip()
        password = request.form.get('password', '')
        device = request.cookies.get(DEVICE_COOKIE)
        try:
            user = WebUser.authenticate(email, password,
                device_cookie=device) if (email and password) else None
        except RateLimitException:
            user, error = None, _('login_rate_limited')
        if user and user.active and not user.email_valid:
            user, error = None, _('email_not_validated')
        if user and user.active:
            response = page.redirect('dashboard')
            page.set_cookie(response, SESSION_COOKIE, user.new_session())
            page.delete_cookie(response, LOGIN_CSRF_COOKIE)
            # this browser's own failure count from now on (web_user.py)
            page.set_cookie(response, DEVICE_COOKIE, page.pool.get(
                    'web.user.device').renew(email, device),
                max_age=DEVICE_MAX_AGE)
            return response
        # the same answer for an unknown email and a wrong password
        error = error or _('login_failed')
    return anonymous_form(page, 'login.html', HTTPStatus.OK if not error
        else HTTPStatus.UNAUTHORIZED, title=_('login_title'), error=error,
        notice=None)


@app.route('/<database_name>/portal/reset-password', methods=['GET', 'POST'])
@with_pool
@with_transaction()
@portal(login=False)
def reset_password(page):
    "Ask for a reset link; the same answer whether the email exists or not"
    notice = None
    if page.request.method == 'POST':
        page.check_csrf()
        WebUser = page.pool.get('web.user')
        email = page.request.form.get('email', '').strip().lower()
        users = WebUser.search([('email', '=', email)]) if email else []
        # web_user sends one email per token lifetime (no flooding)
        WebUser.reset_password([u for u in users if u.active])
        notice = _('reset_sent')
    return anonymous_form(page, 'reset_password.html',
        title=_('reset_title'), notice=notice)


@app.route('/<database_name>/portal/set-password', methods=['GET', 'POST'])
@with_pool
@with_transaction()
@portal(login=False)
def set_password(page):
    "The page of the emailed link: choose a new password"
    WebUser = page.pool.get('web.user')
    values = page.request.values
    email = values.get('email', '').strip().lower()
    token = values.get('token', '')
    error = None
    if page.request.method == 'POST':
        page.check_csrf()
        password = page.request.form.get('password', '')
        users = WebUser.search([('email', '=', email)]) if email else []
        error = check_new_password(page, password,
            page.request.form.get('confirm', ''), users)
        if not error:
            if WebUser.set_password_token(email, token, password):
                return anonymous_form(page, 'login.html',
                    title=_('login_title'), error=None,
                    notice=_('password_changed'))
            error = _('reset_link_invalid')
    return anonymous_form(page, 'set_password.html',
        HTTPStatus.OK if not error else HTTPStatus.BAD_REQUEST,
        title=_('set_password_title'), error=error, email=email, token=token)


@app.route('/<database_name>/portal/register', methods=['GET', 'POST'])
@with_pool
@with_transaction()
@portal(login=False)
def register(page):
    """Self-registration of an owner or tenant, verified against a unit
    code and the phone number on record for a current occupant of it."""
    pool = page.pool
    Estate = pool.get('property.estate')
    Unit = pool.get('property.unit')
    Occupancy = pool.get('property.occupancy')
    WebUser = pool.get('web.user')
    Attempt = pool.get('web.user.authenticate.attempt')
    form = page.request.form
    error = notice = None
    if page.request.method == 'POST':
        page.check_csrf()
        # every key as the lookups see it: "001" is estate 1, " b-2-1101"
        # is unit B-2-1101, so no spelling gets a fresh count
        estate_id = parse_id(form.get('estate', ''))
        code = re.sub(r'\s', '', form.get('unit', '')).upper()
        phone = normalize_phone(form.get('phone', ''))
        email = login_key(form.get('email', ''))
        password = form.get('password', '')
        # guessing phone numbers for a unit is limited like logins are
        key = f'register:{estate_id}:{code}'
        if (Attempt.count(key) > config.getint(
                    'session', 'max_attempt', default=5)
                or Attempt.count_ip() > config.getint(
                    'session', 'max_attempt_ip_network', default=300)):
            error = _('login_rate_limited')
        elif not (estate_id and code and phone and email):
            error = _('register_incomplete')
        else:
            units = Unit.search([
                    ('estate', '=', estate_id), ('code', '=', code)])
            party = None
            for occupancy in Occupancy.search([
                        ('unit', 'in', [u.id for u in units]),
                        ('current', '=', True)]):
                if any(normalize_phone(m.value) == phone
                        for m in occupancy.party.contact_mechanisms
                        if m.type in {'phone', 'mobile'}):
                    party = occupancy.party
                    break
            if party is None:
                Attempt.add(key)
                error = _('register_not_verified')
            elif WebUser.search([('email', '=', email)]):
                error = _('register_email_taken')
            else:
                user = WebUser(email=email, party=party)
                error = check_new_password(page, password,
                    form.get('confirm', ''), [user])
                if not error:
                    user.password_hash = WebUser.hash_password(password)
                    user.save()
                    WebUser.validate_email([user])
                    notice = _('register_done')
    estates = Estate.search([], order=[('name', 'ASC')])
    return anonymous_form(page, 'register.html',
        HTTPStatus.OK if not error else HTTPStatus.BAD_REQUEST,
        title=_('register_title'), error=error, notice=notice,
        estates=estates, form=form)


@app.route('/<database_name>/portal/validate-email', methods=['GET'])
@with_pool
@with_transaction(readonly=False)
@portal(login=False)
def validate_email(page):
    WebUser = page.pool.get('web.user')
    token = page.request.args.get('token', '')
    users = WebUser.validate_email_token([token]) if token else []
    return anonymous_form(page, 'login.html', title=_('login_title'),
        error=None if users else _('validation_link_invalid'),
        notice=_('email_validated') if users else None)


@app.route('/<database_name>/portal/logout', methods=['POST'])
@with_pool
@with_transaction()
@portal()
def logout(page):
    page.check_csrf()
    page.pool.get('web.user.session').remove(page.session_key)
    response = page.redirect('login')
    page.delete_cookie(response, SESSION_COOKIE)
    return response


@app.route('/<database_name>/portal/language/<code>', methods=['GET'])
@with_pool
@with_transaction(readonly=True)
@portal(login=False)
def language(page, code):
    if code not in LANGUAGES:
        abort(HTTPStatus.NOT_FOUND)
    response = page.redirect('dashboard' if page.web_user else 'login')
    page.set_cookie(response, LANGUAGE_COOKIE, code, max_age=365 * 86400)
    return response


@app.route('/<database_name>/portal/units/<int:unit_id>', methods=['GET'])
@with_pool
@with_transaction(readonly=True)
@portal()
def unit_detail(page, unit_id):
    unit, mine = page.unit(unit_id)
    return page.render('unit.html', title=unit.rec_name, unit=unit,
        mine=mine, household=page.household(unit))


@app.route('/<database_name>/portal/profile', methods=['GET'])
@with_pool
@with_transaction(readonly=True)
@portal()
def profile(page):
    Party = page.pool.get('party.party')
    parties = Party.browse(page.party_ids)
    return page.render('profile.html', title=_('profile_title'),
        parties=parties, units=page.units())


# -- Requests (service desk tickets) -------------------------------------------

# What an owner may ask for; internal types (rectification...) are staff's
# the history note is written by code only; what an owner adds to it
REASON_SIZE = 1000
REQUEST_TYPES = ['repair', 'complaint', 'consultation', 'suggestion', 'praise',
    'certificate']
PHOTO_TYPES = {
    b'\xff\xd8\xff': ('image/jpeg', 'jpg'),
    b'\x89PNG\r\n\x1a\n': ('image/png', 'png'),
    b'RIFF': ('image/webp', 'webp'),
    }


def my_tickets(page, domain=None):
    "Only the tickets whose requester is one of the owner's parties"
    Ticket = page.pool.get('property.ticket')
    if not page.party_ids:
        return []
    return Ticket.search([
            ('requester', 'in', page.party_ids),
            ('state', '!=', 'draft'),
            *(domain or []),
            ], order=[('received_at', 'DESC'), ('id', 'DESC')])


def my_ticket(page, ticket_id):
    tickets = my_tickets(page, [('id', '=', ticket_id)])
    if not tickets:
        abort(HTTPStatus.NOT_FOUND)
    return tickets[0]


def photo_of(page, upload):
    "(name, data) of an uploaded photo, or an error text"
    Configuration = page.pool.get('property.portal.configuration')
    limit = Configuration(1).upload_max_kb * 1024
    data = upload.stream.read(limit + 1)
    if len(data) > limit:
        return None, _('photo_too_big', limit=limit // 1024)
    for magic, (_type, extension) in PHOTO_TYPES.items():
        # the content decides, not the name or the browser's claim
        if data.startswith(magic) and (
                extension != 'webp' or data[8:12] == b'WEBP'):
            return (f'photo.{extension}', data), None
    return None, _('photo_type')


@app.route('/<database_name>/portal/requests', methods=['GET'])
@with_pool
@with_transaction(readonly=True)
@portal()
def requests(page):
    return page.render('requests.html', title=_('requests_title'),
        tickets=my_tickets(page))


@app.route('/<database_name>/portal/requests/new', methods=['GET', 'POST'])
@with_pool
@with_transaction()
@portal()
def new_request(page):
    pool = page.pool
    Ticket = pool.get('property.ticket')
    Attachment = pool.get('ir.attachment')
    units = page.units()
    form = page.request.form
    error = None
    if page.request.method == 'POST':
        page.check_csrf()
        kind = form.get('type', '')
        description = form.get('description', '').strip()
        unit = next((u for u in units if str(u.id) == form.get('unit')),
            None)
        photo = None
        upload = page.request.files.get('photo')
        if kind not in REQUEST_TYPES:
            error = _('request_type_missing')
        elif unit is None:
            # also what another owner's unit id gets
            error = _('request_unit_missing')
        elif len(description) < 5:
            error = _('request_description_missing')
        elif too_long(page, 'property.ticket', {'description': description}):
            error = too_long(page, 'property.ticket',
                {'description': description})
        elif upload and upload.filename:
            photo, error = photo_of(page, upload)
        if not error:
            occupancy = units[unit][0]
            ticket = Ticket(company=unit.estate.company, estate=unit.estate,
                unit=unit, requester=occupancy.party, type=kind,
                channel='portal', description=description)
            ticket.save()
            Ticket.submit([ticket])
            if photo:
                Attachment.create([{'resource': str(ticket),
                            'name': photo[0], 'data': photo[1]}])
            return page.redirect('requests/%d' % ticket.id)
    return page.render('request_new.html',
        HTTPStatus.OK if not error else HTTPStatus.BAD_REQUEST,
        title=_('request_new_title'), error=error, units=units, form=form,
        types=[(t, page.selection('property.ticket', 'type', t))
            for t in REQUEST_TYPES])


@app.route('/<database_name>/portal/requests/<int:ticket_id>',
    methods=['GET', 'POST'])
@with_pool
@with_transaction()
@portal()
def request_detail(page, ticket_id):
    pool = page.pool
    Ticket = pool.get('property.ticket')
    History = pool.get('property.ticket.history')
    Attachment = pool.get('ir.attachment')
    ticket = my_ticket(page, ticket_id)
    form = page.request.form
    error = notice = None
    if page.request.method == 'POST':
        page.check_csrf()
        action = form.get('action')
        if ticket.state != 'resolved':
            error = _('request_not_resolved')
        elif action == 'confirm':
            score = form.get('score', '')
            comment = form.get('comment', '').strip()
            if score not in {'1', '2', '3', '4', '5'}:
                error = _('request_score_missing')
            elif too_long(page, 'property.ticket',
                    {'satisfaction_comment': comment}):
                error = too_long(page, 'property.ticket',
                    {'satisfaction_comment': comment})
            else:
                Ticket.write([ticket], {
                        'satisfaction': int(score),
                        'satisfaction_comment': comment or None,
                        })
                if not ticket.return_visit_required and all(
                        o.state in {'done', 'signed', 'cancelled'}
                        for o in ticket.work_orders):
                    Ticket.close([ticket])
                notice = _('request_confirmed')
        elif action == 'reject':
            reason = form.get('reason', '').strip()
            if not reason:
                error = _('request_reason_missing')
            elif too_long(page, 'property.ticket.history', {'note': reason},
                    size=REASON_SIZE):
                error = too_long(page, 'property.ticket.history',
                    {'note': reason}, size=REASON_SIZE)
            else:
                Ticket.reopen([ticket])
                # keep the requester's words in the ticket's timeline
                last, = History.search([('ticket', '=', ticket.id)],
                    order=[('id', 'DESC')], limit=1)
                History.write([last], {'note': reason})
                notice = _('request_reopened')
        else:
            error = _('request_action_unknown')
        ticket = Ticket(ticket.id)
    history = History.search([('ticket', '=', ticket.id)],
        order=[('date', 'ASC'), ('id', 'ASC')])
    photos = Attachment.search([('resource', '=', str(ticket))])
    return page.render('request_detail.html',
        HTTPStatus.OK if not error else HTTPStatus.BAD_REQUEST,
        title=ticket.number, ticket=ticket, history=history, photos=photos,
        error=error, notice=notice)


@app.route('/<database_name>/portal/requests/<int:ticket_id>/photos/'
    '<int:attachment_id>', methods=['GET'])
@with_pool
@with_transaction(readonly=True)
@portal()
def request_photo(page, ticket_id, attachment_id):
    Attachment = page.pool.get('ir.attachment')
    ticket = my_ticket(page, ticket_id)
    attachments = Attachment.search([
            ('id', '=', attachment_id), ('resource', '=', str(ticket))])
    if not attachments:
        abort(HTTPStatus.NOT_FOUND)
    data = attachments[0].data
    for magic, (content_type, _extension) in PHOTO_TYPES.items():
        if data.startswith(magic):
            break
    else:
        abort(HTTPStatus.NOT_FOUND)
    response = page.secure(Response(data, content_type=content_type))
    response.headers['Cache-Control'] = 'private, max-age=3600'
    return response


# -- JSON endpoints -----------------------------------------------------------

def unit_data(page, unit, occupancies):
    return {
        'id': unit.id,
        'code': unit.code,
        'estate': unit.estate.name,
        'building': unit.building.name,
        'floor': unit.floor,
        'building_area': unit.building_area,
        'usable_area': unit.usable_area,
        'usage': unit.usage,
        'roles': [o.role for o in occupancies],
        }


@app.route('/<database_name>/portal/api/login', methods=['POST'])
@with_pool
@with_transaction()
@portal(login=False, api=True)
def api_login(page):
    WebUser = page.pool.get('web.user')
    data = page.request.parsed_data if page.request.is_json else None
    if not isinstance(data, dict) or not all(
            isinstance(data.get(k), str) for k in ['email', 'password']):
        return page.json({'error': 'email and password required'},
            HTTPStatus.BAD_REQUEST)
    device = data.get('device') if isinstance(
        data.get('device'), str) else None
    try:
        user = WebUser.authenticate(data['email'], data['password'],
            device_cookie=device)
    except RateLimitException:
        return page.json({'error': 'too many attempts'},
            HTTPStatus.TOO_MANY_REQUESTS)
    if not user or not user.active:
        return page.json({'error': 'unauthorized'}, HTTPStatus.UNAUTHORIZED)
    if not user.email_valid:
        # as the login form: a registration proves its email first
        return page.json({'error': 'email not validated'},
            HTTPStatus.UNAUTHORIZED)
    # an app keeps "device" and sends it at its next login (web_user.py)
    return page.json({'session': user.new_session(),
            'device': page.pool.get('web.user.device').renew(
                data['email'], device)})


@app.route('/<database_name>/portal/api/logout', methods=['POST'])
@with_pool
@with_transaction()
@portal(api=True)
def api_logout(page):
    page.pool.get('web.user.session').remove(page.session_key)
    return page.json({})


@app.route('/<database_name>/portal/api/me', methods=['GET'])
@with_pool
@with_transaction(readonly=True)
@portal(api=True)
def api_me(page):
    Party = page.pool.get('party.party')
    return page.json({
            'email': page.web_user.email,
            'parties': [{'id': p.id, 'name': p.name}
                for p in Party.browse(page.party_ids)],
            'units': [unit_data(page, u, o)
                for u, o in page.units().items()],
            })


@app.route('/<database_name>/portal/api/units', methods=['GET'])
@with_pool
@with_transaction(readonly=True)
@portal(api=True)
def api_units(page):
    return page.json([unit_data(page, u, o) for u, o in page.units().items()])


@app.route('/<database_name>/portal/api/units/<int:unit_id>', methods=['GET'])
@with_pool
@with_transaction(readonly=True)
@portal(api=True)
def api_unit(page, unit_id):
    unit, mine = page.unit(unit_id)
    data = unit_data(page, unit, mine)
    data['household'] = [{'name': o.party.name, 'role': o.role}
        for o in page.household(unit)]
    return page.json(data)


def ticket_data(page, ticket, history=None):
    data = {
        'id': ticket.id,
        'number': ticket.number,
        'type': ticket.type,
        'state': ticket.state,
        'unit': ticket.unit.code if ticket.unit else None,
        'estate': ticket.estate.name,
        'description': ticket.description,
        'received_at': ticket.received_at,
        'resolution': ticket.resolution if ticket.state in {
            'resolved', 'closed'} else None,
        'satisfaction': ticket.satisfaction,
        }
    if history is not None:
        data['timeline'] = [{'date': h.date, 'action': h.action,
                'state': h.to_state} for h in history]
    return data


@app.route('/<database_name>/portal/api/requests', methods=['GET', 'POST'])
@with_pool
@with_transaction()
@portal(api=True)
def api_requests(page):
    Ticket = page.pool.get('property.ticket')
    if page.request.method == 'GET':
        return page.json([ticket_data(page, t) for t in my_tickets(page)])
    data = page.request.parsed_data if page.request.is_json else None
    units = page.units()
    unit = next((u for u in units
            if isinstance(data, dict) and data.get('unit') == u.id), None)
    if (not isinstance(data, dict) or data.get('type') not in REQUEST_TYPES
            or unit is None
            or not isinstance(data.get('description'), str)
            or len(data['description'].strip()) < 5):
        return page.json({'error': 'type, unit (one of yours) and '
                'description (5 characters or more) required'},
            HTTPStatus.BAD_REQUEST)
    error = too_long(page, 'property.ticket',
        {'description': data['description'].strip()})
    if error:
        return page.json({'error': error}, HTTPStatus.BAD_REQUEST)
    ticket = Ticket(company=unit.estate.company, estate=unit.estate,
        unit=unit, requester=units[unit][0].party, type=data['type'],
        channel='portal', description=data['description'].strip())
    ticket.save()
    Ticket.submit([ticket])
    return page.json(ticket_data(page, ticket), HTTPStatus.CREATED)


@app.route('/<database_name>/portal/api/requests/<int:ticket_id>',
    methods=['GET'])
@with_pool
@with_transaction(readonly=True)
@portal(api=True)
def api_request(page, ticket_id):
    History = page.pool.get('property.ticket.history')
    ticket = my_ticket(page, ticket_id)
    return page.json(ticket_data(page, ticket, History.search(
                [('ticket', '=', ticket.id)],
                order=[('date', 'ASC'), ('id', 'ASC')])))
