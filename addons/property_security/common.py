# This file is part of the property service suite. See README.md.
"Helpers shared by the security models"
import datetime as dt
from zoneinfo import ZoneInfo

from trytond.pool import Pool
from trytond.transaction import Transaction


def company_timezone(company):
    "The company's time zone: schedules are written in local time"
    if company and company.timezone:
        return ZoneInfo(company.timezone)
    return dt.timezone.utc


def local_to_utc(company, date, time):
    "Naive UTC datetime (as Tryton stores them) of a local date and time"
    local = dt.datetime.combine(date, time, tzinfo=company_timezone(company))
    return local.astimezone(dt.timezone.utc).replace(tzinfo=None)


def utc_to_local(company, at):
    "Local naive datetime of a stored (naive UTC) datetime"
    return at.replace(tzinfo=dt.timezone.utc).astimezone(
        company_timezone(company)).replace(tzinfo=None)


def now():
    """Current time as stored by Tryton. Tests may fix it with the private
    context key `_security_now`, which RPC strips from client contexts."""
    return Transaction().context.get('_security_now') or dt.datetime.now()


def month_of(company, at):
    "Local year-month key used by the statistics"
    if not at:
        return None
    return utc_to_local(company, at).strftime('%Y-%m')


def mask(value, keep=4):
    "Mask all but the last `keep` characters (R12)"
    if not value:
        return value
    value = value.strip()
    if len(value) <= keep:
        return '*' * len(value)
    return '*' * (len(value) - keep) + value[-keep:]


def user_employees():
    "Employee ids of the current user"
    User = Pool().get('res.user')
    return list(User.get_employees())
