# This file is part of the property service suite. See README.md.
from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction

from .personal_data import (
    ADDRESS, CONTACT, IDENTITY, RESIDENCE, PersonalDataMixin, caller_access,
    may_read)
from .phone import phone_search_operand

# the suite's default region for numbers typed without a country code
DEFAULT_PHONE_COUNTRY = 'CN'


class Party(PersonalDataMixin, metaclass=PoolMeta):
    __name__ = 'party.party'
    _personal_data_party = None  # the record is the person

    occupancies = fields.One2Many(
        'property.occupancy', 'party', "Occupancies", readonly=True,
        order=[('start_date', 'DESC'), ('id', 'DESC')])
    property_units = fields.Function(fields.Many2Many(
            'property.unit', None, None, "Units",
            help="Units the party owns, rents or lives in today."),
        'get_property_units', searcher='search_property_units')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._personal_data = {
            **{f: CONTACT for f in ['phone', 'mobile', 'fax', 'email',
                    'website']},
            'occupancies': RESIDENCE,
            'property_units': RESIDENCE,
            }

    @classmethod
    def get_property_units(cls, parties, name):
        Occupancy = Pool().get('property.occupancy')
        result = {p.id: [] for p in parties}
        if not may_read('property.occupancy', ['unit', 'party']):
            return result
        # with the caller's rules: only the units of their estates
        with caller_access():
            occupancies = Occupancy.search([
                    ('party', 'in', [p.id for p in parties]),
                    ('current', '=', True),
                    ], order=[('unit', 'ASC')])
        for occupancy in occupancies:
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

    @classmethod
    def search_rec_name(cls, name, clause):
        """Search contact values and ID numbers only where the caller may
        read them: searching must not reach what reading may not (R12)."""
        domain = super().search_rec_name(name, clause)
        skip = set()
        if not may_read('party.identifier', ['code', 'code_compact']):
            skip.update({'identifiers.code', 'identifiers.code_compact'})
        if not may_read('party.contact_mechanism',
                ['rec_name', 'value', 'value_compact']):
            skip.add('contact_mechanisms.rec_name')
        return _without_leaves(domain, skip) if skip else domain


def _without_leaves(domain, names):
    "The domain without its leaves on these field names, at any depth"
    result = []
    for item in domain:
        if isinstance(item, (list, tuple)) and item and isinstance(
                item[0], str) and item[0] not in {'AND', 'OR'}:
            if item[0] in names:
                continue
            result.append(item)
        elif isinstance(item, list):
            result.append(_without_leaves(item, names))
        else:
            result.append(item)
    return result


class ContactMechanism(PersonalDataMixin, metaclass=PoolMeta):
    __name__ = 'party.contact_mechanism'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._personal_data = {f: CONTACT for f in [
                'value', 'value_compact', 'email', 'website', 'skype', 'sip',
                'other_value', 'url', 'rec_name']}

    @fields.depends('party', '_parent_party.addresses')
    def _phone_country_codes(self):
        "The party's address countries, the company's, then China"
        pool = Pool()
        Company = pool.get('company.company')
        yield from super()._phone_country_codes()
        company_id = Transaction().context.get('company')
        if company_id is not None and company_id >= 0:
            for address in Company(company_id).party.addresses:
                if address.country:
                    yield address.country.code
        yield DEFAULT_PHONE_COUNTRY

    @classmethod
    def search_rec_name(cls, name, clause):
        "A phone number matches however it is typed (spaces, -, +86)"
        domain = super().search_rec_name(name, clause)
        _, operator, operand, *extra = clause
        compact = phone_search_operand(operator, operand)
        if compact is not None:
            domain.append(('value_compact', operator, compact, *extra))
        return domain


class Identifier(PersonalDataMixin, metaclass=PoolMeta):
    __name__ = 'party.identifier'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._personal_data = {
            f: IDENTITY for f in ['code', 'code_compact', 'rec_name']}


class Address(PersonalDataMixin, metaclass=PoolMeta):
    __name__ = 'party.address'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._personal_data = {f: ADDRESS for f in [
                'party_name', 'street', 'street_unstructured', 'street_name',
                'building_name', 'building_number', 'unit_number',
                'floor_number', 'room_number', 'post_box', 'private_bag',
                'post_office', 'street_single_line', 'full_address',
                'rec_name'] if hasattr(cls, f)}
