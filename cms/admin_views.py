"""Admin actions for editors — thin, over services."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from media_pipeline.models import RenditionJob
from media_pipeline.services import job_requeue

from .selectors import user_can_change_source


@require_POST
def job_rerender(request, job_id: int):
    """Queue a rendition again (after a failure, or to redo it)."""
    job = get_object_or_404(RenditionJob, pk=job_id)
    if not user_can_change_source(request.user, job.source):
        raise PermissionDenied
    if job.status in (RenditionJob.Status.QUEUED, RenditionJob.Status.RUNNING):
        messages.warning(request, _("This rendition is already being made."))
    else:
        job_requeue(job_id=job.pk)
        messages.success(request, _("The rendition was queued again."))
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
        next_url = "wagtailadmin_home"
    return redirect(next_url)
