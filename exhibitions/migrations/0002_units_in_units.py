"""The unit tree moved to loa.units (same table): state only."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("exhibitions", "0001_initial"),
        ("units", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name="exhibitionpage",
                    name="curating_unit",
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="units.unit", verbose_name="curating unit"),
                ),
                migrations.AlterField(
                    model_name="exhibitionstop",
                    name="commune",
                    field=models.ForeignKey(limit_choices_to={"level": "commune"}, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="units.unit", verbose_name="commune"),
                ),
            ],
        ),
    ]
