"""`python manage.py media_doctor`: what the media pipeline found on this machine."""

from django.core.management.base import BaseCommand

from media_pipeline.doctor import ERROR, NOTE, OK, WARNING, findings

_MARK = {OK: "ok     ", NOTE: "note   ", WARNING: "WARNING", ERROR: "ERROR  "}


class Command(BaseCommand):
    help = (
        "Print the ffmpeg and ffprobe Loa uses (and why), what they lack, the "
        "caption fonts, espeak-ng and the scratch space."
    )
    requires_system_checks = []
    requires_migrations_checks = False

    def handle(self, *args, **options):
        found = findings()
        for f in found:
            line = f"{_MARK[f.level]} {f.topic:<10} {f.text}"
            write = (
                self.stderr.write if f.level in (WARNING, ERROR) else self.stdout.write
            )
            write(line)
        if any(f.level == ERROR for f in found):
            raise SystemExit(1)
