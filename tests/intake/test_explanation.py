"""情况说明 (附件1): length in characters as Word counts them, and the required title, on plain text."""

import dataclasses

import pytest

from xlsx_tracker.intake.explanation import char_count, check, group_in_name, limits

TITLE = "关于依法依纪严肃处理的情况说明"


@pytest.fixture
def task(master):
    return next(t for t in master.tasks if TITLE in t.report_titles)


def text(title: str, characters: int) -> str:
    return f"{title}\n" + "法" * characters


def codes(found):
    return [(p.code, p.severity) for p in found]


def test_counts_characters_as_word_does():
    assert char_count("依法行政,2024年完成3项。") == 12  # 依 法 行 政 , 2024 年 完 成 3 项 。


@pytest.mark.parametrize(("characters", "expected"), [
    (499, []),
    (501, [("explanation-long", "warning")]),
    (1001, [("explanation-too-long", "error")]),
])
def test_length_limits(task, characters, expected):
    assert codes(check(text(TITLE, characters), task)) == expected


def test_titles_exact_near_and_wrong(task):
    assert check(text(TITLE, 100), task) == []
    [near] = check(text("关于依法依纪严肃处理情况的说明", 100), task)
    assert (near.code, near.message) == ("explanation-title-near",
                                         f"情况说明题目“关于依法依纪严肃处理情况的说明”与要求的“{TITLE}”不一致。请按要求的题目改正。")
    [wrong] = check(text("工作总结", 100), task)
    assert (wrong.code, wrong.severity) == ("explanation-title-wrong", "error")


def test_a_task_may_set_its_own_limit(task):
    roomy = dataclasses.replace(task, materials=task.materials + " 情况说明不超过2000字。")
    assert limits(roomy) == (2000, 2000)
    assert check(text(TITLE, 1500), roomy) == []


def test_the_group_a_file_name_names():
    groups = ["1", "21", "26-29", "34-46", "加分1"]
    assert group_in_name("21_关于规章备案的情况说明.docx", groups) == "21"
    assert group_in_name("材料/第34项 情况说明.docx", groups) == "34-46"
    assert group_in_name("指标26-29情况说明.txt", groups) == "26-29"
    assert group_in_name("2024年5月工作总结.docx", groups) == ""  # a year is not an indicator


@pytest.mark.parametrize("empty", ["", "\n \n\u3000\n", "   "])
def test_an_explanation_without_text_is_named(task, empty):
    found = check(empty, task, file="22_情况说明.docx", unit="司法局")
    assert [(p.code, p.severity, p.file, p.sheet, p.cell, p.unit, p.message) for p in found] == [
        ("explanation-empty", "warning", "22_情况说明.docx", "", "", "司法局", "情况说明文件没有文字。")]
