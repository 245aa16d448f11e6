"""The seed's 附件3 parsed into indicators, reporting groups and tasks."""

from collections import Counter

import pytest

from xlsx_tracker.base.workspace import packaged_master_dir
from xlsx_tracker.master.seed import numbered_items, parse_seed, report_titles
from xlsx_tracker.master.units import Registry


@pytest.fixture(scope="module")
def seed_text():
    return (packaged_master_dir() / "seed.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def table(seed_text):
    return parse_seed(seed_text, Registry.default())


def test_counts_of_indicators_groups_and_assignments(table):
    main = [i for i in table.indicators if i.section == "main"]
    assert [i.number for i in main] == list(range(1, 101))
    groups = {t.group_id for t in table.tasks if t.section == "main"}
    assert len(groups) == 77
    assert table.problems == []
    registry = Registry.default()
    per_unit = Counter(u for t in table.tasks for u in (registry.units if t.units == ("各部门",) else t.units))
    assert len(per_unit) == 32
    assert sum(n for n in per_unit.values()) == 481  # 353 main + 2×32 bonus + 2×32 veto


def test_nine_level1_sections_then_additions(table):
    level1 = list(dict.fromkeys(i.level1 for i in table.indicators))
    assert len(level1) == 10
    assert level1[0] == "一、政府职能依法全面履行"
    assert level1[-1] == "十、附加项"


def test_shared_materials_groups(table):
    groups = {t.group_id: t.indicators for t in table.tasks}
    assert groups["26-29"] == (26, 27, 28, 29)
    assert groups["34-46"] == tuple(range(34, 47))
    assert groups["47-51"] == (47, 48, 49, 50, 51)
    assert groups["52-54"] == (52, 53, 54)
    assert groups["88-90"] == (88, 89, 90)


def test_additions_bonus_for_every_unit_and_veto_self_declared(table):
    extra = [(t.task_id, t.section, t.units, t.materials != "") for t in table.tasks if t.section != "main"]
    assert extra == [("加分1", "bonus", ("各部门",), True), ("加分2", "bonus", ("各部门",), True),
                     ("否决1", "veto", ("各部门",), False), ("否决2", "veto", ("各部门",), False)]


def test_part_with_range_label_and_its_materials(table):
    task = next(t for t in table.tasks if t.task_id == "34-46/3-4")
    assert task.part_text.startswith("3.2023年以来,本级政府贯彻落实《重大行政决策程序暂行条例》")
    assert "\n4.2023年以来本级政府及有关部门对重大行政决策合法性审查的意见书" in task.part_text
    assert task.units[:2] == ("司法局", "政府办")


def test_part_without_space_before_xuhao(table):
    parts = {t.task_id: t.units for t in table.tasks if t.group_id == "6"}
    assert parts == {"6/1": ("市场监督管理局", "自然资源局", "卫生健康委员会", "住房和城乡建设局"),
                     "6/2": ("编办", "自然资源局", "市场监督管理局", "住房和城乡建设局", "卫生健康委员会")}


def test_required_report_titles(table):
    titles = {t.task_id: t.report_titles for t in table.tasks}
    assert titles["1"] == ("关于行政审批事项的情况说明",)
    assert titles["6/1"] == ("关于权责清单的情况说明",)  # 题目设为
    assert titles["26-29"] == ("关于行政规范性文件程序的情况说明",)  # 标题为
    assert sum(1 for t in table.tasks if t.report_titles) == 80


def test_every_task_traceable_to_its_seed_line(table, seed_text):
    lines = seed_text.split("\n")
    for task in table.tasks:
        number = str(task.indicators[0])
        assert lines[task.source_line - 1].strip(" |") == number, task.task_id
    assert max(t.source_line for t in table.tasks) < 470  # the first copy of the table


def test_numbered_items_stop_at_notice():
    text = "1.请提供清单; 2.情况说明(含2023、2024年)。 注意: 1.需提供目录 2.题目为“关于X的情况说明”"
    assert numbered_items(text) == {1: "请提供清单;", 2: "情况说明(含2023、2024年)。"}
    assert report_titles(text) == ("关于X的情况说明",)


def test_a_group_whose_materials_claim_other_indicators_than_it_merges(seed_text):
    """The materials text says which indicators are reported together; the table's merged cells must agree."""
    claimed = seed_text.replace("第26、27、28、29项指标", "第26、27、28项指标")
    found = parse_seed(claimed, Registry.default()).problems
    assert [(p.code, p.file, p.sheet, p.cell, p.severity, p.message) for p in found] == [
        ("group-mismatch", "种子第164行", "", "", "error", "申报材料写明合并报送第26、27、28项指标,但表格合并的是[26, 27, 28, 29]")]
