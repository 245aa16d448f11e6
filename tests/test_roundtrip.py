"""A round trip through LibreOffice, the real second client, keeps what the units and merge rely on."""

import datetime as dt

import openpyxl
import pytest
from conftest import libreoffice_convert

from xlsx_tracker import layout
from xlsx_tracker.intake import read_returned
from xlsx_tracker.split import split


@pytest.fixture(scope="module")
def round_tripped(tmp_path_factory, master, calendar):
    root = tmp_path_factory.mktemp("roundtrip")
    [issued] = split(master, "2024-05", calendar, root / "issued", units=["司法局"], issued_at=dt.datetime(2024, 5, 6, 9))
    return issued, libreoffice_convert(issued.path, root / "saved")


def test_dropdowns_survive(round_tripped):
    _, saved = round_tripped
    sheet = openpyxl.load_workbook(saved)[layout.TASK_SHEET]
    lists = [v for v in sheet.data_validations.dataValidation if v.type == "list"]
    assert any("J3" in v.sqref and "推进中" in v.formula1 for v in lists)
    assert any(v.type == "date" for v in sheet.data_validations.dataValidation)


def test_protection_and_unlocked_cells_survive(round_tripped):
    _, saved = round_tripped
    sheet = openpyxl.load_workbook(saved)[layout.TASK_SHEET]
    assert sheet.protection.sheet is True
    assert sheet["A3"].protection.locked is True
    assert sheet["J3"].protection.locked is False


def test_identity_survives_from_two_places(round_tripped, master):
    issued, saved = round_tripped
    book = openpyxl.load_workbook(saved)
    assert book["_meta"].sheet_state in ("hidden", "veryHidden")  # LibreOffice downgrades veryHidden
    props = {p.name: p.value for p in book.custom_doc_props.props}
    assert props["xlsx_tracker_unit"] == "司法局"
    returned = read_returned(saved)
    assert (returned.identity.unit, returned.identity.month, returned.identity.source) == ("司法局", "2024-05", "隐藏表")
    original = read_returned(issued.path)
    assert returned.identity.checksum == original.identity.checksum
    assert returned.meta_rows == original.meta_rows
