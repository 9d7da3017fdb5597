#!/usr/bin/env python3
"""Regenerate addons/<module>/locale/zh_CN.po for each of our modules.

Usage (from the repository root):

    .venv/bin/python scripts/update_translations.py [module ...]

Without arguments every folder under addons/ holding a tryton.cfg is done.

It works the way Tryton maintains its own translations:

1. a fresh in-memory SQLite database is created and our modules are
   activated, which registers the source strings of models, fields,
   selections, help texts, wizard buttons and of the records loaded from XML
   (menus, actions, messages, groups, buttons...);
2. the "Set Translations" wizard (ir.translation.set) adds the source
   strings of views and reports;
3. ``Translation.translation_export`` (what the "Export Translations" wizard
   calls) writes the catalogue of each module, sorted like Tryton's export.

The fresh catalogue is then merged with the existing zh_CN.po: the msgstr
(and fuzzy flag) of every entry still in the source is kept, new entries get
an empty msgstr and entries no longer in the source are dropped. The
entries that still lack a translation are printed at the end.

tests/test_translations.py imports this file and uses the same functions
(``source_catalogs``, ``missing``, ``placeholder_mismatches``...), so the
test and the script cannot disagree.
"""
import os
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ADDONS = ROOT / 'addons'
LANG = 'zh_CN'

# A Python %-format conversion: %(name)s, %s, %d, %.2f, %% ...
PLACEHOLDER = re.compile(
    r'%(?:\([^)]*\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?'
    r'[diouxXeEfFgGcrsa%]')


def our_modules():
    "Names of our modules: the folders under addons/ with a tryton.cfg"
    return sorted(
        p.parent.name for p in ADDONS.glob('*/tryton.cfg') if p.is_file())


def po_path(module, lang=LANG):
    return ADDONS / module / 'locale' / f'{lang}.po'


def key(entry):
    return (entry.msgctxt, entry.msgid, entry.msgid_plural or None)


def read_po(module, lang=LANG):
    "The existing catalogue of the module (an empty one if there is none)"
    import polib
    path = po_path(module, lang)
    if path.exists():
        return polib.pofile(str(path), wrapwidth=78)
    return polib.POFile(wrapwidth=78)


def source_catalogs(modules):
    """Return {module: [polib.POEntry]} of the source strings of modules.

    Must run inside a transaction on a database where the modules are
    activated and whose default language is English (Tryton's internal
    language). It writes source rows into ir.translation: roll back after.
    """
    import polib

    from trytond.ir.translation import INTERNAL_LANG
    from trytond.pool import Pool

    pool = Pool()
    Translation = pool.get('ir.translation')
    TranslationSet = pool.get('ir.translation.set', type='wizard')

    # "Set Translations": sources of the views and reports of all modules
    session_id, _, _ = TranslationSet.create()
    TranslationSet.execute(session_id, {}, 'set_')
    TranslationSet.delete(session_id)

    catalogs = {}
    for module in modules:
        # The export of the internal language lists every source string of
        # the module with Tryton's msgctxt (type:name:fs_id), flags and order.
        content = Translation.translation_export(INTERNAL_LANG, module)
        entries = []
        if content:
            for entry in polib.pofile(content.decode('utf-8')):
                entry.msgstr = ''
                if entry.msgid_plural:
                    entry.msgstr_plural = {0: ''}
                entries.append(entry)
        catalogs[module] = _fix_action_entries(module, entries)
    return catalogs


def _fix_action_entries(module, entries):
    """Key the own translatable fields of actions by their real record

    ActionMixin.create (ir.action.report, act_window...) inserts the row,
    which stores the source translations under that first id, then changes
    the id to the one of its ir.action. The exported source of, say, a
    report's record_name is therefore filed under another record (or None),
    differently on SQLite and PostgreSQL. These entries are rebuilt from the
    records themselves, so the catalogue is the same on both backends and
    the zh_CN rows imported from it land on the right report.
    """
    import polib

    from trytond.ir.action import ActionMixin
    from trytond.pool import Pool

    pool = Pool()
    ModelData = pool.get('ir.model.data')
    Action = pool.get('ir.action')
    fields_of = {}
    for name, Model in pool.iterobject():
        if issubclass(Model, ActionMixin) and name != 'ir.action':
            own = [f for f, field in Model._fields.items()
                if getattr(field, 'translate', False)
                and f not in Action._fields]
            if own:
                fields_of[name] = own
    prefixes = tuple(
        f'model:{m},{f}:' for m, fs in fields_of.items() for f in fs)
    if not prefixes:
        return entries
    kept = [e for e in entries if not e.msgctxt.startswith(prefixes)]
    for data in ModelData.search([
                ('module', '=', module),
                ('model', 'in', list(fields_of)),
                ], order=[('fs_id', 'ASC')]):
        record = pool.get(data.model)(data.db_id)
        for field in fields_of[data.model]:
            value = getattr(record, field)
            if value:
                kept.append(polib.POEntry(
                        msgctxt=f'model:{data.model},{field}:{data.fs_id}',
                        msgid=value))
    return kept


def merge(sources, existing):
    """Return (pofile, kept, added, dropped): sources with the existing msgstr

    An entry is the same when msgctxt, msgid and msgid_plural are equal; its
    msgstr and fuzzy flag are kept. Other source entries are new (empty
    msgstr); existing entries that are not in sources are dropped.
    """
    from trytond.ir.translation import TrytonPOFile

    old = {key(e): e for e in existing if not e.obsolete}
    pofile = TrytonPOFile(wrapwidth=78)
    pofile.metadata = {
        'Content-Type': 'text/plain; charset=utf-8',
        }
    kept = added = 0
    seen = set()
    for entry in sources:
        previous = old.get(key(entry))
        if previous is not None:
            entry.msgstr = previous.msgstr
            if entry.msgid_plural:
                entry.msgstr_plural = dict(previous.msgstr_plural)
            if 'fuzzy' in previous.flags and 'fuzzy' not in entry.flags:
                entry.flags.append('fuzzy')
            kept += 1
        else:
            added += 1
        seen.add(key(entry))
        pofile.append(entry)
    pofile.sort()
    dropped = [e for k, e in old.items() if k not in seen]
    return pofile, kept, added, dropped


def translated(entry):
    "Whether the entry has a non-empty, non-fuzzy translation"
    if 'fuzzy' in entry.flags:
        return False
    if entry.msgid_plural:
        return bool(entry.msgstr_plural) and all(
            v.strip() for v in entry.msgstr_plural.values())
    return bool(entry.msgstr.strip())


def missing(sources, existing):
    "Source entries without a non-empty, non-fuzzy translation in existing"
    old = {key(e): e for e in existing if not e.obsolete}
    return [e for e in sources
        if key(e) not in old or not translated(old[key(e)])]


def obsolete(sources, existing):
    "Entries of existing that are not in sources any more"
    new = {key(e) for e in sources}
    return [e for e in existing if not e.obsolete and key(e) not in new]


def placeholders(text):
    return Counter(PLACEHOLDER.findall(text or ''))


def placeholder_mismatches(existing):
    """Entries whose translation has not exactly the placeholders of msgid

    Placeholders are Python %-conversions: %(name)s, %s, %d and %%.
    """
    result = []
    for entry in existing:
        if entry.obsolete:
            continue
        if entry.msgid_plural:
            values = [v for v in entry.msgstr_plural.values() if v]
            expected = placeholders(entry.msgid_plural)
        else:
            values = [entry.msgstr] if entry.msgstr else []
            expected = placeholders(entry.msgid)
        for value in values:
            if placeholders(value) != expected:
                result.append(entry)
                break
    return result


def describe(entry, msgstr=False):
    text = f'  {entry.msgctxt}\n      msgid {entry.msgid!r}'
    if msgstr:
        text += f'\n     msgstr {entry.msgstr!r}'
    return text


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    modules = our_modules()
    if argv:
        unknown = set(argv) - set(modules)
        if unknown:
            sys.exit(f"not our modules: {', '.join(sorted(unknown))}")
        selected = argv
    else:
        selected = modules

    # A fresh in-memory SQLite database, whatever the environment says:
    # the project's trytond.conf sets a non-English default language, which
    # the Set Translations wizard refuses.
    for name in list(os.environ):
        if name == 'TRYTOND_CONFIG' or name.startswith('TRYTOND_DATABASE'):
            del os.environ[name]
    os.environ.pop('DB_CACHE', None)
    os.environ['TRYTOND_DATABASE_URI'] = 'sqlite://'
    os.environ['DB_NAME'] = ':memory:'

    from trytond.tests.test_tryton import (
        activate_module, drop_db, with_transaction)

    # All our modules together: one module may extend another's models.
    activate_module(modules)
    try:
        # with_transaction rolls back the rows the Set wizard writes
        catalogs = with_transaction()(source_catalogs)(selected)
    finally:
        drop_db()

    untranslated = 0
    for module in selected:
        path = po_path(module)
        existing = read_po(module)
        pofile, kept, added, dropped = merge(catalogs[module], existing)
        path.parent.mkdir(parents=True, exist_ok=True)
        content = str(pofile)
        if not path.exists() or path.read_text('utf-8') != content:
            path.write_text(content, encoding='utf-8')
        todo = [e for e in pofile if not translated(e)]
        untranslated += len(todo)
        print(f'{path.relative_to(ROOT)}: {len(pofile)} entries, '
            f'{kept} kept, {added} new, {len(dropped)} dropped, '
            f'{len(todo)} untranslated')
        for entry in dropped:
            print('  dropped: %s %r' % (entry.msgctxt, entry.msgid))
        for entry in todo:
            print(describe(entry))
        for entry in placeholder_mismatches(pofile):
            print('  placeholders differ:\n' + describe(entry, msgstr=True))
    if untranslated:
        print(f'{untranslated} entries lack a zh_CN translation')
    return 0


if __name__ == '__main__':
    sys.exit(main())
