"""Ingest starts when an original is saved: probing, hashing and transcoding run in
tasks after the transaction commits, never in the upload request."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal, receiver

from .models import LoaImage, LoaMedia, RenditionJob

# Sent (with job_id=...) after the commit that makes a rendition job DONE. Other apps
# (broadcast builds packages for stations waiting on it) listen without
# media_pipeline importing them.
rendition_done = Signal()


def _file_changed(instance) -> bool:
    return bool(instance.file) and instance.file.name != instance.probe.get("file_name")


@receiver(post_save, sender=LoaMedia)
@receiver(post_save, sender=LoaImage)
def start_ingest(sender, instance, created, **kwargs):
    if kwargs.get("raw") or not _file_changed(instance):
        return
    from .tasks import ingest

    kind = "media" if sender is LoaMedia else "image"
    transaction.on_commit(lambda: ingest.delay(kind, instance.pk))


@receiver(post_delete, sender=LoaMedia)
@receiver(post_delete, sender=LoaImage)
@receiver(post_delete, sender=RenditionJob)
def delete_files_after_commit(sender, instance, **kwargs):
    # Only once the row is really gone: a rolled-back delete keeps its files.
    files = [instance.file] if instance.file else []
    if getattr(instance, "thumbnail", None):
        files.append(instance.thumbnail)
    for f in files:
        transaction.on_commit(lambda f=f: f.storage.delete(f.name))
    if sender is RenditionJob and instance.file:
        # A rendition's side files: poster frame, WebVTT track.
        storage = instance.file.storage
        for key in instance.SIDE_FILES:
            name = instance.extra.get(key)
            if name:
                transaction.on_commit(lambda n=name: storage.delete(n))
