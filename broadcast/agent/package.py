"""One sync: fetch the current package, verify it, unpack it beside the playing one,
switch atomically, and apply withdrawals.

The playing package is `DIR/current`, a symlink to `DIR/packages/<id>`. A new one is
unpacked into `DIR/packages/.staging-<id>`, checked file by file against SHA256SUMS
and the signed manifest, fsynced, renamed, and only then does `current` move (a
symlink replaced with rename(2), atomic on POSIX). A power cut at any point leaves
the previous package playing; leftovers are cleared on the next sync.
"""

# The agent runs on Python 3.9 (Debian 11, older Raspberry Pi OS): no datetime.UTC.
# ruff: noqa: UP017

from __future__ import annotations

import base64
import errno
import hashlib
import json
import os
import shutil
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from .client import Client, DiskFull, LinkError, ServerError
from .store import Store, fsync_dir, write_json

COMPLETE = ".complete"
PERIOD_TZ = "Asia/Ho_Chi_Minh"


class Refused(Exception):
    """The package failed verification: it is kept aside, never played."""

    def __init__(self, code: str, detail: str):
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


@dataclass
class SyncResult:
    outcome: str  # up_to_date | switched | no_package
    package_id: str = ""
    withdrawn: list = field(default_factory=list)


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1024 * 1024), b""):
            h.update(block)
    return h.hexdigest()


def load_public_key(raw_b64: str):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    return Ed25519PublicKey.from_public_bytes(base64.b64decode(raw_b64))


def key_fingerprint(raw_b64: str) -> str:
    digest = hashlib.sha256(base64.b64decode(raw_b64)).hexdigest()
    return ":".join(digest[i : i + 4] for i in range(0, 32, 4))


def current_dir(store: Store) -> Path | None:
    link = store.root / "current"
    if not link.exists():
        return None
    return link.resolve()


def current_manifest(store: Store) -> dict | None:
    d = current_dir(store)
    if d is None:
        return None
    try:
        return json.loads((d / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def local_date(now: datetime) -> date:
    """Package periods are dates in Vietnam, whatever the station PC's zone."""
    try:
        from zoneinfo import ZoneInfo

        return now.astimezone(ZoneInfo(PERIOD_TZ)).date()
    except Exception:  # noqa: BLE001 - no tz database: UTC+7 has no DST
        return (now.astimezone(timezone.utc) + timedelta(hours=7)).date()


def _choose(listing: list, station: str, today: date) -> list[dict]:
    """Own-station packages, the one covering today first, newest build first.
    Fields the agent does not know are ignored; a superseded one is skipped."""
    own = [
        p
        for p in listing
        if isinstance(p, dict) and p.get("station") == station and p.get("id")
    ]
    own = [p for p in own if not p.get("superseded")]

    def key(p):
        covers = p.get("period_from", "") <= today.isoformat() <= p.get("period_to", "")
        return (covers, p.get("period_from", ""), p.get("built_at") or "")

    return sorted(own, key=key, reverse=True)


def _sums(text: str) -> dict[str, str]:
    out = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        digest, _sep, name = line.partition("  ")
        if len(digest) != 64 or not name:
            raise Refused("bad_checksums", f"unreadable SHA256SUMS line: {line[:80]}")
        out[name] = digest
    return out


def _safe_name(name: str) -> bool:
    parts = Path(name).parts
    return bool(parts) and not name.startswith("/") and ".." not in parts


def verify_and_unpack(zip_path: Path, staging: Path, public_key_b64: str) -> dict:
    """Check the signature and every checksum while unpacking into `staging`."""
    from cryptography.exceptions import InvalidSignature

    try:
        zf = zipfile.ZipFile(zip_path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise Refused("bad_zip", str(exc)) from None
    with zf:
        names = set(zf.namelist())
        for required in ("manifest.json", "manifest.json.sig", "SHA256SUMS"):
            if required not in names:
                raise Refused("incomplete", f"{required} is missing")
        manifest_bytes = zf.read("manifest.json")
        try:
            sig = base64.b64decode(zf.read("manifest.json.sig").strip(), validate=True)
            load_public_key(public_key_b64).verify(sig, manifest_bytes)
        except (InvalidSignature, ValueError):
            raise Refused(
                "bad_signature", "the manifest signature does not verify"
            ) from None
        try:
            manifest = json.loads(manifest_bytes)
        except ValueError:
            raise Refused("bad_manifest", "manifest.json is not JSON") from None
        sums = _sums(zf.read("SHA256SUMS").decode("utf-8", "replace"))
        if sums.get("manifest.json") != hashlib.sha256(manifest_bytes).hexdigest():
            raise Refused("bad_checksums", "SHA256SUMS does not cover the manifest")
        extra = names - set(sums) - {"SHA256SUMS"}
        if extra:
            raise Refused("unlisted_file", ", ".join(sorted(extra))[:200])
        for item in manifest.get("items", []):
            if sums.get(item.get("path")) != item.get("sha256"):
                raise Refused(
                    "bad_checksums", f"{item.get('path')} differs from the manifest"
                )
        staging.mkdir(parents=True)
        for name, digest in sorted(sums.items()):
            if not _safe_name(name) or name not in names:
                raise Refused("bad_entry", f"{name} is missing or unsafe")
            target = staging / name
            target.parent.mkdir(parents=True, exist_ok=True)
            h = hashlib.sha256()
            with zf.open(name) as src, open(target, "wb") as out:
                for block in iter(lambda: src.read(1024 * 1024), b""):
                    h.update(block)
                    out.write(block)
                out.flush()
                os.fsync(out.fileno())
            if h.hexdigest() != digest:
                raise Refused("bad_checksums", f"{name} does not match SHA256SUMS")
        (staging / "SHA256SUMS").write_bytes(zf.read("SHA256SUMS"))
    return manifest


def _clear_leftovers(store: Store) -> None:
    for d in (store.root / "packages").glob(".staging-*"):
        shutil.rmtree(d, ignore_errors=True)


def switch_to(store: Store, package_dir: Path) -> None:
    link = store.root / "current"
    tmp = store.root / ".current.tmp"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    os.symlink(os.path.relpath(package_dir, store.root), tmp)
    os.replace(tmp, link)
    fsync_dir(store.root)


def withdrawn_ids(manifest: dict) -> set:
    """Content withdrawn and not scheduled again by another schedule in force."""
    playing = {i.get("content_id") for i in manifest.get("items", [])}
    return {
        w.get("content_id")
        for w in manifest.get("withdrawals", [])
        if isinstance(w, dict) and w.get("content_id") not in playing
    }


def apply_withdrawals(store: Store, manifest: dict) -> list:
    """Remember withdrawn content for good and delete its files from every package
    folder kept on disk, so nothing can play it again."""
    state = store.state()
    withdrawn = set(state.get("withdrawn", [])) | withdrawn_ids(manifest)
    playing = {i.get("content_id") for i in manifest.get("items", [])}
    withdrawn -= playing
    for d in (store.root / "packages").iterdir():
        mf = d / "manifest.json"
        if not mf.exists():
            continue
        try:
            old = json.loads(mf.read_text(encoding="utf-8"))
        except ValueError:
            continue
        for item in old.get("items", []):
            if item.get("content_id") in withdrawn:
                p = d / item.get("path", "")
                if _safe_name(item.get("path", "")) and p.exists():
                    p.unlink()
    ids = sorted(x for x in withdrawn if x is not None)
    store.update_state(withdrawn=ids)
    return ids


def _keep_witness(store: Store, package_dir: Path, manifest: dict) -> None:
    """The signed manifest (and the log checkpoint in it, when the server includes
    one) is the station's own copy of what it was sent."""
    w = store.root / "witness" / manifest.get("package_id", package_dir.name)
    w.mkdir(parents=True, exist_ok=True)
    for name in ("manifest.json", "manifest.json.sig"):
        shutil.copyfile(package_dir / name, w / name)
    if manifest.get("log_checkpoint") is not None:
        write_json(w / "log_checkpoint.json", manifest["log_checkpoint"])


def sync(store: Store, client: Client, *, today: date) -> SyncResult:
    """One sync. A full disk, wherever it is met, is DiskFull: the caller reports
    it and the previous package keeps playing."""
    try:
        return _sync(store, client, today=today)
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            raise DiskFull(_disk_full_detail(store, str(exc))) from None
        raise


def _disk_full_detail(store: Store, detail: str) -> str:
    try:
        free = shutil.disk_usage(store.root).free
    except OSError:
        return detail
    return f"{detail} ({free} bytes free in {store.root})"


def _sync(store: Store, client: Client, *, today: date) -> SyncResult:
    cfg = store.config()
    _clear_leftovers(store)
    store.keep_reserve()
    listing = client.get_json("/packages")
    candidates = _choose(listing, cfg["station"], today)
    if not candidates:
        store.update_state(last_sync=_now())
        return SyncResult("no_package")
    state = store.state()
    for pkg in candidates:
        pid = str(pkg["id"])
        if pid == state.get("current_package") and current_dir(store):
            store.update_state(last_sync=_now())
            return SyncResult("up_to_date", pid)
        try:
            manifest, final = _fetch(store, client, pkg, cfg["public_key"])
        except ServerError as exc:
            if exc.status in (404, 410):
                continue  # superseded or gone since the listing: try the next one
            raise
        switch_to(store, final)
        _keep_witness(store, final, manifest)
        for d in (store.root / "packages").iterdir():
            if d.is_dir() and d != final:
                shutil.rmtree(d, ignore_errors=True)
        store.update_state(
            current_package=pid,
            current_period=manifest.get("period", {}),
            last_sync=_now(),
        )
        return SyncResult("switched", pid, apply_withdrawals(store, manifest))
    store.update_state(last_sync=_now())
    return SyncResult("no_package")


def _fetch(store: Store, client: Client, pkg: dict, key: str) -> tuple[dict, Path]:
    pid = str(pkg["id"])
    final = store.root / "packages" / pid
    if (final / COMPLETE).exists():
        return json.loads((final / "manifest.json").read_text("utf-8")), final
    part = store.root / "downloads" / f"{pid}.zip.part"
    try:
        client.download(pkg["download_url"], part, pkg.get("etag", ""))
    except DiskFull as exc:
        # A partial download kept for resuming would keep the disk full, and the
        # play journal needs the room more: it starts again when there is space.
        part.unlink(missing_ok=True)
        raise DiskFull(_disk_full_detail(store, str(exc))) from None
    digest = sha256_file(part)
    staging = store.root / "packages" / f".staging-{pid}"
    try:
        if pkg.get("sha256") and digest != pkg["sha256"]:
            raise Refused("bad_download", "the file's sha256 differs from the listing")
        manifest = verify_and_unpack(part, staging, key)
        if str(manifest.get("package_id")) != pid:
            raise Refused("wrong_package", "the manifest names another package")
        (staging / COMPLETE).write_text(digest)
        fsync_dir(staging)
        if final.exists():
            shutil.rmtree(final)
        os.rename(staging, final)
        fsync_dir(final.parent)
    except Refused:
        shutil.rmtree(staging, ignore_errors=True)
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        os.replace(part, store.root / "rejected" / f"{pid}-{stamp}.zip")
        raise
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        if exc.errno == errno.ENOSPC:
            part.unlink(missing_ok=True)
            raise DiskFull(_disk_full_detail(store, str(exc))) from None
        raise
    part.unlink()
    return manifest, final


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


__all__ = ["LinkError", "Refused", "SyncResult", "sync"]
