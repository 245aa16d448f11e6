"""roster import against what a careless user or an attacker sends: a form that reaches to XFD1048576, a reader
that crashes or hangs, addresses that are not one address, text that would run as a formula or lose its line
breaks; and the master the office keeps by hand (an extra sheet, an extra column) left as it was."""

import datetime as dt
import hashlib
import os
import re
import time
import zipfile

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.styles import Font, PatternFill
from python_calamine import CalamineWorkbook

from xlsx_tracker.base import sheetio
from xlsx_tracker.base.model import TrackerError
from xlsx_tracker.cli import main
from xlsx_tracker.master.roster import import_roster
from xlsx_tracker.master.tasklist import build_master, load_master_or_fail

from ..fields import fields

FORM = "附件2 联络员名单反馈表.xlsx"
HEADER = ["单位", "姓名", "职务", "联系电话", "电子邮箱"]


def form(tmp_path, rows, far: bool = False):
    """The 附件2 form as a unit fills it in Excel: a title, the header on row 3, then one row per unit."""
    path = tmp_path / FORM
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "联络员名单反馈表"
    sheet["A1"] = "法治政府建设示范创建工作联络员名单反馈表"
    for row, values in enumerate([HEADER, *rows], start=3):
        for col, value in enumerate(values, start=1):
            sheet.cell(row, col).value = value
            sheet.cell(row, col).data_type = "s" if isinstance(value, str) else sheet.cell(row, col).data_type
    if far:
        sheet.cell(1048576, 16384).value = "x"  # one stray cell at XFD1048576
    book.save(path)
    return path


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def roster_import(workspace, path):
    return CliRunner().invoke(main, ["roster", "import", str(path), "-w", str(workspace.root)])


# ---------------------------------------------------------------- files that fight back

FAR = ("无法读取联络员名单“附件2 联络员名单反馈表.xlsx”:其中“联络员名单反馈表”表的使用范围延伸到 XFD1048576"
       "(远超正常范围,多为误触键盘或被改动),为免耗尽内存没有读取。"
       "请在 Excel/WPS 中删除多余或远处单元格的内容(或把需要的内容复制到新工作簿)后另存,再重试。")


def test_a_form_with_one_stray_cell_at_xfd1048576_is_an_error_naming_the_file(workspace, tmp_path):
    path = form(tmp_path, [["司法局", "王海", "科员", "0471-6218033", "wanghai@example.com"]], far=True)
    before = digest(workspace.master_file)
    with pytest.raises(TrackerError) as caught:
        import_roster(workspace, path)
    assert str(caught.value) == FAR
    result = roster_import(workspace, path)
    assert (result.exit_code, result.output) == (1, f"错误:{FAR}\n")
    assert digest(workspace.master_file) == before  # nothing written


def test_a_form_whose_declared_range_reaches_far_is_refused_too(workspace, tmp_path):
    path = form(tmp_path, [["司法局", "王海", "科员", "0471-6218033", "wanghai@example.com"]])
    with zipfile.ZipFile(path) as archive:
        parts = {i.filename: archive.read(i) for i in archive.infolist()}
    sheet = parts["xl/worksheets/sheet1.xml"]
    parts["xl/worksheets/sheet1.xml"] = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', sheet)
    assert parts["xl/worksheets/sheet1.xml"] != sheet
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    with pytest.raises(TrackerError) as caught:
        import_roster(workspace, path)
    assert str(caught.value) == FAR


def test_a_reader_that_crashes_or_hangs_costs_the_import_not_the_process(workspace, tmp_path, monkeypatch):
    path = form(tmp_path, [["司法局", "王海", "科员", "0471-6218033", "wanghai@example.com"]])
    monkeypatch.setattr(sheetio, "_read_outside", lambda job: os.abort())  # what a native reader does on a huge grid
    with pytest.raises(TrackerError) as caught:
        import_roster(workspace, path)
    assert str(caught.value) == ("无法读取联络员名单“附件2 联络员名单反馈表.xlsx”:读取程序异常退出(signal SIGABRT),"
                                 "文件可能已损坏或含有超大范围的内容。请用 Excel/WPS 打开检查后另存为新文件,再重试。")
    monkeypatch.setattr(sheetio, "_read_outside", lambda job: time.sleep(60))
    monkeypatch.setattr(sheetio, "OUTSIDE_TIMEOUT", 0.5)
    started = time.monotonic()
    with pytest.raises(TrackerError) as caught:
        import_roster(workspace, path)
    assert time.monotonic() - started < 10
    assert str(caught.value) == ("无法读取联络员名单“附件2 联络员名单反馈表.xlsx”:读取超过 0.5 秒仍未完成,已停止。"
                                 "请用 Excel/WPS 打开检查后另存为新文件,再重试。")


def test_a_sheet_whose_xml_is_bloated_is_refused_before_any_reader_builds_it(workspace, tmp_path, monkeypatch):
    path = form(tmp_path, [["司法局", "王海", "科员", "0471-6218033", "wanghai@example.com"]])
    monkeypatch.setattr(sheetio, "OUTSIDE_SHEET_XML", 100)  # as a sheet of a million formatted rows is to the real bound
    with pytest.raises(TrackerError) as caught:
        import_roster(workspace, path)
    assert str(caught.value).startswith("无法读取联络员名单“附件2 联络员名单反馈表.xlsx”:其中“联络员名单反馈表”表内容过大(解压后 0.0 MB),"
                                        "像是含有大量空行或格式,为免耗尽内存没有读取。")


def test_a_file_that_is_not_a_workbook_is_an_error_naming_it(workspace, tmp_path):
    path = tmp_path / FORM
    path.write_bytes(b"%PDF-1.4 not a workbook")
    with pytest.raises(TrackerError) as caught:
        import_roster(workspace, path)
    assert str(caught.value).startswith("无法读取联络员名单“附件2 联络员名单反馈表.xlsx”:不是可读取的 Excel/WPS 表格(.xlsx/.xls/.ods),或文件已损坏(")


def test_an_oversized_file_is_refused_before_any_reader_sees_it(workspace, tmp_path, monkeypatch):
    path = form(tmp_path, [["司法局", "王海", "科员", "0471-6218033", "wanghai@example.com"]])
    monkeypatch.setattr(sheetio, "OUTSIDE_BYTES", 1024)
    with pytest.raises(TrackerError) as caught:
        import_roster(workspace, path)
    assert str(caught.value).startswith("无法读取联络员名单“附件2 联络员名单反馈表.xlsx”:文件有 0.0 MB,超过 0 MB 的上限,为免耗尽内存没有读取。")


# ---------------------------------------------------------------- addresses that are not addresses

def test_a_cell_that_is_not_exactly_one_address_keeps_its_row_out(workspace, tmp_path, fill_roster):
    fill_roster(workspace, {"政府办": ["李娜", "副主任", "0471-6218034", "lina@example.com"],
                            "司法局": ["王海", "科员", "0471-6218033", "wanghai@example.com"]})
    before = load_master_or_fail(workspace).roster
    path = form(tmp_path, [
        ["政府办", "张三", "科员", "0471-6218000", "a@x.com, b@attacker.com"],  # E4
        ["司法局", "王五", "科员", "0471-6218001", "wang\r\nwu@example.com"],  # E5
        ["法院", "赵敏", "主任", "0471-6300001", "sj@@example"],  # E6
        ["市场局", "周强", "科长", "13800000000", "张三@统计局.政务"],  # E7
        ["教育局", "钱七", "科员", "0471-6300003", "钱七"],  # E8
        ["民政局", "孙八", "科员", "0471-6300004", "Sun.Ba@MZJ.Example.CN"],  # the one good row
    ])
    imported = import_roster(workspace, path)
    assert fields(imported.problems, ["code", "sheet", "cell", "severity", "message"]) == [
        ["invalid-email", "联络员名单反馈表", f"E{row}", "error",
         f"电子邮箱“{raw}”无效({reason}),未采用。请填写一个如 name@example.com 的邮箱地址。"]
        for (row, raw), (_, reason) in zip([(4, "a@x.com, b@attacker.com"), (5, "wang\r\nwu@example.com"), (6, "sj@@example"),
                         (7, "张三@统计局.政务"), (8, "钱七")], imported.refused, strict=True)]
    assert [p.file for p in imported.problems] == [FORM] * 5
    assert imported.refused == [
        ("政府办", "填了不止一个地址(一个单元格只能填写一个邮箱地址)"), ("司法局", "含有换行、制表符等控制字符"),
        ("人民法院", "含有多个“@”"), ("市场监督管理局", "域名“统计局.政务”含有中文等非英文字符,邮件服务器无法投递,请改用英文域名的邮箱"),
        ("教育局", "缺少“@”")]
    assert (imported.units, imported.changed) == (["民政局"], ["民政局"])
    roster = load_master_or_fail(workspace).roster
    assert {u: roster.get(u) for u in before} == before  # the rows kept out left the master's liaisons as they were
    assert roster["民政局"] == {"姓名": "孙八", "职务": "科员", "联系电话": "0471-6300004", "电子邮箱": "Sun.Ba@mzj.example.cn"}
    assert not {"人民法院", "市场监督管理局", "教育局"} & set(roster)
    texts = [c.value for row in openpyxl.load_workbook(workspace.master_file)["联络员"].iter_rows() for c in row]
    assert not [t for t in texts if isinstance(t, str) and ("attacker" in t or "统计局.政务" in t or "sj@@" in t)]  # never stored


def test_the_command_line_names_each_row_kept_out_and_why(workspace, tmp_path):
    path = form(tmp_path, [["政府办", "张三", "科员", "0471-6218000", "a@x.com; b@attacker.com"],
                           ["民政局", "孙八", "科员", "0471-6300004", "sunba@example.cn"]])
    result = roster_import(workspace, path)
    assert result.exit_code == 0, result.output
    assert result.output.split("\n") == [
        "[错误·邮箱无效] 附件2 联络员名单反馈表.xlsx / 联络员名单反馈表 / E4:电子邮箱“a@x.com; b@attacker.com”无效"
        "(填了不止一个地址(一个单元格只能填写一个邮箱地址)),未采用。请填写一个如 name@example.com 的邮箱地址。",
        "已导入 1 个单位的联络员,其中 1 个有变化:民政局。",
        "以下 1 个单位的电子邮箱无效,该行未导入(总任务清单中原有的联络员不变),请改正后重新导入:"
        "政府办(电子邮箱填了不止一个地址(一个单元格只能填写一个邮箱地址))。",
        "另有问题:错误 1 条,提醒 0 条,提示 0 条,见上。", ""]


def test_a_bad_address_typed_into_the_master_is_a_warning_and_never_used(workspace, fill_roster):
    fill_roster(workspace, {"司法局": ["王海", "科员", "0471-6218033", "wanghai@example.com\nother@attacker.com"]})
    master = load_master_or_fail(workspace)
    assert master.roster["司法局"] == {"姓名": "王海", "职务": "科员", "联系电话": "0471-6218033", "电子邮箱": ""}
    assert fields([p for p in master.problems if p.code == "roster-bad-email"], ["cell", "severity"]) == [["E11", "warning"]]


# ---------------------------------------------------------------- the office's own work kept

def test_master_build_writes_the_roster_as_text_with_its_line_breaks(workspace, fill_roster):
    fill_roster(workspace, {"司法局": ["@王海", "办公室\r\n主任", "+86 0471-6218033", "wanghai@example.com"]})
    build_master(workspace)
    sheet = openpyxl.load_workbook(workspace.master_file)["联络员"]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "司法局")
    assert [(c.value, c.data_type, c.quotePrefix) for c in row[1:4]] == [
        ("@王海", "s", True), ("办公室\n主任", "s", False), ("+86 0471-6218033", "s", True)]
    assert load_master_or_fail(workspace).roster["司法局"]["姓名"] == "@王海"


def office_master(workspace):
    """The master as the office keeps it: a sheet of its own, a 备注 column and a note beside the roster, formatting."""
    book = openpyxl.load_workbook(workspace.master_file)
    own = book.create_sheet("科室备忘")
    own["A1"], own["B1"], own["A2"], own["B2"] = "事项", "日期", "催报记录\n第二行", dt.datetime(2024, 5, 6, 9, 30)
    own["C2"] = "=B2+1"
    own["A1"].font = Font(bold=True, color="FF0000")
    own.merge_cells("D1:E2")
    own["D1"] = "合并的格"
    roster = book["联络员"]
    roster["F1"], roster["H30"] = "备注", "手工记的一句话"
    roster["F1"].fill = PatternFill("solid", fgColor="FFFF00")
    rows = {r[0].value: r[0].row for r in roster.iter_rows(min_row=2)}
    roster.cell(rows["司法局"], 6).value = "周三下午不在"
    roster.cell(rows["民政局"], 6).value = "新任"
    roster.cell(rows["司法局"], 2).value = "王海"
    book["任务分工"]["K1"] = "科室自加列"
    book["任务分工"]["K2"] = "已核"
    book.save(workspace.master_file)
    return rows


def dump(path, skip=()):
    """Every cell of every sheet: value, type, font, fill, and merged ranges and column widths."""
    book = openpyxl.load_workbook(path)
    return {sheet.title: ({c.coordinate: (c.value, c.data_type, c.font.b, c.font.color and c.font.color.rgb, c.fill.fgColor.rgb)
                           for row in sheet.iter_rows() for c in row if c.value is not None and c.coordinate not in skip},
                          sorted(str(r) for r in sheet.merged_cells.ranges),
                          {k: d.width for k, d in sheet.column_dimensions.items()})
            for sheet in book.worksheets}


def test_roster_import_changes_only_the_roster_cells_it_was_given(workspace, tmp_path):
    rows = office_master(workspace)
    before = dump(workspace.master_file)
    path = form(tmp_path, [["司法局", "王五", "办公室\r\n主任", "+86 0471-6218033", "wangwu@example.com"],
                           ["民政局", "=HYPERLINK(\"http://x\")", "@科员", "-", "sunba@example.cn"]])
    imported = import_roster(workspace, path)
    assert imported.changed == ["司法局", "民政局"]
    justice, civil = rows["司法局"], rows["民政局"]
    written = {f"{c}{r}" for r in (justice, civil) for c in "BCDE"}
    after = dump(workspace.master_file)
    for sheet in before:
        if sheet != "联络员":
            assert after[sheet] == before[sheet], sheet  # every other sheet as it was, cell by cell
    kept = {k: v for k, v in before["联络员"][0].items() if k not in written}
    assert {k: v for k, v in after["联络员"][0].items() if k not in written} == kept  # 备注 column, the note, the rest
    assert after["联络员"][1:] == before["联络员"][1:]
    assert kept[f"F{justice}"][0] == "周三下午不在" and kept["H30"][0] == "手工记的一句话"
    assert kept["F1"][4] == "00FFFF00"  # the office's yellow header
    sheet = openpyxl.load_workbook(workspace.master_file)["联络员"]
    assert [sheet[f"{c}{justice}"].value for c in "ABCDE"] == ["司法局", "王五", "办公室\n主任", "+86 0471-6218033", "wangwu@example.com"]
    assert "_x000D_" not in sheet[f"C{justice}"].value and "\r" not in sheet[f"C{justice}"].value
    formula_like = [sheet[f"B{civil}"], sheet[f"C{civil}"], sheet[f"D{civil}"], sheet[f"D{justice}"]]
    assert [(c.value, c.data_type, c.quotePrefix) for c in formula_like] == [
        ('=HYPERLINK("http://x")', "s", True), ("@科员", "s", True), ("-", "s", True), ("+86 0471-6218033", "s", True)]
    assert sheet[f"B{justice}"].quotePrefix is False
    book = CalamineWorkbook.from_path(str(workspace.master_file))
    read = book.get_sheet_by_name("联络员").to_python(skip_empty_area=False)
    assert read[civil - 1][1:4] == ['=HYPERLINK("http://x")', "@科员", "-"]  # text, not a formula's result
    assert read[justice - 1][2] == "办公室\n主任"
    roster = load_master_or_fail(workspace).roster
    assert roster["司法局"] == {"姓名": "王五", "职务": "办公室\n主任", "联系电话": "+86 0471-6218033", "电子邮箱": "wangwu@example.com"}
    assert import_roster(workspace, path).changed == []  # the same form again: nothing differs, nothing written


def test_a_unit_the_roster_sheet_lacks_gets_a_row_and_a_lost_column_comes_back(workspace, tmp_path):
    book = openpyxl.load_workbook(workspace.master_file)
    sheet = book["联络员"]
    last = sheet.max_row
    units = [sheet.cell(r, 1).value for r in range(2, last + 1)]
    sheet.delete_rows(units.index("司法局") + 2)  # the office deleted the unit's row ...
    sheet.delete_cols(5)  # ... and the 电子邮箱 column
    sheet["F1"] = "备注"
    book.save(workspace.master_file)
    path = form(tmp_path, [["司法局", "王海", "科员", "0471-6218033", "wanghai@example.com"]])
    assert import_roster(workspace, path).changed == ["司法局"]
    sheet = openpyxl.load_workbook(workspace.master_file)["联络员"]
    assert [c.value for c in sheet[1]][:7] == ["单位", "姓名", "职务", "联系电话", None, "备注", "电子邮箱"]
    assert [c.value for c in sheet[last]] == ["司法局", "王海", "科员", "0471-6218033", None, None, "wanghai@example.com"]
    assert load_master_or_fail(workspace).roster["司法局"]["电子邮箱"] == "wanghai@example.com"


def test_a_blank_cell_in_the_form_never_erases_what_the_master_holds(workspace, tmp_path):
    import_roster(workspace, form(tmp_path, [["民政局", "孙八", "科员", "0471-6300004", "sunba@example.cn"]]))
    again = import_roster(workspace, form(tmp_path, [["民政局", "孙八", "", "0471-6300009", ""]]))  # 职务 and 邮箱 left blank
    assert again.changed == ["民政局"]
    roster = load_master_or_fail(workspace).roster
    assert roster["民政局"] == {"姓名": "孙八", "职务": "科员", "联系电话": "0471-6300009", "电子邮箱": "sunba@example.cn"}
