"""Demo data only on a laptop: `load_demo` refuses outside the dev settings unless
told otherwise, and production will not serve while a demo password works."""

from __future__ import annotations

import importlib

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command


@pytest.mark.django_db
def test_load_demo_refuses_outside_the_dev_settings(settings):
    settings.LOA_DEMO_ALLOWED = False
    with pytest.raises(CommandError, match="i-know-this-is-not-production"):
        call_command("load_demo", "--no-media")
    assert not get_user_model().objects.filter(username="admin").exists()


@pytest.mark.django_db
def test_load_demo_runs_when_told_this_is_not_production(settings):
    settings.LOA_DEMO_ALLOWED = False
    call_command("load_demo", "--no-media", "--i-know-this-is-not-production")
    assert get_user_model().objects.filter(username="admin").exists()


def test_the_dev_settings_allow_the_demo():
    from loa.settings import dev

    assert dev.LOA_DEMO_ALLOWED is True


def test_production_refuses_to_serve_while_a_demo_password_works(demo, settings):
    import loa.wsgi

    settings.LOA_REFUSE_DEMO_PASSWORDS = True
    with pytest.raises(ImproperlyConfigured, match="admin") as refused:
        importlib.reload(loa.wsgi)
    assert "bientap.dongxoai" in str(refused.value)

    User = get_user_model()
    for user in User.objects.filter(username__in=["admin", "xa.tanphu"]):
        user.set_password("Mat-khau-rieng-2026")
        user.save()
    with pytest.raises(ImproperlyConfigured) as refused:
        importlib.reload(loa.wsgi)
    assert "xa.tanphu" not in str(refused.value)

    for user in User.objects.all():
        user.set_password("Mat-khau-rieng-2026")
        user.save()
    importlib.reload(loa.wsgi)  # starts


def test_a_superuser_with_a_demo_password_also_stops_production(db, settings):
    settings.LOA_REFUSE_DEMO_PASSWORDS = True
    get_user_model().objects.create_superuser("quantri", password="loa-demo")
    from demo.guard import refuse_demo_passwords

    with pytest.raises(ImproperlyConfigured, match="quantri"):
        refuse_demo_passwords()
