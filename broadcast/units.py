"""One owner for "which unit does this airing count under": the unit of its time.
Rolling it up to today's unit is the unit tree's rule (loa.units.tree)."""

from __future__ import annotations

from django.db.models import F
from django.db.models.functions import Coalesce


def airing_unit_id():
    """Expression for an airing's unit of its time: the unit frozen on it by a
    reorganisation, else its station's (current) unit."""
    return Coalesce(F("unit_id"), F("station__unit_id"))
