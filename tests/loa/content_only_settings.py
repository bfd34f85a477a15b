"""Settings with the content app but none of the apps above it (broadcast,
exhibitions, demo): if cms needs them, django.setup() or an import fails here."""

from loa.settings.test import *  # noqa: F401,F403
from loa.settings.test import INSTALLED_APPS

INSTALLED_APPS = [
    a for a in INSTALLED_APPS if a not in {"broadcast", "exhibitions", "demo"}
]
