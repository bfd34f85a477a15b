"""The demo province on the 2025 map: districts dissolved into the province, and
Đồng Xoài's inner wards merged, applied through the same reorganisation as a real
plan. Illustrative, not the official list of Bình Phước's 2025 units."""

from __future__ import annotations

from datetime import date

from broadcast.reorganise import plan_read, reorganisation_apply
from loa.units.models import Unit

EFFECTIVE_2025 = date(2025, 7, 1)
MERGED_WARD = ("dx-phuong-dong-xoai", "Phường Đồng Xoài")
MERGED_INTO_WARD = ("dx-tan-phu", "dx-tan-binh")


def demo_plan_2025(province_code: str, district_codes: list[str]) -> str:
    lines = ["kind,old_code,new_code,new_name,new_level,new_parent_code"]
    code, name = MERGED_WARD
    lines += [
        f"merge,{old},{code},{name},commune,{province_code}" for old in MERGED_INTO_WARD
    ]
    lines += [f"dissolve,{d},{province_code},,," for d in district_codes]
    return "\n".join(lines) + "\n"


def demo_map_2025() -> int:
    """Move the demo from the 2023 shape to 2025's; a no-op once done."""
    province = Unit.objects.get(level=Unit.Level.PROVINCE, parent=None)
    districts = list(
        Unit.objects.filter(
            parent=province, level=Unit.Level.DISTRICT, successor__isnull=True
        ).values_list("code", flat=True)
    )
    if not districts:
        return 0
    rows = plan_read(demo_plan_2025(province.code, sorted(districts)))
    changes = reorganisation_apply(
        rows=rows, effective=EFFECTIVE_2025, actor="load_demo --map 2025"
    )
    return len(changes)
