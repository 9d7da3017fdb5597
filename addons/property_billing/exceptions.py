# This file is part of the property service suite. See README.md.
from trytond.exceptions import UserError
from trytond.model.exceptions import ValidationError


class AccountingSetupError(UserError):
    pass


class FeeError(ValidationError):
    pass


class RateError(ValidationError):
    pass


class FeePlanError(ValidationError):
    pass


class BillingRunError(UserError):
    pass


class MeterError(ValidationError):
    pass


class ReadingError(ValidationError):
    pass


class ReadingImportError(UserError):
    pass


class ReceiptError(UserError):
    pass


class DepositError(UserError):
    pass


class PaymentRequestError(UserError):
    pass


class PrintError(UserError):
    pass


class LateFeeError(ValidationError):
    pass


class DunningError(ValidationError):
    pass


class DisputeError(UserError):
    pass
