# This file is part of the property service suite. See README.md.
"""Masked contact and identity values for guards (R12).

Guards are denied read access to the full values by ir.model.field.access
records (party.xml); these masked values are what they see instead."""
from trytond.model import fields
from trytond.pool import PoolMeta

from .common import mask


class ContactMechanism(metaclass=PoolMeta):
    __name__ = 'party.contact_mechanism'
    masked_value = fields.Function(
        fields.Char("Value (Masked)"), 'get_masked_value')

    def get_masked_value(self, name):
        # the E.164 form: the same mask however the number was typed
        return mask(self.value_compact or self.value)


class Identifier(metaclass=PoolMeta):
    __name__ = 'party.identifier'
    masked_code = fields.Function(
        fields.Char("Code (Masked)"), 'get_masked_code')

    def get_masked_code(self, name):
        return mask(self.code)
