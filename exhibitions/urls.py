from django.urls import path

from . import feeds, views

urlpatterns = [
    path("gallery/", views.gallery, name="gallery"),
    path("feed/rss/", feeds.LatestItemsFeed(), name="feed_rss"),
    path("feed/atom/", feeds.LatestItemsAtomFeed(), name="feed_atom"),
    path("web-media/<int:job_id>/", views.web_media, name="web_media"),
    path(
        "web-media/<int:job_id>/<slug:part>/",
        views.web_media_sidecar,
        name="web_media_sidecar",
    ),
    path("print/<int:image_id>/<slug:paper>/", views.print_file, name="print_file"),
    path("captions/<int:page_id>.vtt", views.captions, name="captions"),
    path("language/", views.set_language, name="loa_set_language"),
]
