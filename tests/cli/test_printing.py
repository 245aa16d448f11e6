"""What merge prints: errors one a line, reminders and notes grouped per unit and kind, and a dry run that says
only what it read. On plain data (a month as the summary reads it), then through the command line."""

from pathlib import Path
from types import SimpleNamespace

from click.testing import CliRunner

from xlsx_tracker.base.problems import (
    EMPTY_STATUS,
    FORMULA_CELL,
    INVALID_DATE,
    INVALID_STATUS,
    LIAISON_CHANGED,
    ROWS_REORDERED,
    STATUS_NORMALIZED,
    UNIDENTIFIED_FILE,
    problem,
)
from xlsx_tracker.cli import main
from xlsx_tracker.month.merge import ManifestEntry
from xlsx_tracker.outputs.sayings import merge_summary

from ..outputs.months import MonthOf, returned_row, score, sent

REPORTS = Path("/工作区/reports/2024-05")


def result_of(state, manifest, not_returned=(), new_files=None):
    return SimpleNamespace(month="2024-05", manifest=manifest, new_files=len(manifest) if new_files is None else new_files,
                           duplicates=0, ignored=[], state=state, accepted=state.accepted, not_returned=list(not_returned),
                           problems=state.problems, changed=[], problems_path=REPORTS / "校验问题_2024-05.csv",
                           file_list_path=REPORTS / "文件清单_2024-05.csv")


def finance_rows(blank=17, tasks=20):
    return [returned_row("财政局", str(n), f"第{n}项任务", "" if n <= blank else "推进中") for n in range(1, tasks + 1)]


def month_of_returns(extra=()):
    """财政局: 17 of 20 statuses blank; 政府办: an invalid status and a bad date; 司法局: two statuses normalised, two
    formulas and a new liaison; 市场监督管理局 moved its rows, so its two blanks are named by cell."""
    rows = [*finance_rows(), *(returned_row("政府办", str(n), f"任务{n}", "推进中" if n > 1 else "") for n in (1, 2)),
            *(returned_row("司法局", str(n), f"任务{n}", "已完成") for n in (21, 22)),
            *(returned_row("市场监督管理局", str(n), f"任务{n}", "") for n in (5, 6))]
    problems = [
        *(problem(EMPTY_STATUS, file="2024-05-18/财政局_2024-05.xlsx", sheet="任务清单", cell=f"C{n + 2}", unit="财政局") for n in range(1, 18)),
        problem(INVALID_STATUS, file="2024-05-19/政府办_2024-05.xlsx", sheet="任务清单", cell="C3", unit="政府办", raw="基本完成",
                allowed="未启动 / 推进中 / 已完成 / 无此情形(已作说明)"),
        problem(INVALID_DATE, file="2024-05-19/政府办_2024-05.xlsx", sheet="任务清单", cell="G4", unit="政府办", raw="下月", year=2024),
        *(problem(STATUS_NORMALIZED, file="司法局_2024-05.xlsx", sheet="任务清单", cell=f"C{n}", unit="司法局", raw="完成", status="已完成")
          for n in (3, 4)),
        *(problem(FORMULA_CELL, file="司法局_2024-05.xlsx", sheet="任务清单", cell=f"D{n}", unit="司法局", formula="A1") for n in (3, 4)),
        problem(LIAISON_CHANGED, unit="司法局", before="王海", after="张伟"),
        problem(ROWS_REORDERED, file="市场监督管理局_2024-05.xlsx", sheet="任务清单", unit="市场监督管理局"),
        *(problem(EMPTY_STATUS, file="市场监督管理局_2024-05.xlsx", sheet="任务清单", cell=f"C{n}", unit="市场监督管理局") for n in (3, 4)),
        *extra,
    ]
    files = [sent("财政局", "2024-05-18/财政局_2024-05.xlsx"), sent("政府办", "2024-05-19/政府办_2024-05.xlsx"),
             sent("司法局"), sent("市场监督管理局")]
    return MonthOf([score(u) for u in ("财政局", "政府办", "司法局", "市场监督管理局")], problems, files, rows)


def test_errors_one_a_line_then_reminders_and_notes_grouped_per_unit_and_kind():
    state = month_of_returns()
    manifest = [ManifestEntry(s.file_name, "采用", s.unit) for s in state.submissions]
    lines = merge_summary(result_of(state, manifest, ["人民法院", "检察院"]))
    assert lines == [
        "2024-05 汇总完成:收件目录共 4 个文件(含压缩包内的文件),其中新收 4 个,已入账过 0 个,临时文件 0 个(忽略)。",
        "已采用单位 4 个;未报送单位 2 个:人民法院、检察院",
        "问题:错误 2 条,提醒 21 条,提示 4 条。",
        "  [错误·进展状态无效] 2024-05-19/政府办_2024-05.xlsx / 任务清单 / C3:进展状态“基本完成”无效(可能是粘贴绕过了下拉列表),未采用。"
        "应为:未启动 / 推进中 / 已完成 / 无此情形(已作说明)。",
        "  [错误·日期无效] 2024-05-19/政府办_2024-05.xlsx / 任务清单 / G4:预计完成时间“下月”不是有效日期,未采用。请填写如 2024-12-31 的日期。",
        "  [提醒·进展状态未填] 财政局 17 项:编号 1、2、3、4、5、6、7、8、9、10……",
        "  [提醒·进展状态不规范] 司法局 2 项:编号 21、22",
        "  [提醒·进展状态未填] 市场监督管理局 2 条:任务清单 C3、任务清单 C4",  # rows moved: the cells, never a guessed 编号
        "  [提示·公式] 司法局 2 项:编号 21、22",
        "  [提示·联络员变更] 司法局:联络员变更:王海 → 张伟(以本次报回的“联络员”表为准)。",
        "  [提示·增删行] 市场监督管理局_2024-05.xlsx / 任务清单:任务行的顺序被调整过,已按编号对应,不影响采用。",
        f"问题清单(全部 27 条逐条列出,含上面归并的提醒和提示):{REPORTS / '校验问题_2024-05.csv'}",
        f"文件清单:{REPORTS / '文件清单_2024-05.csv'}",
    ]


def test_a_month_with_only_errors_says_nothing_of_grouping():
    error = problem(INVALID_STATUS, file="政府办.xlsx", sheet="任务清单", cell="C3", unit="政府办", raw="x", allowed="…")
    state = MonthOf([score("政府办")], [error], [sent("政府办", "政府办.xlsx")])
    lines = merge_summary(result_of(state, [ManifestEntry("政府办.xlsx", "采用", "政府办")]))
    assert lines[2:4] == ["问题:错误 1 条,提醒 0 条,提示 0 条。",
                          "  [错误·进展状态无效] 政府办.xlsx / 任务清单 / C3:进展状态“x”无效(可能是粘贴绕过了下拉列表),未采用。应为:…。"]


def test_a_dry_run_says_only_what_it_read_and_checked():
    """The ledger copy holds the units merged before; the dry run read 财政局's file alone."""
    state = month_of_returns([problem(UNIDENTIFIED_FILE, file="2024-05-20/无标识.xlsx")])
    manifest = [ManifestEntry("2024-05-18/财政局_2024-05.xlsx", "采用", "财政局")]
    lines = merge_summary(result_of(state, manifest, ["人民法院", "检察院"]), True, True)
    assert lines == [
        "2024-05 预检完成(未入账):收件目录共 1 个文件(含压缩包内的文件),其中新收 1 个,已入账过 0 个,临时文件 0 个(忽略)。",
        "预检的单位 1 个:财政局(可以采用)。",
        "问题:错误 0 条,提醒 17 条,提示 0 条。",
        "  [提醒·进展状态未填] 财政局 17 项:编号 1、2、3、4、5、6、7、8、9、10……",
        f"问题清单(全部 28 条逐条列出,含上面归并的提醒和提示):{REPORTS / '校验问题_2024-05.csv'}",
        f"文件清单:{REPORTS / '文件清单_2024-05.csv'}",
    ]
    assert not any("未报送" in line for line in lines)


def test_a_dry_run_of_files_that_would_not_be_taken():
    state = month_of_returns([problem(UNIDENTIFIED_FILE, file="无标识.xlsx")])
    older = [ManifestEntry("财政局(旧).xlsx", "被取代:…", "财政局")]
    assert merge_summary(result_of(state, older), True, True)[1] == "预检的单位 1 个:财政局(不采用,以已入账的“2024-05-18/财政局_2024-05.xlsx”为准)。"
    unknown = [ManifestEntry("无标识.xlsx", "未采用:无法识别")]
    lines = merge_summary(result_of(state, unknown), True, True)
    assert lines[1:4] == ["预检的文件中没有能识别出单位的工作簿。", "问题:错误 1 条,提醒 0 条,提示 0 条。",
                          "  [错误·文件未采用] 无标识.xlsx:无法识别是哪个单位、哪个月的表(隐藏标识、文档属性、填报说明和文件名都不可用)。"
                          "请让报送单位使用下发的工作簿。"]


def test_merge_dry_run_of_one_file_from_the_command_line(workspace, filled_return, tmp_path):
    def cli(*args):
        return CliRunner().invoke(main, ["--workspace", str(workspace.root), *args], prog_name="xlsx-tracker")

    assert cli("split", "--month", "2024-05").exit_code == 0
    issued = workspace.sheets_dir("2024-05") / "人大办_2024-05.xlsx"
    returned = filled_return(issued, tmp_path / "收件", statuses={"95": "", "加分1": ""})
    result = cli("merge", "--month", "2024-05", "--dry-run", "--out", str(tmp_path / "预检"), str(returned))
    assert result.exit_code == 0, result.output
    lines = result.output.split("\n")
    assert lines[:4] == [
        "2024-05 预检完成(未入账):收件目录共 1 个文件(含压缩包内的文件),其中新收 1 个,已入账过 0 个,临时文件 0 个(忽略)。",
        "预检的单位 1 个:人大办(可以采用)。",
        "问题:错误 0 条,提醒 2 条,提示 0 条。",
        "  [提醒·进展状态未填] 人大办 2 项:编号 95、加分1",
    ]
    assert "未报送" not in result.output.split("问题清单")[0]
    out = tmp_path / "预检"
    assert sorted(p.name for p in (out / "回执").iterdir()) == ["回执_人大办_2024-05.txt", "回执_人大办_2024-05.xlsx"]
    assert not (out / "催报").exists()  # a dry run chases no one


def test_a_blank_form_is_counted_apart_from_the_units_that_did_not_return():
    from types import SimpleNamespace

    from xlsx_tracker.outputs.sayings import returned_line

    units = [SimpleNamespace(unit=u, blank=u == "财政局") for u in ("司法局", "财政局", "检察院")]
    result = SimpleNamespace(state=SimpleNamespace(units=units), accepted={"司法局": 1, "财政局": 2}, not_returned=["财政局", "检察院"])
    assert returned_line(result) == "已采用单位 1 个;未报送单位 1 个:检察院;报送空表 1 个:财政局(视为未报送)"
    result.not_returned, result.accepted = ["财政局"], {"司法局": 1, "财政局": 2, "检察院": 3}
    assert returned_line(result) == "已采用单位 2 个;未报送单位 0 个;报送空表 1 个:财政局(视为未报送)"
