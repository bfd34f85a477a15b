"""Admin actions for editors — thin, over services."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from django.views.generic import FormView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from media_pipeline.models import RenditionJob
from media_pipeline.services import job_requeue

from .admin_forms import BulkUploadForm
from .selectors import user_can_bulk_upload, user_can_change_source
from .services import BulkUploadError, item_create_from_upload


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


class BulkUploadView(WagtailAdminTemplateMixin, FormView):
    """Many files dropped at once → one draft item each, with its pipeline jobs."""

    form_class = BulkUploadForm
    template_name = "cms/admin/bulk_upload.html"
    page_title = _l("Bulk upload")
    header_icon = "upload"

    def dispatch(self, request, *args, **kwargs):
        if not user_can_bulk_upload(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        data = form.cleaned_data
        made, failed = [], []
        for upload in data["files"]:
            try:
                made.append(
                    item_create_from_upload(
                        upload=upload,
                        parent=data["parent"],
                        collection=data["collection"],
                        user=self.request.user,
                        image_kind=data["image_kind"],
                    )
                )
            except BulkUploadError as exc:
                failed.append((upload.name, exc.message))
        if made:
            messages.success(
                self.request,
                ngettext(
                    "%(count)d draft item was made; its media is being processed.",
                    "%(count)d draft items were made; their media is being processed.",
                    len(made),
                )
                % {"count": len(made)},
            )
        if failed and not made:
            for name, message in failed:
                form.add_error("files", f"{name}: {message}")
            return self.form_invalid(form)
        for name, message in failed:
            messages.error(self.request, f"{name}: {message}")
        return redirect("wagtailadmin_explore", data["parent"].pk)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["action_url"] = reverse("cms_admin:bulk_upload")
        context["submit_button_label"] = _l("Upload")
        return context


# Speech previews: JSON for the "Nghe thử" button on the radio item form.


def _may_preview(user) -> bool:
    from wagtail.permission_policies.pages import PagePermissionPolicy

    return PagePermissionPolicy().user_has_any_permission(user, ["add", "change"])


def _own_preview(request, preview_id):
    from .models import SpeechPreview

    # Another editor's preview is a 404, like one that does not exist.
    return get_object_or_404(SpeechPreview, pk=preview_id, user=request.user)


@require_POST
def speech_preview(request):
    """Queue a preview of the posted text and voice; answers 202 with the job's URLs."""
    from django.http import JsonResponse

    from .services import PreviewRefused, speech_preview_request

    if not _may_preview(request.user):
        # JSON, not Wagtail's redirect to the dashboard: the caller is a script.
        return JsonResponse({"error": _("Only editors may hear previews.")}, status=403)
    try:
        preview = speech_preview_request(
            user=request.user,
            text=request.POST.get("text", ""),
            voice=request.POST.get("voice", ""),
        )
    except PreviewRefused as refused:
        response = JsonResponse({"error": refused.message}, status=refused.status)
        if refused.retry_after:
            response["Retry-After"] = str(refused.retry_after)
        return response
    args = (preview.pk,)
    return JsonResponse(
        {
            "id": str(preview.pk),
            "status_url": reverse("cms_admin:speech_preview_status", args=args),
            "audio_url_base": reverse("cms_admin:speech_preview_audio", args=args),
        },
        status=202,
    )


def speech_preview_status(request, preview_id):
    from django.http import JsonResponse

    preview = _own_preview(request, preview_id)
    data = {"status": preview.status, "spoken": preview.spoken, "error": preview.error}
    if preview.status == preview.Status.DONE:
        data["audio_url"] = reverse(
            "cms_admin:speech_preview_audio", args=(preview.pk,)
        )
    response = JsonResponse(data)
    response["Cache-Control"] = "private, no-store"
    return response


def speech_preview_audio(request, preview_id):
    from django.http import FileResponse, Http404

    preview = _own_preview(request, preview_id)
    if preview.status != preview.Status.DONE or not preview.file:
        raise Http404
    try:
        handle = preview.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type="audio/wav")
    response["Cache-Control"] = "private, no-store"
    return response
