from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from xinqu.demo.zone import ACCOUNTS, load_demo_zone


class Command(BaseCommand):
    help = "Migrate, load the demo zone (Changchun New Area) and serve it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--setup-only", action="store_true", help="load the demo zone, do not serve")

    def handle(self, *args: Any, host: str, port: int, setup_only: bool, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        try:
            result = load_demo_zone()
        except ValidationError as exc:
            raise CommandError("XINQU_DEMO_PASSWORD is too weak: " + " ".join(exc.messages)) from None
        self.stdout.write(self.style.SUCCESS(f"Demo zone loaded: {result['zone'].name}"))
        url = f"http://{host}:{port}/"
        self.stdout.write(f"\n  Open {url} and log in with one of these accounts:")
        for username, _full_name, role, _dept in ACCOUNTS:
            self.stdout.write(f"    {username:<20} {role}")
        self.stdout.write(f"  Password: {result['password']}  (set XINQU_DEMO_PASSWORD to choose another)\n")
        if setup_only:
            return
        if host not in settings.ALLOWED_HOSTS and host != "0.0.0.0":  # noqa: S104
            settings.ALLOWED_HOSTS.append(host)
        call_command("runserver", f"{host}:{port}", use_reloader=False, use_threading=True)
