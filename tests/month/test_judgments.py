"""Judgments a leader can sign: one place decides each verdict, and every view prints the same one.

Months are generated from plain data (hypothesis) over the embedded master; the invariants hold for every 通报 and
month state written from them: praise follows the light, a declared veto is red and named once, 已退回 never counts
as done, 报送空表 is not a return, and the units chased are one set.
"""

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xlsx_tracker.calendar.workdays import Deadline
from xlsx_tracker.month.figures import key_figures
from xlsx_tracker.month.ledger import ESTIMATED, MonthRecords, Submission
from xlsx_tracker.month.lights import GREEN, RED
from xlsx_tracker.month.rows import REVIEWED
from xlsx_tracker.month.state import compute_state
from xlsx_tracker.outputs.bulletin import bulletin

DEADLINE = Deadline("2024-05", dt.date(2024, 5, 20), dt.date(2024, 5, 20), "当日为工作日,不调整", False)
STATUSES = ["未启动", "推进中", "已完成", "无此情形(已作说明)", ""]
FATES = ["on time", "late", "missing", "blank"]


def submission(unit: str, received: str) -> Submission:
    return Submission(f"{abs(hash(unit)):064d}"[:64], "2024-05", unit, f"{unit}.xlsx", "archive/x.zip/a", 100,
                      "2024-05-06 09:00:00", received, "隐藏表", "v1", "2024-05-21 09:00:00", "applied", "", "", received, ESTIMATED)


def month_records(master, fates: dict[str, str], statuses: dict[str, list[str]], vetoes: set[str], returned: set[str],
                  passed: set[str]) -> MonthRecords:
    """A month as the ledger would give it: each unit's fate, its statuses in task order, and the office's decisions."""
    accepted, values, reviews = {}, {}, {}
    for unit, fate in fates.items():
        if fate == "missing":
            continue
        accepted[unit] = submission(unit, "2024-05-23 10:00:00" if fate == "late" else "2024-05-18 10:00:00")
        rows = {}
        for index, assignment in enumerate(master.assignments_for(unit)):
            if fate == "blank":
                rows[assignment.task_id] = {}
            elif assignment.task.section == "veto":
                rows[assignment.task_id] = {"进展状态": "已发生" if unit in vetoes else "未发生", "本月工作进展": "已写明"}
            else:
                status = statuses[unit][index % len(statuses[unit])]
                rows[assignment.task_id] = {"进展状态": status, "本月工作进展": "已写明"} if status else {}
                if status in ("已完成", "无此情形(已作说明)") and unit in returned | passed:
                    decision = "退回" if unit in returned else "通过"
                    reviews[(unit, assignment.task_id)] = [("2024-05", decision, "材料不足" if decision == "退回" else "", "已写明")]
        values[unit] = rows
    return MonthRecords("2024-05", accepted, [], values, {}, [], reviews=reviews)


@st.composite
def months(draw, units):
    fates = {u: draw(st.sampled_from(FATES)) for u in units}
    statuses = {u: draw(st.lists(st.sampled_from(STATUSES), min_size=1, max_size=4)) for u in units}
    vetoes = draw(st.sets(st.sampled_from(units), max_size=3))
    returned = draw(st.sets(st.sampled_from(units), max_size=4))
    passed = draw(st.sets(st.sampled_from(units), max_size=4)) - returned
    return fates, statuses, vetoes, returned, passed


def sections(content) -> dict[str, list[str]]:
    """The 通报's paragraphs under each heading and subheading."""
    found, current = {}, ""
    for paragraph in content.paragraphs:
        if paragraph.kind in ("heading", "subheading"):
            current = paragraph.text
            found[current] = []
        elif current:
            found[current].append(paragraph.text)
    return found


def mentioned(units, texts) -> set[str]:
    return {u for u in units if any(u in text for text in texts)}


def check_month(master, records):
    state = compute_state(master, DEADLINE, records)
    units = [u.unit for u in state.units]
    light = {x.key: x.light for x in state.unit_lights}
    declared = {r.assignment.unit for r in state.vetoes}
    parts = sections(bulletin(master, state, dt.date(2024, 5, 24)))
    praised = mentioned(units, parts["(一)进展较好的单位"])
    # 1. praise follows the light; a declared veto is red and named once, in the veto paragraph
    assert all(light[u] == GREEN and u not in declared for u in praised)
    assert all(light[u] == RED for u in declared)
    lagging = mentioned(units, parts["(二)进展滞后的单位"])
    assert not (declared & (praised | lagging))
    # a unit red only for not returning (or a blank form) is counted in (二) and named in 三, not twice
    assert not (lagging & {x.key for x in state.unit_lights if x.light == RED and set(x.reasons) <= {"未报送", "报送空表"}})
    veto_lines = [t for t in parts["三、存在的问题"] if t.startswith(tuple(f"{i}.否决项情形" for i in range(1, 9)))]
    assert mentioned(units, veto_lines) == declared
    # 2. a returned claim never counts as done; a closed one always does
    for row in state.rows:
        if row.review == "已退回":
            assert row.counted_status not in ("已完成", "无此情形(已作说明)")
        if row.review == REVIEWED:
            assert row.counted_status in ("已完成", "无此情形(已作说明)")
    # 3. 报送空表 is not a return: not on time, chased with that reason
    blank = {u.unit for u in state.units if u.blank}
    assert blank == {u for u, fate in FATES_OF[id(records)].items() if fate == "blank"}
    assert not any(u.returned or u.on_time for u in state.units if u.blank)
    # 5. one set: the units chased are those the 通报 counts, and the figures count them
    chased = {f.unit: set(f.kinds) for f in state.follow_ups}
    figures = key_figures(state)
    assert figures["follow_ups"] == len(chased)
    assert figures["blank_forms"] == sum(1 for kinds in chased.values() if "blank" in kinds) == len(blank)
    assert figures["not_returned"] == sum(1 for kinds in chased.values() if "not-returned" in kinds)
    assert figures["late"] == sum(1 for kinds in chased.values() if "late" in kinds)
    # praise and chasing never meet: with the default rules every reason to chase a unit also takes its green light
    assert not (praised & set(chased))
    problems_text = "".join(parts["三、存在的问题"])
    for unit, kinds in chased.items():
        if kinds & {"not-returned", "blank"}:
            assert unit in problems_text
    return state


FATES_OF: dict[int, dict[str, str]] = {}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_every_generated_month_keeps_its_judgments_consistent(master, data):
    fates, statuses, vetoes, returned, passed = data.draw(months(master.registry.units))
    records = month_records(master, fates, statuses, vetoes, returned, passed)
    FATES_OF[id(records)] = fates
    check_month(master, records)


def test_a_declared_veto_is_red_even_for_the_best_scorer_and_is_never_praised(master):
    fates = dict.fromkeys(master.registry.units, "on time")
    statuses = {u: ["已完成"] for u in master.registry.units}
    records = month_records(master, fates, statuses, {"民政局"}, set(), set())
    FATES_OF[id(records)] = fates
    state = check_month(master, records)
    veto = state.light_of("民政局")
    assert (veto.light, veto.reasons[0]) == (RED, "申报否决项情形已发生(否决1、否决2)")  # both its veto items declared


def test_returned_claims_lose_their_credit_at_once(master):
    fates = dict.fromkeys(master.registry.units, "on time")
    statuses = {u: ["已完成"] for u in master.registry.units}
    before = compute_state(master, DEADLINE, month_records(master, fates, statuses, set(), set(), set()))
    after = compute_state(master, DEADLINE, month_records(master, fates, statuses, set(), {"民政局"}, set()))
    # 民政局: every non-veto task 已完成 (100) before; returned, each counts as 推进中 (50)
    assert (before.unit("民政局").progress, after.unit("民政局").progress) == (100.0, 50.0)
    assert after.unit("民政局").rank > before.unit("民政局").rank


def test_unreviewed_claims_count_only_when_the_settings_say_so(master):
    import dataclasses

    fates = dict.fromkeys(master.registry.units, "on time")
    statuses = {u: ["已完成"] for u in master.registry.units}
    records = month_records(master, fates, statuses, set(), set(), set())
    strict = dataclasses.replace(master, settings=dataclasses.replace(
        master.settings, scoring=dataclasses.replace(master.settings.scoring, count_unreviewed_as_done=False)))
    assert compute_state(master, DEADLINE, records).unit("民政局").progress == 100.0
    assert compute_state(strict, DEADLINE, records).unit("民政局").progress == 50.0  # 待审核 counts as 推进中


def test_an_untouched_return_is_a_blank_form_and_chased(master):
    fates = {u: "missing" for u in master.registry.units}
    fates["财政局"] = "blank"
    records = month_records(master, fates, {u: ["推进中"] for u in master.registry.units}, set(), set(), set())
    FATES_OF[id(records)] = fates
    state = check_month(master, records)
    score = state.unit("财政局")
    assert (score.returned, score.blank, score.on_time, score.total, score.timeliness_text) == (False, True, False, 0, "报送空表")
    assert state.follow_up_of("财政局").kinds == ("blank",)
    assert state.light_of("财政局").reasons == ("报送空表",)


def test_files_in_dated_folders_are_not_a_tie():
    from xlsx_tracker.month.state import superseded_reason

    def copy(name, receipt, how="收件目录的日期文件夹"):
        return Submission(name * 64, "2024-06", "教育局", f"{name}.xlsx", "archive/x.zip/a", 100, "2024-06-02 09:00:00",
                          "2024-06-15 10:00:00", "隐藏表", "v1", "2024-06-21 09:00:00", "applied", "", "", receipt, how)
    earlier, later = copy("a", "2024-06-18 00:00:00"), copy("b", "2024-06-19 00:00:00")
    assert later.order_key > earlier.order_key  # the later folder wins
    assert superseded_reason(earlier, later) == ("采用较晚收到的“b.xlsx”(本文件 2024-06-18 收到,采用文件 2024-06-19 收到)", "")
    same_day = copy("c", "2024-06-19 00:00:00")
    assert superseded_reason(later, same_day) == ("两份文件下发、保存、收到时间都相同,按文件名顺序采用“c.xlsx”", "文件名顺序")  # a real tie
