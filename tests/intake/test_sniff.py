"""The sheet scan that runs before any reader builds a grid: a far cell is found however its XML is spelled."""

import io
import zipfile

import pytest

from xlsx_tracker.intake.sniff import scan_sheet

HEAD = b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:C3"/><sheetData>'
TAIL = b"</sheetData></worksheet>"


def scanned(rows: bytes):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/worksheets/sheet1.xml", HEAD + rows + TAIL)
    with zipfile.ZipFile(buffer) as archive:
        return scan_sheet(archive, "xl/worksheets/sheet1.xml")


@pytest.mark.parametrize("cell, reach", [
    (b'<c r="ZZ20000" t="n"><v>1</v></c>', "ZZ20000"),
    (b'<c\nr="ZZ20000"><v>1</v></c>', "ZZ20000"),  # a new line between attributes
    (b'<c\tt="n"\tr="BZ20000"><v>1</v></c>', "BZ20000"),  # tabs
    (b"<c r='XFD1048576'><v>1</v></c>", "XFD1048576"),  # single quotes
    (b'<c r = "AB20000"><v>1</v></c>', "AB20000"),  # spaces around '='
    (b'<c r="C3"><v>1</v></c>', ""),  # within the issued area
], ids=["space", "newline", "tab", "single-quotes", "spaced-equals", "near"])
def test_a_far_cell_is_found_however_its_attributes_are_spelled(cell, reach):
    assert scanned(b'<row r="3">' + cell + b"</row>").reach == reach


def test_a_far_row_with_a_namespace_prefix_and_a_formula_is_found():
    facts = scanned(b'<x:row r="20000"><x:c r="A20000"><x:f>1+1</x:f></x:c></x:row>')
    assert (facts.reach, facts.has_formula) == ("A20000", True)
