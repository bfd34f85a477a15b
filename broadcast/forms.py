from __future__ import annotations

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loa.units.models import Unit

from .models import Priority, Schedule, Station
from .services import OnOverlap, ServiceError, parse_slot_times


def schedulable_items():
    """Live items within their validity; the service re-checks at save time."""
    from cms.models import ContentItemPage

    today = timezone.localdate()
    qs = ContentItemPage.objects.live().filter(expired=False)
    return qs.exclude(valid_until__lt=today).order_by("title")


class ScheduleForm(forms.Form):
    item = forms.ModelChoiceField(queryset=None, label=_("Content item"))
    target_kind = forms.ChoiceField(
        choices=Schedule.TargetKind.choices,
        initial=Schedule.TargetKind.UNIT,
        label=_("Broadcast to"),
    )
    target_unit = forms.ModelChoiceField(
        queryset=Unit.objects.filter(
            level__in=[Unit.Level.DISTRICT, Unit.Level.PROVINCE]
        ).order_by("level", "name"),
        required=False,
        label=_("District (all its stations)"),
    )
    target_stations = forms.ModelMultipleChoiceField(
        queryset=Station.objects.filter(active=True).order_by("code"),
        required=False,
        label=_("Stations"),
    )
    target_station_kind = forms.ChoiceField(
        choices=[("", "—")] + list(Station.Kind.choices),
        required=False,
        label=_("Station kind"),
    )
    start_date = forms.DateField(
        label=_("From"), widget=forms.DateInput(attrs={"type": "date"})
    )
    end_date = forms.DateField(
        label=_("Until"), widget=forms.DateInput(attrs={"type": "date"})
    )
    slot_times = forms.CharField(
        required=False,
        label=_("Times of day"),
        help_text=_("For example: 06:00, 17:00 (Vietnam time)"),
    )
    weekdays = forms.MultipleChoiceField(
        required=False,
        label=_("Days of week (none = every day)"),
        choices=[
            (1, _("Mon")),
            (2, _("Tue")),
            (3, _("Wed")),
            (4, _("Thu")),
            (5, _("Fri")),
            (6, _("Sat")),
            (7, _("Sun")),
        ],
        widget=forms.CheckboxSelectMultiple,
    )
    times_in_period = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=1000,
        label=_("Or: number of airings within the period"),
        help_text=_("For communes that choose their own hours."),
    )
    priority = forms.ChoiceField(
        label=_("Priority"),
        choices=Priority.choices,
        initial=Priority.NORMAL,
        required=False,
        help_text=_(
            "Priority items air first in a slot; emergency items interrupt. "
            "“Number of airings within the period” is always normal."
        ),
    )

    # Shown only after the service finds the slots overlap an existing schedule.
    on_overlap = forms.ChoiceField(
        required=False,
        choices=[(OnOverlap.ADD_MISSING, _("Add only the missing slots"))],
        widget=forms.HiddenInput,
    )

    def when_and_where(self) -> dict:
        """The schedule's rule as the services take it (create and update alike)."""
        data = self.cleaned_data
        return {
            "start_date": data["start_date"],
            "end_date": data["end_date"],
            "target_kind": data["target_kind"],
            "target_unit": data["target_unit"],
            "target_stations": list(data["target_stations"]),
            "target_station_kind": data["target_station_kind"],
            "slot_times": data["slot_times"],
            "weekdays": data["weekdays"],
            "times_in_period": data["times_in_period"],
        }

    def __init__(self, *args, user=None, schedule=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = schedulable_items()
        if schedule is not None:
            # Editing changes when and where, not what.
            del self.fields["item"]
            del self.fields["on_overlap"]
        # District staff schedule for their own district's stations only.
        self.scope_unit = _district_of(user)
        if self.scope_unit is not None:
            self.fields["target_unit"].queryset = Unit.objects.filter(
                pk=self.scope_unit.pk
            )
            self.fields["target_unit"].initial = self.scope_unit.pk
            self.fields["target_stations"].queryset = Station.objects.filter(
                active=True, unit_id__in=self.scope_unit.descendant_ids()
            ).order_by("code")
        today = timezone.localdate()
        self.fields["start_date"].initial = today
        self.fields["end_date"].initial = today + timedelta(days=6)

    @classmethod
    def initial_for(cls, schedule: Schedule) -> dict:
        return {
            "target_kind": schedule.target_kind,
            "target_unit": schedule.target_unit_id,
            "target_stations": list(
                schedule.target_stations.values_list("pk", flat=True)
            ),
            "target_station_kind": schedule.target_station_kind,
            "start_date": schedule.start_date,
            "end_date": schedule.end_date,
            "slot_times": ", ".join(schedule.slot_times),
            "weekdays": schedule.weekdays,
            "times_in_period": schedule.times_in_period,
            "priority": schedule.priority,
        }

    def clean_slot_times(self):
        try:
            return parse_slot_times(self.cleaned_data.get("slot_times") or "")
        except ServiceError as exc:
            raise forms.ValidationError(exc.message) from exc

    def clean_weekdays(self):
        return [int(d) for d in self.cleaned_data.get("weekdays") or []]

    def clean(self):
        data = super().clean()
        if (
            self.scope_unit is not None
            and data.get("target_kind") == Schedule.TargetKind.STATION_KIND
        ):
            # "All stations of a kind" means all of the district's, for district staff.
            data["target_unit"] = self.scope_unit
        return data


class ScheduleCancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is it cancelled?"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ScheduleFilterForm(forms.Form):
    """The schedules listing's filters; bad values are simply ignored."""

    q = forms.CharField(required=False, label=_("Content item"))
    unit = forms.ModelChoiceField(
        queryset=Unit.objects.exclude(level=Unit.Level.COMMUNE).order_by(
            "level", "name"
        ),
        required=False,
        label=_("Unit"),
    )
    kind = forms.ChoiceField(
        choices=[("", "—")] + list(Station.Kind.choices),
        required=False,
        label=_("Station kind"),
    )
    on = forms.DateField(
        required=False,
        label=_("Airing on"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )


def _district_of(user) -> Unit | None:
    """The unit a non-province user is limited to, or None for province staff."""
    from .scope import scope_policy

    return scope_policy.district_of(user)
