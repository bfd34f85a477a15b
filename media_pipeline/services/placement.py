"""Renditions follow their original's use: public while a live page uses it,
private (under drafts/ in the private root) otherwise. loa.storage owns the rule
(source_is_live) and the names; this moves the files and the names that point at
them."""

from __future__ import annotations

from django.db import transaction

from ..models import LoaImage, LoaImageRendition, LoaMedia, RenditionJob


def renditions_place(*, source: LoaMedia | LoaImage) -> int:
    """Move the source's renditions (the pipeline's, with their side files, and
    Wagtail's image renditions) where they belong now. Idempotent: what is in
    place is left alone. Returns how many renditions moved."""
    from loa.storage import file_move, placed_name, source_is_live

    public = source_is_live(source)
    moved = 0
    kind = "media" if isinstance(source, LoaMedia) else "image"
    for job in RenditionJob.objects.filter(**{kind: source}).exclude(file=""):
        names = {"file": job.file.name}
        names.update({k: job.extra[k] for k in job.SIDE_FILES if job.extra.get(k)})
        wanted = {k: placed_name(n, public=public) for k, n in names.items()}
        if wanted == names:
            continue
        with transaction.atomic():
            for key, name in names.items():
                file_move(name, wanted[key])
            extra = {**job.extra, **{k: v for k, v in wanted.items() if k != "file"}}
            # update(), not save(): the job's own state has not changed, so its
            # post_save listeners (technical checks, packages) have nothing to do.
            RenditionJob.objects.filter(pk=job.pk).update(
                file=wanted["file"], extra=extra
            )
        moved += 1
    if kind == "image":
        for rendition in LoaImageRendition.objects.filter(image=source):
            name = placed_name(rendition.file.name, public=public)
            if name != rendition.file.name and file_move(rendition.file.name, name):
                LoaImageRendition.objects.filter(pk=rendition.pk).update(file=name)
                rendition.purge_from_cache()
                moved += 1
    return moved


def renditions_place_all() -> int:
    """Every original's renditions where they belong: for what no publication
    signal announces (a page deleted, an original swapped for another)."""
    moved = 0
    for model in (LoaMedia, LoaImage):
        for source in model.objects.all().iterator():
            moved += renditions_place(source=source)
    return moved
