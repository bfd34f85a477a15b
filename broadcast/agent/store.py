"""The agent's folder: configuration, state, the play journal, all crash-safe.

Everything is written to a temporary file, fsynced and renamed, then the folder is
fsynced: a power cut leaves either the old or the new file, never half of one. The
journal is append-only JSON lines, each fsynced before the agent goes on, so what
aired is on disk before it is reported.
"""

from __future__ import annotations

import errno
import json
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

CONFIG = "config.json"
TOKEN = "token"
STATE = "state.json"
JOURNAL = "journal.jsonl"
SENT = "sent.jsonl"
# Space set aside for the agent's own records. When the disk fills up (logs, another
# program, a package too big), giving it back lets the agent still write why it
# failed and what aired; it is set aside again once there is room.
RESERVE = "reserve"
RESERVE_BYTES = 256 * 1024


def fsync_dir(path: Path) -> None:
    fd = os.open(str(path), os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes, mode: int = 0o644) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}-{threading.get_ident()}")
    fd = os.open(str(tmp), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(str(tmp), mode)
        os.replace(str(tmp), str(path))
    finally:
        if tmp.exists():
            tmp.unlink()
    fsync_dir(path.parent)


def write_json(path: Path, value: Any, mode: int = 0o644) -> None:
    data = json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True).encode()
    write_atomic(path, data + b"\n", mode)


def read_json(path: Path, default: Any = None) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return default
    except ValueError:
        # Only a file written outside write_atomic can be torn; treat it as absent.
        return default


class Store:
    """The agent's directory. One lock guards state and journal across threads."""

    def __init__(self, root: Path | str):
        self.root = Path(root).resolve()
        self.lock = threading.RLock()

    # --- configuration ---------------------------------------------------------

    def config(self) -> dict:
        cfg = read_json(self.root / CONFIG)
        if not cfg:
            raise SystemExit(
                f"{self.root} is not enrolled: run `enroll --server URL --token "
                f"TOKEN --dir {self.root}` first."
            )
        return cfg

    def token(self) -> str:
        return (self.root / TOKEN).read_text(encoding="utf-8").strip()

    def save_config(self, cfg: dict, token: str) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        for sub in ("packages", "downloads", "rejected", "witness", "urgent"):
            (self.root / sub).mkdir(exist_ok=True)
        write_atomic(self.root / TOKEN, token.encode() + b"\n", mode=0o600)
        write_json(self.root / CONFIG, cfg)
        self.keep_reserve()

    # --- room on a full disk ---------------------------------------------------

    def keep_reserve(self) -> bool:
        """Set the reserve aside if it is not; False when there is no room for it."""
        path = self.root / RESERVE
        if path.exists():
            return True
        try:
            write_atomic(path, bytes(RESERVE_BYTES))
        except OSError as exc:
            if exc.errno != errno.ENOSPC:
                raise
            return False
        return True

    def _with_room(self, write):
        """Run `write`; if the disk is full, give the reserve back and try once more."""
        try:
            return write()
        except OSError as exc:
            if exc.errno != errno.ENOSPC or not (self.root / RESERVE).exists():
                raise
        (self.root / RESERVE).unlink()
        return write()

    # --- state -------------------------------------------------------------------

    def state(self) -> dict:
        with self.lock:
            return read_json(self.root / STATE, {}) or {}

    def update_state(self, **changes: Any) -> dict:
        with self.lock:
            state = self.state()
            state.update(changes)
            self._with_room(lambda: write_json(self.root / STATE, state))
            return state

    # --- journal -----------------------------------------------------------------

    def _append(self, name: str, record: dict) -> None:
        line = (json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n").encode()
        with self.lock:
            self._with_room(lambda: self._append_line(name, line))

    def _append_line(self, name: str, line: bytes) -> None:
        fd = os.open(
            str(self.root / name), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644
        )
        try:
            size = os.fstat(fd).st_size
            try:
                if os.write(fd, line) != len(line):
                    raise OSError(errno.ENOSPC, "short write", name)
                os.fsync(fd)
            except OSError:
                # A short write on a full disk would leave half a line: cut it off.
                os.ftruncate(fd, size)
                raise
        finally:
            os.close(fd)

    def _records(self, name: str) -> Iterator[dict]:
        try:
            with open(self.root / name, encoding="utf-8") as f:
                for line in f:
                    try:
                        yield json.loads(line)
                    except ValueError:
                        continue  # a line torn by a power cut mid-write
        except FileNotFoundError:
            return

    def journal_append(self, record: dict) -> None:
        self._append(JOURNAL, record)

    def journal(self) -> list[dict]:
        with self.lock:
            return list(self._records(JOURNAL))

    def mark_sent(self, uuids: list[str], results: dict[str, str]) -> None:
        for u in uuids:
            self._append(SENT, {"uuid": u, "result": results.get(u, "")})

    def sent(self) -> set[str]:
        with self.lock:
            return {r["uuid"] for r in self._records(SENT) if "uuid" in r}

    def queued(self) -> list[dict]:
        """Final play records (aired or missed) the server has not acknowledged."""
        sent = self.sent()
        return [
            r
            for r in self.journal()
            if r.get("type") == "play"
            and r.get("outcome") in ("aired", "missed")
            and r["uuid"] not in sent
        ]
