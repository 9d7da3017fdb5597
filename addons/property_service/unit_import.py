# This file is part of the property service suite. See README.md.
"""CSV import of buildings, units and their owners.

Every row is checked before anything is written: one bad row and the whole
file is refused with the line number and reason of every bad row."""
import csv
import datetime
import io
from decimal import Decimal, InvalidOperation

from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.pool import Pool
from trytond.wizard import Button, StateTransition, StateView, Wizard

from .exceptions import UnitImportError
from .phone import normalize_phone
from .unit import USAGES

COLUMNS = [
    'building_code', 'building_name', 'entrance', 'floor', 'number',
    'building_area', 'usable_area', 'usage',
    'owner_name', 'owner_phone', 'owner_since',
    ]
REQUIRED_COLUMNS = {'building_code', 'number', 'building_area'}
# Usage may be written as the key or as its Chinese label
USAGE_ALIASES = {
    **{key: key for key, _ in USAGES},
    '住宅': 'residential', '商铺': 'commercial', '商业': 'commercial',
    '办公': 'office', '储藏': 'storage', '储藏室': 'storage',
    }
MAX_REPORTED_ERRORS = 200


class UnitImportStart(ModelView):
    "Import Units"
    __name__ = 'property.unit.import.start'
    __string__ = "Import Units"
    estate = fields.Many2One('property.estate', "Estate", required=True)
    file_ = fields.Binary("CSV File", required=True, filename='filename')
    filename = fields.Char("File Name")
    summary = fields.Text("Summary", readonly=True)


class UnitImport(Wizard):
    "Import Units"
    __name__ = 'property.unit.import'
    start = StateView('property.unit.import.start',
        'property_service.unit_import_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Import", 'import_', 'tryton-ok', default=True),
            ])
    import_ = StateTransition()
    done = StateView('property.unit.import.start',
        'property_service.unit_import_done_view_form', [
            Button("Close", 'end', 'tryton-close', default=True),
            ])

    def transition_import_(self):
        counts = self.import_csv(self.start.estate, self.start.file_)
        self.start.summary = gettext(
            'property_service.msg_unit_import_done', **counts)
        return 'done'

    def default_done(self, fields):
        return {'summary': self.start.summary}

    @classmethod
    def import_csv(cls, estate, data):
        "Import CSV data (bytes or str) into estate; return the counts"
        rows = cls.parse(estate, data)
        return cls.create_rows(estate, rows)

    @classmethod
    def parse(cls, estate, data):
        pool = Pool()
        Unit = pool.get('property.unit')
        if isinstance(data, (bytes, bytearray, memoryview)):
            try:
                # utf-8-sig: spreadsheets often save a byte order mark
                data = bytes(data).decode('utf-8-sig')
            except UnicodeDecodeError:
                raise UnitImportError(gettext(
                        'property_service.msg_unit_import_encoding'))
        reader = csv.DictReader(io.StringIO(data))
        header = [h.strip() for h in (reader.fieldnames or [])]
        reader.fieldnames = header
        missing = REQUIRED_COLUMNS - set(header)
        if missing:
            raise UnitImportError(gettext(
                    'property_service.msg_unit_import_columns',
                    columns=', '.join(sorted(missing)),
                    expected=', '.join(COLUMNS)))

        existing_codes = {u.code for u in Unit.search([
                    ('estate', '=', estate.id)])}
        rows, errors, seen = [], [], {}

        def error(line, message, **kw):
            errors.append(gettext('property_service.msg_unit_import_row',
                    line=line,
                    reason=gettext('property_service.' + message, **kw)))

        for record in reader:
            line = reader.line_num
            values = {k: (v or '').strip() for k, v in record.items()
                if k is not None}
            if not any(values.values()):
                continue
            row = {'line': line}
            n_errors = len(errors)
            for column in ['building_code', 'number', 'building_area']:
                if not values.get(column):
                    error(line, 'msg_unit_import_required', column=column)
            row['building_code'] = values.get('building_code')
            row['building_name'] = values.get('building_name')
            row['entrance'] = values.get('entrance') or None
            row['number'] = values.get('number')
            row['floor'] = None
            if values.get('floor'):
                try:
                    row['floor'] = int(values['floor'])
                except ValueError:
                    error(line, 'msg_unit_import_floor',
                        value=values['floor'])
            for column in ['building_area', 'usable_area']:
                row[column] = None
                if values.get(column):
                    try:
                        area = Decimal(values[column])
                        if not area.is_finite():
                            raise InvalidOperation
                    except InvalidOperation:
                        error(line, 'msg_unit_import_number',
                            column=column, value=values[column])
                        continue
                    if area <= 0:
                        error(line, 'msg_unit_import_area_positive',
                            column=column, value=values[column])
                    else:
                        row[column] = area.quantize(Decimal('0.01'))
            if (row['building_area'] and row['usable_area']
                    and row['usable_area'] > row['building_area']):
                error(line, 'msg_unit_import_usable_area')
            usage = values.get('usage') or 'residential'
            row['usage'] = USAGE_ALIASES.get(usage.lower())
            if not row['usage']:
                error(line, 'msg_unit_import_usage', value=usage)
            row['owner_name'] = values.get('owner_name') or None
            row['owner_phone'] = values.get('owner_phone') or None
            if row['owner_phone'] and not normalize_phone(
                    row['owner_phone']):
                error(line, 'msg_unit_import_phone', value=row['owner_phone'])
            if row['owner_phone'] and not row['owner_name']:
                error(line, 'msg_unit_import_owner_name')
            row['owner_since'] = None
            if values.get('owner_since'):
                try:
                    row['owner_since'] = datetime.date.fromisoformat(
                        values['owner_since'])
                except ValueError:
                    error(line, 'msg_unit_import_date',
                        value=values['owner_since'])
            if row['building_code'] and row['number']:
                code = Unit.compute_code(
                    row['building_code'], row['entrance'], row['number'])
                row['code'] = code
                if code in existing_codes:
                    error(line, 'msg_unit_import_code_exists', code=code)
                elif code in seen:
                    error(line, 'msg_unit_import_code_duplicate',
                        code=code, other=seen[code])
                else:
                    seen[code] = line
            if len(errors) == n_errors:
                rows.append(row)
        if errors:
            shown = errors[:MAX_REPORTED_ERRORS]
            raise UnitImportError(gettext(
                    'property_service.msg_unit_import_errors',
                    count=len(errors)), '\n'.join(shown))
        if not rows:
            raise UnitImportError(gettext(
                    'property_service.msg_unit_import_empty'))
        return rows

    @classmethod
    def create_rows(cls, estate, rows):
        pool = Pool()
        Building = pool.get('property.building')
        Unit = pool.get('property.unit')
        Party = pool.get('party.party')
        Occupancy = pool.get('property.occupancy')
        Date = pool.get('ir.date')
        today = Date.today()

        buildings = {b.code: b for b in Building.search([
                    ('estate', '=', estate.id)])}
        new_buildings = {}
        for row in rows:
            code = row['building_code']
            if code not in buildings and code not in new_buildings:
                new_buildings[code] = Building(
                    estate=estate, code=code,
                    name=row['building_name'] or code)
        Building.save(list(new_buildings.values()))
        buildings.update(new_buildings)

        units = Unit.create([{
                    'estate': estate.id,
                    'building': buildings[r['building_code']].id,
                    'entrance': r['entrance'],
                    'floor': r['floor'],
                    'number': r['number'],
                    'code': r['code'],
                    'building_area': r['building_area'],
                    'usable_area': r['usable_area'],
                    'usage': r['usage'],
                    } for r in rows])

        # One party per owner name and phone, reusing the parties on record
        owner_rows = [(r, u) for r, u in zip(rows, units) if r['owner_name']]
        parties = {}
        # numbers compared in E.164, however they were typed
        phones = [normalize_phone(r['owner_phone'])
            for r, _ in owner_rows if r['owner_phone']]
        if phones:
            for party in Party.search([
                        ('contact_mechanisms.value_compact', 'in', phones)]):
                for mechanism in party.contact_mechanisms:
                    parties[(party.name, mechanism.value_compact)] = party

        def key_of(row):
            return (row['owner_name'], normalize_phone(row['owner_phone']))

        to_create = {}
        for row, _ in owner_rows:
            key = key_of(row)
            if key not in parties and key not in to_create:
                values = {'name': row['owner_name']}
                if row['owner_phone']:
                    values['contact_mechanisms'] = [('create', [{
                                    'type': 'mobile',
                                    'value': row['owner_phone'],
                                    }])]
                to_create[key] = values
        if to_create:
            created = Party.create(list(to_create.values()))
            parties.update(zip(to_create.keys(), created))
        Occupancy.create([{
                    'unit': unit.id,
                    'party': parties[key_of(r)].id,
                    'role': 'owner',
                    'share': Decimal(100),
                    'start_date': r['owner_since'] or today,
                    'resident': True,
                    'billing_contact': True,
                    } for r, unit in owner_rows])
        return {
            'buildings': len(new_buildings),
            'units': len(units),
            'owners': len(owner_rows),
            'parties': len(to_create),
            }
