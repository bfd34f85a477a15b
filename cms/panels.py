"""Admin panels: an item's renditions per profile, and the editor's dashboard."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import Panel
from wagtail.admin.ui.components import Component

from media_pipeline.models import LoaImage, LoaMedia, RenditionJob
from media_pipeline.profiles import Profile, get_profile
from media_pipeline.services import error_message

from . import selectors


@dataclass
class RenditionRow:
    profile: Profile
    job: RenditionJob | None
    loudness_ok: bool

    @property
    def error(self):
        return (
            error_message(self.job.error_code)
            if self.job and self.job.error_code
            else ""
        )

    @property
    def waveform_path(self) -> str:
        """An SVG path of the peaks: one vertical stroke per bucket, 0..1 scaled."""
        peaks = (self.job.extra or {}).get("peaks") if self.job else None
        if not peaks:
            return ""
        top = max(max(peaks), 1e-6)
        strokes = []
        for x, peak in enumerate(peaks):
            half = max(0.5, 30 * min(peak / top, 1.0))
            strokes.append(f"M{x} {30 - half:.1f}V{30 + half:.1f}")
        return "".join(strokes)

    @property
    def waveform_width(self) -> int:
        return len((self.job.extra or {}).get("peaks") or []) if self.job else 0


def rendition_rows(source: LoaMedia | LoaImage) -> list[RenditionRow]:
    jobs = selectors.current_jobs(source)
    rows = []
    for name in selectors.required_profiles(source):
        job = jobs.get(name)
        ok = job is None or job.status != job.Status.DONE or selectors.loudness_ok(job)
        rows.append(RenditionRow(profile=get_profile(name), job=job, loudness_ok=ok))
    return rows


class RenditionsPanel(Panel):
    """Each required profile's rendition of the item's media: status, progress,
    error and re-render, player with waveform or video preview, loudness."""

    def __init__(self, **kwargs):
        kwargs.setdefault("heading", _("Renditions"))
        super().__init__(**kwargs)

    class BoundPanel(Panel.BoundPanel):
        template_name = "cms/admin/renditions_panel.html"

        def is_shown(self):
            return bool(self.instance.pk)

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            # The saved item, not the form's unsaved choice of media.
            page = type(self.instance).objects.filter(pk=self.instance.pk).first()
            source = page.media_source if page else None
            rows = rendition_rows(source) if source else []
            context.update(
                source=source,
                any_pending=any(
                    row.job is None or row.job.status in ("queued", "running")
                    for row in rows
                ),
                is_image=isinstance(source, LoaImage),
                rows=rows,
                problems=selectors.technical_problems(page) if page else [],
                can_rerender=source is not None
                and selectors.user_can_change_source(self.request.user, source),
                next_url=self.request.get_full_path(),
            )
            return context


class LoaDashboardPanel(Component):
    """What needs me: items to review, my items sent back, failed renditions."""

    name = "loa_work"
    order = 50
    template_name = "cms/admin/dashboard_panel.html"

    def __init__(self, user):
        self.user = user

    def get_context_data(self, parent_context=None):
        context = super().get_context_data(parent_context)
        context.update(
            to_review=list(selectors.task_states_awaiting_review(self.user)[:20]),
            sent_back=list(selectors.items_sent_back(self.user)[:20]),
            failed_jobs=list(selectors.failed_jobs(self.user)[:20]),
        )
        return context


class SpeechPanel(Panel):
    """What the machine will say: the normalised text of a written announcement,
    beside the audio made from it (played in the renditions panel below)."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "cms/admin/speech_panel.html"

        # Always shown: the preview button works before the first save.

        def get_context_data(self, parent_context=None):
            from django.urls import reverse

            from media_pipeline.speech import SpeechError, normalise

            context = super().get_context_data(parent_context)
            page = type(self.instance).objects.filter(pk=self.instance.pk).first()
            text = page.speech_text if page else ""
            try:
                spoken = normalise(text)
            except SpeechError:
                spoken = ""
            audio = page.audio if page else None
            context.update(
                preview_url=reverse("cms_admin:speech_preview"),
                spoken=spoken,
                audio=audio,
                failed=bool(audio and audio.ingest_status == "failed"),
            )
            return context
