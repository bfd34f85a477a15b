from django.core.management.base import BaseCommand

from demo.exhibition import ensure_demo_exhibition


class Command(BaseCommand):
    help = "Publish the demo touring exhibition from the demo's images (once)."

    def handle(self, *args, **options):
        page = ensure_demo_exhibition()
        if page is None:
            self.stderr.write("No home page or no images yet: run load_demo first.")
            return
        self.stdout.write(f"{page.title}: {page.url}")
