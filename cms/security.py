"""Sign-in throttling (django-axes), the client's address behind the front server,
and production's refusal to serve while a demo password still works."""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _


class LoginThrottleBackend(AxesStandaloneBackend):
    """django-axes' lockout check. Sign-ins that come without a request (Django's
    test client, shell scripts) are not throttled: no one outside can reach them,
    and axes would refuse them outright."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(
            request, username=username, password=password, **kwargs
        )


def client_ip(request: HttpRequest) -> str:
    """The address a request came from, as the nearest trusted proxy saw it.

    Each proxy appends the address it received from to X-Forwarded-For, so with
    LOA_TRUSTED_PROXY_COUNT proxies the client is that many entries from the right;
    anything further left was written by the client and proves nothing.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.LOA_TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    return forwarded[-count] if len(forwarded) >= count else remote


def lockout_response(request, original_response=None, credentials=None):
    """The page shown to a locked-out sign-in: when to try again, in local time."""
    cool_off = get_cool_off(request)
    until = timezone.localtime(timezone.now() + cool_off)
    minutes = max(1, round(cool_off.total_seconds() / 60))
    message = _(
        "Too many failed sign-ins. Try again after %(time)s "
        "(in about %(minutes)d minutes), or ask an administrator to unlock "
        "the account."
    ) % {"time": until.strftime("%H:%M %d/%m/%Y"), "minutes": minutes}
    response: HttpResponse = render(
        request,
        "registration/locked_out.html",
        {"message": message, "until": until},
        status=429,
    )
    response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response


def is_demo_password(password: str) -> bool:
    """Whether `password` is one of the passwords the demo publishes."""
    return password.strip().casefold() in {p.casefold() for p in _demo_passwords()}


def _demo_passwords() -> tuple[str, ...]:
    from cms.demo import ADMIN_PASSWORD, DEMO_PASSWORD

    return (DEMO_PASSWORD, ADMIN_PASSWORD)


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
    from cms.models import DemoPasswordMark

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
    if user.has_usable_password() and any(
        check_password(p, user.password) for p in _demo_passwords()
    ):
        demo_password_mark(user=user, is_demo=True)


def demo_password_accounts() -> list[str]:
    """Active accounts that still sign in with a demo password.

    Cheap enough for every start: only marked accounts are looked at
    (DemoPasswordValidator). A mark whose hash still matches needs no hashing;
    one whose hash changed without the validators hearing of it (Django
    re-encodes at sign-in; a raw update) is checked once, and dropped if the
    password is no longer the demo's.
    """
    from cms.models import DemoPasswordMark

    found = []
    for mark in DemoPasswordMark.objects.filter(user__is_active=True).select_related(
        "user"
    ):
        user = mark.user
        if user.password == mark.password:
            found.append(user.get_username())
            continue
        # hashers.check_password, not the user's: that one may re-save the user.
        if any(check_password(p, user.password) for p in _demo_passwords()):
            DemoPasswordMark.objects.filter(pk=mark.pk).update(password=user.password)
            found.append(user.get_username())
        else:
            mark.delete()
    return sorted(found)


def refuse_demo_passwords() -> None:
    """Stop a production start while any demo password works (cms.wsgi)."""
    if not settings.LOA_REFUSE_DEMO_PASSWORDS:
        return
    found = demo_password_accounts()
    if found:
        raise ImproperlyConfigured(
            "Refusing to start: these accounts still have a demo password: "
            f"{', '.join(found)}. Change their passwords (manage.py changepassword) "
            "or delete them."
        )
