"""The distribution log: append-only and hash-chained.

Each event's hash covers its content and the previous event's hash, so editing or
deleting any row breaks every link after it; `verify_log` finds the first break.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import connection, transaction
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


# Any constant: the advisory lock that serialises appends on PostgreSQL.
_CHAIN_LOCK = 0x4C4F41  # "LOA"


def _lock_chain() -> None:
    """Serialise appenders until commit. A row lock on the current tail is not
    enough on PostgreSQL: a writer that waited on it would then still read the old
    tail and fork the chain. An advisory transaction lock taken before reading the
    tail makes the read see the last committed event. SQLite serialises writers by
    itself."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK])


def log_events(events: list[dict]) -> list[DistributionEvent]:
    """Append events in order, chained, under one lock (a batch of confirmations
    takes the lock once, not once per item)."""
    if not events:
        return []
    with transaction.atomic():
        _lock_chain()
        last = DistributionEvent.objects.order_by("-pk").only("hash").first()
        prev = last.hash if last else GENESIS
        now = timezone.now().replace(microsecond=0)
        made = []
        for fields in events:
            fields = dict(fields)
            event = DistributionEvent(
                kind=fields.pop("kind"),
                actor=fields.pop("actor", "")[:160],
                source=fields.pop("source", ""),
                occurred_at=now,
                prev_hash=prev,
                **fields,
            )
            event.hash = event_hash(event)
            prev = event.hash
            made.append(event)
        # bulk_create skips the model's save(); these are inserts, never updates.
        DistributionEvent.objects.bulk_create(made)
    return made


def log_event(
    *, kind: str, actor: str = "", source: str = "", **fields
) -> DistributionEvent:
    """Append one event to the chain."""
    return log_events([dict(kind=kind, actor=actor, source=source, **fields)])[0]


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
