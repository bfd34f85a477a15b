"""Vietnamese error pages (403, 404, 500 and a failed CSRF check), public or in the
admin's style depending on where the visitor was, each with a way back.

Wired as Django's handlers in loa.urls; `make run` (DEBUG) shows them too through
FriendlyNotFoundMiddleware unless LOA_DEBUG_404 asks for Django's debug page.
"""

from __future__ import annotations

import logging

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

# Shown if even the error template fails (a 500 with the database down): no
# template, no query, no translation lookup that could fail again.
BARE_500 = """<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">
<title>Lỗi máy chủ · Loa</title></head><body>
<h1>Đã có lỗi ở máy chủ</h1><p>Loa chưa làm được việc này. Xin thử lại sau ít phút.</p>
<p><a href="/">Về trang chủ</a></p></body></html>"""


def _in_admin(request: HttpRequest) -> bool:
    return request.path.startswith("/admin/")


def _error_page(
    request: HttpRequest, *, status: int, title: str, message: str
) -> HttpResponse:
    admin = _in_admin(request)
    context = {
        "status": status,
        "title": title,
        "message": message,
        "back_url": "/admin/" if admin else "/",
        "back_label": _("Back to the admin home") if admin else _("Back to home"),
    }
    template = "errors/admin.html" if admin else "errors/public.html"
    try:
        return render(request, template, context, status=status)
    except Exception:
        logger.exception("The %s error page could not be rendered", status)
        return HttpResponse(BARE_500, status=status)


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    return _error_page(
        request,
        status=403,
        title=_("You may not open this page"),
        message=_(
            "Your account does not have permission for this page. Sign in with "
            "another account, or ask the administrator of your unit."
        ),
    )


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return _error_page(
        request,
        status=404,
        title=_("Page not found"),
        message=_("This page does not exist, or is no longer shown."),
    )


def server_error(request: HttpRequest) -> HttpResponse:
    return _error_page(
        request,
        status=500,
        title=_("Something went wrong on the server"),
        message=_(
            "Loa could not do this. The error has been recorded; please try "
            "again in a few minutes."
        ),
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _error_page(
        request,
        status=403,
        title=_("The form has expired"),
        message=_(
            "Go back, reload the page and send the form again. If it happens "
            "again, allow cookies for this site."
        ),
    )


class FriendlyNotFoundMiddleware:
    """Under DEBUG Django answers a 404 with its technical page. `make run` is what
    a new user tries first, so it shows Loa's own page (LOA_DEBUG_404=1 for the
    debug one)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            resolve(request.path_info)
        except Resolver404:
            return page_not_found(request)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if isinstance(exception, Http404):
            return page_not_found(request, exception)
        return None
