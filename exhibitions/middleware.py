"""Security headers for every response, and a whole-page cache for anonymous visitors
of the public site, emptied whenever a page is published (see exhibitions.signals)."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import get_language

# Staff areas: the Wagtail admin runs inline scripts and styles of its own and keeps
# its own headers; the others are per user, so never cached.
STAFF_PREFIXES = ("/admin/", "/django-admin/", "/api/")
PER_USER_PREFIXES = ("/station/", "/accounts/", "/i18n/", "/language/")
UNCACHED_PREFIXES = ("/documents/", "/media/", "/static/", "/web-media/", "/print/")


def _media_origin() -> str:
    """The media storage's origin when it is not this site (a CDN, object storage)."""
    parts = urlsplit(settings.MEDIA_URL)
    return f" {parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def public_csp() -> str:
    """Public pages: no inline script or style at all; media from here (or the
    media storage)."""
    media = _media_origin()
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; "
        f"img-src 'self' data:{media}; media-src 'self'{media}; font-src 'self'; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; "
        "frame-ancestors 'self'"
    )


def staff_page_csp() -> str:
    """Station and sign-in pages keep small inline styles (templates/broadcast)."""
    return public_csp().replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")


CACHE_TIMEOUT = 10 * 60
GENERATION_KEY = "loa:public:generation"


def is_public_path(path: str) -> bool:
    return not path.startswith(STAFF_PREFIXES + PER_USER_PREFIXES + UNCACHED_PREFIXES)


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("X-Content-Type-Options", "nosniff")
        response.setdefault("Referrer-Policy", "same-origin")
        path = request.path
        if path.startswith(STAFF_PREFIXES):
            return response
        csp = public_csp() if is_public_path(path) else staff_page_csp()
        response.setdefault("Content-Security-Policy", csp)
        return response


def cache_generation() -> int:
    return cache.get_or_set(GENERATION_KEY, 1, timeout=None)


def invalidate_public_cache() -> None:
    """Forget every cached public page (they list each other's items)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 2, timeout=None)


class PublicPageCacheMiddleware:
    """Whole responses for anonymous GETs of public pages, per language and day.

    The day is part of the key because what is public depends on today's date
    (validity periods, upcoming stops).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not self._cacheable_request(request):
            return self.get_response(request)
        key = self._key(request)
        hit = cache.get(key)
        if hit is not None:
            status, headers, content = hit
            response = HttpResponse(content, status=status)
            for name, value in headers:
                response[name] = value
            response["X-Loa-Cache"] = "hit"
            return response
        response = self.get_response(request)
        if self._cacheable_response(response):
            headers = [
                (k, v)
                for k, v in response.items()
                if k.lower() not in ("set-cookie", "vary", "x-loa-cache")
            ]
            cache.set(
                key, (response.status_code, headers, response.content), CACHE_TIMEOUT
            )
            response["X-Loa-Cache"] = "miss"
        return response

    @staticmethod
    def _cacheable_request(request) -> bool:
        return (
            getattr(settings, "LOA_PUBLIC_CACHE", True)
            and request.method in ("GET", "HEAD")
            and is_public_path(request.path)
            and not request.user.is_authenticated
            and "messages" not in request.COOKIES
        )

    @staticmethod
    def _cacheable_response(response) -> bool:
        return (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and "private" not in response.get("Cache-Control", "")
            and "no-cache" not in response.get("Cache-Control", "")
        )

    @staticmethod
    def _key(request) -> str:
        return ":".join(
            [
                "loa:public",
                str(cache_generation()),
                timezone.localdate().isoformat(),
                get_language() or "",
                request.get_host(),
                request.get_full_path(),
            ]
        )
