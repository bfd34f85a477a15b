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


def _lock_chain() -> str:
    """Serialise appenders until commit and return the chain's tail hash.

    A row lock on the current tail is not enough on PostgreSQL: a writer that
    waited on it would then still read the old tail and fork the chain. The tail
    is read after an advisory transaction lock is granted, so it is the last
    committed event; on PostgreSQL both happen in one call (migration 0012), since
    every round trip made under the lock is waited for by every other appender.
    SQLite serialises writers by itself."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT broadcast_log_lock_tail(%s)", [_CHAIN_LOCK])
            tail = cur.fetchone()[0]
    else:
        tail = (
            DistributionEvent.objects.order_by("-pk")
            .values_list("hash", flat=True)
            .first()
        )
    return tail or GENESIS


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
    # No savepoint inside a caller's transaction: one round trip fewer under the
    # lock, and a failed insert fails the caller's transaction anyway.
    with transaction.atomic(savepoint=False):
        prev = _lock_chain()
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
        head = _lock_chain()
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


def _utc(v: datetime | None) -> str | None:
    return None if v is None else v.astimezone(UTC).isoformat()


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
    return json.dumps(
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
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()


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
            if "batch" in event.data:
                batches[str(event.data["batch"])] = (
                    str(event.data.get("root")),
                    event.data.get("count"),
                )
            elif "confirmation" in event.data:
                singles.add(str(event.data["confirmation"]))
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
    problem, confirmations = _verify_confirmations(batches, singles)
    if problem:
        return ChainReport(n, None, problem, checkpoints=len(claims))
    return ChainReport(n, None, checkpoints=len(claims), confirmations=confirmations)


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
