"""Report tables the language versions need: airings by the language each station
got, coverage by language and version gaps. The counting (status_counts) and the
filters (airings) are reports.py's; only the grouping differs. (Units by the time
or today's are reports._fold's.)"""

from __future__ import annotations

from collections import Counter, OrderedDict, defaultdict

from .models import PlannedAiring, Station
from .reports import COUNT_COLUMNS, ReportFilter, airings, status_counts


def _add(into: dict, row: dict) -> None:
    for n in COUNT_COLUMNS:
        into[n] = into.get(n, 0) + row[n]


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
    from cms.selectors import language_versions

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
        # Versions with something to play, by the owner of that rule.
        have = {v.language.code for v in language_versions(item)}
        have.add(item.language.code if item.language_id else "vi")
        for code in stations[station_id].language_codes():
            if code not in have:
                missing[(item_id, code)] += 1
                titles[item_id] = title
    return [
        OrderedDict(content_id=i, title=titles[i], language=code, stations=n)
        for (i, code), n in sorted(missing.items())
    ]


LANGUAGE_TABLES = {
    "language": language_rows,
    "language_coverage": language_coverage,
    "language_gaps": language_gaps,
}
