from django.core.management.base import BaseCommand, CommandError

from broadcast.models import Station
from broadcast.services import station_token_create


class Command(BaseCommand):
    help = "Print a new API token for a station (shown once), or list station codes."

    def add_arguments(self, parser):
        parser.add_argument("code", nargs="?", help="station code")
        parser.add_argument(
            "--list", action="store_true", help="list station codes with kind and unit"
        )
        parser.add_argument(
            "--label", default="", help="what the token is for (e.g. 'playout PC')"
        )

    def handle(self, *args, code=None, list=False, label="", **opts):
        if list:
            for s in Station.objects.select_related("unit").order_by("code"):
                self.stdout.write(f"{s.code}\t{s.kind}\t{s.unit.name}")
            return
        if not code:
            raise CommandError("Give a station code, or --list to see them.")
        station = Station.objects.filter(code=code).first()
        if station is None:
            raise CommandError(f"No station with code {code!r}. Try --list.")
        _token, raw = station_token_create(station=station, label=label)
        self.stdout.write(raw)
