"""The distribution log: append-only and hash-chained.

Each event's hash covers its content and the previous event's hash, so editing or
deleting any row breaks every link after it; `verify_log` finds the first break.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import transaction
from django.utils import timezone

from .models import DistributionEvent

GENESIS = "0" * 64
_HASHED = (
    "kind",
    "occurred_at",
    "actor",
    "source",
    "station_code",
    "unit_code",
    "item_id",
    "item_title",
    "airing_id",
    "package_id",
    "planned_at",
    "actual_at",
    "corrects_id",
    "data",
)


def _canonical(event: DistributionEvent) -> bytes:
    def norm(v):
        # Datetimes in UTC, so a value read back from the database hashes the same.
        if isinstance(v, datetime):
            return v.astimezone(UTC).isoformat()
        return v

    body = {k: norm(getattr(event, k)) for k in _HASHED}
    return json.dumps(
        body, sort_keys=True, ensure_ascii=False, separators=(",", ":")
    ).encode()


def event_hash(event: DistributionEvent) -> str:
    return hashlib.sha256(event.prev_hash.encode() + _canonical(event)).hexdigest()


def log_event(
    *, kind: str, actor: str = "", source: str = "", **fields
) -> DistributionEvent:
    """Append one event. The chain's tail is locked so concurrent writers serialise."""
    with transaction.atomic():
        last = (
            DistributionEvent.objects.select_for_update()
            .order_by("-pk")
            .only("hash")
            .first()
        )
        event = DistributionEvent(
            kind=kind,
            actor=actor[:160],
            source=source,
            occurred_at=timezone.now().replace(microsecond=0),
            prev_hash=last.hash if last else GENESIS,
            **fields,
        )
        event.hash = event_hash(event)
        event.save()
    return event


@dataclass
class ChainReport:
    checked: int
    broken_at: int | None
    reason: str = ""


def verify_chain() -> ChainReport:
    """Walk the chain in order; report the first event whose link or hash is wrong."""
    prev = GENESIS
    n = 0
    for event in DistributionEvent.objects.order_by("pk").iterator(chunk_size=2000):
        n += 1
        if event.prev_hash != prev:
            return ChainReport(n, event.pk, "previous-hash link does not match")
        if event_hash(event) != event.hash:
            return ChainReport(n, event.pk, "content does not match its hash")
        prev = event.hash
    return ChainReport(n, None)
