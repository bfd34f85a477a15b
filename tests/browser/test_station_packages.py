"""A real browser: the district operator signs in at the station page, downloads the
current package with its button, and the file verifies offline (sha256sum -c, the
manifest's Ed25519 signature)."""

import base64
import hashlib
import subprocess
import zipfile
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from django.core.files import File
from django.test import Client
from django.utils import timezone

from broadcast.models import DistributionEvent, Station
from broadcast.packages import package_build
from broadcast.services import schedule_create
from cms.models import RadioItemPage
from media_pipeline.models import LoaMedia
from tests.media import speechlike_wav

pytestmark = pytest.mark.django_db(transaction=True)


def _package_for_district(demo, tmp_path):
    wav = speechlike_wav(tmp_path / "phong-su.wav", seconds=3.0)
    with open(wav, "rb") as fh:
        # Autocommit: ingest and the renditions run (eagerly) as the file is saved.
        media = LoaMedia(title="Phóng sự", type="audio")
        media.file.save("phong-su.wav", File(fh), save=True)
    item = demo.add_child(
        instance=RadioItemPage(
            title="Phóng sự quyền con người",
            slug="phong-su",
            audio=media,
            format="report",
        )
    )
    item.save_revision().publish()
    today = timezone.localdate()
    schedule_create(
        item=item,
        start_date=today,
        end_date=today + timedelta(days=1),
        target_kind="stations",
        target_stations=list(
            Station.objects.filter(code__in=["dx-fm", "dx-tan-phu-loa"])
        ),
        slot_times=["06:00"],
    )
    return package_build(
        station_id=Station.objects.get(code="dx-fm").pk,
        start=today,
        end=today + timedelta(days=6),
    )


@pytest.mark.slow
def test_district_operator_downloads_the_package_from_the_page_and_it_verifies(
    live_server, browser, demo, tmp_path, artifacts_dir
):
    package = _package_for_district(demo, tmp_path)
    assert len(package.manifest["items"]) == 2

    ctx = browser.new_context(locale="vi-VN", accept_downloads=True)
    page = ctx.new_page()
    page.goto(live_server.url + "/station/")
    page.fill("#id_username", "dai.dongxoai")
    page.fill("#id_password", "loa-demo")
    page.click("form.login button[type=submit]")
    page.wait_for_url("**/station/")
    page.get_by_role("link", name="Gói phát sóng").click()
    page.wait_for_url("**/station/packages/")
    page.screenshot(path=f"{artifacts_dir}/station-packages.png", full_page=True)
    card = page.locator(f"#package-{package.public_id}")
    assert package.sha256 in card.inner_text()
    with page.expect_download() as info:
        card.get_by_role("link", name="Tải gói về").click()
    download = info.value
    zip_path = tmp_path / download.suggested_filename
    download.save_as(zip_path)
    ctx.close()

    assert hashlib.sha256(zip_path.read_bytes()).hexdigest() == package.sha256
    with zipfile.ZipFile(zip_path) as zf:
        zf.extractall(tmp_path / "pkg")
    check = subprocess.run(
        ["sha256sum", "-c", "SHA256SUMS"],
        cwd=tmp_path / "pkg",
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    listed = (tmp_path / "pkg/SHA256SUMS").read_text().splitlines()
    assert check.stdout.count(": OK") == len(listed) >= 2 + 6  # 2 media files
    pem = Client().get("/api/v1/keys").json()["public_key_pem"]
    manifest = (tmp_path / "pkg/manifest.json").read_bytes()
    signature = base64.b64decode((tmp_path / "pkg/manifest.json.sig").read_bytes())
    load_pem_public_key(pem.encode()).verify(signature, manifest)  # raises if bad
    assert DistributionEvent.objects.filter(
        kind=DistributionEvent.Kind.PACKAGE_DOWNLOADED,
        package_id=package.pk,
        actor="dai.dongxoai",
        source="web",
    ).exists()
