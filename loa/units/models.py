"""The unit tree: province → district → commune, or the two-tier province → commune
(since July 2025), with validity dates and successors across a reorganisation."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Unit(models.Model):
    """An administrative unit. Both province → district → commune and the two-tier
    province → commune (since July 2025) are trees of this one model."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("Province")
        DISTRICT = "district", _("District")
        COMMUNE = "commune", _("Commune")

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=128)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent unit"),
    )
    # Each district (or the province) owns a Wagtail collection for its media, so
    # collection permissions give district editors their own library.
    collection = models.OneToOneField(
        "wagtailcore.Collection",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="unit",
        verbose_name=_("collection"),
    )

    # Since 1 July 2025 districts are abolished and communes merged. A unit is never
    # re-parented or deleted: it closes (valid_until) and names the unit that took
    # it over, so history stays attributed to the units of its time.
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    successor = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="predecessors",
        verbose_name=_("succeeded by"),
    )

    class Meta:
        verbose_name = _("administrative unit")
        verbose_name_plural = _("administrative units")
        ordering = ["level", "name"]
        # The table keeps the name it had when units lived in broadcast: the move
        # changed where the model is declared, not the data.
        db_table = "broadcast_unit"

    def __str__(self) -> str:
        return self.name

    def ancestors(self) -> list[Unit]:
        chain, node = [], self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return chain

    def descendant_ids(self) -> set[int]:
        """Ids of this unit and everything under it (trees here are 3 levels deep)."""
        ids, frontier = {self.pk}, [self.pk]
        while frontier:
            frontier = list(
                Unit.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)
            )
            ids.update(frontier)
        return ids
