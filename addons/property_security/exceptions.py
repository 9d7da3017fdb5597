# This file is part of the property service suite. See README.md.
from trytond.exceptions import UserError
from trytond.model.exceptions import ValidationError


class ScanError(UserError):
    pass


class ClosedRecordError(UserError):
    pass


class ScheduleError(ValidationError):
    pass


class FollowupError(UserError):
    pass


class InspectionError(UserError):
    pass


class DrillError(UserError):
    pass


class IncidentError(UserError):
    pass


class VisitorError(UserError):
    pass


class PassError(UserError):
    pass


class ShiftError(UserError):
    pass


class DateOrderError(ValidationError):
    pass


class DeleteHistoryError(UserError):
    pass
