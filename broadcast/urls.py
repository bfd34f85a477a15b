from django.urls import path

from . import views

app_name = "broadcast"

urlpatterns = [
    path("", views.today, name="today"),
    path("confirm/", views.confirm, name="confirm"),
    path("log/", views.distribution_log, name="log"),
    path("reports/", views.report, name="report"),
    path("airings/<int:pk>/correct/", views.correct, name="correct"),
]
