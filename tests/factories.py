"""Test factories (factory-boy): one way to build each object the tests need.

The fixture sets in tests/broadcast, tests/cms and tests/exhibitions build their
objects through these, so a model change is followed in one place.

Pages take `parent=` (required) and `publish=` (default True: a live page with a
published revision; False: a draft with one saved revision).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import factory
from django.core.files import File
from factory.django import DjangoModelFactory

from broadcast.models import Station
from cms.models import (
    HomePage,
    LibraryIndexPage,
    PhotoPage,
    PosterPage,
    RadioItemPage,
    VideoItemPage,
)
from cms.text import vn_slugify
from exhibitions.models import ExhibitionPage
from loa.units.models import Unit
from media_pipeline.models import LoaImage, LoaMedia
from tests.media import speechlike_wav


class UnitFactory(DjangoModelFactory):
    class Meta:
        model = Unit
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"Xã {n}")
    code = factory.LazyAttribute(lambda o: vn_slugify(o.name))
    level = Unit.Level.COMMUNE


class StationFactory(DjangoModelFactory):
    class Meta:
        model = Station

    unit = factory.SubFactory(UnitFactory)
    name = factory.LazyAttribute(lambda o: f"Đài {o.unit.name}")
    code = factory.Sequence(lambda n: f"dai-{n}")
    kind = Station.Kind.COMMUNE_LOUDSPEAKER


class ImageFactory(DjangoModelFactory):
    """A small PNG drawn by Pillow (file__width, file__height, file__color)."""

    class Meta:
        model = LoaImage

    title = factory.Sequence(lambda n: f"Ảnh {n}")
    description = factory.LazyAttribute(lambda o: f"Mô tả {o.title}")
    credit = "Sở VHTTDL"
    file = factory.django.ImageField(
        width=64,
        height=48,
        color="#a3120f",
        format="PNG",
        filename="anh.png",
    )


class AudioMediaFactory(DjangoModelFactory):
    """An audio original: `seconds` of speech-like sound made by ffmpeg. Saving it
    queues the pipeline on commit (run it with django_capture_on_commit_callbacks)."""

    class Meta:
        model = LoaMedia

    title = factory.Sequence(lambda n: f"Bản ghi {n}")
    type = "audio"

    @classmethod
    def _create(cls, model_class, *args, seconds: float = 1.0, **kwargs):
        media = model_class(**kwargs)
        with tempfile.TemporaryDirectory(prefix="loa-factory-") as tmp:
            name = f"{vn_slugify(media.title) or 'audio'}.wav"
            wav = speechlike_wav(Path(tmp) / name, seconds=seconds)
            with open(wav, "rb") as fh:
                media.file.save(name, File(fh), save=True)
        return media


class PageFactory(DjangoModelFactory):
    class Meta:
        abstract = True

    # No slug: pages make theirs from the title, unique among siblings.
    title = factory.Sequence(lambda n: f"Trang {n}")

    @classmethod
    def _create(cls, model_class, *args, parent=None, publish: bool = True, **kwargs):
        if parent is None:
            raise TypeError(f"{cls.__name__} needs parent=")
        if not publish:
            kwargs.setdefault("live", False)
        page = parent.add_child(instance=model_class(**kwargs))
        revision = page.save_revision()
        if publish:
            revision.publish()
            page.refresh_from_db()
        return page


class HomePageFactory(PageFactory):
    class Meta:
        model = HomePage

    title = "Loa — Bình Phước"
    slug = "trang-chu"


class LibraryFactory(PageFactory):
    class Meta:
        model = LibraryIndexPage

    title = "Thư viện nội dung"
    slug = "thu-vien"


class RadioItemFactory(PageFactory):
    class Meta:
        model = RadioItemPage

    title = "Bản tin quyền con người"
    format = "news"


class VideoItemFactory(PageFactory):
    class Meta:
        model = VideoItemPage

    title = "Phim tư liệu"


class PosterFactory(PageFactory):
    class Meta:
        model = PosterPage

    title = "Tranh cổ động"
    image = factory.SubFactory(ImageFactory)


class PhotoFactory(PageFactory):
    class Meta:
        model = PhotoPage

    title = "Ảnh tư liệu"
    image = factory.SubFactory(ImageFactory)


class ExhibitionFactory(PageFactory):
    class Meta:
        model = ExhibitionPage

    title = "Triển lãm lưu động"
