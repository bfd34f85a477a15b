"""Run as a script on an empty database (DATABASE_URL): build it with the schema as it
was before the unit tree moved out of broadcast, put units, a station and a group's
permission in it through the historical models, apply the rest of the migrations,
then read everything back through today's models. Prints a JSON report."""

import json
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "loa.settings.test")
sys.path.insert(0, os.getcwd())

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.db.migrations.executor import MigrationExecutor  # noqa: E402

# The last migrations of the schema before the move (commit 7c3301c).
BEFORE_MOVE = [
    ("broadcast", "0008_distribution_event_kinds"),
    ("cms", "0008_merge_20261202_1449"),
    ("exhibitions", "0001_initial"),
    ("auth", "0012_alter_user_first_name_max_length"),
]

executor = MigrationExecutor(connection)
executor.migrate(BEFORE_MOVE)
old = executor.loader.project_state(BEFORE_MOVE).apps
assert ("units", "0001_initial") not in executor.loader.applied_migrations

ContentType = old.get_model("contenttypes", "ContentType")
Permission = old.get_model("auth", "Permission")
Group = old.get_model("auth", "Group")
User = old.get_model("auth", "User")
OldUnit = old.get_model("broadcast", "Unit")
OldStation = old.get_model("broadcast", "Station")

# What post_migrate had made on the old site, and a group that relies on it.
ct, _ = ContentType.objects.get_or_create(app_label="broadcast", model="unit")
perm, _ = Permission.objects.get_or_create(
    content_type=ct, codename="change_unit", defaults={"name": "Can change"}
)
group = Group.objects.create(name="Tổ chức lại")
group.permissions.add(perm)
user = User.objects.create(username="tochuc", is_active=True, is_staff=True)
user.groups.add(group)
province = OldUnit.objects.create(code="bp", name="Bình Phước", level="province")
district = OldUnit.objects.create(
    code="dx", name="Đồng Xoài", level="district", parent=province
)
OldStation.objects.create(
    code="dx-fm", name="Đài Đồng Xoài", kind="district_radio", unit=district
)

executor = MigrationExecutor(connection)
executor.migrate(executor.loader.graph.leaf_nodes())

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.contenttypes.models import ContentType as CT  # noqa: E402

from broadcast.models import Station  # noqa: E402
from loa.units.models import Unit  # noqa: E402

CT.objects.clear_cache()
station = Station.objects.select_related("unit__parent").get(code="dx-fm")
report = {
    "units": sorted(Unit.objects.values_list("code", flat=True)),
    "station_unit": station.unit.code,
    "station_unit_parent": station.unit.parent.code,
    "children_of_bp": sorted(
        u.code for u in Unit.objects.get(code="bp").children.all()
    ),
    "perm": get_user_model()
    .objects.get(username="tochuc")
    .has_perm("units.change_unit"),
    "old_content_type_left": CT.objects.filter(
        app_label="broadcast", model="unit"
    ).exists(),
    "table": Unit._meta.db_table,
}
print(json.dumps(report))
