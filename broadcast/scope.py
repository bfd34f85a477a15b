"""The one answer to "which units, stations and collections may this principal see
or act on", for a user of any role or a station token.

Every screen and endpoint asks `scope_policy` (API, station pages, reports, forms,
admin listings, the image/media/document choosers and their usage views, the
distribution-log snippet), in the manner of Wagtail's permission policies, so the
rule is written once. A scope never answers "None means everything": it says so
with `everything`, and its filter methods apply it to a queryset.

The rule:
- superusers and staff assigned to the province: everything;
- district staff: their district's units, its stations, its media collection
  (after a reorganisation, also the units that took over its parts: `_units_of`);
- station operators and commune staff, and station tokens: their station, and
  for a district station the stations of the communes under it; no collections;
- anyone else (anonymous, no assignment): nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from loa.units.models import Unit
from loa.units.tree import successor_map

from .models import Station


@dataclass(frozen=True)
class Scope:
    everything: bool = False
    unit_ids: frozenset[int] = field(default_factory=frozenset)
    station_ids: frozenset[int] = field(default_factory=frozenset)
    collection_ids: frozenset[int] = field(default_factory=frozenset)
    # Reports are for province and district staff, not for one station.
    may_report: bool = False

    @property
    def is_empty(self) -> bool:
        return not self.everything and not self.station_ids and not self.unit_ids

    def station_id_set(self) -> set[int] | None:
        """The stations as the older `set | None` (None = all) that callers not yet
        converted expect."""
        return None if self.everything else set(self.station_ids)

    def sees_station(self, station_id: int | None) -> bool:
        return self.everything or station_id in self.station_ids

    def sees_collection(self, collection_id: int | None) -> bool:
        return self.everything or collection_id in self.collection_ids

    def stations(self) -> QuerySet[Station]:
        return self.filter_stations(Station.objects.all(), "pk")

    def units(self) -> QuerySet[Unit]:
        qs = Unit.objects.all()
        return qs if self.everything else qs.filter(pk__in=self.unit_ids)

    def filter_stations(self, qs: QuerySet, field: str = "station") -> QuerySet:
        """Rows whose `field` (a station foreign key or id) is in scope."""
        if self.everything:
            return qs
        return qs.filter(**{f"{field}__in": self.station_ids})

    def filter_units(self, qs: QuerySet, field: str = "unit") -> QuerySet:
        if self.everything:
            return qs
        return qs.filter(**{f"{field}__in": self.unit_ids})

    def filter_collections(self, qs: QuerySet, field: str = "collection") -> QuerySet:
        """Images, media, documents (or collections, with field="pk") in scope."""
        if self.everything:
            return qs
        return qs.filter(**{f"{field}__in": self.collection_ids})

    def filter_log(self, qs: QuerySet) -> QuerySet:
        """Distribution-log events (stored with codes, not keys, so they outlive
        the rows): those of stations in scope, and unit-wide events of units in
        scope."""
        if self.everything:
            return qs
        codes = Station.objects.filter(pk__in=self.station_ids).values("code")
        unit_codes = Unit.objects.filter(pk__in=self.unit_ids).values("code")
        return qs.filter(
            Q(station_code__in=codes) | Q(station_code="", unit_code__in=unit_codes)
        )


EVERYTHING = Scope(everything=True, may_report=True)
NOTHING = Scope()


class ScopePolicy:
    """Scopes for users, station tokens and requests (a token wins over a session)."""

    def for_request(self, request) -> Scope:
        station = getattr(request, "station", None)
        if station is not None:
            return self.for_station(station)
        return self.for_user(request.user)

    def for_station(self, station: Station) -> Scope:
        """A station sees itself; a district station also its communes' stations."""
        ids = {station.pk}
        unit_ids = {station.unit_id}
        if station.kind == Station.Kind.DISTRICT_RADIO:
            unit_ids = station.unit.descendant_ids()
            ids |= set(
                Station.objects.filter(unit_id__in=unit_ids).values_list(
                    "pk", flat=True
                )
            )
        return Scope(unit_ids=frozenset(unit_ids), station_ids=frozenset(ids))

    def for_user(self, user) -> Scope:
        if user is None or not user.is_authenticated or not user.is_active:
            return NOTHING
        if user.is_superuser:
            return EVERYTHING
        assignment = getattr(user, "assignment", None)
        if assignment is None:
            return NOTHING
        if assignment.station_id:
            return self.for_station(assignment.station)
        if assignment.unit.level == Unit.Level.PROVINCE:
            return EVERYTHING
        unit_ids = _units_of(assignment.unit)
        return Scope(
            unit_ids=frozenset(unit_ids),
            station_ids=frozenset(
                Station.objects.filter(unit_id__in=unit_ids).values_list(
                    "pk", flat=True
                )
            ),
            collection_ids=frozenset(_collections_of(unit_ids)),
            may_report=True,
        )

    def district_of(self, user) -> Unit | None:
        """The unit a district user is limited to when acting (scheduling), or None
        for province staff and superusers."""
        if user is None or user.is_superuser or not user.is_authenticated:
            return None
        assignment = getattr(user, "assignment", None)
        if assignment is None or assignment.unit.level == Unit.Level.PROVINCE:
            return None
        return assignment.unit


_RANK = {Unit.Level.PROVINCE: 0, Unit.Level.DISTRICT: 1, Unit.Level.COMMUNE: 2}


def _units_of(unit: Unit) -> set[int]:
    """A unit and everything under it, followed across the 2025 reorganisation: the
    units that took over its parts, and their parts. Never a successor above the
    unit's level: a district dissolved into the province keeps its communes (under
    their new units) but its staff do not become province staff."""
    ids = unit.descendant_ids()
    if unit.valid_until is None:
        return ids
    today = successor_map()
    levels = dict(Unit.objects.values_list("pk", "level"))
    for successor_id in {today[i] for i in ids} - ids:
        if _RANK[levels[successor_id]] >= _RANK[unit.level]:
            ids |= Unit.objects.get(pk=successor_id).descendant_ids()
    return ids


def _collections_of(unit_ids: set[int]) -> set[int]:
    """The units' media collections and the collections under them."""
    from wagtail.models import Collection

    ids: set[int] = set()
    for root in Collection.objects.filter(unit__pk__in=unit_ids):
        ids |= set(root.get_descendants(inclusive=True).values_list("pk", flat=True))
    return ids


scope_policy = ScopePolicy()
