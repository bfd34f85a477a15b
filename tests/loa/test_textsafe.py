from loa.textsafe import has_control_characters, single_line, spreadsheet_text


def test_single_line_turns_breaks_into_one_space():
    title = "x\n#EXTINF:5,Evil\r\nhttp://evil.example/p.mp3\u2028end"
    assert single_line(title) == "x #EXTINF:5,Evil http://evil.example/p.mp3 end"


def test_single_line_normalises_to_nfc():
    assert single_line("Quye\u0302\u0300n") == "Quyền"


def test_formula_starts_are_neutralised():
    for raw in ['=HYPERLINK("http://x")', "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"]:
        assert spreadsheet_text(raw).startswith("'"), raw


def test_plain_text_is_left_alone():
    assert spreadsheet_text("Quyền con người") == "Quyền con người"


def test_control_characters_are_detected_for_forms():
    assert has_control_characters("a\nb")
    assert not has_control_characters("Quyền con người: 2023")
