"""The whole path once, for real: admin upload → Celery transcode in a worker process
→ schedule → package → token download → commune confirmation → log and CSV."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import subprocess
import zipfile
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from wagtail.models import Collection
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from broadcast.models import DistributionEvent, Package, PlannedAiring, Station
from cms.models import LibraryIndexPage, RadioItemPage
from media_pipeline.models import LoaMedia, RenditionJob
from media_pipeline.probe import measure_loudness, probe
from tests.media import speechlike_wav

from .conftest import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def login(username: str) -> Client:
    c = Client()
    assert c.login(username=username, password="loa-demo"), username
    return c


def test_upload_transcode_schedule_package_download_confirm_report(
    celery_worker_process, tmp_path
):
    from demo.loader import load_demo

    load_demo(with_media=False)
    library = LibraryIndexPage.objects.get(slug="thu-vien")
    editor = login("bientap.tinh")

    # 1. The editor uploads a recording in the Wagtail admin.
    wav = speechlike_wav(tmp_path / "phong-su.wav", seconds=3)
    with open(wav, "rb") as fh:
        resp = editor.post(
            "/admin/media/audio/add/",
            {
                "title": "Phóng sự quyền con người",
                "file": fh,
                "collection": Collection.get_first_root_node().pk,
                "tags": "",
            },
        )
    assert resp.status_code == 302, resp.content[:2000]
    media = LoaMedia.objects.get(title="Phóng sự quyền con người")

    # 2. The worker process probes it and renders the commune MP3.
    wait_for(
        lambda: (
            RenditionJob.objects.filter(
                media=media, profile="commune-loudspeaker", status="done"
            ).exists()
            or RenditionJob.objects.filter(media=media, status="failed").exists()
        ),
        timeout=120,
        what="commune-loudspeaker rendition",
    )
    job = RenditionJob.objects.get(media=media, profile="commune-loudspeaker")
    assert job.status == "done", (job.error_code, job.log[-2000:])
    out = probe(job.file.path)
    assert out.audio_codec == "mp3" and out.channels == 1 and out.sample_rate == 44100
    loud = measure_loudness(job.file.path)
    assert loud.true_peak is not None and loud.true_peak <= -1.5
    assert abs(loud.integrated - (-16.0)) <= 1.0, loud
    assert job.sha256 == hashlib.sha256(open(job.file.path, "rb").read()).hexdigest()

    # The editor writes the item; the reviewer publishes it.
    data = nested_form_data(
        {
            "title": "Quyền con người là gì?",
            "slug": "quyen-con-nguoi-la-gi",
            "format": "report",
            "audio": media.pk,
            "summary": "Phóng sự",
            "transcript": rich_text("<p>Quyền con người…</p>"),
            "comments": inline_formset([]),
            "language_versions": inline_formset([]),
        }
    )
    resp = editor.post(f"/admin/pages/add/cms/radioitempage/{library.pk}/", data)
    assert resp.status_code == 302, resp.content[:3000]
    page = RadioItemPage.objects.get(slug="quyen-con-nguoi-la-gi")
    assert not page.live
    reviewer = login("duyet.tinh")
    data["action-publish"] = "action-publish"
    resp = reviewer.post(f"/admin/pages/{page.pk}/edit/", data)
    assert resp.status_code == 302, resp.content[:3000]
    page.refresh_from_db()
    assert page.live

    # 3. The editor schedules it for Đồng Xoài's stations, from today.
    today = timezone.localdate()
    resp = editor.post(
        "/admin/broadcast/schedule/new/",
        {
            "item": page.pk,
            "target_kind": "unit",
            "target_unit": Station.objects.get(code="dx-fm").unit_id,
            "start_date": today.isoformat(),
            "end_date": (today + timedelta(days=6)).isoformat(),
            "slot_times": "00:01, 17:00",
        },
    )
    assert resp.status_code == 302, resp.content[:3000]
    # Every station of the district except its boards, which cannot play sound.
    dx_stations = (
        Station.objects.filter(unit__code__startswith="dx")
        .exclude(kind="ebulletin")
        .count()
    )
    assert (
        PlannedAiring.objects.filter(schedule__item=page).count() == dx_stations * 7 * 2
    )

    # 4. The district package is built by a task in the worker.
    from broadcast.tasks import build_package

    dx = Station.objects.get(code="dx-fm")
    build_package.delay(
        dx.pk, today.isoformat(), (today + timedelta(days=6)).isoformat()
    )
    package = wait_for(
        lambda: Package.objects.filter(station=dx, status="ready").first(),
        timeout=60,
        what="package",
    )

    # 5. The district operator downloads it with a station token.
    out = io.StringIO()
    call_command("station_token", "dx-fm", stdout=out)
    token = out.getvalue().strip()
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    listing = api.get("/api/v1/packages")
    assert listing.status_code == 200
    # The district token also sees its communes' packages; and builds queued by the
    # schedule and the renditions may have superseded the one built above: the
    # listing names the one current package of the district station.
    (current,) = [p for p in listing.json() if p["station"] == "dx-fm"]
    package = Package.objects.get(public_id=current["id"])
    assert package.superseded_by_id is None
    resp = api.get(f"/api/v1/packages/{package.public_id}/download")
    assert resp.status_code == 200
    zpath = tmp_path / "package.zip"
    with open(zpath, "wb") as fh:
        for chunk in resp.streaming_content:
            fh.write(chunk)
    assert hashlib.sha256(zpath.read_bytes()).hexdigest() == package.sha256
    unz = tmp_path / "unz"
    with zipfile.ZipFile(zpath) as zf:
        zf.extractall(unz)
        names = zf.namelist()
    manifest = json.loads((unz / "manifest.json").read_text())
    assert {"manifest.json", "manifest.json.sig", "SHA256SUMS"} <= set(names)
    assert any(
        i["profile"] == "commune-loudspeaker" and i["station"] == "dx-tan-phu-loa"
        for i in manifest["items"]
    )
    assert any(
        i["profile"] == "district-fm" and i["station"] == "dx-fm"
        for i in manifest["items"]
    )
    check = subprocess.run(
        ["sha256sum", "-c", "SHA256SUMS"], cwd=unz, capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr

    # 6. Commune staff confirm today's airing on their page.
    staff = login("xa.tanphu")
    page_html = staff.get("/station/").content.decode()
    assert "Quyền con người là gì?" in page_html
    airing = (
        PlannedAiring.objects.filter(
            station__code="dx-tan-phu-loa", schedule__item=page
        )
        .order_by("planned_at")
        .first()
    )
    form_uuid = re.search(
        rf'name="airing" value="{airing.pk}"><input type="hidden" name="uuid" value="([0-9a-f-]+)"',
        page_html,
    ).group(1)
    resp = staff.post(
        "/station/confirm/",
        {
            "airing": airing.pk,
            "uuid": form_uuid,
            "status": "aired",
            # As the page offers it: the planned time (now may be outside the window).
            "aired_at": timezone.localtime(airing.planned_at).strftime(
                "%Y-%m-%dT%H:%M"
            ),
        },
    )
    assert resp.status_code == 302
    airing.refresh_from_db()
    assert airing.status == "aired"

    # 7. The log shows it, and the CSV report lists it.
    assert (
        DistributionEvent.objects.filter(
            kind="airing_confirmed", airing_id=airing.pk
        ).count()
        == 1
    )
    log_html = login("bientap.tinh").get("/station/log/").content.decode()
    assert "dx-tan-phu-loa" in log_html and "Quyền con người là gì?" in log_html
    resp = editor.get(
        f"/api/v1/reports/airings?from={today}&to={today}&group_by=airing&format=csv"
    )
    assert resp.status_code == 200
    rows = list(
        csv.DictReader(
            io.StringIO(b"".join(resp.streaming_content).decode("utf-8-sig"))
        )
    )
    aired = [r for r in rows if r["airing_id"] == str(airing.pk)]
    assert (
        aired
        and aired[0]["status"] == "aired"
        and aired[0]["station"] == "dx-tan-phu-loa"
    )
    call_command("verify_log", stdout=io.StringIO())
