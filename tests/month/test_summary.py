"""The month's words shared by the 通报 and the report's first page."""

import pytest

from xlsx_tracker.month.summary import percent, points


@pytest.mark.parametrize(("value", "text"), [(42.857, "42.9"), (85.0, "85"), (0, "0"), (99.96, "100"), (47.25, "47.2"), (60.04, "60")])
def test_a_score_prints_to_one_decimal(value, text):
    assert points(value) == text


def test_percent():
    assert (percent(6, 32), percent(0, 32), percent(3, 0)) == ("18.8%", "0.0%", "0%")


def test_red_units_with_the_same_reasons_share_a_line_largest_group_first():
    from types import SimpleNamespace

    from xlsx_tracker.month.lights import GREEN, RED, YELLOW, Light
    from xlsx_tracker.month.summary import red_unit_lines

    state = SimpleNamespace(unit_lights=[
        Light("民政局", RED, ("申报否决项情形已发生(否决1)",)), Light("甲", RED, ("未报送",)), Light("乙", RED, ("未报送",)),
        Light("丙", YELLOW, ("逾期报送",)), Light("丁", GREEN, ()), Light("戊", RED, ("未报送",), 3, True),
        Light("财政局", RED, ("报送空表",))])
    assert red_unit_lines(state) == ["未报送(3个):甲、乙、戊", "民政局:申报否决项情形已发生(否决1)", "财政局:报送空表",
                                     "连续红灯、列入约谈/挂牌督办名单:戊"]
