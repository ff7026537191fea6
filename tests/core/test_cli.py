"""The ``xinqu`` command: every command the README names exists under that name."""

from __future__ import annotations

import re
from pathlib import Path

from django.core.management import get_commands

from xinqu.cli import command_name

README = Path(__file__).resolve().parents[2] / "README.md"


def test_every_command_the_readme_names_exists():
    named = set(re.findall(r"\bxinqu ([a-z][a-z_-]+)", README.read_text(encoding="utf-8")))
    assert {"recount-metrics", "api-token", "audit-purge", "remind"} <= named
    known = set(get_commands())
    missing = sorted(n for n in named if command_name(n) not in known)
    assert missing == []


def test_options_pass_through_unchanged():
    assert command_name("--help") == "--help"
    assert command_name("recount-metrics") == "recount_metrics"
