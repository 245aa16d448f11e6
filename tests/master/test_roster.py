"""The 联络员 roster: kept on the master's 联络员 sheet and checked there, or imported from a unit's feedback form."""

import xlsxwriter
from click.testing import CliRunner

from xlsx_tracker.cli import main
from xlsx_tracker.master.roster import import_roster
from xlsx_tracker.master.tasklist import load_master, load_master_or_fail

from ..fields import fields


def test_the_roster_lives_in_the_master_and_is_checked(workspace, fill_roster):
    fill_roster(workspace, {"司法局": ["王海", "科员", "0471-6218033", "wanghai@example.com"],
                            "政府办": ["李娜", "副主任", "电话待定", "lina@"]})
    master = load_master(workspace)
    assert master.roster["司法局"] == {"姓名": "王海", "职务": "科员", "联系电话": "0471-6218033", "电子邮箱": "wanghai@example.com"}
    assert fields([p for p in master.problems if p.code.startswith("roster")], ["code", "cell", "severity"]) == [
        ["roster-bad-phone", "D2", "warning"], ["roster-bad-email", "E2", "warning"]]  # 政府办 is the first unit
    assert len(master.roster) == 2  # units whose row is blank have no liaison yet


def test_roster_import_from_a_filled_feedback_form(workspace, tmp_path):
    form = tmp_path / "附件2 联络员名单反馈表.xlsx"
    book = xlsxwriter.Workbook(str(form))
    sheet = book.add_worksheet("Sheet1")
    for row, values in enumerate([["法治政府建设示范创建工作联络员名单反馈表"], [],
                                  ["单位", "姓名", "职务", "联系电话"],
                                  ["法院", "赵敏", "办公室主任", "0471-6300001"],
                                  ["市场局", "周强", "科长", "13800000000"],
                                  ["气象局", "陈静", "科员", "0471-6300002"]]):
        for col, value in enumerate(values):
            sheet.write_string(row, col, value)
    book.close()
    result = CliRunner().invoke(main, ["roster", "import", str(form), "-w", str(workspace.root)])
    assert result.exit_code == 0, result.output
    assert result.output.split("\n")[0] == ("[错误·联络员名单] 附件2 联络员名单反馈表.xlsx / Sheet1 / A6:未知单位“气象局”。"
                                            "全部单位及别名可用 xlsx-tracker units 查看。")
    assert "已导入 2 个单位的联络员,其中 2 个有变化:人民法院、市场监督管理局。" in result.output
    roster = load_master_or_fail(workspace).roster
    assert roster["人民法院"]["姓名"] == "赵敏" and roster["市场监督管理局"]["联系电话"] == "13800000000"
    assert import_roster(workspace, form).changed == []  # importing the same form again changes nothing
