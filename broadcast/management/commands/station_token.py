from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from broadcast.models import Station, StationToken
from broadcast.services import station_token_create, station_token_revoke


class Command(BaseCommand):
    help = (
        "Print a new API token for a station (shown once), list station codes, "
        "list a station's tokens, or revoke one."
    )

    def add_arguments(self, parser):
        parser.add_argument("code", nargs="?", help="station code")
        parser.add_argument(
            "--list", action="store_true", help="list station codes with kind and unit"
        )
        parser.add_argument(
            "--tokens",
            action="store_true",
            help="list the station's tokens (prefix, label, last used, revoked)",
        )
        parser.add_argument(
            "--revoke",
            metavar="PREFIX",
            help="revoke the station's token starting with PREFIX (see --tokens)",
        )
        parser.add_argument(
            "--label", default="", help="what the token is for (e.g. 'playout PC')"
        )

    def handle(self, *args, code=None, label="", **opts):
        if opts.get("list"):
            for s in Station.objects.select_related("unit").order_by("code"):
                self.stdout.write(f"{s.code}\t{s.kind}\t{s.unit.name}")
            return
        if not code:
            raise CommandError("Give a station code, or --list to see them.")
        station = Station.objects.filter(code=code).first()
        if station is None:
            raise CommandError(f"No station with code {code!r}. Try --list.")
        if opts.get("tokens"):
            for t in StationToken.objects.filter(station=station).order_by("pk"):
                self.stdout.write(
                    "\t".join(
                        [
                            t.prefix,
                            t.label or "-",
                            _when(t.created_at),
                            "last used " + _when(t.last_used_at),
                            "REVOKED " + _when(t.revoked_at)
                            if t.revoked_at
                            else "active",
                        ]
                    )
                )
            return
        if opts.get("revoke"):
            prefix = opts["revoke"]
            matches = list(
                StationToken.objects.filter(
                    station=station, prefix__startswith=prefix, revoked_at__isnull=True
                )
            )
            if len(matches) != 1:
                raise CommandError(
                    f"{len(matches)} active tokens of {code} start with {prefix!r}; "
                    "give a prefix that names exactly one (see --tokens)."
                )
            station_token_revoke(token=matches[0])
            self.stdout.write(f"Revoked {matches[0].prefix}… of {code}.")
            return
        _token, raw = station_token_create(station=station, label=label)
        self.stdout.write(raw)


def _when(dt) -> str:
    return timezone.localtime(dt).strftime("%Y-%m-%d %H:%M") if dt else "never"
