"""Writes for the editorial side."""

from __future__ import annotations

from wagtail.models import TaskState

from media_pipeline.models import LoaImage, LoaMedia

from .models import TechnicalCheckTask
from .selectors import pages_using, technical_problems


def technical_checks_advance(*, source: LoaMedia | LoaImage) -> int:
    """Pass the waiting technical checks of items using `source` whose media is now
    ready. Returns how many were passed."""
    passed = 0
    states = TaskState.objects.filter(
        status=TaskState.STATUS_IN_PROGRESS,
        task__in=TechnicalCheckTask.objects.all(),
        workflow_state__base_content_type__isnull=False,
    ).select_related("workflow_state")
    page_ids = {str(pk) for pk in pages_using(source).values_list("pk", flat=True)}
    for state in states.filter(workflow_state__object_id__in=page_ids):
        if not technical_problems(state.workflow_state.content_object):
            state.specific.approve(user=None, comment="")
            passed += 1
    return passed
