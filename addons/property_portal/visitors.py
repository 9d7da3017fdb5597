# This file is part of the property service suite. See README.md.
"""Visitor pre-registration (访客预约) in the owner portal: an owner
announces a visitor to one of their current units and gets the pass code
the gate checks (property_security's ``property.visitor.pre_register``).
An owner sees only the visitors they invited to units they still live in;
any other id answers 404 like an id that does not exist."""
import datetime as dt
import re
from http import HTTPStatus

from werkzeug.exceptions import abort

from trytond.modules.property_security.common import (
    local_to_utc, now, utc_to_local)
from trytond.protocols.wrappers import with_pool, with_transaction
from trytond.wsgi import app

from .routes import _, portal, too_long

# how long a pass stays valid after the expected arrival (check-in is
# accepted from one hour before, see property_security)
PASS_HOURS = 4
MAX_DAYS_AHEAD = 30
MAX_PEOPLE = 20
PURPOSES = ['visit', 'delivery', 'service', 'renovation', 'business', 'other']


def my_visitors(page, domain=None):
    "Visitors the owner pre-registered for the units they occupy now"
    Visitor = page.pool.get('property.visitor')
    units = page.units()
    if not units or not page.party_ids:
        return []
    return Visitor.search([
            ('host_party', 'in', page.party_ids),
            ('host_unit', 'in', [u.id for u in units]),
            ('pre_registered', '=', True),
            *(domain or []),
            ], order=[('valid_from', 'DESC'), ('id', 'DESC')])


def my_visitor(page, visitor_id):
    visitors = my_visitors(page, [('id', '=', visitor_id)])
    if not visitors:
        abort(HTTPStatus.NOT_FOUND)
    return visitors[0]


def local_time(visitor, value):
    "A stored (UTC) time of a visitor in the estate's local time"
    return utc_to_local(visitor.estate.company, value).strftime(
        '%Y-%m-%d %H:%M')


def status_of(page, visitor):
    if visitor.state == 'expected' and visitor.valid_to < now():
        return _('visitor_expired')
    return page.selection('property.visitor', 'state', visitor.state)


def visitor_values(page, data, units):
    """The values for pre_register from a form or JSON object, or the error
    text of the first bad input"""
    def text(name):
        value = data.get(name)
        return value.strip() if isinstance(value, str) else ''

    name = text('name')
    if not name:
        return None, _('visitor_name_missing')
    error = too_long(page, 'property.visitor', {'name': name,
            'phone': text('phone'), 'plate': text('plate')})
    if error:
        return None, error
    unit = next((u for u in units if str(u.id) == str(data.get('unit'))),
        None)
    if unit is None:
        # also what another owner's unit id gets
        return None, _('visitor_unit_missing')
    try:
        day = dt.date.fromisoformat(text('date'))
        time = dt.time.fromisoformat(text('time'))
    except ValueError:
        return None, _('visitor_when_missing')
    valid_from = local_to_utc(unit.estate.company, day,
        time.replace(second=0, microsecond=0, tzinfo=None))
    current = now()
    # a few minutes of grace for a form filled in slowly
    if valid_from < current - dt.timedelta(minutes=15):
        return None, _('visitor_when_past')
    if valid_from > current + dt.timedelta(days=MAX_DAYS_AHEAD):
        return None, _('visitor_when_too_far', days=MAX_DAYS_AHEAD)
    people = data.get('people', 1)
    if isinstance(people, str):
        people = int(people) if people.strip().isdigit() else None
    if (not isinstance(people, int) or isinstance(people, bool)
            or not 1 <= people <= MAX_PEOPLE):
        return None, _('visitor_people_invalid', max=MAX_PEOPLE)
    phone = text('phone')
    if phone and not re.fullmatch(r'\+?[0-9][0-9 -]{4,19}', phone):
        return None, _('visitor_phone_invalid')
    plate = re.sub(r'\s', '', text('plate')).upper()
    if plate and not re.fullmatch(r'[\w·-]{4,10}', plate):
        return None, _('visitor_plate_invalid')
    purpose = text('purpose') or 'visit'
    if purpose not in PURPOSES:
        return None, _('visitor_purpose_invalid')
    return {
        'estate': unit.estate.id,
        'host_unit': unit.id,
        'host_party': units[unit][0].party.id,
        'name': name,
        'phone': phone or None,
        'plate': plate or None,
        'purpose': purpose,
        'companions': people - 1,
        'valid_from': valid_from,
        'valid_to': valid_from + dt.timedelta(hours=PASS_HOURS),
        'created_by_portal': True,
        }, None


def pre_register(page, values):
    Visitor = page.pool.get('property.visitor')
    return Visitor.pre_register(values)


def visitor_data(page, visitor):
    return {
        'id': visitor.id,
        'name': visitor.name,
        'phone': visitor.phone,
        'unit': visitor.host_unit.code,
        'estate': visitor.estate.name,
        'people': (visitor.companions or 0) + 1,
        'plate': visitor.plate,
        'purpose': visitor.purpose,
        'pass_code': visitor.pass_code,
        'valid_from': visitor.valid_from,
        'valid_to': visitor.valid_to,
        'valid_from_local': local_time(visitor, visitor.valid_from),
        'valid_to_local': local_time(visitor, visitor.valid_to),
        'state': visitor.state,
        'expired': visitor.state == 'expected' and visitor.valid_to < now(),
        'check_in': visitor.check_in,
        'check_out': visitor.check_out,
        }


def purposes(page):
    return [(p, page.selection('property.visitor', 'purpose', p))
        for p in PURPOSES]


@app.route('/<database_name>/portal/visitors', methods=['GET'])
@with_pool
@with_transaction(readonly=True)
@portal()
def visitors(page):
    return page.render('visitors.html', title=_('visitors_title'),
        visitors=my_visitors(page), local_time=local_time,
        status_of=status_of)


@app.route('/<database_name>/portal/visitors/new', methods=['GET', 'POST'])
@with_pool
@with_transaction()
@portal()
def new_visitor(page):
    units = page.units()
    form = page.request.form
    error = None
    if page.request.method == 'POST':
        page.check_csrf()
        values, error = visitor_values(page, form, units)
        if not error:
            visitor = pre_register(page, values)
            return page.redirect('visitors/%d' % visitor.id)
    # proposed: in an hour, local time of the first unit's estate
    company = next(iter(units)).estate.company if units else None
    soon = utc_to_local(company, now() + dt.timedelta(hours=1))
    return page.render('visitor_new.html',
        HTTPStatus.OK if not error else HTTPStatus.BAD_REQUEST,
        title=_('visitor_new_title'), error=error, units=units, form=form,
        purposes=purposes(page), max_people=MAX_PEOPLE, pass_hours=PASS_HOURS,
        default_date=soon.date().isoformat(),
        default_time=soon.strftime('%H:00'))


@app.route('/<database_name>/portal/visitors/<int:visitor_id>',
    methods=['GET'])
@with_pool
@with_transaction(readonly=True)
@portal()
def visitor_detail(page, visitor_id):
    visitor = my_visitor(page, visitor_id)
    return page.render('visitor_detail.html', title=visitor.name,
        visitor=visitor, local_time=local_time, status_of=status_of)


@app.route('/<database_name>/portal/api/visitors', methods=['GET', 'POST'])
@with_pool
@with_transaction()
@portal(api=True)
def api_visitors(page):
    if page.request.method == 'GET':
        return page.json([visitor_data(page, v) for v in my_visitors(page)])
    data = page.request.parsed_data if page.request.is_json else None
    if not isinstance(data, dict):
        return page.json({'error': _('visitor_name_missing')},
            HTTPStatus.BAD_REQUEST)
    values, error = visitor_values(page, data, page.units())
    if error:
        return page.json({'error': error}, HTTPStatus.BAD_REQUEST)
    visitor = pre_register(page, values)
    return page.json(visitor_data(page, visitor), HTTPStatus.CREATED)


@app.route('/<database_name>/portal/api/visitors/<int:visitor_id>',
    methods=['GET'])
@with_pool
@with_transaction(readonly=True)
@portal(api=True)
def api_visitor(page, visitor_id):
    return page.json(visitor_data(page, my_visitor(page, visitor_id)))
