"""On PostgreSQL the log and its checkpoints refuse TRUNCATE too (and checkpoints
refuse UPDATE and DELETE), so emptying the log takes disabling triggers, which only
the table owner can do and which the signed checkpoints stations keep expose.

The test runner empties tables between transactional tests with TRUNCATE. It may do
so only in a test database (named test_…) whose connection says so with
`loa.allow_log_truncate=on` (set in loa/settings/test.py): neither alone is enough.
"""

from django.db import migrations

# No percent signs in the SQL: the migration runs it through a DB-API cursor.
FUNCTIONS = """
CREATE OR REPLACE FUNCTION broadcast_log_no_truncate() RETURNS trigger AS $$
BEGIN
    IF left(current_database(), 5) = 'test_'
       AND coalesce(current_setting('loa.allow_log_truncate', true), '') = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION USING
        MESSAGE = TG_TABLE_NAME || ' is append-only: TRUNCATE refused',
        ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION broadcast_checkpoint_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION USING
        MESSAGE = TG_TABLE_NAME || ' is append-only: ' || TG_OP || ' refused',
        ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""
TRIGGERS = """
CREATE TRIGGER broadcast_log_no_truncate
BEFORE TRUNCATE ON broadcast_distributionevent
FOR EACH STATEMENT EXECUTE FUNCTION broadcast_log_no_truncate();

CREATE TRIGGER broadcast_checkpoint_no_truncate
BEFORE TRUNCATE ON broadcast_logcheckpoint
FOR EACH STATEMENT EXECUTE FUNCTION broadcast_log_no_truncate();

CREATE TRIGGER broadcast_checkpoint_append_only
BEFORE UPDATE OR DELETE ON broadcast_logcheckpoint
FOR EACH ROW EXECUTE FUNCTION broadcast_checkpoint_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS broadcast_log_no_truncate ON broadcast_distributionevent;
DROP TRIGGER IF EXISTS broadcast_checkpoint_no_truncate ON broadcast_logcheckpoint;
DROP TRIGGER IF EXISTS broadcast_checkpoint_append_only ON broadcast_logcheckpoint;
DROP FUNCTION IF EXISTS broadcast_log_no_truncate();
DROP FUNCTION IF EXISTS broadcast_checkpoint_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTIONS)
        schema_editor.execute(TRIGGERS)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("broadcast", "0003_package_supersede_downloads_checkpoints")]

    operations = [migrations.RunPython(forwards, backwards)]
