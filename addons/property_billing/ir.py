# This file is part of the property service suite. See README.md.
from trytond.pool import PoolMeta


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.append(
            ('property.billing.run|resume_stalled',
                "Resume Stalled Billing Runs"))
