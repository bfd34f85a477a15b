"""The distribution log: append-only and hash-chained, witnessed by checkpoints.

Each event's hash covers its content and the previous event's hash, so editing or
deleting any row breaks every link after it; `verify_log` finds the first break.
A chain alone cannot tell that its tail was cut off, or that it was rewritten and
recomputed from some point on: signed checkpoints (length and head hash) can, and
stations keep copies of them, so deleting checkpoints does not hide it either.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import connection, transaction
from django.utils import timezone

from .models import DistributionEvent, LogCheckpoint
from .signing import sign, verify

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


def event_hash(event: DistributionEvent, canonical: bytes | None = None) -> str:
    body = _canonical(event) if canonical is None else canonical
    return hashlib.sha256(event.prev_hash.encode() + body).hexdigest()


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
    now = timezone.now().replace(microsecond=0)
    made = []
    for fields in events:
        fields = dict(fields)
        made.append(
            DistributionEvent(
                kind=fields.pop("kind"),
                actor=fields.pop("actor", "")[:160],
                source=fields.pop("source", ""),
                occurred_at=now,
                **fields,
            )
        )
    # The content is serialised before the lock is taken: under it, only the
    # chaining (one sha256 per event) and the insert remain. Every appender waits
    # on this lock, so the work inside it bounds the log's throughput.
    bodies = [_canonical(e) for e in made]
    with transaction.atomic():
        _lock_chain()
        last = DistributionEvent.objects.order_by("-pk").only("hash").first()
        prev = last.hash if last else GENESIS
        for event, body in zip(made, bodies, strict=True):
            event.prev_hash = prev
            event.hash = event_hash(event, body)
            prev = event.hash
        # bulk_create skips the model's save(); these are inserts, never updates.
        DistributionEvent.objects.bulk_create(made)
    return made


def log_event(
    *, kind: str, actor: str = "", source: str = "", **fields
) -> DistributionEvent:
    """Append one event to the chain."""
    return log_events([dict(kind=kind, actor=actor, source=source, **fields)])[0]


CHECKPOINT_TYPE = "loa-log-checkpoint/v1"


def checkpoint_sign() -> LogCheckpoint:
    """Sign the log's current length and head hash (reusing the latest checkpoint
    when nothing was appended since)."""
    with transaction.atomic():
        _lock_chain()
        events = DistributionEvent.objects.count()
        last = DistributionEvent.objects.order_by("-pk").only("hash").first()
        head = last.hash if last else GENESIS
        latest = LogCheckpoint.objects.order_by("-pk").first()
        if latest and latest.events == events and latest.head_hash == head:
            return latest
        now = timezone.now().replace(microsecond=0)
        payload = json.dumps(
            {
                "type": CHECKPOINT_TYPE,
                "events": events,
                "head": head,
                "signed_at": now.astimezone(UTC).isoformat(),
            },
            sort_keys=True,
            separators=(",", ":"),
        )
        return LogCheckpoint.objects.create(
            events=events,
            head_hash=head,
            signed_at=now,
            payload=payload,
            signature=sign(payload.encode()).decode().strip(),
        )


def checkpoint_public(cp: LogCheckpoint) -> dict:
    """A checkpoint as stations receive and keep it (manifest, API, witness file)."""
    return {
        "events": cp.events,
        "head": cp.head_hash,
        "signed_at": cp.signed_at.astimezone(UTC).isoformat(),
        "payload": cp.payload,
        "signature": cp.signature,
    }


@dataclass
class ChainReport:
    checked: int
    broken_at: int | None
    reason: str = ""
    checkpoints: int = 0

    @property
    def ok(self) -> bool:
        return self.broken_at is None and not self.reason


def _signed_claims(checkpoints: list[dict]) -> tuple[list[tuple[int, str, str]], str]:
    """(events, head, label) of each checkpoint whose signature verifies; the first
    problem otherwise. The signed payload is trusted, never the loose fields."""
    claims = []
    for n, cp in enumerate(checkpoints, start=1):
        label = f"checkpoint {n} ({cp.get('signed_at', '?')})"
        payload, sig = cp.get("payload"), cp.get("signature")
        if not isinstance(payload, str) or not isinstance(sig, str):
            return [], f"{label} has no payload and signature"
        if not verify(payload.encode(), sig):
            return [], f"{label} is not signed by Loa's key"
        try:
            body = json.loads(payload)
            claims.append((int(body["events"]), str(body["head"]), label))
        except (ValueError, KeyError, TypeError):
            return [], f"{label} payload is unreadable"
    return claims, ""


def verify_chain(witness: list[dict] | None = None) -> ChainReport:
    """Walk the chain in order; report the first event whose link or hash is wrong,
    then hold the chain against every signed checkpoint in the database and, when
    given, against a station's own copies (`witness`)."""
    stored = [checkpoint_public(cp) for cp in LogCheckpoint.objects.order_by("pk")]
    claims, problem = _signed_claims(stored)
    if problem:
        return ChainReport(0, None, problem)
    if witness is not None:
        theirs, problem = _signed_claims(witness)
        if problem:
            return ChainReport(0, None, "witness " + problem)
        known = {cp["payload"] for cp in stored}
        for cp, claim in zip(witness, theirs, strict=True):
            if cp["payload"] not in known:
                return ChainReport(
                    0, None, f"witness {claim[2]} is missing from the database"
                )
        claims += theirs
    wanted = {events for events, _head, _label in claims}
    heads = {0: GENESIS}
    prev = GENESIS
    n = 0
    for event in DistributionEvent.objects.order_by("pk").iterator(chunk_size=2000):
        n += 1
        if event.prev_hash != prev:
            return ChainReport(n, event.pk, "previous-hash link does not match")
        if event_hash(event) != event.hash:
            return ChainReport(n, event.pk, "content does not match its hash")
        prev = event.hash
        if n in wanted:
            heads[n] = event.hash
    for events, head, label in claims:
        if events > n:
            return ChainReport(
                n, None, f"{label} signed {events} events; the log has only {n}"
            )
        if heads[events] != head:
            return ChainReport(
                n,
                None,
                f"{label}: the first {events} events are not the ones signed "
                "(rewritten)",
            )
    return ChainReport(n, None, checkpoints=len(claims))
