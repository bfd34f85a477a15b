"""Apply a province's official list of unit changes (2025 two-tier reorganisation)."""

from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from broadcast.reorganise import PlanError, plan_read, reorganisation_apply


class Command(BaseCommand):
    help = "Apply a reorganisation plan (CSV) on a date; --dry-run shows the changes."

    def add_arguments(self, parser):
        parser.add_argument("--plan", required=True, help="CSV file of the changes")
        parser.add_argument(
            "--on", required=True, help="first day of the new map (YYYY-MM-DD)"
        )
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, plan, on, dry_run, **options):
        try:
            effective = date.fromisoformat(on)
        except ValueError:
            raise CommandError(f"--on: not a date: {on!r} (YYYY-MM-DD)") from None
        try:
            text = Path(plan).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"--plan: cannot read {plan}: {exc}") from None
        try:
            changes = reorganisation_apply(
                rows=plan_read(text),
                effective=effective,
                actor="manage.py reorganise",
                dry_run=dry_run,
            )
        except PlanError as exc:
            raise CommandError("\n".join(exc.problems)) from None
        for change in changes:
            self.stdout.write(str(change))
        verb = "would change" if dry_run else "changed"
        self.stdout.write(self.style.SUCCESS(f"{len(changes)} changes {verb}."))
