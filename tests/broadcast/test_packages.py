"""Packages: deterministic stored zips with a signed manifest, checksums, playlists
and the schedule, one folder per commune station for a district station."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import zipfile
from datetime import timedelta

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.test import Client
from django.utils import timezone

from broadcast.models import DistributionEvent, Package, Station
from broadcast.packages import package_build
from broadcast.services import schedule_create, schedule_withdraw
from loa.units.models import Unit

pytestmark = pytest.mark.django_db


def _build(code: str, days: int = 2) -> Package:
    today = timezone.localdate()
    return package_build(
        station_id=Station.objects.get(code=code).pk,
        start=today,
        end=today + timedelta(days=days - 1),
    )


def test_district_package_has_a_folder_per_commune_with_the_renditions_their_kind_needs(
    audio_item, schedule_today, tmp_path
):
    item = audio_item()
    schedule_today(item, ["dx-fm", "dx-tan-phu-loa", "dx-tien-thanh-loa"])
    package = _build("dx-fm")
    with zipfile.ZipFile(package.path) as zf:
        names = zf.namelist()
        assert all(i.compress_type == zipfile.ZIP_STORED for i in zf.infolist())
        zf.extractall(tmp_path)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    profiles = {(i["station"], i["profile"]) for i in manifest["items"]}
    assert profiles == {
        ("dx-fm", "district-fm"),
        ("dx-tan-phu-loa", "commune-loudspeaker"),
        ("dx-tien-thanh-loa", "commune-loudspeaker"),
    }
    for code in ("dx-fm", "dx-tan-phu-loa", "dx-tien-thanh-loa"):
        assert f"{code}/playlist.m3u" in names
        assert any(n.startswith(f"{code}/media/") for n in names)
    assert manifest["schema_version"] == 1 and manifest["$schema"].endswith("/v1")
    first = manifest["items"][0]
    for key in (
        "path",
        "profile",
        "sha256",
        "bytes",
        "duration",
        "title",
        "content_id",
        "language",
        "planned_slots",
    ):
        assert key in first
    assert 1.5 < first["duration"] <= 3.1
    assert len(first["planned_slots"]) == 2  # two days at 00:00
    assert manifest["package_id"] == str(package.public_id)
    assert manifest["period"]["from"] == timezone.localdate().isoformat()
    m3u = (tmp_path / "dx-tan-phu-loa/playlist.m3u").read_text()
    commune_item = next(
        i for i in manifest["items"] if i["station"] == "dx-tan-phu-loa"
    )
    assert m3u == (
        f"#EXTM3U\n#EXTINF:{round(commune_item['duration'])},Phóng sự quyền con người\n"
        f"media/{commune_item['path'].rsplit('/', 1)[1]}\n"
    )
    check = subprocess.run(
        ["sha256sum", "-c", "SHA256SUMS"], cwd=tmp_path, capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr
    csv_text = (tmp_path / "schedule.csv").read_text()
    assert csv_text.count("\n") == 1 + 3 * 2
    ics = (tmp_path / "schedule.ics").read_bytes().decode()
    assert ics.count("BEGIN:VEVENT") == 6 and "\r\n" in ics


def test_manifest_signature_verifies_with_the_key_from_the_api(
    audio_item, schedule_today, tmp_path
):
    schedule_today(audio_item(), ["dx-tan-phu-loa"])
    package = _build("dx-tan-phu-loa")
    with zipfile.ZipFile(package.path) as zf:
        manifest = zf.read("manifest.json")
        sig = zf.read("manifest.json.sig")
    keys = Client().get("/api/v1/keys").json()
    assert keys["algorithm"] == "Ed25519"
    key = Ed25519PublicKey.from_public_bytes(
        base64.b64decode(keys["public_key_base64"])
    )
    key.verify(_raw_sig(sig), manifest)  # raises if it does not verify
    with pytest.raises(InvalidSignature):
        key.verify(
            _raw_sig(sig), manifest.replace(b"dx-tan-phu-loa", b"dx-tan-phu-lox")
        )


def _raw_sig(sig: bytes) -> bytes:
    # The .sig file is base64 text (openssl/minisign-friendly) or raw 64 bytes.
    return sig if len(sig) == 64 else base64.b64decode(sig)


def test_same_inputs_give_the_same_bytes_and_are_not_rebuilt(
    audio_item, schedule_today
):
    schedule_today(audio_item(), ["dx-fm", "dx-tan-phu-loa"])
    first = _build("dx-fm")
    built = DistributionEvent.objects.filter(kind="package_built").count()
    again = _build("dx-fm")
    assert again.pk == first.pk and again.sha256 == first.sha256
    assert DistributionEvent.objects.filter(kind="package_built").count() == built
    # Forced rebuild of the same inputs (file lost): byte-identical.
    data = open(first.path, "rb").read()
    os.unlink(first.path)
    rebuilt = _build("dx-fm")
    assert rebuilt.sha256 == first.sha256 and rebuilt.etag == first.etag
    assert open(rebuilt.path, "rb").read() == data


def test_withdrawal_travels_in_the_next_package(audio_item, schedule_today):
    item = audio_item()
    # Slots late in the day so they are still in the future when withdrawn.
    sched = schedule_today(item, ["dx-tan-phu-loa"], slots=("23:59",), days=3)
    before = _build("dx-tan-phu-loa", days=3)
    assert before.manifest["items"] and not before.manifest["withdrawals"]
    cancelled = schedule_withdraw(schedule=sched, reason="Sai số liệu", actor="duyet")
    assert cancelled >= 2
    after = _build("dx-tan-phu-loa", days=3)
    assert after.pk != before.pk
    assert after.manifest["items"] == []
    (w,) = after.manifest["withdrawals"]
    assert w["content_id"] == item.pk and w["reason"] == "Sai số liệu"
    assert w["cause"] == "withdrawn"


def test_item_that_expires_after_scheduling_leaves_new_packages(
    audio_item, schedule_today
):
    item = audio_item()
    schedule_today(item, ["dx-tan-phu-loa"])
    assert _build("dx-tan-phu-loa").manifest["items"]
    item.valid_until = timezone.localdate() - timedelta(days=1)
    item.save_revision().publish()
    package = _build("dx-tan-phu-loa")
    assert package.manifest["items"] == []
    assert [w["cause"] for w in package.manifest["withdrawals"]] == ["expired"]
    item.unpublish()
    assert [w["cause"] for w in _build("dx-tan-phu-loa").manifest["withdrawals"]] == [
        "unpublished"
    ]


def test_two_tier_province_commune_package_and_scope(audio_item, station_client):
    """Since 2025 a province can have communes directly under it."""
    province = Unit.objects.get(level="province")
    commune = Unit.objects.create(
        code="xa-moi", name="Xã Mới", level="commune", parent=province
    )
    Station.objects.create(
        code="xa-moi-loa", name="Đài xã Mới", unit=commune, kind="commune_loudspeaker"
    )
    Station.objects.create(
        code="xa-moi-bang",
        name="Bảng tin xã Mới",
        unit=commune,
        kind="ebulletin",
        orientation="portrait",
    )
    item = audio_item()
    today = timezone.localdate()
    schedule_create(
        item=item,
        start_date=today,
        end_date=today,
        target_unit=commune,
        slot_times=["00:00"],
    )
    package = _build("xa-moi-loa", days=1)
    assert [i["station"] for i in package.manifest["items"]] == ["xa-moi-loa"]
    # The bulletin board cannot play an audio-only item: it is never planned there.
    board_manifest = _build("xa-moi-bang", days=1).manifest
    assert board_manifest["items"] == [] and board_manifest["pending"] == []
    listing = station_client("xa-moi-loa").get("/api/v1/station").json()
    assert listing["station"]["code"] == "xa-moi-loa" and listing["children"] == []


@pytest.mark.skipif(not shutil.which("openssl"), reason="openssl not installed")
def test_offline_verification_recipe_in_the_readme_works(
    audio_item, schedule_today, tmp_path
):
    """The station's way: public key saved once, then openssl and sha256sum only."""
    schedule_today(audio_item(), ["dx-tan-phu-loa"])
    package = _build("dx-tan-phu-loa")
    (tmp_path / "loa-public.pem").write_text(
        Client().get("/api/v1/keys").json()["public_key_pem"]
    )
    with zipfile.ZipFile(package.path) as zf:
        zf.extractall(tmp_path / "pkg")
    script = (
        "cd pkg && base64 -d manifest.json.sig > /tmp/loa-manifest-$$.sig && "
        "openssl pkeyutl -verify -pubin -inkey ../loa-public.pem -rawin "
        "-in manifest.json -sigfile /tmp/loa-manifest-$$.sig && sha256sum -c --quiet SHA256SUMS"
    )
    ok = subprocess.run(
        ["sh", "-c", script], cwd=tmp_path, capture_output=True, text=True
    )
    assert ok.returncode == 0 and "Verified Successfully" in ok.stdout, (
        ok.stdout + ok.stderr
    )
    manifest = tmp_path / "pkg/manifest.json"
    manifest.write_bytes(
        manifest.read_bytes().replace(b"dx-tan-phu-loa", b"dx-tan-phu-lox")
    )
    bad = subprocess.run(
        ["sh", "-c", script], cwd=tmp_path, capture_output=True, text=True
    )
    assert bad.returncode != 0
