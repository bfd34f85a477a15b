"""Demo data only on a laptop. The demo's passwords are published, so no account may
keep one in production: a password validator refuses them everywhere and marks any
account given one anyway, and production refuses to start while a marked account
still signs in with it (called from loa.wsgi; cheap: only marked accounts are read)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils.translation import gettext as _

from .loader import ADMIN_PASSWORD, DEMO_PASSWORD
from .models import DemoPasswordMark


def is_demo_password(password: str) -> bool:
    """Whether `password` is one of the passwords the demo publishes."""
    return password.strip().casefold() in {p.casefold() for p in _demo_passwords()}


def _demo_passwords() -> tuple[str, ...]:
    return (DEMO_PASSWORD, ADMIN_PASSWORD)


def _hash_is_demo(encoded: str) -> bool:
    """Whether a stored password hash is of a demo password. hashers.check_password,
    not the user's method: that one may re-save the user."""
    return any(check_password(p, encoded) for p in _demo_passwords())


class DemoPasswordValidator:
    """Refuses the demo's published passwords in every password form and in
    createsuperuser, and marks any account given one anyway (load_demo, or
    set_password in a shell): Django tells validators of every password change,
    whatever path set it, so the marks are the start-up check's whole list."""

    def validate(self, password: str, user=None) -> None:
        if is_demo_password(password):
            raise ValidationError(
                _("This is one of the demo's published passwords: choose another."),
                code="password_is_demo",
            )

    def password_changed(self, password: str, user) -> None:
        demo_password_mark(user=user, is_demo=is_demo_password(password))

    def get_help_text(self) -> str:
        return _("Your password cannot be one of the demo's published passwords.")


def demo_password_mark(*, user, is_demo: bool) -> None:
    """Mark (or clear) `user` as holding a demo password, against its current hash."""
    if is_demo:
        DemoPasswordMark.objects.update_or_create(
            user=user, defaults={"password": user.password}
        )
    else:
        DemoPasswordMark.objects.filter(user=user).delete()


def demo_password_mark_new_account(user) -> None:
    """create_user and create_superuser (load_demo, createsuperuser --noinput)
    store a hash without telling the validators: test the new hash against the
    demo passwords once, when the account is made."""
    if user.has_usable_password() and _hash_is_demo(user.password):
        demo_password_mark(user=user, is_demo=True)


def demo_password_accounts() -> list[str]:
    """Active accounts that still sign in with a demo password.

    Cheap enough for every start: only marked accounts are looked at
    (DemoPasswordValidator). A mark whose hash still matches needs no hashing;
    one whose hash changed without the validators hearing of it (Django
    re-encodes at sign-in; a raw update) is checked once, and dropped if the
    password is no longer the demo's.
    """
    found = []
    for mark in DemoPasswordMark.objects.filter(user__is_active=True).select_related(
        "user"
    ):
        user = mark.user
        if user.password == mark.password:
            found.append(user.get_username())
            continue
        if _hash_is_demo(user.password):
            DemoPasswordMark.objects.filter(pk=mark.pk).update(password=user.password)
            found.append(user.get_username())
        else:
            mark.delete()
    return sorted(found)


def refuse_demo_passwords() -> None:
    """Stop a production start while any demo password works (loa.wsgi)."""
    if not settings.LOA_REFUSE_DEMO_PASSWORDS:
        return
    found = demo_password_accounts()
    if found:
        raise ImproperlyConfigured(
            "Refusing to start: these accounts still have a demo password: "
            f"{', '.join(found)}. Change their passwords (manage.py changepassword) "
            "or delete them."
        )
