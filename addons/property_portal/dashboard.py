# This file is part of the property service suite. See README.md.
"""The owner's dashboard (首页): my units, amount due, open requests, latest
notices and the service center of my estates.

It is the page owners open most, and what it shows changes seldom compared
with how often it is opened, so it is rendered once per owner, language and
day and kept in a cache (trytond.cache.Cache: in each server process,
cleared in all of them through the database) until something it shows
changes: any change of an occupancy, unit, estate, ticket, notice, account
move, move line, reconciliation or of the portal configuration clears it
(DashboardSource below); the date is part of the key because notices appear
and expire by date. The session's CSRF token (the logout form) is put in
for each request."""
import datetime as dt

from genshi.core import Markup

from trytond.cache import Cache
from trytond.pool import PoolMeta
from trytond.protocols.wrappers import with_pool, with_transaction
from trytond.wsgi import app

from .routes import LOADER, _, my_tickets, portal

# a few KB per owner and process, the most recent [cache] default (1024)
# owners or, set in trytond.conf, [cache] property_portal.dashboard
PAGES = Cache('property_portal.dashboard', context=False,
    duration=dt.timedelta(days=1))
# where the session's CSRF token goes in a kept page (its logout form)
CSRF_SLOT = 'csrf-token-slot-3f9c1a'


@app.route('/<database_name>/portal/dashboard', methods=['GET'])
@with_pool
@with_transaction(readonly=True)
@portal()
def dashboard(page):
    key = (page.language, page.base, tuple(page.party_ids),
        dt.date.today().isoformat())
    html = PAGES.get(key)
    if html is None:
        html = page.render_html('dashboard.html',
            title=_('dashboard_title'), content=Markup(render_content(page)),
            csrf_token=CSRF_SLOT)
        PAGES.set(key, html)
    return page.html_response(html.replace(CSRF_SLOT, page.csrf_token))


def render_content(page):
    # late imports: notices.py and bills.py import routes.py
    from . import bills
    from .notices import my_notices
    units = page.units()
    estates = sorted({u.estate for u in units}, key=lambda e: e.code)
    open_tickets = my_tickets(page, [
            ('state', 'in', ['open', 'assigned', 'in_progress', 'resolved'])])
    stream = LOADER.load('dashboard_content.html').generate(
        _=_, portal=page, units=units, estates=estates,
        open_tickets=open_tickets, notices=my_notices(page, limit=3),
        amount_due=bills.amount_due(page), money=bills.money)
    return stream.render('html', encoding=None)


class DashboardSource:
    "A model whose changes the owners' dashboards show"
    __slots__ = ()

    @classmethod
    def on_modification(cls, mode, records, field_names=None):
        super().on_modification(mode, records, field_names=field_names)
        PAGES.clear()


class Configuration(DashboardSource, metaclass=PoolMeta):
    __name__ = 'property.portal.configuration'


class Occupancy(DashboardSource, metaclass=PoolMeta):
    __name__ = 'property.occupancy'


class Unit(DashboardSource, metaclass=PoolMeta):
    __name__ = 'property.unit'


class Estate(DashboardSource, metaclass=PoolMeta):
    __name__ = 'property.estate'


class Ticket(DashboardSource, metaclass=PoolMeta):
    __name__ = 'property.ticket'


class Notice(DashboardSource, metaclass=PoolMeta):
    __name__ = 'property.notice'


class Move(DashboardSource, metaclass=PoolMeta):
    __name__ = 'account.move'


class MoveLine(DashboardSource, metaclass=PoolMeta):
    __name__ = 'account.move.line'


class Reconciliation(DashboardSource, metaclass=PoolMeta):
    __name__ = 'account.move.reconciliation'
