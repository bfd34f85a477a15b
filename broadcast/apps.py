from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BroadcastConfig(AppConfig):
    name = "broadcast"
    verbose_name = _("Broadcast distribution")

    def ready(self):
        from . import signals  # noqa: F401  (connects the rendition_done receiver)
