"""split's workbooks read back with openpyxl: structure, validations, protection, identity."""

import dataclasses
import datetime as dt
from collections import Counter

import openpyxl
import pytest
from click.testing import CliRunner

from xlsx_tracker.base import layout
from xlsx_tracker.base.model import TrackerError
from xlsx_tracker.cli import main
from xlsx_tracker.month.form_text import SUMMARY_LENGTH
from xlsx_tracker.month.split import split, workbook_name

ISSUED = dt.datetime(2024, 5, 6, 9, 0)


@pytest.fixture(scope="module")
def issued_may(tmp_path_factory, master, calendar, month_of):
    out = tmp_path_factory.mktemp("issued") / "2024-05"
    return {s.unit: s for s in split(month_of(master, calendar, "2024-05"), out_dir=out, issued_at=ISSUED)}


@pytest.fixture(scope="module")
def justice(issued_may):
    return openpyxl.load_workbook(issued_may["司法局"].path)


def validation_at(sheet, ref):
    return [v for v in sheet.data_validations.dataValidation if ref in v.sqref]


def test_one_workbook_per_unit_with_its_rows(issued_may, master):
    assert len(issued_may) == 32
    counts = Counter(a.unit for a in master.assignments())
    for unit, sheet in issued_may.items():
        book = openpyxl.load_workbook(sheet.path, read_only=True)
        rows = [r for r in book[layout.TASK_SHEET].iter_rows(min_row=3, values_only=True) if r[0]]
        assert len(rows) == counts[unit] == sheet.rows, unit
        assert sheet.path.name == f"{unit}_2024-05.xlsx"


def test_sheets_in_order_and_hidden(justice):
    assert justice.sheetnames == ["填报说明", "任务清单", "任务说明", "证明材料目录", "联络员", "_lists", "_meta"]
    assert justice["_meta"].sheet_state == "veryHidden"
    assert justice["_lists"].sheet_state == "hidden"
    assert justice.active.title == "填报说明"


def test_task_sheet_header_locked_and_editable_cells(justice):
    sheet = justice[layout.TASK_SHEET]
    assert [c.value for c in sheet[2]] == ["编号", "任务", "进展状态", "本月工作进展", "已形成材料", "存在问题及需协调事项",
                                           "预计完成时间", "责任人", "联系电话", "审核意见"]  # the inputs right beside the task
    assert sheet.protection.sheet is True
    for col in (1, 2, 10):  # 编号, 任务 and the office's 审核意见
        assert sheet.cell(3, col).protection.locked is True
    for col in range(3, 10):
        assert sheet.cell(3, col).protection.locked is False
    assert sheet.cell(3, 1).fill.fgColor.rgb.endswith("F2F2F2")
    assert sheet.cell(3, 2).alignment.wrap_text is True
    assert sheet.freeze_panes == "C3"  # 编号 and 任务 stay in view while typing
    reference = justice[layout.REFERENCE_SHEET]
    assert [c.value for c in reference[2]] == layout.REFERENCE_COLUMNS
    assert reference.protection.sheet is True and reference.cell(3, 4).protection.locked is True


def test_task_row_content(justice, issued_may, master):
    """Nothing issued is lost: the full texts are on 任务说明, linked by 编号; the task sheet shows a summary (a
    link to the full text, its text the formula's value)."""
    reference = justice[layout.REFERENCE_SHEET]
    rows = {reference.cell(r, 1).value: r for r in range(3, reference.max_row + 1)}
    row = rows["34-46/1"]
    assert reference.cell(row, 5).value.startswith("1.本级政府制定的2023年重大行政决策事项目录")
    assert reference.cell(row, 8).value == "司法局、政府办"
    assert reference.cell(rows["21"], 2).value == "二、依法行政制度体系完善"
    assert reference.cell(rows["21"], 9).value == dt.datetime(2024, 5, 20)
    tasks = openpyxl.load_workbook(issued_may["司法局"].path, data_only=True)[layout.TASK_SHEET]
    summaries = {tasks.cell(r, 1).value: tasks.cell(r, 2).value for r in range(3, tasks.max_row + 1)}
    assert list(summaries) == list(rows)  # the same tasks in the same order
    assert summaries["34-46/1"] == "1.本级政府制定的2023年重大行政决策事项目录和目录公开的网址;"  # short enough: whole
    assert all(len(text) <= SUMMARY_LENGTH for text in summaries.values())


def test_status_dropdowns_normal_and_veto(justice):
    sheet = justice[layout.TASK_SHEET]
    rows = {sheet.cell(r, 1).value: r for r in range(3, sheet.max_row + 1)}
    [normal] = validation_at(sheet, f"C{rows['21']}")
    assert (normal.type, normal.formula1) == ("list", '"未启动,推进中,已完成,无此情形(已作说明)"')
    assert normal.showErrorMessage is True
    [veto] = validation_at(sheet, f"C{rows['否决1']}")
    assert veto.formula1 == '"未发生,已发生"'


def test_date_and_phone_validations(justice):
    sheet = justice[layout.TASK_SHEET]
    [date] = validation_at(sheet, "G3")
    assert date.type == "date" and date.operator in (None, "between")  # openpyxl reads the default as None
    [phone] = validation_at(sheet, "I3")
    assert (phone.type, phone.formula1, phone.formula2) == ("textLength", "7", "20")
    assert sheet.cell(3, 9).number_format == "@"


def test_short_id_list_is_inline(justice):
    [ids] = validation_at(justice[layout.EVIDENCE_SHEET], "A3")
    assert ids.formula1.startswith('"4/3,21,22,') and len(ids.formula1) <= 257


def test_long_id_list_refers_to_hidden_range(tmp_path, master, calendar, month_of):
    everything = dataclasses.replace(master, tasks=[dataclasses.replace(t, units=("各部门",)) for t in master.tasks])
    [sheet] = split(month_of(everything, calendar, "2024-05"), out_dir=tmp_path, units=["编办"])
    book = openpyxl.load_workbook(sheet.path)
    evidence = book[layout.EVIDENCE_SHEET]
    [ids] = validation_at(evidence, "A3")
    assert ids.formula1 == "_lists!$A$1:$A$101"
    assert [c.value for c in book["_lists"]["A"]][:2] == ["1", "2"]
    [kinds] = validation_at(evidence, "C3")
    assert kinds.formula1 == '"正式文件(PDF),情况说明,网址,截图,图片,视频,其他"'
    assert evidence.cell(3, 2).protection.locked is False


def test_liaison_sheet(justice):
    sheet = justice[layout.LIAISON_SHEET]
    assert [c.value for c in sheet[2]] == ["单位", "姓名", "职务", "联系电话", "电子邮箱"]
    assert sheet["A3"].value == "司法局" and sheet["A3"].protection.locked is True
    assert all(sheet.cell(3, c).protection.locked is False for c in (2, 3, 4, 5))
    [phone] = validation_at(sheet, "D3")
    assert phone.type == "textLength"
    assert sheet.protection.sheet is True


def test_identity_in_hidden_sheet_and_document_properties(justice, master):
    meta = justice["_meta"]
    assert [meta.cell(r, 1).value for r in range(1, 6)] == list(layout.META_KEYS.values())
    assert [meta.cell(r, 2).value for r in range(1, 5)] == ["司法局", "2024-05", master.version, "2024-05-06 09:00:00"]
    assert [meta.cell(8, c).value for c in (1, 2, 3)] == layout.META_ROWS_HEADER
    assert meta.cell(9, 1).value == "4/3" and meta.cell(9, 2).value == 3 and len(meta.cell(9, 3).value) == 16
    props = {p.name: p.value for p in justice.custom_doc_props.props}
    assert props["xlsx_tracker_unit"] == "司法局" and props["xlsx_tracker_month"] == "2024-05"
    assert props["xlsx_tracker_checksum"] == meta["B5"].value


def test_guide_shows_deadline_rule_and_contact(justice):
    guide = {r[0]: r[1] for r in justice["填报说明"].iter_rows(min_row=3, max_row=12, values_only=True) if r[0]}
    assert guide["填报单位"] == "司法局"
    assert guide["报送截止"] == "2024-05-20(星期一)前"
    assert guide["联系人"] == "区委依法治区办(司法局) 李苏日娜 电话 6218033 邮箱 yx92793972@163.com"
    text = "".join(str(c.value) for row in justice["填报说明"].iter_rows() for c in row if c.value)
    assert "一般不超过500字,最多不超过1000字" in text


def test_print_setup(justice):
    sheet = justice[layout.TASK_SHEET]
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.paperSize == 9
    assert sheet.print_title_rows == "$1:$2"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
    assert sheet.page_setup.fitToHeight == 0 and sheet.page_setup.fitToWidth in (None, 1)  # 1 page wide


def test_february_2026_deadline_postponed(tmp_path, master, calendar, month_of):
    [sheet] = split(month_of(master, calendar, "2026-02"), out_dir=tmp_path, units=["司法局"])
    book = openpyxl.load_workbook(sheet.path)
    assert book[layout.REFERENCE_SHEET]["I3"].value == dt.datetime(2026, 2, 24)
    guide = {r[0]: r[1] for r in book["填报说明"].iter_rows(values_only=True) if r[0]}
    assert guide["报送截止"] == "2026-02-24(星期二)前"
    assert guide["截止日规则"] == "规定为每月20日前;2026-02-20为休息日(春节),顺延至下一工作日(《民法典》第二百零三条)"


def test_a_quarterly_report_day_is_the_deadline_the_workbook_gives(tmp_path, master, calendar, month_of):
    quarterly = dataclasses.replace(master, settings=dataclasses.replace(master.settings, monthly_day=25, quarterly=True))
    [sheet] = split(month_of(quarterly, calendar, "2024-05"), out_dir=tmp_path, units=["司法局"])
    book = openpyxl.load_workbook(sheet.path)
    guide = {r[0]: r[1] for r in book["填报说明"].iter_rows(values_only=True) if r[0]}
    assert guide["报送截止"] == "2024-06-25(星期二)前"
    assert guide["截止日规则"] == "规定为每季度末月25日前;当日为工作日,不调整"
    assert book[layout.REFERENCE_SHEET]["I3"].value == dt.datetime(2024, 6, 25)


def test_liaison_deadline_shown_in_april_2024_only(tmp_path, master, calendar, month_of):
    [april] = split(month_of(master, calendar, "2024-04"), out_dir=tmp_path / "a", units=["司法局"])
    [may] = split(month_of(master, calendar, "2024-05"), out_dir=tmp_path / "m", units=["司法局"])
    april_note = openpyxl.load_workbook(april.path)[layout.LIAISON_SHEET]["A5"].value
    assert april_note.startswith("联络员名单请于 2024-04-07(星期日)前报送(2024-04-06为休息日(清明节)")
    assert openpyxl.load_workbook(may.path)[layout.LIAISON_SHEET]["A5"].value == "联络员有变动时请更新本表。"


def test_rerun_refuses_to_overwrite_and_names_files(tmp_path, master, calendar, month_of):
    split(month_of(master, calendar, "2024-05"), out_dir=tmp_path, units=["司法局", "政府办"])
    with pytest.raises(TrackerError) as info:
        split(month_of(master, calendar, "2024-05"), out_dir=tmp_path, units=["司法局", "政府办"])
    assert str(info.value) == ("2024-05 的以下工作簿已下发过,未覆盖(确需重新生成请加 --force):\n"
                               "  司法局_2024-05.xlsx\n  政府办_2024-05.xlsx")
    assert len(split(month_of(master, calendar, "2024-05"), out_dir=tmp_path, units=["司法局"], force=True)) == 1


def test_unit_name_cannot_escape_the_folder():
    assert workbook_name("../../etc", "2024-05") == "_.._etc_2024-05.xlsx"  # no separator left: one name in its folder
    assert "/" not in workbook_name("a/b", "2024-05") and ":" not in workbook_name("a:b", "2024-05")


def test_cli_split_writes_every_unit(workspace):
    runner = CliRunner()
    result = runner.invoke(main, ["--workspace", str(workspace.root), "split", "--month", "2024-05"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("已为 32 个单位生成 2024-05 任务表,共 481 行")
    assert result.output.endswith("报送截止:2024-05-20(星期一)(当日为工作日,不调整)\n")
    again = runner.invoke(main, ["--workspace", str(workspace.root), "split", "--month", "2024-05"])
    assert again.exit_code == 1 and "已下发过,未覆盖" in again.output


def test_a_clerk_sees_eight_tasks_on_a_1080p_screen(issued_may):
    """At 100 % a 1080p window shows about 800 px of rows (600 pt) below the ribbon: the title, the header and 8 tasks fit."""
    largest = max(issued_may.values(), key=lambda s: s.rows)
    sheet = openpyxl.load_workbook(largest.path)[layout.TASK_SHEET]
    heights = [sheet.row_dimensions[r].height or 15 for r in range(1, 3 + 8)]
    assert sum(heights) <= 600, heights
    visible = 0
    total = 0.0
    for r in range(1, sheet.max_row + 1):
        total += sheet.row_dimensions[r].height or 15
        if total > 600:
            break
        visible += 1
    print(f"{largest.unit}: {visible - 2} tasks visible at 100 % on 1080p")


def test_the_task_sheet_prints_at_nine_points_or_more(justice):
    """A4 landscape holds about 150 width units at full size: neither sheet shrinks below 9 pt when printed."""
    for name, columns in ((layout.TASK_SHEET, layout.TASK_COLUMNS), (layout.REFERENCE_SHEET, layout.REFERENCE_COLUMNS)):
        sheet = justice[name]
        widths = [sheet.column_dimensions[chr(65 + c)].width for c in range(len(columns))]
        assert sum(widths) <= 160, (name, widths)  # xlsxwriter adds 0.71 padding to each; LibreOffice prints these at 9.5 pt
        assert sheet.print_title_rows == "$1:$2"
        assert sheet.page_setup.orientation == "landscape"


def test_a_workbook_issued_in_the_earlier_layout_still_merges(tmp_path, master, calendar, fixtures_dir, month_of):
    """A fixture filled in a workbook from before the reference sheet: every column on the task sheet."""
    from xlsx_tracker.base.workspace import init_workspace
    from xlsx_tracker.month.merge import merge
    fixture = fixtures_dir / "issued_before_the_new_layout_司法局_2024-05.xlsx"
    book = openpyxl.load_workbook(fixture)
    sheet = book[layout.TASK_SHEET]
    assert [c.value for c in sheet[2]] == layout.LEGACY_TASK_COLUMNS
    statuses = {sheet.cell(r, 1).value: sheet.cell(r, 10).value for r in range(3, sheet.max_row + 1)}
    workspace = init_workspace(tmp_path / "ws")
    run = month_of(master, calendar, "2024-05", workspace)
    split(run, units=["司法局"])
    inbox = tmp_path / "收件箱"
    inbox.mkdir()
    (inbox / fixture.name).write_bytes(fixture.read_bytes())
    result = merge(run, inbox, now=dt.datetime(2024, 5, 21))
    assert list(result.accepted) == ["司法局"] and result.problems == []
    assert {r.assignment.task_id: r.values.get("进展状态") for r in result.state.rows if r.assignment.unit == "司法局"} == statuses


def test_the_parallel_path_writes_the_same_workbooks(tmp_path, master, calendar, monkeypatch, issued_may, month_of):
    """From 64 units on, workbooks are written by one process per core: the same content as one process writes."""
    import xlsx_tracker.month.split as split_module
    monkeypatch.setattr(split_module, "PARALLEL_UNITS", 1)
    parallel = {s.unit: s for s in split(month_of(master, calendar, "2024-05"), out_dir=tmp_path, issued_at=ISSUED)}
    assert sorted(parallel) == sorted(issued_may)
    for unit in ("司法局", "统计局", "检察院"):
        ours, theirs = (openpyxl.load_workbook(s.path) for s in (parallel[unit], issued_may[unit]))
        for name in ours.sheetnames:
            assert [[c.value for c in row] for row in ours[name].iter_rows()] == [[c.value for c in row] for row in theirs[name].iter_rows()]
