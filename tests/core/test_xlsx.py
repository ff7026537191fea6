"""Exports: what Excel would run as a formula is written as text."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from xinqu.core.xlsx import safe_cell, workbook_bytes


@pytest.mark.parametrize(
    "value",
    ["=1+1", "+1", "-1", "@SUM(A1)", '\x01=HYPERLINK("x")', "\x00\x02+cmd", "\x1f@x", "\t=1", "\n=1"],
)
def test_formula_starts_are_neutralised_after_control_characters_are_removed(value):
    assert safe_cell(value).startswith("'")


def test_plain_text_and_numbers_are_left_alone():
    assert safe_cell("长春新区") == "长春新区"
    assert safe_cell("a\x01b") == "ab"
    assert safe_cell(12) == 12


def test_a_hidden_formula_is_a_string_cell_in_the_file():
    content = workbook_bytes("t", ["name"], [['\x01=HYPERLINK("http://x")']])
    cell = load_workbook(io.BytesIO(content)).active.cell(row=2, column=1)
    assert cell.data_type == "s"
    assert cell.value == '\'=HYPERLINK("http://x")'
