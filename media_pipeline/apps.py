from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediaPipelineConfig(AppConfig):
    name = "media_pipeline"
    verbose_name = _("Media pipeline")

    def ready(self) -> None:
        from django.core import checks

        from . import signals  # noqa: F401
        from .doctor import system_check

        checks.register(system_check)
