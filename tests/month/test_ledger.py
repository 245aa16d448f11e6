"""The ledger on records made in Python: what is recorded reads back, which file of a unit wins, which problems
count, what the next month is prefilled with, and the bookkeeping of issues, lights, fetches, sends and reviews."""

import sqlite3
import sys
from dataclasses import replace

import pytest

from xlsx_tracker.base.model import Carried, Problem, TrackerError
from xlsx_tracker.month import ledger, mail_ledger
from xlsx_tracker.month.ledger import Recorded, Submission

MONTH = "2024-05"


def submission(unit, file_name=None, month=MONTH, sha=None, **changes) -> Submission:
    """A recorded return: applied, issued on the 6th, saved on the 18th, received on the 19th, unless told otherwise."""
    name = file_name or f"{unit}_{month}.xlsx"
    return replace(Submission(sha or f"{unit}/{name}/{month}", month, unit, name, f"archive/{month}/run.zip/{name}", 1000,
                              f"{month}-06 09:00:00", f"{month}-18 10:00:00", "隐藏表", "v1", f"{month}-21 09:00:00", "applied",
                              receipt_time=f"{month}-19 09:00:00", receipt_source="收件目录日期"), **changes)


def record(conn, sub, rows=None, evidence=(), liaison=None, problems=()):
    ledger.record(conn, Recorded(sub, rows or {}, list(evidence), liaison or {}, list(problems)).prepare(item=None))
    return sub


@pytest.fixture
def conn(tmp_path):
    conn = ledger.connect(tmp_path / "ledger.sqlite")
    yield conn
    conn.close()


# ---------------------------------------------------------------- the file


def test_a_new_ledger_has_every_table_and_a_rollback_journal(conn):
    tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert tables == {"submissions", "row_values", "evidence", "liaison", "issues", "issue_rows", "fetched", "sent", "reviews", "lights", "problems", "written"}
    assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)


def test_a_ledger_of_the_first_release_gets_the_later_columns(tmp_path):
    """Written before doubt and the receipt time were kept: its rows read back with those fields empty."""
    path = tmp_path / "ledger.sqlite"
    old = sqlite3.connect(path)
    old.execute("CREATE TABLE submissions (sha256 TEXT NOT NULL, month TEXT NOT NULL, unit TEXT NOT NULL, file_name TEXT NOT NULL, "
                "archive_path TEXT NOT NULL, size INTEGER NOT NULL, issued TEXT, saved_at TEXT, identity_source TEXT, "
                "master_version TEXT, received_at TEXT NOT NULL, outcome TEXT NOT NULL, reason TEXT NOT NULL DEFAULT '', "
                "PRIMARY KEY (sha256, month))")
    old.execute("INSERT INTO submissions VALUES ('abc', '2024-05', '司法局', '司法局.xlsx', 'a.zip/x', 10, '', '', '', 'v1', "
                "'2024-05-21 09:00:00', 'applied', '')")
    old.commit()
    old.close()
    conn = ledger.connect(path)
    try:
        [sub] = ledger.submissions(conn, MONTH)
        assert (sub.unit, sub.doubt, sub.receipt_time, sub.receipt_source) == ("司法局", "", "", "")
    finally:
        conn.close()


def test_a_transaction_is_all_or_nothing(conn):
    with pytest.raises(RuntimeError), ledger.transaction(conn):
        record(conn, submission("司法局"))
        raise RuntimeError("killed mid-run")
    assert ledger.submissions(conn, MONTH) == []
    with ledger.transaction(conn):
        record(conn, submission("司法局"))
    assert [s.unit for s in ledger.submissions(conn, MONTH)] == ["司法局"]


# ---------------------------------------------------------------- what is recorded reads back


def test_a_return_reads_back_as_recorded(conn):
    sub = record(conn, submission("司法局"), rows={"21": {"进展状态": "已完成", "本月工作进展": "已印发"}, "22": {"进展状态": "推进中"}},
                 evidence=[{"编号": "21", "材料名称": "通知"}, {"编号": "22", "材料名称": "纪要"}],
                 liaison={"姓名": "王海", "联系电话": "0471-6218033"},
                 problems=[Problem("status-normalized", "已按“已完成”处理", "司法局_2024-05.xlsx", "任务清单", "C3", "司法局", "warning")])
    assert ledger.submissions(conn, MONTH) == [sub]
    assert ledger.row_values(conn, sub.sha256, MONTH) == {"21": {"进展状态": "已完成", "本月工作进展": "已印发"}, "22": {"进展状态": "推进中"}}
    assert ledger.contents_by_file(conn, MONTH, {"司法局": sub}) == {"司法局": ledger.Contents(
        {"21": {"进展状态": "已完成", "本月工作进展": "已印发"}, "22": {"进展状态": "推进中"}},
        [{"编号": "21", "材料名称": "通知"}, {"编号": "22", "材料名称": "纪要"}],
        {"姓名": "王海", "联系电话": "0471-6218033"})}
    assert ledger.problems(conn, MONTH, [sub], {"司法局": sub}) == [
        Problem("status-normalized", "已按“已完成”处理", "司法局_2024-05.xlsx", "任务清单", "C3", "司法局", "warning")]
    assert ledger.known_hashes(conn, MONTH) == {sub.sha256} and ledger.known_hashes(conn, "2024-06") == set()
    assert ledger.months(conn) == [MONTH]


def test_nothing_recorded_reads_as_empty(conn):
    nothing = replace(submission("司法局"), sha256="none")
    assert ledger.row_values(conn, "none", MONTH) == {}
    assert ledger.contents_by_file(conn, MONTH, {"司法局": nothing}) == {"司法局": ledger.Contents({}, [], {})}


def test_short_texts_are_shared_and_narratives_are_not(conn):
    narrative = "已召开专题会议部署,形成会议纪要一份,正在按指标要求逐项整理2023年以来的台账材料。"
    assert len(narrative) > ledger.SHARED_TEXT
    for unit in ("司法局", "政府办"):
        record(conn, submission(unit), rows={"21": {"进展状态": "推进中", "本月工作进展": narrative}})
    justice, office = (ledger.row_values(conn, f"{u}/{u}_{MONTH}.xlsx/{MONTH}", MONTH)["21"] for u in ("司法局", "政府办"))
    assert justice["进展状态"] is office["进展状态"] is sys.intern("推进中")
    assert justice["本月工作进展"] == office["本月工作进展"] and justice["本月工作进展"] is not office["本月工作进展"]


def test_forget_removes_a_file_from_every_table(conn):
    kept = record(conn, submission("政府办"), rows={"1": {"进展状态": "推进中"}})
    gone = record(conn, submission("司法局"), rows={"21": {"进展状态": "已完成"}}, evidence=[{"编号": "21"}], liaison={"姓名": "王海"},
                  problems=[Problem("reader-timeout", "超时")])
    ledger.forget(conn, gone.sha256, MONTH)
    left = {table: conn.execute(f"SELECT sha256 FROM {table}").fetchall() for table in ("submissions", "row_values", "evidence", "liaison", "problems")}
    assert left == {"submissions": [(kept.sha256,)], "row_values": [(kept.sha256,)], "evidence": [], "liaison": [], "problems": []}
    assert ledger.submissions(conn, MONTH) == [kept]


def test_files_whose_reader_crashed_or_timed_out_are_read_again(conn):
    crashed = record(conn, submission("司法局"), problems=[Problem("reader-crashed", "异常退出")])
    slow = record(conn, submission("政府办"), problems=[Problem("reader-timeout", "超时"), Problem("reader-timeout", "又超时")])
    record(conn, submission("区委办"), problems=[Problem("invalid-status", "无效")])
    record(conn, submission("组织部", month="2024-04"), problems=[Problem("reader-crashed", "异常退出")])
    assert ledger.failed_reads(conn, MONTH) == {crashed.sha256, slow.sha256}


# ---------------------------------------------------------------- which file of a unit wins


@pytest.mark.parametrize(("earlier", "later", "why"), [
    ({"doubt": "文件名表明是教育局的表"}, {}, "an undoubted file beats a doubted one"),
    ({"issued": "2024-05-06 09:00:00"}, {"issued": "2024-05-08 09:00:00", "saved_at": "2024-05-01 00:00:00"}, "the newest issue first"),
    ({"saved_at": "2024-05-18 10:00:00"}, {"saved_at": "2024-05-18 10:00:01"}, "then the latest save"),
    ({"receipt_time": "2024-05-19 09:00:00"}, {"receipt_time": "2024-05-20 09:00:00"}, "then the latest receipt"),
    ({"received_at": "2024-05-21 09:00:00"}, {"received_at": "2024-05-22 09:00:00"}, "then the latest record"),
    ({"file_name": "a.xlsx"}, {"file_name": "b.xlsx"}, "then the file name"),
])
def test_the_resubmission_rule(earlier, later, why):
    loser, winner = submission("司法局", sha="1", **earlier), submission("司法局", sha="2", **later)
    assert ledger.winners([winner, loser]) == {"司法局": winner}, why
    assert ledger.winners([loser, winner]) == {"司法局": winner}, why


def test_only_applied_files_win(conn):
    rejected = record(conn, submission("司法局", "last_month_copy.xlsx", outcome="rejected", saved_at="2024-05-30 00:00:00"))
    material = record(conn, submission("", "通知.pdf", outcome="material"))
    applied = record(conn, submission("司法局", "司法局_2024-05.xlsx"))
    assert ledger.accepted(conn, MONTH) == {"司法局": applied}
    assert {s.sha256 for s in ledger.submissions(conn, MONTH)} == {rejected.sha256, material.sha256, applied.sha256}


def test_problems_that_count_are_of_rejected_files_materials_winners_and_doubted_files(conn):
    def one(sub, code):
        return record(conn, sub, problems=[Problem(code, f"{sub.file_name} 的问题", sub.file_name)])

    one(submission("司法局", "a_first.xlsx", saved_at="2024-05-10 09:00:00"), "superseded")  # lost to b_second: not counted
    one(submission("司法局", "b_second.xlsx"), "invalid-status")
    one(submission("", "c_corrupt.xlsx", outcome="rejected"), "corrupt-file")
    one(submission("", "d_notice.pdf", outcome="material"), "material-received")
    one(submission("", "e_bundle.zip", outcome="container"), "zip-too-large")
    one(submission("政府办", "f_doubted.xlsx", doubt="文件名表明是教育局的表", saved_at="2024-05-01 09:00:00"), "identity-conflict")
    one(submission("政府办", "g_政府办.xlsx"), "empty-status")
    subs = ledger.submissions(conn, MONTH)
    counted = ledger.problems(conn, MONTH, subs, ledger.winners(subs))
    assert [(p.file, p.code) for p in counted] == [("b_second.xlsx", "invalid-status"), ("c_corrupt.xlsx", "corrupt-file"),
                                                   ("d_notice.pdf", "material-received"), ("e_bundle.zip", "zip-too-large"),
                                                   ("f_doubted.xlsx", "identity-conflict"), ("g_政府办.xlsx", "empty-status")]


# ---------------------------------------------------------------- a month, and the months before it


@pytest.fixture
def two_months(conn):
    """司法局 returns in April and twice in May; 政府办 only in April."""
    record(conn, submission("司法局", month="2024-04"), rows={"21": {"进展状态": "推进中", "预计完成时间": "2024-05-31"}},
           liaison={"姓名": "王海"})
    record(conn, submission("政府办", month="2024-04"), rows={"1": {"进展状态": "未启动"}},
           evidence=[{"编号": "1", "材料名称": "方案", "网址": "http://a.gov.cn/1", "审核": "内部字段"}],
           liaison={"姓名": "李娜", "职务": "副主任", "收到时间": "内部字段"})
    first = record(conn, submission("司法局", "first.xlsx", saved_at="2024-05-10 09:00:00"),
                   rows={"21": {"进展状态": "推进中"}}, liaison={"姓名": "王海"})
    second = record(conn, submission("司法局", "second.xlsx"), rows={"21": {"进展状态": "已完成"}},
                    evidence=[{"编号": "21", "材料名称": "通知"}], liaison={"姓名": "张伟"})
    return first, second


def test_load_month_reads_the_winner_and_what_came_before(conn, two_months):
    first, second = two_months
    month = ledger.load_month(conn, MONTH)
    assert (month.month, month.accepted, month.superseded) == (MONTH, {"司法局": second}, [first])
    assert month.submissions == [first, second]
    assert (month.values, month.evidence) == ({"司法局": {"21": {"进展状态": "已完成"}}}, {"司法局": [{"编号": "21", "材料名称": "通知"}]})
    assert month.liaison_history == [("2024-04", "司法局", {"姓名": "王海"}), ("2024-04", "政府办", {"姓名": "李娜", "职务": "副主任", "收到时间": "内部字段"}),
                                      (MONTH, "司法局", {"姓名": "张伟"})]
    assert month.earlier_values == [("2024-04", {"司法局": {"21": {"进展状态": "推进中", "预计完成时间": "2024-05-31"}},
                                                 "政府办": {"1": {"进展状态": "未启动"}}})]
    assert (month.earlier_lights, month.reviews) == ([], {})


def test_the_next_month_is_prefilled_from_each_units_latest_return(conn, two_months):
    carried = ledger.carried(conn, "2024-06")
    assert carried == {
        "司法局": Carried({"21": {"进展状态": "已完成"}}, [{"编号": "21", "材料名称": "通知"}], {"姓名": "张伟"}),
        "政府办": Carried({"1": {"进展状态": "未启动"}}, [{"编号": "1", "材料名称": "方案", "网址": "http://a.gov.cn/1"}],  # only the sheet's columns
                        {"姓名": "李娜", "职务": "副主任"}),
    }
    assert ledger.carried(conn, "2024-04") == {}  # nothing before the first month


def test_a_returned_claim_carries_the_reason_into_the_next_workbook(conn, two_months):
    ledger.record_review(conn, "司法局", "21", MONTH, "退回", "缺少印发文件", "张审核", {"进展状态": "已完成"}, [], "2024-06-01 09:00:00")
    ledger.record_review(conn, "政府办", "1", "2024-04", "通过", "", "张审核", {}, [], "2024-06-01 09:00:00")
    carried = ledger.carried(conn, "2024-06")
    assert carried["司法局"].reviews == {"21": ("退回", "缺少印发文件")}
    assert carried["司法局"].rows["21"] == {"进展状态": "已完成"}  # the unit's own values, untouched
    assert carried["政府办"].reviews == {"1": ("通过", "")}


def test_a_reason_never_goes_into_what_the_unit_wrote(conn):
    record(conn, submission("司法局"), rows={"21": {"存在问题及需协调事项": "需财政局提供数据"}})
    ledger.record_review(conn, "司法局", "21", MONTH, "退回", "缺少印发文件", "张审核", {}, [], "2024-06-01 09:00:00")
    carried = ledger.carried(conn, "2024-06")["司法局"]
    assert carried.rows["21"]["存在问题及需协调事项"] == "需财政局提供数据"
    assert carried.reviews["21"] == ("退回", "缺少印发文件")


def test_a_pass_closes_a_task_whatever_came_after(conn):
    record(conn, submission("司法局"), rows={"21": {"进展状态": "已完成"}})
    ledger.record_review(conn, "司法局", "21", "2024-04", "通过", "", "甲", {}, [], "2024-06-01 09:00:00")
    ledger.record_review(conn, "司法局", "21", MONTH, "退回", "误退", "乙", {}, [], "2024-06-01 09:00:00")
    assert ledger.carried(conn, "2024-06")["司法局"].reviews["21"] == ("通过", "")


def test_reviews_are_listed_in_month_order_and_a_later_decision_replaces_an_earlier_one(conn):
    ledger.record_review(conn, "司法局", "21", "2024-05", "退回", "缺少文件", "甲", {}, [], "2024-06-01 09:00:00")
    ledger.record_review(conn, "司法局", "21", "2024-04", "退回", "缺少纪要", "甲", {}, [], "2024-06-01 09:00:00")
    ledger.record_review(conn, "司法局", "21", "2024-05", "通过", "", "乙", {}, [], "2024-06-01 09:00:00")  # the same month decided again
    ledger.record_review(conn, "司法局", "21", "2024-06", "退回", "以后的月份", "乙", {}, [], "2024-06-01 09:00:00")
    assert ledger.reviews_until(conn, MONTH) == {("司法局", "21"): [("2024-04", "退回", "缺少纪要", ""), ("2024-05", "通过", "", "")]}


# ---------------------------------------------------------------- issues, lights, fetches and sends


def test_issue_snapshots_are_kept_per_unit_and_time_and_shared(conn):
    assert not ledger.was_issued(conn, MONTH)
    rows = [["21", {"编号": "21"}, False]]
    ledger.record_issue(conn, MONTH, "司法局", "2024-05-06 09:00:00", "v1", "2024-05-20", rows)
    ledger.record_issue(conn, MONTH, "司法局", "2024-05-08 09:00:00", "v2", "2024-05-20", rows)
    ledger.record_issue(conn, MONTH, "政府办", "2024-05-06 09:00:00", "v1", "2024-05-20", rows)
    ledger.record_issue(conn, MONTH, "政府办", "2024-05-06 09:00:00", "v1", "2024-05-20", [])  # issued again at the same time: replaced
    issues = ledger.issues(conn, MONTH)
    assert issues == {"司法局": {"2024-05-06 09:00:00": '[["21", {"编号": "21"}, false]]', "2024-05-08 09:00:00": '[["21", {"编号": "21"}, false]]'},
                      "政府办": {"2024-05-06 09:00:00": "[]"}}
    assert issues["司法局"]["2024-05-06 09:00:00"] is issues["司法局"]["2024-05-08 09:00:00"]
    assert ledger.was_issued(conn, MONTH) and not ledger.was_issued(conn, "2024-06")
    assert conn.execute("SELECT COUNT(*) FROM issue_rows").fetchone()[0] == 2  # the rows three issues share are stored once


def test_a_ledger_written_before_shared_rows_still_gives_its_snapshots(conn):
    # a ledger of an earlier version holds each issue's JSON text in the issues table itself
    conn.execute("INSERT INTO issues VALUES (?,?,?,?,?,?)", (MONTH, "司法局", "2024-05-06 09:00:00", "v1", "2024-05-20", '[["21", {}, false]]'))
    ledger.record_issue(conn, MONTH, "政府办", "2024-05-06 09:00:00", "v1", "2024-05-20", [["22", {}, False]])
    assert ledger.issues(conn, MONTH) == {"司法局": {"2024-05-06 09:00:00": '[["21", {}, false]]'},
                                          "政府办": {"2024-05-06 09:00:00": '[["22", {}, false]]'}}


def test_an_issue_whose_shared_rows_are_missing_is_refused_not_judged_against_nothing(conn):
    ledger.record_issue(conn, MONTH, "司法局", "2024-05-06 09:00:00", "v1", "2024-05-20", [["21", {}, False]])
    conn.execute("DELETE FROM issue_rows")  # a copy of the issues table alone, as a hand-made tool might make
    with pytest.raises(TrackerError, match="台账中司法局于 2024-05-06 09:00:00 下发的内容缺失,无法核对其报回的文件。请从备份恢复 ledger.sqlite 后重试。"):
        ledger.issues(conn, MONTH)


def test_lights_kept_for_a_month_replace_its_earlier_grades(conn):
    ledger.keep_lights(conn, "2024-04", "unit", [("司法局", "红灯", ["未报送"]), ("政府办", "绿灯", [])])
    ledger.keep_lights(conn, "2024-05", "unit", [("司法局", "黄灯", ["逾期报送"])])
    ledger.keep_lights(conn, "2024-05", "unit", [("司法局", "红灯", ["未报送"])])  # the month re-run
    ledger.keep_lights(conn, "2024-05", "indicator", [("1", "红灯", [])])  # indicators are not units
    assert ledger.lights_before(conn, "2024-06") == [("2024-04", {"司法局": "红灯", "政府办": "绿灯"}), ("2024-05", {"司法局": "红灯"})]
    assert ledger.lights_before(conn, "2024-04") == []
    assert conn.execute("SELECT reasons FROM lights WHERE month='2024-04' AND key='司法局'").fetchone() == ('["未报送"]',)


def test_a_fetched_attachment_and_a_sent_notice_are_recorded_once(conn):
    mail_ledger.record_fetch(conn, "<1@mail>", "abc", MONTH, "inbox/2024-05/司法局.xlsx", "2024-05-19 09:00:00")
    mail_ledger.record_fetch(conn, "<1@mail>", "abc", MONTH, "inbox/2024-05/其他路径.xlsx", "2024-05-20 09:00:00")
    mail_ledger.record_fetch(conn, "<2@mail>", "abc", MONTH, "inbox/2024-05/转发.xlsx", "2024-05-20 09:00:00")
    assert mail_ledger.fetched(conn) == {("<1@mail>", "abc"), ("<2@mail>", "abc")}
    mail_ledger.record_sent(conn, MONTH, "reminders", "人民法院", "d1", "court@example.com", "2024-05-24 09:00:00")
    mail_ledger.record_sent(conn, MONTH, "reminders", "人民法院", "d1", "court@example.com", "2024-05-24 09:00:00")
    mail_ledger.record_sent(conn, MONTH, "receipts", "司法局", "d2", "justice@example.com", "2024-05-24 09:00:00")
    assert mail_ledger.sent_digests(conn, MONTH, "reminders") == {("人民法院", "d1")}
    assert mail_ledger.sent_digests(conn, "2024-06", "reminders") == set()
