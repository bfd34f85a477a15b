"""RSS and Atom feeds of the newest public items and exhibitions."""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _

from . import selectors

FEED_LENGTH = 30


class LatestItemsFeed(Feed):
    title = _("Loa: new in the gallery")
    link = "/gallery/"
    description = _("Radio features, videos, posters, photos and exhibitions.")

    def items(self):
        ids = list(
            selectors.public_pages()
            .order_by("-first_published_at", "-pk")
            .values_list("pk", flat=True)[:FEED_LENGTH]
        )
        return selectors.specific_in_order(ids)

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return getattr(item, "summary", "") or strip_tags(
            getattr(item, "description", "")
        )

    def item_link(self, item):
        return item.get_url()

    def item_pubdate(self, item):
        return item.first_published_at

    def item_updateddate(self, item):
        return item.last_published_at


class LatestItemsAtomFeed(LatestItemsFeed):
    feed_type = Atom1Feed
    subtitle = LatestItemsFeed.description
