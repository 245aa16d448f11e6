"""Which of a unit's copies counts: times of one kind only, and a copy without a trustworthy time never wins silently.

The rule on plain records (month.resubmission), then merge on a real inbox: a unit's genuine return beside a copy
whose document properties were stripped, damaged or bloated, and whose time on disk is later."""

import dataclasses
import datetime as dt
import io
import os
import re
import zipfile

import pytest

from xlsx_tracker.month import resubmission
from xlsx_tracker.month.ledger import ESTIMATED, Submission
from xlsx_tracker.month.merge import merge
from xlsx_tracker.month.split import split
from xlsx_tracker.month.state import superseded_reason
from xlsx_tracker.outputs.unit_words import for_unit, unit_fate

MONTH = "2024-05"
BEIJING = dt.timezone(dt.timedelta(hours=8))


def copy(name, saved="", receipt="", how="", recorded="2024-05-21 09:00:00", **changes) -> Submission:
    return dataclasses.replace(Submission(
        name * 8, MONTH, "司法局", name, f"archive/{MONTH}/run.zip/{name}", 100, "2024-05-06 09:00:00", saved, "隐藏表", "v1",
        recorded, "applied", "", "", receipt, how), **changes)


def kept(*subs):
    """The copy kept, whatever order the ledger lists them in."""
    forward, backward = resubmission.winners(list(subs))["司法局"], resubmission.winners(list(reversed(subs)))["司法局"]
    assert forward is backward
    return forward.file_name


# ---------------------------------------------------------------- the rule


def test_the_office_s_receipt_time_comes_before_the_unit_s_saved_time():
    """Received later by the mail server, though saved earlier on the unit's PC: the later receipt is the unit's last word."""
    first = copy("a.xlsx", saved="2024-05-18 10:00:00", receipt="2024-05-18 11:00:00", how="邮件服务器")
    resent = copy("b.xlsx", saved="2024-05-17 16:00:00", receipt="2024-05-19 09:00:00", how="邮件服务器")
    assert kept(first, resent) == "b.xlsx"
    assert resubmission.compare(resent, first) == (True, "receipt")
    assert superseded_reason(first, resent) == ("采用较晚收到的“b.xlsx”(本文件 2024-05-18 收到,采用文件 2024-05-19 收到)", "")


def test_a_dated_folder_tells_a_day_so_the_saved_time_orders_copies_of_one_day():
    folder = copy("a.xlsx", saved="2024-05-18 16:00:00", receipt="2024-05-18", how="收件目录日期")
    mail = copy("b.xlsx", saved="2024-05-18 09:00:00", receipt="2024-05-18 10:00:00", how="邮件服务器")
    assert kept(folder, mail) == "a.xlsx"
    assert resubmission.compare(folder, mail) == (True, "saved")
    assert superseded_reason(mail, folder) == ("采用保存时间较晚的“a.xlsx”(本文件 2024-05-18 09:00:00,采用文件 2024-05-18 16:00:00)", "")


def test_two_mails_of_one_day_are_ordered_to_the_minute():
    morning = copy("a.xlsx", receipt="2024-05-18 09:00:00", how="邮件服务器")
    evening = copy("b.xlsx", receipt="2024-05-18 17:30:00", how="邮件服务器")
    assert kept(morning, evening) == "b.xlsx"
    assert superseded_reason(morning, evening)[0] == "采用较晚收到的“b.xlsx”(本文件 2024-05-18 09:00 收到,采用文件 2024-05-18 17:30 收到)"


@pytest.mark.parametrize("how", [ESTIMATED, "邮件发送时间(推定)", "不详", ""])
def test_an_estimate_is_not_a_receipt(how):
    """A receipt time estimated from the file itself (its saved time, the sender's Date) never outranks a saved time."""
    estimated = copy("a.xlsx", saved="2024-05-18 09:00:00", receipt="2024-05-30 09:00:00", how=how)
    saved_later = copy("b.xlsx", saved="2024-05-19 09:00:00", receipt="2024-05-19", how="收件目录日期")
    assert resubmission.receipt_of(estimated) == ""
    assert kept(estimated, saved_later) == "b.xlsx"


def test_a_copy_without_a_saved_time_is_a_tie_the_better_timed_copy_keeps():
    genuine = copy("司法局_2024-05.xlsx", saved="2024-05-17 10:00:00", receipt="2024-05-18", how="收件目录日期")
    stripped = copy("副本 司法局_2024-05.xlsx", receipt="2024-05-18", how="收件目录日期", recorded="2024-05-25 09:00:00")
    assert kept(genuine, stripped) == "司法局_2024-05.xlsx"
    assert resubmission.compare(genuine, stripped) == (True, "untimed")
    assert superseded_reason(stripped, genuine) == ("与“司法局_2024-05.xlsx”无法判断先后,暂采用有保存时间的“司法局_2024-05.xlsx”,待人工确认", "")


def test_copies_with_no_clock_in_common_keep_the_one_accepted_first():
    saved_only = copy("b.xlsx", saved="2024-05-17 10:00:00", recorded="2024-05-19 09:00:00")
    received_only = copy("a.xlsx", receipt="2024-05-20", how="收件目录日期", recorded="2024-05-21 09:00:00")
    assert resubmission.untimed(saved_only, received_only)
    assert kept(saved_only, received_only) == "b.xlsx"  # the first accepted, not the later folder against a saved time
    nothing = [copy("x.xlsx", recorded="2024-05-22 09:00:00"), copy("y.xlsx", recorded="2024-05-20 09:00:00")]
    assert kept(*nothing) == "y.xlsx"
    same_run = [copy("x.xlsx"), copy("y.xlsx")]
    assert kept(*same_run) == "x.xlsx"  # then the first by name


def test_equal_times_are_the_tie_they_always_were():
    """The same saved time: the later record, then the file name (resubmission-tie, said by the month state)."""
    first = copy("a.xlsx", saved="2024-05-18 10:00:00")
    assert kept(first, copy("b.xlsx", saved="2024-05-18 10:00:00")) == "b.xlsx"
    assert kept(first, copy("0.xlsx", saved="2024-05-18 10:00:00", recorded="2024-05-22 09:00:00")) == "0.xlsx"
    assert resubmission.compare(first, copy("b.xlsx", saved="2024-05-18 10:00:00"))[1] == "equal"


# ---------------------------------------------------------------- on a real inbox

def _without_core(data: bytes) -> bytes:
    return _rewritten(data, lambda name, part: None if name == "docProps/core.xml" else part)


def _damaged_core(data: bytes) -> bytes:
    return _rewritten(data, lambda name, part: re.sub(rb"<dcterms:modified([^>]*)>[^<]*<", rb"<dcterms:modified\1>2024-13-45T99:00:00Z<", part)
                      if name == "docProps/core.xml" else part)


def _oversized_core(data: bytes) -> bytes:
    padding = b"<!--" + b" " * (1024 * 1024 + 1) + b"-->"
    return _rewritten(data, lambda name, part: padding + part if name == "docProps/core.xml" else part)


def _rewritten(data: bytes, change) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            part = change(info.filename, source.read(info))
            if part is not None:
                target.writestr(info.filename, part)
    return out.getvalue()


STRIPPED = {"core.xml removed": _without_core, "core.xml damaged": _damaged_core, "core.xml oversized": _oversized_core}


@pytest.fixture
def issued_month(workspace, master, calendar, month_of):
    run = month_of(master, calendar, MONTH, workspace)
    issued = {s.unit: s for s in split(run, units=["司法局"], issued_at=dt.datetime(2024, 5, 6, 9))}
    return run, issued


@pytest.mark.parametrize("where", ["2024-05-18", ""], ids=["same-dated-folder", "inbox-root"])
@pytest.mark.parametrize("damage", list(STRIPPED))
def test_a_stripped_copy_with_a_later_disk_time_never_supersedes_the_genuine_return(issued_month, filled_return, tmp_path, damage, where):
    run, issued = issued_month
    inbox = tmp_path / "收件箱"
    genuine = filled_return(issued["司法局"], inbox / "2024-05-18", seed=3, saved=dt.datetime(2024, 5, 17, 10, tzinfo=BEIJING))
    change = STRIPPED[damage]
    stripped = inbox / where / "副本 司法局_2024-05.xlsx"
    stripped.parent.mkdir(parents=True, exist_ok=True)
    stripped.write_bytes(change(genuine.read_bytes()))
    later = dt.datetime(2024, 5, 25, 18, tzinfo=BEIJING).timestamp()
    os.utime(stripped, (later, later))  # what a copy made later, or touched by a backup, says on disk
    result = merge(run, inbox, now=dt.datetime(2024, 5, 26, 9))
    winner = "2024-05-18/司法局_2024-05.xlsx"
    lost = f"{where}/副本 司法局_2024-05.xlsx".lstrip("/")
    assert result.accepted["司法局"].file_name == winner
    assert result.accepted["司法局"].saved_at == "2024-05-17 10:00:00"
    [copy_of] = [s for s in result.state.submissions if s.file_name == lost]
    assert (copy_of.saved_at, copy_of.receipt_time[:10]) == ("", where)  # the disk time is neither a saved time nor a receipt
    assert [p.code for p in result.problems if p.file == lost] == ["superseded", "resubmission-untimed"]
    [tie] = [p for p in result.problems if p.code == "resubmission-untimed"]
    why = "本文件没有可信的保存时间(文档属性缺失、损坏或不可信),收到时间也分不出先后"
    assert (tie.severity, tie.unit, tie.message) == ("warning", "司法局", (
        f"同一单位的“{winner}”与本文件无法判断哪份在后:{why};文件在电脑上的修改时间不可靠,不作依据。"
        f"暂采用有保存时间的“{winner}”,请人工确认采用哪一份。"))
    [superseded] = [p for p in result.problems if p.code == "superseded"]
    assert superseded.message.startswith(f"同一单位重复报送,本文件未采用:与“{winner}”无法判断先后,暂采用有保存时间的“{winner}”,待人工确认(保留存档 ")
    entries = {e.name: e for e in result.manifest}  # the 文件清单
    assert entries[lost].fate == f"被取代:与“{winner}”无法判断先后,暂采用有保存时间的“{winner}”,待人工确认"
    assert (entries[winner].fate, entries[winner].received, entries[winner].received_how) == ("采用", "2024-05-18", "收件目录日期")
    assert entries[lost].fate in result.file_list_path.read_text(encoding="utf-8-sig")
    state = result.state
    assert for_unit(state, tie) == ("本单位同月报送了多份,因文件缺少保存时间等信息,无法判断哪份在后,暂以“司法局_2024-05.xlsx”为准。"
                                    "如应以另一份为准,请告知我办。")
    assert unit_fate(state, copy_of) == "未采用:本单位同月报送了多份,以“司法局_2024-05.xlsx”为准。"  # never “the later one”
