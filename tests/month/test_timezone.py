"""The office's clock (settings timezone, Asia/Shanghai unless set): a PC or server set to another zone shows and
judges every receipt time as the office does. The machine's zone is changed inside each test (TZ and tzset)."""

import datetime as dt
import os
import time
import zoneinfo
from email.message import EmailMessage

import pytest

from xlsx_tracker.master.settings import Settings, office_text
from xlsx_tracker.master.tasklist import load_master_or_fail
from xlsx_tracker.month.ledger import ESTIMATED
from xlsx_tracker.month.merge import merge
from xlsx_tracker.month.split import split

MONTH = "2024-05"  # due on Monday 20 May
BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture(params=["UTC", "America/New_York", "Asia/Shanghai"])
def machine_zone(request):
    """This computer set to another zone, as a server often is; put back afterwards."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = request.param
    time.tzset()
    yield request.param
    if before is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = before
    time.tzset()


def mail(attachment: bytes, name: str, received: str) -> bytes:
    """A message saved from a mail client, with the office server's Received line (in UTC, as servers often write it)."""
    message = EmailMessage()
    message["From"], message["Subject"] = "unit@example.com", name
    message["Date"] = "Mon, 20 May 2024 09:00:00 +0800"
    message["Received"] = f"from mx.example.com by mail.office.example; {received}"
    message.set_content("见附件。")
    message.add_attachment(attachment, maintype="application", subtype="octet-stream", filename=name)
    return message.as_bytes()


@pytest.fixture
def issued(workspace, master, calendar, month_of):
    run = month_of(master, calendar, MONTH, workspace)
    return run, {s.unit: s for s in split(run, units=["司法局", "政府办", "区委办"], issued_at=dt.datetime(2024, 5, 6, 9))}


def test_receipt_times_and_the_deadline_are_the_office_s_whatever_the_machine_s_zone(issued, filled_return, tmp_path, machine_zone):
    run, sheets = issued
    inbox = tmp_path / "收件箱"
    inbox.mkdir()
    filled = {u: filled_return(sheets[u], tmp_path / "filled", seed=i).read_bytes() for i, u in enumerate(("司法局", "政府办"))}
    # 10:00 Beijing time on the deadline day; and 02:30 Beijing time the day after, which is still the 20th in UTC
    (inbox / "司法局.eml").write_bytes(mail(filled["司法局"], "司法局_2024-05.xlsx", "Mon, 20 May 2024 02:00:00 +0000"))
    (inbox / "政府办.eml").write_bytes(mail(filled["政府办"], "政府办_2024-05.xlsx", "Mon, 20 May 2024 18:30:00 +0000"))
    result = merge(run, inbox, now=dt.datetime(2024, 5, 22, 9))
    justice, office = result.accepted["司法局"], result.accepted["政府办"]
    assert (justice.receipt_time, justice.receipt_source) == ("2024-05-20 10:00:00", "邮件收到时间(Received)")
    assert (office.receipt_time, office.receipt_source) == ("2024-05-21 02:30:00", "邮件收到时间(Received)")
    assert (result.state.unit("司法局").timeliness_text, result.state.unit("政府办").timeliness_text) == ("按时", "逾期")
    shown = {e.name: e.received for e in result.manifest}  # the 文件清单, to the minute
    assert (shown["司法局.eml/司法局_2024-05.xlsx"], shown["政府办.eml/政府办_2024-05.xlsx"]) == ("2024-05-20 10:00", "2024-05-21 02:30")


def test_the_document_s_own_saved_time_is_read_in_the_office_s_zone(issued, filled_return, tmp_path, machine_zone):
    """No mail, no dated folder: the saved time (written in UTC by Excel) is the estimate, on the office's clock."""
    run, sheets = issued
    saved = dt.datetime(2024, 5, 20, 23, 30, tzinfo=BEIJING)  # late in Beijing, still the afternoon in UTC
    filled_return(sheets["区委办"], tmp_path / "收件箱", saved=saved)
    result = merge(run, tmp_path / "收件箱", now=dt.datetime(2024, 5, 22, 9))
    sub = result.accepted["区委办"]
    assert (sub.saved_at, sub.receipt_time, sub.receipt_source) == ("2024-05-20 23:30:00", "2024-05-20 23:30:00", ESTIMATED)
    assert result.state.unit("区委办").timeliness_text == "按时(推定)"


def test_times_the_tool_makes_are_on_the_office_s_clock(issued, filled_return, tmp_path, machine_zone):
    run, sheets = issued
    filled_return(sheets["司法局"], tmp_path / "收件箱" / "2024-05-19")
    before = dt.datetime.now(BEIJING).replace(tzinfo=None, microsecond=0)
    result = merge(run, tmp_path / "收件箱")  # no time given: now, as the office's clock says
    after = dt.datetime.now(BEIJING).replace(tzinfo=None)
    assert before <= dt.datetime.fromisoformat(result.accepted["司法局"].received_at) <= after
    assert before <= Settings().now() <= dt.datetime.now(BEIJING).replace(tzinfo=None)


def test_an_office_elsewhere_sets_its_zone(workspace, calendar, month_of, filled_return, tmp_path, machine_zone):
    settings = workspace.master_dir / "settings.toml"
    settings.write_text(settings.read_text(encoding="utf-8").replace('timezone = "Asia/Shanghai"', 'timezone = "Asia/Urumqi"'),
                        encoding="utf-8")
    master = load_master_or_fail(workspace)
    assert master.settings.timezone == "Asia/Urumqi"
    run = month_of(master, calendar, MONTH, workspace)
    [sheet] = split(run, units=["司法局"], issued_at=dt.datetime(2024, 5, 6, 9))
    inbox = tmp_path / "收件箱"
    inbox.mkdir()
    (inbox / "司法局.eml").write_bytes(mail(filled_return(sheet, tmp_path / "filled").read_bytes(), "司法局_2024-05.xlsx",
                                           "Mon, 20 May 2024 02:00:00 +0000"))
    result = merge(run, inbox, now=dt.datetime(2024, 5, 22, 9))
    assert result.accepted["司法局"].receipt_time == "2024-05-20 08:00:00"  # UTC+6


@pytest.mark.parametrize(("text", "shown"), [
    ("2024-05-20 02:00:00+00:00", "2024-05-20 10:00:00"),  # a time with its offset
    ("2024-05-19", "2024-05-19"),  # a dated folder's day is the office's day already
    ("不详", "不详"),
])
def test_office_text(text, shown):
    assert office_text(text, BEIJING) == shown
