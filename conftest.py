# pytest imports a module's tests as plain `<module>.tests...` (addons/ has
# no __init__.py); alias each of our modules to its trytond.modules package
# so its code is imported once, under the name Tryton registers.
import importlib
import pathlib
import sys

for cfg in sorted(pathlib.Path(__file__).parent.glob('addons/*/tryton.cfg')):
    name = cfg.parent.name
    sys.modules.setdefault(
        name, importlib.import_module(f'trytond.modules.{name}'))
