# This file is part of the property service suite. See README.md.
