"""The unit tree across the 2025 reorganisation: one owner for "which unit does
this airing count under", by the units of its time or rolled up to today's."""

from __future__ import annotations

from django.db.models import F
from django.db.models.functions import Coalesce

from .models import Unit


def airing_unit_id():
    """Expression for an airing's unit of its time: the unit frozen on it by a
    reorganisation, else its station's (current) unit."""
    return Coalesce(F("unit_id"), F("station__unit_id"))


def current_unit(unit: Unit) -> Unit:
    """The unit that carries `unit` on today: its successor's successor..., or itself."""
    seen = {unit.pk}
    while unit.successor_id and unit.successor_id not in seen:
        seen.add(unit.successor_id)
        unit = unit.successor
    return unit


def successor_map() -> dict[int, int]:
    """Every unit id → the id of the unit that carries it today (itself if open)."""
    successor = dict(Unit.objects.values_list("pk", "successor_id"))
    resolved: dict[int, int] = {}
    for start in successor:
        node, seen = start, {start}
        while successor.get(node) and successor[node] not in seen:
            node = successor[node]
            seen.add(node)
        resolved[start] = node
    return resolved
