"""Content types: the library of radio items, videos, posters and photos, and the
records they are described with (languages, audiences, campaigns, themes)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index


class Language(models.Model):
    """Languages content is made in: Vietnamese plus the province's minority languages."""

    code = models.SlugField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=64)

    class Meta:
        verbose_name = _("language")
        verbose_name_plural = _("languages")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Audience(models.Model):
    """The plan's target groups."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=120)

    class Meta:
        verbose_name = _("audience")
        verbose_name_plural = _("audiences")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Theme(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)

    class Meta:
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Campaign(models.Model):
    """A communication campaign under one of the plan's six task areas."""

    class Task(models.IntegerChoices):
        DISSEMINATE = 1, _("1. Disseminate Decision 1079/QĐ-TTg")
        PRESS = 2, _("2. Inform the press")
        TRAINING = 3, _("3. Train communicators")
        PRODUCTS = 4, _("4. Build communication products")
        EXTERNAL = 5, _("5. External information")
        CONTESTS = 6, _("6. Contests")

    name = models.CharField(_("name"), max_length=200)
    task = models.PositiveSmallIntegerField(_("plan task"), choices=Task.choices)
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"))
    description = models.TextField(_("description"), blank=True)

    panels = [
        FieldPanel("name"),
        FieldPanel("task"),
        FieldPanel("start_date"),
        FieldPanel("end_date"),
        FieldPanel("description"),
    ]

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-start_date"]

    def __str__(self) -> str:
        return self.name


class HomePage(Page):
    intro = RichTextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]

    max_count = 1

    class Meta:
        verbose_name = _("home page")


class LibraryIndexPage(Page):
    """A folder of content items: the province library, or one district's."""

    intro = RichTextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    subpage_types = [
        "cms.LibraryIndexPage",
        "cms.RadioItemPage",
        "cms.VideoItemPage",
        "cms.PosterPage",
        "cms.PhotoPage",
    ]

    class Meta:
        verbose_name = _("content library")


class ContentItemTag(TaggedItemBase):
    content_object = ParentalKey(
        "cms.ContentItemPage", on_delete=models.CASCADE, related_name="tagged_items"
    )


class ContentItemPage(Page):
    """Fields every library item has. Concrete types add their media."""

    summary = models.TextField(_("summary"), blank=True)
    transcript = RichTextField(
        _("script or transcript"),
        blank=True,
        help_text=_(
            "Used for captions, for deaf and hard-of-hearing people, and by stations without the recording."
        ),
    )
    language = models.ForeignKey(
        Language,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("language"),
    )
    audiences = ParentalManyToManyField(
        Audience, blank=True, verbose_name=_("audiences")
    )
    campaign = models.ForeignKey(
        Campaign,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("campaign"),
    )
    themes = ParentalManyToManyField(Theme, blank=True, verbose_name=_("themes"))
    tags = ClusterTaggableManager(
        through=ContentItemTag, blank=True, verbose_name=_("tags")
    )
    producing_unit = models.ForeignKey(
        "broadcast.Unit",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("producing unit"),
    )
    credits = models.TextField(_("credits"), blank=True)
    rights = models.CharField(_("rights and licence"), max_length=255, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)

    description_panels = [
        FieldPanel("summary"),
        FieldPanel("transcript"),
        MultiFieldPanel(
            [
                FieldPanel("language"),
                FieldPanel("audiences"),
                FieldPanel("campaign"),
                FieldPanel("themes"),
                FieldPanel("tags"),
            ],
            heading=_("Classification"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("producing_unit"),
                FieldPanel("credits"),
                FieldPanel("rights"),
                FieldPanel("valid_from"),
                FieldPanel("valid_until"),
            ],
            heading=_("Origin and validity"),
        ),
    ]

    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("transcript"),
        index.FilterField("language"),
        index.FilterField("campaign"),
        index.FilterField("valid_until"),
    ]

    parent_page_types = ["cms.LibraryIndexPage"]
    subpage_types: list[str] = []
    # Only the concrete types below are created; this table lets every query treat
    # the library as one list.
    is_creatable = False

    class Meta:
        verbose_name = _("content item")

    def is_valid_on(self, day=None) -> bool:
        day = day or timezone.localdate()
        if self.valid_from and day < self.valid_from:
            return False
        return not (self.valid_until and day > self.valid_until)


class RadioItemPage(ContentItemPage):
    class Format(models.TextChoices):
        REPORT = "report", _("Report")
        SKETCH = "sketch", _("Sketch")
        NEWS = "news", _("News")
        INTERVIEW = "interview", _("Interview")
        ANNOUNCEMENT = "announcement", _("Announcement")

    format = models.CharField(_("format"), max_length=16, choices=Format.choices)
    audio = models.ForeignKey(
        "media_pipeline.LoaMedia",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("audio"),
    )

    content_panels = Page.content_panels + [
        FieldPanel("format"),
        FieldPanel("audio"),
        *ContentItemPage.description_panels,
    ]

    class Meta:
        verbose_name = _("radio item")
        verbose_name_plural = _("radio items")

    @property
    def media_source(self):
        return self.audio


class VideoItemPage(ContentItemPage):
    video = models.ForeignKey(
        "media_pipeline.LoaMedia",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("video"),
    )
    captions = models.ForeignKey(
        "wagtaildocs.Document",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("captions (SRT or WebVTT)"),
    )

    content_panels = Page.content_panels + [
        FieldPanel("video"),
        FieldPanel("captions"),
        *ContentItemPage.description_panels,
    ]

    class Meta:
        verbose_name = _("video")
        verbose_name_plural = _("videos")

    @property
    def media_source(self):
        return self.video


class PosterPage(ContentItemPage):
    image = models.ForeignKey(
        "media_pipeline.LoaImage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("poster"),
    )

    content_panels = Page.content_panels + [
        FieldPanel("image"),
        *ContentItemPage.description_panels,
    ]

    class Meta:
        verbose_name = _("poster")
        verbose_name_plural = _("posters")

    @property
    def media_source(self):
        return self.image


class PhotoPage(ContentItemPage):
    class Kind(models.TextChoices):
        DOCUMENTARY = "documentary", _("Documentary photo")
        PAINTING = "painting", _("Painting")

    kind = models.CharField(
        _("kind"), max_length=16, choices=Kind.choices, default=Kind.DOCUMENTARY
    )
    image = models.ForeignKey(
        "media_pipeline.LoaImage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("photo"),
    )

    content_panels = Page.content_panels + [
        FieldPanel("kind"),
        FieldPanel("image"),
        *ContentItemPage.description_panels,
    ]

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    @property
    def media_source(self):
        return self.image
