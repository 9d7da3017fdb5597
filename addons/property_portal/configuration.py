# This file is part of the property service suite. See README.md.
import socket
from urllib.parse import urlsplit

from trytond import config
from trytond.i18n import gettext
from trytond.model import ModelSingleton, ModelSQL, ModelView, fields
from trytond.model.exceptions import ValidationError
from trytond.transaction import Transaction


class Configuration(ModelSingleton, ModelSQL, ModelView):
    "Owner Portal Configuration"
    __name__ = 'property.portal.configuration'
    __string__ = "Owner Portal Configuration"

    service_name = fields.Char(
        "Service Name", translate=True,
        help="Shown at the top of every portal page.")
    portal_url = fields.Char(
        "Portal Address",
        help="The address owners open the portal at, for example "
        "https://wuye.example.com/demo/portal/. Links in e-mails (password "
        "reset, e-mail validation) are built from it, never from the "
        "address a request was sent to. Empty: http(s)://<[web] hostname>/"
        "<database>/portal/.")
    upload_max_kb = fields.Integer(
        "Upload Limit (KB)", required=True,
        help="Largest photo or receipt an owner may upload; the server's "
        "[request] max_size (2 MB by default) caps every request too.")

    @classmethod
    def default_upload_max_kb(cls):
        return 1536

    @classmethod
    def get_portal_url(cls):
        "The portal's address from the configuration, ending with '/'"
        url = cls(1).portal_url
        if not url:
            # like trytond.url but without the request's Host header
            hostname = config.get('web', 'hostname') or socket.getfqdn()
            secure = bool(config.get('ssl', 'certificate')
                or config.get('ssl', 'privatekey'))
            url = '%s://%s/%s/portal/' % ('https' if secure else 'http',
                hostname, Transaction().database.name)
        return url if url.endswith('/') else url + '/'

    @classmethod
    def validate_fields(cls, configurations, field_names):
        super().validate_fields(configurations, field_names)
        for configuration in configurations:
            if configuration.upload_max_kb <= 0:
                raise ValidationError(gettext(
                        'property_portal.msg_upload_limit_positive'))
            url = configuration.portal_url
            if url and urlsplit(url).scheme not in {'http', 'https'}:
                raise ValidationError(gettext(
                        'property_portal.msg_portal_url_invalid', url=url))
