"""Set up (or repair) the editorial side of an installation: every district's
collection, library folder and editors' group, province permissions, and Loa's
review workflow. Idempotent, so it is safe to run after adding units."""

from django.core.management.base import BaseCommand, CommandError

from cms.models import LibraryIndexPage
from cms.setup import base_setup, district_setup, province_setup, workflow_setup
from loa.units.models import Unit


class Command(BaseCommand):
    help = "Create district collections, folders, groups and the review workflow."

    def add_arguments(self, parser):
        parser.add_argument(
            "--library",
            help="Slug of the library's top folder (default: the highest folder).",
        )

    def handle(self, *args, library=None, **options):
        base_setup()
        folders = LibraryIndexPage.objects.order_by("depth", "path")
        top = folders.filter(slug=library).first() if library else folders.first()
        if top is None:
            raise CommandError(
                "No library folder found: create one in the admin first."
            )
        province_setup(library=top)
        districts = Unit.objects.filter(level=Unit.Level.DISTRICT).order_by("code")
        for unit in districts:
            district_setup(unit=unit, library=top)
        workflow = workflow_setup(library=top)
        self.stdout.write(
            f"{districts.count()} districts set up under “{top.title}”; "
            f"workflow “{workflow.name}” on the library."
        )
