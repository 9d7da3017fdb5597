# This file is part of the property service suite. See README.md.
"Emergency drills (演练): yearly plan, participants, evaluation"
import datetime as dt

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Unique, Workflow, fields
from trytond.pool import Pool
from trytond.pyson import Eval, If

from .exceptions import DeleteHistoryError, DrillError


class DrillPlan(ModelSQL, ModelView):
    "Yearly drill plan (年度演练计划) of an estate"
    __name__ = 'property.drill.plan'
    __string__ = "Drill Plan"
    estate = fields.Many2One(
        'property.estate', "Estate", required=True, ondelete='RESTRICT')
    year = fields.Integer("Year", required=True)
    drills = fields.One2Many(
        'property.drill', 'plan', "Drills",
        domain=[('estate', '=', Eval('estate', -1))])
    planned_count = fields.Function(
        fields.Integer("Planned"), 'get_counts')
    held_count = fields.Function(fields.Integer("Held"), 'get_counts')
    overdue_count = fields.Function(fields.Integer("Overdue"), 'get_counts')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('estate_year_unique', Unique(t, t.estate, t.year),
                'property_security.msg_drill_plan_unique'),
            ]
        cls._order = [('year', 'DESC'), ('estate', 'ASC'), ('id', 'ASC')]

    @classmethod
    def default_year(cls):
        return Pool().get('ir.date').today().year

    def get_rec_name(self, name):
        return f'{self.estate.rec_name} {self.year}'

    @classmethod
    def get_counts(cls, plans, names):
        result = {n: {} for n in names}
        for plan in plans:
            drills = [d for d in plan.drills if d.state != 'cancelled']
            counts = {
                'planned_count': len(drills),
                'held_count': sum(1 for d in drills if d.state == 'held'),
                'overdue_count': sum(1 for d in drills if d.overdue),
                }
            for name in names:
                result[name][plan.id] = counts[name]
        return result


_planned = Eval('state') != 'planned'


class Drill(Workflow, ModelSQL, ModelView):
    "Emergency drill (应急演练)"
    __name__ = 'property.drill'
    __string__ = "Drill"
    plan = fields.Many2One(
        'property.drill.plan', "Plan", ondelete='RESTRICT',
        domain=[('estate', '=', Eval('estate', -1))])
    estate = fields.Many2One(
        'property.estate', "Estate", required=True, ondelete='RESTRICT',
        states={'readonly': _planned})
    type = fields.Selection([
            ('fire_evacuation', "Fire Evacuation"),
            ('elevator_entrapment', "Elevator Entrapment"),
            ('flood', "Flood"),
            ('other', "Other"),
            ], "Type", required=True, states={'readonly': _planned})
    name = fields.Char("Subject", required=True)
    planned_date = fields.Date(
        "Planned Date", required=True, states={'readonly': _planned})
    held_date = fields.Date(
        "Held Date", states={
            'readonly': _planned,
            'required': Eval('state') == 'held',
            })
    organizer = fields.Many2One('company.employee', "Organizer")
    participants = fields.Many2Many(
        'property.drill-company.employee', 'drill', 'employee',
        "Participants", states={'readonly': Eval('state') == 'cancelled'})
    participant_count = fields.Function(
        fields.Integer("Participants"), 'get_participant_count')
    scenario = fields.Text("Scenario")
    evaluation = fields.Text("Evaluation")
    rating = fields.Selection([
            (None, ""),
            ('good', "Good"),
            ('fair', "Fair"),
            ('poor', "Poor"),
            ], "Rating")
    followups = fields.One2Many(
        'property.security.followup', 'origin', "Follow-ups",
        readonly=True)
    state = fields.Selection([
            ('planned', "Planned"),
            ('held', "Held"),
            ('cancelled', "Cancelled"),
            ], "State", required=True, readonly=True, sort=False)
    overdue = fields.Function(
        fields.Boolean("Overdue"), 'get_overdue', searcher='search_overdue')

    @classmethod
    def view_attributes(cls):
        # lists colour their rows (PYSON must be encoded by the server)
        return super().view_attributes() + [
            ('/tree', 'visual', If(Eval('overdue'), 'danger', ''),
                ['overdue']),
            ]

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('planned_date', 'ASC'), ('id', 'ASC')]

        cls._transitions |= {
            ('planned', 'held'),
            ('planned', 'cancelled'),
            }
        cls._buttons.update({
                'hold': {'invisible': Eval('state') != 'planned',
                    'depends': ['state']},
                'cancel': {'invisible': Eval('state') != 'planned',
                    'depends': ['state']},
                'add_followup': {'invisible': Eval('state') != 'held',
                    'depends': ['state']},
                })

    @classmethod
    def default_state(cls):
        return 'planned'

    @classmethod
    def default_type(cls):
        return 'fire_evacuation'

    def get_participant_count(self, name):
        return len(self.participants)

    def get_overdue(self, name):
        Date = Pool().get('ir.date')
        return self.state == 'planned' and self.planned_date < Date.today()

    @classmethod
    def search_overdue(cls, name, clause):
        Date = Pool().get('ir.date')
        _, operator, value = clause
        if (operator == '=') == bool(value):
            return [('state', '=', 'planned'),
                ('planned_date', '<', Date.today())]
        return ['OR', ('state', '!=', 'planned'),
            ('planned_date', '>=', Date.today())]

    @classmethod
    def check_modification(cls, mode, drills, values=None, external=False):
        super().check_modification(
            mode, drills, values=values, external=external)
        if mode == 'delete':
            for drill in drills:
                if drill.state != 'planned':
                    raise DeleteHistoryError(gettext(
                            'property_security.msg_drill_delete',
                            drill=drill.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('held')
    def hold(cls, drills):
        Date = Pool().get('ir.date')
        today = Date.today()
        for drill in drills:
            if not drill.participants:
                raise DrillError(gettext(
                        'property_security.msg_drill_participants',
                        drill=drill.rec_name))
            held = drill.held_date or today
            if held > today:
                raise DrillError(gettext(
                        'property_security.msg_drill_future',
                        drill=drill.rec_name))
            drill.held_date = held
        cls.save(drills)

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, drills):
        pass

    @classmethod
    @ModelView.button
    def add_followup(cls, drills):
        "Open a follow-up for the weaknesses found in the evaluation"
        pool = Pool()
        Followup = pool.get('property.security.followup')
        Date = pool.get('ir.date')
        followups = []
        for drill in drills:
            if not (drill.evaluation or '').strip():
                raise DrillError(gettext(
                        'property_security.msg_drill_evaluation',
                        drill=drill.rec_name))
            followups.append(Followup(
                    estate=drill.estate, kind='drill', origin=drill,
                    name=gettext('property_security.msg_followup_drill',
                        drill=drill.rec_name),
                    description=drill.evaluation,
                    responsible=drill.organizer,
                    deadline=Date.today() + dt.timedelta(days=30)))
        Followup.save(followups)


class DrillParticipant(ModelSQL):
    "Drill - Employee"
    __name__ = 'property.drill-company.employee'
    __string__ = "Drill Participant"
    drill = fields.Many2One(
        'property.drill', "Drill", required=True, ondelete='CASCADE')
    employee = fields.Many2One(
        'company.employee', "Employee", required=True, ondelete='RESTRICT')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('drill')
