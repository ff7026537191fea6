from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from xinqu.core.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "Take an online, consistent backup: the database (SQLite's backup API or pg_dump) and the "
        "files it refers to, in one .tar.gz with a .sha256 beside it. Safe while the zone works."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output", type=Path, default=None, help="directory for the archive (default: var/backups)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        destination = options["output"] or Path(settings.VAR_DIR) / "backups"
        try:
            backup(destination, say=self.stdout.write)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        except OSError as exc:
            raise CommandError(
                f"Cannot write the backup to {destination}: {exc.strerror or exc}. No archive was left behind."
            ) from None
