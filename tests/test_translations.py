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
import re
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

# The roles (groups of property_service) whose screens are checked, with
# the administrator (user 1 here: the admin of the demo)
ROLE_GROUPS = [
    'group_property_admin', 'group_property_manager', 'group_property_clerk',
    'group_property_technician', 'group_property_guard',
    'group_property_accountant', 'group_property_archivist']
# The platform's forms our screens open besides those of the menus
OPENED_MODELS = [
    'party.party', 'party.address', 'party.contact_mechanism',
    'company.employee', 'account.invoice', 'account.invoice.line',
    'account.dunning', 'attendance.line', 'timesheet.line']
# Strings written the same way in Chinese
SAME_IN_CHINESE = {'ID', '%'}
CJK = re.compile('[\u4e00-\u9fff]')


class TranslationTestCase(TestCase):
    "zh_CN translations of our modules are complete and well-formed"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        drop_db()
        activate_module(MODULES)
        cls.sources = cls._collect_sources()
        cls._load_chinese()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        drop_db()

    @classmethod
    @with_transaction()  # rolled back: the Set wizard writes source rows
    def _collect_sources(cls):
        return update_translations.source_catalogs(MODULES)

    @classmethod
    def _load_chinese(cls):
        "Load zh_CN as trytond-admin -l zh_CN does (the overrides included)"
        from trytond.pool import Pool
        from trytond.tests.test_tryton import DB_NAME
        from trytond.transaction import Transaction
        with Transaction().start(DB_NAME, 0) as transaction:
            Lang = Pool().get('ir.lang')
            Lang.load_translations(Lang.search([('code', '=', LANG)]))
            transaction.commit()

    @staticmethod
    def _untranslated(strings):
        return sorted({s for s in strings
                if s and not CJK.search(s) and s not in SAME_IN_CHINESE})

    @classmethod
    def _role_menus(cls):
        """{role: menus it sees}: the administrator and a user of each of
        our groups (created in the caller's transaction)"""
        from trytond.pool import Pool
        from trytond.transaction import Transaction
        pool = Pool()
        Menu = pool.get('ir.ui.menu')
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        users = {'admin': User(1)}
        for group in ROLE_GROUPS:
            users[group], = User.create([{
                        'login': group, 'name': group,
                        'groups': [('add', [
                                    ModelData.get_id(
                                        'property_service', group)])],
                        }])
        result = {}
        for role, user in users.items():
            with Transaction().set_user(user.id), \
                    Transaction().set_context(
                        _check_access=True, language=LANG):
                result[role] = Menu.search([])
        return result

    @with_transaction()
    def test_menus_of_roles_in_chinese(self):
        "Every menu entry a role sees (the platform's too) is in Chinese"
        from trytond.pool import Pool
        from trytond.transaction import Transaction
        Menu = Pool().get('ir.ui.menu')
        lines = []
        for role, menus in self._role_menus().items():
            with Transaction().set_context(language=LANG):
                names = [m.name for m in Menu.browse(menus)]
            if missing := self._untranslated(names):
                lines.append(f"{role}: {missing}")
        if lines:
            lines.insert(0, "Menu entries without a zh_CN translation (add "
                "them to addons/<module>/locale/override/zh_CN.po):")
            self.fail('\n'.join(lines))

    @with_transaction()
    def test_platform_forms_of_roles_in_chinese(self):
        """The field labels, selection values and view labels of the
        platform's forms and lists our roles open are in Chinese"""
        from trytond.pool import Pool
        from trytond.transaction import Transaction
        pool = Pool()
        Menu = pool.get('ir.ui.menu')
        IrModel = pool.get('ir.model')
        models = set(OPENED_MODELS)
        for role, menus in self._role_menus().items():
            if role == 'admin':
                continue
            for menu in Menu.browse(menus):
                action = menu.action
                if (action and action.type == 'ir.action.act_window'
                        and action.res_model):
                    models.add(action.res_model)
        lines = []
        for name in sorted(models):
            Model = pool.get(name)
            if IrModel.search([('name', '=', name)])[0].module in MODULES:
                continue  # our own model: test_complete covers it
            strings = []
            with Transaction().set_context(language=LANG):
                for view_type in ['form', 'tree']:
                    view = Model.fields_view_get(view_type=view_type)
                    if view.get('view_id') is None:
                        continue  # no such view: the client never shows it
                    for field in view['fields'].values():
                        strings.append(field.get('string'))
                        if isinstance(field.get('selection'), list):
                            strings.extend(v for _, v in field['selection'])
                    strings.extend(re.findall(
                            r'\bstring="([^"]*)"', view['arch']))
            if missing := self._untranslated(strings):
                lines.append(f"{name}: {missing}")
        if lines:
            lines.insert(0, "Platform strings on our roles' screens without "
                "a zh_CN translation (add them to "
                "addons/<module>/locale/override/zh_CN.po):")
            self.fail('\n'.join(lines))

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
