"""Regenerate Loa's Vietnamese catalogue for the Wagtail admin.

Wagtail ships only a thin Vietnamese catalogue, so editors would see English. This
script lists every msgid of the admin-facing packages we install, keeps the Vietnamese
we already have in ``locale_admin/vi/LC_MESSAGES/<domain>.po``, fills gaps from the
packages' own ``vi`` catalogues (Wagtail's, then Django's), writes the .po files and
compiles them.

    python locale_admin/build.py                    # after upgrading Wagtail/wagtailmedia
    python locale_admin/build.py --merge new.json   # add or replace translations
    python locale_admin/build.py --check            # fail on gaps or broken placeholders

``new.json`` is a list of ``{"domain", "msgctxt", "msgid", "msgstr"}`` objects.
Vietnamese has one plural form, so a plural entry has one ``msgstr[0]`` written
against the plural msgid.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import polib

HERE = Path(__file__).resolve().parent
CATALOGUE_DIR = HERE / "vi" / "LC_MESSAGES"


@dataclass(frozen=True)
class Source:
    package: str  # importable name, e.g. "wagtail.admin"
    domain: str  # "django" or "djangojs"
    locale: str = "locale"  # the package's catalogue folder


# Priority order: the first package that carries a msgid names it in the .po.
SOURCES = [
    Source("wagtail.admin", "django"),
    Source("wagtail.admin", "djangojs"),
    Source("wagtail", "django"),
    Source("wagtail.snippets", "django"),
    Source("wagtail.images", "django"),
    Source("wagtail.documents", "django"),
    Source("wagtail.users", "django"),
    Source("wagtail.search", "django"),
    Source("wagtailmedia", "django"),
    # Installed contrib apps: site, settings, redirect and form screens for admins.
    Source("wagtail.sites", "django"),
    Source("wagtail.embeds", "django"),
    Source("wagtail.contrib.settings", "django"),
    Source("wagtail.contrib.redirects", "django"),
    Source("wagtail.contrib.forms", "django"),
    # Tag fields on images, documents, media and pages ("A comma-separated list...").
    Source("taggit", "django"),
    # Django's own Vietnamese lags its msgids (e.g. "%(num)d minutes" in "2 minutes
    # ago" lists), and the admin shows its form errors and time spans.
    Source("django", "django", "conf/locale"),
]

# Msgids in the packages' code that their shipped catalogues do not list yet.
EXTRA_MSGIDS = {
    "wagtailmedia": ["media items"],
}

# The shipped catalogue whose msgids we take: Wagtail ships an English one for the
# admin; for the other packages the French one is complete and kept in step.
MSGID_LANGUAGES = ("en", "fr")

PLURAL_FORMS = "nplurals=1; plural=0;"

PLACEHOLDER = re.compile(r"%\(\w+\)[sdfr]|%[sdfr]|\{\w*\}")
HTML_TAG = re.compile(r"</?[a-zA-Z][^>]*>")

Key = tuple[str | None, str]  # (msgctxt, msgid)


def package_dir(package: str) -> Path:
    module = __import__(package, fromlist=["__name__"])
    return Path(module.__file__).resolve().parent


def shipped_catalogue(source: Source, language: str) -> Path | None:
    folder = package_dir(source.package) / source.locale / language / "LC_MESSAGES"
    path = folder / f"{source.domain}.po"
    return path if path.exists() else None


def source_entries(source: Source) -> list[polib.POEntry]:
    for language in MSGID_LANGUAGES:
        path = shipped_catalogue(source, language)
        if path:
            entries = [e for e in polib.pofile(str(path)) if not e.obsolete]
            break
    else:
        entries = []
    if source.domain == "django":
        entries += [
            polib.POEntry(msgid=m) for m in EXTRA_MSGIDS.get(source.package, [])
        ]
    return entries


def entry_text(entry: polib.POEntry) -> str:
    if entry.msgid_plural:
        values = [v for _, v in sorted(entry.msgstr_plural.items())]
        return values[0] if values else ""
    return entry.msgstr


def translations_in(paths: Iterable[Path]) -> dict[Key, str]:
    found: dict[Key, str] = {}
    for path in paths:
        for entry in polib.pofile(str(path)):
            text = entry_text(entry)
            if text and not entry.obsolete and "fuzzy" not in entry.flags:
                found.setdefault((entry.msgctxt, entry.msgid), text)
    return found


def upstream_vietnamese(domain: str) -> dict[Key, str]:
    """The Vietnamese the packages ship themselves, Wagtail's before Django's."""
    paths = [shipped_catalogue(s, "vi") for s in SOURCES if s.domain == domain]
    return translations_in(p for p in paths if p)


def same_outer_whitespace(msgid: str, text: str) -> str:
    """msgfmt -c wants a msgstr to start and end with a newline exactly as its msgid."""
    lead = msgid[: len(msgid) - len(msgid.lstrip())]
    trail = msgid[len(msgid.rstrip()) :]
    return lead + text.strip() + trail


def placeholder_problems(entry: polib.POEntry) -> list[str]:
    """Placeholders and HTML tags a translation dropped, added or changed."""
    text = entry_text(entry)
    if not text:
        return []
    problems = []
    # With one plural form the translation is read for every count, so it is written
    # against the plural msgid.
    reference = entry.msgid_plural or entry.msgid
    known = Counter(PLACEHOLDER.findall(reference))
    if entry.msgid_plural:
        known |= Counter(PLACEHOLDER.findall(entry.msgid))
    used = Counter(PLACEHOLDER.findall(text))
    for placeholder in used - known:
        problems.append(f"unknown placeholder {placeholder}")
    # msgfmt -c rejects a translation that drops any of the reference's values.
    for placeholder in Counter(PLACEHOLDER.findall(reference)) - used:
        problems.append(f"missing placeholder {placeholder}")
    if Counter(HTML_TAG.findall(reference)) != Counter(HTML_TAG.findall(text)):
        problems.append("HTML tags differ")
    return problems


def build_catalogue(domain: str, overrides: dict[Key, str]) -> polib.POFile:
    target = CATALOGUE_DIR / f"{domain}.po"
    ours = translations_in([target]) if target.exists() else {}
    upstream = upstream_vietnamese(domain)

    po = polib.POFile(wrapwidth=0)
    po.metadata = {
        "Project-Id-Version": "Loa admin (Wagtail, wagtailmedia)",
        "PO-Revision-Date": "2026-11-27 00:00+0000",
        "Last-Translator": "Loa <loa@localhost>",
        "Language-Team": "Vietnamese",
        "Language": "vi",
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "Plural-Forms": PLURAL_FORMS,
    }
    seen: set[Key] = set()
    for source in SOURCES:
        if source.domain != domain:
            continue
        for original in source_entries(source):
            key = (original.msgctxt, original.msgid)
            if key in seen:
                continue
            seen.add(key)
            text = overrides.get(key) or ours.get(key) or upstream.get(key) or ""
            if text:
                text = same_outer_whitespace(original.msgid, text)
            entry = polib.POEntry(
                msgctxt=original.msgctxt,
                msgid=original.msgid,
                msgid_plural=original.msgid_plural,
                comment=source.package,
                flags=[f for f in original.flags if f.endswith("-format")],
            )
            if original.msgid_plural:
                entry.msgstr_plural = {0: text}
            else:
                entry.msgstr = text
            po.append(entry)
    return po


def compile_catalogue(po_path: Path) -> None:
    """Compile with msgfmt when present (its -c checks formats), else with polib."""
    mo_path = po_path.with_suffix(".mo")
    msgfmt = shutil.which("msgfmt")
    if msgfmt:
        subprocess.run([msgfmt, "-c", "-o", str(mo_path), str(po_path)], check=True)
    else:
        polib.pofile(str(po_path)).save_as_mofile(str(mo_path))


def read_overrides(paths: list[Path]) -> dict[str, dict[Key, str]]:
    overrides: dict[str, dict[Key, str]] = {}
    for path in paths:
        for item in json.loads(path.read_text(encoding="utf-8")):
            key = (item.get("msgctxt"), item["msgid"])
            overrides.setdefault(item.get("domain", "django"), {})[key] = item["msgstr"]
    return overrides


def report(po: polib.POFile, name: str) -> int:
    missing = [e.msgid for e in po if not entry_text(e)]
    broken = [(e.msgid, p) for e in po for p in placeholder_problems(e)]
    print(
        f"{name}: {len(po)} messages, {len(missing)} untranslated, {len(broken)} broken"
    )
    for msgid in missing[:20]:
        print(f"  untranslated: {msgid!r}")
    for msgid, problem in broken:
        print(f"  {problem}: {msgid!r}")
    return len(missing) + len(broken)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--merge", type=Path, action="append", default=[])
    parser.add_argument(
        "--check", action="store_true", help="only report, write nothing"
    )
    args = parser.parse_args(argv)

    overrides = read_overrides(args.merge)
    problems = 0
    CATALOGUE_DIR.mkdir(parents=True, exist_ok=True)
    for domain in ("django", "djangojs"):
        po = build_catalogue(domain, overrides.get(domain, {}))
        problems += report(po, f"{domain}.po")
        if not args.check:
            path = CATALOGUE_DIR / f"{domain}.po"
            po.save(str(path))
            compile_catalogue(path)
    return 1 if problems and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
