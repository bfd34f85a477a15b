"""Grant the roles what cms.roles now lists (send_urgent for province editors and
district station operators) on databases migrated before it was listed."""

import importlib

from django.db import migrations


def forwards(apps, schema_editor):
    # The roles migration is idempotent (get_or_create, add): run it again rather
    # than copy how it grants.
    roles = importlib.import_module("cms.migrations.0003_roles_and_reference_data")
    roles.forwards(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0009_producing_unit_in_units"),
        ("broadcast", "0003_agent_priorities_urgent"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
