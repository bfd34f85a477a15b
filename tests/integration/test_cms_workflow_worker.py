"""With a real worker: an item submitted before its renditions exist waits at the
technical check, and moves on to the reviewer by itself when the worker finishes."""

from __future__ import annotations

import pytest
from django.test import Client
from wagtail.models import Collection, WorkflowState
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from cms.models import LibraryIndexPage, RadioItemPage
from cms.setup import APPROVAL_NAME
from media_pipeline.models import LoaMedia, RenditionJob
from tests.media import speechlike_wav

from .conftest import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def login(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password="loa-demo"), username
    return client


def _task_name(page) -> str:
    state = WorkflowState.objects.for_instance(page).get()
    state.refresh_from_db()
    return state.current_task_state.task.name


def test_submitted_item_passes_technical_check_when_worker_finishes(
    celery_worker_process, tmp_path
):
    from demo.loader import load_demo

    load_demo(with_media=False)
    library = LibraryIndexPage.objects.get(slug="thu-vien")
    editor = login("bientap.tinh")
    wav = speechlike_wav(tmp_path / "ban-tin.wav", seconds=2)
    with open(wav, "rb") as fh:
        response = editor.post(
            "/admin/media/audio/add/",
            {
                "title": "Bản tin",
                "file": fh,
                "collection": Collection.get_first_root_node().pk,
                "tags": "",
            },
        )
    assert response.status_code == 302
    media = LoaMedia.objects.get(title="Bản tin")

    data = nested_form_data(
        {
            "title": "Bản tin quyền con người",
            "slug": "",
            "format": "news",
            "audio": media.pk,
            "summary": "",
            "transcript": rich_text("<p>Quyền con người</p>"),
            "comments": inline_formset([]),
            "language_versions": inline_formset([]),
        }
    )
    data["action-submit"] = "1"
    response = editor.post(f"/admin/pages/add/cms/radioitempage/{library.pk}/", data)
    assert response.status_code == 302
    page = RadioItemPage.objects.get(title="Bản tin quyền con người")
    assert page.slug == "ban-tin-quyen-con-nguoi"

    wait_for(
        lambda: (
            _task_name(page) == APPROVAL_NAME
            or RenditionJob.objects.filter(media=media, status="failed").exists()
        ),
        timeout=180,
        what="technical check to pass",
    )
    assert not RenditionJob.objects.filter(media=media, status="failed").exists()
    assert _task_name(page) == APPROVAL_NAME
    assert set(
        RenditionJob.objects.filter(media=media).values_list("status", flat=True)
    ) == {"done"}
