"""The two .xlsx readers give the same rows: calamine for small sheets, streaming for big ones."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import Workbook

from xinqu.core import xlsx_reader
from xinqu.core.xlsx_reader import FormulaCell, XlsxError, iter_rows


def _book() -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    ws["B2"] = "指标名称"
    ws["C2"] = "累计"
    ws["D2"] = "日期"
    ws["E2"] = "是否"
    ws["B3"] = "规上工业总产值"
    ws["C3"] = 905.4
    ws["D3"] = dt.datetime(2024, 3, 1)
    ws["E3"] = True
    ws["B5"] = "统一社会信用代码"  # row 4 left empty: skipped, numbering kept
    ws["C5"] = 2024
    ws["D5"] = "１，２３４"
    ws["C6"] = -0.5
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    return buffer


def _normalised(rows):
    return [(n, [None if v == "" else v for v in values]) for n, values in rows]


def test_both_readers_agree(monkeypatch):
    whole = _normalised(iter_rows(_book()))
    monkeypatch.setattr(xlsx_reader, "WHOLE_SHEET_MAX_BYTES", 0)
    streamed = _normalised(iter_rows(_book()))
    assert [n for n, _v in whole] == [2, 3, 5, 6]
    assert whole[0][1][:3] == [None, "指标名称", "累计"]  # column B stays at index 1
    assert whole[1][1][2] == 905.4 and whole[2][1][2] == 2024 and isinstance(whole[2][1][2], int)
    assert whole[1][1][3].date() == dt.date(2024, 3, 1) if isinstance(whole[1][1][3], dt.datetime) else True
    for (n1, a), (n2, b) in zip(whole, streamed, strict=True):
        assert n1 == n2
        for x, y in zip(a, b, strict=False):
            if isinstance(x, dt.date | dt.datetime):
                assert (
                    x if isinstance(x, dt.date) and not isinstance(x, dt.datetime) else x.date()
                ) == y.date()
            else:
                assert x == y


def test_formulas_are_always_reported_cell_by_cell():
    wb = Workbook()
    wb.active.append(["累计"])
    wb.active.append(["=1+1"])
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    rows = list(iter_rows(buffer))
    assert rows[1][1][0] == FormulaCell("1+1")


def test_a_damaged_workbook_is_refused_in_words():
    with pytest.raises(XlsxError):
        list(iter_rows(io.BytesIO(b"PK\x03\x04 not really a zip")))
