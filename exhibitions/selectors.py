"""Reads for the public site: what the public may see, the gallery listing, the home
page. Every listing runs a fixed number of queries whatever its length."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Exists, F, OuterRef, Q
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
# Deeper pages cost an OFFSET that grows with the page number; nobody pages this far.
MAX_PAGE = 1000

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
    return of_types(
        Page.objects.live().public().filter(expired=False),
        *(model for model, _label in KINDS.values()),
    ).filter(valid)


def of_types(pages, *models: type[Page]):
    """`pages.type(*models)`, written so the database can walk the pages newest first
    (the first_published_at index) and stop after one page of the listing.

    With Wagtail's indexed content-type test the database picks that index instead,
    then reads and sorts every item of those types, and the listing grows with the
    library; "+ 0" keeps the same test off the index.
    """
    (lookup, content_types) = Page.objects.type_q(*models).children[0]
    assert lookup == "content_type__in"  # what Wagtail's type_q() builds
    return pages.alias(_loa_type=F("content_type_id") + 0).filter(
        _loa_type__in=[ct.pk for ct in content_types]
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


@dataclass(frozen=True)
class GalleryPage:
    """Where a listing page sits. The library is not counted (that reads every row):
    reading one row more than a page says whether a next page exists."""

    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1


@dataclass
class GalleryResults:
    cards: list[Card]
    page: GalleryPage
    # Known when this is the last page (every match has been read), else None.
    count: int | None
    filter_options: dict = field(default_factory=dict)


def _filtered_pages(filters: GalleryFilters):
    """The public pages matching `filters`, newest first, as a query (or the search
    index's results) that the paginator reads one page of."""
    qs = public_pages()
    if filters.kind:
        qs = of_types(qs, KINDS[filters.kind][0])
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

    They are cached like the public pages: until the next publication (the cache
    generation) or the next day (validity).
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
    # Each option is asked whether one public item uses it (EXISTS stops at the first)
    # and the years come from the newest and oldest items (two index walks): nothing
    # here reads the whole library.
    items = public_pages()
    newest, oldest = (
        items.filter(first_published_at__isnull=False)
        .order_by(order)
        .values_list("first_published_at", flat=True)
        .first()
        for order in ("-first_published_at", "first_published_at")
    )
    years = []
    if newest and oldest:
        first = timezone.localtime(oldest).year
        years = list(range(timezone.localtime(newest).year, first - 1, -1))
    return {
        "themes": list(
            Theme.objects.filter(
                Exists(items.filter(contentitempage__themes=OuterRef("pk")))
            )
        ),
        "campaigns": list(
            Campaign.objects.filter(
                Exists(items.filter(contentitempage__campaign=OuterRef("pk")))
            )
        ),
        "languages": list(
            Language.objects.filter(
                Exists(items.filter(contentitempage__language=OuterRef("pk")))
            )
        ),
        "years": years,
    }


def _page_number(value: str | int | None) -> int:
    """A page number from the query string; anything that cannot be one is 1."""
    try:
        number = int(value or 1)
    except (TypeError, ValueError):
        return 1
    return number if 1 <= number <= MAX_PAGE else 1


def gallery_search(
    *, filters: GalleryFilters, page_number: str | int | None = 1
) -> GalleryResults:
    """One page of the gallery for `filters`, newest first."""
    pages = _filtered_pages(filters)
    number = _page_number(page_number)
    start = (number - 1) * PER_PAGE
    ids = list(pages[start : start + PER_PAGE + 1])
    if not ids and number > 1:
        # Past the last page (an old link after items were withdrawn): the first.
        number, start, ids = 1, 0, list(pages[: PER_PAGE + 1])
    has_next = len(ids) > PER_PAGE
    ids = ids[:PER_PAGE]
    return GalleryResults(
        cards=cards_for(specific_in_order(ids)),
        page=GalleryPage(number=number, has_next=has_next),
        count=None if has_next else start + len(ids),
        filter_options=filter_options(),
    )


def latest_cards(*, limit: int = 8) -> list[Card]:
    ids = list(
        of_types(public_pages(), ContentItemPage)
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
