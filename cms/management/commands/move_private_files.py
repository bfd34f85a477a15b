"""Move files stored before the private root existed (originals, documents,
packages under MEDIA_ROOT) to LOA_PRIVATE_ROOT. Names in the database do not
change, so nothing else needs updating. Safe to run again."""

import shutil
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from cms.storage import PRIVATE_FOLDERS


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
