from django.core.management.base import BaseCommand

from cms.demo import load_demo


class Command(BaseCommand):
    help = "Create (or complete) the Bình Phước demo province. Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-media", action="store_true", help="skip demo audio and posters"
        )

    def handle(self, *args, no_media=False, **opts):
        users = load_demo(with_media=not no_media)
        self.stdout.write(self.style.SUCCESS("Demo province ready (Bình Phước)."))
        self.stdout.write("Local-only accounts (username / password / role):")
        for username, password, role in users:
            self.stdout.write(f"  {username:<18} {password:<10} {role}")
