"""load_demo and setup_editorial start from what migrations create, and put it back
where it is missing (a flushed or partly restored database)."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from wagtail.models import Collection, Page

from cms import roles
from cms.models import Audience, Language
from demo.loader import load_demo


@pytest.mark.django_db
def test_load_demo_rebuilds_a_working_site_after_migration_data_is_lost():
    Page.objects.filter(depth=1).delete()
    Collection.objects.filter(depth=1).delete()
    Group.objects.all().delete()
    Language.objects.all().delete()
    Audience.objects.all().delete()

    load_demo(with_media=False)

    assert Page.objects.filter(depth=1).count() == 1
    assert Collection.objects.filter(depth=1).count() == 1
    assert set(roles.ROLE_PERMISSIONS) <= set(
        Group.objects.values_list("name", flat=True)
    )
    editor = Group.objects.get(name=roles.PROVINCE_EDITOR)
    assert editor.permissions.filter(codename="access_admin").exists()
    assert Language.objects.filter(code="vi").exists()
    assert Audience.objects.count() == 6
    assert Client().get("/").status_code == 200
    c = Client()
    assert c.login(username="bientap.tinh", password="loa-demo")
    assert c.get("/admin/").status_code == 200
