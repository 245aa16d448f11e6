"""The unit registry: aliases, qualifiers, 各部门 and unknown names."""

import pytest

from xlsx_tracker.master.seed import parse_seed
from xlsx_tracker.master.units import DEFAULT_UNITS, Registry, safe_filename

ALIASES = [
    ("市场局", "市场监督管理局"), ("市场监管局", "市场监督管理局"), ("发改委", "发展和改革委员会"),
    ("发展和改革委员", "发展和改革委员会"), ("应急局", "应急管理局"), ("人社局", "人力资源和社会保障局"),
    ("卫健委", "卫生健康委员会"), ("法院", "人民法院"), ("文化旅游广电局", "文体旅游广电局"),
    ("农牧水利局", "农牧局"), ("区委依法治区办", "司法局"),
]


@pytest.mark.parametrize(("alias", "canonical"), ALIASES)
def test_every_alias(alias, canonical):
    assert Registry.default().canonical(alias) == canonical


def test_default_alias_table_is_exactly_the_tested_one():
    table = {alias: name for name, aliases, _ in DEFAULT_UNITS for alias in aliases}
    assert table == dict(ALIASES)
    assert len(DEFAULT_UNITS) == 32


def test_parts_with_and_without_space_before_xuhao():
    registry = Registry.default()
    spaced = registry.split_lead("序号1:财政局 序号2:发改委、民政局")
    tight = registry.split_lead("序号1:财政局序号2:发改委、民政局")
    assert [(p.part, p.units) for p in spaced] == [("1", ("财政局",)), ("2", ("发展和改革委员会", "民政局"))]
    assert [(p.part, p.units) for p in tight] == [(p.part, p.units) for p in spaced]


def test_range_part_label():
    parts = Registry.default().split_lead("序号1:司法局 序号3-4:政府办、卫健委")
    assert [(p.part, p.units) for p in parts] == [("1", ("司法局",)), ("3-4", ("政府办", "卫生健康委员会"))]


def test_qualifiers_kept_as_notes():
    registry = Registry.default()
    [trailing] = registry.split_lead("生态环境局、市场监管局等执法单位")
    assert trailing.units == ("生态环境局", "市场监督管理局") and trailing.notes == ("等执法单位",)
    [paren] = registry.split_lead("市场监督管理局(涉及行政规范性文件公平竞争审查的单位)")
    assert paren.units == ("市场监督管理局",) and paren.notes == ("涉及行政规范性文件公平竞争审查的单位",)
    [inner] = registry.split_lead("2023年以来代拟区政府规范性文件的区部门(民政局)")
    assert inner.units == ("民政局",) and inner.notes == ("2023年以来代拟区政府规范性文件的区部门",)


def test_space_separated_units():
    [part] = Registry.default().split_lead("政府办 司法局")
    assert part.units == ("政府办", "司法局")


def test_all_departments_expands_to_every_unit():
    registry = Registry.default()
    [part] = registry.split_lead("各部门")
    assert part.units == tuple(registry.units)


def test_unknown_unit_is_a_problem_naming_it_and_the_indicator():
    seed = "\n".join(["附件3:", "任务清单", "一级指标 |", "二级指标 |", "序号 |", "三级指标 |", "申报材料 |", "牵头单位 |",
                      "一、测试 |", "1.测试。 |", "1 |", "指标文字 |", "情况说明 |", "司法局、气象局 | ||"])
    table = parse_seed(seed, Registry.default())
    assert [(p.code, p.file) for p in table.problems] == [("unknown-unit", "种子第11行")]
    assert "未知单位名称“气象局”(编号 1)" in table.problems[0].message
    assert "别名" in table.problems[0].message


@pytest.mark.parametrize(("name", "expected"), [("司法局", "司法局"), ("../etc", "_etc"), ("a/b:c", "a_b_c"), ("CON", "_CON"), ("..", "_")])
def test_safe_filename(name, expected):
    assert safe_filename(name) == expected


def test_lookups_follow_names_added_after_the_first_lookup():
    registry = Registry(units=["司法局"], aliases={"区司法局": "司法局"})
    assert registry.canonical(" 区司法局 ") == "司法局" and registry.canonical("政府办") is None
    registry.units.append("政府办")
    registry.aliases["区政府办"] = "政府办"
    assert (registry.canonical("政府办"), registry.canonical("区政府办")) == ("政府办", "政府办")


def test_a_units_own_name_wins_over_an_alias_spelled_alike():
    registry = Registry(units=["人大办", "政府办"], aliases={"政府办": "人大办"})
    assert registry.canonical("政府办") == "政府办"
