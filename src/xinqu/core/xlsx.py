"""Writing .xlsx files for users' Excel. Text that Excel would run as a formula is neutralised."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from xinqu.core.audit import audit_record
from xinqu.core.models import AuditEntry

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe_cell(value: Any) -> Any:
    """A cell value that cannot run as a formula (CSV/formula injection) and that Excel accepts."""
    if isinstance(value, str):
        # Strip first: Excel never sees the control characters, so what follows them is what
        # would start the cell ("\x01=HYPERLINK(…)" must not become a live formula).
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if value.startswith(_FORMULA_START):
            value = "'" + value
        return value
    return value


def workbook_bytes(
    title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]], widths: Sequence[int] | None = None
) -> bytes:
    """One sheet: a bold header row, then ``rows``. Written in streaming mode, so memory stays
    flat for exports of hundreds of thousands of rows."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=title[:31])
    for index, header in enumerate(headers):
        width = widths[index] if widths and index < len(widths) else max(len(str(header)) * 2 + 2, 10)
        ws.column_dimensions[_letter(index)].width = min(width, 60)
    ws.freeze_panes = "A2"
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(ws, value=str(header))
        cell.font = Font(bold=True)
        header_cells.append(cell)
    ws.append(header_cells)
    for row in rows:
        ws.append([safe_cell(v) for v in row])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _letter(index: int) -> str:
    return get_column_letter(index + 1)


def export_response(
    *, actor: Any, filename: str, content: bytes, object_type: str, detail: str = ""
) -> HttpResponse:
    """An export of business data: the file, and the audit entry that says who took it."""
    audit_record(
        actor=actor,
        action=AuditEntry.Action.EXPORT,
        object_type=object_type,
        detail=(detail or filename)[:300],
    )
    return xlsx_response(filename, content)


def xlsx_response(filename: str, content: bytes) -> HttpResponse:
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f"attachment; filename={filename}"
    return response
