from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from broadcast.models import Station
from broadcast.packages import package_build


class Command(BaseCommand):
    help = "Build broadcast packages now (all active stations, or one)."

    def add_arguments(self, parser):
        parser.add_argument("--station", help="station code")
        parser.add_argument(
            "--from", dest="start", help="first day (YYYY-MM-DD), default today"
        )
        parser.add_argument("--days", type=int, default=7)

    def handle(self, *args, station=None, start=None, days=7, **opts):
        try:
            first = date.fromisoformat(start) if start else timezone.localdate()
        except ValueError as exc:
            raise CommandError(f"--from: {exc}") from exc
        last = first + timedelta(days=days - 1)
        qs = Station.objects.filter(active=True)
        if station:
            qs = qs.filter(code=station)
            if not qs.exists():
                raise CommandError(f"No active station with code {station!r}.")
        for s in qs.order_by("code"):
            p = package_build(station_id=s.pk, start=first, end=last)
            self.stdout.write(
                f"{s.code}\t{p.public_id}\t{p.bytes}\t{p.sha256}\t{p.path}"
            )
