"""Reading .xlsx files for imports.

Two readers, one behaviour. A sheet whose XML is at most WHOLE_SHEET_MAX_BYTES is read whole by
python-calamine (Rust, about four times faster than anything in Python); a bigger one is streamed,
so memory stays flat however long the file: the first worksheet's XML is walked with the standard
library's expat parser, one row at a time, and openpyxl supplies the number-format rules that tell
a date from a number. (openpyxl's own read-only mode reads about 4,000 rows a second, below what a
100,000-row import needs.) Sheets with formulas, or with the Chinese-locale built-in date formats
calamine does not know, always take the streaming reader, which reports each formula cell.

It is also where hostile files are turned away before anything is unpacked: files that are not
.xlsx at all (a CSV or .xls renamed), files whose parts would unpack to more than the limit
(a "zip bomb"), and cells that hold formulas.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pyexpat import version_info as expat_version
from typing import IO, Any
from xml.etree.ElementTree import ParseError, iterparse

from django.utils.translation import gettext as _
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.datetime import from_excel
from python_calamine import CalamineError, CalamineWorkbook

from xinqu.core.prefetch import read_ahead

# The standard library's C parser is five times faster than defusedxml's Python one. It is safe
# for untrusted input when expat is 2.4.1 or newer (billion laughs and quadratic blow-up are
# refused, external entities are never fetched): see "XML vulnerabilities" in Python's docs.
if expat_version < (2, 4, 1):  # pragma: no cover - every supported Python bundles a newer expat
    raise ImportError("xinqu needs expat 2.4.1 or newer to read uploaded workbooks safely")

NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_C, _ROW, _V, _F, _T, _IS, _SI = (NS + t for t in ("c", "row", "v", "f", "t", "is", "si"))
_COL_RE = re.compile(r"([A-Z]+)(\d+)")
# Built-in number formats that Chinese-locale Excel shows as dates (ids 27–36 and 50–58).
_CJK_DATE_FORMAT_IDS = set(range(27, 37)) | set(range(50, 59))


class XlsxError(ValueError):
    """The file cannot be read as a workbook; the message says why, in the user's language."""


@dataclass(frozen=True)
class FormulaCell:
    """A cell that holds a formula: imports refuse these rather than trust a computed value."""

    formula: str


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


_COLUMN_CACHE: dict[str, int] = {}


def _column_index(ref: str) -> int:
    letters = ref.rstrip("0123456789")
    cached = _COLUMN_CACHE.get(letters)
    if cached is not None:
        return cached
    match = _COL_RE.match(ref)
    if not match:
        raise XlsxError(_("单元格地址“%(ref)s”无法识别。") % {"ref": ref})
    number = 0
    for ch in match.group(1):
        number = number * 26 + ord(ch) - 64
    if len(_COLUMN_CACHE) < 1000:
        _COLUMN_CACHE[letters] = number - 1
    return number - 1


def open_workbook(file: IO[bytes], *, max_unpacked_bytes: int) -> zipfile.ZipFile:
    """Open the upload as a zip after checking what it would unpack to."""
    try:
        archive = zipfile.ZipFile(file)
    except zipfile.BadZipFile:
        raise XlsxError(
            _("文件不是 .xlsx 格式。请在 Excel 中“另存为”Excel 工作簿（.xlsx）后再上传，不要直接改扩展名。")
        ) from None
    total = 0
    for info in archive.infolist():
        total += info.file_size
        # A wildly high compression ratio is the mark of a zip bomb.
        if info.file_size > 10_000_000 and info.compress_size and info.file_size / info.compress_size > 200:
            raise XlsxError(_("文件内容异常（压缩比过高），已拒绝。"))
    if total > max_unpacked_bytes:
        raise XlsxError(
            _("文件解压后约 %(mb)d MB，超过上限 %(limit)d MB，已拒绝。")
            % {"mb": total // 1_000_000, "limit": max_unpacked_bytes // 1_000_000}
        )
    if "xl/workbook.xml" not in archive.namelist():
        raise XlsxError(_("文件不是 Excel 工作簿（缺少 xl/workbook.xml）。"))
    return archive


def _first_sheet_path(archive: zipfile.ZipFile) -> str:
    with archive.open("xl/workbook.xml") as f:
        for _event, el in iterparse(f):  # noqa: S314
            if el.tag == NS + "sheet":
                rel_id = el.get(REL_NS + "id")
                break
        else:
            raise XlsxError(_("工作簿里没有工作表。"))
    with archive.open("xl/_rels/workbook.xml.rels") as f:
        for _event, el in iterparse(f):  # noqa: S314
            if el.tag == PKG_REL_NS + "Relationship" and el.get("Id") == rel_id:
                target = el.get("Target", "")
                path = (
                    target.lstrip("/")
                    if target.startswith("/")
                    else posixpath.normpath(posixpath.join("xl", target))
                )
                if path not in archive.namelist():
                    raise XlsxError(_("工作表文件缺失：%(path)s") % {"path": path})
                return path
    raise XlsxError(_("找不到第一个工作表。"))


def _shared_strings(archive: zipfile.ZipFile) -> list[str]:
    if "xl/sharedStrings.xml" not in archive.namelist():
        return []
    strings: list[str] = []
    with archive.open("xl/sharedStrings.xml") as f:
        for _event, el in iterparse(f):  # noqa: S314
            if el.tag == _SI:
                strings.append("".join(t.text or "" for t in el.iter(_T)))
                el.clear()
    return strings


def _uses_cjk_date_formats(archive: zipfile.ZipFile) -> bool:
    if "xl/styles.xml" not in archive.namelist():
        return False
    with archive.open("xl/styles.xml") as f:
        for _event, el in iterparse(f):  # noqa: S314
            if el.tag == NS + "xf" and int(el.get("numFmtId", "0")) in _CJK_DATE_FORMAT_IDS:
                return True
    return False


def _date_styles(archive: zipfile.ZipFile) -> set[int]:
    """Indexes of the cell styles whose number format shows a date."""
    if "xl/styles.xml" not in archive.namelist():
        return set()
    custom: dict[int, str] = {}
    xf_formats: list[int] = []
    in_cell_xfs = False
    with archive.open("xl/styles.xml") as f:
        for event, el in iterparse(f, events=("start", "end")):  # noqa: S314
            if el.tag == NS + "cellXfs":
                in_cell_xfs = event == "start"
            elif event == "end" and el.tag == NS + "numFmt":
                custom[int(el.get("numFmtId", "0"))] = el.get("formatCode", "")
            elif event == "end" and el.tag == NS + "xf" and in_cell_xfs:
                xf_formats.append(int(el.get("numFmtId", "0")))
    dates = set()
    for index, fmt_id in enumerate(xf_formats):
        code = custom.get(fmt_id) or BUILTIN_FORMATS.get(fmt_id, "")
        if fmt_id in _CJK_DATE_FORMAT_IDS or (code and is_date_format(code)):
            dates.add(index)
    return dates


def _cell_value(el: Any, shared: list[str], date_styles: set[int]) -> Any:
    kind = el.get("t")
    if kind == "s":  # the common case first: text from the shared-strings table (never a formula)
        return shared[int(el.findtext(_V))]
    formula = el.find(_F)
    if formula is not None:
        return FormulaCell(formula.text or "")
    if kind == "inlineStr":
        node = el.find(_IS)
        return "".join(t.text or "" for t in node.iter(_T)) if node is not None else ""
    text = el.findtext(_V)
    if text is None:
        return None
    if kind in ("str", "e"):
        return text
    if kind == "b":
        return text == "1"
    if kind == "d":
        return dt.datetime.fromisoformat(text)
    number = float(text)
    if date_styles and int(el.get("s", "0")) in date_styles:
        return from_excel(number)
    return int(number) if number.is_integer() and "." not in text and "E" not in text.upper() else number


WHOLE_SHEET_MAX_BYTES = 32_000_000  # about 150,000 rows of a statistics table; ~50 MB in memory
_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")


def iter_rows(file: IO[bytes], *, max_unpacked_bytes: int = 300_000_000) -> Iterator[tuple[int, list[Any]]]:
    """Yield ``(row_number, values)`` for each non-empty row of the first worksheet.

    Values are str, int, float, bool, datetime or date, None or "" for an empty cell, or
    FormulaCell for a formula. A damaged or hostile file raises XlsxError, whose message can be
    shown to the user.
    """
    try:
        archive = open_workbook(file, max_unpacked_bytes=max_unpacked_bytes)
        sheet = _first_sheet_path(archive)
        if archive.getinfo(sheet).file_size <= WHOLE_SHEET_MAX_BYTES and _calamine_reads_alike(
            archive, sheet
        ):
            yield from _whole_sheet(file)
        else:
            # Parsed a bounded queue ahead of the consumer, in a second thread (see prefetch).
            yield from read_ahead(_rows(archive, sheet))
    except (ParseError, KeyError, ValueError, IndexError, zipfile.BadZipFile, CalamineError) as exc:
        if isinstance(exc, XlsxError):
            raise
        raise XlsxError(_("工作簿内容损坏或格式不受支持，请在 Excel 中重新保存后再上传。")) from None


def _calamine_reads_alike(archive: zipfile.ZipFile, sheet: str) -> bool:
    """Whether calamine gives the same values as the streaming reader: no formulas (it would
    return their cached results) and no Chinese-locale built-in date formats (it would return
    numbers)."""
    with archive.open(sheet) as f:
        tail = b""
        while chunk := f.read(1 << 20):
            if _FORMULA_TAG.search(tail + chunk):
                return False
            tail = chunk[-16:]
    return not _uses_cjk_date_formats(archive)


def _whole_sheet(file: IO[bytes]) -> Iterator[tuple[int, list[Any]]]:
    file.seek(0)
    sheet = CalamineWorkbook.from_filelike(file).get_sheet_by_index(0)
    # From A1, so row numbers and column positions are the sheet's own, as in error messages.
    rows: list[list[Any]] = sheet.to_python(skip_empty_area=False)
    for index, values in enumerate(rows):
        if values.count("") + values.count(None) < len(values):
            # Excel stores 2024 as a number without a fraction: the streaming reader gives int, so do we.
            yield index + 1, [_whole(v) if v.__class__ is float else v for v in values]


def _whole(value: float) -> float | int:
    return int(value) if value.is_integer() and -_EXACT < value < _EXACT else value


_EXACT = 2.0**53  # beyond this a float no longer holds every integer


def _rows(archive: zipfile.ZipFile, sheet: str) -> Iterator[tuple[int, list[Any]]]:
    shared = _shared_strings(archive)
    date_styles = _date_styles(archive)
    with archive.open(sheet) as f:
        next_row = 1
        # Work happens once per row, on its end event: per-cell events cost more than the cells.
        for _event, row in iterparse(f):  # noqa: S314
            if row.tag != _ROW:
                continue
            values: list[Any] = []
            for cell in row:
                ref = cell.get("r")
                if ref:
                    column = _column_index(ref)
                    if column < len(values):
                        raise XlsxError(_("单元格地址“%(ref)s”重复或顺序错乱。") % {"ref": ref})
                    if column > len(values):
                        values.extend([None] * (column - len(values)))
                values.append(_cell_value(cell, shared, date_styles))
            number = int(row.get("r") or next_row)
            next_row = number + 1
            row.clear()
            if any(v is not None and v != "" for v in values):
                yield number, values
