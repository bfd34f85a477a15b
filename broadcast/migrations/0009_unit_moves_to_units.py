"""Unit now lives in loa.units with its table kept: broadcast's foreign keys point
there and broadcast forgets the model. State only; no table or column changes."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("broadcast", "0008_distribution_event_kinds"),
        ("units", "0001_initial"),
        # Every other app's foreign keys must have moved before the model leaves.
        ("cms", "0009_producing_unit_in_units"),
        ("exhibitions", "0002_units_in_units"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name="plannedairing",
                    name="unit",
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="units.unit"),
                ),
                migrations.AlterField(
                    model_name="schedule",
                    name="target_unit",
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, to="units.unit", verbose_name="unit"),
                ),
                migrations.AlterField(
                    model_name="staffassignment",
                    name="unit",
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, to="units.unit", verbose_name="unit"),
                ),
                migrations.AlterField(
                    model_name="station",
                    name="unit",
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="stations", to="units.unit", verbose_name="unit"),
                ),
                migrations.AlterField(
                    model_name="urgentannouncement",
                    name="target_units",
                    field=models.ManyToManyField(related_name="+", to="units.unit", verbose_name="units"),
                ),
                migrations.DeleteModel(name="Unit"),
            ],
        ),
    ]
