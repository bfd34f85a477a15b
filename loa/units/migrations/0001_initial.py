"""The Unit model moves here from broadcast with its table kept (broadcast_unit):
state only. On a new database broadcast's 0001 still creates the table."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("wagtailcore", "0098_apitoken"),
        ("broadcast", "0008_distribution_event_kinds"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="Unit",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("code", models.SlugField(max_length=32, unique=True, verbose_name="code")),
                        ("name", models.CharField(max_length=128, verbose_name="name")),
                        ("level", models.CharField(choices=[("province", "Province"), ("district", "District"), ("commune", "Commune")], max_length=16, verbose_name="level")),
                        ("valid_from", models.DateField(blank=True, null=True, verbose_name="valid from")),
                        ("valid_until", models.DateField(blank=True, null=True, verbose_name="valid until")),
                        ("collection", models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="unit", to="wagtailcore.collection", verbose_name="collection")),
                        ("parent", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="children", to="units.unit", verbose_name="parent unit")),
                        ("successor", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="predecessors", to="units.unit", verbose_name="succeeded by")),
                    ],
                    options={
                        "verbose_name": "administrative unit",
                        "verbose_name_plural": "administrative units",
                        "db_table": "broadcast_unit",
                        "ordering": ["level", "name"],
                    },
                ),
            ],
        ),
    ]
