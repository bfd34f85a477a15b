"""Touring exhibitions of posters, documentary photos and paintings."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.images.blocks import ImageChooserBlock
from wagtail.models import Orderable, Page
from wagtail.search import index

from cms.forms import LoaPageForm
from cms.models import FOLDED_SEARCH_FIELDS
from cms.text import fold
from loa.textsafe import validate_single_line


class ExhibitionPage(Page):
    """A touring exhibition: ordered exhibits grouped in sections, and its stops."""

    description = RichTextField(_("description"), blank=True)
    curating_unit = models.ForeignKey(
        "units.Unit",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("curating unit"),
    )
    start_date = models.DateField(_("from"), null=True, blank=True)
    end_date = models.DateField(_("until"), null=True, blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("description"),
        FieldPanel("curating_unit"),
        FieldRowPanel([FieldPanel("start_date"), FieldPanel("end_date")]),
        InlinePanel("exhibits", heading=_("Exhibits"), label=_("exhibit")),
        InlinePanel("stops", heading=_("Touring stops"), label=_("stop")),
    ]

    search_fields = Page.search_fields + [
        index.SearchField("description"),
        *FOLDED_SEARCH_FIELDS,
    ]

    parent_page_types = ["cms.HomePage"]
    subpage_types: list[str] = []
    # One-line titles (and readable slugs), as for every other Loa page.
    base_form_class = LoaPageForm

    class Meta:
        verbose_name = _("exhibition")
        verbose_name_plural = _("exhibitions")

    def folded_text(self) -> str:
        """Title and description without diacritics, for search (see cms.search)."""
        return fold(f"{self.title} {strip_tags(self.description)}")

    def visitors_total(self) -> int | None:
        """Visitors over the stops recorded so far; None before any is recorded."""
        counts = [
            s.visitor_count for s in self.stops.all() if s.visitor_count is not None
        ]
        return sum(counts) if counts else None

    def sections(self) -> list[tuple[str, list[Exhibit]]]:
        """Exhibits in order, grouped under consecutive section headings."""
        from media_pipeline.models import LoaImage

        from .renditions import EXHIBIT_SPECS

        exhibits = list(self.exhibits.all())
        # Images and their renditions in two queries, not two per exhibit.
        images = LoaImage.objects.filter(
            pk__in=[e.image_id for e in exhibits]
        ).prefetch_renditions(*EXHIBIT_SPECS)
        by_id = {image.pk: image for image in images}
        groups: list[tuple[str, list[Exhibit]]] = []
        for exhibit in exhibits:
            if exhibit.image_id in by_id:
                exhibit.image = by_id[exhibit.image_id]
            if not groups or groups[-1][0] != exhibit.section:
                groups.append((exhibit.section, []))
            groups[-1][1].append(exhibit)
        return groups


class Exhibit(Orderable):
    page = ParentalKey(
        ExhibitionPage, on_delete=models.CASCADE, related_name="exhibits"
    )
    section = models.CharField(
        _("section"),
        max_length=200,
        blank=True,
        validators=[validate_single_line],
        help_text=_("Consecutive exhibits with the same section are shown together."),
    )
    image = models.ForeignKey(
        "media_pipeline.LoaImage",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("image"),
    )
    alt_text = models.CharField(
        _("alt text"),
        max_length=400,
        validators=[validate_single_line],
        help_text=_(
            "What the image shows, for people who cannot see it. Read aloud by "
            "screen readers."
        ),
    )
    # One-line text, like titles: a line break or control character is refused.
    caption = models.CharField(
        _("caption"), max_length=400, blank=True, validators=[validate_single_line]
    )
    author = models.CharField(
        _("author or source"),
        max_length=255,
        blank=True,
        validators=[validate_single_line],
    )
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    place = models.CharField(
        _("place"), max_length=255, blank=True, validators=[validate_single_line]
    )
    credit = models.CharField(
        _("credit"), max_length=255, blank=True, validators=[validate_single_line]
    )
    is_poster = models.BooleanField(
        _("printable poster"),
        default=False,
        help_text=_("Offer print-ready downloads (original, A3 and A2 PDF)."),
    )

    panels = [
        FieldPanel("section"),
        FieldPanel("image"),
        FieldPanel("alt_text"),
        FieldPanel("caption"),
        FieldRowPanel([FieldPanel("author"), FieldPanel("year"), FieldPanel("place")]),
        FieldPanel("credit"),
        FieldPanel("is_poster"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("exhibit")
        verbose_name_plural = _("exhibits")


class ExhibitionStop(Orderable):
    """Where and when the exhibition is shown; the outcome is recorded afterwards."""

    page = ParentalKey(ExhibitionPage, on_delete=models.CASCADE, related_name="stops")
    commune = models.ForeignKey(
        "units.Unit",
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": "commune"},
        verbose_name=_("commune"),
    )
    venue = models.CharField(
        _("venue"), max_length=255, validators=[validate_single_line]
    )
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"))
    visitor_count = models.PositiveIntegerField(
        _("visitors"), null=True, blank=True, help_text=_("Recorded after the stop.")
    )
    event_photos = StreamField(
        [("photo", ImageChooserBlock(label=_("photo")))],
        blank=True,
        verbose_name=_("event photos"),
    )

    panels = [
        FieldPanel("commune"),
        FieldPanel("venue"),
        FieldRowPanel([FieldPanel("start_date"), FieldPanel("end_date")]),
        MultiFieldPanel(
            [FieldPanel("visitor_count"), FieldPanel("event_photos")],
            heading=_("After the stop"),
        ),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("touring stop")
        verbose_name_plural = _("touring stops")

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The stop ends before it starts.")})

    @property
    def is_past(self) -> bool:
        return self.end_date < timezone.localdate()
