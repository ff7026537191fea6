"""Configuration comes from XINQU_* variables; a bad value stops the start with one line."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from xinqu.envvars import env_bool, env_database, env_int, env_list

STRONG_KEY = "k" * 20 + "Zq8-wX3_pL0vB7nM4cR1tY6uI9oE2aS5dF"


def run_xinqu(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("XINQU_", "DJANGO_"))}
    base.update(env)
    return subprocess.run(
        [sys.executable, "-m", "xinqu.cli", *args],
        env=base,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_env_bool():
    assert env_bool("X", False, env={"X": "yes"}) is True
    assert env_bool("X", True, env={"X": "0"}) is False
    assert env_bool("X", True, env={}) is True
    with pytest.raises(ImproperlyConfigured, match="X='maybe' is not a boolean"):
        env_bool("X", False, env={"X": "maybe"})


def test_env_int_bounds():
    assert env_int("N", 5, env={"N": "7"}) == 7
    with pytest.raises(ImproperlyConfigured, match="N='seven' is not a whole number"):
        env_int("N", 5, env={"N": "seven"})
    with pytest.raises(
        ImproperlyConfigured, match="XINQU_AUDIT_RETENTION_DAYS=30 is below the allowed minimum of 184"
    ):
        env_int("XINQU_AUDIT_RETENTION_DAYS", 184, minimum=184, env={"XINQU_AUDIT_RETENTION_DAYS": "30"})


def test_env_list():
    assert env_list("H", ["a"], env={"H": "x.cn, y.cn"}) == ["x.cn", "y.cn"]
    with pytest.raises(ImproperlyConfigured, match="empty item"):
        env_list("H", [], env={"H": "x.cn,,y.cn"})


def test_env_database():
    sqlite = env_database("DB", "sqlite:///var/x.sqlite3", env={})
    assert sqlite["ENGINE"] == "django.db.backends.sqlite3"
    pg = env_database("DB", "", env={"DB": "postgres://postgres@127.0.0.1:5432/test"})
    assert (pg["ENGINE"], pg["NAME"], pg["HOST"], pg["PORT"]) == (
        "django.db.backends.postgresql",
        "test",
        "127.0.0.1",
        5432,
    )
    with pytest.raises(ImproperlyConfigured, match="DB='mysql://x/y' is not supported"):
        env_database("DB", "", env={"DB": "mysql://x/y"})


def test_malformed_variable_stops_start_with_one_line_naming_it():
    result = run_xinqu("check", XINQU_DEBUG="perhaps")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "XINQU_DEBUG='perhaps'" in lines[0]


def test_production_refuses_to_start_without_secret_key():
    result = run_xinqu("check", XINQU_DEBUG="0")
    assert result.returncode == 2
    assert "XINQU_SECRET_KEY is not set" in result.stderr


def test_audit_retention_cannot_go_below_184_days():
    result = run_xinqu("check", XINQU_DEBUG="1", XINQU_AUDIT_RETENTION_DAYS="90")
    assert result.returncode == 2
    assert "XINQU_AUDIT_RETENTION_DAYS=90 is below the allowed minimum of 184" in result.stderr


def test_check_deploy_gives_no_warnings_in_production_mode(tmp_path):
    result = run_xinqu(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        XINQU_DEBUG="0",
        XINQU_SECRET_KEY=STRONG_KEY,
        XINQU_ALLOWED_HOSTS="xinqu.example.gov.cn",
        XINQU_VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
