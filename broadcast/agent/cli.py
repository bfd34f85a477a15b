"""`python3 loa-agent.pyz enroll|sync|run|status|report …`"""

# The agent runs on Python 3.9 (Debian 11, older Raspberry Pi OS): no datetime.UTC.
# ruff: noqa: UP017

from __future__ import annotations

import argparse
import base64
import json
import sys
from datetime import datetime, timezone
from pathlib import Path

from . import VERSION
from .client import Client, DiskFull, LinkError, ServerError
from .package import Refused, key_fingerprint, local_date, sync
from .player import make_player
from .service import Agent, Clock, report, status
from .store import Store


def _key_from_file(path: str) -> str:
    """A raw Ed25519 key, base64, from a PEM file or a file holding the base64."""
    text = Path(path).read_text().strip()
    if "BEGIN PUBLIC KEY" in text:
        from cryptography.hazmat.primitives import serialization

        key = serialization.load_pem_public_key(text.encode())
        raw = key.public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        return base64.b64encode(raw).decode()
    return text


def cmd_enroll(args) -> int:
    client = Client(args.server, args.token)
    me = client.get_json("/station")
    if not me.get("station"):
        print("This token is not a station token.", file=sys.stderr)
        return 2
    served = client.get_json("/keys")["public_key_base64"]
    if args.key_file:
        key = _key_from_file(args.key_file)
        if key != served:
            print(
                "The server's signing key differs from --key-file: not enrolled.",
                file=sys.stderr,
            )
            return 3
    else:
        key = served
        print(
            "Pinned the server's signing key on first use. Compare this fingerprint "
            f"with the one your district gave you:\n  {key_fingerprint(key)}"
        )
    store = Store(args.dir)
    store.save_config(
        {
            "server": args.server.rstrip("/"),
            "station": me["station"]["code"],
            "public_key": key,
            "key_fingerprint": key_fingerprint(key),
            "enrolled_at": datetime.now(timezone.utc).isoformat(),
        },
        args.token,
    )
    print(f"Enrolled station {me['station']['code']} in {store.root}")
    return 0


def _client(store: Store) -> Client:
    return Client(store.config()["server"], store.token())


def _note_error(store: Store, code: str, detail: str) -> None:
    try:
        store.update_state(last_error={"code": code, "detail": detail})
    except OSError:
        pass  # the disk is full even without the reserve: stdout still says why


def cmd_sync(args) -> int:
    store = Store(args.dir)
    client = _client(store)
    try:
        result = sync(store, client, today=local_date(datetime.now(timezone.utc)))
    except Refused as exc:
        _note_error(store, exc.code, exc.detail)
        print(
            json.dumps({"outcome": "refused", "code": exc.code, "detail": exc.detail})
        )
        return 4
    except DiskFull as exc:
        _note_error(store, "disk_full", str(exc))
        print(json.dumps({"outcome": "disk_full", "detail": str(exc)}))
        return 5
    except (LinkError, ServerError) as exc:
        _note_error(store, "link", str(exc))
        print(json.dumps({"outcome": "offline", "detail": str(exc)}))
        return 6
    print(json.dumps(result.__dict__))
    return 0


def cmd_report(args) -> int:
    store = Store(args.dir)
    try:
        n = report(store, _client(store))
    except (LinkError, ServerError) as exc:
        print(json.dumps({"sent": 0, "error": str(exc)}))
        return 6
    print(json.dumps({"sent": n, "queued": len(store.queued())}))
    return 0


def cmd_status(args) -> int:
    store = Store(args.dir)
    print(
        json.dumps(
            status(store, datetime.now(timezone.utc)), indent=1, ensure_ascii=False
        )
    )
    return 0


def cmd_run(args) -> int:
    store = Store(args.dir)
    start = datetime.fromisoformat(args.start_at) if args.start_at else None
    clock = Clock(start, args.speed)
    agent = Agent(
        store,
        make_player(args.player, clock),
        clock,
        sync_every=args.sync_every,
        urgent_every=args.urgent_every,
        late_minutes=args.late_minutes,
    )
    try:
        agent.run()
    except KeyboardInterrupt:
        pass
    return 0


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="loa-agent", description="Loa station agent")
    p.add_argument("--version", action="version", version=VERSION)
    sub = p.add_subparsers(dest="command", required=True)
    e = sub.add_parser("enroll", help="store the server, token and signing key")
    e.add_argument("--server", required=True)
    e.add_argument("--token", required=True)
    e.add_argument("--key-file", help="the server's public key (PEM or base64)")
    for name, helptext in (
        ("sync", "download, verify and switch to the current package"),
        ("run", "the service: sync, play, take urgent announcements, report"),
        ("status", "print the agent's state as JSON"),
        ("report", "send queued confirmations now"),
    ):
        s = sub.add_parser(name, help=helptext)
        s.add_argument("--dir", required=True)
        if name == "run":
            s.add_argument("--player", default="auto")
            s.add_argument("--sync-every", type=float, default=300)
            # Poll, not long-poll: a 10 s poll meets the 30 s target (bench_agents,
            # 1,000 agents on gunicorn 2x8 threads: every one within 30 s, max 26 s
            # on a machine at load 16-20), while long-polling 1,000 stations would
            # hold 1,000 requests open against gunicorn's 16 threads and need an
            # async server and a wake-up channel. See the README.
            s.add_argument("--urgent-every", type=float, default=10)
            s.add_argument("--late-minutes", type=float, default=30)
            # Rehearsals and tests: play a day's schedule in compressed time.
            s.add_argument("--start-at", help=argparse.SUPPRESS)
            s.add_argument("--speed", type=float, default=1.0, help=argparse.SUPPRESS)
    e.add_argument("--dir", required=True)
    args = p.parse_args(argv)
    return {
        "enroll": cmd_enroll,
        "sync": cmd_sync,
        "run": cmd_run,
        "status": cmd_status,
        "report": cmd_report,
    }[args.command](args)
