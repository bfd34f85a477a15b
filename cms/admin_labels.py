"""Labels Wagtail 8.0 makes up from field and model names, outside any gettext call.

A catalogue cannot translate them, so Vietnamese screens showed "Password", "Page",
"Locale" and "Task type". Each is given a translatable label here, once, at startup. Only forms
and the runtime verbose name change: migration state reads the original Meta, so
Wagtail's apps get no migrations from this.
"""

from django.utils.translation import gettext_lazy as _


def label_wagtail_fields() -> None:
    from wagtail.admin.forms.auth import LoginForm
    from wagtail.admin.forms.workflows import TaskChooserSearchForm, WorkflowPageForm
    from wagtail.models import Locale
    from wagtail.users.forms import PagePermissionsForm

    LoginForm.base_fields["password"].label = _("Password")
    WorkflowPageForm.base_fields["page"].label = _("Page")
    PagePermissionsForm.base_fields["page"].label = _("Page")
    Locale._meta.verbose_name = _("locale")
    Locale._meta.verbose_name_plural = _("locales")

    # The task-type filter is added per request in __init__, without a label.
    original_init = TaskChooserSearchForm.__init__

    def __init__(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        if "task_type" in self.fields:
            self.fields["task_type"].label = _("Task type")

    TaskChooserSearchForm.__init__ = __init__
