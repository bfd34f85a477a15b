"""The airing tally (broadcast.AiringTally) kept by database triggers, so every
write to planned airings (planning, confirmations, corrections, cancellations,
reorganisations, as-run imports, deletions, raw SQL) keeps it exact with no code
in those paths.

PostgreSQL: statement-level triggers with transition tables; a 500-row statement
folds its changes into one delta per tally row, upserted in key order (two
statements touching the same rows wait on each other, never deadlock). SQLite
(the unit tests): row triggers. Days are Vietnam days: PostgreSQL converts with
the zone database, SQLite (no zone database) with the zone's fixed offset, which
Vietnam has kept (+07:00) since 1975. Both come from settings.TIME_ZONE, as the
report's own day bounds do.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import migrations, models

TABLE = "broadcast_airingtally"
KEY = "span, day, schedule_id, station_id, unit_key, status, late, missed_reason"


def _pg_delta(sources: str) -> str:
    """One statement: the signed changes of `sources` (rows of the airing table
    with a sign), folded per tally key for both spans, added to the tally."""
    zone = settings.TIME_ZONE
    return f"""
    INSERT INTO {TABLE} AS t ({KEY}, n)
    SELECT s.span,
           CASE s.span WHEN 'd' THEN x.day
                ELSE date_trunc('month', x.day)::date END,
           x.schedule_id, x.station_id, x.unit_key, x.status, x.late,
           x.missed_reason, sum(x.sign)
    FROM (
        SELECT (r.planned_at AT TIME ZONE '{zone}')::date AS day, r.schedule_id,
               r.station_id, coalesce(r.unit_id, 0) AS unit_key, r.status, r.late,
               r.missed_reason, r.sign
        FROM ({sources}) AS r
    ) AS x
    CROSS JOIN (VALUES ('d'), ('m')) AS s(span)
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
    HAVING sum(x.sign) <> 0
    ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
    ON CONFLICT ({KEY}) DO UPDATE SET n = t.n + EXCLUDED.n;
    -- <= 0, not = 0: a tally emptied on its own (a flush) and its airings deleted
    -- after must leave no rows of -1.
    DELETE FROM {TABLE} WHERE n <= 0;
    """


_NEW = "SELECT *, 1 AS sign FROM new_rows"
_OLD = "SELECT *, -1 AS sign FROM old_rows"


def _pg_forwards() -> list[str]:
    out = []
    for op, sources, tables in (
        ("INSERT", _NEW, "NEW TABLE AS new_rows"),
        ("DELETE", _OLD, "OLD TABLE AS old_rows"),
        (
            "UPDATE",
            f"{_NEW} UNION ALL {_OLD}",
            "NEW TABLE AS new_rows OLD TABLE AS old_rows",
        ),
    ):
        name = f"broadcast_airing_tally_{op.lower()}"
        out.append(
            f"""
            CREATE FUNCTION {name}() RETURNS trigger AS $$
            BEGIN
                {_pg_delta(sources)}
                RETURN NULL;
            END;
            $$ LANGUAGE plpgsql;
            CREATE TRIGGER {name} AFTER {op} ON broadcast_plannedairing
                REFERENCING {tables}
                FOR EACH STATEMENT EXECUTE FUNCTION {name}();
            """
        )
    out.append(
        f"""
        CREATE FUNCTION broadcast_airing_tally_truncate() RETURNS trigger AS $$
        BEGIN
            -- DELETE, not TRUNCATE: a TRUNCATE naming both tables (Django's flush)
            -- may not truncate the tally again from inside itself.
            DELETE FROM {TABLE};
            RETURN NULL;
        END;
        $$ LANGUAGE plpgsql;
        CREATE TRIGGER broadcast_airing_tally_truncate
            AFTER TRUNCATE ON broadcast_plannedairing
            FOR EACH STATEMENT EXECUTE FUNCTION broadcast_airing_tally_truncate();
        """
    )
    # The airings already there.
    out.append(_pg_delta("SELECT *, 1 AS sign FROM broadcast_plannedairing"))
    return out


def _sqlite_forwards() -> list[str]:
    offset = datetime.now(ZoneInfo(settings.TIME_ZONE)).utcoffset()
    minutes = int(offset.total_seconds() // 60)
    shift = f"'{minutes:+d} minutes'"
    out = []

    def change(row: str, sign: str) -> list[str]:
        steps = []
        for span, day in (
            ("d", f"date({row}.planned_at, {shift})"),
            ("m", f"strftime('%Y-%m-01', {row}.planned_at, {shift})"),
        ):
            values = (
                f"'{span}', {day}, {row}.schedule_id, {row}.station_id, "
                f"coalesce({row}.unit_id, 0), {row}.status, {row}.late, "
                f"{row}.missed_reason"
            )
            where = (
                f"span = '{span}' AND day = {day} "
                f"AND schedule_id = {row}.schedule_id "
                f"AND station_id = {row}.station_id "
                f"AND unit_key = coalesce({row}.unit_id, 0) "
                f"AND status = {row}.status AND late = {row}.late "
                f"AND missed_reason = {row}.missed_reason"
            )
            steps += [
                f"INSERT OR IGNORE INTO {TABLE} ({KEY}, n) VALUES ({values}, 0);",
                f"UPDATE {TABLE} SET n = n {sign} 1 WHERE {where};",
                f"DELETE FROM {TABLE} WHERE {where} AND n <= 0;",
            ]
        return steps

    for op, steps in (
        ("INSERT", change("NEW", "+")),
        ("DELETE", change("OLD", "-")),
        ("UPDATE", change("OLD", "-") + change("NEW", "+")),
    ):
        body = "\n".join(steps)
        out.append(
            f"CREATE TRIGGER broadcast_airing_tally_{op.lower()} AFTER {op} "
            f"ON broadcast_plannedairing FOR EACH ROW BEGIN\n{body}\nEND;"
        )
    out.append(
        f"INSERT INTO {TABLE} ({KEY}, n) "
        f"SELECT 'd', date(planned_at, {shift}), schedule_id, station_id, "
        f"coalesce(unit_id, 0), status, late, missed_reason, count(*) "
        f"FROM broadcast_plannedairing GROUP BY 1, 2, 3, 4, 5, 6, 7, 8 "
        f"UNION ALL "
        f"SELECT 'm', strftime('%Y-%m-01', planned_at, {shift}), schedule_id, "
        f"station_id, coalesce(unit_id, 0), status, late, missed_reason, count(*) "
        f"FROM broadcast_plannedairing GROUP BY 1, 2, 3, 4, 5, 6, 7, 8"
    )
    return out


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"postgresql": _pg_forwards, "sqlite": _sqlite_forwards}.get(vendor)
    if statements is None:
        raise RuntimeError(f"No airing tally triggers for {vendor}")
    with schema_editor.connection.cursor() as cur:
        for sql in statements():
            cur.execute(sql)


def backwards(apps, schema_editor):
    with schema_editor.connection.cursor() as cur:
        for op in ("insert", "delete", "update", "truncate"):
            name = f"broadcast_airing_tally_{op}"
            if schema_editor.connection.vendor == "postgresql":
                cur.execute(f"DROP TRIGGER IF EXISTS {name} ON broadcast_plannedairing")
                cur.execute(f"DROP FUNCTION IF EXISTS {name}()")
            else:
                cur.execute(f"DROP TRIGGER IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("broadcast", "0009_unit_moves_to_units"),
    ]

    operations = [
        migrations.CreateModel(
            name="AiringTally",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                (
                    "span",
                    models.CharField(
                        choices=[("d", "day"), ("m", "month")], max_length=1
                    ),
                ),
                ("day", models.DateField()),
                ("schedule_id", models.BigIntegerField()),
                ("station_id", models.BigIntegerField()),
                ("unit_key", models.BigIntegerField()),
                ("status", models.CharField(max_length=16)),
                ("late", models.BooleanField()),
                ("missed_reason", models.CharField(max_length=16)),
                ("n", models.BigIntegerField()),
            ],
            options={
                "indexes": [
                    models.Index(
                        fields=["station_id", "span", "day"],
                        name="airing_tally_station",
                    ),
                    models.Index(
                        condition=models.Q(("n", 0)),
                        fields=["n"],
                        name="airing_tally_zero",
                    )
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=(
                            "span",
                            "day",
                            "schedule_id",
                            "station_id",
                            "unit_key",
                            "status",
                            "late",
                            "missed_reason",
                        ),
                        name="airing_tally_key",
                    )
                ],
            },
        ),
        migrations.RunPython(forwards, backwards),
    ]
