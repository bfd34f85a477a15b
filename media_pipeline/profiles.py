"""Target profiles, declared as data in one place.

Each profile says what a target plays: container, codec, rate, channels, bitrate,
loudness, size and filters. Settings can override any field per profile
(LOA_PROFILE_OVERRIDES = {"commune-loudspeaker": {"bitrate": "96k"}}). A profile's
version is a hash of its effective fields, so changing a number makes new renditions.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, replace

from django.utils.translation import gettext_lazy as _

RENDER_REVISION = 2


@dataclass(frozen=True)
class Profile:
    name: str
    label: str
    kind: str  # "audio" | "video" | "still" | "slideshow"
    target: str
    ext: str
    container: str = ""
    codec: str = ""
    sample_rate: int | None = None
    channels: int | None = None  # None: as the source
    bitrate: str = ""
    loudness: float | None = None  # integrated LUFS
    loudness_tolerance: float = 1.0
    true_peak_max: float | None = None  # dBTP the output must stay under
    # Aim a little under the limit: lossy encoders overshoot true peak.
    true_peak_target: float | None = None
    lra: float = 11.0
    filters: tuple[str, ...] = ()
    trim_silence: bool = False
    width: int | None = None
    height: int | None = None
    max_height: int | None = None
    fps: int | None = None
    gop_seconds: float | None = None
    maxrate: str = ""
    h264_profile: str = ""
    h264_level: str = ""
    burn_captions: bool = False
    options: dict = field(default_factory=dict)

    @property
    def version(self) -> str:
        data = asdict(self)
        data.pop("label")
        # Bumped when the rendering code changes what a profile's output is.
        data["revision"] = RENDER_REVISION
        blob = json.dumps(data, sort_keys=True, default=str).encode()
        return hashlib.sha256(blob).hexdigest()[:12]


_SPEECH_BAND = ("highpass=f=120", "lowpass=f=7000")
# Gentle compression so quiet words carry over outdoor horns.
_SPEECH_COMPRESSION = (
    "acompressor=threshold=0.1:ratio=3:attack=20:release=250:makeup=1",
)

DEFAULT_PROFILES: tuple[Profile, ...] = (
    Profile(
        name="commune-loudspeaker",
        label=_("Commune loudspeakers (MP3 64 kbps mono)"),
        kind="audio",
        target="commune_loudspeaker",
        ext="mp3",
        container="mp3",
        codec="libmp3lame",
        sample_rate=44100,
        channels=1,
        bitrate="64k",
        loudness=-16.0,
        loudness_tolerance=1.0,
        true_peak_max=-1.5,
        true_peak_target=-2.5,
        filters=_SPEECH_BAND + _SPEECH_COMPRESSION,
        trim_silence=True,
    ),
    Profile(
        name="district-fm",
        label=_("District FM playout (WAV 48 kHz, EBU R128)"),
        kind="audio",
        target="district_radio",
        ext="wav",
        container="wav",
        codec="pcm_s16le",
        sample_rate=48000,
        channels=None,
        loudness=-23.0,
        loudness_tolerance=0.5,
        true_peak_max=-1.0,
        true_peak_target=-1.5,
    ),
    Profile(
        name="web-audio",
        label=_("Web listening (MP3)"),
        kind="audio",
        target="web",
        ext="mp3",
        container="mp3",
        codec="libmp3lame",
        sample_rate=44100,
        channels=None,
        bitrate="128k",
        loudness=-16.0,
        loudness_tolerance=1.0,
        true_peak_max=-1.0,
        true_peak_target=-2.0,
        options={"waveform_peaks": 800},
    ),
    Profile(
        name="ebulletin-landscape",
        label=_("E-bulletin board, landscape (1920×1080)"),
        kind="video",
        target="ebulletin_landscape",
        ext="mp4",
        container="mp4",
        codec="libx264",
        sample_rate=48000,
        bitrate="128k",
        loudness=-16.0,
        true_peak_max=-1.0,
        true_peak_target=-2.0,
        width=1920,
        height=1080,
        fps=25,
        gop_seconds=2,
        maxrate="8M",
        h264_profile="high",
        h264_level="4.1",
        burn_captions=True,
    ),
    Profile(
        name="ebulletin-portrait",
        label=_("E-bulletin board, portrait (1080×1920)"),
        kind="video",
        target="ebulletin_portrait",
        ext="mp4",
        container="mp4",
        codec="libx264",
        sample_rate=48000,
        bitrate="128k",
        loudness=-16.0,
        true_peak_max=-1.0,
        true_peak_target=-2.0,
        width=1080,
        height=1920,
        fps=25,
        gop_seconds=2,
        maxrate="8M",
        h264_profile="high",
        h264_level="4.1",
        burn_captions=True,
    ),
    Profile(
        name="ebulletin-still",
        label=_("Still for e-bulletin boards (JPEG)"),
        kind="still",
        target="ebulletin",
        ext="jpg",
        container="jpeg",
        width=1920,
        height=1080,
        options={"quality": 88, "background": "#000000"},
    ),
    Profile(
        name="ebulletin-slideshow",
        label=_("Slideshow for e-bulletin boards (MP4)"),
        kind="slideshow",
        target="ebulletin",
        ext="mp4",
        container="mp4",
        codec="libx264",
        sample_rate=48000,
        bitrate="128k",
        loudness=-16.0,
        true_peak_max=-1.0,
        width=1920,
        height=1080,
        fps=25,
        gop_seconds=2,
        maxrate="8M",
        h264_profile="high",
        h264_level="4.1",
        options={"seconds_per_slide": 6.0, "crossfade": 1.0},
    ),
    Profile(
        name="web-video",
        label=_("Web video (MP4 ≤ 720p)"),
        kind="video",
        target="web",
        ext="mp4",
        container="mp4",
        codec="libx264",
        sample_rate=48000,
        bitrate="128k",
        loudness=-16.0,
        true_peak_max=-1.0,
        true_peak_target=-2.0,
        max_height=720,
        gop_seconds=2,
        maxrate="3M",
        h264_profile="high",
        h264_level="4.1",
        options={"poster_frame": True},
    ),
)


def all_profiles() -> dict[str, Profile]:
    """Profiles with settings overrides applied, by name."""
    from django.conf import settings

    overrides = getattr(settings, "LOA_PROFILE_OVERRIDES", {}) or {}
    out = {}
    for p in DEFAULT_PROFILES:
        o = overrides.get(p.name, {})
        if "filters" in o:
            o = {**o, "filters": tuple(o["filters"])}
        out[p.name] = replace(p, **o) if o else p
    return out


def get_profile(name: str) -> Profile:
    try:
        return all_profiles()[name]
    except KeyError:
        raise KeyError(
            f"unknown profile {name!r}; known: {', '.join(all_profiles())}"
        ) from None
