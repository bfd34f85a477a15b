"""When a rendition finishes, items waiting on their technical check may move on to
the reviewer without anyone clicking. New accounts made with a demo password are
marked for production's start-up check. Publishing, unpublishing and expiry move
the renditions of a page's media public or private."""

from django.conf import settings
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


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def mark_new_accounts_with_a_demo_password(sender, instance, created, **kwargs):
    # set_password() + save() reaches the validators (DemoPasswordValidator);
    # the managers' create_user() stores a hash directly and does not.
    if not created or kwargs.get("raw") or instance._password is not None:
        return
    from .security import demo_password_mark_new_account

    demo_password_mark_new_account(instance)


@receiver(page_published)
@receiver(page_unpublished)
def place_page_files(sender, instance, **kwargs):
    # Wagtail's expiry (publish_scheduled) unpublishes, so it lands here too.
    from .tasks import place_page_files

    page_id = instance.pk
    transaction.on_commit(lambda: place_page_files.delay(page_id))
