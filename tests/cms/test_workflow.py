"""Loa's review workflow on Wagtail's machinery: submit → technical check →
reviewer approval → live; requests for changes with comments; the technical check
blocking approval until the media is ready to air."""

import pytest
from django.urls import reverse
from django.utils import translation
from wagtail.models import Page, TaskState, Workflow, WorkflowState

from cms.models import RadioItemPage, TechnicalCheckTask
from cms.selectors import items_sent_back, task_states_awaiting_review
from cms.setup import APPROVAL_NAME, TECHNICAL_CHECK_NAME, WORKFLOW_NAME
from media_pipeline.models import RenditionJob
from media_pipeline.profiles import get_profile
from tests.cms.forms import radio_item_form

pytestmark = pytest.mark.django_db


def reviewer_user():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username="duyet.tinh")


def _submit(client, item) -> None:
    data = radio_item_form(item.title, slug=item.slug)
    if item.audio_id:
        data["audio"] = item.audio_id
    response = client.post(
        reverse("wagtailadmin_pages:edit", args=(item.pk,)),
        {**data, "action-submit": "1"},
    )
    assert response.status_code == 302, response.context["form"].errors


def _act(client, item, action: str, comment: str = ""):
    state = WorkflowState.objects.for_instance(item).get(
        status=WorkflowState.STATUS_IN_PROGRESS
    )
    url = reverse(
        "wagtailadmin_pages:workflow_action",
        args=(item.pk, action, state.current_task_state_id),
    )
    return client.post(url, {"comment": comment})


def _denied(response) -> bool:
    """Wagtail's admin answers a refused action with 403, or (for a full page
    request) a redirect to the dashboard with an error message."""
    return response.status_code == 403 or (
        response.status_code == 302 and response.url == reverse("wagtailadmin_home")
    )


def _current_task(item) -> str:
    state = WorkflowState.objects.for_instance(item).order_by("-created_at").first()
    return state.current_task_state.task.name


def test_library_uses_loa_workflow_and_default_moderators_workflow_is_gone(demo):
    workflow = demo.get_workflow()
    assert workflow.name == WORKFLOW_NAME
    assert [t.name for t in workflow.tasks] == [TECHNICAL_CHECK_NAME, APPROVAL_NAME]
    assert Page.get_first_root_node().get_workflow() is None
    # Wagtail's default workflow, under its Vietnamese name since migration 0006.
    assert list(Workflow.objects.filter(active=True)) == [workflow]


def test_submitting_item_without_media_stops_at_technical_check(
    login, draft_item, demo
):
    item = draft_item()
    _submit(login("bientap.tinh"), item)
    assert _current_task(item) == TECHNICAL_CHECK_NAME
    task = TechnicalCheckTask.objects.get()
    reviewer = login("duyet.tinh")
    # Approval is not offered, and forcing it is refused, not a crash.
    assert _denied(_act(reviewer, item, "approve"))
    assert [a[0] for a in task.get_actions(item, reviewer_user())] == ["reject"]
    assert _current_task(item) == TECHNICAL_CHECK_NAME
    with translation.override("en"):
        assert task.problems(item) == ["No media file is attached."]


def test_unrendered_media_blocks_approval_until_jobs_are_done(
    login, draft_item, pending_audio
):
    item = draft_item(audio=pending_audio())
    _submit(login("bientap.tinh"), item)
    assert _current_task(item) == TECHNICAL_CHECK_NAME
    assert _denied(_act(login("duyet.tinh"), item, "approve"))


def test_loudness_outside_tolerance_blocks_approval(
    login, draft_item, rendered_audio, django_capture_on_commit_callbacks
):
    media = rendered_audio()
    job = media.jobs.get(profile="district-fm")
    job.loudness_lufs = get_profile("district-fm").loudness - 3.0
    job.save(update_fields=["loudness_lufs"])
    item = draft_item(audio=media)
    _submit(login("bientap.tinh"), item)
    assert _current_task(item) == TECHNICAL_CHECK_NAME
    with translation.override("en"):
        problems = TechnicalCheckTask.objects.get().problems(item)
    assert len(problems) == 1 and "outside tolerance" in problems[0]


def test_failed_rendition_blocks_approval(login, draft_item, rendered_audio):
    media = rendered_audio()
    media.jobs.filter(profile="web-audio").update(status=RenditionJob.Status.FAILED)
    item = draft_item(audio=media)
    _submit(login("bientap.tinh"), item)
    assert _current_task(item) == TECHNICAL_CHECK_NAME
    assert _denied(_act(login("duyet.tinh"), item, "approve"))


def test_ready_media_passes_technical_check_and_reviewer_approval_publishes(
    login, draft_item, rendered_audio, mailoutbox
):
    media = rendered_audio()
    assert set(media.jobs.values_list("status", flat=True)) == {"done"}
    item = draft_item(audio=media)
    _submit(login("bientap.tinh"), item)
    assert _current_task(item) == APPROVAL_NAME
    reviewer_states = task_states_awaiting_review(reviewer_user())
    assert [s.workflow_state.object_id for s in reviewer_states] == [str(item.pk)]
    # An editor cannot approve their own submission.
    assert _denied(_act(login("bientap.tinh"), item, "approve"))
    response = _act(login("duyet.tinh"), item, "approve", "Tốt")
    assert response.status_code in (200, 302)
    item.refresh_from_db()
    assert item.live
    state = WorkflowState.objects.for_instance(item).get()
    assert state.status == WorkflowState.STATUS_APPROVED


def test_request_changes_sends_item_back_with_comment_and_resubmit_resumes(
    login, draft_item, rendered_audio
):
    from django.contrib.auth import get_user_model

    editor = get_user_model().objects.get(username="bientap.tinh")
    item = draft_item(audio=rendered_audio())
    _submit(login("bientap.tinh"), item)
    response = _act(login("duyet.tinh"), item, "reject", "Thiếu nguồn tin")
    assert response.status_code in (200, 302)
    state = WorkflowState.objects.for_instance(item).get()
    assert state.status == WorkflowState.STATUS_NEEDS_CHANGES
    rejected = TaskState.objects.get(status=TaskState.STATUS_REJECTED)
    assert rejected.comment == "Thiếu nguồn tin"
    assert list(items_sent_back(editor)) == [state]
    item.refresh_from_db()
    assert not item.live

    _submit(login("bientap.tinh"), item)
    state.refresh_from_db()
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert list(items_sent_back(editor)) == []
    assert _current_task(item) == APPROVAL_NAME


def test_reviewer_can_request_changes_at_technical_check(login, draft_item):
    item = draft_item()
    _submit(login("bientap.tinh"), item)
    response = _act(login("duyet.tinh"), item, "reject", "Chưa có file")
    assert response.status_code in (200, 302)
    state = WorkflowState.objects.for_instance(item).get()
    assert state.status == WorkflowState.STATUS_NEEDS_CHANGES


def test_finishing_last_rendition_moves_item_on_to_reviewer(
    login, draft_item, rendered_audio, django_capture_on_commit_callbacks
):
    media = rendered_audio()
    job = media.jobs.get(profile="web-audio")
    job.status = RenditionJob.Status.RUNNING
    job.save(update_fields=["status"])
    item = draft_item(audio=media)
    _submit(login("bientap.tinh"), item)
    assert _current_task(item) == TECHNICAL_CHECK_NAME

    with django_capture_on_commit_callbacks(execute=True):
        job.status = RenditionJob.Status.DONE
        job.save(update_fields=["status"])
    assert _current_task(item) == APPROVAL_NAME


def test_cancelling_submission_leaves_draft(login, draft_item):
    item = draft_item()
    _submit(login("bientap.tinh"), item)
    state = WorkflowState.objects.for_instance(item).get()
    state.cancel(user=None)
    state.refresh_from_db()
    assert state.status == WorkflowState.STATUS_CANCELLED
    assert not RadioItemPage.objects.get(pk=item.pk).live
