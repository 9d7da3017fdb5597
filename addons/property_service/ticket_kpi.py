# This file is part of the property service suite. See README.md.
"""Dispatch console figures (R28) and the KPI board per estate and month
(R7, R8): aggregate SQL views over the tickets, so they stay exact and
respect the estate record rules of the tickets they count."""
import datetime

from sql import Literal, Null
from sql.aggregate import Avg, Count, Min
from sql.conditionals import NullIf
from sql.functions import Extract

from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.transaction import Transaction

from .ticket import OPEN_STATES


# id = estate * ID_BASE + year * 12 + month: reading rows by id can then
# restrict the aggregation to their estates and months (see read)
ID_BASE = 100000


def _ratio(part, whole):
    "part / whole as a float, NULL when whole is 0 (both backends)"
    float_type = fields.Float('float').sql_type().base
    return part.cast(float_type) / NullIf(whole, 0)


class TicketKPI(ModelSQL, ModelView):
    "Service desk KPIs per estate and month"
    __name__ = 'property.ticket.kpi'
    __string__ = "Service Desk KPI"

    company = fields.Many2One('company.company', "Company", readonly=True)
    estate = fields.Many2One('property.estate', "Estate", readonly=True)
    month = fields.Date("Month", readonly=True)
    ticket_count = fields.Integer("Tickets", readonly=True)
    consultation_count = fields.Integer("Consultations", readonly=True)
    complaint_count = fields.Integer("Complaints", readonly=True)
    repair_count = fields.Integer("Repairs", readonly=True)
    other_count = fields.Integer("Other Tickets", readonly=True)
    responded_count = fields.Integer("Responded", readonly=True)
    responded_on_time_count = fields.Integer(
        "Responded on Time", readonly=True)
    resolved_count = fields.Integer("Resolved", readonly=True)
    resolved_on_time_count = fields.Integer("Resolved on Time", readonly=True)
    escalated_count = fields.Integer("Escalated", readonly=True)
    rated_count = fields.Integer("Rated", readonly=True)
    avg_response_hours = fields.Float(
        "Average Time to Respond (h)", digits=(16, 2), readonly=True)
    avg_resolution_hours = fields.Float(
        "Average Time to Resolve (h)", digits=(16, 2), readonly=True)
    avg_satisfaction = fields.Float(
        "Average Satisfaction", digits=(16, 2), readonly=True)
    # computed in SQL: reading them must not aggregate the tickets again
    response_rate = fields.Float(
        "On-time Response Rate", digits=(1, 4), readonly=True)
    resolution_rate = fields.Float(
        "On-time Resolution Rate", digits=(1, 4), readonly=True)
    complaint_rate = fields.Float(
        "Complaint Rate", digits=(1, 4), readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('month', 'DESC'), ('estate', 'ASC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        pool = Pool()
        Ticket = pool.get('property.ticket')
        t = Ticket.__table__()
        where = t.state != 'draft'
        float_type = fields.Float('float').sql_type().base
        responded = Count(t.assigned_at)
        responded_on_time = Count(
            t.id, filter_=t.responded_on_time == Literal(True))
        resolved = Count(t.resolved_at)
        resolved_on_time = Count(
            t.id, filter_=t.resolved_on_time == Literal(True))
        complaints = Count(t.id, filter_=t.type == 'complaint')
        context = Transaction().context
        if context.get('_kpi_estates') is not None:
            where &= t.estate.in_(context['_kpi_estates'])
            first, last = context['_kpi_months']
            where &= (t.month >= first) & (t.month <= last)
        int_type = fields.Integer('int').sql_type().base
        return t.select(
            (t.estate * ID_BASE
                + Extract('YEAR', t.month).cast(int_type) * 12
                + Extract('MONTH', t.month).cast(int_type)).as_('id'),
            t.company.as_('company'),
            t.estate.as_('estate'),
            t.month.as_('month'),
            Count(t.id).as_('ticket_count'),
            Count(t.id, filter_=t.type == 'consultation').as_(
                'consultation_count'),
            complaints.as_('complaint_count'),
            Count(t.id, filter_=t.type == 'repair').as_('repair_count'),
            Count(t.id, filter_=~t.type.in_(
                    ['consultation', 'complaint', 'repair'])).as_(
                'other_count'),
            responded.as_('responded_count'),
            responded_on_time.as_('responded_on_time_count'),
            resolved.as_('resolved_count'),
            resolved_on_time.as_('resolved_on_time_count'),
            Count(t.id, filter_=t.escalated == Literal(True)).as_(
                'escalated_count'),
            Count(t.satisfaction).as_('rated_count'),
            Avg(t.response_hours).cast(float_type).as_('avg_response_hours'),
            Avg(t.resolution_hours).cast(float_type).as_(
                'avg_resolution_hours'),
            Avg(t.satisfaction.cast(float_type)).as_('avg_satisfaction'),
            _ratio(responded_on_time, responded).as_('response_rate'),
            _ratio(resolved_on_time, resolved).as_('resolution_rate'),
            _ratio(complaints, Count(t.id)).as_('complaint_rate'),
            where=where,
            group_by=[t.company, t.estate, t.month])

    @classmethod
    def read(cls, ids, fields_names):
        # the ids name their estates and months: aggregate only those
        estates, months = set(), []
        for id_ in ids:
            estate, period = divmod(int(id_), ID_BASE)
            year, month = divmod(period - 1, 12)
            estates.add(estate)
            months.append(datetime.date(year, month + 1, 1))
        if not ids:
            return super().read(ids, fields_names)
        with Transaction().set_context(
                _kpi_estates=sorted(estates),
                _kpi_months=(min(months), max(months))):
            return super().read(ids, fields_names)


class TicketLoad(ModelSQL, ModelView):
    "Open tickets per assignee (load per person on the dispatch console)"
    __name__ = 'property.ticket.load'
    __string__ = "Load per Person"

    company = fields.Many2One('company.company', "Company", readonly=True)
    estate = fields.Many2One('property.estate', "Estate", readonly=True)
    assignee = fields.Many2One('company.employee', "Assignee", readonly=True)
    open_count = fields.Integer("Open Tickets", readonly=True)
    overdue_count = fields.Integer("Overdue", readonly=True)
    escalated_count = fields.Integer("Escalated", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('open_count', 'DESC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        pool = Pool()
        Ticket = pool.get('property.ticket')
        t = Ticket.__table__()
        now = datetime.datetime.now()
        return t.select(
            Min(t.id).as_('id'),
            t.company.as_('company'),
            t.estate.as_('estate'),
            t.assignee.as_('assignee'),
            Count(t.id).as_('open_count'),
            Count(t.id, filter_=(t.resolution_deadline != Null)
                & (t.resolution_deadline < now)).as_('overdue_count'),
            Count(t.id, filter_=t.escalated == Literal(True)).as_(
                'escalated_count'),
            where=t.state.in_(OPEN_STATES) & (t.assignee != Null),
            group_by=[t.company, t.estate, t.assignee])
