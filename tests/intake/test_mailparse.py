"""Mail as intake reads it, no server needed: attachment names however clients wrote them, and a message saved
from a mail client (.eml) dropped into the inbox."""

import datetime as dt

from xlsx_tracker.base.workspace import init_workspace
from xlsx_tracker.intake.mailparse import decoded_filename, parse
from xlsx_tracker.master.tasklist import load_master_or_fail
from xlsx_tracker.month.merge import merge
from xlsx_tracker.month.split import split

from ..mail.messages import attach, plain, rfc2047

MONTH = "2024-05"


def test_names_decoded_however_they_were_sent():
    gbk = parse(b'Content-Type: text/plain\nContent-Disposition: attachment; filename="' + "表一.xlsx".encode("gbk") + b'"\n\nx')
    assert decoded_filename(gbk) == "表一.xlsx"
    encoded = parse(b'Content-Type: text/plain\nContent-Disposition: attachment; filename=' + rfc2047("表二.xlsx", "GBK") + b"\n\nx")
    assert decoded_filename(encoded) == "表二.xlsx"
    continued = parse(b"Content-Type: text/plain\nContent-Disposition: attachment; filename*=UTF-8''%E8%A1%A8%E4%B8%89.xlsx\n\nx")
    assert decoded_filename(continued) == "表三.xlsx"


def test_a_message_saved_from_a_mail_client_is_opened_like_fetched_mail(tmp_path, calendar, month_of, filled_return):
    """An .eml dropped into the inbox: its attachments merged, received when its top Received header says."""
    workspace = init_workspace(tmp_path / "工作区")
    master = load_master_or_fail(workspace)
    run = month_of(master, calendar, MONTH, workspace)
    issued = {s.unit: s for s in split(run, issued_at=dt.datetime(2024, 5, 6, 9))}
    workbook = filled_return(issued["审计局"], tmp_path / "filled").read_bytes()
    message = attach(plain("审计局进展表", date="Sun, 19 May 2024 18:00:00 +0800"), "审计局_2024-05.xlsx", workbook)
    message["Received"] = "from mx.example.com by mail.office.example; Tue, 21 May 2024 08:30:00 +0800"
    inbox = tmp_path / "收件箱"
    inbox.mkdir()
    (inbox / "审计局进展表.eml").write_bytes(message.as_bytes())
    result = merge(run, inbox, now=dt.datetime(2024, 5, 22))
    submission = result.accepted["审计局"]
    assert submission.file_name == "审计局进展表.eml/审计局_2024-05.xlsx"
    beijing = dt.timezone(dt.timedelta(hours=8))  # shown in the office PC's local time (Beijing time there)
    local = dt.datetime(2024, 5, 21, 8, 30, tzinfo=beijing).astimezone().replace(tzinfo=None)
    assert (submission.receipt_time, submission.receipt_source) == (local.isoformat(sep=" "), "邮件收到时间(Received)")
    assert result.state.unit("审计局").timeliness_text == "逾期"
