"""simulate and the demo's returns: what a simulated unit writes into an issued workbook, each defect doing exactly
what its name says, and the saved time a return carries. The issued files are never changed."""

import datetime as dt
import hashlib
import random

import openpyxl
import pytest

from xlsx_tracker.base import layout
from xlsx_tracker.demo import simulate
from xlsx_tracker.demo.cycle import fill_returns, stamp_saved
from xlsx_tracker.master.settings import STATUSES
from xlsx_tracker.month.split import split

MONTH = "2024-05"


@pytest.fixture(scope="module")
def issued(tmp_path_factory, master, calendar, month_of):
    """Three units' workbooks as issued for May, in a scratch folder."""
    out = tmp_path_factory.mktemp("issued")
    return split(month_of(master, calendar, MONTH), out_dir=out, units=["司法局", "政府办", "区委办"], issued_at=dt.datetime(2024, 5, 6, 9))


@pytest.fixture
def justice(issued):
    return simulate.open_form(next(s for s in issued if s.unit == "司法局").path)


def task_values(book, column):
    sheet = book[layout.TASK_SHEET]
    return {task_id: sheet.cell(row, simulate.column(column)).value for task_id, row in simulate.task_rows(book).items()}


def test_task_rows_are_every_issued_row_by_its_number(justice, master):
    rows = simulate.task_rows(justice)
    assert list(rows) == [a.task_id for a in master.assignments_for("司法局")]
    assert list(rows.values()) == list(range(layout.FIRST_DATA_ROW + 1, layout.FIRST_DATA_ROW + 1 + len(rows)))


def test_a_filled_form_has_a_status_on_every_row_and_no_event_on_a_veto_row(justice):
    simulate.fill_form(justice, random.Random(0), MONTH)
    statuses = task_values(justice, "进展状态")
    assert all(s in STATUSES for t, s in statuses.items() if not str(t).startswith("否决"))
    assert {s for t, s in statuses.items() if str(t).startswith("否决")} == {"未发生"}
    planned = task_values(justice, "预计完成时间").values()
    assert all(dt.datetime(2024, 5, 21) <= day <= dt.datetime(2024, 7, 20) for day in planned)  # 20 to 80 days into the month
    liaison = justice[layout.LIAISON_SHEET]
    assert liaison["B3"].value in simulate.NAMES and liaison["C3"].value == "科员" and liaison["D3"].value.startswith("0471-")


def test_the_same_seed_fills_the_same_values(issued):
    path = next(s for s in issued if s.unit == "司法局").path
    first, second = simulate.open_form(path), simulate.open_form(path)
    simulate.fill_form(first, random.Random(7), MONTH)
    simulate.fill_form(second, random.Random(7), MONTH)
    assert task_values(first, "本月工作进展") == task_values(second, "本月工作进展")


def test_done_share_one_completes_every_row_but_the_vetoes(justice):
    simulate.fill_form(justice, random.Random(0), MONTH, done_share=1.0)
    assert {s for t, s in task_values(justice, "进展状态").items() if not str(t).startswith("否决")} == {"已完成"}


def test_defects_change_only_what_they_name(justice):
    first, second = list(simulate.task_rows(justice))[:2]
    simulate.paste_invalid_status(justice, first)
    assert task_values(justice, "进展状态")[first] == "基本完成"
    simulate.swap_rows(justice, first, second)
    assert list(simulate.task_rows(justice))[:2] == [second, first]
    count = len(simulate.task_rows(justice))
    simulate.duplicate_row(justice, first)
    assert len(simulate.task_rows(justice)) == count  # the same number twice: one key
    sheet = justice[layout.TASK_SHEET]
    assert sheet.cell(sheet.max_row, 1).value == first
    simulate.delete_row(justice, second)
    assert second not in simulate.task_rows(justice)


def test_locked_text_is_tampered_on_the_reference_sheet(justice):
    first = list(simulate.task_rows(justice))[0]
    simulate.tamper_locked(justice, first)
    sheet = justice[layout.REFERENCE_SHEET]
    row = next(r for r in range(layout.FIRST_DATA_ROW + 1, sheet.max_row + 1) if sheet.cell(r, 1).value == first)
    assert sheet.cell(row, layout.REFERENCE_COLUMNS.index("三级指标") + 1).value == "(已删减)"


def test_an_identity_dropped_leaves_neither_the_hidden_sheet_nor_the_properties(justice):
    simulate.drop_identity(justice)
    assert layout.META_SHEET not in justice.sheetnames and list(justice.custom_doc_props.props) == []


def test_evidence_goes_to_the_first_free_row(justice):
    assert simulate.add_evidence(justice, "21", "通知", "网址", "http://a.gov.cn/1") == layout.FIRST_DATA_ROW + 1
    assert simulate.add_evidence(justice, "22", "纪要", "网址", "http://a.gov.cn/2") == layout.FIRST_DATA_ROW + 2
    sheet = justice[layout.EVIDENCE_SHEET]
    assert [c.value for c in sheet[layout.FIRST_DATA_ROW + 2][:4]] == ["22", "纪要", "网址", "http://a.gov.cn/2"]


def test_stamp_saved_sets_the_documents_own_saved_time(tmp_path, issued):
    path = simulate.save_as(simulate.open_form(issued[0].path), tmp_path / "a.xlsx")
    stamp_saved(path, dt.datetime(2024, 5, 17, 9, 30, tzinfo=dt.UTC))
    assert openpyxl.load_workbook(path).properties.modified == dt.datetime(2024, 5, 17, 9, 30)


def test_the_demos_returns_skip_units_and_carry_one_defect_each(tmp_path, issued):
    before = {s.unit: hashlib.sha256(s.path.read_bytes()).hexdigest() for s in issued}
    written = fill_returns(issued, tmp_path / "收件箱", MONTH, seed=1, done_share=0.5,
                           saved_at=dt.datetime(2024, 5, 18, 10, tzinfo=dt.UTC), skip=1)
    assert [p.name for p in written] == [s.path.name for s in issued[:2]]  # the last unit does not return
    saved = [openpyxl.load_workbook(p).properties.modified for p in written]
    assert saved == [dt.datetime(2024, 5, 18, 10), dt.datetime(2024, 5, 21, 10)]  # the second unit is three days late
    assert {s.unit: hashlib.sha256(s.path.read_bytes()).hexdigest() for s in issued} == before  # issued files untouched
