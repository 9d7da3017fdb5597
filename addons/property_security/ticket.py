# This file is part of the property service suite. See README.md.
from trytond.pool import PoolMeta


class Ticket(metaclass=PoolMeta):
    __name__ = 'property.ticket'

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() + ['property.security.followup']
