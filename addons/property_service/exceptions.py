# This file is part of the property service suite. See README.md.
from trytond.exceptions import UserError
from trytond.model.exceptions import ValidationError


class AreaError(ValidationError):
    pass


class FloorsError(ValidationError):
    pass


class OccupancyDateError(ValidationError):
    pass


class OwnerShareError(ValidationError):
    pass


class DeleteHistoryError(UserError):
    pass


class UnitImportError(UserError):
    pass


class TicketValidationError(ValidationError):
    pass


class TicketWorkflowError(UserError):
    pass


class TicketClosedError(UserError):
    pass


class WorkOrderError(UserError):
    pass


class NoticeError(UserError):
    pass


class NoticeValidationError(ValidationError):
    pass
