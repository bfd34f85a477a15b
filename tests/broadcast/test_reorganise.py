"""The 2025 reorganisation: communes merged, districts dissolved, renames; stations
and future schedules follow; every past airing stays with the unit of its time, and
report totals are the same by the units of the time or rolled up to today's."""

from collections import Counter
from datetime import date, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from broadcast.models import DistributionEvent, PlannedAiring, Schedule, Station
from broadcast.reorganise import PlanError, plan_read, reorganisation_apply
from broadcast.selectors import LOCAL_TZ
from broadcast.units import airing_unit_id
from loa.units.models import Unit
from loa.units.tree import current_unit, successor_map

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    # Messages are matched in English; the Vietnamese ones are in the catalogue.
    from django.utils import translation

    with translation.override("en"):
        yield


EFFECTIVE = date(2025, 7, 1)
PLAN = """kind,old_code,new_code,new_name,new_level,new_parent_code
merge,c1,n1,Xã Mới,commune,p
merge,c2,n1,,,
dissolve,d,p,,,
"""


@pytest.fixture
def tree(db):
    p = Unit.objects.create(code="p", name="Tỉnh", level="province")
    d = Unit.objects.create(code="d", name="Huyện", level="district", parent=p)
    c = {
        k: Unit.objects.create(code=k, name=f"Xã {k}", level="commune", parent=d)
        for k in ("c1", "c2", "c3")
    }
    stations = {
        "d": Station.objects.create(
            code="d-fm", name="FM", unit=d, kind="district_radio"
        ),
        **{
            k: Station.objects.create(
                code=f"{k}-loa", name=f"Loa {k}", unit=u, kind="commune_loudspeaker"
            )
            for k, u in c.items()
        },
    }
    schedule = Schedule.objects.create(
        item_title="Bản tin",
        target_kind="unit",
        target_unit=d,
        start_date=date(2025, 6, 20),
        end_date=date(2025, 7, 10),
    )
    for station in stations.values():
        for day in (date(2025, 6, 25), date(2025, 6, 30), date(2025, 7, 2)):
            PlannedAiring.objects.create(
                schedule=schedule,
                station=station,
                planned_at=datetime.combine(day, datetime.min.time(), LOCAL_TZ)
                + timedelta(hours=23, minutes=30),
            )
    return {"p": p, "d": d, **c, "stations": stations, "schedule": schedule}


def _by_unit_of_time():
    rows = (
        PlannedAiring.objects.annotate(u=airing_unit_id())
        .values("u")
        .annotate(n=Count("pk"))
    )
    return {r["u"]: r["n"] for r in rows}


def test_merge_and_dissolution_move_stations_and_keep_history(tree):
    before = _by_unit_of_time()
    changes = reorganisation_apply(
        rows=plan_read(PLAN), effective=EFFECTIVE, actor="test"
    )
    assert changes
    n1 = Unit.objects.get(code="n1")
    assert (n1.parent, n1.level, n1.valid_from) == (tree["p"], "commune", EFFECTIVE)
    for code in ("c1", "c2"):
        old = Unit.objects.get(code=code)
        assert old.successor == n1 and old.valid_until == date(2025, 6, 30)
        # Never re-parented: the old commune stays in its old district.
        assert old.parent == tree["d"]
    c3_new = Unit.objects.get(code="c3-2025")
    assert c3_new.parent == tree["p"]
    assert Unit.objects.get(code="d").successor == tree["p"]
    assert Station.objects.get(code="c1-loa").unit == n1
    assert Station.objects.get(code="c3-loa").unit == c3_new
    assert Station.objects.get(code="d-fm").unit == tree["p"]
    # Future schedules retarget.
    assert Schedule.objects.get().target_unit == tree["p"]
    # Airings up to 30 June (local) count under the units of their time...
    after = _by_unit_of_time()
    assert after[tree["c1"].pk] == 2 and after[tree["d"].pk] == 2
    # ...later ones under the new units.
    assert after[n1.pk] == 2 and after[c3_new.pk] == 1 and after[tree["p"].pk] == 1
    assert sum(after.values()) == sum(before.values()) == 12
    events = DistributionEvent.objects.filter(kind="reorganisation")
    assert sorted(events.values_list("unit_code", flat=True)) == [
        "c1",
        "c2",
        "c3",
        "d",
    ]


def test_totals_agree_by_units_of_the_time_and_rolled_up_to_today(tree):
    reorganisation_apply(rows=plan_read(PLAN), effective=EFFECTIVE, actor="test")
    of_time = _by_unit_of_time()
    today = Counter()
    resolve = successor_map()
    for unit_id, n in of_time.items():
        today[resolve[unit_id]] += n
    assert sum(today.values()) == sum(of_time.values())
    assert set(today) <= set(
        Unit.objects.filter(valid_until__isnull=True).values_list("pk", flat=True)
    )
    assert current_unit(Unit.objects.get(code="c1")).code == "n1"
    assert current_unit(Unit.objects.get(code="c3")).code == "c3-2025"


def test_dry_run_reports_the_same_changes_and_writes_nothing(tree):
    units_before = list(Unit.objects.values_list("code", "successor_id", "valid_until"))
    dry = reorganisation_apply(
        rows=plan_read(PLAN), effective=EFFECTIVE, actor="t", dry_run=True
    )
    assert list(Unit.objects.values_list("code", "successor_id", "valid_until")) == (
        units_before
    )
    assert not DistributionEvent.objects.exists()
    assert Station.objects.get(code="c1-loa").unit == tree["c1"]
    real = reorganisation_apply(rows=plan_read(PLAN), effective=EFFECTIVE, actor="t")
    assert [str(c) for c in dry] == [str(c) for c in real]


def test_a_unit_is_reorganised_once(tree):
    reorganisation_apply(rows=plan_read(PLAN), effective=EFFECTIVE, actor="t")
    with pytest.raises(PlanError, match="already"):
        reorganisation_apply(rows=plan_read(PLAN), effective=EFFECTIVE, actor="t")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("kind,old_code\nmerge,c1\n", "new_code"),
        ("kind,old_code,new_code\nsplit,c1,n1\n", "Line 2: unknown kind"),
        ("kind,old_code,new_code\nmerge,,n1\n", "Line 2: old_code and new_code"),
        (
            "kind,old_code,new_code,new_level\nmerge,c1,n1,hamlet\n",
            "Line 2: unknown level",
        ),
    ],
)
def test_bad_plans_are_refused_with_the_line(text, problem):
    with pytest.raises(PlanError, match=problem):
        plan_read(text)


def test_unknown_codes_change_nothing(tree):
    rows = plan_read("kind,old_code,new_code\nmerge,c1,n1\nmerge,nowhere,n1\n")
    with pytest.raises(PlanError, match="nowhere"):
        reorganisation_apply(rows=rows, effective=EFFECTIVE, actor="t")
    assert not Unit.objects.filter(code="n1").exists()


def test_command_dry_run_and_apply(tree, tmp_path):
    plan = tmp_path / "plan.csv"
    plan.write_text("\ufeff" + PLAN, encoding="utf-8")
    out = StringIO()
    call_command(
        "reorganise", plan=str(plan), on="2025-07-01", dry_run=True, stdout=out
    )
    assert "would change" in out.getvalue()
    assert Station.objects.get(code="c1-loa").unit == tree["c1"]
    call_command("reorganise", plan=str(plan), on="2025-07-01", stdout=StringIO())
    assert Station.objects.get(code="c1-loa").unit.code == "n1"
    with pytest.raises(CommandError, match="not a date"):
        call_command("reorganise", plan=str(plan), on="1/7/2025")


def _admin():
    from django.contrib.auth import get_user_model
    from django.test import Client

    user, _ = get_user_model().objects.get_or_create(
        username="root", defaults={"is_superuser": True, "is_staff": True}
    )
    client = Client()
    client.force_login(user)
    return client


def test_admin_screen_previews_then_applies(tree):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    client = _admin()
    url = reverse("broadcast_admin:reorganise")
    assert client.get(url).status_code == 200
    upload = SimpleUploadedFile("plan.csv", PLAN.encode(), content_type="text/csv")
    preview = client.post(
        url, {"plan": upload, "effective": "2025-07-01", "action": "preview"}
    )
    assert preview.status_code == 200
    assert preview.context["changes"]
    assert Station.objects.get(code="c1-loa").unit == tree["c1"]  # nothing yet
    applied = client.post(
        url,
        {"plan_text": PLAN, "effective": "2025-07-01", "action": "apply"},
    )
    assert applied.status_code == 302
    assert Station.objects.get(code="c1-loa").unit.code == "n1"


def test_admin_screen_shows_plan_problems(tree):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    bad = SimpleUploadedFile("p.csv", b"kind,old_code,new_code\nsplit,c1,n1\n")
    client = _admin()
    response = client.post(
        reverse("broadcast_admin:reorganise"),
        {"plan": bad, "effective": "2025-07-01", "action": "preview"},
    )
    assert response.status_code == 200
    # The admin speaks Vietnamese by default.
    assert "Dòng 2" in str(response.context["form"].errors)
    latin1 = SimpleUploadedFile("p.csv", b"kind,old_code,new_code\nmerge,x\xff,n1\n")
    response = client.post(
        reverse("broadcast_admin:reorganise"),
        {"plan": latin1, "effective": "2025-07-01", "action": "preview"},
    )
    assert response.status_code == 200 and response.context["form"].errors


def test_editors_cannot_reorganise(tree):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission
    from django.test import Client
    from django.urls import reverse

    editor = get_user_model().objects.create_user("ed", password="x" * 12)
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client = Client()
    client.force_login(editor)
    response = client.get(reverse("broadcast_admin:reorganise"))
    # Wagtail answers a refused admin page with 403 or a redirect to the dashboard.
    assert response.status_code == 403 or (
        response.status_code == 302 and response.url == reverse("wagtailadmin_home")
    )
    assert Station.objects.get(code="c1-loa").unit == tree["c1"]


# District editors' groups and collections follow the 2025 map (cms.setup owns the
# rule; the command and the admin screen both reach it through reorganisation_apply).


def _district_with_editor(unit, username):
    from django.contrib.auth import get_user_model

    from broadcast.models import StaffAssignment
    from cms.setup import base_setup, district_setup

    base_setup()
    group = district_setup(unit=unit)
    unit.refresh_from_db()
    editor = get_user_model().objects.create_user(username, password="x" * 12)
    editor.groups.add(group)
    StaffAssignment.objects.create(user=editor, unit=unit)
    return editor, group


def _fresh(user):
    # As a request sees the user: its assignment's unit read anew.
    return type(user).objects.get(pk=user.pk)


def _collection_perm_ids(group):
    from wagtail.models import GroupCollectionPermission

    return set(
        GroupCollectionPermission.objects.filter(group=group).values_list(
            "collection_id", flat=True
        )
    )


def test_dissolved_district_keeps_its_library_under_the_province_and_editors_follow_its_communes(  # noqa: E501
    tree, tmp_path
):
    from wagtail.models import Collection

    from broadcast.scope import scope_policy

    editor, group = _district_with_editor(tree["d"], "ed-d")
    library = Unit.objects.get(code="d").collection
    plan = tmp_path / "plan.csv"
    plan.write_text(PLAN, encoding="utf-8")
    out = StringIO()
    call_command("reorganise", plan=str(plan), on="2025-07-01", stdout=out)

    library.refresh_from_db()
    # The media stay where the province's roles (root collection) already reach.
    assert library.get_parent() == Collection.get_first_root_node()
    assert library.pk in _collection_perm_ids(group)
    # No escalation: a dissolved district's editors do not become province staff...
    scope = scope_policy.for_user(_fresh(editor))
    assert not scope.everything
    assert not scope.sees_station(Station.objects.get(code="d-fm").pk)
    # ...but they keep the communes their district had, under today's units.
    for code in ("c1-loa", "c2-loa", "c3-loa"):
        assert scope.sees_station(Station.objects.get(code=code).pk), code
    assert scope.sees_collection(library.pk)
    # Audited: in the command's output and the distribution log.
    said = out.getvalue()
    assert "The library of Huyện stays in the library of Tỉnh." in said
    assert "The editors of Huyện keep their library" in said
    event = DistributionEvent.objects.get(kind="reorganisation", unit_code="d")
    assert event.data["collection"] == library.pk
    assert event.data["editors_group"] == group.name


MERGE_DISTRICTS = "kind,old_code,new_code\nmerge,d,d2\n"


@pytest.fixture
def two_districts(tree):
    d2 = Unit.objects.create(
        code="d2", name="Huyện Hai", level="district", parent=tree["p"]
    )
    c4 = Unit.objects.create(code="c4", name="Xã c4", level="commune", parent=d2)
    Station.objects.create(
        code="c4-loa", name="Loa c4", unit=c4, kind="commune_loudspeaker"
    )
    return {**tree, "d2": d2}


def test_merged_district_library_moves_under_the_successor_and_editors_gain_its_scope_in_the_admin(  # noqa: E501
    two_districts,
):
    from django.urls import reverse

    from broadcast.scope import scope_policy

    editor, group = _district_with_editor(two_districts["d"], "ed-d")
    _other, group2 = _district_with_editor(two_districts["d2"], "ed-d2")
    old = Unit.objects.get(code="d").collection
    new = Unit.objects.get(code="d2").collection

    client = _admin()
    url = reverse("broadcast_admin:reorganise")
    preview = client.post(
        url,
        {"plan_text": MERGE_DISTRICTS, "effective": "2025-07-01", "action": "preview"},
    )
    assert any("Huyện Hai" in str(c) for c in preview.context["changes"])
    old.refresh_from_db()
    assert old.get_parent() != new  # a preview writes nothing
    applied = client.post(
        url,
        {"plan_text": MERGE_DISTRICTS, "effective": "2025-07-01", "action": "apply"},
    )
    assert applied.status_code == 302

    old.refresh_from_db()
    assert old.get_parent() == new
    # The successor's editors now reach the merged district's media (collection
    # permissions cover descendants), and the old editors reach the successor's.
    assert new.pk in _collection_perm_ids(group)
    scope = scope_policy.for_user(_fresh(editor))
    assert scope.sees_station(Station.objects.get(code="c4-loa").pk)
    assert scope.sees_collection(new.pk) and scope.sees_collection(old.pk)
    assert scope_policy.for_user(_fresh(_other)).sees_collection(old.pk)
    assert not scope.everything


def test_renamed_district_hands_its_library_and_group_to_the_new_unit(tree):
    from django.contrib.auth.models import Group

    from cms.setup import district_group_name

    editor, group = _district_with_editor(tree["d"], "ed-d")
    library = Unit.objects.get(code="d").collection
    reorganisation_apply(
        rows=plan_read(
            "kind,old_code,new_code,new_name,new_level,new_parent_code\n"
            "rename,d,dn,Thị xã Mới,district,p\n"
        ),
        effective=EFFECTIVE,
        actor="t",
    )
    dn = Unit.objects.get(code="dn")
    library.refresh_from_db()
    assert dn.collection == library and library.name == "Thị xã Mới"
    assert Unit.objects.get(code="d").collection is None
    group.refresh_from_db()
    assert group.name == district_group_name(dn)
    assert editor in Group.objects.get(name=district_group_name(dn)).user_set.all()
