"""A fresh demo is on air with no action but waiting for the worker: load_demo plans
the week, the worker renders the demo's recordings, and each finished rendition
builds the packages waiting on it."""

from __future__ import annotations

import pytest
from django.test import Client

from broadcast.models import Package

from .conftest import wait_for

pytestmark = pytest.mark.django_db(transaction=True)

REPORT = "Quyền con người trong Hiến pháp năm 2013"


def login(username: str) -> Client:
    c = Client()
    assert c.login(username=username, password="loa-demo"), username
    return c


def _complete_district_package() -> Package | None:
    for package in Package.objects.filter(
        station__code="dx-fm", status=Package.Status.READY
    ).order_by("-built_at"):
        if package.manifest["items"] and not package.manifest["pending"]:
            return package
    return None


@pytest.mark.slow
def test_fresh_demo_shows_todays_airings_and_a_package_once_the_worker_ran(
    celery_worker_process,
):
    from demo.loader import load_demo

    load_demo(with_media=True)

    commune = login("xa.tanphu").get("/station/").content.decode()
    assert REPORT in commune

    package = wait_for(
        _complete_district_package, timeout=300, what="a complete dx-fm package"
    )
    titles = {i["title"] for i in package.manifest["items"]}
    assert REPORT in titles
    assert [w["cause"] for w in package.manifest["withdrawals"]] == ["withdrawn"]
    page = login("dai.dongxoai").get("/station/packages/").content.decode()
    assert package.sha256 in page
