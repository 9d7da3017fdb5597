# This file is part of the property service suite. See README.md.
from decimal import Decimal

from trytond.model.exceptions import DomainValidationError
from trytond.modules.company.tests import (
    CompanyTestMixin, create_company, set_company)
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction


class PropertyServiceTestCase(CompanyTestMixin, ModuleTestCase):
    "Test Property Service module"
    module = 'property_service'

    @with_transaction()
    def test_unit_building_of_other_estate_refused(self):
        "A unit cannot be stored in a building of another estate"
        pool = Pool()
        Estate = pool.get('property.estate')
        Unit = pool.get('property.unit')
        company = create_company()
        with set_company(company):
            estate_a, estate_b = Estate.create([{
                        'code': code, 'name': code,
                        'buildings': [('create', [{'code': 'A', 'name': 'A'}])],
                        } for code in ['A', 'B']])
            with self.assertRaises(DomainValidationError):
                Unit.create([{
                            'estate': estate_a.id,
                            'building': estate_b.buildings[0].id,
                            'number': '0101',
                            'building_area': Decimal('60'),
                            }])

    @with_transaction()
    def test_estate_figures_many_estates(self):
        "Figures of several estates are computed together and exactly"
        pool = Pool()
        Estate = pool.get('property.estate')
        Unit = pool.get('property.unit')
        company = create_company()
        with set_company(company):
            estates = Estate.create([{
                        'code': str(i), 'name': str(i),
                        'buildings': [('create', [{'code': 'A', 'name': 'A'}])],
                        } for i in range(3)])
            for i, estate in enumerate(estates):
                Unit.create([{
                            'building': estate.buildings[0].id,
                            'number': f'{n:04d}',
                            'building_area': Decimal('33.33'),
                            } for n in range(i)])
            figures = Estate.read(
                [e.id for e in estates],
                ['unit_count', 'vacancy_rate', 'total_building_area'])
        self.assertEqual(
            [(f['unit_count'], f['vacancy_rate'], f['total_building_area'])
                for f in figures],
            [(0, None, Decimal('0.00')), (1, 1.0, Decimal('33.33')),
                (2, 1.0, Decimal('66.66'))])


del ModuleTestCase
