from django.core.management.base import BaseCommand, CommandError

from broadcast.log import verify_chain


class Command(BaseCommand):
    help = "Check the distribution log's hash chain; report the first broken link."

    def handle(self, *args, **opts):
        report = verify_chain()
        if report.broken_at is not None:
            raise CommandError(
                f"Broken at event #{report.broken_at} ({report.reason}); "
                f"{report.checked - 1} events before it are intact."
            )
        self.stdout.write(f"OK: {report.checked} events, chain intact.")
