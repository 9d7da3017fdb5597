# This file is part of the property service suite. See README.md.
"""Scenario doctests, runnable by unittest (load_tests) and by pytest,
which ignores load_tests: each scenario becomes one parametrized test."""
import unittest

import pytest

from trytond.tests.test_tryton import load_doc_tests

PACKAGE = 'trytond.modules.property_billing.tests'


def load_tests(*args, **kwargs):
    return load_doc_tests(PACKAGE, __file__, *args, **kwargs)


def _scenarios():
    suite = load_doc_tests(
        PACKAGE, __file__, unittest.TestLoader(), unittest.TestSuite(), None)
    return list(suite)


@pytest.mark.parametrize(
    'scenario', _scenarios(), ids=lambda s: s.id().rsplit('.', 1)[-1])
def test_scenario(scenario):
    result = unittest.TestResult()
    scenario.run(result)
    problems = result.failures + result.errors
    assert not problems, '\n'.join(text for _, text in problems)
