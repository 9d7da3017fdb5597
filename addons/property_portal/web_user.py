# This file is part of the property service suite. See README.md.
import datetime
import logging
import random
import time
import uuid

from sql.aggregate import Count

from trytond import config
from trytond.exceptions import RateLimitException
from trytond.model import ModelView
from trytond.pool import Pool, PoolMeta
from trytond.res.user import UserDevice as _UserDevice
from trytond.tools.email_ import normalize_email
from trytond.transaction import Transaction, without_check_access

logger = logging.getLogger(__name__)


def login_key(email):
    "The one spelling of an email under which its login attempts count"
    return normalize_email((email or '').strip()).lower()


class User(metaclass=PoolMeta):
    __name__ = 'web.user'

    # The links in web_user's emails point at the configured portal address
    # (property.portal.configuration, else [web] hostname), never at the
    # Host header of the request that asked for them: a reset asked with
    # "Host: evil.example" must not mail the owner a link to evil.example.
    def get_email_validation_url(self, url=None):
        Configuration = Pool().get('property.portal.configuration')
        if url is None:
            url = Configuration.get_portal_url() + 'validate-email'
        return super().get_email_validation_url(url=url)

    def get_email_reset_password_url(self, url=None):
        Configuration = Pool().get('property.portal.configuration')
        if url is None:
            url = Configuration.get_portal_url() + 'set-password'
        return super().get_email_reset_password_url(url=url)

    # The hash and the tokens are denied to every client by field access
    # (web_user.xml); the password field and the buttons, granted to the
    # administrators and managers, write them on their behalf.
    @classmethod
    def set_password(cls, users, name, value):
        with without_check_access():
            super().set_password(users, name, value)

    @classmethod
    @ModelView.button
    def validate_email(cls, users, from_=None):
        with without_check_access():
            super().validate_email(users, from_=from_)

    @classmethod
    @ModelView.button
    def reset_password(cls, users, from_=None):
        with without_check_access():
            super().reset_password(users, from_=from_)

    @classmethod
    def authenticate(cls, email, password, device_cookie=None):
        """web_user's authenticate counts failures per email only, so anyone
        could lock an owner out. Here failures count per email and client
        network, or per email and known device (a cookie given at a
        successful login, as Tryton does for staff): an attacker throttles
        only himself; the network limit of the platform still applies."""
        pool = Pool()
        Attempt = pool.get('web.user.authenticate.attempt')
        Device = pool.get('web.user.device')
        email = login_key(email)

        if Attempt.count_ip() > config.getint(
                'session', 'max_attempt_ip_network', default=300):
            # no attempt added: the goal is to prevent flooding
            raise RateLimitException()
        device_cookie = Device.get_valid_cookie(email, device_cookie)
        if device_cookie:
            count = Attempt.count(email, device_cookie)
        else:
            count = Attempt.count_network(email)
        if count > config.getint('session', 'max_attempt', default=5):
            Attempt.add(email, device_cookie)
            raise RateLimitException()
        # a short delay growing with this client's failures, as for staff
        Transaction().atexit(time.sleep, random.randint(0, 2 ** count - 1))

        users = cls.search([('email', '=', email)])
        if users:
            user, = users
            valid, new_hash = cls.check_password(password, user.password_hash)
            if valid:
                if new_hash:
                    logger.info("Update password hash for %s", user.id)
                    with Transaction().new_transaction():
                        with without_check_access():
                            cls.write([cls(user.id)], {
                                    'password_hash': new_hash,
                                    })
                if device_cookie:
                    Attempt.remove(email, device_cookie)
                else:
                    Attempt.remove_network(email)
                return user
        Attempt.add(email, device_cookie)

    @classmethod
    def set_password_token(cls, email, token, password):
        """web_user's, with the delay capped: it waits up to 2 ** (the
        email's failures, from anyone) - 1 seconds, which anybody could
        raise without bound against an owner resetting their password"""
        pool = Pool()
        Attempt = pool.get('web.user.authenticate.attempt')
        email = login_key(email)
        count = min(Attempt.count_network(email),
            config.getint('session', 'max_attempt', default=5))
        Transaction().atexit(time.sleep, random.randint(0, 2 ** count - 1))
        users = cls.search([('email', '=', email)]) if email else []
        if users:
            user, = users
            if token and user.reset_password_token == token:
                now = datetime.datetime.now()
                expire = user.reset_password_token_expire
                user.clear_reset_password_token()
                if expire > now:
                    user.password = password
                    user.save()
                    Attempt.remove_network(email)
                    return True
                user.save()
        Attempt.add(email)
        return False


class UserAuthenticateAttempt(metaclass=PoolMeta):
    __name__ = 'web.user.authenticate.attempt'

    @classmethod
    def _network_where(cls, table, email):
        _, ip_network = Transaction().remote_address()
        ip_network = str(ip_network) if ip_network else None
        return ((table.login == email[:cls.login.size])
            & (table.device_cookie == None)  # noqa: E711
            & (table.ip_network == ip_network))

    @classmethod
    def count_network(cls, email):
        "Failures for email without a known device from the client's network"
        cursor = Transaction().connection.cursor()
        table = cls.__table__()
        cursor.execute(*table.select(Count(),
                where=cls._network_where(table, email)
                & (table.create_date >= cls.delay())))
        return cursor.fetchone()[0]

    @classmethod
    def remove_network(cls, email):
        cursor = Transaction().connection.cursor()
        table = cls.__table__()
        cursor.execute(*table.delete(where=cls._network_where(table, email)))


class UserDevice(_UserDevice):
    "A browser or app where a web user logged in before"
    __name__ = 'web.user.device'
    _table = None  # not res.user.device's table

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__rpc__ = {}

    @classmethod
    def renew(cls, email, current_cookie=None):
        "A new cookie for the device of a successful login"
        email = login_key(email)
        cookie = uuid.uuid4().hex
        devices = cls.search([
                ('login', '=', email),
                ('cookie', '=', current_cookie),
                ]) if current_cookie else []
        if devices:
            cls.write(devices, {'cookie': cookie})
        else:
            cls.create([{'login': email, 'cookie': cookie}])
        return cookie
