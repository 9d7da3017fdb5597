# This file is part of the property service suite. See README.md.
from trytond.model import DeactivableMixin, ModelSQL, ModelView, Unique, fields
from trytond.pyson import Eval


class ParkingSpace(DeactivableMixin, ModelSQL, ModelView):
    "Parking space (车位) of an estate"
    __name__ = 'property.parking_space'
    __string__ = "Parking Space"
    _rec_name = 'code'

    estate = fields.Many2One(
        'property.estate', "Estate", required=True, ondelete='RESTRICT')
    code = fields.Char("Code", required=True, strip=True)
    location = fields.Char("Location", help="Level, zone, e.g. B1 区.")
    kind = fields.Selection([
            ('owned', "Owned"),
            ('leased', "Leased"),
            ('temporary', "Temporary"),
            ], "Type", required=True)
    holder = fields.Many2One(
        'party.party', "Holder",
        states={'invisible': Eval('kind') == 'temporary'},
        help="The owner or lessee of the space.")
    unit = fields.Many2One(
        'property.unit', "Unit", domain=[('estate', '=', Eval('estate', -1))],
        help="The unit the space goes with, if any.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        # access rights and record rules of the estate apply
        cls.__access__.add('estate')
        t = cls.__table__()
        cls._sql_constraints += [
            ('code_estate_unique', Unique(t, t.estate, t.code),
                'property_service.msg_parking_code_unique'),
            ]
        cls._order = [('estate', 'ASC'), ('code', 'ASC'), ('id', 'ASC')]

    @classmethod
    def default_kind(cls):
        return 'owned'

    def get_rec_name(self, name):
        return f'{self.estate.name} {self.code}'
