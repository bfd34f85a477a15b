"""Timed captions cost: synthesising a notice sentence by sentence (one espeak-ng
process per sentence, joined, cues from the frame counts) against one synthesis of
the whole text without captions. Same text, same voice, same run, runs interleaved;
the median of each is compared. The extra cost is one espeak-ng start per sentence
(normalising per sentence costs ~nothing); it is paid in a worker, once per text, so
the ratio is reported, not gated.

`python -m bench.bench_speech_captions [sentences] [repeats]`
"""

from __future__ import annotations

import statistics
import sys
import tempfile
from pathlib import Path

from bench._media import setup_django, timed

SENTENCES = [
    "Thông báo của UBND xã Tân Phú về Kế hoạch số 111/KH-UBND ngày 03/4/2023.",
    "Trước ngày 20/6 các thôn gửi báo cáo 6 tháng về Ủy ban nhân dân xã.",
    "Bà con chú ý giữ gìn vệ sinh, không vứt rác xuống kênh rạch.",
    "Các hộ gia đình cần kiểm tra mái nhà trước mùa mưa bão.",
]


def main(n: int = 24, repeats: int = 3) -> None:
    setup_django()
    from media_pipeline.speech import (
        available_voices,
        normalise,
        synthesise,
        synthesise_with_cues,
    )

    text = " ".join(SENTENCES[i % len(SENTENCES)] for i in range(n))
    voice = available_voices()["espeak-north"]
    whole, cued = [], []
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        for _ in range(repeats):
            whole.append(
                timed(lambda: synthesise(normalise(text), voice, out / "w.wav"))
            )
            cued.append(timed(lambda: synthesise_with_cues(text, voice, out / "c.wav")))
    a, b = statistics.median(whole), statistics.median(cued)
    print(f"sentences={n} repeats={repeats}")
    print(f"baseline  one synthesis, no captions: {a:.2f} s (median)")
    print(f"captioned per-sentence synthesis:      {b:.2f} s (median)")
    print(f"ratio {b / a:.2f}")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
