"""Move files stored before the private root existed (originals, documents,
packages under MEDIA_ROOT) to LOA_PRIVATE_ROOT; their names in the database do not
change. Then move the renditions of originals no live page uses to the private
root (media_pipeline.services.renditions_place_all), which renames them.
Safe to run again."""

import shutil
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from loa.storage import PRIVATE_FOLDERS


class Command(BaseCommand):
    help = "Move private files left under MEDIA_ROOT to LOA_PRIVATE_ROOT."

    def handle(self, *args, **opts):
        public, private = Path(settings.MEDIA_ROOT), Path(settings.LOA_PRIVATE_ROOT)
        moved = 0
        for folder in sorted(PRIVATE_FOLDERS):
            for src in sorted((public / folder).rglob("*")):
                if not src.is_file():
                    continue
                dest = private / src.relative_to(public)
                if dest.exists():
                    continue
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.move(src, dest)
                moved += 1
        self.stdout.write(f"Moved {moved} file(s) to {private}.")
        from media_pipeline.services import renditions_place_all

        placed = renditions_place_all()
        self.stdout.write(f"Moved {placed} rendition(s) public or private.")
