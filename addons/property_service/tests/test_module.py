# This file is part of the property service suite. See README.md.
from trytond.modules.company.tests import CompanyTestMixin
from trytond.tests.test_tryton import ModuleTestCase


class PropertyServiceTestCase(CompanyTestMixin, ModuleTestCase):
    "Test Property Service module"
    module = 'property_service'


del ModuleTestCase
