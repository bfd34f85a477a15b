"""Report views the 2025 reorganisation and the language versions need: airings by
language, coverage by language and version gaps, and units counted either by the
units of the time or rolled up to today's. The counting (status_counts) and the
filters (airings) are reports.py's; only the grouping differs."""

from __future__ import annotations

from collections import Counter, OrderedDict, defaultdict

from .models import PlannedAiring, Station, Unit
from .reports import COUNT_COLUMNS, ReportFilter, airings, status_counts
from .units import airing_unit_id, successor_map

UNIT_MODES = ("time", "today")


def _add(into: dict, row: dict) -> None:
    for n in COUNT_COLUMNS:
        into[n] = into.get(n, 0) + row[n]


def unit_rows(
    *,
    station_ids: set[int] | None,
    f: ReportFilter,
    mode: str = "time",
    level: str = "district",
) -> list[dict]:
    """Counts by unit (or by district) either as the units were when each airing
    was planned, or rolled up to the units that carry them today. Every airing
    counts once either way, so the totals agree."""
    if mode not in UNIT_MODES:
        raise ValueError(mode)
    per_unit = (
        airings(station_ids=station_ids, f=f)
        .annotate(u=airing_unit_id())
        .values("u")
        .annotate(**status_counts())
    )
    units = Unit.objects.in_bulk()
    today = successor_map() if mode == "today" else {}
    grouped: dict[int, dict] = {}
    for row in per_unit:
        unit = units[today.get(row["u"], row["u"])]
        if level == "district" and unit.level == Unit.Level.COMMUNE and unit.parent_id:
            unit = units[unit.parent_id]
        _add(grouped.setdefault(unit.pk, {}), row)
    return [
        OrderedDict(
            [("unit", units[pk].code), ("unit_name", units[pk].name)]
            + [(n, counts[n]) for n in COUNT_COLUMNS]
        )
        for pk, counts in sorted(grouped.items(), key=lambda kv: units[kv[0]].name)
    ]


def _versions(item_ids) -> dict[int, object]:
    from cms.models import ContentItemPage

    # One query per item type, then one per item for its versions: bounded by the
    # items planned in the period, not by the airings.
    pages = ContentItemPage.objects.filter(pk__in=item_ids).specific()
    return {p.pk: p for p in pages}


def _language_of(item, station: Station) -> str:
    from cms.selectors import version_for_languages

    if item is None:
        return station.language_codes()[0]
    return version_for_languages(item, station.language_codes())[0]


def language_rows(*, station_ids: set[int] | None, f: ReportFilter) -> list[dict]:
    """Counts by the language each station aired (the version it was sent)."""
    pairs = list(
        airings(station_ids=station_ids, f=f)
        .values("schedule__item_id", "station_id")
        .annotate(**status_counts())
    )
    items = _versions({p["schedule__item_id"] for p in pairs})
    stations = Station.objects.in_bulk({p["station_id"] for p in pairs})
    by_language: dict[str, dict] = {}
    for p in pairs:
        code = _language_of(
            items.get(p["schedule__item_id"]), stations[p["station_id"]]
        )
        _add(by_language.setdefault(code, {}), p)
    return [
        OrderedDict([("language", code)] + [(n, c[n]) for n in COUNT_COLUMNS])
        for code, c in sorted(by_language.items())
    ]


def language_coverage(*, station_ids: set[int] | None, f: ReportFilter) -> list[dict]:
    """For each minority language: the commune stations that declared it, and how
    many of them aired at least one item in that language in the period."""
    communes = Station.objects.filter(
        kind=Station.Kind.COMMUNE_LOUDSPEAKER, active=True
    ).exclude(languages="")
    if station_ids is not None:
        communes = communes.filter(pk__in=station_ids)
    declared: dict[str, set[int]] = defaultdict(set)
    for station in communes:
        for code in station.language_codes():
            if code != "vi":
                declared[code].add(station.pk)
    aired = list(
        airings(station_ids=station_ids, f=f)
        .filter(status=PlannedAiring.Status.AIRED)
        .values_list("schedule__item_id", "station_id")
        .distinct()
    )
    items = _versions({i for i, _s in aired})
    stations = Station.objects.in_bulk({s for _i, s in aired})
    reached: dict[str, set[int]] = defaultdict(set)
    for item_id, station_id in aired:
        reached[_language_of(items.get(item_id), stations[station_id])].add(station_id)
    rows = []
    for code, station_set in sorted(declared.items()):
        n_aired = len(reached[code] & station_set)
        rows.append(
            OrderedDict(
                language=code,
                communes=len(station_set),
                communes_aired=n_aired,
                share=round(n_aired / len(station_set), 4) if station_set else 0.0,
            )
        )
    return rows


def language_gaps(*, station_ids: set[int] | None, f: ReportFilter) -> list[dict]:
    """Items planned for stations whose community speaks a language the item has
    no version in: the versions worth making next."""
    pairs = list(
        airings(station_ids=station_ids, f=f)
        .values_list("schedule__item_id", "schedule__item_title", "station_id")
        .distinct()
    )
    items = _versions({i for i, _t, _s in pairs})
    stations = Station.objects.in_bulk({s for _i, _t, s in pairs})
    missing: Counter = Counter()
    titles = {}
    for item_id, title, station_id in pairs:
        item = items.get(item_id)
        if item is None:
            continue
        have = {v.language.code for v in item.language_versions.all() if v.media_id}
        have.add(item.language.code if item.language_id else "vi")
        for code in stations[station_id].language_codes():
            if code not in have:
                missing[(item_id, code)] += 1
                titles[item_id] = title
    return [
        OrderedDict(content_id=i, title=titles[i], language=code, stations=n)
        for (i, code), n in sorted(missing.items())
    ]
