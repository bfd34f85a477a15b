from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.loader import load_demo


class Command(BaseCommand):
    help = "Create (or complete) the Bình Phước demo province. Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-media", action="store_true", help="skip demo audio and posters"
        )
        parser.add_argument(
            "--i-know-this-is-not-production",
            action="store_true",
            dest="not_production",
            help="load the demo (with its published passwords) outside dev settings",
        )
        parser.add_argument(
            "--map",
            dest="map_shape",
            choices=["2023", "2025"],
            default="2023",
            help="2023: province, districts, communes; 2025: the two-tier map "
            "reached by the reorganisation of 1 July 2025 (history kept)",
        )

    def handle(
        self, *args, no_media=False, not_production=False, map_shape="2023", **opts
    ):
        # The demo accounts have published passwords: only on a laptop, unless the
        # operator says in so many words that this is not production.
        if not (settings.LOA_DEMO_ALLOWED or not_production):
            raise CommandError(
                "load_demo creates accounts with published passwords and runs only "
                "under the dev settings (loa.settings.dev). If this really is not "
                "production, pass --i-know-this-is-not-production."
            )
        users = load_demo(with_media=not no_media)
        if map_shape == "2025":
            from demo.map2025 import demo_map_2025

            changed = demo_map_2025()
            self.stdout.write(f"Reorganised to the 2025 map: {changed} changes.")
        self.stdout.write(self.style.SUCCESS("Demo province ready (Bình Phước)."))
        self.stdout.write("Local-only accounts (username / password / role):")
        for username, password, role in users:
            self.stdout.write(f"  {username:<18} {password:<10} {role}")
