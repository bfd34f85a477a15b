"""English as written in Vietnam's partner agencies: day before month (en-GB)."""

from django.conf.locale.en_GB.formats import *  # noqa: F401,F403
