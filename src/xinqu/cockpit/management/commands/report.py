"""``xinqu report --period 2024-06``: write the monthly briefing (.docx and PDF) for a closed month.

By default the command writes it in its own process and copies both files to ``--out``; with
``--queue`` it hands the job to ``xinqu worker`` and prints the briefing's number. It reads as
``--as USERNAME`` may see (default: a leader, as the scheduled briefing does).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from django.core.exceptions import BadRequest, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from xinqu.cockpit import selectors, services
from xinqu.cockpit.models import Briefing
from xinqu.core.models import User


class Command(BaseCommand):
    help = "Write the monthly economic-operations briefing (.docx and PDF) for a closed month."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--period", required=True, help="YYYY-MM, a month the statistics office closed")
        parser.add_argument("--unit", default="", help="an org unit's code: the zone (default) or an area")
        parser.add_argument("--language", default="zh-hans", choices=Briefing.Language.values)
        parser.add_argument("--as", dest="username", default="", help="write it as this user may see it")
        parser.add_argument("--out", default=".", help="the folder the two files are copied to")
        parser.add_argument("--queue", action="store_true", help="leave it to `xinqu worker`")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = None
        if options["username"]:
            actor = User.objects.filter(username=options["username"], is_active=True).first()
            if actor is None:
                raise CommandError(f"No active user named {options['username']!r}.")
        try:
            scope = selectors.scope_for({"unit": options["unit"], "period": options["period"]})
            language, background = options["language"], options["queue"]
            if actor is not None:
                found = services.briefing_request(
                    actor=actor, scope=scope, language=language, background=background
                )
            else:
                found = services.briefing_queue(scope=scope, language=language, background=background)
        except (ValidationError, BadRequest) as exc:
            raise CommandError(
                " ".join(exc.messages if isinstance(exc, ValidationError) else [str(exc)])
            ) from None
        if options["queue"]:
            self.stdout.write(f"Briefing {found.pk} queued for `xinqu worker`.")
            return
        if found.status != Briefing.Status.DONE:
            raise CommandError(f"Briefing {found.pk} failed: {found.failure}")
        out = Path(options["out"])
        out.mkdir(parents=True, exist_ok=True)
        for kind in ("docx", "pdf"):
            source = services.briefing_file(found, kind)
            assert source is not None
            target = out / services.briefing_filename(found, kind)
            shutil.copyfile(source, target)
            self.stdout.write(str(target))
