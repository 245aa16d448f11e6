"""A round trip through LibreOffice, the real second client, keeps what the units and merge rely on."""

import datetime as dt
import shutil

import openpyxl
import pytest

from xlsx_tracker.base import layout
from xlsx_tracker.base.workspace import init_workspace
from xlsx_tracker.demo import simulate
from xlsx_tracker.intake.reader import read_returned
from xlsx_tracker.month.merge import merge
from xlsx_tracker.month.split import split

from ..fields import fields


@pytest.fixture(scope="module")
def round_tripped(tmp_path_factory, master, calendar, libreoffice_convert, month_of):
    root = tmp_path_factory.mktemp("roundtrip")
    [issued] = split(month_of(master, calendar, "2024-05"), out_dir=root / "issued", units=["司法局"], issued_at=dt.datetime(2024, 5, 6, 9))
    return issued, libreoffice_convert(issued.path, root / "saved")


def test_dropdowns_survive(round_tripped):
    _, saved = round_tripped
    sheet = openpyxl.load_workbook(saved)[layout.TASK_SHEET]
    lists = [v for v in sheet.data_validations.dataValidation if v.type == "list"]
    assert any("C3" in v.sqref and "推进中" in v.formula1 for v in lists)
    assert any(v.type == "date" for v in sheet.data_validations.dataValidation)


def test_protection_and_unlocked_cells_survive(round_tripped):
    _, saved = round_tripped
    sheet = openpyxl.load_workbook(saved)[layout.TASK_SHEET]
    assert sheet.protection.sheet is True
    assert sheet["A3"].protection.locked is True
    assert sheet["C3"].protection.locked is False


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


@pytest.fixture(scope="module")
def merged_from_libreoffice(tmp_path_factory, master, calendar, filled_return, libreoffice_convert, month_of):
    """Returns saved by a real second client, LibreOffice Calc, as .xlsx, .ods and .xls, then merged."""
    root = tmp_path_factory.mktemp("lo-merge")
    workspace = init_workspace(root / "工作区")
    run = month_of(master, calendar, "2024-05", workspace)
    issued = {s.unit: s for s in split(run, issued_at=dt.datetime(2024, 5, 6, 9))}
    inbox = root / "收件箱"
    for unit, target, status in [("公安分局", "xlsx", "进行中"), ("教育局", "ods", None), ("自然资源局", "xls", None)]:
        first_status = [lambda book, status=status: simulate.set_value(book, list(simulate.task_rows(book))[0], "进展状态", status)]
        filled = filled_return(issued[unit], root / "filled", name=f"{unit}_2024-05_libreoffice.xlsx", seed=99,
                               defects=first_status if status else [])
        converted = libreoffice_convert(filled, root / "lo-out", target)
        inbox.mkdir(exist_ok=True)
        shutil.copy(converted, inbox / f"libreoffice_saved_{unit}.{target}")
    return merge(run, inbox, now=dt.datetime(2024, 5, 21, 9))


def test_libreoffice_saved_returns_are_read_and_identified(merged_from_libreoffice):
    result = merged_from_libreoffice
    problems = fields(result.problems, ["file", "code", "sheet", "cell"])
    assert problems == [["libreoffice_saved_公安分局.xlsx", "status-normalized", "任务清单", "C3"]]
    assert sorted(result.accepted) == ["公安分局", "教育局", "自然资源局"]
    assert {s.identity_source for s in result.accepted.values()} == {"隐藏表"}
