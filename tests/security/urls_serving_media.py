"""loa.urls plus /media/ served whole, as `make run` (DEBUG) and a front server that
serves the media folder do: private files must not be reachable even so.
(django's static() helper adds nothing unless DEBUG, so the pattern is spelled out.)"""

from django.conf import settings
from django.urls import re_path
from django.views.static import serve

from loa.urls import urlpatterns as site


def serve_media_folder(request, path):
    # MEDIA_ROOT read per request: tests may point it at a folder of their own.
    return serve(request, path, document_root=settings.MEDIA_ROOT)


urlpatterns = [
    re_path(r"^media/(?P<path>.*)$", serve_media_folder),
    *site,
]
