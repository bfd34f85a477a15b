"""Admin screen for the administrative reorganisation: preview, then apply."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from .reorganise import PlanError, plan_read, reorganisation_apply

MAX_PLAN_BYTES = 1_000_000


class ReorganiseForm(forms.Form):
    plan = forms.FileField(
        label=_("Plan (CSV)"),
        required=False,
        help_text=_(
            "Columns: kind (merge, dissolve, rename), old_code, new_code, new_name, "
            "new_level, new_parent_code."
        ),
    )
    plan_text = forms.CharField(widget=forms.HiddenInput, required=False)
    effective = forms.DateField(
        label=_("First day of the new map"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("plan")
        if upload:
            if upload.size > MAX_PLAN_BYTES:
                raise forms.ValidationError(_("The plan file is too large."))
            try:
                cleaned["plan_text"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                raise forms.ValidationError(
                    _("The plan must be a UTF-8 CSV file.")
                ) from None
        if not cleaned.get("plan_text"):
            raise forms.ValidationError(_("Choose a plan file."))
        try:
            cleaned["rows"] = plan_read(cleaned["plan_text"])
        except PlanError as exc:
            raise forms.ValidationError(exc.problems) from None
        return cleaned


class ReorganiseView(PermissionRequiredMixin, WagtailAdminTemplateMixin, FormView):
    form_class = ReorganiseForm
    template_name = "broadcast/admin/reorganise.html"
    page_title = _("Administrative reorganisation")
    header_icon = "site"
    permission_required = "units.change_unit"
    raise_exception = True

    def form_valid(self, form):
        data = form.cleaned_data
        apply = self.request.POST.get("action") == "apply"
        try:
            changes = reorganisation_apply(
                rows=data["rows"],
                effective=data["effective"],
                actor=self.request.user.get_username(),
                dry_run=not apply,
            )
        except PlanError as exc:
            for problem in exc.problems:
                form.add_error(None, problem)
            return self.form_invalid(form)
        if apply:
            messages.success(
                self.request,
                _("The reorganisation was applied: %(n)d changes.")
                % {"n": len(changes)},
            )
            return redirect("wagtailsnippets_units_unit:list")
        preview = ReorganiseForm(
            initial={"plan_text": data["plan_text"], "effective": data["effective"]}
        )
        return self.render_to_response(
            self.get_context_data(form=preview, changes=changes, previewed=True)
        )
