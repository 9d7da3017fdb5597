# This file is part of the property service suite. See README.md.
from trytond.pool import Pool, PoolMeta
from trytond.model import fields


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'

    occupancies = fields.One2Many(
        'property.occupancy', 'party', "Occupancies", readonly=True,
        order=[('start_date', 'DESC'), ('id', 'DESC')])
    property_units = fields.Function(fields.Many2Many(
            'property.unit', None, None, "Units",
            help="Units the party owns, rents or lives in today."),
        'get_property_units', searcher='search_property_units')

    @classmethod
    def get_property_units(cls, parties, name):
        Occupancy = Pool().get('property.occupancy')
        result = {p.id: [] for p in parties}
        for occupancy in Occupancy.search([
                    ('party', 'in', [p.id for p in parties]),
                    ('current', '=', True),
                    ], order=[('unit', 'ASC')]):
            units = result[occupancy.party.id]
            if occupancy.unit.id not in units:
                units.append(occupancy.unit.id)
        return result

    @classmethod
    def search_property_units(cls, name, clause):
        _, operator, operand, *extra = clause
        return [('occupancies', 'where', [
                    ('unit' + clause[0][len(name):], operator, operand,
                        *extra),
                    ('current', '=', True),
                    ])]
