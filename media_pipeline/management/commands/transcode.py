"""`python manage.py transcode INPUT... --profile NAME... --output DIR`

The site's pipeline for technicians, without the database: one JSON object per
output on stdout (measured on the written file), one line per bad input on stderr,
exit status 1 if any input failed, after doing all the good ones.
"""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from media_pipeline.audio import SilentInputError
from media_pipeline.ffmpeg import FFmpegError, FFmpegTimeout
from media_pipeline.pipeline import Output, render_all
from media_pipeline.probe import ProbeError, ProbeResult, probe
from media_pipeline.profiles import Profile, all_profiles, get_profile
from media_pipeline.services import error_message, sha256_file
from media_pipeline.source import RenderError, Source


class Command(BaseCommand):
    help = "Render media files to profiles, without the database."
    requires_system_checks = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("inputs", nargs="+", metavar="INPUT")
        parser.add_argument(
            "--profile",
            action="append",
            required=True,
            dest="profiles",
            help=f"one of: {', '.join(all_profiles())} (repeatable)",
        )
        parser.add_argument("--output", required=True, type=Path)
        parser.add_argument("--captions", type=Path, help="SRT or WebVTT for videos")
        parser.add_argument(
            "--narration", type=Path, help="audio under an ebulletin-slideshow"
        )
        parser.add_argument("--caption", default="", help="a slideshow's caption line")

    def handle(self, *args, **opts):
        if opts["verbosity"] < 2:
            # stderr is one line per bad input; `-v 2` also says which ffmpeg ran.
            logging.getLogger("media_pipeline.ffmpeg").setLevel(logging.WARNING)
        try:
            profiles = [get_profile(n) for n in opts["profiles"]]
        except KeyError as exc:
            raise CommandError(exc.args[0]) from None
        out_dir: Path = opts["output"]
        out_dir.mkdir(parents=True, exist_ok=True)
        failures = 0
        per_input = [p for p in profiles if p.kind != "slideshow"]
        if per_input:
            for name in opts["inputs"]:
                failures += not self._one(Path(name), per_input, out_dir, opts)
        slideshows = [p for p in profiles if p.kind == "slideshow"]
        for p in slideshows:
            src = Source(
                path=Path(opts["inputs"][0]),
                images=[Path(n) for n in opts["inputs"]],
                narration_path=opts["narration"],
                caption_text=opts["caption"],
            )
            failures += not self._render(
                src, "+".join(opts["inputs"]), [p], out_dir, "slideshow"
            )
        if failures:
            raise SystemExit(1)

    def _one(self, path: Path, profiles: list[Profile], out_dir: Path, opts) -> bool:
        try:
            if not path.is_file():
                raise ProbeError("missing_source", "no such file")
            stills = [p for p in profiles if p.kind == "still"]
            info = ProbeResult() if len(stills) == len(profiles) else probe(path)
            if info.duration and info.duration > settings.LOA_MAX_DURATION_SECONDS:
                raise ProbeError("too_long", f"{info.duration:.0f}s")
        except (ProbeError, RenderError) as exc:
            self._error(path, exc.code, exc.detail)
            return False
        ok = True
        if not info.has_audio and any(p.kind == "audio" for p in profiles):
            # The picture profiles can still be made from a silent video.
            self._error(path, "no_streams", "no audio stream for the audio profiles")
            profiles = [p for p in profiles if p.kind != "audio"]
            ok = False
        if not info.has_video and any(p.kind == "video" for p in profiles):
            self._error(path, "no_video", "no picture for the video profiles")
            profiles = [p for p in profiles if p.kind != "video"]
            ok = False
        if not profiles:
            return ok
        src = Source(path=path, probe=info, captions_path=opts["captions"])
        return self._render(src, str(path), profiles, out_dir, path.stem) and ok

    def _render(
        self, src: Source, label: str, profiles, out_dir: Path, stem: str
    ) -> bool:
        # Written in a hidden folder of the output directory, moved when measured.
        work = Path(tempfile.mkdtemp(prefix=".loa-tmp-", dir=out_dir))
        try:
            targets = [(p, work / f"{stem}.{p.name}.{p.ext}") for p in profiles]
            outputs = render_all(src, targets)
            for out in outputs:
                self._publish(label, out, out_dir)
            return True
        except (ProbeError, RenderError) as exc:
            self._error(label, exc.code, exc.detail)
        except SilentInputError as exc:
            self._error(label, "silent", str(exc))
        except FFmpegTimeout as exc:
            self._error(label, "timeout", str(exc))
        except FFmpegError as exc:
            # Not the editors' message: there is no log here to point at, so the
            # line says which ffmpeg failed and ffmpeg's own reason.
            self.stderr.write(
                f"{label}: " + _("Conversion failed: %(reason)s") % {"reason": str(exc)}
            )
        finally:
            shutil.rmtree(work, ignore_errors=True)
        return False

    def _publish(self, label: str, out: Output, out_dir: Path) -> None:
        final = out_dir / out.path.name
        side = {}
        for key in ("poster", "captions_vtt"):
            if key in out.extra:
                target = out_dir / out.extra[key]
                shutil.move(out.path.parent / out.extra[key], target)
                side[key] = str(target)
        digest, size = sha256_file(out.path), out.path.stat().st_size
        shutil.move(out.path, final)
        loud = out.loudness
        record = {
            "input": label,
            "profile": out.profile.name,
            "path": str(final),
            "bytes": size,
            "sha256": digest,
            "duration": out.duration,
            "loudness_lufs": loud.integrated if loud else None,
            "true_peak_dbtp": loud.true_peak if loud else None,
            **side,
        }
        self.stdout.write(json.dumps(record, ensure_ascii=False))

    def _error(self, label, code: str, detail: str) -> None:
        first = (detail or "").strip().splitlines()
        why = f" ({first[-1][:200]})" if first else ""
        self.stderr.write(f"{label}: {error_message(code)}{why}")
