"""Backup and restore: one archive with the database and the files it refers to, and checksums
that prove a restore gave back what was taken.

- The database is an online, consistent snapshot: SQLite's backup API (readers and writers go on
  while it copies), or ``pg_dump`` in its custom format (one transaction's view).
- The files are the attachments (media), the uploaded workbooks (imports), the exports and the
  briefings, each with its SHA-256.
- ``manifest.json`` records every table's row count and content checksum, and every file's.
- The archive is written beside its destination and renamed into place only when complete, with
  ``<archive>.sha256`` (sha256sum's format) beside it: a full disk leaves no truncated archive.

A restore checks both checksums, loads into an empty database only, compares every table with
the manifest, and only then puts the files in place. On any failure the target is left empty.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone

FORMAT = 1
CHUNK = 1 << 20


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


def file_roots() -> dict[str, Path]:
    """The directories whose files the database refers to, by their name in the archive."""
    return {
        "media": Path(settings.MEDIA_ROOT),
        "imports": Path(settings.IMPORT_DIR),
        "exports": Path(settings.EXPORT_DIR),
        "briefings": Path(settings.BRIEFING_DIR),
    }


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def _is_postgres(wrapper: BaseDatabaseWrapper) -> bool:
    return wrapper.vendor == "postgresql"


def _vendor(config: dict[str, Any]) -> str:
    return "sqlite" if config["ENGINE"].endswith("sqlite3") else "postgresql"


def _open(config: dict[str, Any], alias: str) -> BaseDatabaseWrapper:
    """A connection of its own to the database ``config`` names. SQLite's site options (WAL,
    immediate transactions) are left off: they would leave -wal files beside a copy."""
    if _vendor(config) == "sqlite":
        config = {**config, "OPTIONS": {}}
    return connections["default"].__class__(config, alias=alias)


def _cell(value: Any) -> str:
    if isinstance(value, memoryview):
        value = bytes(value)
    return repr(value)


def table_digests(wrapper: BaseDatabaseWrapper) -> dict[str, dict[str, Any]]:
    """Every table's row count and a SHA-256 of its rows in a fixed order."""
    found: dict[str, dict[str, Any]] = {}
    with wrapper.cursor() as cursor:
        for table in sorted(wrapper.introspection.table_names(cursor)):
            quoted = wrapper.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {quoted} WHERE 1 = 0")  # noqa: S608 - names from the catalogue
            columns = len(cursor.description)
            order = ", ".join(str(n) for n in range(1, columns + 1))
            cursor.execute(f"SELECT * FROM {quoted} ORDER BY {order}")  # noqa: S608 - names from the catalogue
            digest, rows = hashlib.sha256(), 0
            while batch := cursor.fetchmany(2000):
                for row in batch:
                    digest.update("\x1f".join(_cell(v) for v in row).encode())
                    digest.update(b"\x1e")
                rows += len(batch)
            found[table] = {"rows": rows, "sha256": digest.hexdigest()}
    return found


def digests_of(config: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """``table_digests`` of the database ``config`` names, on a connection closed after."""
    wrapper = _open(config, "xinqu-digests")
    try:
        return table_digests(wrapper)
    finally:
        wrapper.close()


def _pg_env(config: dict[str, Any]) -> dict[str, str]:
    env = dict(os.environ)
    for key, name in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if config.get(key):
            env[name] = str(config[key])
    return env


def _run(command: list[str], config: dict[str, Any]) -> None:
    tool = shutil.which(command[0])
    if tool is None:
        raise BackupError(
            f"{command[0]} is not installed: install the PostgreSQL client tools (postgresql-client)."
        )
    arguments = [tool, *command[1:]]  # our own fixed tool and flags, never a user's text
    done = subprocess.run(arguments, env=_pg_env(config), capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()[:500]}")


def _snapshot(wrapper: BaseDatabaseWrapper, target: Path) -> dict[str, dict[str, Any]]:
    """Copy the database to ``target`` and return the checksums of exactly what was copied."""
    if _is_postgres(wrapper):
        # One repeatable-read transaction exports its snapshot; pg_dump reads that very snapshot
        # and the checksums are taken inside it, so writes meanwhile touch neither.
        reader = _open(wrapper.settings_dict, "xinqu-backup")
        try:
            reader.set_autocommit(False)
            with reader.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                cursor.execute("SELECT pg_export_snapshot()")
                snapshot = cursor.fetchone()[0]
            command = ["pg_dump", "--format=custom", "--no-owner", "--no-acl", f"--snapshot={snapshot}"]
            _run([*command, f"--file={target}", reader.settings_dict["NAME"]], reader.settings_dict)
            tables = table_digests(reader)
            reader.rollback()
        finally:
            reader.close()
        return tables
    wrapper.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        wrapper.connection.backup(copy)
    finally:
        copy.close()
    return digests_of({**wrapper.settings_dict, "NAME": str(target)})


def _files() -> Iterator[tuple[str, Path]]:
    for name, root in file_roots().items():
        if root.is_dir():
            for path in sorted(p for p in root.rglob("*") if p.is_file()):
                yield f"{name}/{path.relative_to(root).as_posix()}", path


def backup(destination: Path, *, config: dict[str, Any] | None = None, say: Any = None) -> Path:
    """Write one archive of the database (the site's own, or the one ``config`` names) and its
    files into ``destination`` (a directory) and return its path. ``say(text)`` hears each step."""
    say = say or (lambda text: None)
    if config is None:
        wrapper = connections["default"]
        if wrapper.vendor == "sqlite" and wrapper.in_atomic_block:
            # SQLite's backup API waits for ever on a source that its own connection is writing.
            raise BackupError("A backup cannot run inside a transaction: run `xinqu backup` on its own.")
    else:
        wrapper = _open(config, "xinqu-backup-source")
    destination.mkdir(parents=True, exist_ok=True)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    archive = destination / f"xinqu-{stamp}.tar.gz"
    with tempfile.TemporaryDirectory(dir=destination, prefix=".backup-") as work:
        base = Path(work)
        database = base / ("database.dump" if _is_postgres(wrapper) else "database.sqlite3")
        say("数据库快照 / database snapshot …")
        try:
            tables = _snapshot(wrapper, database)
        finally:
            if config is not None:
                wrapper.close()
        found = list(_files())
        files = {name: sha256_of(path) for name, path in found}
        say(f"文件 / files: {len(files)}")
        manifest = {
            "format": FORMAT,
            "created_at": timezone.localtime().isoformat(timespec="seconds"),
            "vendor": wrapper.vendor,
            "database": {"name": database.name, "sha256": sha256_of(database)},
            "tables": tables,
            "files": files,
        }
        (base / "manifest.json").write_text(
            json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8"
        )
        partial = base / "archive.part"
        with tarfile.open(partial, "w:gz") as tar:
            tar.add(base / "manifest.json", arcname="manifest.json")
            tar.add(database, arcname=database.name)
            for name, path in found:
                tar.add(path, arcname=f"files/{name}")
        (base / "checksum.part").write_text(f"{sha256_of(partial)}  {archive.name}\n", encoding="utf-8")
        # Both are complete before either is in place: a full disk leaves neither behind.
        os.replace(partial, archive)
        os.replace(base / "checksum.part", archive.parent / f"{archive.name}.sha256")
    say(
        f"完成 / done: {archive} ({len(tables)} tables, {sum(t['rows'] for t in tables.values())} rows, {len(files)} files)"
    )
    return archive


# --- Restore --------------------------------------------------------------------------------------


def _check_archive(archive: Path) -> None:
    if not archive.is_file():
        raise BackupError(f"No such archive: {archive}")
    sums = archive.parent / f"{archive.name}.sha256"
    if not sums.is_file():
        raise BackupError(f"{sums.name} is missing: the archive cannot be checked, so it is not restored.")
    expected = sums.read_text(encoding="utf-8").split()[0]
    if sha256_of(archive) != expected:
        raise BackupError(
            f"{archive.name} does not match its checksum: the archive is damaged or incomplete."
        )


def _unpack(archive: Path, into: Path) -> dict[str, Any]:
    try:
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(into, filter="data")
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise BackupError(f"{archive.name} cannot be unpacked: {exc}") from None
    try:
        manifest: dict[str, Any] = json.loads((into / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise BackupError(
            f"{archive.name} has no readable manifest.json: it is not a Xinqu backup."
        ) from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{archive.name} is a backup of format {manifest.get('format')}, not {FORMAT}.")
    database = into / manifest["database"]["name"]
    if not database.is_file() or sha256_of(database) != manifest["database"]["sha256"]:
        raise BackupError("The database in the archive does not match its checksum.")
    for name, digest in manifest["files"].items():
        path = into / "files" / name
        if not path.is_file() or sha256_of(path) != digest:
            raise BackupError(f"The file {name} in the archive is missing or does not match its checksum.")
    return manifest


def _empty_target(config: dict[str, Any]) -> None:
    """Refuse a target database that already holds tables."""
    wrapper = _open(config, "xinqu-restore-check")
    try:
        try:
            with wrapper.cursor() as cursor:
                tables = wrapper.introspection.table_names(cursor)
        except DatabaseError as exc:
            raise BackupError(
                f"Cannot open the database {config['NAME']}: {exc}. Create it, empty, first."
            ) from None
        if tables:
            raise BackupError(
                f"The database {config['NAME']} already holds tables: restore only into an empty database."
            )
    finally:
        wrapper.close()


def _empty_files() -> None:
    for name, root in file_roots().items():
        if root.is_dir() and any(p.is_file() for p in root.rglob("*")):
            raise BackupError(
                f"{root} already holds files ({name}): restore only into an empty installation."
            )


def _load(database: Path, config: dict[str, Any], vendor: str) -> None:
    if vendor == "postgresql":
        _run(
            [
                "pg_restore",
                "--no-owner",
                "--no-acl",
                "--single-transaction",
                "--exit-on-error",
                f"--dbname={config['NAME']}",
                str(database),
            ],
            config,
        )
        return
    target = Path(config["NAME"])
    target.parent.mkdir(parents=True, exist_ok=True)
    staged = target.with_name(f".{target.name}.restoring")
    shutil.copyfile(database, staged)
    for suffix in ("-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    os.replace(staged, target)


def _wipe(config: dict[str, Any]) -> None:
    """Return the target to empty after a failed check."""
    if _vendor(config) == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{config['NAME']}{suffix}").unlink(missing_ok=True)
        return
    wrapper = _open(config, "xinqu-restore-wipe")
    try:
        with wrapper.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE")
            cursor.execute("CREATE SCHEMA public")
    finally:
        wrapper.close()


def restore(archive: Path, *, config: dict[str, Any] | None = None, say: Any = None) -> dict[str, Any]:
    """Load ``archive`` into the empty database ``config`` (the default database's settings when
    None) and put its files in place; return the manifest once every table matches it."""
    say = say or (lambda text: None)
    default = config is None
    config = dict(config or connections["default"].settings_dict)
    vendor = _vendor(config)
    say("校验归档 / checking the archive …")
    _check_archive(archive)
    parent = Path(settings.VAR_DIR)
    parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=parent, prefix=".restore-") as work:
        base = Path(work)
        manifest = _unpack(archive, base)
        if manifest["vendor"] != vendor:
            raise BackupError(f"The archive holds a {manifest['vendor']} database; the target is {vendor}.")
        _empty_target(config)
        _empty_files()
        if default:
            connections.close_all()  # the file or schema is replaced under any open connection
        say("载入数据库 / loading the database …")
        _load(base / manifest["database"]["name"], config, vendor)
        say("核对各表 / comparing every table …")
        found = digests_of(config)
        differing = sorted(
            t for t in set(found) | set(manifest["tables"]) if found.get(t) != manifest["tables"].get(t)
        )
        if differing:
            _wipe(config)
            raise BackupError(
                f"After loading, these tables differ from the backup: {', '.join(differing[:10])}. The target is empty again."
            )
        for name in manifest["files"]:
            root_name, _sep, rest = name.partition("/")
            target = file_roots()[root_name] / rest
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(base / "files" / name, target)
    tables = manifest["tables"]
    say(
        f"完成 / done: {len(tables)} tables, {sum(t['rows'] for t in tables.values())} rows, {len(manifest['files'])} files, checksums match"
    )
    return manifest
