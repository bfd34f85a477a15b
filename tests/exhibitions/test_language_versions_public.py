"""The public item page offers every language version of an item, and each plays."""

from pathlib import Path

import pytest
from django.core.files import File

from cms.models import ItemLanguageVersion, Language, RadioItemPage
from media_pipeline.models import LoaMedia
from tests.exhibitions.conftest import publish
from tests.media import speechlike_wav

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture
def audio(tmp_path, django_capture_on_commit_callbacks):
    def make(title: str) -> LoaMedia:
        wav = speechlike_wav(tmp_path / f"{abs(hash(title))}.wav", seconds=1.0)
        with django_capture_on_commit_callbacks(execute=True):
            with open(wav, "rb") as fh:
                media = LoaMedia(title=title, type="audio")
                media.file.save(Path(wav).name, File(fh), save=True)
        return media

    return make


def test_item_page_lists_and_plays_each_language(client, library, audio):
    item = RadioItemPage(
        title="Quyền con người",
        slug="quyen-con-nguoi",
        format="news",
        audio=audio("vi"),
    )
    item.language_versions.add(
        ItemLanguageVersion(
            language=Language.objects.get(code="stieng"),
            title="Bản tiếng S'tiêng",
            media=audio("stieng"),
        )
    )
    publish(library, item)
    page = client.get(item.url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Tiếng S&#x27;tiêng: Bản tiếng S&#x27;tiêng" in html
    version = item.language_versions.get()
    job = version.media.jobs.get(profile="web-audio")
    from django.urls import reverse

    url = reverse("web_media", args=(job.pk,))
    assert f'src="{url}"' in html
    played = client.get(url)
    assert played.status_code == 200
    head = b"".join(played.streaming_content)[:3]
    assert head == b"ID3" or head[:2] in (b"\xff\xfb", b"\xff\xf3")  # an MP3


def test_unpublished_items_version_is_not_served(client, library, audio):
    item = RadioItemPage(title="Nháp", slug="nhap", format="news", live=False)
    item.language_versions.add(
        ItemLanguageVersion(
            language=Language.objects.get(code="km"),
            title="Khmer",
            media=audio("km"),
        )
    )
    library.add_child(instance=item)
    job = item.language_versions.get().media.jobs.get(profile="web-audio")
    from django.urls import reverse

    assert client.get(reverse("web_media", args=(job.pk,))).status_code == 404
