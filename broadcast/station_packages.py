"""Reads for the station page's packages: the current package of each station a user
may see, what changed since that station's previous package, and when the station's
playout PC (its API token) last downloaded one."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone

from .models import DistributionEvent, Package, Station


@dataclass
class PackageChanges:
    previous: Package | None
    added: list[dict] = field(default_factory=list)
    withdrawn: list[dict] = field(default_factory=list)


@dataclass
class StationPackage:
    station: Station
    package: Package
    changes: PackageChanges

    @property
    def items(self) -> list[dict]:
        return self.package.manifest.get("items", [])

    @property
    def pending(self) -> list[dict]:
        return self.package.manifest.get("pending", [])


def _withdrawal_key(w: dict) -> tuple:
    return (w.get("content_id"), w.get("cause"), w.get("withdrawn_at"))


def package_changes(*, current: Package, previous: Package | None) -> PackageChanges:
    """Files new in `current` and withdrawals it carries that `previous` did not."""
    old = previous.manifest if previous else {}
    old_paths = {i["path"] for i in old.get("items", [])}
    old_withdrawals = {_withdrawal_key(w) for w in old.get("withdrawals", [])}
    return PackageChanges(
        previous=previous,
        added=[
            i for i in current.manifest.get("items", []) if i["path"] not in old_paths
        ],
        withdrawn=[
            w
            for w in current.manifest.get("withdrawals", [])
            if _withdrawal_key(w) not in old_withdrawals
        ],
    )


def current_packages(
    *, station_ids: set[int] | None, today: date | None = None
) -> list[StationPackage]:
    """Each station's newest ready package covering today, with its changes."""
    today = today or timezone.localdate()
    ready = Package.objects.filter(status=Package.Status.READY).select_related(
        "station", "station__unit"
    )
    current = ready.filter(period_start__lte=today, period_end__gte=today)
    if station_ids is not None:
        current = current.filter(station_id__in=station_ids)
    newest: dict[int, Package] = {}
    for package in current.order_by("station__code", "-built_at", "-pk"):
        newest.setdefault(package.station_id, package)
    result = []
    for package in newest.values():
        previous = (
            ready.filter(station_id=package.station_id, built_at__lt=package.built_at)
            .order_by("-built_at", "-pk")
            .first()
        )
        result.append(
            StationPackage(
                station=package.station,
                package=package,
                changes=package_changes(current=package, previous=previous),
            )
        )
    # District stations first: their package carries their communes' material.
    result.sort(
        key=lambda sp: (sp.station.kind != Station.Kind.DISTRICT_RADIO, sp.station.code)
    )
    return result


def last_token_download(*, station: Station) -> DistributionEvent | None:
    """The latest package download made with the station's API token (the playout
    PC), whichever package of its scope it was."""
    # The API logs token downloads with this actor label (broadcast.api).
    return (
        DistributionEvent.objects.filter(
            kind=DistributionEvent.Kind.PACKAGE_DOWNLOADED,
            actor=f"station:{station.code}",
        )
        .order_by("-pk")
        .first()
    )
