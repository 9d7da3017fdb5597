# This file is part of the property service suite. See README.md.
from trytond.exceptions import UserError


class AccountingSetupError(UserError):
    pass
