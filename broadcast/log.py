"""The distribution log: append-only and hash-chained, witnessed by checkpoints.

Each event's hash covers its content and the previous event's hash, so editing or
deleting any row breaks every link after it; `verify_log` finds the first break.
A chain alone cannot tell that its tail was cut off, or that it was rewritten and
recomputed from some point on: signed checkpoints (length and head hash) can, and
stations keep copies of them, so deleting checkpoints does not hide it either.

Confirmations enter the chain as batches: one chain event per station and request
holds the Merkle root (RFC 6962) of that batch's confirmation rows, which carry the
batch id. Appending is serialised (one chain), so what is done under the lock is
what bounds confirmation throughput: a batch of 500 is one small row there, not
500. `verify_chain` recomputes every root from the rows, so a changed, deleted,
added or moved confirmation is found as surely as a changed event.
"""

from __future__ import annotations

import hashlib
import json
import uuid as uuidlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import NamedTuple

from django.db import connection, transaction
from django.utils import timezone

from .models import DistributionEvent, LogCheckpoint, PendingLogEvent
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


def _utc(v: datetime | None) -> str | None:
    """A time as hashed (events and confirmation leaves alike): ISO 8601 in UTC,
    so a value read back from the database hashes the same."""
    return None if v is None else v.astimezone(UTC).isoformat()


def _canonical(event: DistributionEvent) -> bytes:
    body = {
        k: _utc(v) if isinstance(v, datetime) else v
        for k in _HASHED
        for v in (getattr(event, k),)
    }
    return json.dumps(
        body, sort_keys=True, ensure_ascii=False, separators=(",", ":")
    ).encode()


def event_hash(event: DistributionEvent, canonical: bytes | None = None) -> str:
    body = _canonical(event) if canonical is None else canonical
    return hashlib.sha256(event.prev_hash.encode() + body).hexdigest()


# Any constant: the advisory lock that serialises appends on PostgreSQL.
_CHAIN_LOCK = 0x4C4F41  # "LOA"


class _Lock(NamedTuple):
    locked: bool
    tail: str
    pending: bool


def _lock_chain(wait: bool = True) -> _Lock:
    """Serialise appenders until commit; the chain's tail hash, and whether events
    wait in the pending table. Without `wait`, a busy lock answers at once
    (locked=False).

    A row lock on the current tail is not enough on PostgreSQL: a writer that
    waited on it would then still read the old tail and fork the chain. The tail
    is read after an advisory transaction lock is granted, so it is the last
    committed event; on PostgreSQL lock and reads are one call (migration 0012),
    since every round trip made under the lock is waited for by every other
    appender. SQLite serialises writers by itself."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(
                "SELECT * FROM broadcast_log_lock_tail(%s, %s)", [_CHAIN_LOCK, wait]
            )
            locked, tail, pending = cur.fetchone()
        return _Lock(locked, tail or GENESIS, pending)
    tail = (
        DistributionEvent.objects.order_by("-pk").values_list("hash", flat=True).first()
    )
    return _Lock(True, tail or GENESIS, PendingLogEvent.objects.exists())


# Event fields that are times: kept as ISO 8601 text while an event waits.
_TIMES = ("planned_at", "actual_at")


def _defer(events: list[dict]) -> None:
    """Keep events for the chain's next append (the lock was busy)."""
    kept = []
    for fields in events:
        fields = dict(fields)
        for k in _TIMES:
            if isinstance(fields.get(k), datetime):
                fields[k] = fields[k].isoformat()
        if "corrects" in fields:
            corrects = fields.pop("corrects")
            fields["corrects_id"] = corrects.pk if corrects else None
        kept.append(PendingLogEvent(event=fields))
    PendingLogEvent.objects.bulk_create(kept)


def _take_pending() -> list[dict]:
    """The waiting events, oldest first, removed from the pending table in the
    same statement (under the chain's lock, so no other appender takes them)."""
    table = connection.ops.quote_name(PendingLogEvent._meta.db_table)
    with connection.cursor() as cur:
        cur.execute(f"DELETE FROM {table} RETURNING id, event")  # noqa: S608
        rows = sorted(cur.fetchall())
    taken = []
    for _pk, stored in rows:
        fields = json.loads(stored) if isinstance(stored, str) else dict(stored)
        for k in _TIMES:
            if fields.get(k):
                fields[k] = datetime.fromisoformat(fields[k])
        taken.append(fields)
    return taken


def _build(events: list[dict], now: datetime) -> list[DistributionEvent]:
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
    return made


def log_events(events: list[dict], *, wait: bool = True) -> list[DistributionEvent]:
    """Append events in order, chained, under one lock (a batch of confirmations
    takes the lock once, not once per item). Events that waited in the pending
    table go first.

    With wait=False (confirmation batches), a busy lock defers the events to the
    pending table instead of queueing: the next append or the minutely seal
    chains them. Their batch roots are kept there meanwhile, so verify_log still
    holds the confirmations against them; returns [] then."""
    if not events:
        return []
    now = timezone.now().replace(microsecond=0)
    made = _build(events, now)
    # The content is serialised before the lock is taken: under it, only the
    # chaining (one sha256 per event) and the insert remain. Every appender waits
    # on this lock, so the work inside it bounds the log's throughput.
    bodies = [_canonical(e) for e in made]
    # No savepoint inside a caller's transaction: one round trip fewer under the
    # lock, and a failed insert fails the caller's transaction anyway.
    with transaction.atomic(savepoint=False):
        lock = _lock_chain(wait)
        if not lock.locked:
            _defer(events)
            return []
        _append(made, bodies, lock, now)
    return made


def seal_pending() -> int:
    """Chain the events that waited (the minutely task; any append does it too).
    How many were sealed."""
    with transaction.atomic(savepoint=False):
        lock = _lock_chain()
        return _append([], [], lock, timezone.now().replace(microsecond=0))


def _append(made, bodies, lock: _Lock, now) -> int:
    """Under the lock: chain the waiting events, then `made`, and insert them."""
    waited = _build(_take_pending(), now) if lock.pending else []
    prev = lock.tail
    for event, body in zip(
        waited + made, [_canonical(e) for e in waited] + bodies, strict=True
    ):
        event.prev_hash = prev
        event.hash = event_hash(event, body)
        prev = event.hash
    # bulk_create skips the model's save(); these are inserts, never updates.
    DistributionEvent.objects.bulk_create(waited + made)
    return len(waited)


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
        lock = _lock_chain()
        # What waited is chained first: a checkpoint signs everything received.
        _append([], [], lock, timezone.now().replace(microsecond=0))
        last = DistributionEvent.objects.order_by("-pk").values_list("hash", flat=True)
        head = last.first() or GENESIS
        events = DistributionEvent.objects.count()
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


def _leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def merkle_root(leaves: list[bytes]) -> str:
    """The RFC 6962 Merkle tree hash of `leaves`, in order (hex). Leaves and inner
    nodes are hashed with different prefixes, so a leaf never passes for a node;
    pairing level by level with an odd node carried up gives the same tree as the
    RFC's split at the largest power of two."""
    if not leaves:
        return hashlib.sha256(b"").hexdigest()
    level = [_leaf_hash(x) for x in leaves]
    while len(level) > 1:
        paired = [
            hashlib.sha256(b"\x01" + level[i] + level[i + 1]).digest()
            for i in range(0, len(level) - 1, 2)
        ]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0].hex()


# The confirmation columns a batch's root covers, in leaf order. Not the actor's
# user or station ids: those are set to NULL when an account or a station is
# deleted, which is not tampering (the chain event names the actor instead).
LEAF_FIELDS = (
    "uuid",
    "airing_id",
    "status",
    "aired_at",
    "reason",
    "note",
    "source",
    "received_at",
    "clock_offset",
    "late",
)


def confirmation_leaf(
    uuid, airing_id, status, aired_at, reason, note, source, received_at, offset, late
) -> bytes:
    """One confirmation as a Merkle leaf: its LEAF_FIELDS as canonical JSON."""
    return _LEAF_JSON.encode(
        [
            str(uuid),
            airing_id,
            status,
            _utc(aired_at),
            reason,
            note,
            source,
            _utc(received_at),
            offset,
            bool(late),
        ]
    ).encode()


# One encoder for every leaf: json.dumps with these options builds a new encoder on
# each call, a fifth of a leaf's cost on a 20,000-line import.
_LEAF_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def batch_root(rows) -> str:
    """The root of a batch from its rows (tuples in LEAF_FIELDS order), leaves
    ordered by uuid so the writer and the verifier agree without row ids."""
    return merkle_root(
        [confirmation_leaf(*r) for r in sorted(rows, key=lambda r: _uuid_int(r[0]))]
    )


def _uuid_int(value) -> int:
    # UUIDs order as their hex digits do; as integers the sort stays in C.
    return (value if isinstance(value, uuidlib.UUID) else uuidlib.UUID(str(value))).int


@dataclass
class ChainReport:
    checked: int
    broken_at: int | None
    reason: str = ""
    checkpoints: int = 0
    confirmations: int = 0
    pending: int = 0  # events waiting for the chain (models.PendingLogEvent)

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
    batches: dict[str, tuple[str, int]] = {}  # batch id: (root, count)
    singles: set[str] = set()  # confirmations logged one event each (before batches)
    airing_kinds = {
        DistributionEvent.Kind.AIRING_CONFIRMED,
        DistributionEvent.Kind.AIRING_MISSED,
        DistributionEvent.Kind.CONFIRMATIONS,
    }
    for event in DistributionEvent.objects.order_by("pk").iterator(chunk_size=2000):
        n += 1
        if event.prev_hash != prev:
            return ChainReport(n, event.pk, "previous-hash link does not match")
        if event_hash(event) != event.hash:
            return ChainReport(n, event.pk, "content does not match its hash")
        prev = event.hash
        if n in wanted:
            heads[n] = event.hash
        if event.kind in airing_kinds and isinstance(event.data, dict):
            problem = _claim(batches, singles, event.data)
            if problem:
                return ChainReport(n, event.pk, problem)
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
    # Batches whose chain event waits (the lock was busy): their roots are held
    # against the rows all the same; only their place in the chain is to come.
    pending = 0
    for stored in PendingLogEvent.objects.order_by("pk").values_list(
        "event", flat=True
    ):
        pending += 1
        data = stored.get("data") if isinstance(stored, dict) else None
        if isinstance(data, dict):
            problem = _claim(batches, singles, data)
            if problem:
                return ChainReport(n, None, problem, checkpoints=len(claims))
    problem, confirmations = _verify_confirmations(batches, singles)
    if problem:
        return ChainReport(n, None, problem, checkpoints=len(claims))
    return ChainReport(
        n,
        None,
        checkpoints=len(claims),
        confirmations=confirmations,
        pending=pending,
    )


def _claim(batches: dict, singles: set, data: dict) -> str:
    """Note what one event says it logged: a batch's root and count, or (before
    batches) one confirmation; a batch claimed twice is a problem."""
    if "batch" in data:
        batch = str(data["batch"])
        if batch in batches:
            return f"confirmation batch {batch} is in the log twice"
        batches[batch] = (str(data.get("root")), data.get("count"))
    elif "confirmation" in data:
        singles.add(str(data["confirmation"]))
    return ""


def _verify_confirmations(
    batches: dict[str, tuple[str, int]], singles: set[str]
) -> tuple[str, int]:
    """Hold every confirmation row against the chain: each batch's rows must give
    the root and count its chain event holds, and a row without a batch must have
    its own event (confirmations recorded before batches)."""
    from .models import Confirmation

    rows = Confirmation.objects.order_by("batch", "uuid").values_list(
        "batch", *LEAF_FIELDS
    )
    seen = 0
    current, group = None, []

    def check(batch, group) -> str:
        if batch is None:
            for r in group:
                if str(r[0]) not in singles:
                    return f"confirmation {r[0]} is not in the log (added)"
            return ""
        claim = batches.pop(str(batch), None)
        if claim is None:
            return f"confirmation batch {batch} is not in the log (added)"
        root, count = claim
        if len(group) != count or batch_root(group) != root:
            return (
                f"confirmation batch {batch}: {len(group)} confirmations do not "
                f"match the {count} the log holds (changed, added or deleted)"
            )
        return ""

    for batch, *leaf in rows.iterator(chunk_size=5000):
        seen += 1
        if group and batch != current:
            problem = check(current, group)
            if problem:
                return problem, seen
            group = []
        current = batch
        group.append(leaf)
    if group:
        problem = check(current, group)
        if problem:
            return problem, seen
    if batches:
        batch = next(iter(batches))
        return (
            f"confirmation batch {batch}: its confirmations are gone (deleted)",
            seen,
        )
    return "", seen
