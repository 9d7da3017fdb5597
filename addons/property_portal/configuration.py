# This file is part of the property service suite. See README.md.
from trytond.i18n import gettext
from trytond.model import ModelSingleton, ModelSQL, ModelView, fields
from trytond.model.exceptions import ValidationError


class Configuration(ModelSingleton, ModelSQL, ModelView):
    "Owner Portal Configuration"
    __name__ = 'property.portal.configuration'
    __string__ = "Owner Portal Configuration"

    service_name = fields.Char(
        "Service Name", translate=True,
        help="Shown at the top of every portal page.")
    upload_max_kb = fields.Integer(
        "Upload Limit (KB)", required=True,
        help="Largest photo or receipt an owner may upload; the server's "
        "[request] max_size (2 MB by default) caps every request too.")

    @classmethod
    def default_upload_max_kb(cls):
        return 1536

    @classmethod
    def validate_fields(cls, configurations, field_names):
        super().validate_fields(configurations, field_names)
        for configuration in configurations:
            if configuration.upload_max_kb <= 0:
                raise ValidationError(gettext(
                        'property_portal.msg_upload_limit_positive'))
