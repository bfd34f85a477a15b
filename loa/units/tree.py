"""Rules of the unit tree across a reorganisation: which unit carries a closed one today."""

from __future__ import annotations

from .models import Unit


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
