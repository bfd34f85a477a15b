"""Publishing changes what the public sees: empty the page cache, and make the
images' renditions before anyone asks for them."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from wagtail.models import Page
from wagtail.signals import page_published, page_slug_changed, page_unpublished

from cms.models import Campaign, Language, Theme

from .middleware import invalidate_public_cache


def _invalidate_now_and_after_commit() -> None:
    # Now for this process's next request; after commit again, because a request
    # served in between may have cached the page as it was before the change.
    invalidate_public_cache()
    transaction.on_commit(invalidate_public_cache)


@receiver(page_published)
def page_went_live(sender, instance, **kwargs):
    _invalidate_now_and_after_commit()
    from .tasks import prepare_renditions

    page_id = instance.pk
    transaction.on_commit(lambda: prepare_renditions.delay(page_id))


@receiver(page_unpublished)
@receiver(page_slug_changed)
def page_changed(sender, instance, **kwargs):
    _invalidate_now_and_after_commit()


@receiver(post_delete, sender=Page)
@receiver(post_save, sender=Campaign)
@receiver(post_delete, sender=Campaign)
@receiver(post_save, sender=Theme)
@receiver(post_save, sender=Language)
def listing_data_changed(sender, **kwargs):
    _invalidate_now_and_after_commit()
