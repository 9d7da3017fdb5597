# This file is part of the property service suite. See README.md.
"Safety inspections (安全检查): fire, elevator and anti-theft checklists"
import datetime as dt

from dateutil.relativedelta import relativedelta

from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, ModelSQL, ModelView, Workflow, fields,
    sequence_ordered)
from trytond.pool import Pool
from trytond.pyson import Eval, If

from .common import now
from .exceptions import DeleteHistoryError, InspectionError, ScheduleError

KINDS = [
    ('fire', "Fire Safety"),
    ('elevator', "Elevator Safety"),
    ('anti_theft', "Anti-theft"),
    ('other', "Other"),
    ]


class Template(DeactivableMixin, ModelSQL, ModelView):
    "Safety inspection template: a checklist"
    __name__ = 'property.safety.inspection.template'
    __string__ = "Safety Inspection Template"
    name = fields.Char("Name", required=True, translate=True)
    kind = fields.Selection(KINDS, "Kind", required=True)
    items = fields.One2Many(
        'property.safety.inspection.template.item', 'template', "Items")

    @classmethod
    def default_kind(cls):
        return 'fire'


class TemplateItem(sequence_ordered(), ModelSQL, ModelView):
    "Checklist item of a safety inspection template"
    __name__ = 'property.safety.inspection.template.item'
    __string__ = "Safety Inspection Template Item"
    template = fields.Many2One(
        'property.safety.inspection.template', "Template", required=True,
        ondelete='CASCADE')
    name = fields.Char("Item", required=True, translate=True)
    guidance = fields.Text("Guidance", translate=True)
    rectification_days = fields.Integer(
        "Rectification Days", required=True,
        help="Days given to rectify a defect found on this item.")

    @classmethod
    def default_rectification_days(cls):
        return 7

    @classmethod
    def validate_fields(cls, items, field_names):
        super().validate_fields(items, field_names)
        for item in items:
            if (item.rectification_days or 0) <= 0:
                raise ScheduleError(gettext(
                        'property_security.msg_item_days_positive',
                        item=item.rec_name))


class Schedule(DeactivableMixin, ModelSQL, ModelView):
    "Which template is inspected in an estate and how often"
    __name__ = 'property.safety.inspection.schedule'
    __string__ = "Safety Inspection Schedule"
    estate = fields.Many2One(
        'property.estate', "Estate", required=True, ondelete='CASCADE')
    template = fields.Many2One(
        'property.safety.inspection.template', "Template", required=True,
        ondelete='RESTRICT')
    interval = fields.Selection([
            ('weekly', "Weekly"),
            ('monthly', "Monthly"),
            ('quarterly', "Quarterly"),
            ('yearly', "Yearly"),
            ], "Interval", required=True)
    next_date = fields.Date("Next Date", required=True)
    inspector = fields.Many2One('company.employee', "Inspector")

    @classmethod
    def __setup__(cls):
        super().__setup__()

    @classmethod
    def default_interval(cls):
        return 'monthly'

    def get_rec_name(self, name):
        return f'{self.estate.rec_name} - {self.template.rec_name}'

    def advance(self, date):
        delta = {
            'weekly': relativedelta(weeks=1),
            'monthly': relativedelta(months=1),
            'quarterly': relativedelta(months=3),
            'yearly': relativedelta(years=1),
            }[self.interval]
        return date + delta

    @classmethod
    def generate_inspections(cls, date=None):
        "Cron: create the inspections that are due on or before `date`"
        pool = Pool()
        Inspection = pool.get('property.safety.inspection')
        Date = pool.get('ir.date')
        if date is None:
            date = Date.today()
        inspections = []
        schedules = cls.search([('next_date', '<=', date)])
        for schedule in schedules:
            while schedule.next_date <= date:
                inspections.append(Inspection.from_template(
                        schedule.template, schedule.estate,
                        schedule.next_date, schedule=schedule,
                        inspector=schedule.inspector))
                schedule.next_date = schedule.advance(schedule.next_date)
        Inspection.save(inspections)
        cls.save(schedules)
        return inspections


_readonly = Eval('state') != 'draft'


class Inspection(Workflow, ModelSQL, ModelView):
    "Safety inspection (安全检查) of an estate against a template"
    __name__ = 'property.safety.inspection'
    __string__ = "Safety Inspection"
    estate = fields.Many2One(
        'property.estate', "Estate", required=True, ondelete='RESTRICT',
        states={'readonly': _readonly})
    template = fields.Many2One(
        'property.safety.inspection.template', "Template", required=True,
        ondelete='RESTRICT', states={'readonly': _readonly})
    kind = fields.Function(
        fields.Selection(KINDS, "Kind"), 'on_change_with_kind',
        searcher='search_kind')
    schedule = fields.Many2One(
        'property.safety.inspection.schedule', "Schedule", readonly=True,
        ondelete='RESTRICT')
    date = fields.Date("Date", required=True, states={'readonly': _readonly})
    inspector = fields.Many2One(
        'company.employee', "Inspector", states={'readonly': _readonly})
    lines = fields.One2Many(
        'property.safety.inspection.line', 'inspection', "Results",
        states={'readonly': _readonly})
    notes = fields.Text("Notes")
    done_at = fields.DateTime("Submitted At", readonly=True)
    closed_at = fields.DateTime("Closed At", readonly=True)
    defect_count = fields.Function(
        fields.Integer("Defects"), 'get_defect_counts')
    open_defect_count = fields.Function(
        fields.Integer("Open Defects"), 'get_defect_counts')
    state = fields.Selection([
            ('draft', "Draft"),
            ('done', "Submitted"),
            ('closed', "Closed"),
            ('cancelled', "Cancelled"),
            ], "State", required=True, readonly=True, sort=False)

    @classmethod
    def view_attributes(cls):
        # lists colour their rows (PYSON must be encoded by the server)
        return super().view_attributes() + [
            ('/tree', 'visual',
                If(Eval('open_defect_count', 0) > 0, 'warning', ''),
                ['open_defect_count']),
            ]

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('date', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'done'),
            ('done', 'closed'),
            ('draft', 'cancelled'),
            }
        cls._buttons.update({
                'fill': {'invisible': Eval('state') != 'draft',
                    'depends': ['state']},
                'submit': {'invisible': Eval('state') != 'draft',
                    'depends': ['state']},
                'close': {'invisible': Eval('state') != 'done',
                    'depends': ['state']},
                'cancel': {'invisible': Eval('state') != 'draft',
                    'depends': ['state']},
                })

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_date(cls):
        return Pool().get('ir.date').today()

    @fields.depends('template')
    def on_change_with_kind(self, name=None):
        return self.template.kind if self.template else None

    @classmethod
    def search_kind(cls, name, clause):
        return [('template.kind', *clause[1:])]

    def get_rec_name(self, name):
        return f'{self.template.rec_name} {self.estate.rec_name} {self.date}'

    @classmethod
    def get_defect_counts(cls, inspections, names):
        result = {n: {} for n in names}
        for inspection in inspections:
            defects = [l for l in inspection.lines if l.result == 'defect']
            if 'defect_count' in names:
                result['defect_count'][inspection.id] = len(defects)
            if 'open_defect_count' in names:
                result['open_defect_count'][inspection.id] = sum(
                    1 for l in defects
                    for f in l.followups if f.state == 'open')
        return result

    @classmethod
    def from_template(cls, template, estate, date, **values):
        Line = Pool().get('property.safety.inspection.line')
        return cls(template=template, estate=estate, date=date,
            lines=[Line(item=i, name=i.name) for i in template.items],
            **values)

    @classmethod
    def check_modification(cls, mode, inspections, values=None,
            external=False):
        super().check_modification(
            mode, inspections, values=values, external=external)
        if mode == 'delete':
            for inspection in inspections:
                if inspection.state != 'draft':
                    raise DeleteHistoryError(gettext(
                            'property_security.msg_inspection_delete',
                            inspection=inspection.rec_name))

    @classmethod
    @ModelView.button
    def fill(cls, inspections):
        "Add the template's items that are not on the inspection yet"
        Line = Pool().get('property.safety.inspection.line')
        lines = []
        for inspection in inspections:
            present = {l.item for l in inspection.lines}
            lines.extend(Line(inspection=inspection, item=i, name=i.name)
                for i in inspection.template.items if i not in present)
        Line.save(lines)

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    def submit(cls, inspections):
        "Record the results: every defect opens a rectification"
        pool = Pool()
        Followup = pool.get('property.security.followup')
        followups = []
        for inspection in inspections:
            if not inspection.lines:
                raise InspectionError(gettext(
                        'property_security.msg_inspection_no_lines',
                        inspection=inspection.rec_name))
            for line in inspection.lines:
                if not line.result:
                    raise InspectionError(gettext(
                            'property_security.msg_inspection_line_result',
                            inspection=inspection.rec_name,
                            item=line.name))
                if line.result == 'defect' and not line.followups:
                    followups.append(line.get_followup())
        Followup.save(followups)
        cls.write(inspections, {'done_at': now()})

    @classmethod
    @ModelView.button
    @Workflow.transition('closed')
    def close(cls, inspections):
        for inspection in inspections:
            if inspection.open_defect_count:
                raise InspectionError(gettext(
                        'property_security.msg_inspection_open_defects',
                        inspection=inspection.rec_name,
                        count=inspection.open_defect_count))
        cls.write(inspections, {'closed_at': now()})

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, inspections):
        pass


class InspectionLine(ModelSQL, ModelView):
    "Result of one checklist item"
    __name__ = 'property.safety.inspection.line'
    __string__ = "Safety Inspection Result"
    inspection = fields.Many2One(
        'property.safety.inspection', "Inspection", required=True,
        ondelete='CASCADE')
    item = fields.Many2One(
        'property.safety.inspection.template.item', "Template Item",
        ondelete='RESTRICT')
    name = fields.Char("Item", required=True)
    result = fields.Selection([
            (None, ""),
            ('ok', "OK"),
            ('defect', "Defect"),
            ('na', "Not Applicable"),
            ], "Result")
    defect = fields.Text(
        "Defect", states={
            'invisible': Eval('result') != 'defect',
            'required': Eval('result') == 'defect',
            })
    photo = fields.Binary(
        "Photo", states={'invisible': Eval('result') != 'defect'})
    deadline = fields.Date(
        "Rectify By", states={'invisible': Eval('result') != 'defect'},
        help="Leave empty for the item's rectification days.")
    followups = fields.One2Many(
        'property.security.followup', 'origin', "Rectifications",
        readonly=True)

    @classmethod
    def view_attributes(cls):
        # lists colour their rows (PYSON must be encoded by the server)
        return super().view_attributes() + [
            ('/tree', 'visual', If(Eval('result') == 'defect', 'danger', ''),
                ['result']),
            ]

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('inspection')

    def get_rec_name(self, name):
        return f'{self.inspection.rec_name} / {self.name}'

    def get_followup(self):
        Followup = Pool().get('property.security.followup')
        inspection = self.inspection
        deadline = self.deadline or inspection.date + dt.timedelta(
            days=self.item.rectification_days if self.item else 7)
        return Followup(
            estate=inspection.estate, kind='inspection', origin=self,
            name=gettext('property_security.msg_followup_defect',
                item=self.name), description=self.defect, photo=self.photo,
            responsible=inspection.inspector, deadline=deadline)

    @classmethod
    def check_modification(cls, mode, lines, values=None, external=False):
        super().check_modification(
            mode, lines, values=values, external=external)
        if mode in {'write', 'delete'}:
            for line in lines:
                if line.inspection.state != 'draft':
                    raise InspectionError(gettext(
                            'property_security.msg_inspection_submitted',
                            inspection=line.inspection.rec_name))
