"""master import: task lists as offices publish them, read into tasks, units and deadlines; compared with the
expected ones. Fixtures are built in code (tests/master/tasklists.py), each named by what it holds."""

from __future__ import annotations

import datetime as dt
import json
import zipfile

import pytest
from click.testing import CliRunner

from xlsx_tracker.base.model import TrackerError
from xlsx_tracker.cli import main
from xlsx_tracker.master.columns import find_header, parse_overrides
from xlsx_tracker.master.deadlines import ONCE, ONGOING, RECURRING, typed_deadline
from xlsx_tracker.master.settings import Settings, TaskList
from xlsx_tracker.master.source import read_source
from xlsx_tracker.master.tasklist import load_master_or_fail
from xlsx_tracker.master.unitlists import abbreviates, inline_roles, names_in, resolve

from . import tasklists

EXPECTED_UNITS = ["区行政审批局", "区发展和改革局", "区财政局", "各镇街", "区市场监督管理局", "区直各部门"]


def run(workspace, *args):
    return CliRunner().invoke(main, ["-w", str(workspace.root), *args])


# ---------------------------------------------------------------- reading the file

def test_a_word_table_gives_merged_categories_to_every_row_and_reads_a_content_controls_cell(tmp_path):
    source = read_source(tasklists.word_table_with_merged_categories_and_a_content_control(tmp_path / "分工.docx"))
    [table] = source.tables
    assert [row[1] for row in table[1:]] == ["一、优化政务服务", "一、优化政务服务", "二、规范市场监管", "二、规范市场监管"]
    assert table[2][3] == "区发改局"  # inside the content control: python-docx's table API gives 5 cells here
    assert source.lines == ["附件1", "新河区优化营商环境重点任务分工方案"]


def test_an_excel_sheet_gives_merged_cells_their_text_below_a_title(tmp_path):
    source = read_source(tasklists.excel_sheet_under_a_title_with_merged_cells(tmp_path / "分工.xlsx"))
    [table] = source.tables
    header = find_header(table, {})
    assert (header.top, header.row) == (2, 2)
    assert header.mapping == {"序号": 0, "类别": 1, "任务": 2, "牵头": 3, "责任": 4, "时限": 5}
    assert [row[1] for row in table[3:]] == ["一、优化政务服务", "一、优化政务服务", "二、规范市场监管", "二、规范市场监管"]


def test_an_old_doc_file_is_read_through_libreoffice(tmp_path, libreoffice_convert):
    docx = tasklists.word_table_with_merged_categories_and_a_content_control(tmp_path / "分工.docx")
    # through .odt: this LibreOffice's direct .docx → .doc export drops the table (a WPS-written .doc keeps it)
    doc = libreoffice_convert(libreoffice_convert(docx, tmp_path / "odt", "odt"), tmp_path / "旧版", "doc")
    [table] = read_source(doc).tables
    assert table[1][2] == tasklists.ROWS[0][2] and table[2][1] == "一、优化政务服务"


def test_a_file_of_another_kind_is_refused_in_chinese(tmp_path):
    with pytest.raises(TrackerError, match="的格式不能导入"):
        read_source(tmp_path / "分工.pdf")


def test_columns_can_be_named_when_the_header_is_written_otherwise():
    rows = [["工作内容", "主办单位", "协办单位"], ["开展清理", "区司法局", "区财政局"]]
    assert find_header(rows, {}) is None or find_header(rows, {}).mapping.get("牵头") is None
    header = find_header(rows, parse_overrides("任务=工作内容,牵头=主办单位"))
    assert (header.row, header.mapping) == (0, {"任务": 0, "牵头": 1, "配合": 2})


@pytest.mark.parametrize("build", [tasklists.excel_sheet_with_a_two_row_header, tasklists.word_table_with_a_two_row_header])
def test_a_header_spanning_its_roles_on_a_second_row_gives_each_role_its_column(tmp_path, build):
    [table] = read_source(build(tmp_path / ("分工.docx" if "word" in build.__name__ else "分工.xlsx"))).tables
    header = find_header(table, {})
    assert (header.row, header.mapping) == (header.top + 1, {"序号": 0, "任务": 1, "时限": 4, "牵头": 2, "配合": 3})
    assert header.labels["牵头"] == "责任单位·牵头单位" and header.labels["任务"] == "重点任务"


SPAN = ["序号", "重点任务", "责任单位", "责任单位", "完成时限"]


@pytest.mark.parametrize("below, mapping", [
    (["序号", "重点任务", "牵头单位", "责任单位", "完成时限"], {"牵头": 2, "责任": 3}),  # 责任单位 under 责任单位: a role of its own
    (["序号", "重点任务", "主办单位", "协办单位", "完成时限"], {"牵头": 2, "配合": 3}),
    (["序号", "重点任务", "牵头", "配合", "完成时限"], {"牵头": 2, "配合": 3}),
])
def test_each_role_under_a_spanning_header_gets_its_own_column(below, mapping):
    header = find_header([SPAN, below, ["1", "开展清理", "区司法局", "区财政局", "2024年9月底前"]], {})
    assert (header.top, header.row, header.mapping) == (0, 1, {"序号": 0, "任务": 1, "时限": 4, **mapping})


def test_words_that_are_no_role_under_a_spanning_header_are_passed_over():
    rows = [["序号", "重点任务", "责任单位", "责任单位", "责任单位", "时间安排", "时间安排"],
            ["序号", "重点任务", "牵头单位", "配合单位", "联系人", "开始时间", "完成时间"]]
    header = find_header(rows, {})
    assert header.mapping == {"序号": 0, "任务": 1, "牵头": 2, "配合": 3, "时限": 6}
    assert header.labels["时限"] == "时间安排·完成时间"


def test_a_task_row_whose_unit_cells_say_a_role_is_still_a_task():
    rows = [["重点任务", "责任单位", "责任单位", "完成时限"], ["制定年度立法计划。", "牵头单位", "配合单位", "2024年6月底前"]]
    assert find_header(rows, {}).row == 0


def test_a_first_task_row_under_the_header_is_no_second_header_row():
    rows = [["序号", "主要任务", "责任单位"], ["1", "开展清理", "牵头"]]  # a task whose unit cell says only 牵头
    assert find_header(rows, {}).row == 0
    with pytest.raises(TrackerError, match="角色只能是 序号、类别、二级、任务、措施、牵头、责任、配合、时限"):
        parse_overrides("内容=工作内容")


# ---------------------------------------------------------------- unit names

@pytest.mark.parametrize("cell, names", [
    ("区发展和改革局、区财政局", ["区发展和改革局", "区财政局"]),
    ("区财政局等", ["区财政局"]),
    ("“区发改局”等。", ["区发改局"]),
    ("市发展改革委、工业和信息化委", ["市发展改革委", "市\u2063工业和信息化委"]),  # the prefix given back, marked
    ("区委组织部(区编办)、区财政局等有关部门(按职责分工负责)", ["区委组织部(区编办)", "区财政局"]),
    ("区发改局(牵头单位)", ["区发改局"]),
    ("区发改局等5个部门", ["区发改局"]),
    ("立山经济开发区,各街道;区直各部门", ["立山经济开发区", "各街道", "区直各部门"]),
    ("市级各有关部门按职责分工负责", ["市级各有关部门"]),
])
def test_a_unit_cell_is_split_into_names(cell, names):
    assert names_in(cell) == names


def test_short_forms_and_shared_prefixes_are_joined_only_where_certain():
    written = ["区发展和改革局", "区发改局", "市发展改革委", "市\u2063工业和信息化委", "市工业和信息化委", "市\u2063交通委", "各镇街"]
    found = resolve(written, {}, {})
    assert found.meaning["区发改局"] == "区发展和改革局"
    assert found.meaning["市\u2063工业和信息化委"] == "市工业和信息化委"  # written in full elsewhere: certain
    assert found.meaning["市\u2063交通委"] == "交通委"  # never written with 市: left as written
    assert found.collective == ["各镇街"]
    assert abbreviates("区市场局", "区市场监督管理局") and not abbreviates("区民政局", "区民族宗教事务局")


def test_names_of_one_task_and_branch_offices_are_never_joined():
    written = ["区委办", "区委编办", "区市场监督管理局", "区市场监督管理局开发区分局", "区政府办", "区政府金融办"]
    found = resolve(written, {}, {}, [{"区委办", "区委编办"}, {"区市场监督管理局", "区市场监督管理局开发区分局"}, {"区政府办", "区政府金融办"}])
    assert found.joined == [] and found.units == written


def test_a_short_form_that_fits_two_names_waits_for_the_office():
    found = resolve(["区发展和改革局", "区发展改革局", "区发改局"], {}, {})
    assert found.unsure == {}  # 区发展改革局 is itself short for 区发展和改革局: one unit, one meaning
    assert found.meaning["区发改局"] == found.meaning["区发展改革局"] == "区发展和改革局"
    found = resolve(["区财政局", "区财务局", "区财局"], {}, {})
    assert found.unsure == {"区财局": ["区财政局", "区财务局"]}
    assert resolve(["区财政局", "区财务局", "区财局"], {"区财局": "区财政局"}, {}).meaning["区财局"] == "区财政局"


def test_inline_text_names_roles_and_a_deadline():
    text, roles = inline_roles("开展专项整治(区发改局牵头,区财政局配合,市级各有关部门按职责分工负责,2022年10月底前)")
    assert (text, roles.lead, roles.cooperating, roles.responsible, roles.deadline) == (
        "开展专项整治", ["区发改局"], ["区财政局"], ["市级各有关部门"], "2022年10月底前")
    text, roles = inline_roles("优化营商环境。牵头单位:区发改局;责任单位:立山经济开发区,各街道")
    assert (text, roles.lead, roles.responsible) == ("优化营商环境", ["区发改局"], ["立山经济开发区", "各街道"])


# ---------------------------------------------------------------- deadlines

@pytest.mark.parametrize("words, kind, date", [
    ("2024年6月底前", ONCE, dt.date(2024, 6, 28)),  # the 30th is a Sunday: the last working day
    ("6月底完成", ONCE, dt.date(2024, 6, 28)),
    ("2022年10月底前", ONCE, dt.date(2022, 10, 31)),
    ("2024年5月1日前", ONCE, dt.date(2024, 4, 30)),  # a holiday: the working day before it
    ("年底前", ONCE, dt.date(2024, 12, 31)),
    ("每月28日前", RECURRING, None),
    ("每季度", RECURRING, None),
    ("长期坚持", ONGOING, None),
    ("持续推进", ONGOING, None),
])
def test_each_kind_of_deadline_is_typed(words, kind, date, calendar):
    found = typed_deadline(words, 2024, calendar.is_workday)
    assert (found.kind, found.date, found.text, found.understood) == (kind, date, words, True)


def test_words_that_are_no_deadline_are_kept_and_said():
    found = typed_deadline("按上级要求", 2024)
    assert (found.kind, found.understood) == (ONGOING, False)


# ---------------------------------------------------------------- the import, end to end

@pytest.mark.parametrize("build", [tasklists.word_table_with_merged_categories_and_a_content_control,
                                   tasklists.excel_sheet_under_a_title_with_merged_cells])
def test_a_table_becomes_the_workspaces_tasks_units_and_deadlines(workspace, tmp_path, build):
    path = build(tmp_path / ("分工.docx" if "word" in build.__name__ else "分工.xlsx"))
    result = run(workspace, "master", "import", str(path))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == f"已生成 {workspace.master_file}:任务 4 项,单位 6 个,任务分配 9 条。"
    master = load_master_or_fail(workspace)
    assert master.registry.units == EXPECTED_UNITS
    assert master.registry.aliases == {"区发改局": "区发展和改革局", "区市场局": "区市场监督管理局"}
    assert [(t.task_id, t.level1, t.units, t.due) for t in master.tasks] == [
        ("1", "优化政务服务", ("区行政审批局", "区发展和改革局", "区财政局"), "2024-06-28"),
        ("2", "优化政务服务", ("区发展和改革局", "各镇街"), ""),
        ("3", "规范市场监管", ("区市场监督管理局", "区财政局"), ""),
        ("4", "规范市场监管", ("区市场监督管理局", "区直各部门"), "2024-12-31"),
    ]
    records = json.loads(run(workspace, "tasks", "--format", "json").output)
    assert [r["deadline"] for r in records if r["department"] == "区财政局"] == [
        {"kind": "once", "date": "2024-06-28", "text": "2024年6月底前"},
        {"kind": "recurring", "date": None, "text": "每季度"}]


@pytest.mark.parametrize("build", [tasklists.excel_sheet_with_a_two_row_header, tasklists.word_table_with_a_two_row_header])
def test_a_two_row_header_imports_lead_and_cooperating_units(workspace, tmp_path, build):
    path = build(tmp_path / ("分工.docx" if "word" in build.__name__ else "分工.xlsx"))
    dry = run(workspace, "master", "import", str(path), "--dry-run")
    assert dry.output.splitlines()[1] == (
        "列的对应:序号←“序号”;任务←“重点任务”;时限←“完成时限”;牵头←“责任单位·牵头单位”;配合←“责任单位·配合单位”")
    assert run(workspace, "master", "import", str(path)).exit_code == 0
    master = load_master_or_fail(workspace)
    assert [(t.task_id, t.text if hasattr(t, "text") else t.indicator_text, t.units, t.cooperating, t.due) for t in master.tasks] == [
        ("1", "建立涉企行政检查统一平台。", ("区司法局", "区市场局", "区财政局"), ("区市场局", "区财政局"), "2024-09-30"),
        ("2", "开展行政执法案卷评查。", ("区司法局", "区直各部门"), ("区直各部门",), ""),
    ]


def test_the_dry_run_says_what_it_understood_and_writes_nothing(workspace, tmp_path):
    before = workspace.master_file.read_bytes()
    path = tasklists.word_table_with_merged_categories_and_a_content_control(tmp_path / "分工.docx")
    result = run(workspace, "master", "import", str(path), "--dry-run")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "文件:分工.docx(标题:新河区优化营商环境重点任务分工方案)",
        "列的对应:序号←“序号”;类别←“类别”;任务←“主要任务”;牵头←“牵头单位”;责任←“责任单位”;时限←“完成时限”",
        "任务 4 项,按类别:优化政务服务 2 项;规范市场监管 2 项",
        "单位 6 个(报送任务数):区行政审批局 1、区发展和改革局 2、区财政局 2、各镇街 1、区市场监督管理局 2、区直各部门 1",
        "以下写法视为同一单位(已记为别名):“区发改局”→区发展和改革局;“区市场局”→区市场监督管理局",
        "完成时限:一次性 2 项;定期 1 项;长期 1 项(没写年份的按 2024 年计,可用 --year 指定)",
        "提醒:“各镇街”是集体名称,现作为一个报送单位(编号 2)。"
        '如要分到各单位,请在 settings.toml 的 [groups] 中写 "各镇街" = ["单位甲", "单位乙"] 后重新导入。',
        "提醒:“区直各部门”是集体名称,现作为一个报送单位(编号 4)。"
        '如要分到各单位,请在 settings.toml 的 [groups] 中写 "区直各部门" = ["单位甲", "单位乙"] 后重新导入。',
        "调度报告、通报、回执等标题中的工作名称:“法治政府建设示范创建”(在 settings.toml 的 [plan] work 中修改)。",
        "预检完成,没有写入任何文件。",
    ]
    assert workspace.master_file.read_bytes() == before


def test_a_group_expanded_in_the_settings_gives_each_member_the_task(workspace, tmp_path):
    settings = workspace.master_dir / "settings.toml"
    settings.write_text(settings.read_text(encoding="utf-8") + '\n[groups]\n"各镇街" = ["东城街道", "西山镇"]\n', encoding="utf-8")
    path = tasklists.excel_sheet_under_a_title_with_merged_cells(tmp_path / "分工.xlsx")
    assert run(workspace, "master", "import", str(path)).exit_code == 0
    master = load_master_or_fail(workspace)
    assert master.tasks[1].units == ("区发展和改革局", "东城街道", "西山镇")
    assert "各镇街" not in master.registry.units


def test_an_unsure_name_writes_nothing_and_says_what_to_fix(workspace, tmp_path):
    path = tmp_path / "分工.txt"
    path.write_text("1. 甲任务。牵头单位:区财政局\n2. 乙任务。牵头单位:区财务局\n3. 丙任务。牵头单位:区财局\n", encoding="utf-8")
    before = workspace.master_file.read_bytes()
    result = run(workspace, "master", "import", str(path))
    assert result.exit_code == 1
    assert ("无法确定:“区财局”可能是 区财政局、区财务局。请在 settings.toml 的 [aliases] 中写明,如 \"区财局\" = \"区财政局\"。"
            in result.output)
    assert "错误:导入的任务清单还有需要确定的内容,没有写入任何文件。" in result.output
    assert workspace.master_file.read_bytes() == before


def test_inline_text_with_cooperating_units_marks_their_rows(workspace, tmp_path):
    path = tasklists.inline_text(tmp_path / "要点.txt")
    assert run(workspace, "master", "import", str(path)).exit_code == 0
    master = load_master_or_fail(workspace)
    third = master.tasks[2]
    assert (third.level1, third.units, third.cooperating) == ("严格执法监督", ("区司法局", "区公安分局", "区市场局"), ("区公安分局", "区市场局"))
    assert master.tasks[1].due == "2024-10-31"
    from xlsx_tracker.master.issued import issued_for, lead_texts
    from xlsx_tracker.month.run import month_run

    run_ = month_run(workspace, "2024-05")
    locked = issued_for(master, "区公安分局", run_.deadline, lead_texts(master)).rows["3"]
    assert locked["本单位承担事项"] == "【配合】"
    assert locked["牵头单位"] == "牵头:区司法局;配合:区公安分局、区市场局\n完成时限:长期(持续推进)"


def test_cooperating_units_report_only_when_the_settings_say_so():
    from xlsx_tracker.master.importer import understand
    from xlsx_tracker.master.source import Source

    source = Source("要点.txt", lines=tasklists.INLINE.splitlines())
    settings = Settings(tasks=TaskList(cooperating_report=False))
    found = understand(source, settings, {}, 2024)
    assert found.tasks[2].units == ("区司法局",) and found.tasks[2].cooperating == ("区公安分局", "区市场局")
    assert "区公安分局" not in found.registry.units
    from xlsx_tracker.master.importer import said

    assert ("只配合、不报送的单位 2 个(按设置 [tasks] cooperating_report = false,不生成工作簿,拆分时只收到一份《配合任务告知》,"
            "无需报回):区公安分局、区市场局") in said(found, 2024)


def test_every_unit_sees_a_task_all_units_help_on_and_no_notice_goes_to_a_collective_name(workspace, tmp_path):
    from xlsx_tracker.master.issued import helping_only_units, helping_tasks

    settings = workspace.master_dir / "settings.toml"
    settings.write_text(settings.read_text(encoding="utf-8") + "\n[tasks]\ncooperating_report = false\n", encoding="utf-8")
    (tmp_path / "要点.txt").write_text("1. 制定年度立法计划。牵头单位:区司法局;配合单位:各部门\n2. 编制部门预算。牵头单位:区财政局\n",
                                     encoding="utf-8")
    assert run(workspace, "master", "import", str(tmp_path / "要点.txt")).exit_code == 0
    master = load_master_or_fail(workspace)
    assert [t.task_id for t in helping_tasks(master, "区财政局")] == ["1"] and helping_tasks(master, "区司法局") == []
    assert helping_only_units(master) == []


HELPING = "1. 制定年度立法计划。牵头单位:区司法局;配合单位:区财政局\n2. 编制部门预算。牵头单位:区财政局;配合单位:区审计局\n"


def test_without_cooperating_reports_a_unit_reads_the_tasks_it_helps_on_and_a_helper_gets_a_notice(workspace, tmp_path):
    import openpyxl

    from xlsx_tracker.base import layout

    settings = workspace.master_dir / "settings.toml"
    settings.write_text(settings.read_text(encoding="utf-8") + "\n[tasks]\ncooperating_report = false\n", encoding="utf-8")
    (tmp_path / "要点.txt").write_text(HELPING, encoding="utf-8")
    assert run(workspace, "master", "import", str(tmp_path / "要点.txt")).exit_code == 0
    result = run(workspace, "split", "--month", "2024-05")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[:2] == [
        f"已为 2 个单位生成 2024-05 任务表,共 2 行,保存在 {workspace.sheets_dir('2024-05')}",
        "另为只配合、不报送的 1 个单位生成《配合任务告知》(无需报回):区审计局"]
    finance = openpyxl.load_workbook(workspace.sheets_dir("2024-05") / "区财政局_2024-05.xlsx")
    assert finance.sheetnames[:5] == [layout.GUIDE_SHEET, layout.TASK_SHEET, layout.REFERENCE_SHEET, layout.HELPING_SHEET, layout.EVIDENCE_SHEET]
    helps = finance[layout.HELPING_SHEET]
    assert [c.value for c in helps[2]] == ["编号", "任务", "分工(牵头、责任、配合)", "完成时限"]
    assert [c.value for c in helps[3]] == ["1", "制定年度立法计划", "牵头:区司法局;配合:区财政局", ""]
    assert helps.protection.sheet and helps["A3"].protection.locked
    assert [r[0].value for r in finance[layout.TASK_SHEET].iter_rows(min_row=3)] == ["2"]  # only what it reports on
    guide = {r[0]: r[1] for r in finance[layout.GUIDE_SHEET].iter_rows(values_only=True) if r[0]}
    assert guide["任务数量"] == "本单位承担 1 项;另配合 1 项,见“配合任务”表,无需填报"
    guide_text = [r[1] for r in finance[layout.GUIDE_SHEET].iter_rows(values_only=True) if r[1]]
    assert "2. 编号是任务在本办任务分工表中的先后顺序(第几项),“任务说明”表中有每项任务的原文。" in guide_text  # no 4/2, 加分 or 否决
    assert not any("否决" in line or "三级指标" in line for line in guide_text)
    assert layout.HELPING_SHEET not in openpyxl.load_workbook(workspace.sheets_dir("2024-05") / "区司法局_2024-05.xlsx").sheetnames
    notice_path = workspace.sheets_dir("2024-05") / "区审计局_2024-05_配合任务告知.xlsx"
    notice = openpyxl.load_workbook(notice_path)
    assert notice.sheetnames == ["告知", layout.HELPING_SHEET]
    assert [c.value for c in notice[layout.HELPING_SHEET][3]] == ["2", "编制部门预算", "牵头:区财政局;配合:区审计局", ""]
    inbox = workspace.inbox_dir("2024-05") / "2024-05-17"
    inbox.mkdir(parents=True)
    (inbox / notice_path.name).write_bytes(notice_path.read_bytes())  # sent back by a helper, as some will
    merged = run(workspace, "merge", "--month", "2024-05", "--no-report")
    assert merged.exit_code == 1  # nothing to take: the notice is no return
    assert ("[提示·文件未采用] 2024-05-17/区审计局_2024-05_配合任务告知.xlsx:这是发给“区审计局”的《配合任务告知》,只供了解,无需报回;"
            "已存档,未计入。配合工作的情况请该单位交牵头单位一并报送。") in merged.output
    assert "未报送单位 2 个:区司法局、区财政局" in merged.output
    assert "notice-returned" in workspace.problem_list("2024-05").read_text(encoding="utf-8-sig")

    stripped = inbox / "区审计局_2024-05_配合任务告知(2).xlsx"  # its document properties lost on the way
    with zipfile.ZipFile(notice_path) as source, zipfile.ZipFile(stripped, "w") as target:
        for info in source.infolist():
            if info.filename != "docProps/custom.xml":
                target.writestr(info, source.read(info.filename).replace(b'<Override PartName="/docProps/custom.xml"', b'<Override PartName="/docProps/x.xml"'))
    merged = run(workspace, "merge", "--month", "2024-05", "--no-report")
    assert "[提示·文件未采用] 区审计局 2 条:2024-05-17/区审计局_2024-05_配合任务告知(2).xlsx、" in merged.output
    assert workspace.problem_list("2024-05").read_text(encoding="utf-8-sig").count("notice-returned") == 2

    (tmp_path / "要点.txt").write_text(HELPING.replace("配合单位:区审计局", "配合单位:区财政局") + "3. 开展审计。牵头单位:区审计局\n",
                                     encoding="utf-8")
    assert run(workspace, "master", "import", str(tmp_path / "要点.txt")).exit_code == 0
    assert run(workspace, "split", "--month", "2024-05", "--force").exit_code == 0
    assert not notice_path.exists()  # 区审计局 now reports: its old notice is gone, never sent by mistake
    assert (workspace.sheets_dir("2024-05") / "区审计局_2024-05.xlsx").exists()


def test_init_from_a_file_makes_a_workspace_of_that_list(tmp_path):
    path = tasklists.excel_sheet_under_a_title_with_merged_cells(tmp_path / "分工.xlsx")
    result = CliRunner().invoke(main, ["init", str(tmp_path / "新河区"), "--from", str(path)])
    assert result.exit_code == 0, result.output
    from xlsx_tracker.base.workspace import Workspace

    assert load_master_or_fail(Workspace(tmp_path / "新河区")).registry.units == EXPECTED_UNITS


def test_the_seeds_own_plan_still_builds_as_before(workspace):
    assert len(load_master_or_fail(workspace).assignments()) == 481  # as before the import existed (split: 481 rows)


def test_an_imported_list_runs_the_whole_month_under_its_own_title(workspace, tmp_path, filled_return):
    """营商环境 in 新河区: import, split, two units return, merge; the report and the 通报 carry its title and units."""
    import openpyxl
    from docx import Document

    from xlsx_tracker.outputs.bulletin import bulletin_name
    from xlsx_tracker.outputs.report import report_name

    settings = workspace.master_dir / "settings.toml"
    settings.write_text(settings.read_text(encoding="utf-8").replace('work = "法治政府建设示范创建"', 'work = "优化营商环境"')
                        .replace('district = "新城区"', 'district = "新河区"'), encoding="utf-8")
    path = tasklists.excel_sheet_under_a_title_with_merged_cells(tmp_path / "分工.xlsx")
    assert run(workspace, "master", "import", str(path)).exit_code == 0
    assert run(workspace, "split", "--month", "2024-05").exit_code == 0
    inbox = workspace.inbox_dir("2024-05") / "2024-05-17"
    for unit in ("区财政局", "区市场监督管理局"):
        filled_return(workspace.sheets_dir("2024-05") / f"{unit}_2024-05.xlsx", inbox)
    merged = run(workspace, "merge", "--month", "2024-05")
    assert merged.exit_code == 0, merged.output
    assert "已采用单位 2 个;未报送单位 4 个:区发展和改革局、区直各部门、区行政审批局、各镇街" in merged.output
    report = openpyxl.load_workbook(workspace.month_reports("2024-05") / report_name("2024-05", "优化营商环境"))
    assert report["总览"]["A1"].value == "新河区2024年5月优化营商环境工作调度报告"
    scores = [row[1] for row in report["部门得分"].iter_rows(min_row=3, values_only=True) if row[1]]
    assert sorted(scores) == sorted(EXPECTED_UNITS)
    bulletin = Document(str(workspace.month_reports("2024-05") / bulletin_name("2024-05", "优化营商环境")))
    assert any(p.text == "关于2024年5月优化营商环境工作进展情况的通报" for p in bulletin.paragraphs)


def test_a_broken_settings_file_stops_the_import_before_anything_is_read_into_units(workspace, tmp_path):
    settings = workspace.master_dir / "settings.toml"
    settings.write_text(settings.read_text(encoding="utf-8") + "\n[groups]\n各镇街 = [\"东城街道\"]\n", encoding="utf-8")  # key not quoted
    before = workspace.master_file.read_bytes()
    result = run(workspace, "master", "import", str(tasklists.inline_text(tmp_path / "要点.txt")))
    assert result.exit_code == 1
    assert result.output.startswith("错误:设置文件 master_template/settings.toml 有错误,没有导入:\n[错误·设置文件有误]")
    assert workspace.master_file.read_bytes() == before


def test_a_task_past_its_own_deadline_unfinished_is_chased_and_red(workspace, tmp_path, filled_return):
    """完成时限 2024年4月底前, still 推进中 in May: 超期 by the list's own deadline, whatever date the unit planned."""
    from xlsx_tracker.month.run import month_run
    from xlsx_tracker.month.state import load_state

    path = tmp_path / "要点.txt"
    path.write_text("1. 制定年度计划(区司法局牵头,2024年4月底前)\n2. 开展培训(区司法局牵头,长期坚持)\n", encoding="utf-8")
    assert run(workspace, "master", "import", str(path)).exit_code == 0
    assert run(workspace, "split", "--month", "2024-05").exit_code == 0
    inbox = workspace.inbox_dir("2024-05") / "2024-05-17"
    filled_return(workspace.sheets_dir("2024-05") / "区司法局_2024-05.xlsx", inbox, fill=False,
                  statuses={"1": "推进中", "2": "推进中"}, values={"1": {"本月工作进展": "起草中"}, "2": {"本月工作进展": "已培训一次"}})
    assert run(workspace, "merge", "--month", "2024-05", "--no-report").exit_code == 0
    state = load_state(month_run(workspace, "2024-05"))
    [chased] = state.follow_ups
    assert "1 项超过预计完成时间或完成时限仍未完成:1" in chased.reasons
    light = state.light_of("区司法局")
    assert light.light == "红灯" and "1 项超过预计完成时间或完成时限仍未完成" in light.reasons


def test_init_from_a_list_that_cannot_be_settled_leaves_no_workspace(tmp_path):
    path = tmp_path / "分工.txt"
    path.write_text("1. 甲任务。牵头单位:区财政局\n2. 乙任务。牵头单位:区财务局\n3. 丙任务。牵头单位:区财局\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["init", str(tmp_path / "新河区"), "--from", str(path)])
    assert result.exit_code == 1
    assert "(工作区没有建立;改正后重新运行 init,或先建工作区再用 master import 导入)" in result.output
    assert not (tmp_path / "新河区").exists()


def test_rows_a_real_office_writes_around_its_tasks(workspace, tmp_path):
    """A category row across the table with its number in a cell of its own, a note row, a header that merely starts
    with a role word (牵头区领导), a remark in the header's brackets, and a liaison table after the list."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["序号", "主要任务", "牵头区领导", "责任单位(排在第一位的为牵头单位)", "完成时限"])
    sheet.append(["一", "优化政务服务", "优化政务服务", "优化政务服务", "优化政务服务"])
    sheet.append(["1", "推行一网通办", "张三", "区行政审批局、区发改局", "2024年第三季度"])
    sheet.append(["注:各单位每月25日前报送进展。"] * 5)
    path = tmp_path / "分工.xlsx"
    book.save(path)
    result = run(workspace, "master", "import", str(path), "--dry-run")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[1] == "列的对应:序号←“序号”;任务←“主要任务”;责任←“责任单位(排在第一位的为牵头单位)”;时限←“完成时限”"
    assert lines[2] == "任务 1 项,按类别:优化政务服务 1 项"
    assert lines[3] == "单位 2 个(报送任务数):区行政审批局 1、区发改局 1"


def test_a_numbered_paragraph_without_units_is_said_and_labels_on_the_next_lines_belong_to_it(workspace, tmp_path):
    path = tmp_path / "要点.txt"
    path.write_text("1. 总体要求\n2. 建立合法性审查机制。\n牵头单位:区司法局\n完成时限:2024年底前\n"
                    "3. 开展规范性文件清理(区司法局牵头,区委组织部(区编办)按职责分工负责,2024年10月底前)\n", encoding="utf-8")
    result = run(workspace, "master", "import", str(path), "--dry-run")
    assert "任务 2 项" in result.output
    assert "以下编号段落没有写明单位,没有作为任务(如是任务,请在段末写明牵头或责任单位):第1段“总体要求”" in result.output
    assert "单位 2 个(报送任务数):区司法局 2、区委组织部(区编办) 1" in result.output
    assert "完成时限:一次性 2 项" in result.output


def test_a_column_named_on_the_command_line_must_be_in_the_file(workspace, tmp_path):
    path = tasklists.excel_sheet_under_a_title_with_merged_cells(tmp_path / "分工.xlsx")
    result = run(workspace, "master", "import", str(path), "--columns", "任务=工作内容", "--dry-run")
    assert result.exit_code == 1
    assert "--columns 中的表头“工作内容”在“分工.xlsx”中找不到。请照原表表头的写法填写。" in result.output


@pytest.mark.parametrize("words, date", [("2024年第三季度", dt.date(2024, 9, 30)), ("2024年上半年", dt.date(2024, 6, 28)),
                                         ("2024-06-30", dt.date(2024, 6, 28)), ("2024.12.31", dt.date(2024, 12, 31))])
def test_quarters_half_years_and_written_dates_are_once(words, date, calendar):
    found = typed_deadline(words, 2024, calendar.is_workday)
    assert (found.kind, found.date) == (ONCE, date)


def test_two_units_that_would_share_a_workbook_file_are_not_imported(workspace, tmp_path):
    path = tmp_path / "要点.txt"
    path.write_text('1. 甲任务。牵头单位:区委"两新"工委\n2. 乙任务。牵头单位:区委:两新:工委\n', encoding="utf-8")
    result = run(workspace, "master", "import", str(path))
    assert result.exit_code == 1
    assert "以下单位的名称作为文件名时相同,工作簿会互相覆盖:区委\"两新\"工委、区委:两新:工委。" in result.output


def test_a_text_list_that_starts_with_its_first_task_has_no_title():
    from xlsx_tracker.master.importer import said, understand
    from xlsx_tracker.master.source import Source

    found = understand(Source("要点.txt", lines=HELPING.splitlines()), Settings(), {}, 2024)
    assert found.title == "" and said(found, 2024)[0] == "文件:要点.txt"
