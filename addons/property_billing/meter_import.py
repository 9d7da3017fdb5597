# This file is part of the property service suite. See README.md.
"""CSV import of meter readings (抄表导入).

Every row is checked first; one bad row and nothing is imported, with the
line number and reason of every bad row."""
import csv
import datetime as dt
import io
from collections import defaultdict
from decimal import Decimal, InvalidOperation

from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.pool import Pool
from trytond.wizard import Button, StateTransition, StateView, Wizard

from .exceptions import ReadingImportError

COLUMNS = ['meter_code', 'date', 'value', 'reader', 'replacement']
TRUE = {'1', 'y', 'yes', 'true', '是', '换表'}
MAX_REPORTED_ERRORS = 200


class ReadingImportStart(ModelView):
    "Import Meter Readings"
    __name__ = 'property.meter.reading.import.start'
    __string__ = "Import Meter Readings"
    estate = fields.Many2One('property.estate', "Estate", required=True)
    file_ = fields.Binary("CSV File", required=True, filename='filename')
    filename = fields.Char("File Name")
    summary = fields.Text("Summary", readonly=True)


class ReadingImport(Wizard):
    "Import Meter Readings"
    __name__ = 'property.meter.reading.import'
    start = StateView('property.meter.reading.import.start',
        'property_billing.reading_import_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Import", 'import_', 'tryton-ok', default=True),
            ])
    import_ = StateTransition()
    done = StateView('property.meter.reading.import.start',
        'property_billing.reading_import_done_view_form', [
            Button("Close", 'end', 'tryton-close', default=True),
            ])

    def transition_import_(self):
        count = self.import_csv(self.start.estate, self.start.file_)
        self.start.summary = gettext(
            'property_billing.msg_reading_import_done', count=count)
        return 'done'

    def default_done(self, fields):
        return {'summary': self.start.summary}

    @classmethod
    def import_csv(cls, estate, data):
        "Import CSV data (bytes or str) for estate; return the count"
        pool = Pool()
        Meter = pool.get('property.meter')
        Reading = pool.get('property.meter.reading')
        if isinstance(data, (bytes, bytearray, memoryview)):
            try:
                data = bytes(data).decode('utf-8-sig')
            except UnicodeDecodeError:
                raise ReadingImportError(gettext(
                        'property_billing.msg_reading_import_encoding'))
        reader = csv.DictReader(io.StringIO(data))
        missing = {'meter_code', 'date', 'value'} - set(
            reader.fieldnames or [])
        if missing:
            raise ReadingImportError(gettext(
                    'property_billing.msg_reading_import_columns',
                    columns=', '.join(sorted(missing))))
        rows = list(reader)
        meters = {m.code: m for m in Meter.search([
                    ('estate', '=', estate.id)])}
        # last known value of each meter and dates already read
        last = {}
        read_dates = defaultdict(set)
        for reading in Reading.search([
                    ('meter', 'in', [m.id for m in meters.values()])],
                order=[('date', 'ASC')]):
            last[reading.meter.id] = (reading.date, reading.value)
            read_dates[reading.meter.id].add(reading.date)

        errors, to_create = [], []
        parsed = []
        for line, row in enumerate(rows, start=2):
            code = (row.get('meter_code') or '').strip()
            meter = meters.get(code)
            if not meter:
                errors.append((line, gettext(
                        'property_billing.msg_reading_import_meter',
                        line=line, meter=code)))
                continue
            try:
                date = dt.date.fromisoformat((row.get('date') or '').strip())
            except ValueError:
                errors.append((line, gettext(
                        'property_billing.msg_reading_import_date',
                        line=line, date=row.get('date'))))
                continue
            try:
                value = Decimal((row.get('value') or '').strip())
                if not value.is_finite():
                    raise InvalidOperation
            except InvalidOperation:
                errors.append((line, gettext(
                        'property_billing.msg_reading_import_value',
                        line=line, value=row.get('value'))))
                continue
            replacement = (row.get('replacement') or '').strip().lower() in (
                TRUE)
            parsed.append((line, meter, date, value, replacement,
                    (row.get('reader') or '').strip() or None))
        # in date order per meter, each against the one before
        for line, meter, date, value, replacement, reader_name in sorted(
                parsed, key=lambda p: (p[1].id, p[2])):
            if value < 0:
                errors.append((line, gettext(
                        'property_billing.msg_reading_import_value',
                        line=line, value=value)))
                continue
            if date in read_dates[meter.id]:
                errors.append((line, gettext(
                        'property_billing.msg_reading_import_duplicate',
                        line=line, meter=meter.code, date=date)))
                continue
            previous = last.get(meter.id)
            if previous and date < previous[0]:
                errors.append((line, gettext(
                        'property_billing.msg_reading_import_order',
                        line=line, meter=meter.code, date=date,
                        previous_date=previous[0])))
                continue
            if previous and not replacement and value < previous[1]:
                errors.append((line, gettext(
                        'property_billing.msg_reading_import_lower',
                        line=line, meter=meter.code, value=value,
                        previous=previous[1], previous_date=previous[0])))
                continue
            last[meter.id] = (date, value)
            read_dates[meter.id].add(date)
            to_create.append({
                    'meter': meter.id, 'date': date, 'value': value,
                    'replacement': replacement, 'reader': reader_name,
                    })
        if errors:
            errors.sort()
            raise ReadingImportError(gettext(
                    'property_billing.msg_reading_import_errors',
                    count=len(errors),
                    errors='\n'.join(
                        e for _, e in errors[:MAX_REPORTED_ERRORS])))
        Reading.create(to_create)
        return len(to_create)
