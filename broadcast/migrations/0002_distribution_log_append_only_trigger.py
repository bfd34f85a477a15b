"""On PostgreSQL, the database itself refuses UPDATE and DELETE on the distribution
log, so not even raw SQL or a bulk queryset call can rewrite history. Other
databases (SQLite in unit tests) rely on the model's refusal and the hash chain.

TRUNCATE is left alone on purpose: only the table owner can issue it, and the test
runner empties tables between transactional tests with it."""

from django.db import migrations

# No percent signs in the SQL: the migration runs it through a DB-API cursor.
FUNCTION = """
CREATE OR REPLACE FUNCTION broadcast_log_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION USING
        MESSAGE = 'broadcast_distributionevent is append-only: ' || TG_OP || ' refused',
        ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""
TRIGGER = """
CREATE TRIGGER broadcast_log_append_only
BEFORE UPDATE OR DELETE ON broadcast_distributionevent
FOR EACH ROW EXECUTE FUNCTION broadcast_log_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS broadcast_log_append_only ON broadcast_distributionevent;
DROP FUNCTION IF EXISTS broadcast_log_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for sql in (FUNCTION, TRIGGER):
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("broadcast", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
