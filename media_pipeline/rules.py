"""The one owner of the rendition rules, as Wagtail's `get_rendition` is for images.

- `profile_for_station`: which rendition a station kind plays of a media kind
  (None when it cannot play it: a board cannot play sound alone, a loudspeaker
  cannot play a silent video).
- `required_profiles`: which renditions a source needs: exactly the ones the web
  and some station kind play, so nothing is made that no one plays and nothing
  is waited for that is never made.
- `is_current`: whether a rendition is of its profile's current version (and, for
  captioned video, of the given captions).

Broadcast (planning, packages), cms (technical check, panels) and the pipeline's
own jobs all ask here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .profiles import Profile, all_profiles

if TYPE_CHECKING:
    from .models import LoaImage, LoaMedia, RenditionJob

AUDIO, VIDEO, IMAGE = "audio", "video", "image"
MEDIA_KINDS = (AUDIO, VIDEO, IMAGE)
ORIENTATIONS = ("landscape", "portrait")

# What each station kind plays, by media kind. Radio and loudspeakers play the
# sound of a video; boards play pictures only. Station kinds are
# broadcast.models.Station.Kind values (media_pipeline does not import broadcast).
STATION_PLAYS: dict[str, dict[str, str]] = {
    "district_radio": {AUDIO: "district-fm", VIDEO: "district-fm"},
    "commune_loudspeaker": {
        AUDIO: "commune-loudspeaker",
        VIDEO: "commune-loudspeaker",
    },
    "ebulletin": {VIDEO: "ebulletin-{orientation}", IMAGE: "ebulletin-still"},
}
# The public site's players.
WEB_PLAYS: dict[str, str] = {AUDIO: "web-audio", VIDEO: "web-video"}


def media_kind(source: LoaMedia | LoaImage) -> str:
    """ "audio", "video" or "image"."""
    from .models import LoaImage

    if isinstance(source, LoaImage):
        return IMAGE
    return source.type or AUDIO


def has_sound(source: LoaMedia | LoaImage) -> bool:
    """False only once ingest has found no audio stream (a silent video)."""
    if media_kind(source) == IMAGE:
        return False
    if source.ingest_status != source.IngestStatus.READY:
        return True  # not known yet: assume the usual case
    return bool(source.probe.get("audio_codec"))


def profile_for_station(
    *,
    station_kind: str,
    media_kind: str,
    orientation: str = "",
    has_sound: bool = True,
) -> str | None:
    """The profile a station of `station_kind` plays for `media_kind`, or None when
    it cannot play it."""
    name = STATION_PLAYS.get(station_kind, {}).get(media_kind)
    if name is None:
        return None
    profile = all_profiles()[name.format(orientation=orientation or "landscape")]
    if profile.kind == "audio" and media_kind != AUDIO and not has_sound:
        return None  # the sound of a silent video
    return profile.name


def station_profile(station, source: LoaMedia | LoaImage) -> str | None:
    """The profile `station` (a broadcast Station) plays of `source`, or None."""
    return profile_for_station(
        station_kind=station.kind,
        media_kind=media_kind(source),
        orientation=getattr(station, "orientation", ""),
        has_sound=has_sound(source),
    )


def profiles_for(*, media_kind: str, has_sound: bool = True) -> list[str]:
    """Every profile some player (the web or a station kind) plays of this media."""
    names = [WEB_PLAYS[media_kind]] if media_kind in WEB_PLAYS else []
    for kind in STATION_PLAYS:
        for orientation in ORIENTATIONS:
            name = profile_for_station(
                station_kind=kind,
                media_kind=media_kind,
                orientation=orientation,
                has_sound=has_sound,
            )
            if name and name not in names:
                names.append(name)
    return names


def required_profiles(source: LoaMedia | LoaImage) -> list[str]:
    """The renditions `source` needs before its item can air."""
    return profiles_for(media_kind=media_kind(source), has_sound=has_sound(source))


def captioned_profiles(source: LoaMedia | LoaImage) -> list[str]:
    """The required profiles that carry captions (burned in, or a WebVTT track)."""
    return [n for n in required_profiles(source) if all_profiles()[n].kind == VIDEO]


def captions_suffix(captions_sha256: str) -> str:
    """What captions add to a video profile's version (so new captions re-render)."""
    return captions_sha256[:4]


def rendition_version(profile: Profile, captions_sha256: str = "") -> str:
    """The profile_version a rendition of `profile` made now would have."""
    if captions_sha256 and profile.kind == VIDEO:
        return profile.version + captions_suffix(captions_sha256)
    return profile.version


def is_current(
    profile_name: str, version: str, *, captions_sha256: str | None = None
) -> bool:
    """Whether a rendition of `profile_name` at `version` is of the current profile.

    `captions_sha256` None accepts any captions (or none); "" wants none; a hash
    wants those captions. Unknown profiles (removed since) are never current.
    """
    profile = all_profiles().get(profile_name)
    if profile is None:
        return False
    if captions_sha256 is not None:
        return version == rendition_version(profile, captions_sha256)
    return version == profile.version or (
        profile.kind == VIDEO
        and version.startswith(profile.version)
        and len(version) == len(profile.version) + 4
    )


def _current(source: LoaMedia | LoaImage) -> list[RenditionJob]:
    from .models import RenditionJob

    kind = "image" if media_kind(source) == IMAGE else "media"
    jobs = RenditionJob.objects.filter(**{kind: source}, source_sha256=source.sha256)
    return [
        j
        for j in jobs.order_by("queued_at", "pk")
        if is_current(j.profile, j.profile_version)
    ]


def _pick(jobs: list[RenditionJob]) -> dict[str, RenditionJob]:
    # A captioned rendition (longer version) wins over a caption-less one.
    out: dict[str, RenditionJob] = {}
    for job in jobs:
        held = out.get(job.profile)
        if held is None or len(job.profile_version) >= len(held.profile_version):
            out[job.profile] = job
    return out


def current_jobs(source: LoaMedia | LoaImage) -> dict[str, RenditionJob]:
    """The job of each profile's current version for the source's current file."""
    return _pick(_current(source))


def current_rendition(
    source: LoaMedia | LoaImage, profile_name: str
) -> RenditionJob | None:
    """The finished, current rendition of `source` for `profile_name`, if any
    (captioned preferred, else the caption-less one while captions render)."""
    from .models import RenditionJob

    done = [
        j
        for j in _current(source)
        if j.profile == profile_name and j.status == RenditionJob.Status.DONE
    ]
    return _pick(done).get(profile_name)
