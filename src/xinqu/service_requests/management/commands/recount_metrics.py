"""`xinqu recount-metrics`: check the service-request tallies against a count of every request,
and with --fix put the recount in their place (after a restore, say, or a bulk repair by SQL)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xinqu.service_requests.metrics import tallies_differ, tallies_rebuild


class Command(BaseCommand):
    help = (
        "Check the service-request metrics' tallies against a recount of the requests (--fix: rebuild them)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--fix", action="store_true", help="replace the tallies with the recount")

    def handle(self, *args: Any, fix: bool, **options: Any) -> None:
        differences = tallies_differ()
        if not differences:
            self.stdout.write("The tallies equal a recount of the requests.")
            return
        for line in differences[:50]:
            self.stdout.write(line)
        if not fix:
            raise CommandError(
                f"{len(differences)} tallies differ from a recount; run with --fix to rebuild them."
            )
        cells = tallies_rebuild()
        self.stdout.write(f"Rebuilt {cells} tallies from the requests.")
