"""Reads for the editorial side: is an item ready to air, what waits for whom."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from wagtail.models import Page, TaskState, WorkflowState

from media_pipeline import rules
from media_pipeline.models import LoaImage, LoaMedia, RenditionJob
from media_pipeline.profiles import get_profile


def required_profiles(source: LoaMedia | LoaImage) -> list[str]:
    """The profiles a source must have rendered before its item can air
    (media_pipeline.rules owns the answer)."""
    return rules.required_profiles(source)


def current_jobs(source: LoaMedia | LoaImage) -> dict[str, RenditionJob]:
    """The job of each profile's current version (media_pipeline.rules)."""
    return rules.current_jobs(source)


def loudness_ok(job: RenditionJob) -> bool:
    profile = get_profile(job.profile)
    if profile.loudness is None or job.loudness_lufs is None:
        return True
    return abs(job.loudness_lufs - profile.loudness) <= profile.loudness_tolerance


def technical_problems(page: Page) -> list[str]:
    """Why the item cannot air yet; empty when its media is ready.

    Pages that are not library items (folders, the home page) have no media to check.
    """
    from .models import ContentItemPage

    specific = page.specific
    if not isinstance(specific, ContentItemPage):
        return []
    problems = _source_problems(specific.media_source)
    for version in language_versions(specific, with_media_only=False):
        name = version.language.name
        problems += [
            _("%(language)s version: %(problem)s")
            % {"language": name, "problem": problem}
            for problem in _source_problems(version.source)
        ]
    return problems


def _source_problems(source) -> list[str]:
    if source is None:
        return [_("No media file is attached.")]
    if source.ingest_status == source.IngestStatus.FAILED:
        return [_("The media file cannot be used.")]
    if source.ingest_status != source.IngestStatus.READY:
        return [_("The media file is still being checked.")]
    jobs = current_jobs(source)
    problems = []
    for name in required_profiles(source):
        label = get_profile(name).label
        job = jobs.get(name)
        if job is None or job.status in (job.Status.QUEUED, job.Status.RUNNING):
            problems.append(_("%(profile)s: not rendered yet.") % {"profile": label})
        elif job.status == job.Status.FAILED:
            problems.append(_("%(profile)s: rendering failed.") % {"profile": label})
        elif not loudness_ok(job):
            problems.append(
                _("%(profile)s: loudness %(lufs).1f LUFS is outside tolerance.")
                % {"profile": label, "lufs": job.loudness_lufs}
            )
    return problems


def language_versions(item, *, with_media_only: bool = True) -> list:
    """An item's language versions, as the page object holds them (a revision's
    in-memory versions for a draft, the saved rows for a live page)."""
    versions = list(item.language_versions.all())
    if not with_media_only:
        return versions
    return [v for v in versions if v.media_id or v.image_id]


DEFAULT_LANGUAGE = "vi"


def version_for_languages(item, languages: list[str]) -> tuple[str, object]:
    """The one rule for "which version does this audience get": the first of
    `languages` (in the station's order) the item has a recording in; otherwise the
    item's own media (Vietnamese unless the item says otherwise)."""
    by_code = {v.language.code: v for v in language_versions(item)}
    for code in languages:
        if code in by_code:
            return code, by_code[code].source
    own = item.language.code if getattr(item, "language", None) else DEFAULT_LANGUAGE
    return own, item.media_source


def pages_using(source: LoaMedia | LoaImage) -> QuerySet:
    """Library items whose media is this source."""
    from .models import PhotoPage, PosterPage, RadioItemPage, VideoItemPage

    if isinstance(source, LoaImage):
        ids = list(PosterPage.objects.filter(image=source).values_list("pk", flat=True))
        ids += PhotoPage.objects.filter(image=source).values_list("pk", flat=True)
    else:
        ids = list(
            RadioItemPage.objects.filter(audio=source).values_list("pk", flat=True)
        )
        ids += VideoItemPage.objects.filter(video=source).values_list("pk", flat=True)
    return Page.objects.filter(pk__in=ids)


def task_states_awaiting_review(user: AbstractBaseUser) -> QuerySet:
    """Items on a workflow step this user can act on (approval or technical check)."""
    return TaskState.objects.reviewable_by(user).select_related(
        "workflow_state", "task"
    )


def items_sent_back(user: AbstractBaseUser) -> QuerySet:
    """The user's submissions a reviewer requested changes on."""
    return (
        WorkflowState.objects.filter(
            status=WorkflowState.STATUS_NEEDS_CHANGES, requested_by=user
        )
        .select_related("current_task_state")
        .order_by("-created_at")
    )


def failed_jobs(user: AbstractBaseUser) -> QuerySet:
    """Failed renditions of media this user may change (their collections)."""
    from .permissions import image_policy_get

    image_policy = image_policy_get()
    from wagtailmedia.permissions import permission_policy as media_policy

    media = media_policy.instances_user_has_permission_for(user, "change")
    images = image_policy.instances_user_has_permission_for(user, "change")
    return (
        RenditionJob.objects.filter(status=RenditionJob.Status.FAILED)
        .filter(Q(media__in=media.values("pk")) | Q(image__in=images.values("pk")))
        .select_related("media", "image")
        .order_by("-finished_at")
    )


def user_can_change_source(user: AbstractBaseUser, source: LoaMedia | LoaImage) -> bool:
    """Collection-aware: a district editor may re-render only their district's media."""
    from .permissions import image_policy_get

    image_policy = image_policy_get()
    from wagtailmedia.permissions import permission_policy as media_policy

    policy = image_policy if isinstance(source, LoaImage) else media_policy
    return policy.user_has_permission_for_instance(user, "change", source)


def user_can_bulk_upload(user: AbstractBaseUser) -> bool:
    """May add media somewhere and pages under some library folder."""
    from wagtailmedia.permissions import permission_policy as media_policy

    from .models import LibraryIndexPage

    if not media_policy.user_has_permission(user, "add"):
        return False
    return any(
        page.permissions_for_user(user).can_add_subpage()
        for page in LibraryIndexPage.objects.all()
    )
