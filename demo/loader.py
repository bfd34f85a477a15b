"""The demo province: Bình Phước, its eleven district-level units, a few real communes
each, their stations, one user per role and a few items with locally made media.

Idempotent: every record is found by its code or slug before it is created.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from datetime import date, timedelta
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from wagtail.models import (
    Collection,
    Page,
    Site,
)

from broadcast.models import StaffAssignment, Station
from cms import roles
from cms.models import (
    Audience,
    Campaign,
    HomePage,
    Language,
    LibraryIndexPage,
    PosterPage,
    RadioItemPage,
)
from cms.setup import base_setup, district_setup, province_setup, workflow_setup
from cms.text import vn_slugify
from loa.units.models import Unit
from media_pipeline.ffmpeg import ffmpeg_binary
from media_pipeline.fonts import vietnamese_font
from media_pipeline.models import LoaImage, LoaMedia

PROVINCE = ("binh-phuoc", "Bình Phước")
DEPARTMENT = "Sở Thông tin và Truyền thông tỉnh Bình Phước"

# District-level unit → (short code, a few of its communes/wards/towns).
DISTRICTS: list[tuple[str, str, list[str]]] = [
    ("Đồng Xoài", "dx", ["Tân Phú", "Tân Bình", "Tiến Thành"]),
    ("Bình Long", "bl", ["An Lộc", "Hưng Chiến", "Thanh Phú"]),
    ("Phước Long", "pl", ["Long Thủy", "Sơn Giang", "Phước Tín"]),
    ("Chơn Thành", "ct", ["Minh Hưng", "Minh Lập", "Nha Bích"]),
    ("Bù Đăng", "bd", ["Đức Phong", "Bom Bo", "Đăng Hà"]),
    ("Bù Đốp", "bdp", ["Thanh Bình", "Tân Tiến", "Thiện Hưng"]),
    ("Bù Gia Mập", "bgm", ["Phú Nghĩa", "Đa Kia", "Đắk Ơ"]),
    ("Đồng Phú", "dp", ["Tân Lập", "Thuận Lợi", "Đồng Tâm"]),
    ("Hớn Quản", "hq", ["Tân Khai", "Thanh An", "An Khương"]),
    ("Lộc Ninh", "ln", ["Lộc Tấn", "Lộc Thái", "Lộc Hiệp"]),
    ("Phú Riềng", "pr", ["Bù Nho", "Long Hưng", "Phước Tân"]),
]
# Communes that also have an e-bulletin board (code suffix → orientation).
EBULLETIN = {
    "dx-tan-phu": "landscape",
    "bd-duc-phong": "portrait",
    "ln-loc-tan": "landscape",
}

DEMO_PASSWORD = "loa-demo"
ADMIN_USERNAME, ADMIN_PASSWORD = "admin", "loa-admin"
# username, role, unit code, station code (for operators and commune staff)
DEMO_USERS = [
    (
        "bientap.tinh",
        roles.PROVINCE_EDITOR,
        "binh-phuoc",
        None,
        "Biên tập viên Sở TT&TT",
    ),
    ("duyet.tinh", roles.PROVINCE_REVIEWER, "binh-phuoc", None, "Trưởng phòng (duyệt)"),
    (
        "bientap.dongxoai",
        roles.DISTRICT_EDITOR,
        "dx",
        None,
        "Biên tập viên TT VH-TT Đồng Xoài",
    ),
    (
        "dai.dongxoai",
        roles.STATION_OPERATOR,
        "dx",
        "dx-fm",
        "Kỹ thuật viên Đài Đồng Xoài",
    ),
    (
        "xa.tanphu",
        roles.COMMUNE_STAFF,
        "dx-tan-phu",
        "dx-tan-phu-loa",
        "Cán bộ truyền thanh Tân Phú",
    ),
]


def ensure_units() -> dict[str, Unit]:
    units: dict[str, Unit] = {}
    province, _ = Unit.objects.get_or_create(
        code=PROVINCE[0], defaults={"name": PROVINCE[1], "level": Unit.Level.PROVINCE}
    )
    units[province.code] = province
    for name, short, communes in DISTRICTS:
        district, _ = Unit.objects.get_or_create(
            code=short,
            defaults={"name": name, "level": Unit.Level.DISTRICT, "parent": province},
        )
        units[short] = district
        Station.objects.get_or_create(
            code=f"{short}-fm",
            defaults={
                "name": f"Đài Truyền thanh - Truyền hình {name}",
                "unit": district,
                "kind": Station.Kind.DISTRICT_RADIO,
                "transmission": Station.Transmission.FM_WIRELESS,
            },
        )
        for i, commune_name in enumerate(communes):
            code = f"{short}-{vn_slugify(commune_name)}"
            commune, _ = Unit.objects.get_or_create(
                code=code,
                defaults={
                    "name": commune_name,
                    "level": Unit.Level.COMMUNE,
                    "parent": district,
                },
            )
            units[code] = commune
            transmission = [
                Station.Transmission.IP,
                Station.Transmission.WIRED,
                Station.Transmission.FM_WIRELESS,
            ][i % 3]
            Station.objects.get_or_create(
                code=f"{code}-loa",
                defaults={
                    "name": f"Đài truyền thanh {commune_name}",
                    "unit": commune,
                    "kind": Station.Kind.COMMUNE_LOUDSPEAKER,
                    "transmission": transmission,
                    "clusters": 6 + 3 * i,
                },
            )
            if code in EBULLETIN:
                Station.objects.get_or_create(
                    code=f"{code}-bangtin",
                    defaults={
                        "name": f"Bảng tin điện tử {commune_name}",
                        "unit": commune,
                        "kind": Station.Kind.EBULLETIN,
                        "orientation": EBULLETIN[code],
                    },
                )
    return units


def ensure_pages(units: dict[str, Unit]) -> LibraryIndexPage:
    site = Site.objects.filter(is_default_site=True).first()
    root = Page.get_first_root_node()
    home = HomePage.objects.first()
    if home is None:
        home = root.add_child(
            instance=HomePage(
                title="Loa — Thông tin cơ sở Bình Phước", slug="trang-chu"
            )
        )
        if site is None:
            site = Site.objects.create(
                hostname="localhost",
                port=80,
                root_page=home,
                is_default_site=True,
                site_name="Loa",
            )
        else:
            old = site.root_page
            site.root_page = home
            site.site_name = "Loa"
            site.save()
            # The page Wagtail installs as a placeholder ("Welcome to your new Wagtail site!").
            if old.specific_class is Page and old.get_children_count() == 0:
                old.delete()
    library = LibraryIndexPage.objects.filter(slug="thu-vien").first()
    if library is None:
        library = home.add_child(
            instance=LibraryIndexPage(title="Thư viện nội dung", slug="thu-vien")
        )
        library.save_revision().publish()
    return library


def ensure_permissions(library: LibraryIndexPage, units: dict[str, Unit]) -> None:
    """Province roles on the whole library; each district its collection, folder and
    editors' group; Loa's review workflow on the library."""
    province_setup(library=library)
    for short in [d[1] for d in DISTRICTS]:
        district_setup(unit=units[short], library=library)
    workflow_setup(library=library)


def ensure_users(units: dict[str, Unit]) -> list[tuple[str, str, str]]:
    User = get_user_model()
    made = []
    admin = User.objects.filter(username=ADMIN_USERNAME).first()
    if admin is None:
        admin = User.objects.create_superuser(
            ADMIN_USERNAME, "admin@localhost", ADMIN_PASSWORD
        )
    StaffAssignment.objects.get_or_create(
        user=admin, defaults={"unit": units[PROVINCE[0]]}
    )
    made.append((ADMIN_USERNAME, ADMIN_PASSWORD, "superuser"))
    for username, role, unit_code, station_code, full_name in DEMO_USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            first, _, last = full_name.partition(" ")
            user = User.objects.create_user(
                username,
                f"{username}@localhost",
                DEMO_PASSWORD,
                first_name=full_name,
                last_name="",
            )
        user.groups.add(Group.objects.get(name=role))
        if role == roles.DISTRICT_EDITOR:
            user.groups.add(district_setup(unit=units[unit_code]))
        station = Station.objects.get(code=station_code) if station_code else None
        StaffAssignment.objects.update_or_create(
            user=user, defaults={"unit": units[unit_code], "station": station}
        )
        made.append((username, DEMO_PASSWORD, role))
    return made


# --- demo media ---------------------------------------------------------------

SPEECH = [
    (
        "Quyền con người trong Hiến pháp năm 2013",
        RadioItemPage.Format.REPORT,
        "Hiến pháp năm 2013 dành một chương quy định về quyền con người, quyền và nghĩa vụ cơ bản của công dân. "
        "Nhà nước công nhận, tôn trọng, bảo vệ và bảo đảm quyền con người.",
    ),
    (
        "Thông báo: Tuần lễ tuyên truyền về quyền con người",
        RadioItemPage.Format.ANNOUNCEMENT,
        "Ủy ban nhân dân tỉnh Bình Phước thông báo tổ chức tuần lễ tuyên truyền về quyền con người tại các xã, phường, thị trấn.",
    ),
]


def make_speech(text: str, out: Path, seconds: float = 6.0) -> Path:
    """Speech from espeak-ng when present (Vietnamese voice), otherwise a tone sequence."""
    espeak = shutil.which("espeak-ng")
    if espeak:
        subprocess.run(
            [espeak, "-v", "vi", "-s", "150", "-w", str(out), text],
            check=True,
            capture_output=True,
        )
        return out
    subprocess.run(
        [
            ffmpeg_binary(),
            "-hide_banner",
            "-nostdin",
            "-y",
            "-f",
            "lavfi",
            "-i",
            f"sine=frequency=440:duration={seconds}:sample_rate=48000",
            "-af",
            "volume=0.3,apulsator=hz=1.5",
            "-ac",
            "2",
            str(out),
        ],
        check=True,
        capture_output=True,
    )
    return out


POSTERS = [
    (
        "Tôn trọng và bảo vệ quyền con người",
        "Thực hiện Kế hoạch 111/KH-UBND của UBND tỉnh Bình Phước",
        "#b3120f",
    ),
    (
        "Mọi người đều bình đẳng trước pháp luật",
        "Điều 16, Hiến pháp năm 2013",
        "#0b4f8a",
    ),
    (
        "Quyền được học tập của trẻ em vùng đồng bào dân tộc",
        "Tuần lễ tuyên truyền về quyền con người",
        "#0b6b2e",
    ),
]


def make_poster(
    title: str, subtitle: str, out: Path, *, background: str = "#b3120f"
) -> Path:
    from PIL import Image, ImageDraw, ImageFont

    img = Image.new("RGB", (1240, 1754), background)
    draw = ImageDraw.Draw(img)
    draw.rectangle((60, 60, 1180, 1694), outline="#f5c518", width=12)
    big = ImageFont.truetype(str(vietnamese_font(bold=True)), 88)
    small = ImageFont.truetype(str(vietnamese_font()), 48)
    y = 420
    for line in _wrap(title, 18):
        draw.text((620, y), line, font=big, fill="#ffffff", anchor="mm")
        y += 120
    y += 80
    for line in _wrap(subtitle, 36):
        draw.text((620, y), line, font=small, fill="#f5c518", anchor="mm")
        y += 70
    draw.text(
        (620, 1560),
        DEPARTMENT,
        font=ImageFont.truetype(str(vietnamese_font()), 34),
        fill="#ffffff",
        anchor="mm",
    )
    img.save(out, "PNG")
    return out


def _wrap(text: str, width: int) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        if len(line) + len(word) + 1 > width and line:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return lines + ([line] if line else [])


def ensure_content(library: LibraryIndexPage, units: dict[str, Unit]) -> None:
    vi = Language.objects.get(code="vi")
    today = timezone.localdate()
    campaign, _ = Campaign.objects.get_or_create(
        name="Tuyên truyền Quyết định 1079/QĐ-TTg năm 2026",
        defaults={
            "task": Campaign.Task.DISSEMINATE,
            "start_date": date(today.year, 1, 1),
            "end_date": date(today.year, 12, 31),
        },
    )
    collection = Collection.get_first_root_node()
    public = Audience.objects.filter(code="public").first()
    with tempfile.TemporaryDirectory() as tmp:
        for title, fmt, text in SPEECH:
            slug = vn_slugify(title)
            if RadioItemPage.objects.filter(slug=slug).exists():
                continue
            wav = make_speech(text, Path(tmp) / f"{slug}.wav")
            with open(wav, "rb") as fh:
                media = LoaMedia(title=title, type="audio", collection=collection)
                media.file.save(f"{slug}.wav", File(fh), save=False)
                media.save()
            page = RadioItemPage(
                title=title,
                slug=slug,
                format=fmt,
                audio=media,
                summary=text[:200],
                language=vi,
                campaign=campaign,
                producing_unit=units[PROVINCE[0]],
                transcript=f"<p>{text}</p>",
                # From before this week's Monday: the demo week is planned from it.
                valid_from=today - timedelta(days=7),
                valid_until=today + timedelta(days=365),
            )
            library.add_child(instance=page)
            if public:
                page.audiences.add(public)
            page.save_revision().publish()
        for title, subtitle, background in POSTERS:
            slug = vn_slugify(title)
            if PosterPage.objects.filter(slug=slug).exists():
                continue
            png = make_poster(
                title, subtitle, Path(tmp) / f"{slug}.png", background=background
            )
            with open(png, "rb") as fh:
                image = LoaImage(
                    title=title,
                    description=f"Tranh cổ động: {title}",
                    collection=collection,
                    credit=DEPARTMENT,
                )
                image.file.save(f"{slug}.png", File(fh), save=False)
                image.save()
            page = PosterPage(
                title=title,
                slug=slug,
                image=image,
                summary=subtitle,
                language=vi,
                campaign=campaign,
                producing_unit=units[PROVINCE[0]],
            )
            library.add_child(instance=page)
            page.save_revision().publish()


@transaction.atomic
def load_demo(*, with_media: bool = True) -> list[tuple[str, str, str]]:
    base_setup()
    units = ensure_units()
    library = ensure_pages(units)
    ensure_permissions(library, units)
    users = ensure_users(units)
    if with_media:
        ensure_content(library, units)
        from demo.exhibition import ensure_demo_exhibition

        ensure_demo_exhibition()
        ensure_demo_week()
    return users


def ensure_demo_week() -> None:
    """The demo's radio items on Đồng Xoài's stations for the current week."""
    from demo.week import demo_week_plan

    report, announcement = (
        RadioItemPage.objects.get(slug=vn_slugify(title)) for title, _f, _t in SPEECH
    )
    demo_week_plan(report=report, announcement=announcement)
