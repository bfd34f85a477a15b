"""What someone with database rights could do to the distribution log, as raw SQL
underneath the model, on SQLite and PostgreSQL alike (on PostgreSQL the append-only
triggers are disabled first, as a table owner could)."""

from __future__ import annotations

from contextlib import contextmanager

from django.db import connection

from broadcast.log import event_hash
from broadcast.models import DistributionEvent

TABLE = "broadcast_distributionevent"


@contextmanager
def triggers_off(table: str = TABLE):
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            # Deferred foreign-key checks of this transaction's own inserts must
            # run first: PostgreSQL refuses ALTER TABLE while they are pending.
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cur.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        yield cur
        if connection.vendor == "postgresql":
            cur.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")


def delete_tail(n: int = 3) -> None:
    ids = list(DistributionEvent.objects.order_by("-pk").values_list("pk", flat=True))
    with triggers_off() as cur:
        cur.execute(
            f"DELETE FROM {TABLE} WHERE id IN ({', '.join(['%s'] * n)})", ids[:n]
        )


def delete_all() -> None:
    with triggers_off() as cur:
        cur.execute(f"DELETE FROM {TABLE}")


def rewrite_and_recompute(position: int = 3, station_code: str = "forged") -> None:
    """Change one event and recompute every hash after it: the chain is intact."""
    events = list(DistributionEvent.objects.order_by("pk"))
    prev = events[position - 2].hash if position > 1 else "0" * 64
    with triggers_off() as cur:
        for n, e in enumerate(events[position - 1 :]):
            if n == 0:
                e.station_code = station_code
            e.prev_hash = prev
            e.hash = event_hash(e)
            prev = e.hash
            cur.execute(
                f"UPDATE {TABLE} SET station_code = %s, prev_hash = %s, hash = %s "
                "WHERE id = %s",
                [e.station_code, e.prev_hash, e.hash, e.pk],
            )


def delete_middle_and_recompute(position: int = 2) -> None:
    """Remove one event and re-link the rest: the chain is intact, but shorter."""
    events = list(DistributionEvent.objects.order_by("pk"))
    gone = events.pop(position - 1)
    prev = events[position - 2].hash if position > 1 else "0" * 64
    with triggers_off() as cur:
        cur.execute(f"DELETE FROM {TABLE} WHERE id = %s", [gone.pk])
        # Hashes are unique: park the old ones first so the rewrite never collides.
        cur.execute(f"UPDATE {TABLE} SET hash = 'x' || id WHERE id > %s", [gone.pk])
        for e in events[position - 1 :]:
            e.prev_hash = prev
            e.hash = event_hash(e)
            prev = e.hash
            cur.execute(
                f"UPDATE {TABLE} SET prev_hash = %s, hash = %s WHERE id = %s",
                [e.prev_hash, e.hash, e.pk],
            )


def delete_checkpoints_after(events: int) -> None:
    with triggers_off("broadcast_logcheckpoint") as cur:
        cur.execute("DELETE FROM broadcast_logcheckpoint WHERE events > %s", [events])


TAMPERS = {
    "tail deleted": delete_tail,
    "everything deleted": delete_all,
    "rewritten and recomputed": rewrite_and_recompute,
    "middle deleted and recomputed": delete_middle_and_recompute,
}
