from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from xinqu.core.services import audit_purge


class Command(BaseCommand):
    help = "Delete audit entries older than XINQU_AUDIT_RETENTION_DAYS (at least 184 days). Run daily."

    def handle(self, *args: Any, **options: Any) -> None:
        removed = audit_purge()
        self.stdout.write(f"Removed {removed} audit entries older than {settings.AUDIT_RETENTION_DAYS} days.")
