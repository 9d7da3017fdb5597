# This file is part of the property service suite. See README.md.
from trytond.modules.company.tests import CompanyTestMixin
from trytond.tests.test_tryton import ModuleTestCase


class PropertySecurityTestCase(CompanyTestMixin, ModuleTestCase):
    "Test Property Security module"
    module = 'property_security'


del ModuleTestCase
