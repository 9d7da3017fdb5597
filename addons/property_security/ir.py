# This file is part of the property service suite. See README.md.
from trytond.pool import PoolMeta


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.extend([
                ('property.patrol.schedule|generate_rounds',
                    "Generate Patrol Rounds"),
                ('property.patrol.round|close_overdue',
                    "Close Finished Patrol Rounds"),
                ('property.safety.inspection.schedule|generate_inspections',
                    "Generate Safety Inspections"),
                ])
