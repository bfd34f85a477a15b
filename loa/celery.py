"""The Celery app. Settings come from Django (CELERY_* names), so one config serves the
embedded filesystem broker and a Redis/RabbitMQ cluster alike."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "loa.settings.dev")

app = Celery("loa")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _ensure_filesystem_broker_dirs(sender, **kwargs):
    # kombu's filesystem transport expects its folders to exist.
    opts = sender.conf.broker_transport_options or {}
    for key in (
        "data_folder_in",
        "data_folder_out",
        "processed_folder",
        "control_folder",
    ):
        if opts.get(key):
            os.makedirs(opts[key], exist_ok=True)
