"""`python manage.py profiles`: the target profiles, as a table."""

from django.core.management.base import BaseCommand

from media_pipeline.profiles import all_profiles

COLUMNS = (
    ("name", lambda p: p.name),
    ("kind", lambda p: p.kind),
    ("target", lambda p: p.target),
    ("format", lambda p: f"{p.container}/{p.codec}" if p.codec else p.container),
    ("rate", lambda p: str(p.sample_rate or "")),
    ("ch", lambda p: str(p.channels or ("src" if p.kind == "audio" else ""))),
    ("bitrate", lambda p: p.bitrate or p.maxrate),
    (
        "LUFS",
        lambda p: (
            "" if p.loudness is None else f"{p.loudness:g}±{p.loudness_tolerance:g}"
        ),
    ),
    ("TP max", lambda p: "" if p.true_peak_max is None else f"{p.true_peak_max:g}"),
    (
        "size",
        lambda p: (
            f"{p.width}x{p.height}"
            if p.width
            else (f"≤{p.max_height}p" if p.max_height else "")
        ),
    ),
    ("version", lambda p: p.version),
)


class Command(BaseCommand):
    help = "Print the media profiles (settings overrides applied) as a table."
    requires_system_checks = []
    requires_migrations_checks = False

    def handle(self, *args, **options):
        rows = [[name for name, _f in COLUMNS]]
        rows += [[f(p) for _name, f in COLUMNS] for p in all_profiles().values()]
        widths = [max(len(r[i]) for r in rows) for i in range(len(COLUMNS))]
        for n, row in enumerate(rows):
            self.stdout.write(
                "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
            )
            if n == 0:
                self.stdout.write("  ".join("-" * w for w in widths))
