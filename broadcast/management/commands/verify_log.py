import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from broadcast.log import verify_chain


def _witness(path: Path) -> list[dict]:
    """Checkpoints a station kept: the API's list, `{"checkpoints": [...]}`, one
    checkpoint, or a package manifest carrying `log_checkpoint`."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CommandError(f"Cannot read the witness file {path}: {exc}") from exc
    if isinstance(data, dict):
        if "checkpoints" in data:
            data = data["checkpoints"]
        elif "log_checkpoint" in data:
            data = [data["log_checkpoint"]]
        else:
            data = [data]
    if not isinstance(data, list) or not all(isinstance(x, dict) for x in data):
        raise CommandError(f"{path} holds no checkpoints.")
    return data


class Command(BaseCommand):
    help = (
        "Check the distribution log's hash chain against every signed checkpoint "
        "(and a station's witness file); report the first problem."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--witness",
            type=Path,
            help="a JSON file of checkpoints a station kept (API list or manifest)",
        )

    def handle(self, *args, **opts):
        witness = _witness(opts["witness"]) if opts.get("witness") else None
        report = verify_chain(witness)
        if report.broken_at is not None:
            raise CommandError(
                f"Broken at event #{report.broken_at} ({report.reason}); "
                f"{report.checked - 1} events before it are intact."
            )
        if report.reason:
            raise CommandError(f"Log does not match: {report.reason}.")
        self.stdout.write(
            f"OK: {report.checked} events, chain intact, "
            f"{report.checkpoints} signed checkpoints match, "
            f"{report.confirmations} confirmations match their log events."
        )
