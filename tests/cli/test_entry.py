"""The command line, driven with CliRunner in a temporary workspace."""

import json
import os
import subprocess
import sys

import openpyxl
from click.testing import CliRunner

from xlsx_tracker.cli import main


def run(workspace, *args):
    return CliRunner().invoke(main, ["--workspace", str(workspace.root), *args], prog_name="xlsx-tracker")


def last_line(result) -> str:
    return result.output.strip().split("\n")[-1]


def test_tasks_json_lists_every_assignment(workspace):
    result = run(workspace, "tasks", "--format", "json")
    assert result.exit_code == 0, result.output
    records = json.loads(result.output)
    assert len(records) == 481
    assert len({r["department"] for r in records}) == 32
    first = records[0]
    assert {k: first[k] for k in ("indicators", "section", "level1", "part", "department")} == {
        "indicators": [1], "section": "指标", "level1": "一、政府职能依法全面履行", "part": None, "department": "行政审批局"}
    group = [r for r in records if r["indicators"] == [26, 27, 28, 29]]
    assert [r["department"] for r in group] == ["司法局", "政府办"]
    assert {r["part"] for r in records if r["indicators"][0] == 34} == {"1", "2", "3-4"}
    assert sum(1 for r in records if r["section"] == "否决项") == 64


def test_tasks_csv_and_table_for_one_unit_by_alias(workspace):
    csv_out = run(workspace, "tasks", "--format", "csv", "--unit", "法院")
    assert csv_out.exit_code == 0
    lines = csv_out.output.strip().split("\n")
    assert lines[0] == "编号,指标序号,板块,分项,责任单位,一级指标,种子行号"
    assert all(",人民法院," in line for line in lines[1:])
    table = run(workspace, "tasks", "--unit", "人民法院")
    assert table.output.strip().endswith(f"共 {len(lines) - 1} 条任务分配,涉及 1 个单位。")


def test_unknown_unit_is_bad_usage_with_suggestions(workspace):
    for command in (["tasks"], ["split", "--month", "2024-05"]):
        result = run(workspace, *command, "--unit", "司法")
        assert result.exit_code == 2
        assert last_line(result) == "错误:'--unit' 的值无效:未知单位“司法”。您是不是要找:司法局、人民法院?全部单位及别名可用 xlsx-tracker units 查看。"
    nothing_near = run(workspace, "tasks", "--unit", "气象局")
    assert last_line(nothing_near) == "错误:'--unit' 的值无效:未知单位“气象局”。全部单位及别名可用 xlsx-tracker units 查看。"


def test_deadlines_json(workspace):
    result = run(workspace, "deadlines", "--year", "2024", "--format", "json")
    assert result.exit_code == 0
    records = json.loads(result.output)
    assert len(records) == 13
    assert records[3] == {"month": "2024-04", "nominal": "2024-04-20", "deadline": "2024-04-22", "weekday": "星期一",
                          "rule": "2024-04-20为休息日(周末),顺延至下一工作日(《民法典》第二百零三条)", "provisional": False}
    assert records[-1]["month"] == "联络员名单"
    assert (records[-1]["nominal"], records[-1]["deadline"]) == ("2024-04-06", "2024-04-07")


def test_deadlines_advance_policy(workspace):
    records = json.loads(run(workspace, "deadlines", "--year", "2026", "--policy", "advance", "--format", "json").output)
    assert records[1]["deadline"] == "2026-02-14"


def test_2027_without_data_exits_1_with_chinese_message(workspace):
    result = run(workspace, "deadlines", "--year", "2027")
    assert result.exit_code == 1
    assert result.output.startswith("错误:没有 2027 年的法定节假日数据(chinesecalendar 目前只覆盖 2004–2026 年)。")


def test_2027_with_assume_weekends_is_provisional(workspace):
    records = json.loads(run(workspace, "deadlines", "--year", "2027", "--assume-weekends", "--format", "json").output)
    assert all(r["provisional"] for r in records)


def test_2027_with_override_file(workspace):
    folder = workspace.master_dir / "calendar"
    folder.mkdir()
    (folder / "2027.toml").write_text('year = 2027\nholidays = [2027-01-01, 2027-10-01]\nworkdays = []\n', encoding="utf-8")
    result = run(workspace, "deadlines", "--year", "2027", "--format", "json")
    assert result.exit_code == 0
    assert not any(r["provisional"] for r in json.loads(result.output))


def test_workdays_count_and_add(workspace):
    assert run(workspace, "workdays", "count", "2024-09-27", "2024-10-12").output == \
        "2024-09-27 次日起至 2024-10-12(含)共 7 个工作日\n"
    assert run(workspace, "workdays", "add", "2024-09-27", "7").output == "2024-09-27 后第 7 个工作日:2024-10-12(星期六)\n"


def test_bad_usage_exits_2_in_chinese(workspace):
    bad_date = run(workspace, "workdays", "add", "2024/09/27", "7")
    assert (bad_date.exit_code, last_line(bad_date)) == (
        2, "错误:'起始日期' 的值无效:日期“2024/09/27”格式不对,应为 YYYY-MM-DD,例如 2024-05-20")
    bad_month = run(workspace, "split", "--month", "2024-13")
    assert (bad_month.exit_code, last_line(bad_month)) == (
        2, "错误:'--month' 的值无效:月份“2024-13”格式不对。可以写作:2024-05、2024-5、2024/05、2024.5、202405、2024年5月")
    missing = run(workspace, "deadlines")
    assert (missing.exit_code, last_line(missing)) == (2, "错误:缺少必填选项 '--year'。")
    not_a_year = run(workspace, "deadlines", "--year", "明年")
    assert (not_a_year.exit_code, last_line(not_a_year)) == (2, "错误:'--year' 的值无效:“明年”不是有效的整数。")
    no_command = run(workspace, "splat")
    assert (no_command.exit_code, last_line(no_command)) == (2, "错误:没有“splat”这个命令。 您是不是要用 'split'?")
    assert no_command.output.startswith("用法: xlsx-tracker [选项] 命令 [参数]...\n运行“xlsx-tracker --help”查看帮助。")


def test_help_is_chinese(workspace):
    for command in ([], ["split"], ["merge"], ["workdays", "add"], ["calendar", "import"], ["calendar", "show"]):
        result = run(workspace, *command, "--help")
        assert result.exit_code == 0
        assert result.output.startswith("用法: xlsx-tracker ")
        for english in ("Usage", "Options", "Commands", "Show this message", "[required]", "TEXT", "INTEGER", "PATH"):
            assert english not in result.output, (command, english)


def test_month_spellings_are_one_month(workspace):
    for spelling in ("2024-5", "2024/05", "202405", "2024年5月"):
        result = run(workspace, "split", "--month", spelling, "--unit", "司法局", "--force")
        assert result.exit_code == 0, result.output
        assert result.output.startswith(f"已为 1 个单位生成 2024-05 任务表,共 51 行,保存在 {workspace.sheets_dir('2024-05')}")
    assert [p.name for p in (workspace.root / "department_sheets").iterdir() if p.is_dir()] == ["2024-05"]


def test_workspace_option_before_or_after_the_command(workspace, tmp_path):
    elsewhere = CliRunner().invoke(main, ["tasks", "--unit", "司法局", "-w", str(workspace.root)])
    assert elsewhere.exit_code == 0 and elsewhere.output.endswith("共 51 条任务分配,涉及 1 个单位。\n")
    missing = CliRunner().invoke(main, ["tasks", "-w", str(tmp_path / "没有这个目录")])
    assert missing.exit_code == 1
    assert missing.output.startswith(f"错误:工作区“{(tmp_path / '没有这个目录').resolve()}”中没有总任务清单")


def test_units_lists_the_registry(workspace):
    result = run(workspace, "units")
    assert result.exit_code == 0
    lines = result.output.strip().split("\n")
    assert lines[0].split() == ["单位", "别名", "任务数", "说明"]
    assert any(line.startswith("市场监督管理局") and "市场局、市场监管局" in line for line in lines)
    assert lines[-1] == "共 32 个单位,别名 11 个。"


def test_a_month_never_issued_says_so(workspace, tmp_path):
    report = run(workspace, "report", "--month", "2024-08")
    assert report.exit_code == 1
    assert report.output == "错误:2024-08 还没有下发过任务表(没有运行过 split),无法核对报回文件或生成报告。请先运行:xlsx-tracker split --month 2024-08\n"
    inbox = tmp_path / "收件箱"
    inbox.mkdir()
    (inbox / "x.pdf").write_bytes(b"%PDF-1.4")
    merge = run(workspace, "merge", "--month", "2024-08", str(inbox))
    assert (merge.exit_code, merge.output) == (1, report.output)
    assert not (workspace.reports_dir / "2024-08").exists()


def test_not_a_workspace_exits_1(tmp_path):
    result = CliRunner().invoke(main, ["--workspace", str(tmp_path), "tasks"])
    assert result.exit_code == 1
    assert "中没有总任务清单 master_template/任务清单.xlsx" in result.output
    assert "xlsx-tracker init" in result.output


def test_init_makes_a_workspace_anywhere(tmp_path):
    target = tmp_path / "新 工作区"
    result = CliRunner().invoke(main, ["init", str(target)])
    assert result.exit_code == 0
    assert (target / "master_template" / "任务清单.xlsx").exists()
    assert result.output.splitlines()[-1] == "Windows 上双击“打开调度网页.bat”即可打开调度网页(不用命令行)。"
    starter = (target / "打开调度网页.bat").read_bytes().decode("utf-8").split("\r\n")
    assert starter == ["@echo off", "chcp 65001 >nul", 'cd /d "%~dp0"', "echo 正在打开调度网页,请稍候……(关闭本窗口即停止)",
                       f'"{sys.executable}" -m xlsx_tracker serve', "pause", ""]
    again = CliRunner().invoke(main, ["init", str(target)])
    assert again.exit_code == 1 and "已存在" in again.output


def test_master_build_regenerates_from_seed(workspace):
    workspace.master_file.unlink()
    result = run(workspace, "master", "build")
    assert result.exit_code == 0
    assert result.output.endswith("指标 104 项,报送组 81 个,报送事项 101 条。\n")
    assert run(workspace, "master", "check").exit_code == 0


def test_messages_print_on_a_gbk_console(workspace):
    """司法局 PCs often run a GBK console: every message must print there, never crash."""
    env = {**os.environ, "PYTHONIOENCODING": "gbk"}
    done = subprocess.run([sys.executable, "-m", "xlsx_tracker", "-w", str(workspace.root), "deadlines", "--year", "2027"],
                          capture_output=True, env=env, timeout=60)
    assert done.returncode == 1
    assert done.stderr.decode("gbk").startswith("错误:没有 2027 年的法定节假日数据")


def test_settings_saved_by_notepad_are_read(workspace):
    """Notepad on Chinese Windows saves ANSI (GBK), or UTF-8 with a BOM: both are read."""
    settings = workspace.master_dir / "settings.toml"
    text = settings.read_text(encoding="utf-8").replace('name = "李苏日娜"', 'name = "王海燕"')
    for encoding in ("gbk", "utf-8-sig"):
        settings.write_bytes(text.encode(encoding))
        result = run(workspace, "split", "--month", "2024-05", "--unit", "司法局", "--force")
        assert result.exit_code == 0, result.output
        guide = openpyxl.load_workbook(workspace.sheets_dir("2024-05") / "司法局_2024-05.xlsx")["填报说明"]
        assert any("王海燕" in str(c.value) for row in guide.iter_rows() for c in row), encoding


def test_a_broken_settings_file_is_named_with_its_line(workspace):
    settings = workspace.master_dir / "settings.toml"
    lines = settings.read_text(encoding="utf-8").split("\n")
    lines[3] = "name = 王海燕"  # the quotes forgotten
    settings.write_text("\n".join(lines), encoding="utf-8")
    result = run(workspace, "split", "--month", "2024-05")
    assert result.exit_code == 1
    assert result.output == (
        "错误:设置文件 master_template/settings.toml 有错误,请改正后再运行:\n"
        f"[错误·设置文件有误] {settings} / 第4行第8列:格式错误:值的写法不对(文字要加英文双引号,日期写作 2027-01-01)。请对照 README 中的示例改正。\n")


def test_a_merge_that_takes_nothing_does_not_say_it_completed(workspace, tmp_path):
    assert run(workspace, "split", "--month", "2024-05", "--unit", "司法局").exit_code == 0
    inbox = tmp_path / "收件箱"
    inbox.mkdir()
    (inbox / "损坏.xlsx").write_bytes(b"PK\x03\x04broken")
    result = run(workspace, "merge", "--month", "2024-05", str(inbox))
    assert result.exit_code == 1
    lines = result.output.split("\n")
    assert lines[0] == "2024-05 没有可采用的文件:收件目录共 1 个文件(含压缩包内的文件),其中新收 1 个,已入账过 0 个,临时文件 0 个(忽略)。"
    assert "汇总完成" not in result.output and "调度报告" not in result.output
    assert lines[-2] == "错误:没有任何文件可以采用,请按上面列出的问题联系报送单位。"


def test_demo_runs_the_whole_cycle(tmp_path):
    """split → returns → merge → report, 通报, receipts and reminders → a review round → the 工作台账, in one command."""
    result = CliRunner().invoke(main, ["demo", "--dir", str(tmp_path / "演示")], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    reports = tmp_path / "演示" / "reports" / "2024-05"
    lines = result.output.split("\n")
    assert any(line.startswith("[2024-05] 回执 ") and line.endswith(f" 份:{reports / '回执'}") for line in lines)
    assert any(line.startswith("[2024-05] 催报通知 ") and line.endswith(f"未发送):{reports / '催报'}") for line in lines)
    assert f"[2024-05] 通报:{reports / '2024年5月法治政府建设示范创建工作进展情况通报.docx'}" in lines
    assert any((reports / "回执").glob("回执_*_2024-05.xlsx")) and any((reports / "催报").glob("催报_*.eml"))
    assert (reports / "审核_2024-05.xlsx").exists() and (reports / "2024年5月法治政府建设示范创建工作进展情况通报.docx").exists()
    assert (tmp_path / "演示" / "工作台账" / "总目录.xlsx").exists()


def test_click_names_a_missing_file_in_chinese(workspace):
    result = run(workspace, "roster", "import", "不存在.xlsx")
    assert result.exit_code == 2
    assert last_line(result) == "错误:'文件' 的值无效:文件“不存在.xlsx”不存在。"
