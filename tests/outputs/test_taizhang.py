"""工作台账 built from a month with materials: the tree, the files, their names, the 总目录 and how it prints; a
rebuild is byte-identical. Folder and file names are Windows names within the path budget."""

import datetime as dt
import hashlib
import math
import re
import unicodedata
from pathlib import PurePosixPath
from types import SimpleNamespace

import openpyxl
import pytest
from click.testing import CliRunner
from docx import Document

from xlsx_tracker.base.workspace import init_workspace
from xlsx_tracker.cli import main
from xlsx_tracker.master.tasklist import load_master_or_fail
from xlsx_tracker.month.merge import merge
from xlsx_tracker.month.split import split
from xlsx_tracker.outputs.taizhang import (
    FOLDER_NAME_LIMIT,
    PATH_BUDGET,
    build,
    cut_phrase,
    file_names,
    folder_name,
    text_lines,
    windows_name,
)

FORBIDDEN = set('\\/:*?"<>|')
RESERVED = re.compile(r"^(CON|PRN|AUX|NUL|COM[0-9¹²³]|LPT[0-9¹²³])(\..*)?$", re.IGNORECASE)
LONG_NAME = "21_" + "report-on-the-filing-of-regulations-" * 6 + "final.pdf"  # 228 characters: too long for the budget


def explanation_docx(path, title, characters):
    document = Document()
    document.add_paragraph(title)
    document.add_paragraph("法" * characters)
    document.save(str(path))


def tree(root):
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def taizhang(tmp_path_factory, calendar, month_of, filled_return):
    """A month with four materials (one named in the 证明材料目录, one by its number, one by its number with a name
    too long for Windows, one that cannot be placed), filed by the CLI's taizhang."""
    tmp_path = tmp_path_factory.mktemp("taizhang")
    workspace = init_workspace(tmp_path / "工作区")
    run = month_of(load_master_or_fail(workspace), calendar, "2024-05", workspace)
    [sheet] = split(run, units=["司法局"], issued_at=dt.datetime(2024, 5, 6, 9))
    inbox = tmp_path / "收件箱"
    filled_return(sheet, inbox, fill=False, statuses=lambda t: "未发生" if str(t).startswith("否决") else "已完成",
                  values=lambda t: {"本月工作进展": "已完成,见证明材料"},
                  evidence=[("21", "关于规章备案的通知", "正式文件(PDF)", "http://www.example.gov.cn/21.html")],
                  saved=dt.datetime(2024, 5, 15, 9))
    (inbox / "关于规章备案的通知.pdf").write_bytes(b"%PDF-1.4 notice for 21")  # named in the 证明材料目录
    explanation_docx(inbox / "22_关于规范性文件的情况说明.docx", "关于规范性文件的情况说明", 300)  # the number in its name
    (inbox / LONG_NAME).write_bytes(b"%PDF-1.4 a long name")
    (inbox / "会议照片.jpg").write_bytes(b"\xff\xd8\xff\xe0 photo")  # cannot be placed
    merge(run, inbox, now=dt.datetime(2024, 5, 21))
    result = CliRunner().invoke(main, ["-w", str(workspace.root), "taizhang"])
    assert result.exit_code == 0, result.output
    root = workspace.root / "工作台账"
    return SimpleNamespace(workspace=workspace, run=run, root=root, index=openpyxl.load_workbook(root / "总目录.xlsx"))


def index_rows(index):
    """The 总目录's indicator rows by 报送组 (row 1 is the title, row 2 the header)."""
    return {r[2].value: r for r in index["总目录"].iter_rows(min_row=3)}


# ---------------------------------------------------------------- the tree and the files


def test_the_taizhang_files_proof_by_group(taizhang):
    root = taizhang.root
    folders = sorted(p.name for p in root.iterdir() if p.is_dir())
    assert len(folders) == 79  # every reporting group but the two 否决项
    folder_21 = next(root / f for f in folders if f.startswith("21_"))
    assert folder_21.name == "21_坚持党对地方政府规章或者行政规范性文件制"  # no mark in the window: cut at 20
    assert len(list(folder_21.iterdir())) == 3  # the catalogue, the notice and the long-named report
    assert (folder_21 / "关于规章备案的通知.pdf").read_bytes() == b"%PDF-1.4 notice for 21"  # the original, byte for byte
    listed = [[c.value for c in row] for row in openpyxl.load_workbook(folder_21 / "证明材料目录.xlsx").active.iter_rows(min_row=2)]
    assert listed == [["司法局", "21", "关于规章备案的通知", "正式文件(PDF)", "http://www.example.gov.cn/21.html", ""]]
    folder_22 = next(root / f for f in folders if f.startswith("22_"))
    assert "22_关于规范性文件的情况说明.docx" in [p.name for p in folder_22.iterdir()]
    rows = index_rows(taizhang.index)
    assert rows["21"][6].value == "无情况说明文件"
    assert [r[0].value for r in taizhang.index["未归类材料"].iter_rows(min_row=2)] == ["会议照片.jpg"]
    from xlsx_tracker.month.state import load_state
    from xlsx_tracker.outputs.review import write_review
    review, _ = write_review(taizhang.run, load_state(taizhang.run))  # the reviewer sees the files received for each claim
    received = {r[1].value: r[6].value for r in openpyxl.load_workbook(review)["审核"].iter_rows(min_row=3)}
    assert "关于规章备案的通知.pdf" in received["21"] and received["22"] == "22_关于规范性文件的情况说明.docx"


def test_a_too_long_file_name_is_filed_shortened_with_its_extension_and_listed_as_filed(taizhang):
    folder_21 = next(p for p in taizhang.root.iterdir() if p.name.startswith("21_"))
    [short] = [p for p in folder_21.iterdir() if p.name.startswith("21_report")]
    assert short.suffix == ".pdf" and short.read_bytes() == b"%PDF-1.4 a long name"
    assert len(f"{folder_21.name}/{short.name}") <= PATH_BUDGET < len(f"{folder_21.name}/{LONG_NAME}")
    assert short.name.startswith("21_report-on-the-filing-of-regulations")
    files = index_rows(taizhang.index)["21"][8].value.split("\n")
    assert sorted(files) == sorted(["关于规章备案的通知.pdf", short.name])  # the 总目录 names the files as they are filed


def test_every_path_in_the_taizhang_is_a_windows_path_within_the_budget(taizhang):
    paths = [p.relative_to(taizhang.root) for p in taizhang.root.rglob("*")]
    assert len(paths) > 160
    for path in paths:
        assert len(str(PurePosixPath(*path.parts))) <= PATH_BUDGET, path
        for part in path.parts:
            assert not FORBIDDEN & set(part) and part == part.rstrip(" .") and not RESERVED.match(part), part
        assert len(path.parts[0]) <= FOLDER_NAME_LIMIT


def test_a_rebuild_gives_the_same_bytes(taizhang):
    first = tree(taizhang.root)
    build(taizhang.run)
    assert tree(taizhang.root) == first
    assert not list(taizhang.workspace.root.glob(".tmp-*"))


# ---------------------------------------------------------------- the 总目录 on paper


def test_the_index_has_a_title_naming_the_district(taizhang):
    sheet = taizhang.index["总目录"]
    assert sheet["A1"].value == "新城区法治政府建设示范创建工作台账总目录"
    assert "A1:I1" in [str(r) for r in sheet.merged_cells.ranges]
    assert [c.value for c in sheet[2]] == ["板块", "序号", "报送组", "三级指标(摘要)", "状态", "已销号/任务数", "缺少", "文件夹", "材料文件"]


def test_the_index_prints_landscape_a4_one_page_wide_with_its_header_on_every_page(taizhang):
    sheet = taizhang.index["总目录"]
    setup = sheet.page_setup
    assert (setup.orientation, int(setup.paperSize)) == ("landscape", 9)
    fit_width = 1 if setup.fitToWidth is None else int(setup.fitToWidth)  # absent is 1, the default (ECMA-376)
    assert (fit_width, int(setup.fitToHeight)) == (1, 0) and sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == "$2:$2"  # the header row on every page
    assert sheet.print_area == f"'总目录'!$A$1:$I${sheet.max_row}"
    assert "第 &P 页 共 &N 页" in sheet.oddFooter.center.text
    assert sheet.oddHeader.left.text == "新城区法治政府建设示范创建工作台账" and sheet.oddHeader.right.text == "截至2024年5月"
    assert sheet.freeze_panes == "A3"


def test_the_index_columns_fit_the_printable_width_at_full_size(taizhang):
    """Widths are in characters of the default font: Arial 11 is 8 pixels in Excel and WPS, 8.15 in LibreOffice
    (Liberation Sans); the table fits the page at 100 %, so the print stays at 10 pt."""
    book, sheet = taizhang.index, taizhang.index["总目录"]
    normal = next(s for s in book._named_styles if s.name == "Normal").font
    assert (normal.name, normal.sz) == ("Arial", 11)
    widths = list(column_widths(sheet).values())
    assert len(widths) == 9
    printable = (11.69 - sheet.page_margins.left - sheet.page_margins.right) * 96  # pixels
    assert sum(8.15 * w for w in widths) <= printable
    assert sum(8 * w for w in widths) >= 0.9 * printable  # and uses the page


def test_the_index_wraps_its_long_columns_and_its_rows_are_tall_enough_for_the_wrapped_text(taizhang):
    sheet = taizhang.index["总目录"]
    widths = column_widths(sheet)
    rows = list(sheet.iter_rows(min_row=2))
    assert len(rows) == 103  # the header and 102 indicators
    for row in rows:
        height = sheet.row_dimensions[row[0].row].height
        assert height is not None and height >= 20  # explicit: no viewer has to guess, and at most ~24 rows a page
        for col, cell in enumerate(row):
            assert cell.alignment.wrap_text
            text = str(cell.value or "")
            if text.startswith("=HYPERLINK("):
                text = text.split('","')[1].removesuffix('")')
            # an estimate of our own: a CJK character 13.3 pixels at 10 pt, a line 1.45 × 10 pt in the CJK fonts
            per_line = max(1, math.floor((8 * widths[col] + 5 - 6) / 13.33))
            lines = sum(math.ceil(max(1, _ems(part)) / per_line) for part in text.split("\n"))
            assert height >= lines * 14.5, (cell.coordinate, text, height)
    assert max(sheet.row_dimensions[r[0].row].height for r in rows) > 30  # some rows wrap onto a second line


def column_widths(sheet):
    """Width of each column by zero-based index (openpyxl keeps columns of one width as one range)."""
    return {col - 1: dim.width for dim in sheet.column_dimensions.values() for col in range(dim.min, dim.max + 1)}


def _ems(text):
    return sum(1 if unicodedata.east_asian_width(ch) in "WF" else 0.5 for ch in text)


def test_the_index_is_set_in_songti_at_ten_points_or_more(taizhang):
    for sheet in taizhang.index.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is not None:
                    assert cell.font.name == "宋体" and cell.font.sz >= 10, (sheet.title, cell.coordinate, cell.font.name)
    assert taizhang.index["总目录"]["A1"].font.sz >= 14 and taizhang.index["总目录"]["A1"].font.b


def test_the_folder_column_links_to_its_folder_beside_the_index(taizhang):
    sheet = taizhang.index["总目录"]
    cell = index_rows(taizhang.index)["21"][7]
    folder = next(p.name for p in taizhang.root.iterdir() if p.name.startswith("21_"))
    # a HYPERLINK formula (LibreOffice does not wrap a cell hyperlink's text), relative: the tree moves whole
    assert cell.value == f'=HYPERLINK("{folder}","{folder}")'
    assert cell.font.u == "single" and sheet.column_dimensions["H"].width >= 20


def test_the_other_sheets_print_too(taizhang):
    for sheet in [taizhang.index["未归类材料"],
                  openpyxl.load_workbook(next(taizhang.root.glob("21_*")) / "证明材料目录.xlsx")["证明材料目录"]]:
        assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.fitToWidth in (None, 1, "1")
        assert sheet.print_title_rows == "$1:$1" and sheet.print_area


# ---------------------------------------------------------------- names, on plain data


def test_a_folder_name_is_cut_at_the_last_comma_in_the_window():
    text = "加强信用监管,推进涉企信息归集共享,严格依法科学界定守信和失信行为,建立健全信用修复、异议处理等机制。"
    assert folder_name("11", text) == "11_加强信用监管,推进涉企信息归集共享"  # was “11_加强信用监管,推进涉企信息归集共”
    assert cut_phrase("全面清理涉企收费、摊派事项和各类评比达标活动。依法保障", 20) == "全面清理涉企收费"  # the 、 in the window


def test_a_text_without_punctuation_in_the_window_is_cut_at_the_limit():
    assert cut_phrase("党政主要负责人切实履行推进法治建设第一责任人职责", 20) == "党政主要负责人切实履行推进法治建设第一责"
    assert cut_phrase("短文本。", 20) == "短文本"  # within the limit: whole, without its closing mark


def test_a_cut_that_would_leave_a_quote_open_is_made_before_it():
    text = "全面普及行政审批服务“马上办、网上办、就近办、一次办、自助办”,行政审批事项在法定期限内完成"
    assert folder_name("1", text) == "1_全面普及行政审批服务"
    assert folder_name("9", "全面推行“双随机、一公开”监管,大力推进跨部门联合监管") == "9_全面推行“双随机、一公开”监管"


def test_a_boundary_too_near_the_start_is_not_taken():
    assert cut_phrase("一、全面推进政务诚信建设严格兑现向行政相对人作出的承诺", 20) == "一、全面推进政务诚信建设严格兑现向行政相"


def test_the_number_opening_a_group_text_is_not_repeated_in_its_folder():
    assert folder_name("26-29", "26. 重要的行政规范性文件依法依规执行评估论证、公开征求意见") == "26-29_重要的行政规范性文件依法依规执行评估论证"


def test_forbidden_characters_never_reach_a_name():
    assert windows_name('a<b>:c"d/e\\f|g?h*i. ') == "a_b__c_d_e_f_g_h_i"
    assert windows_name(" 报告\t.") == "报告_"
    assert windows_name("...") == "_" and windows_name("") == "_"
    name = folder_name("5", 'A/B:C*D?"E"<F>|G# 说明')
    assert not FORBIDDEN & set(name) and "#" not in name  # '#' would end the 总目录's link
    [shortened] = file_names("5_x", [('报告?' * 60 + ".pdf.", "")])
    assert not FORBIDDEN & set(shortened) and shortened == shortened.rstrip(" .")


def test_reserved_device_names_are_made_safe():
    for name in ["CON", "con.txt", "NUL.pdf", "Aux", "COM1", "lpt9.docx", "COM¹.pdf", "CON .txt", "prn.tar.gz"]:
        assert windows_name(name) == f"_{name}", name
    for name in ["CONTRACT.pdf", "COM10.docx", "nullable.txt", "我的CON.pdf"]:
        assert windows_name(name) == name
    assert file_names("1_x", [("nul.pdf", "司法局")]) == ["_nul.pdf"]


def test_too_long_file_names_are_shortened_keep_their_extension_and_stay_unique():
    folder = "21_坚持党对地方政府规章或者行政规范性文件制定工作的领导"
    long = "关于规章备案审查工作情况的报告,附件材料" * 10
    names = file_names(folder, [(long + ".pdf", "司法局"), (long + ".pdf", "司法局"), (long + "(终稿).pdf", "司法局"),
                                (long + ".PDF", "财政局")])
    assert len({n.casefold() for n in names}) == 4
    for name in names:
        assert name.lower().endswith(".pdf") and len(f"{folder}/{name}") <= PATH_BUDGET
    assert names[0].startswith("关于规章备案审查工作情况的报告") and names[1].startswith("司法局_关于规章")
    assert "(2)" in names[2] or "(2)" in names[3]


def test_names_differing_only_in_case_are_told_apart_as_windows_does():
    assert file_names("1_x", [("a.pdf", "司法局"), ("A.PDF", "司法局"), ("a.pdf", "司法局")]) == ["a.pdf", "司法局_A.PDF", "a(2).pdf"]


def test_a_file_named_like_the_catalogue_does_not_replace_it():
    assert file_names("1_x", [("证明材料目录.xlsx", "司法局")]) == ["司法局_证明材料目录.xlsx"]


def test_text_lines_counts_wrapped_lines_on_the_safe_side():
    assert text_lines("", 30) == 1
    assert text_lines("一" * 17, 30) == 1 and text_lines("一" * 18, 30) == 2
    assert text_lines("甲\n乙\n丙", 30) == 3
    assert text_lines("a" * 200, 20) >= 10  # a word longer than a line is broken: 200 letters, ~20 a line
