# This file is part of the property service suite. See README.md.
from sql import Union

from trytond.cache import Cache
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction


class User(metaclass=PoolMeta):
    __name__ = 'res.user'
    _get_property_estates_cache = Cache(
        __name__ + '.get_property_estates', context=False)

    @classmethod
    def get_property_estates(cls):
        """Ordered tuple of the estate ids the user's employees manage or
        are assigned to; record rules restrict staff to these estates."""
        pool = Pool()
        Estate = pool.get('property.estate')
        EstateEmployee = pool.get('property.estate-company.employee')
        user_id = Transaction().user
        estates = cls._get_property_estates_cache.get(user_id)
        if estates is not None:
            return estates
        employees = cls.get_employees()
        estates = ()
        if employees:
            estate = Estate.__table__()
            assignment = EstateEmployee.__table__()
            cursor = Transaction().connection.cursor()
            cursor.execute(*Union(
                    estate.select(estate.id,
                        where=estate.manager.in_(list(employees))),
                    assignment.select(assignment.estate,
                        where=assignment.employee.in_(list(employees)))))
            estates = tuple(sorted({e for e, in cursor}))
        cls._get_property_estates_cache.set(user_id, estates)
        return estates

    @classmethod
    def clear_property_estates_cache(cls):
        cls._get_property_estates_cache.clear()

    @classmethod
    def on_modification(cls, mode, users, field_names=None):
        super().on_modification(mode, users, field_names=field_names)
        if mode == 'write' and (
                {'employees', 'employee', 'company_filter'}
                & set(field_names or [])):
            cls.clear_property_estates_cache()
