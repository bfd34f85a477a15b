"""Vietnamese normalisation before synthesis, on phrases from plan 111/KH-UBND
(../shared/seed/, diacritics restored) and the notices stations air."""

import pytest

from media_pipeline.speech.normalise import normalise

Y2023 = "hai nghìn không trăm hai mươi ba"
Y2022 = "hai nghìn không trăm hai mươi hai"
Y2028 = "hai nghìn không trăm hai mươi tám"

CASES = [
    # Document numbers and the plan's own references.
    ("Số: 111/KH-UBND", "số: một trăm mười một kế hoạch ủy ban nhân dân"),
    ("Số: 111 /KH-UBND", "số: một trăm mười một kế hoạch ủy ban nhân dân"),
    (
        "Quyết định số 1079/QĐ-TTg",
        "quyết định số một nghìn không trăm bảy mươi chín quyết định thủ tướng",
    ),
    (
        "Công văn số 5768/BTTTT-TTDN",
        "công văn số năm nghìn bảy trăm sáu mươi tám bộ thông tin và truyền thông thông tin đối ngoại",
    ),
    (
        "Tờ trình số 23/TTr-STTTT",
        "tờ trình số hai mươi ba tờ trình sở thông tin và truyền thông",
    ),
    (
        "Thông tư 39/2020/TT-BTTTT",
        "thông tư ba mươi chín năm hai nghìn không trăm hai mươi thông tư bộ thông tin và truyền thông",
    ),
    (
        "Nghị định 30/2020/NĐ-CP",
        "nghị định ba mươi năm hai nghìn không trăm hai mươi nghị định chính phủ",
    ),
    (
        "văn bản 1273/BTTTT-TTCS",
        "văn bản một nghìn hai trăm bảy mươi ba bộ thông tin và truyền thông thông tin cơ sở",
    ),
    ("Chỉ thị số 05/CT-TTg", "chỉ thị số năm chỉ thị thủ tướng"),
    # Dates.
    ("ngày 14/9/2022", f"ngày mười bốn tháng chín năm {Y2022}"),
    ("ngày 28/11/2022", f"ngày hai mươi tám tháng mười một năm {Y2022}"),
    ("ngày 20/3/2023", f"ngày hai mươi tháng ba năm {Y2023}"),
    ("05/6/2023", f"ngày năm tháng sáu năm {Y2023}"),
    ("ngày 03 tháng 4 năm 2023", f"ngày ba tháng tư năm {Y2023}"),
    (
        "Bình Phước, ngày 03 tháng 4 năm 2023",
        f"bình phước, ngày ba tháng tư năm {Y2023}",
    ),
    ("trước ngày 30/6", "trước ngày ba mươi tháng sáu"),
    ("trước ngày 30/11", "trước ngày ba mươi tháng mười một"),
    (
        "trước ngày 20/6 đối với báo cáo 6 tháng",
        "trước ngày hai mươi tháng sáu đối với báo cáo sáu tháng",
    ),
    (
        "trước ngày 20/11 đối với báo cáo năm",
        "trước ngày hai mươi tháng mười một đối với báo cáo năm",
    ),
    (
        "từ ngày 01/7/2025",
        "từ ngày một tháng bảy năm hai nghìn không trăm hai mươi lăm",
    ),
    # Years and ranges.
    ("giai đoạn 2023 - 2028", f"giai đoạn {Y2023} đến {Y2028}"),
    ("giai đoạn 2023-2028", f"giai đoạn {Y2023} đến {Y2028}"),
    ("Mục tiêu cụ thể đến năm 2028", f"mục tiêu cụ thể đến năm {Y2028}"),
    # Percentages and numbers.
    (
        "Phấn đấu 100% cơ quan hành chính nhà nước",
        "phấn đấu một trăm phần trăm cơ quan hành chính nhà nước",
    ),
    ("70% cán bộ chủ chốt", "bảy mươi phần trăm cán bộ chủ chốt"),
    (
        "xuống khoảng 10% tổng số thông tin",
        "xuống khoảng mười phần trăm tổng số thông tin",
    ),
    (
        "xử lý hiệu quả khoảng 90% tin giả",
        "xử lý hiệu quả khoảng chín mươi phần trăm tin giả",
    ),
    ("tỷ lệ 2,5%", "tỷ lệ hai phẩy năm phần trăm"),
    ("11 huyện, thị xã, thành phố", "mười một huyện, thị xã, thành phố"),
    # Money.
    ("kinh phí 1.500.000 đồng", "kinh phí một triệu năm trăm nghìn đồng"),
    ("50 triệu đồng", "năm mươi triệu đồng"),
    ("hỗ trợ 15.000.000đ", "hỗ trợ mười lăm triệu đồng"),
    # Times.
    ("lúc 7h30 sáng", "lúc bảy giờ ba mươi phút sáng"),
    ("phát lúc 17h", "phát lúc mười bảy giờ"),
    ("lúc 14:30", "lúc mười bốn giờ ba mươi phút"),
    # Abbreviations.
    (
        "UBND các huyện, thị xã, thành phố",
        "ủy ban nhân dân các huyện, thị xã, thành phố",
    ),
    ("HĐND và UBND tỉnh", "hội đồng nhân dân và ủy ban nhân dân tỉnh"),
    ("Ủy ban MTTQ Việt Nam tỉnh", "ủy ban mặt trận tổ quốc việt nam tỉnh"),
    ("Sở TT&TT chủ trì", "sở thông tin và truyền thông chủ trì"),
    (
        "Bộ TT&TT, CT, các PCT UBND tỉnh",
        "bộ thông tin và truyền thông, chủ tịch, các phó chủ tịch ủy ban nhân dân tỉnh",
    ),
    ("KT. CHỦ TỊCH", "ký thay. chủ tịch"),
    ("Lưu: VT, KGVX", "lưu: văn thư, khoa giáo văn xã"),
    # Headings with Roman numerals, and capitals read as words.
    ("I. MỤC TIÊU", "một. mục tiêu"),
    ("II. ĐỐI TƯỢNG TRUYỀN THÔNG", "hai. đối tượng truyền thông"),
    ("III. NỘI DUNG THỰC HIỆN", "ba. nội dung thực hiện"),
    ("IV. KINH PHÍ THỰC HIỆN", "bốn. kinh phí thực hiện"),
    ("V. TỔ CHỨC THỰC HIỆN", "năm. tổ chức thực hiện"),
    ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "cộng hòa xã hội chủ nghĩa việt nam"),
    ("Chương IV", "chương bốn"),
]


@pytest.mark.parametrize(("written", "spoken"), CASES, ids=[c[0] for c in CASES])
def test_normalise_reads_notices_as_a_person_would(written, spoken):
    assert normalise(written) == spoken


def test_table_has_at_least_forty_cases_from_the_plan():
    assert len(CASES) >= 40


def test_lines_stay_lines_and_nothing_crosses_them():
    assert normalise("ngày 20\n/6 lúc 7h") == "ngày hai mươi\n/sáu lúc bảy giờ"


def test_decomposed_input_is_read_like_composed():
    assert (
        normalise("Quye\u0302\u0300n con ngu\u031bo\u031b\u0300i") == "quyền con người"
    )
