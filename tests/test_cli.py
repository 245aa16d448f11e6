"""The command line, driven with CliRunner in a temporary workspace."""

import json
import os
import subprocess
import sys

from click.testing import CliRunner

from xlsx_tracker.cli import main


def run(workspace, *args):
    return CliRunner().invoke(main, ["--workspace", str(workspace.root), *args])


def test_tasks_json_lists_every_assignment(workspace):
    result = run(workspace, "tasks", "--format", "json")
    assert result.exit_code == 0, result.output
    records = json.loads(result.output)
    assert len(records) == 481
    assert len({r["department"] for r in records}) == 32
    first = records[0]
    assert {k: first[k] for k in ("indicators", "section", "level1", "part", "department")} == {
        "indicators": [1], "section": "main", "level1": "一、政府职能依法全面履行", "part": None, "department": "行政审批局"}
    group = [r for r in records if r["indicators"] == [26, 27, 28, 29]]
    assert [r["department"] for r in group] == ["司法局", "政府办"]
    assert {r["part"] for r in records if r["indicators"][0] == 34} == {"1", "2", "3-4"}
    assert sum(1 for r in records if r["section"] == "veto") == 64


def test_tasks_csv_and_table_for_one_unit_by_alias(workspace):
    csv_out = run(workspace, "tasks", "--format", "csv", "--unit", "法院")
    assert csv_out.exit_code == 0
    lines = csv_out.output.strip().split("\n")
    assert lines[0] == "编号,指标序号,板块,分项,责任单位,一级指标,种子行号"
    assert all(",人民法院," in line for line in lines[1:])
    table = run(workspace, "tasks", "--unit", "人民法院")
    assert table.output.strip().endswith(f"共 {len(lines) - 1} 条任务分配,涉及 1 个单位。")


def test_unknown_unit_option_exits_1(workspace):
    result = run(workspace, "tasks", "--unit", "气象局")
    assert result.exit_code == 1
    assert result.output == "错误:未知单位“气象局”。可用 xlsx-tracker tasks 查看全部单位。\n"


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


def last_line(result) -> str:
    return result.output.strip().split("\n")[-1]


def test_bad_usage_exits_2(workspace):
    bad_date = run(workspace, "workdays", "add", "2024/09/27", "7")
    assert (bad_date.exit_code, last_line(bad_date)) == (
        2, "Error: Invalid value for 'START': 日期“2024/09/27”格式不对,应为 YYYY-MM-DD,例如 2024-05-20")
    bad_month = run(workspace, "split", "--month", "2024-13")
    assert (bad_month.exit_code, last_line(bad_month)) == (
        2, "Error: Invalid value for '--month': 月份“2024-13”格式不对,应为 YYYY-MM,例如 2024-05")
    missing = run(workspace, "deadlines")
    assert (missing.exit_code, last_line(missing)) == (2, "Error: Missing option '--year'.")


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
