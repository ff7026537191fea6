"""SQLite runs in WAL mode with a busy timeout: concurrent writers wait instead of failing."""

from __future__ import annotations

import os
import subprocess
import sys

CONCURRENT_WRITES = """
import threading
from django.db import connection
from xinqu.core.audit import audit_record

errors = []

def write(n):
    try:
        for i in range(25):
            audit_record(actor=None, action="create", object_type="bench", detail=f"{n}-{i}")
    except Exception as exc:
        errors.append(repr(exc))
    finally:
        connection.close()

threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
for t in threads: t.start()
for t in threads: t.join()
cursor = connection.cursor()
cursor.execute("PRAGMA journal_mode")
print(cursor.fetchone()[0])
from xinqu.core.models import AuditEntry
print(AuditEntry.objects.filter(object_type="bench").count())
print(errors)
"""


def test_concurrent_writers_do_not_hit_database_is_locked(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XINQU_", "DJANGO_"))}
    env.update(XINQU_DEBUG="1", XINQU_DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}")
    run = [sys.executable, "-m", "xinqu.cli"]
    subprocess.run([*run, "migrate", "-v0"], env=env, check=True, timeout=120)
    result = subprocess.run(
        [*run, "shell", "--no-imports", "-c", CONCURRENT_WRITES],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-3:] == ["wal", "200", "[]"]
