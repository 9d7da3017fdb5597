# This file is part of the property service suite. See README.md.
from trytond.model import ModelSingleton, ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval, Id


def _default_sequence(xml_id):
    def default(cls, **pattern):
        return Pool().get('ir.model.data').get_id('property_service', xml_id)
    return classmethod(default)


class Configuration(ModelSingleton, ModelSQL, ModelView):
    "Service desk settings: number sequences"
    __name__ = 'property.configuration'
    __string__ = "Property Configuration"

    ticket_sequence = fields.Many2One(
        'ir.sequence', "Ticket Sequence", required=True,
        domain=[
            ('sequence_type', '=',
                Id('property_service', 'sequence_type_ticket')),
            ('company', 'in', [Eval('context', {}).get('company', -1), None]),
            ])
    work_order_sequence = fields.Many2One(
        'ir.sequence', "Work Order Sequence", required=True,
        domain=[
            ('sequence_type', '=',
                Id('property_service', 'sequence_type_work_order')),
            ('company', 'in', [Eval('context', {}).get('company', -1), None]),
            ])

    default_ticket_sequence = _default_sequence('sequence_ticket')
    default_work_order_sequence = _default_sequence('sequence_work_order')
