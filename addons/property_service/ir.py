# This file is part of the property service suite. See README.md.
from trytond.pool import Pool, PoolMeta


class Rule(metaclass=PoolMeta):
    __name__ = 'ir.rule'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.domain.help += (
            '\n- "property_estates" as list of ids of the estates the '
            'current user is assigned to'
            '\n- "employees" as list of ids of the employees of the '
            'current user')

    @classmethod
    def _get_cache_key(cls, model_names):
        User = Pool().get('res.user')
        key = super()._get_cache_key(model_names)
        return (*key, User.get_property_estates(), User.get_employees())

    @classmethod
    def _get_context(cls, model_name):
        User = Pool().get('res.user')
        context = super()._get_context(model_name)
        context['property_estates'] = User.get_property_estates()
        # "own records" rules (technicians' work orders, guards' reports)
        context['employees'] = User.get_employees()
        return context


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.append(
            ('property.unit|update_states', "Update Unit States"))
        cls.method.selection.append(
            ('property.ticket|escalate_overdue', "Escalate Overdue Tickets"))
