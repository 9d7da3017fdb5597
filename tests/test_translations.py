"""Every user-visible string of our modules has a zh_CN translation.

The source strings are collected the way Tryton does it (module activation
plus the Set Translations wizard, then the export of the catalogue), by the
same code as scripts/update_translations.py, for every folder under addons/
with a tryton.cfg. Fix a failure with:

    .venv/bin/python scripts/update_translations.py

then translate the entries it prints in addons/<module>/locale/zh_CN.po.

Runs on SQLite by default and on PostgreSQL with
TRYTOND_DATABASE_URI=postgresql://127.0.0.1:5432/ and DB_NAME=<name>.
"""
import importlib.util
import sys
from pathlib import Path

from trytond.tests.test_tryton import (
    TestCase, activate_module, drop_db, with_transaction)

_SCRIPT = Path(__file__).resolve().parent.parent / 'scripts' / (
    'update_translations.py')
_spec = importlib.util.spec_from_file_location(
    'update_translations', _SCRIPT)
update_translations = importlib.util.module_from_spec(_spec)
sys.modules.setdefault('update_translations', update_translations)
_spec.loader.exec_module(update_translations)

MODULES = update_translations.our_modules()
LANG = update_translations.LANG


class TranslationTestCase(TestCase):
    "zh_CN translations of our modules are complete and well-formed"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        drop_db()
        activate_module(MODULES)
        cls.sources = cls._collect_sources()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        drop_db()

    @classmethod
    @with_transaction()  # rolled back: the Set wizard writes source rows
    def _collect_sources(cls):
        return update_translations.source_catalogs(MODULES)

    def test_modules_found(self):
        "The addons folder holds at least one module"
        self.assertTrue(MODULES)

    def test_sources_found(self):
        "Every module has source strings (guards against a silent no-op)"
        empty = [m for m in MODULES if not self.sources[m]]
        self.assertFalse(empty, f"no source strings found for {empty}")

    def test_complete(self):
        "Every source string has a non-empty, non-fuzzy zh_CN translation"
        lines = []
        for module in MODULES:
            existing = update_translations.read_po(module)
            todo = update_translations.missing(self.sources[module], existing)
            if todo:
                path = update_translations.po_path(module)
                lines.append(
                    f"{path.relative_to(update_translations.ROOT)}: "
                    f"{len(todo)} of {len(self.sources[module])} strings "
                    f"lack a {LANG} translation (empty, fuzzy or absent):")
                lines.extend(update_translations.describe(e) for e in todo)
        if lines:
            lines.append(
                "Run `.venv/bin/python scripts/update_translations.py` and "
                "translate the entries above.")
            self.fail('\n'.join(lines))

    def test_placeholders(self):
        "Every translation keeps exactly the %-placeholders of its msgid"
        lines = []
        for module in MODULES:
            existing = update_translations.read_po(module)
            bad = update_translations.placeholder_mismatches(existing)
            if bad:
                path = update_translations.po_path(module)
                lines.append(
                    f"{path.relative_to(update_translations.ROOT)}: "
                    f"placeholders (%(name)s, %s, %%) differ from msgid:")
                lines.extend(
                    update_translations.describe(e, msgstr=True) for e in bad)
        if lines:
            self.fail('\n'.join(lines))

    def test_no_obsolete_entries(self):
        "The catalogues hold no entry whose source string is gone"
        lines = []
        for module in MODULES:
            existing = update_translations.read_po(module)
            stale = update_translations.obsolete(
                self.sources[module], existing)
            if stale:
                path = update_translations.po_path(module)
                lines.append(
                    f"{path.relative_to(update_translations.ROOT)}: "
                    f"{len(stale)} entries are no longer in the source:")
                lines.extend(update_translations.describe(e) for e in stale)
        if lines:
            lines.append(
                "Run `.venv/bin/python scripts/update_translations.py` "
                "to drop them.")
            self.fail('\n'.join(lines))
