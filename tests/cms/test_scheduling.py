"""Scheduled go-live and expiry through Wagtail, run by the Celery beat task; only
approved, live, unexpired items within their validity can be scheduled."""

from datetime import timedelta

import pytest
from django.utils import timezone

from broadcast.services import ServiceError, item_is_schedulable, schedule_create
from cms.models import RadioItemPage
from cms.tasks import publish_scheduled
from loa.units.models import Unit

pytestmark = pytest.mark.django_db


def _schedule(item):
    today = timezone.localdate()
    return schedule_create(
        item=item,
        start_date=today,
        end_date=today,
        target_kind="unit",
        target_unit=Unit.objects.get(code="dx"),
        slot_times=["06:00"],
    )


@pytest.fixture
def draft(library):
    page = library.add_child(
        instance=RadioItemPage(title="Bản tin hẹn giờ", format="news", live=False)
    )
    return page


def test_publish_scheduled_task_publishes_an_approved_revision_due_now(draft):
    revision = draft.save_revision()
    revision.approved_go_live_at = timezone.now() - timedelta(minutes=1)
    revision.save()
    assert not item_is_schedulable(draft)

    publish_scheduled.delay()

    draft.refresh_from_db()
    assert draft.live
    assert item_is_schedulable(draft)


def test_revision_scheduled_for_later_stays_unpublished(demo, draft):
    revision = draft.save_revision()
    revision.approved_go_live_at = timezone.now() + timedelta(hours=1)
    revision.save()
    publish_scheduled.delay()
    draft.refresh_from_db()
    assert not draft.live
    with pytest.raises(ServiceError):
        _schedule(draft)


def test_publish_scheduled_task_expires_items_past_expire_at(demo, draft):
    draft.save_revision().publish()
    draft.refresh_from_db()
    assert item_is_schedulable(draft)
    RadioItemPage.objects.filter(pk=draft.pk).update(
        expire_at=timezone.now() - timedelta(minutes=1)
    )

    publish_scheduled.delay()

    draft.refresh_from_db()
    assert draft.expired and not draft.live
    assert not item_is_schedulable(draft)
    with pytest.raises(ServiceError):
        _schedule(draft)


def test_expire_at_in_the_past_blocks_scheduling_before_the_task_runs(draft):
    draft.save_revision().publish()
    RadioItemPage.objects.filter(pk=draft.pk).update(
        expire_at=timezone.now() - timedelta(seconds=5)
    )
    draft.refresh_from_db()
    assert draft.live
    assert not item_is_schedulable(draft)


def test_valid_until_in_the_past_removes_item_from_schedulable_content(demo, draft):
    draft.valid_until = timezone.localdate() - timedelta(days=1)
    draft.save_revision().publish()
    draft.refresh_from_db()
    assert draft.live
    assert not item_is_schedulable(draft)
    with pytest.raises(ServiceError):
        _schedule(draft)


def test_draft_is_not_schedulable_and_published_item_is(demo, draft):
    assert not item_is_schedulable(draft)
    with pytest.raises(ServiceError):
        _schedule(draft)
    draft.save_revision().publish()
    draft.refresh_from_db()
    assert _schedule(draft).pk
