from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
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
        serve(host=host, port=port, stdout=self.stdout)


def serve(*, host: str, port: int, stdout: Any) -> None:
    """The web server (gunicorn, as in production) and the job worker beside it, until Ctrl-C
    stops both. Each runs as its own process with this one's environment."""
    # Static files come from the package (WHITENOISE_USE_FINDERS); an empty STATIC_ROOT keeps
    # WhiteNoise from warning about it in every process.
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    hosts = [h for h in env.get("XINQU_ALLOWED_HOSTS", ",".join(settings.ALLOWED_HOSTS)).split(",") if h]
    if host not in hosts and host != "0.0.0.0":  # noqa: S104
        env["XINQU_ALLOWED_HOSTS"] = ",".join([*hosts, host])
    # The demo serves its static files itself, from the installed package (WhiteNoise).
    web = [sys.executable, "-m", "gunicorn", "xinqu.wsgi", "--bind", f"{host}:{port}"]
    web += ["--workers", "3", "--threads", "4", "--access-logfile", "-", "--graceful-timeout", "5"]
    worker = [sys.executable, "-m", "xinqu.cli", "worker", "--interval", "0.5"]
    stdout.write(
        "  Serving with gunicorn; jobs (imports, exports) run on `xinqu worker`. Ctrl-C stops both.\n"
    )
    processes = [subprocess.Popen(worker, env=env), subprocess.Popen(web, env=env)]  # noqa: S603
    try:
        while all(p.poll() is None for p in processes):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        # A second Ctrl-C (the terminal sends one to every process) must not cut the shutdown short.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
    names = ["the worker", "gunicorn"]
    failed = [
        n for n, p in zip(names, processes, strict=True) if p.returncode not in (0, -signal.SIGTERM, None)
    ]
    if failed:
        raise CommandError(f"stopped: {', '.join(failed)} exited with an error")
