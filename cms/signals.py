"""When a rendition finishes, items waiting on their technical check may move on to
the reviewer without anyone clicking. Publishing, unpublishing and expiry move
the renditions of a page's media public or private."""

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver
from wagtail.signals import page_published, page_unpublished

from media_pipeline.models import LoaMedia, RenditionJob


@receiver(post_save, sender=RenditionJob)
def advance_technical_checks(sender, instance, **kwargs):
    if kwargs.get("raw") or instance.status != RenditionJob.Status.DONE:
        return
    from .services import technical_checks_advance

    source = instance.source
    transaction.on_commit(lambda: technical_checks_advance(source=source))


@receiver(post_save, sender=LoaMedia)
def caption_videos_when_ready(sender, instance, **kwargs):
    # Ingest makes the caption-less renditions; items with captions get theirs here.
    if kwargs.get("raw") or instance.ingest_status != LoaMedia.IngestStatus.READY:
        return
    from .models import VideoItemPage
    from .services import video_captions_sync

    for page in VideoItemPage.objects.filter(video=instance, captions__isnull=False):
        video_captions_sync(page=page)


@receiver(page_published)
@receiver(page_unpublished)
def place_page_files(sender, instance, **kwargs):
    # Wagtail's expiry (publish_scheduled) unpublishes, so it lands here too.
    from .tasks import place_page_files

    page_id = instance.pk
    transaction.on_commit(lambda: place_page_files.delay(page_id))
