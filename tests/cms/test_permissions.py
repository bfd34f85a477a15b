"""Who can view, create, edit, submit, approve, publish and schedule: through real
requests as each demo role. A denied action is 403, a redirect with an error, or not
offered — never a 500."""

import pytest
from django.urls import reverse
from wagtail.models import WorkflowState

from cms.models import LibraryIndexPage, RadioItemPage
from cms.setup import district_library
from loa.units.models import Unit
from tests.cms.forms import radio_item_form

pytestmark = pytest.mark.django_db

ROLES = [
    "admin",
    "bientap.tinh",
    "duyet.tinh",
    "bientap.dongxoai",
    "dai.dongxoai",
    "xa.tanphu",
]
# role → (view, create, edit, submit, approve, publish, schedule), for an item in the
# province library and one in Đồng Xoài's folder.
PROVINCE_ITEM = {
    "admin": (1, 1, 1, 1, 1, 1, 1),
    "bientap.tinh": (1, 1, 1, 1, 0, 0, 1),
    "duyet.tinh": (1, 1, 1, 1, 1, 1, 1),
    "bientap.dongxoai": (0, 0, 0, 0, 0, 0, 1),
    "dai.dongxoai": (0, 0, 0, 0, 0, 0, 0),
    "xa.tanphu": (0, 0, 0, 0, 0, 0, 0),
}
DISTRICT_ITEM = {
    **PROVINCE_ITEM,
    "bientap.dongxoai": (1, 1, 1, 1, 0, 0, 1),
}
ACTIONS = ["view", "create", "edit", "submit", "approve", "publish", "schedule"]


def _ok(response) -> bool:
    assert response.status_code < 500, response.status_code
    return response.status_code == 200


def _item(parent, title):
    item = parent.add_child(instance=RadioItemPage(title=title, format="news"))
    item.save_revision()
    return item


def _outcomes(client, user, item, parent) -> tuple[int, ...]:
    edit_url = reverse("wagtailadmin_pages:edit", args=(item.pk,))
    view = _ok(client.get(reverse("wagtailadmin_explore", args=(parent.pk,))))
    create = _ok(
        client.get(
            reverse("wagtailadmin_pages:add", args=("cms", "radioitempage", parent.pk))
        )
    )
    edit = _ok(client.get(edit_url))

    form = radio_item_form(item.title, slug=item.slug)
    response = client.post(edit_url, {**form, "action-submit": "1"})
    assert response.status_code < 500
    state = WorkflowState.objects.for_instance(item).filter(
        status=WorkflowState.STATUS_IN_PROGRESS
    )
    submit = state.exists()

    approve = False
    if not submit:
        # Someone else submits, so the approval step can be tried.
        item.get_workflow().start(item, user)
    state = WorkflowState.objects.for_instance(item).get(
        status=WorkflowState.STATUS_IN_PROGRESS
    )
    # Past the technical check (the item has no media): the reviewer's step.
    state.current_task_state.approve(user=None)
    state.refresh_from_db()
    response = client.post(
        reverse(
            "wagtailadmin_pages:workflow_action",
            args=(item.pk, "approve", state.current_task_state_id),
        ),
        {"comment": ""},
    )
    assert response.status_code < 500
    state.refresh_from_db()
    approve = state.status == WorkflowState.STATUS_APPROVED
    if state.status == WorkflowState.STATUS_IN_PROGRESS:
        state.cancel(user=None)
    item.refresh_from_db()
    item.unpublish() if item.live else None

    response = client.post(edit_url, {**form, "action-publish": "1"})
    assert response.status_code < 500
    item.refresh_from_db()
    publish = item.live

    schedule = _ok(client.get(reverse("broadcast_admin:schedule_add")))
    return tuple(
        int(x) for x in (view, create, edit, submit, approve, publish, schedule)
    )


def _matrix(login, parent, title) -> dict[str, dict[str, int]]:
    from django.contrib.auth import get_user_model

    User = get_user_model()
    got = {}
    for username in ROLES:
        item = _item(parent, f"{title} ({username})")
        outcomes = _outcomes(
            login(username), User.objects.get(username=username), item, parent
        )
        got[username] = dict(zip(ACTIONS, outcomes, strict=True))
    return got


def _expected(table) -> dict[str, dict[str, int]]:
    return {u: dict(zip(ACTIONS, row, strict=True)) for u, row in table.items()}


def test_permission_matrix_on_province_library_item(login, demo):
    assert _matrix(login, demo, "Tin tỉnh") == _expected(PROVINCE_ITEM)


def test_permission_matrix_on_district_item(login, demo):
    folder = district_library(Unit.objects.get(code="dx"))
    assert _matrix(login, folder, "Tin Đồng Xoài") == _expected(DISTRICT_ITEM)


def test_district_editor_cannot_touch_another_districts_items(login, demo):
    folder = district_library(Unit.objects.get(code="bd"))
    item = _item(folder, "Tin Bù Đăng")
    client = login("bientap.dongxoai")
    assert not _ok(client.get(reverse("wagtailadmin_pages:edit", args=(item.pk,))))
    response = client.post(
        reverse("wagtailadmin_pages:edit", args=(item.pk,)),
        {**radio_item_form("Đổi tên", slug=item.slug), "action-submit": "1"},
    )
    assert response.status_code < 500
    item.refresh_from_db()
    assert item.title == "Tin Bù Đăng"
    assert not WorkflowState.objects.for_instance(item).exists()


def test_every_district_has_its_own_collection_folder_and_group(demo):
    from django.contrib.auth.models import Group

    districts = Unit.objects.filter(level=Unit.Level.DISTRICT)
    assert districts.count() == 11
    for unit in districts:
        assert unit.collection is not None
        assert isinstance(district_library(unit), LibraryIndexPage)
        group = Group.objects.get(name=f"District editor — {unit.name}")
        assert group.collection_permissions.filter(collection=unit.collection).exists()


def _media_in(unit_code: str, title: str):
    from media_pipeline.models import LoaMedia

    unit = Unit.objects.get(code=unit_code)
    return LoaMedia.objects.create(
        title=title, type="audio", file="media/x.mp3", collection=unit.collection
    )


def test_district_editor_sees_and_edits_only_their_districts_media(login, demo):
    own = _media_in("dx", "Âm thanh Đồng Xoài")
    other = _media_in("bd", "Âm thanh Bù Đăng")
    client = login("bientap.dongxoai")
    listing = client.get(reverse("wagtailmedia:index"))
    assert listing.status_code == 200
    assert own.title in listing.content.decode()
    assert other.title not in listing.content.decode()
    assert _ok(client.get(reverse("wagtailmedia:edit", args=(own.pk,))))
    assert not _ok(client.get(reverse("wagtailmedia:edit", args=(other.pk,))))


def test_province_staff_see_every_districts_media(login, demo):
    _media_in("dx", "Âm thanh Đồng Xoài")
    _media_in("bd", "Âm thanh Bù Đăng")
    for username in ("bientap.tinh", "duyet.tinh"):
        page = login(username).get(reverse("wagtailmedia:index")).content.decode()
        assert "Âm thanh Đồng Xoài" in page and "Âm thanh Bù Đăng" in page
