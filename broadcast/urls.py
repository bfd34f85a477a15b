from django.urls import path

from . import views

app_name = "broadcast"

urlpatterns = [
    path("", views.today, name="today"),
    path("confirm/", views.confirm, name="confirm"),
    path("urgent/<int:pk>/audio/", views.urgent_audio, name="urgent_audio"),
    path("log/", views.distribution_log, name="log"),
    path("reports/", views.report, name="report"),
    path("packages/", views.packages, name="packages"),
    path(
        "packages/<uuid:package_id>/download/",
        views.package_download,
        name="package_download",
    ),
    path("airings/<int:pk>/correct/", views.correct, name="correct"),
    path("api/", views.api_reference, name="api_reference"),
]
