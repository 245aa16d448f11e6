"""The month's words shared by the 通报 and the report's first page."""

import pytest

from xlsx_tracker.month.summary import percent, points


@pytest.mark.parametrize(("value", "text"), [(42.857, "42.9"), (85.0, "85"), (0, "0"), (99.96, "100"), (47.25, "47.2"), (60.04, "60")])
def test_a_score_prints_to_one_decimal(value, text):
    assert points(value) == text


def test_percent():
    assert (percent(6, 32), percent(0, 32), percent(3, 0)) == ("18.8%", "0.0%", "0%")
