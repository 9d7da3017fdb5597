# This file is part of the property service suite. See README.md.
from trytond.tests.test_tryton import ModuleTestCase


class PropertyPortalTestCase(ModuleTestCase):
    "Test Property Portal module"
    module = 'property_portal'


del ModuleTestCase
