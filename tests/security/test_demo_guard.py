"""Demo data only on a laptop: `load_demo` refuses outside the dev settings unless
told otherwise, and production will not serve while a demo password works."""

from __future__ import annotations

import importlib

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import MD5PasswordHasher
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


def test_any_account_given_a_demo_password_stops_production(db, settings):
    """Not only the demo's usernames and superusers: whoever holds the password."""
    from demo.guard import refuse_demo_passwords
    from demo.loader import DEMO_PASSWORD

    settings.LOA_REFUSE_DEMO_PASSWORDS = True
    user = get_user_model().objects.create_user("nguoi.moi", password="Rieng-2026-x")
    refuse_demo_passwords()  # starts
    user.set_password(DEMO_PASSWORD)
    user.save()
    with pytest.raises(ImproperlyConfigured, match="nguoi.moi"):
        refuse_demo_passwords()
    user.set_password("Mat-khau-rieng-2026")
    user.save()
    refuse_demo_passwords()  # starts again


def test_a_demo_password_rehashed_at_sign_in_still_stops_production(db, settings):
    """Django re-encodes a password at sign-in when the hasher's cost rises,
    without telling the validators: the account is still caught."""
    from django.contrib.auth.hashers import make_password

    from demo.guard import refuse_demo_passwords
    from demo.loader import DEMO_PASSWORD

    settings.LOA_REFUSE_DEMO_PASSWORDS = True
    User = get_user_model()
    user = User.objects.create_user("nguoi.cu", password=DEMO_PASSWORD)
    User.objects.filter(pk=user.pk).update(password=make_password(DEMO_PASSWORD))
    with pytest.raises(ImproperlyConfigured, match="nguoi.cu"):
        refuse_demo_passwords()
    User.objects.filter(pk=user.pk).update(password=make_password("Khac-han-2026"))
    refuse_demo_passwords()  # starts: the password is no longer the demo's


class CountingHasher(MD5PasswordHasher):
    """Django's MD5 hasher, counting the passwords it is asked to verify."""

    verified = 0

    def verify(self, password, encoded):
        CountingHasher.verified += 1
        return super().verify(password, encoded)


def test_the_startup_check_hashes_no_password_of_ordinary_accounts(demo, settings):
    from demo.guard import refuse_demo_passwords

    settings.PASSWORD_HASHERS = [f"{__name__}.CountingHasher"]
    User = get_user_model()
    for user in User.objects.all():
        user.set_password("Mat-khau-rieng-2026")
        user.save()
    User.objects.bulk_create(
        User(username=f"nguoi.{n}", password=User.objects.first().password)
        for n in range(200)
    )
    User.objects.create_superuser("quantri2", password="Mat-khau-rieng-2026")
    settings.LOA_REFUSE_DEMO_PASSWORDS = True
    CountingHasher.verified = 0
    refuse_demo_passwords()
    assert CountingHasher.verified == 0


def test_no_one_can_choose_a_demo_password(db):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    from demo.loader import ADMIN_PASSWORD, DEMO_PASSWORD

    for password in (DEMO_PASSWORD, ADMIN_PASSWORD, " LOA-DEMO "):
        with pytest.raises(ValidationError) as refused:
            validate_password(password)
        assert "password_is_demo" in {e.code for e in refused.value.error_list}


def test_the_admin_password_form_refuses_a_demo_password(db, client):
    from demo.loader import DEMO_PASSWORD

    User = get_user_model()
    User.objects.create_superuser("quantri", password="Mat-khau-rieng-2026")
    client.force_login(User.objects.get(username="quantri"))
    response = client.post(
        "/admin/account/",
        {
            "password-old_password": "Mat-khau-rieng-2026",
            "password-new_password1": DEMO_PASSWORD,
            "password-new_password2": DEMO_PASSWORD,
        },
    )
    assert response.status_code == 200
    assert "mật khẩu của bản demo" in response.content.decode()
    assert User.objects.get(username="quantri").check_password("Mat-khau-rieng-2026")
