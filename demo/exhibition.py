"""A touring exhibition for the demo province, made from the demo's images."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from cms.models import HomePage
from exhibitions.models import Exhibit, ExhibitionPage, ExhibitionStop
from loa.units.models import Unit
from media_pipeline.models import LoaImage

SLUG = "trien-lam-quyen-con-nguoi"


@transaction.atomic
def ensure_demo_exhibition() -> ExhibitionPage | None:
    """Publish the demo exhibition once; None without a home page or images."""
    existing = ExhibitionPage.objects.filter(slug=SLUG).first()
    if existing:
        return existing
    home = HomePage.objects.first()
    images = list(LoaImage.objects.order_by("pk")[:6])
    if home is None or not images:
        return None
    today = timezone.localdate()
    province = Unit.objects.filter(level=Unit.Level.PROVINCE).first()
    page = ExhibitionPage(
        title="Triển lãm lưu động: Quyền con người trong đời sống",
        slug=SLUG,
        description=(
            "<p>Tranh cổ động, ảnh tư liệu và tranh vẽ về quyền con người, "
            "đến với từng xã trong tỉnh.</p>"
        ),
        curating_unit=province,
        start_date=today,
        end_date=today + timedelta(days=90),
    )
    for i, image in enumerate(images):
        page.exhibits.add(
            Exhibit(
                image=image,
                section="Tranh cổ động" if i % 2 == 0 else "Ảnh tư liệu",
                alt_text=image.description or image.title,
                caption=image.title,
                author=image.author or image.credit,
                year=today.year,
                place="Bình Phước",
                credit=image.credit,
                is_poster=i % 2 == 0,
            )
        )
    communes = Unit.objects.filter(level=Unit.Level.COMMUNE).order_by("code")[:3]
    for i, commune in enumerate(communes):
        start = today + timedelta(days=7 * i - 7)
        page.stops.add(
            ExhibitionStop(
                commune=commune,
                venue=f"Nhà văn hoá {commune.name}",
                start_date=start,
                end_date=start + timedelta(days=3),
                visitor_count=240 if start + timedelta(days=3) < today else None,
            )
        )
    home.add_child(instance=page)
    page.save_revision().publish()
    return page
