"""The editorial setup is a service (and a command) any installation can run twice."""

import io

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from wagtail.models import (
    Collection,
    GroupCollectionPermission,
    GroupPagePermission,
    WorkflowPage,
)

from cms.setup import district_library, district_setup
from loa.units.models import Unit

pytestmark = pytest.mark.django_db


def test_setup_command_is_idempotent(demo):
    counts = (
        Collection.objects.count(),
        Group.objects.count(),
        GroupPagePermission.objects.count(),
        GroupCollectionPermission.objects.count(),
        WorkflowPage.objects.count(),
    )
    out = io.StringIO()
    call_command("setup_editorial", stdout=out)
    call_command("setup_editorial", stdout=out)
    assert "11 districts" in out.getvalue()
    assert counts == (
        Collection.objects.count(),
        Group.objects.count(),
        GroupPagePermission.objects.count(),
        GroupCollectionPermission.objects.count(),
        WorkflowPage.objects.count(),
    )


def test_new_district_gets_collection_folder_and_group(demo):
    province = Unit.objects.get(code="binh-phuoc")
    unit = Unit.objects.create(
        code="tx-moi", name="Thị xã Mới", level=Unit.Level.DISTRICT, parent=province
    )
    group = district_setup(unit=unit, library=demo)
    unit.refresh_from_db()
    assert unit.collection.name == "Thị xã Mới"
    folder = district_library(unit)
    assert folder.slug == "thu-vien-thi-xa-moi" and folder.live
    assert GroupPagePermission.objects.filter(group=group, page=folder).count() == 2
    assert (
        GroupCollectionPermission.objects.filter(
            group=group, collection=unit.collection
        ).count()
        == 8
    )


def test_setup_command_without_library_fails_cleanly(db):
    with pytest.raises(CommandError):
        call_command("setup_editorial", stdout=io.StringIO())
