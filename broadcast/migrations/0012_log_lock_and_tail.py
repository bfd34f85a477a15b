"""PostgreSQL: one function takes the log's append lock and reads its tail.

Appends are serialised, and the lock is held until commit, so every round trip
made while holding it is paid by every appender waiting behind. Taking the lock and
reading the tail were two; here they are one call. The tail is read by a statement
inside the function that starts after the lock is granted: a VOLATILE PL/pgSQL
function takes a new snapshot for each statement, so it sees the event the previous
holder committed (the same statement reading the tail and waiting on the lock
would see the snapshot from before the wait, and fork the chain).
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION broadcast_log_lock_tail(lock_key bigint)
RETURNS text AS $$
DECLARE
    tail text;
BEGIN
    PERFORM pg_advisory_xact_lock(lock_key);
    SELECT e.hash INTO tail FROM broadcast_distributionevent AS e
        ORDER BY e.id DESC LIMIT 1;
    RETURN tail;
END;
$$ LANGUAGE plpgsql VOLATILE;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS broadcast_log_lock_tail(bigint)")


class Migration(migrations.Migration):
    dependencies = [("broadcast", "0011_confirmation_batches")]
    operations = [migrations.RunPython(forwards, backwards)]
