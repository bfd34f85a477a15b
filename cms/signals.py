"""When a rendition finishes, items waiting on their technical check may move on to
the reviewer without anyone clicking."""

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from media_pipeline.models import RenditionJob


@receiver(post_save, sender=RenditionJob)
def advance_technical_checks(sender, instance, **kwargs):
    if kwargs.get("raw") or instance.status != RenditionJob.Status.DONE:
        return
    from .services import technical_checks_advance

    source = instance.source
    transaction.on_commit(lambda: technical_checks_advance(source=source))
