from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = _("Content")

    def ready(self):
        from . import signals  # noqa: F401
        from .admin_labels import label_wagtail_fields

        label_wagtail_fields()
