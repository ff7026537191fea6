from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xinqu.core.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore a backup taken by `xinqu backup` into an empty database (XINQU_DATABASE_URL) and an "
        "empty var/: both checksums are checked first, every table is compared after."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path, help="the .tar.gz written by `xinqu backup`")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            restore(options["archive"], say=self.stdout.write)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        except OSError as exc:
            raise CommandError(f"The restore stopped: {exc.strerror or exc}.") from None
