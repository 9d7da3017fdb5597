# This file is part of the property service suite. See README.md.
from trytond.pool import PoolMeta
from trytond.transaction import Transaction


class User(metaclass=PoolMeta):
    __name__ = 'web.user'

    # The links in web_user's emails point at the portal of the database the
    # request came to (routes put its address in the context), so one server
    # can serve several databases without a [web] *_url per database.
    def get_email_validation_url(self, url=None):
        base = Transaction().context.get('portal_url')
        if url is None and base:
            url = base + 'validate-email'
        return super().get_email_validation_url(url=url)

    def get_email_reset_password_url(self, url=None):
        base = Transaction().context.get('portal_url')
        if url is None and base:
            url = base + 'set-password'
        return super().get_email_reset_password_url(url=url)
