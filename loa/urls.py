from django.conf import settings
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from broadcast.api import api as station_api
from cms.private_files import serve_private
from exhibitions.sitemaps import PublicSitemap

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("api/v1/", station_api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    # Private files (loa.storage): originals, documents; checked per request.
    path("private/<path:name>", serve_private, name="private_file"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("sitemap.xml", sitemap, {"sitemaps": {"pages": PublicSitemap}}),
    path("station/", include("broadcast.urls")),
    path("", include("exhibitions.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("", include(wagtail_urls))]

# Vietnamese error pages, public or admin-styled (exhibitions.errors).
handler403 = "exhibitions.errors.permission_denied"
handler404 = "exhibitions.errors.page_not_found"
handler500 = "exhibitions.errors.server_error"
