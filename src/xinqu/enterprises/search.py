"""Substring search over enterprise names, former names and credit codes, fast at 500,000 rows.

SQLite keeps a trigram full-text index (FTS5) that database triggers maintain; PostgreSQL keeps a
pg_trgm GIN index on the same expression. Both answer LIKE '%…%' with the index for three or more
characters (Chinese included). Shorter text falls back to scanning, which is slower but right."""

from __future__ import annotations

from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from xinqu.enterprises.models import Enterprise

SEARCH_EXPRESSION = "name || ' ' || former_names"
_CODE_CHARS = set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_fts_available: bool | None = None


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _sqlite_fts() -> bool:
    global _fts_available
    if _fts_available is None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'enterprises_search'")
            _fts_available = cursor.fetchone() is not None
    return _fts_available


def _ids(sql: str, params: list[str]) -> RawSQL:
    # The statements are constants of this module; the user's text is only ever a parameter.
    return RawSQL(sql, params)  # noqa: S611


def filter_by_text(queryset: QuerySet[Enterprise], text: str) -> QuerySet[Enterprise]:
    """Enterprises whose name, a former name or credit code contains ``text`` (case-insensitive)."""
    text = text.strip()
    if not text:
        return queryset
    pattern = f"%{_escape_like(text)}%"
    # Text that could be part of a credit code is also looked for in the codes' own index.
    codes = (
        " UNION SELECT id FROM enterprises_enterprise WHERE credit_code LIKE %s ESCAPE '\\'"
        if set(text) <= _CODE_CHARS
        else ""
    )
    code_param = [f"%{_escape_like(text.upper())}%"] if codes else []
    if connection.vendor == "sqlite" and _sqlite_fts():
        # The trigram index serves LIKE only without an ESCAPE clause, so text holding a
        # wildcard character takes the scanning path below.
        if len(text) >= 3 and not any(ch in text for ch in "%_\\"):
            sql = "SELECT rowid FROM enterprises_search WHERE body LIKE %s" + codes  # noqa: S608
            return queryset.filter(pk__in=_ids(sql, [f"%{text}%", *code_param]))
        sql = "SELECT rowid FROM enterprises_search WHERE instr(upper(body), upper(%s)) > 0" + codes  # noqa: S608
        return queryset.filter(pk__in=_ids(sql, [text, *code_param]))
    if connection.vendor == "postgresql":
        sql = f"SELECT id FROM enterprises_enterprise WHERE ({SEARCH_EXPRESSION}) ILIKE %s" + codes  # noqa: S608
        return queryset.filter(pk__in=_ids(sql, [pattern, *code_param]))
    from django.db.models import Q

    return queryset.filter(
        Q(name__icontains=text) | Q(former_names__icontains=text) | Q(credit_code__icontains=text)
    )
