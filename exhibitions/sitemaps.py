from django.db.models import Q
from django.utils import timezone
from wagtail.contrib.sitemaps import Sitemap


class PublicSitemap(Sitemap):
    """Wagtail's sitemap without expired pages or items outside their validity."""

    def items(self):
        from cms.models import ContentItemPage

        today = timezone.localdate()
        invalid = ContentItemPage.objects.filter(
            Q(valid_until__lt=today) | Q(valid_from__gt=today)
        ).values("pk")
        return super().items().filter(expired=False).exclude(pk__in=invalid)
