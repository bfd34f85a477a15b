"""Timed captions from written text: each sentence synthesised on its own, its real
duration measured from the audio, the cues written from the cumulative times."""

import shutil
import wave
from array import array

import pytest

from media_pipeline.speech import available_voices, sentences, synthesise
from media_pipeline.speech.captions import Cue, cues_srt, synthesise_with_cues
from media_pipeline.video import prepare_captions

pytestmark = pytest.mark.skipif(
    shutil.which("espeak-ng") is None, reason="espeak-ng is not installed"
)

NOTICE = (
    "Thông báo của UBND xã Tân Phú. Thực hiện Kế hoạch số 111/KH-UBND ngày "
    "03/4/2023!\nTrước ngày 20/6 các thôn gửi báo cáo 6 tháng? Xin cảm ơn bà con."
)


def _samples(path):
    with wave.open(str(path), "rb") as w:
        assert w.getsampwidth() == 2 and w.getnchannels() == 1
        rate = w.getframerate()
        data = array("h", w.readframes(w.getnframes()))
    return rate, data


def test_sentences_split_on_sentence_ends_and_lines_only():
    assert sentences(NOTICE) == [
        "Thông báo của UBND xã Tân Phú.",
        "Thực hiện Kế hoạch số 111/KH-UBND ngày 03/4/2023!",
        "Trước ngày 20/6 các thôn gửi báo cáo 6 tháng?",
        "Xin cảm ơn bà con.",
    ]
    # Decimal points and document numbers do not end a sentence.
    assert sentences("Giá 1.500 đồng, tăng 2.5%. Hết") == [
        "Giá 1.500 đồng, tăng 2.5%.",
        "Hết",
    ]
    assert sentences(" \n . \n") == []


def test_one_cue_per_sentence_timed_by_the_real_synthesis(tmp_path):
    voice = available_voices()["espeak-north"]
    out = tmp_path / "speech.wav"
    cues = synthesise_with_cues(NOTICE, voice, out)
    parts = sentences(NOTICE)
    assert [c.text for c in cues] == parts  # as written, not as normalised
    rate, data = _samples(out)
    total = len(data) / rate
    assert cues[0].start == 0 and abs(cues[-1].end - total) < 1 / rate + 1e-9
    for before, after in zip(cues, cues[1:], strict=False):
        assert before.end == after.start
    # Each cue lasts as long as its sentence spoken alone (same engine, same text).
    from media_pipeline.speech import normalise

    for n, (cue, text) in enumerate(zip(cues, parts, strict=True)):
        alone = synthesise(normalise(text), voice, tmp_path / f"{n}.wav")
        r, d = _samples(alone)
        assert abs((cue.end - cue.start) - len(d) / r) < 0.005
    # Each boundary falls where the audio is near silence (espeak pads sentences),
    # and inside each cue there is speech.
    loudest = max(abs(s) for s in data)
    for cue in cues[1:]:
        at = round(cue.start * rate)
        window = data[max(0, at - rate // 100) : at + rate // 100]
        assert max(abs(s) for s in window) < 0.05 * loudest, cue.start
    for cue in cues:
        inside = data[round(cue.start * rate) : round(cue.end * rate)]
        assert max(abs(s) for s in inside) > 0.3 * loudest, cue.text


def test_the_srt_passes_the_pipelines_caption_conversion(tmp_path):
    cues = synthesise_with_cues(
        NOTICE, available_voices()["espeak-south"], tmp_path / "s.wav"
    )
    srt = tmp_path / "captions.srt"
    srt.write_text(cues_srt(cues), encoding="utf-8")
    prepare_captions(srt, tmp_path / "out", timeout=30)
    vtt = (tmp_path / "out" / "captions.vtt").read_text(encoding="utf-8")
    assert vtt.count(" --> ") == len(sentences(NOTICE)) == 4
    assert "111/KH-UBND" in vtt


def test_the_srt_writer_keeps_each_cue_one_block_whatever_the_text():
    hostile = [
        Cue(0.0, 1.0, "dòng một\n\ndòng hai"),
        Cue(1.0, 2.5, "a --> b\r\n3\n00:00:01,000 --> 00:00:02,000"),
        Cue(3661.25, 3662.0, "<b>đậm</b>"),
    ]
    text = cues_srt(hostile)
    blocks = text.strip().split("\n\n")
    assert len(blocks) == 3
    assert blocks[0] == "1\n00:00:00,000 --> 00:00:01,000\ndòng một dòng hai"
    assert blocks[1].count("-->") == 1  # the text's arrows cannot start a cue
    assert blocks[2].startswith("3\n01:01:01,250 --> 01:01:02,000\n")
