"""Backup and restore drill: a backup restored into a fresh database gives back every table, row
for row, and every file; a damaged archive, a non-empty target or a full disk is refused in
words and leaves nothing behind."""

from __future__ import annotations

import errno
import json
import sqlite3
import tarfile
import uuid
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections

from xinqu.core import backup as backups
from xinqu.core.backup import BackupError, backup, digests_of, restore, table_digests
from xinqu.core.models import Department
from xinqu.core.roles import Role

# pg_dump runs in its own session, so on PostgreSQL a backup holds what is committed: the data
# migrations' rows (the holiday calendar, categories, kinds and tiers), not a test's open
# transaction. SQLite's backup API cannot read a database its own connection is writing, so there
# the test's database, its open transaction included, is first copied to a file that is backed up.
SEES_OPEN_TRANSACTION = connection.vendor == "sqlite"


def _roots(settings, base: Path) -> None:
    settings.VAR_DIR = base
    settings.MEDIA_ROOT = base / "media"
    settings.IMPORT_DIR = base / "imports"
    settings.EXPORT_DIR = base / "exports"
    settings.BRIEFING_DIR = base / "briefings"


@pytest.fixture
def zone_data(zone, make_user, settings, tmp_path):
    _roots(settings, tmp_path / "live")
    department = Department.objects.create(code="econ", name="经济发展局", name_en="Economy")
    make_user("clerk", Role.STAFF, department, full_name="张三")
    (settings.MEDIA_ROOT / "items/1").mkdir(parents=True)
    (settings.MEDIA_ROOT / "items/1/现场照片.pdf").write_bytes(b"%PDF-1.4 a photo\n")
    settings.IMPORT_DIR.mkdir(parents=True)
    (settings.IMPORT_DIR / "upload.xlsx").write_bytes(b"PK\x03\x04 a workbook")
    return tmp_path


@pytest.fixture
def fresh_database(db, tmp_path):
    """An empty database of the suite's kind, dropped afterwards."""
    config = dict(connection.settings_dict)
    if connection.vendor == "sqlite":
        path = tmp_path / f"drill-{uuid.uuid4().hex}.sqlite3"
        yield {**config, "NAME": str(path)}
        return
    name = f"xinqu_drill_{uuid.uuid4().hex[:12]}"
    admin = connections["default"].__class__(
        config, alias="drill-admin"
    )  # autocommit, outside the test's transaction
    try:
        with admin.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        yield {**config, "NAME": name}
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.close()


@pytest.fixture
def source(zone_data):
    """The database to back up: the suite's own on PostgreSQL; on SQLite a file holding exactly
    what the test's connection sees."""
    if connection.vendor != "sqlite":
        return None
    connection.ensure_connection()
    path = zone_data / "live.sqlite3"
    copy = sqlite3.connect(path)
    try:
        copy.deserialize(connection.connection.serialize())
        with sqlite3.connect(path.with_suffix(".file")) as on_disk:
            copy.backup(on_disk)
    finally:
        copy.close()
    return {**connection.settings_dict, "NAME": str(path.with_suffix(".file")), "OPTIONS": {}}


def test_a_backup_restores_into_a_fresh_database_table_for_table_and_file_for_file(
    zone_data, source, fresh_database, settings
):
    archive = backup(zone_data / "backups", config=source)
    assert archive.is_file() and Path(f"{archive}.sha256").read_text().split()[1] == archive.name
    live = table_digests(connection)
    _roots(settings, zone_data / "restored")
    manifest = restore(archive, config=fresh_database)
    restored = digests_of(fresh_database)
    assert restored == manifest["tables"]  # every table: the same rows, the same content
    assert set(restored) == set(live) and restored["core_calendarday"]["rows"] > 100
    if SEES_OPEN_TRANSACTION:
        assert restored == live and restored["core_department"]["rows"] == restored["core_user"]["rows"] == 1
    assert (settings.MEDIA_ROOT / "items/1/现场照片.pdf").read_bytes() == b"%PDF-1.4 a photo\n"
    assert (settings.IMPORT_DIR / "upload.xlsx").read_bytes() == b"PK\x03\x04 a workbook"
    # A second restore into the same, now full, target is refused and changes nothing.
    with pytest.raises(BackupError, match="already holds"):
        restore(archive, config=fresh_database)
    assert digests_of(fresh_database) == restored


def test_a_damaged_archive_is_refused_before_anything_is_loaded(zone_data, source, fresh_database, settings):
    archive = backup(zone_data / "backups", config=source)
    damaged = bytearray(archive.read_bytes())
    damaged[len(damaged) // 2] ^= 0xFF
    archive.write_bytes(bytes(damaged))
    _roots(settings, zone_data / "restored")
    with pytest.raises(BackupError, match="does not match its checksum"):
        restore(archive, config=fresh_database)
    Path(f"{archive}.sha256").unlink()
    with pytest.raises(BackupError, match="missing"):
        restore(archive, config=fresh_database)
    assert digests_of(fresh_database) == {} and not settings.MEDIA_ROOT.exists()


def test_a_restore_that_does_not_match_its_manifest_leaves_the_target_empty(
    zone_data, source, fresh_database, settings
):
    archive = backup(zone_data / "backups", config=source)
    unpacked = zone_data / "unpacked"
    with tarfile.open(archive, "r:gz") as tar:
        tar.extractall(unpacked, filter="data")
    manifest = json.loads((unpacked / "manifest.json").read_text())
    manifest["tables"]["core_calendarday"]["rows"] += 1  # what the archive claims and the data do not agree
    (unpacked / "manifest.json").write_text(json.dumps(manifest))
    with tarfile.open(archive, "w:gz") as tar:
        for member in sorted(unpacked.iterdir()):
            tar.add(member, arcname=member.name)
    Path(f"{archive}.sha256").write_text(f"{backups.sha256_of(archive)}  {archive.name}\n")
    _roots(settings, zone_data / "restored")
    with pytest.raises(BackupError, match="core_calendarday"):
        restore(archive, config=fresh_database)
    assert digests_of(fresh_database) == {} and not settings.MEDIA_ROOT.exists()


def test_the_commands_refuse_a_full_database_and_a_full_disk_in_words(zone_data, source, monkeypatch):
    archive = backup(zone_data / "backups", config=source)
    with pytest.raises(CommandError, match="already holds tables"):
        call_command("restore", str(archive))  # the suite's own database is not empty
    assert Department.objects.count() == 1

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(backups.tarfile, "open", full)
    with pytest.raises(OSError, match="No space left on device"):
        backup(zone_data / "full", config=source)
    assert list((zone_data / "full").iterdir()) == []  # no truncated archive, no work files
    if connection.vendor == "sqlite":
        # The command backs up the site's own database; inside the test's transaction SQLite's
        # backup API cannot, and the command says so rather than wait for ever.
        with pytest.raises(CommandError, match="inside a transaction"):
            call_command("backup", "--output", str(zone_data / "full"))
    else:
        with pytest.raises(CommandError, match="No space left on device"):
            call_command("backup", "--output", str(zone_data / "full"))
    assert list((zone_data / "full").iterdir()) == []
