# This file is part of the property service suite. See README.md.
# The portal's HTTP routes are registered on import: they exist in every
# database of the server and answer 404 where the module is not activated.
from . import routes  # noqa: F401
from . import notices, visitors  # noqa: F401
from . import bills  # noqa: F401
from . import dashboard  # noqa: F401
