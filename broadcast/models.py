"""Stations, schedules, planned airings, confirmations, packages and the
distribution log."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from loa.units.models import Unit


class Station(models.Model):
    class Kind(models.TextChoices):
        DISTRICT_RADIO = "district_radio", _("District radio station (FM)")
        COMMUNE_LOUDSPEAKER = "commune_loudspeaker", _("Commune loudspeaker system")
        EBULLETIN = "ebulletin", _("Electronic bulletin board")

    class Transmission(models.TextChoices):
        WIRED = "wired", _("Wired")
        FM_WIRELESS = "fm", _("FM wireless")
        IP = "ip", _("IP / 4G receivers")

    class Orientation(models.TextChoices):
        LANDSCAPE = "landscape", _("Landscape (1920×1080)")
        PORTRAIT = "portrait", _("Portrait (1080×1920)")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=160)
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="stations", verbose_name=_("unit")
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    transmission = models.CharField(
        _("transmission"), max_length=16, choices=Transmission.choices, blank=True
    )
    clusters = models.PositiveIntegerField(
        _("loudspeaker clusters"), null=True, blank=True
    )
    orientation = models.CharField(
        _("screen orientation"), max_length=16, choices=Orientation.choices, blank=True
    )
    # The languages the community listens in, most preferred first (codes of
    # cms.Language). Packages carry each item's version in the first one the item
    # has; Vietnamese is the fallback.
    languages = models.CharField(
        _("languages of the community"),
        max_length=160,
        blank=True,
        help_text=_(
            "Language codes, most preferred first, separated by commas "
            "(for example: stieng, vi). Empty means Vietnamese."
        ),
    )
    contact_name = models.CharField(_("contact person"), max_length=120, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("station")
        verbose_name_plural = _("stations")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def language_codes(self) -> list[str]:
        codes = [c.strip() for c in self.languages.split(",") if c.strip()]
        return codes or ["vi"]

    def clean(self):
        from django.core.exceptions import ValidationError

        from cms.models import Language

        codes = [c.strip() for c in self.languages.split(",") if c.strip()]
        known = set(
            Language.objects.filter(code__in=codes).values_list("code", flat=True)
        )
        unknown = [c for c in codes if c not in known]
        if unknown:
            raise ValidationError(
                {
                    "languages": _("Unknown language codes: %(codes)s.")
                    % {"codes": ", ".join(unknown)}
                }
            )
        self.languages = ", ".join(dict.fromkeys(codes))


class StationToken(models.Model):
    """An API token for a station's playout PC. Only the SHA-256 is stored; the token
    itself is shown once, when made."""

    station = models.ForeignKey(
        Station, on_delete=models.CASCADE, related_name="tokens"
    )
    prefix = models.CharField(max_length=12, db_index=True)
    token_hash = models.CharField(max_length=64, unique=True)
    label = models.CharField(_("label"), max_length=120, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("station API token")
        verbose_name_plural = _("station API tokens")

    def __str__(self) -> str:
        return f"{self.station.code} {self.prefix}…"


class StaffAssignment(models.Model):
    """Where a user works: their unit (district staff see their district) and, for
    station operators and commune staff, their station."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignment"
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, verbose_name=_("unit"))
    station = models.ForeignKey(
        Station,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        verbose_name=_("station"),
    )

    class Meta:
        verbose_name = _("staff assignment")
        verbose_name_plural = _("staff assignments")

    def __str__(self) -> str:
        return f"{self.user} @ {self.unit}"


class Priority(models.TextChoices):
    """Circular 39/2020/TT-BTTTT: normal (the commune chooses when), priority (aired
    first in the programme), emergency (aired at once, interrupting)."""

    NORMAL = "normal", _("Normal")
    PRIORITY = "priority", _("Priority")
    EMERGENCY = "emergency", _("Emergency")


class Schedule(models.Model):
    """An approved item planned for air: to whom, over which dates, at which times."""

    class TargetKind(models.TextChoices):
        UNIT = "unit", _("A whole unit (all its stations)")
        STATIONS = "stations", _("Chosen stations")
        STATION_KIND = "station_kind", _("A station kind")

    item = models.ForeignKey(
        "wagtailcore.Page",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("content item"),
    )
    # Kept so history reads right after the item is deleted.
    item_title = models.CharField(max_length=255)
    target_kind = models.CharField(
        _("target"), max_length=16, choices=TargetKind.choices, default=TargetKind.UNIT
    )
    target_unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("unit")
    )
    target_stations = models.ManyToManyField(
        Station, blank=True, related_name="+", verbose_name=_("stations")
    )
    target_station_kind = models.CharField(
        _("station kind"), max_length=32, choices=Station.Kind.choices, blank=True
    )
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"))
    # Local times of day ("06:00"), in Asia/Ho_Chi_Minh.
    slot_times = models.JSONField(_("times of day"), default=list, blank=True)
    # ISO weekdays 1..7; empty means every day.
    weekdays = models.JSONField(_("days of week"), default=list, blank=True)
    # Alternative to fixed slots: the commune picks its own hours.
    times_in_period = models.PositiveIntegerField(
        _("times within the period"), null=True, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_reason = models.TextField(blank=True)
    # Circular 39/2020/TT-BTTTT's three priorities. "N times in the period" is
    # normal by definition: the commune chooses when (services enforce it).
    priority = models.CharField(
        _("priority"),
        max_length=16,
        choices=Priority.choices,
        default=Priority.NORMAL,
    )

    class Meta:
        verbose_name = _("schedule")
        verbose_name_plural = _("schedules")
        ordering = ["-start_date", "-pk"]

    def __str__(self) -> str:
        return f"{self.item_title} ({self.start_date}–{self.end_date})"


class PlannedAiring(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        AIRED = "aired", _("Aired")
        MISSED = "missed", _("Not aired")
        CANCELLED = "cancelled", _("Cancelled")

    schedule = models.ForeignKey(
        Schedule, on_delete=models.CASCADE, related_name="airings"
    )
    station = models.ForeignKey(
        Station, on_delete=models.PROTECT, related_name="airings"
    )
    # Copied from the schedule so the database itself refuses a second airing of
    # the same item at the same station and time (a double-submitted form).
    item = models.ForeignKey(
        "wagtailcore.Page",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # UTC instant for a fixed slot; for "N times within the period" this is the
    # start of the period and flexible=True.
    planned_at = models.DateTimeField(_("planned at"))
    flexible = models.BooleanField(default=False)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PLANNED
    )
    # The station's unit when it aired, frozen by a reorganisation that moved the
    # station; empty means the station's current unit (broadcast.units owns this).
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # What reports count: the latest word on this airing, from its confirmation or
    # the correction that followed it.
    aired_at = models.DateTimeField(_("aired at"), null=True, blank=True)
    missed_reason = models.CharField(_("reason"), max_length=16, blank=True)
    late = models.BooleanField(_("confirmed late"), default=False)

    class Meta:
        verbose_name = _("planned airing")
        verbose_name_plural = _("planned airings")
        ordering = ["planned_at", "station_id"]
        indexes = [models.Index(fields=["station", "planned_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["schedule", "station", "planned_at"], name="airing_unique_slot"
            ),
            # Cancelled airings stay for history; a later schedule may plan the slot.
            models.UniqueConstraint(
                fields=["station", "item", "planned_at"],
                condition=~models.Q(status="cancelled"),
                name="airing_one_per_station_item_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.schedule.item_title} @ {self.station.code} {self.planned_at:%Y-%m-%d %H:%M}"


class AiringTally(models.Model):
    """How many planned airings share a day (or a month) in Vietnam time, schedule,
    station, frozen unit, status, late flag and missed reason: what the report
    folds, without reading every airing.

    Written only by database triggers on broadcast_plannedairing (migration 0009),
    in the same statement as the airings change, so it is exact after every write
    path, whoever wrote it; nothing in Python writes here. Month rows ("m") serve
    whole months of a period, day rows ("d") its partial months. The ids are plain
    integers, not foreign keys: a cascade from Django must never delete tally rows
    before the airings' triggers subtract them."""

    class Span(models.TextChoices):
        DAY = "d", "day"
        MONTH = "m", "month"

    span = models.CharField(max_length=1, choices=Span.choices)
    # The local day, or the first day of the local month.
    day = models.DateField()
    schedule_id = models.BigIntegerField()
    station_id = models.BigIntegerField()
    # PlannedAiring.unit_id, 0 where it is empty (the station's current unit).
    unit_key = models.BigIntegerField()
    status = models.CharField(max_length=16)
    late = models.BooleanField()
    missed_reason = models.CharField(max_length=16)
    n = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "span",
                    "day",
                    "schedule_id",
                    "station_id",
                    "unit_key",
                    "status",
                    "late",
                    "missed_reason",
                ],
                name="airing_tally_key",
            )
        ]
        indexes = [
            # A district's report reads its own stations' rows only.
            models.Index(
                fields=["station_id", "span", "day"], name="airing_tally_station"
            ),
            # Triggers delete the rows whose count fell to zero or below
            # (`WHERE n <= 0`); this index holds only those, so finding them costs
            # nothing. Its condition must imply the triggers' predicate, or the
            # database cannot use it and reads the whole tally on every write.
            models.Index(
                fields=["n"], condition=models.Q(n__lte=0), name="airing_tally_spent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.span} {self.day} station {self.station_id}: {self.n}"


class Confirmation(models.Model):
    """What commune staff (or a playout log) said about one planned airing.

    The client makes the uuid, so a phone that re-sends after losing signal is
    recognised and never double-counted.
    """

    class Status(models.TextChoices):
        AIRED = "aired", _("Aired")
        MISSED = "missed", _("Not aired")

    class Reason(models.TextChoices):
        POWER = "power", _("Power cut")
        EQUIPMENT = "equipment", _("Equipment fault")
        WEATHER = "weather", _("Weather")
        OTHER = "other", _("Other")

    class Source(models.TextChoices):
        WEB = "web", _("Web")
        API = "api", _("API")
        IMPORT = "import", _("As-run log import")
        AGENT = "agent", _("Station agent")

    uuid = models.UUIDField(unique=True, default=uuid.uuid4)
    airing = models.ForeignKey(
        PlannedAiring, on_delete=models.PROTECT, related_name="confirmations"
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    aired_at = models.DateTimeField(_("aired at"), null=True, blank=True)
    reason = models.CharField(
        _("reason"), max_length=16, choices=Reason.choices, blank=True
    )
    note = models.TextField(_("note"), blank=True)
    source = models.CharField(max_length=16, choices=Source.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    actor_station = models.ForeignKey(
        Station, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    received_at = models.DateTimeField(auto_now_add=True)
    # Server clock minus the phone's clock when it sent this, in seconds: the
    # stated time is kept as given, the offset says how far to trust it.
    clock_offset = models.IntegerField(_("clock offset (s)"), null=True, blank=True)
    # Received on a later day than the airing was planned for.
    late = models.BooleanField(_("late"), default=False)
    # The batch (one station, one request) whose Merkle root a chain event holds
    # (broadcast.log). Empty for confirmations logged one event each before that.
    batch = models.UUIDField(_("log batch"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("airing confirmation")
        verbose_name_plural = _("airing confirmations")
        constraints = [
            # "Aired" has no reason for not airing; "not aired" always has one.
            models.CheckConstraint(
                condition=models.Q(status="aired", reason="")
                | (models.Q(status="missed") & ~models.Q(reason="")),
                name="confirmation_reason_matches_status",
            )
        ]

    def __str__(self) -> str:
        return f"{self.uuid} {self.status}"


class Package(models.Model):
    """A broadcast package (zip) for one station and period."""

    class Status(models.TextChoices):
        BUILDING = "building", _("Building")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    public_id = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    station = models.ForeignKey(
        Station, on_delete=models.PROTECT, related_name="packages"
    )
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("until"))
    # Hash of everything that goes in: unchanged inputs mean no rebuild.
    inputs_hash = models.CharField(max_length=64)
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.BUILDING
    )
    path = models.CharField(max_length=500, blank=True)
    bytes = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    manifest = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    built_at = models.DateTimeField(null=True, blank=True)
    # Set when a newer package for an overlapping period of the same station is
    # built: the old file stays on disk for the record but is no longer served.
    superseded_by = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("superseded by"),
    )

    class Meta:
        verbose_name = _("broadcast package")
        verbose_name_plural = _("broadcast packages")
        ordering = ["-period_start", "station__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["station", "period_start", "period_end", "inputs_hash"],
                name="package_unique_inputs",
            )
        ]

    def __str__(self) -> str:
        return f"{self.station.code} {self.period_start}–{self.period_end}"

    @property
    def etag(self) -> str:
        return f'"{self.sha256}"' if self.sha256 else ""


class DistributionEvent(models.Model):
    """Append-only, hash-chained record of what happened on the distribution path.

    A correction is a new event pointing at the one it corrects. Rows are never
    updated or deleted: model code refuses, and on PostgreSQL a trigger does too.
    Titles and codes are copied in so history outlives the content it mentions.
    """

    class Kind(models.TextChoices):
        PACKAGE_BUILT = "package_built", _("Package built")
        PACKAGE_DOWNLOADED = "package_downloaded", _("Package downloaded")
        AIRING_CONFIRMED = "airing_confirmed", _("Aired")
        AIRING_MISSED = "airing_missed", _("Not aired")
        CONFIRMATIONS = "confirmations", _("Airings confirmed (batch)")
        WITHDRAWAL = "withdrawal", _("Withdrawal")
        CORRECTION = "correction", _("Correction")
        URGENT_SENT = "urgent_sent", _("Urgent announcement sent")
        URGENT_STATE = "urgent_state", _("Urgent announcement at a station")
        URGENT_ENDED = "urgent_ended", _("Urgent announcement ended")
        AGENT_ALERT = "agent_alert", _("Station agent alert")
        REORGANISATION = "reorganisation", _("Administrative reorganisation")

    kind = models.CharField(_("event"), max_length=32, choices=Kind.choices)
    occurred_at = models.DateTimeField(_("recorded at"))
    actor = models.CharField(_("actor"), max_length=160, blank=True)
    source = models.CharField(_("source"), max_length=16, blank=True)
    station_code = models.CharField(
        _("station code"), max_length=40, blank=True, db_index=True
    )
    unit_code = models.CharField(_("unit code"), max_length=32, blank=True)
    item_id = models.IntegerField(_("item number"), null=True, blank=True)
    item_title = models.CharField(_("item title"), max_length=255, blank=True)
    airing_id = models.BigIntegerField(_("airing number"), null=True, blank=True)
    package_id = models.BigIntegerField(_("package number"), null=True, blank=True)
    planned_at = models.DateTimeField(_("planned at"), null=True, blank=True)
    actual_at = models.DateTimeField(_("aired at"), null=True, blank=True)
    corrects = models.ForeignKey(
        "self",
        verbose_name=_("corrects"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
    )
    data = models.JSONField(_("details"), default=dict, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64, unique=True)

    class Meta:
        verbose_name = _("distribution log event")
        verbose_name_plural = _("distribution log")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind} {self.station_code}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Distribution log events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Distribution log events are append-only.")


class PendingLogEvent(models.Model):
    """A log event waiting for the chain (broadcast.log): a confirmation batch that
    found the append lock busy does not wait for it; the next append, or the
    minutely seal, puts its event in the chain and removes this row. Its root is
    already here, so verify_log holds the batch's confirmations against it."""

    created_at = models.DateTimeField(auto_now_add=True)
    # The event's fields as log_events takes them (times as ISO 8601 text).
    event = models.JSONField()

    class Meta:
        verbose_name = _("log event waiting for the chain")
        verbose_name_plural = _("log events waiting for the chain")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.pk} {self.event.get('kind', '')}"


class PackageDownload(models.Model):
    """One completed download of a package by one caller. The unique constraint is
    what keeps repeated or partial requests from inflating the figures."""

    package = models.ForeignKey(
        Package, on_delete=models.PROTECT, related_name="downloads"
    )
    actor = models.CharField(max_length=160)
    completed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("package download")
        verbose_name_plural = _("package downloads")
        constraints = [
            models.UniqueConstraint(
                fields=["package", "actor"], name="package_download_once_per_actor"
            )
        ]

    def __str__(self) -> str:
        return f"{self.package_id} {self.actor}"


class LogCheckpoint(models.Model):
    """A signed statement of the log's length and head hash at one moment.

    Stations keep copies (every manifest carries the latest one), so truncating the
    log, or rewriting it and recomputing the chain, no longer matches what was
    signed, even for someone who can edit the database but not the signing key.
    """

    events = models.PositiveBigIntegerField()
    head_hash = models.CharField(max_length=64)
    signed_at = models.DateTimeField()
    # The exact signed bytes (canonical JSON) and the base64 Ed25519 signature.
    payload = models.TextField()
    signature = models.CharField(max_length=200)

    class Meta:
        verbose_name = _("log checkpoint")
        verbose_name_plural = _("log checkpoints")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.events} @ {self.head_hash[:12]}"


class UrgentAnnouncement(models.Model):
    """An announcement that interrupts whatever plays (storm, fire, epidemic).

    Stations with an agent learn of it by polling and report their state per
    station (UrgentDelivery); stations without one see it at the top of the commune
    page.
    """

    class Status(models.TextChoices):
        AWAITING_APPROVAL = "awaiting_approval", _("Awaiting second approval")
        SENT = "sent", _("Sent")
        ENDED = "ended", _("Ended")

    title = models.CharField(_("title"), max_length=255)
    audio = models.FileField(_("audio file"), upload_to="urgent/", blank=True)
    item = models.ForeignKey(
        "wagtailcore.Page",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("content item"),
    )
    # The file stations play (the upload, or the item's loudspeaker rendition),
    # fixed when the announcement is made.
    audio_path = models.CharField(max_length=500)
    audio_sha256 = models.CharField(max_length=64)
    audio_bytes = models.PositiveBigIntegerField(default=0)
    duration = models.FloatField(null=True, blank=True)
    repeat = models.PositiveSmallIntegerField(_("times to play"), default=2)
    target_units = models.ManyToManyField(
        Unit, related_name="+", verbose_name=_("units")
    )
    status = models.CharField(
        _("status"), max_length=24, choices=Status.choices, default=Status.SENT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("urgent announcement")
        verbose_name_plural = _("urgent announcements")
        ordering = ["-created_at"]
        permissions = [("send_urgent", _("Send urgent announcements"))]

    def __str__(self) -> str:
        return self.title


class UrgentDelivery(models.Model):
    """One station's state for one urgent announcement."""

    class State(models.TextChoices):
        PENDING = "pending", _("No contact yet")
        DELIVERED = "delivered", _("Delivered")
        PLAYING = "playing", _("Playing")
        PLAYED = "played", _("Played")
        FAILED = "failed", _("Failed")

    announcement = models.ForeignKey(
        UrgentAnnouncement, on_delete=models.CASCADE, related_name="deliveries"
    )
    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.PENDING
    )
    plays = models.PositiveSmallIntegerField(default=0)
    detail = models.CharField(max_length=500, blank=True)
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["announcement", "station"], name="urgent_delivery_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.announcement_id} @ {self.station_id}: {self.state}"


class AgentStatus(models.Model):
    """The last heartbeat of a station's agent: the device status provinces report."""

    station = models.OneToOneField(
        Station, on_delete=models.CASCADE, related_name="agent_status"
    )
    last_heartbeat_at = models.DateTimeField(_("last contact"))
    version = models.CharField(_("version"), max_length=20, blank=True)
    free_disk_bytes = models.BigIntegerField(null=True, blank=True)
    current_package = models.CharField(max_length=64, blank=True)
    player = models.CharField(_("player"), max_length=200, blank=True)
    player_ok = models.BooleanField(_("player works"), default=True)
    last_error = models.JSONField(default=dict, blank=True)
    queued = models.PositiveIntegerField(default=0)
    clock_offset_s = models.FloatField(null=True, blank=True)

    class Meta:
        verbose_name = _("agent status")
        verbose_name_plural = _("agent statuses")

    def __str__(self) -> str:
        return f"{self.station_id} {self.last_heartbeat_at:%Y-%m-%d %H:%M}"
