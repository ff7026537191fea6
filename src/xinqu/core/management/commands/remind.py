from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from xinqu.core.reminders import run_reminders


class Command(BaseCommand):
    help = (
        "Daily job: send the reminders each module declares (expiring qualifications …). Safe to run twice."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="count what would be sent, send nothing")

    def handle(self, *args: Any, dry_run: bool, **options: Any) -> None:
        for name, count in run_reminders(dry_run=dry_run).items():
            self.stdout.write(f"{name}: {count} {'would be sent' if dry_run else 'sent'}")
