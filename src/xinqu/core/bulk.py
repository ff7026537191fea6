"""Fast inserts for imports: one prepared INSERT run over many rows, skipping the ORM's per-value
work (which is most of the cost of a 100,000-row import). Values must already be validated; the
caller writes the audit rows too, with `audit_rows`."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import connection, models
from django.utils import timezone

from xinqu.core.audit import current_ip
from xinqu.core.models import AuditEntry


def _converter(field: models.Field[Any, Any]) -> Callable[[Any], Any] | None:
    ops = connection.ops  # bound once: the connection proxy costs a lookup per access
    if isinstance(field, models.DateTimeField):
        return ops.adapt_datetimefield_value
    if isinstance(field, models.JSONField):
        return lambda value: "[]" if value == [] else json.dumps(value, ensure_ascii=False, default=str)
    if isinstance(field, models.DecimalField):
        adapt = ops.adapt_decimalfield_value
        return lambda value: None if value is None else adapt(value)
    return None


_SQLITE_MAX_VARIABLES = 999  # the oldest limit SQLite builds still ship with


def insert_rows(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    raw: Sequence[str] = (),
) -> int:
    """INSERT ``rows`` (tuples in the order of ``fields``) into ``model``'s table. Returns the count.
    Values of the ``raw`` fields are already in the database's form and are passed as they are."""
    meta = model._meta
    columns: list[models.Field[Any, Any]] = [meta.get_field(name) for name in fields]  # type: ignore[misc]
    converters = [
        None if name in raw else _converter(field) for name, field in zip(fields, columns, strict=True)
    ]
    quote = connection.ops.quote_name
    names = ", ".join(quote(str(c.column)) for c in columns)
    # Only model metadata goes into the statement; every value is a parameter.
    sql = f"INSERT INTO {quote(meta.db_table)} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608
    converting = [(i, c) for i, c in enumerate(converters) if c is not None]
    if converting:
        prepared: list[Sequence[Any]] = []
        for row in rows:
            values = list(row)
            for i, convert in converting:
                values[i] = convert(values[i])
            prepared.append(values)
    else:
        prepared = list(rows)
    if not prepared:
        return 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY: PostgreSQL pays per statement far more than SQLite does.
            copy_sql = f"COPY {quote(meta.db_table)} ({names}) FROM STDIN"
            with cursor.cursor.copy(copy_sql) as copy:
                for row in prepared:
                    copy.write_row(row)
        else:
            # Many rows to a statement: SQLite pays per statement step, not per value.
            per = max(1, min(500, _SQLITE_MAX_VARIABLES // len(columns)))
            many = (
                f"{sql[: sql.index(' VALUES ')]} VALUES {', '.join([sql[sql.index(' VALUES ') + 8 :]] * per)}"
            )
            whole = len(prepared) - len(prepared) % per
            if whole:
                cursor.executemany(
                    many, [[v for row in prepared[i : i + per] for v in row] for i in range(0, whole, per)]
                )
            if whole < len(prepared):
                cursor.executemany(sql, prepared[whole:])
    return len(prepared)


def update_rows(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """UPDATE ``fields`` of many rows, one prepared statement: each row is the new values in the
    order of ``fields``, then the primary key. The bulk twin of ``bulk_update`` without its
    CASE WHEN per row, which grows slow past a few thousand rows."""
    meta = model._meta
    columns: list[models.Field[Any, Any]] = [meta.get_field(name) for name in fields]  # type: ignore[misc]
    converters = [_converter(field) for field in columns]
    prepared = []
    for row in rows:
        values = list(row)
        for i, convert in enumerate(converters):
            if convert is not None:
                values[i] = convert(values[i])
        prepared.append(values)
    if not prepared:
        return 0
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(str(c.column))} = %s" for c in columns)
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(str(meta.pk.column))} = %s"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.executemany(sql, prepared)
    return len(prepared)


_AUDIT_FIELDS = [
    "at",
    "actor_id",
    "actor_username",
    "ip",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "changes",
    "detail",
]


def audit_rows(
    *,
    actor: Any,
    action: str,
    object_type: str,
    entries: Iterable[tuple[Any, str, dict[str, Any]]],
    detail: str,
) -> int:
    """Append one audit entry per ``(object_id, object_repr, changes)``: the bulk twin of audit_record."""
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    ip = current_ip.get()
    actor_id = getattr(actor, "pk", None)
    username = getattr(actor, "username", "") if actor_id else ""
    return insert_rows(
        AuditEntry,
        _AUDIT_FIELDS,
        (
            (now, actor_id, username, ip, action, object_type, str(pk), str(text)[:200], changes, detail)
            for pk, text, changes in entries
        ),
        raw=["at"],
    )
