"""The shared shape of every .xlsx import: read the header row, parse each cell with its
column's parser, report every bad cell as (row, column, value, reason), and commit all rows or
none. Each module declares its columns and writes its rows; this module does the rest."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from xinqu.core.xlsx import workbook_bytes
from xinqu.core.xlsx_reader import FormulaCell, XlsxError, column_letter, iter_rows

MAX_REPORTED_ERRORS = 1000
PREVIEW_ROWS = 20
TITLE_ROWS = 5


class ImportAborted(Exception):
    """The file as a whole cannot be imported (not an .xlsx, wrong header row …)."""


def parse_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    return str(value).strip()


_DATE_RE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")


def parse_date(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    match = _DATE_RE.match(str(value).strip())
    if not match:
        raise ValueError(_("不是日期，应写作 2024-03-01"))
    try:
        return dt.date(*(int(part) for part in match.groups()))
    except ValueError:
        raise ValueError(_("日期不存在")) from None


_TRUE = {"是", "y", "yes", "true", "1", "√"}
_FALSE = {"否", "n", "no", "false", "0", ""}


def parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = parse_text(value).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(_("应填“是”或“否”"))


def parse_int(value: Any) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        raise ValueError(_("不是整数"))
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = parse_text(value).replace(",", "")
    if not re.fullmatch(r"-?\d+", text):
        raise ValueError(_("不是整数"))
    return int(text)


def parse_decimal(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        raise ValueError(_("不是数字")) from None
    if not number.is_finite():
        raise ValueError(_("不是数字"))
    return number


@dataclass(frozen=True)
class Column:
    header: str
    key: str
    required: bool = False
    parse: Callable[[Any], Any] = parse_text
    max_length: int | None = None
    aliases: tuple[str, ...] = ()  # other headers users' sheets give this column

    @property
    def headers(self) -> tuple[str, ...]:
        return (self.header, *self.aliases)


@dataclass
class RowError:
    row: int
    column: str
    value: str
    reason: str


@dataclass
class ImportReport:
    kind: str
    dry_run: bool
    total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    error_count: int = 0
    errors: list[RowError] = field(default_factory=list)
    preview: list[dict[str, Any]] = field(default_factory=list)
    fatal: str = ""

    @property
    def ok(self) -> bool:
        return not self.fatal and self.error_count == 0

    @property
    def committed(self) -> bool:
        return self.ok and not self.dry_run

    def add_error(self, row: int, column: str, value: Any, reason: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            shown = "" if value is None else str(value.formula if isinstance(value, FormulaCell) else value)
            self.errors.append(RowError(row, column, shown[:200], reason))

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["ok"] = self.ok
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ImportReport:
        data = {k: v for k, v in data.items() if k != "ok"}
        data["errors"] = [RowError(**e) for e in data.get("errors", [])]
        return cls(**data)


def _header_key(text: Any) -> str:
    return parse_text(text).replace("*", "").replace("＊", "").replace(" ", "").replace("\u3000", "")


def _has_required(header: Sequence[Any], required: Sequence[Column]) -> bool:
    keys = {_header_key(text) for text in header}
    return all(any(h in keys for h in c.headers) for c in required)


def read_records(
    file: IO[bytes], columns: Sequence[Column], report: ImportReport
) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield ``(row_number, record)`` for every row whose cells all parse; bad cells go to the report.

    Raises ImportAborted for a file that is not an .xlsx or whose header row lacks a required column.
    """
    try:
        rows = iter_rows(file, max_unpacked_bytes=settings.IMPORT_MAX_UNPACKED_MB * 1_000_000)
        header_row = next(rows, None)
    except XlsxError as exc:
        raise ImportAborted(str(exc)) from None
    if header_row is None:
        raise ImportAborted(_("文件是空的。"))
    required = [c for c in columns if c.required]
    # Published tables often carry a title (and a unit line) above the header row: skip up to five.
    skipped = 0
    while skipped < TITLE_ROWS and not _has_required(header_row[1], required):
        following = next(rows, None)
        if following is None:
            break
        header_row, skipped = following, skipped + 1
    if not _has_required(header_row[1], required) and skipped:
        raise ImportAborted(
            _("前 %(n)d 行中找不到表头，缺少必需的列：%(cols)s。请使用模板的表头，不要改名。")
            % {"n": skipped + 1, "cols": "、".join(c.header for c in required)}
        )
    header_number, header = header_row
    known = {h for c in columns for h in c.headers}
    positions: dict[str, int] = {}
    for index, text in enumerate(header):
        key = _header_key(text)
        if key in positions and key in known:
            raise ImportAborted(_("表头“%(h)s”出现了两次。") % {"h": key})
        if key:
            positions.setdefault(key, index)
    found: dict[str, int] = {}
    for column in columns:
        hits = [positions[h] for h in column.headers if h in positions]
        if len(hits) > 1:
            raise ImportAborted(_("“%(h)s”列出现了两次。") % {"h": column.header})
        if hits:
            found[column.header] = hits[0]
    missing = [c.header for c in columns if c.required and c.header not in found]
    if missing:
        raise ImportAborted(
            _("第 %(row)d 行应为表头，缺少必需的列：%(cols)s。请使用模板的表头，不要改名。")
            % {"row": header_number, "cols": "、".join(missing)}
        )
    # Each column as plain values: this loop runs once per cell of files with 100,000s of rows.
    present = [
        (
            c.key,
            c.parse,
            c.required,
            c.max_length,
            found[c.header],
            f"{c.header}（{column_letter(found[c.header])}）",
        )
        for c in columns
        if c.header in found
    ]
    try:
        for number, values in rows:
            report.total += 1
            record: dict[str, Any] = {}
            bad = False
            width = len(values)
            for key, parse, needed, max_length, index, label in present:
                raw = values[index] if index < width else None
                if isinstance(raw, FormulaCell):
                    report.add_error(number, label, raw, _("单元格含公式，请粘贴为数值后再导入"))
                    bad = True
                    continue
                try:
                    value = parse(raw)
                except (ValueError, ValidationError) as exc:
                    message = exc.messages[0] if isinstance(exc, ValidationError) else str(exc)
                    report.add_error(number, label, raw, message)
                    bad = True
                    continue
                if needed and value in (None, ""):
                    report.add_error(number, label, raw, _("必填"))
                    bad = True
                    continue
                if max_length and isinstance(value, str) and len(value) > max_length:
                    report.add_error(number, label, raw, _("超过 %(n)d 个字") % {"n": max_length})
                    bad = True
                    continue
                record[key] = value
            if not bad:
                yield number, record
    except XlsxError as exc:
        raise ImportAborted(str(exc)) from None


@contextmanager
def all_or_nothing(report: ImportReport) -> Iterator[None]:
    """Run an import's writes in one transaction that is kept only if every row was good and
    this is not a dry run; a file-level problem (ImportAborted) ends up in ``report.fatal``."""
    try:
        with transaction.atomic():
            yield
            if report.dry_run or not report.ok:
                transaction.set_rollback(True)
    except ImportAborted as exc:
        report.fatal = str(exc)
    if not report.ok:
        report.created = report.updated = report.unchanged = 0


def error_workbook(report: ImportReport) -> bytes:
    """The row-by-row error report as .xlsx, for users to fix their sheet."""
    rows = ([e.row, e.column, e.value, e.reason] for e in report.errors)
    return workbook_bytes(
        _("错误报告"), [_("行"), _("列"), _("内容"), _("原因")], rows, widths=[8, 24, 30, 60]
    )


def template_workbook(title: str, columns: Sequence[Column]) -> bytes:
    """An empty sheet with the header row an import expects (required columns marked *)."""
    return workbook_bytes(title, [c.header + ("*" if c.required else "") for c in columns], [])
