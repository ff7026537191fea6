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

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\0")


def safe_cell(value: Any) -> Any:
    """A cell value that cannot run as a formula (CSV/formula injection) and that Excel accepts."""
    if isinstance(value, str):
        if value.startswith(_FORMULA_START):
            value = "'" + value
        return ILLEGAL_CHARACTERS_RE.sub("", value)
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
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def xlsx_response(filename: str, content: bytes) -> HttpResponse:
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f"attachment; filename={filename}"
    return response
