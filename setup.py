# Packages and entry points of our Tryton modules, found on disk: every
# folder under addons/ with a tryton.cfg becomes trytond.modules.<name>.
# The rest of the metadata is in pyproject.toml.
import pathlib

from setuptools import setup

ROOT = pathlib.Path(__file__).parent
MODULES = sorted(cfg.parent.name for cfg in ROOT.glob('addons/*/tryton.cfg'))

package_dir = {}
for module in MODULES:
    base = ROOT / 'addons' / module
    for init in sorted(base.rglob('__init__.py')):
        parts = init.parent.relative_to(base).parts
        package = '.'.join(['trytond', 'modules', module, *parts])
        package_dir[package] = init.parent.relative_to(ROOT).as_posix()

setup(
    packages=list(package_dir),
    package_dir=package_dir,
    entry_points={'trytond.modules': [
            f'{module} = trytond.modules.{module}' for module in MODULES]},
    )
