"""Reads for the public site: what the public may see, the gallery listing, the home
page. Every listing runs a fixed number of queries whatever its length."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.cache import cache
from django.core.paginator import Page as PaginatorPage
from django.core.paginator import Paginator
from django.db.models import Max, Min, Q
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page, PageViewRestriction

from cms.models import (
    Campaign,
    ContentItemPage,
    Language,
    PhotoPage,
    PosterPage,
    RadioItemPage,
    Theme,
    VideoItemPage,
)
from media_pipeline.models import LoaImage, RenditionJob

from .models import Exhibit, ExhibitionPage, ExhibitionStop
from .renditions import CARD_SPECS

PER_PAGE = 24

# The gallery's types, in the order the filter offers them.
KINDS: dict[str, tuple[type[Page], str]] = {
    "exhibition": (ExhibitionPage, _("Exhibitions")),
    "poster": (PosterPage, _("Posters")),
    "photo": (PhotoPage, _("Photos")),
    "video": (VideoItemPage, _("Videos")),
    "radio": (RadioItemPage, _("Radio features")),
}
KIND_OF_MODEL = {model: kind for kind, (model, _label) in KINDS.items()}


def public_pages(*, today: datetime.date | None = None):
    """Live, public, unexpired pages of the gallery's types, valid today."""
    today = today or timezone.localdate()
    valid = Q(contentitempage__isnull=True) | (
        (
            Q(contentitempage__valid_from__isnull=True)
            | Q(contentitempage__valid_from__lte=today)
        )
        & (
            Q(contentitempage__valid_until__isnull=True)
            | Q(contentitempage__valid_until__gte=today)
        )
    )
    return (
        Page.objects.live()
        .public()
        .filter(expired=False)
        .type(*(model for model, _label in KINDS.values()))
        .filter(valid)
    )


def is_public(page: Page, *, today: datetime.date | None = None) -> bool:
    """Whether an anonymous visitor may see `page` (drafts, private, withdrawn and
    expired pages answer 404)."""
    if not page.live or page.expired:
        return False
    if isinstance(page, ContentItemPage) and not page.is_valid_on(today):
        return False
    return not PageViewRestriction.objects.filter(
        page__in=page.get_ancestors(inclusive=True)
    ).exists()


@dataclass
class GalleryFilters:
    kind: str = ""
    theme: int | None = None
    campaign: int | None = None
    year: int | None = None
    language: str = ""
    q: str = ""

    @property
    def any(self) -> bool:
        return bool(
            self.kind
            or self.theme
            or self.campaign
            or self.year
            or self.language
            or self.q
        )


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def gallery_filters_from_query(query: QueryDict) -> GalleryFilters:
    """Filters from a query string; values that cannot be right are ignored."""
    kind = query.get("type", "")
    year = _int_or_none(query.get("year"))
    return GalleryFilters(
        kind=kind if kind in KINDS else "",
        theme=_int_or_none(query.get("theme")),
        campaign=_int_or_none(query.get("campaign")),
        year=year if year and 1900 <= year <= 2200 else None,
        language=query.get("language", "")[:16],
        q=query.get("q", "").strip()[:200],
    )


@dataclass
class Card:
    """One gallery entry: the specific page and the image to show for it."""

    page: Page
    kind: str
    kind_label: str
    image: LoaImage | None = None
    alt: str = ""


@dataclass
class GalleryResults:
    cards: list[Card]
    page: PaginatorPage
    count: int
    filter_options: dict = field(default_factory=dict)


def _filtered_pages(filters: GalleryFilters):
    """The public pages matching `filters`, newest first, as a query (or the search
    index's results) that the paginator reads one page of."""
    qs = public_pages()
    if filters.kind:
        qs = qs.type(KINDS[filters.kind][0])
    if filters.theme:
        # A subquery, not a join, so an item with two themes is still one row.
        qs = qs.filter(
            pk__in=ContentItemPage.objects.filter(themes=filters.theme).values("pk")
        )
    if filters.campaign:
        qs = qs.filter(contentitempage__campaign=filters.campaign)
    if filters.language:
        qs = qs.filter(contentitempage__language__code=filters.language)
    if filters.year:
        qs = qs.filter(first_published_at__year=filters.year)
    if filters.q:
        # The search index, as in the admin: cms.search folds the query and the
        # pages index their folded text, so "quyen" finds "quyền".
        found = Page.objects.live().search(filters.q, order_by_relevance=False)
        qs = qs.filter(pk__in=[page.pk for page in found])
    return qs.order_by("-first_published_at", "-pk").values_list("pk", flat=True)


def cards_for(pages: list[Page]) -> list[Card]:
    """Cards for specific pages, with their images and renditions in fixed queries."""
    exhibition_ids = [p.pk for p in pages if isinstance(p, ExhibitionPage)]
    first_exhibit: dict[int, Exhibit] = {}
    for exhibit in Exhibit.objects.filter(page_id__in=exhibition_ids).order_by(
        "page_id", "sort_order", "pk"
    ):
        first_exhibit.setdefault(exhibit.page_id, exhibit)
    image_ids = {getattr(p, "image_id", None) for p in pages} | {
        e.image_id for e in first_exhibit.values()
    }
    images = LoaImage.objects.filter(pk__in=image_ids - {None}).prefetch_renditions(
        *CARD_SPECS
    )
    image_by_id = {image.pk: image for image in images} if image_ids - {None} else {}
    cards = []
    for page in pages:
        kind = KIND_OF_MODEL.get(type(page), "")
        # The singular name ("poster"); KINDS holds the filter's plural labels.
        card = Card(page=page, kind=kind, kind_label=page._meta.verbose_name)
        if isinstance(page, ExhibitionPage) and page.pk in first_exhibit:
            exhibit = first_exhibit[page.pk]
            card.image, card.alt = image_by_id.get(exhibit.image_id), exhibit.alt_text
        elif getattr(page, "image_id", None):
            card.image = image_by_id.get(page.image_id)
            card.alt = card.image.description if card.image else ""
        cards.append(card)
    return cards


def specific_in_order(ids: list[int]) -> list[Page]:
    by_id = {p.pk: p for p in Page.objects.filter(pk__in=ids).specific()}
    return [by_id[pk] for pk in ids if pk in by_id]


def filter_options() -> dict:
    """What the filter form offers: only values public items actually use.

    Reading them scans the whole library, so they are cached like the public pages:
    until the next publication (the cache generation) or the next day (validity).
    """
    options = _cached("filters", _filter_options)
    # The labels are translated per request, so they stay out of the cache.
    return {"kinds": [(k, label) for k, (_model, label) in KINDS.items()], **options}


def _cached(name: str, read):
    """`read()`, kept until the next publication (the public cache generation) or
    the next day (validity periods)."""
    from .middleware import CACHE_TIMEOUT, cache_generation

    key = f"loa:gallery:{name}:{cache_generation()}:{timezone.localdate()}"
    value = cache.get(key)
    if value is None:
        value = read()
        cache.set(key, value, CACHE_TIMEOUT)
    return value


def _filter_options() -> dict:
    item_ids = public_pages().type(ContentItemPage).values("pk")
    # Min and max, not a DISTINCT over every row's year (a function call per row).
    span = public_pages().aggregate(
        first=Min("first_published_at"), last=Max("first_published_at")
    )
    years = []
    if span["first"] and span["last"]:
        first = timezone.localtime(span["first"]).year
        years = list(range(timezone.localtime(span["last"]).year, first - 1, -1))
    return {
        "themes": list(Theme.objects.filter(contentitempage__in=item_ids).distinct()),
        "campaigns": list(
            Campaign.objects.filter(
                pk__in=ContentItemPage.objects.filter(pk__in=item_ids).values(
                    "campaign"
                )
            )
        ),
        "languages": list(
            Language.objects.filter(
                pk__in=ContentItemPage.objects.filter(pk__in=item_ids).values(
                    "language"
                )
            )
        ),
        "years": years,
    }


def gallery_search(
    *, filters: GalleryFilters, page_number: str | int | None = 1
) -> GalleryResults:
    """One page of the gallery for `filters`, newest first."""
    paginator = Paginator(_filtered_pages(filters), PER_PAGE)
    page = paginator.get_page(page_number)
    return GalleryResults(
        cards=cards_for(specific_in_order(list(page.object_list))),
        page=page,
        count=paginator.count,
        filter_options=filter_options(),
    )


def latest_cards(*, limit: int = 8) -> list[Card]:
    ids = list(
        public_pages()
        .type(ContentItemPage)
        .order_by("-first_published_at", "-pk")
        .values_list("pk", flat=True)[:limit]
    )
    return cards_for(specific_in_order(ids))


def current_campaigns(*, today: datetime.date | None = None):
    today = today or timezone.localdate()
    return Campaign.objects.filter(start_date__lte=today, end_date__gte=today)


def upcoming_stops(*, today: datetime.date | None = None, limit: int = 6):
    """Stops of public exhibitions that have not ended yet, soonest first."""
    today = today or timezone.localdate()
    exhibitions = public_pages(today=today).type(ExhibitionPage).values("pk")
    return (
        ExhibitionStop.objects.filter(page_id__in=exhibitions, end_date__gte=today)
        .select_related("page", "commune", "commune__parent")
        .order_by("start_date", "pk")[:limit]
    )


def web_rendition(media_id: int | None, profile: str) -> RenditionJob | None:
    """The finished web rendition of an audio/video original, newest first."""
    if not media_id:
        return None
    return (
        RenditionJob.objects.filter(
            media_id=media_id, profile=profile, status=RenditionJob.Status.DONE
        )
        .order_by("-finished_at")
        .first()
    )


def public_rendition(job_id: int) -> RenditionJob | None:
    """A web rendition whose original belongs to a page the public may see."""
    job = (
        RenditionJob.objects.filter(
            pk=job_id,
            profile__startswith="web-",
            status=RenditionJob.Status.DONE,
            media__isnull=False,
        )
        .select_related("media")
        .first()
    )
    if job is None:
        return None
    visible = public_pages().filter(
        Q(contentitempage__radioitempage__audio_id=job.media_id)
        | Q(contentitempage__videoitempage__video_id=job.media_id)
        | Q(contentitempage__language_versions__media_id=job.media_id)
    )
    return job if visible.exists() else None


def public_print_image(image_id: int) -> LoaImage | None:
    """An image the public may download for printing: a public poster's, or a
    poster exhibit's of a public exhibition."""
    pages = public_pages()
    as_poster = pages.filter(contentitempage__posterpage__image_id=image_id)
    as_exhibit = Exhibit.objects.filter(
        image_id=image_id, is_poster=True, page__in=pages.type(ExhibitionPage)
    )
    if not (as_poster.exists() or as_exhibit.exists()):
        return None
    return LoaImage.objects.filter(pk=image_id).first()
