"""Vietnamese text normalisation before speech synthesis.

vietnormalizer (MIT, maintained, pure Python, no model download) reads numbers,
money, percentages, times and Roman numerals well. What it misses in administrative
notices is done here first: document numbers (`111/KH-UBND`, `39/2020/TT-BTTTT`),
the administration's abbreviations (it spells `KH` out as "ca hát"), dates (it says
"ngày ngày ..." after a written "ngày", and "tháng bốn" for April) and year ranges
written with spaces. soe-vinorm was compared too: it downloads a model from a hub at
first use, which a closed provincial network cannot do.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# The abbreviations of Vietnamese administrative documents, longest first when
# matched. Keys are matched case-sensitively as whole tokens (TTg, TTr keep their case).
ABBREVIATIONS: dict[str, str] = {
    "UBND": "ủy ban nhân dân",
    "HĐND": "hội đồng nhân dân",
    "MTTQ": "mặt trận tổ quốc",
    "UBMTTQ": "ủy ban mặt trận tổ quốc",
    "QĐ": "quyết định",
    "KH": "kế hoạch",
    "TTg": "thủ tướng",
    "TTr": "tờ trình",
    "CP": "chính phủ",
    "NĐ": "nghị định",
    "NQ": "nghị quyết",
    "TT": "thông tư",
    "CT": "chủ tịch",
    "CV": "công văn",
    "BC": "báo cáo",
    "TB": "thông báo",
    "HD": "hướng dẫn",
    "TTLT": "thông tư liên tịch",
    "BTTTT": "bộ thông tin và truyền thông",
    "STTTT": "sở thông tin và truyền thông",
    "TT&TT": "thông tin và truyền thông",
    "BVHTTDL": "bộ văn hóa, thể thao và du lịch",
    "SVHTTDL": "sở văn hóa, thể thao và du lịch",
    "VHTTDL": "văn hóa, thể thao và du lịch",
    "TTDN": "thông tin đối ngoại",
    "TTĐN": "thông tin đối ngoại",
    "TTCS": "thông tin cơ sở",
    "BNG": "bộ ngoại giao",
    "KGVX": "khoa giáo văn xã",
    "PCT": "phó chủ tịch",
    "CT UBND": "chủ tịch ủy ban nhân dân",
    "KT": "ký thay",
    "TM": "thay mặt",
    "VT": "văn thư",
    "LĐVP": "lãnh đạo văn phòng",
    "XHCN": "xã hội chủ nghĩa",
    "CHXHCN": "cộng hòa xã hội chủ nghĩa",
    "TP": "thành phố",
    "TX": "thị xã",
    "TW": "trung ương",
    "THPT": "trung học phổ thông",
    "THCS": "trung học cơ sở",
    "CAND": "công an nhân dân",
    "QĐND": "quân đội nhân dân",
    "BCĐ": "ban chỉ đạo",
    "ĐTN": "đoàn thanh niên",
}

# Inside a document number the same letters name the kind of document.
DOCUMENT_KINDS: dict[str, str] = {"CT": "chỉ thị"}

_MONTHS = {4: "tư"}  # April is "tháng tư"; other months read as plain numbers.

_TOKEN = r"[A-ZĐ][A-Za-zĐđ&]*"
# 111/KH-UBND, 1079/QĐ-TTg, 39/2020/TT-BTTTT, 23/TTr-STTTT, "111 /KH-UBND" (OCR'd).
_DOC_NUMBER = re.compile(
    rf"\b(\d+)[ \t]*/[ \t]*(?:(\d{{4}})[ \t]*/[ \t]*)?({_TOKEN}(?:[ \t]*-[ \t]*{_TOKEN})*)"
)
_DATE_DMY = re.compile(
    r"(?:\bngày[ \t]+)?\b(\d{1,2})[ \t]*[/.-][ \t]*(\d{1,2})[ \t]*[/.-][ \t]*(\d{4})\b"
)
_DATE_WORDS = re.compile(
    r"\bngày[ \t]+(\d{1,2})[ \t]+tháng[ \t]+(\d{1,2})(?:[ \t]+năm[ \t]+(\d{4}))?",
    re.IGNORECASE,
)
_DATE_DM = re.compile(r"\bngày[ \t]+(\d{1,2})[ \t]*/[ \t]*(\d{1,2})\b(?![ \t]*/)")
_YEAR_RANGE = re.compile(r"\b((?:19|20)\d\d)[ \t]*[-–—][ \t]*((?:19|20)\d\d)\b")
_TIME_H = re.compile(r"\b(\d{1,2})h(\d{2})?\b")
# A heading numbered with a Roman numeral at the start of a line: "III. NỘI DUNG".
_ROMAN_HEADING = re.compile(r"^([ \t]*)([IVXLC]+)[ \t]*[.)][ \t]+", re.MULTILINE)
_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}


@lru_cache(maxsize=1)
def _library():
    from vietnormalizer import VietnameseNormalizer

    return VietnameseNormalizer()


def _words(number: str | int) -> str:
    return _library().processor.number_to_words(str(int(number)))


def _month(number: str) -> str:
    return _MONTHS.get(int(number)) or _words(number)


def _date(day: str, month: str, year: str | None) -> str:
    text = f"ngày {_words(day)} tháng {_month(month)}"
    return f"{text} năm {_words(year)}" if year else text


def _expand_token(token: str) -> str:
    token = token.strip()
    if token in DOCUMENT_KINDS:
        return DOCUMENT_KINDS[token]
    if token in ABBREVIATIONS:
        return ABBREVIATIONS[token]
    if token.upper() in ABBREVIATIONS and token.upper() != token:
        return ABBREVIATIONS[token.upper()]
    return token


def _doc_number(match: re.Match) -> str:
    number, year, kinds = match.groups()
    parts = [_words(number)]
    if year:
        parts.append(f"năm {_words(year)}")
    parts += [_expand_token(t) for t in re.split(r"\s*-\s*", kinds)]
    return " ".join(parts)


@lru_cache(maxsize=1)
def _abbreviation_pattern() -> re.Pattern:
    # Longest first, so "TT&TT" wins over "TT" and "UBMTTQ" over "MTTQ".
    keys = sorted(ABBREVIATIONS, key=len, reverse=True)
    alternatives = "|".join(re.escape(k) for k in keys)
    return re.compile(rf"(?<![\w&])({alternatives})(?![\w&])")


def _abbreviations(text: str) -> str:
    return _abbreviation_pattern().sub(lambda m: ABBREVIATIONS[m.group(1)], text)


def _roman(numeral: str) -> int:
    total = 0
    for here, after in zip(numeral, numeral[1:] + " ", strict=True):
        value = _ROMAN[here]
        total += -value if _ROMAN.get(after, 0) > value else value
    return total


def _is_heading(line: str) -> bool:
    """An all-capitals heading (a Roman numeral before it aside): read as words,
    where the library would spell each word letter by letter as it does codes."""
    line = _ROMAN_HEADING.sub("", line)
    letters = [c for c in line if c.isalpha()]
    return len(re.findall(r"\w+", line)) >= 2 and all(c.isupper() for c in letters)


def normalise(text: str) -> str:
    """The words a speech engine should say for `text`, lower case, one line a line."""
    text = unicodedata.normalize("NFC", text or "").replace("\r\n", "\n")
    headings = [_is_heading(line) for line in text.split("\n")]
    text = _ROMAN_HEADING.sub(lambda m: f"{m[1]}{_words(_roman(m[2]))}. ", text)
    text = _DOC_NUMBER.sub(_doc_number, text)
    text = _DATE_DMY.sub(lambda m: _date(*m.groups()), text)
    text = _DATE_WORDS.sub(lambda m: _date(*m.groups()), text)
    text = _DATE_DM.sub(lambda m: _date(m.group(1), m.group(2), None), text)
    text = _YEAR_RANGE.sub(lambda m: f"{_words(m[1])} đến {_words(m[2])}", text)
    text = _TIME_H.sub(
        lambda m: f"{_words(m[1])} giờ" + (f" {_words(m[2])} phút" if m[2] else ""),
        text,
    )
    text = _abbreviations(text)
    lines = [
        _library().normalize(line.lower() if heading else line)
        for line, heading in zip(text.split("\n"), headings, strict=True)
    ]
    return "\n".join(re.sub(r"\s{2,}", " ", line).strip() for line in lines).strip()
