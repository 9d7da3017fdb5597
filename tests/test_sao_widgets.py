"""Every field of every view of our modules has a widget the web client has.

sao builds each field of a view with the class its parser maps the field's
widget to (the `widget` attribute, or else the field's type); a widget it
does not know stops the whole view with "ColumnFactory is not a constructor"
(lists) or "WidgetFactory is not a constructor" (forms). The maps are read
from sao's own source (sao/package/dist/tryton-sao.js), so the test follows
the installed sao: in 8.0 a list has no column for `datetime` nor
`timestamp` fields (Tryton shows them as a `date` and a `time` column),
while a form has both.

The rows' colours (`visual`) are read by sao as PYSON the server encoded
(JSON); a PYSON expression written into the XML reaches it as Python text
and fails the list with "is not valid JSON": it belongs in the model's
view_attributes().

Each view is checked as the client receives it (fields_view_get of the
view, or of the view it extends, so inherited views are checked merged).
"""
import json
import re
from pathlib import Path

from lxml import etree
from trytond.pool import Pool
from trytond.tests.test_tryton import (
    TestCase, activate_module, drop_db, with_transaction)

REPO = Path(__file__).resolve().parents[1]
SAO_JS = REPO / 'sao' / 'package' / 'dist' / 'tryton-sao.js'
MODULES = sorted(p.parent.name for p in (REPO / 'addons').glob('*/tryton.cfg'))


def sao_widgets(parser):
    "The widget names of one of sao's WIDGETS maps"
    source = SAO_JS.read_text()
    match = re.search(
        r'Sao\.View\.%s\.WIDGETS = \{(.*?)\};' % re.escape(parser),
        source, re.S)
    assert match, f'Sao.View.{parser}.WIDGETS not found in {SAO_JS}'
    return set(re.findall(r"'(\w+)'\s*:", match.group(1)))


class SaoWidgetTestCase(TestCase):
    "Our views only use widgets the web client (sao) has"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        drop_db()
        activate_module(MODULES)

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        drop_db()

    @with_transaction()
    def test_widgets(self):
        """Every field of our tree and form views has a widget in sao's maps
        and every visual attribute is encoded PYSON"""
        pool = Pool()
        View = pool.get('ir.ui.view')
        known = {
            'tree': sao_widgets('TreeXMLViewParser'),
            'form': sao_widgets('FormXMLViewParser'),
            }
        views = View.search([('module', 'in', MODULES)])
        self.assertTrue(views)
        problems = []
        checked = 0
        for view in views:
            root = view
            while root.inherit:
                root = root.inherit
            if root.type not in known:
                continue
            Model = pool.get(view.model)
            result = Model.fields_view_get(
                view_id=root.id, view_type=root.type)
            arch = etree.fromstring(result['arch'])
            widgets = known[root.type]
            for node in arch.iter():
                if node.get('visual') is not None:
                    try:
                        json.loads(node.get('visual'))
                    except ValueError:
                        problems.append(
                            f'{view.module}: {view.name or root.name} '
                            f'({root.type} of {view.model}): visual '
                            f'{node.get("visual")!r} is not encoded PYSON '
                            '(set it in view_attributes())')
            for node in arch.iter('field'):
                name = node.get('name')
                widget = node.get('widget') or result['fields'][name]['type']
                checked += 1
                if widget not in widgets:
                    problems.append(
                        f'{view.module}: {view.name or root.name} '
                        f'({root.type} of {view.model}): field {name} '
                        f'has widget {widget!r}, unknown to sao')
        self.assertGreater(checked, 100)
        self.assertFalse(sorted(set(problems)), '\n'.join(
                ['sao cannot show these views (in a list, split a '
                    'datetime/timestamp into widget="date" and '
                    'widget="time" columns):'] + sorted(set(problems))))
