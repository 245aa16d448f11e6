"""Mail as intake reads it, no server needed: attachment names however clients wrote them, and a message saved
from a mail client (.eml) dropped into the inbox."""

import datetime as dt

import pytest

from xlsx_tracker.base.workspace import init_workspace
from xlsx_tracker.intake.inbox import list_inbox
from xlsx_tracker.intake.mailparse import MailTooComplex, attachment_parts, attachment_scan, decoded_filename, headline, message_facts, parse
from xlsx_tracker.master.tasklist import load_master_or_fail
from xlsx_tracker.month.merge import merge
from xlsx_tracker.month.split import split

from ..mail.messages import attach, many_attachments, nested, plain, rfc2047

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
    # in the office's zone (settings timezone, Asia/Shanghai by default), whatever this computer is set to
    assert (submission.receipt_time, submission.receipt_source) == ("2024-05-21 08:30:00", "邮件收到时间(Received)")
    assert result.state.unit("审计局").timeliness_text == "逾期"


def test_a_raw_utf8_name_is_read_as_utf8_and_a_raw_gbk_name_as_gb18030():
    utf8 = parse(b'Content-Type: text/plain\nContent-Disposition: attachment; filename="' + "司法局五月.xlsx".encode() + b'"\n\nx')
    gbk = parse(b'Content-Type: text/plain\nContent-Disposition: attachment; filename="' + "司法局五月.xlsx".encode("gbk") + b'"\n\nx')
    unknown = parse(b"Content-Type: text/plain\nContent-Disposition: attachment; filename*=x-no-such-charset''%E8%A1%A8.xlsx\n\nx")
    assert [decoded_filename(m) for m in (utf8, gbk, unknown)] == ["司法局五月.xlsx", "司法局五月.xlsx", "表.xlsx"]


def test_a_message_nested_1200_levels_deep_is_refused_with_its_reason_never_recursion():
    with pytest.raises(MailTooComplex) as refused:
        parse(nested(1200))
    assert refused.value.args[0] == "邮件的层次嵌套过深(超过 100 层)"
    assert [name for name, _ in attachment_parts(parse(nested(40)))] == ["deep.pdf"]  # a deep but bounded one is read


def test_a_forward_chain_1200_messages_deep_is_refused():
    raw = b"From: unit@example.com\r\nSubject: fwd\r\n" + b"Content-Type: message/rfc822\r\n\r\nSubject: fwd\r\n" * 1200 + b"\r\nhello\r\n"
    with pytest.raises(MailTooComplex, match="^邮件的层次嵌套过深"):
        parse(raw)


def test_thousands_of_attachments_are_refused_and_hundreds_are_read():
    with pytest.raises(MailTooComplex) as refused:
        parse(many_attachments(3000))
    assert refused.value.args[0] == "邮件的组成部分超过 1000 个"
    assert len(attachment_parts(parse(many_attachments(300)))) == 300


def test_huge_headers_are_refused_or_cut_and_a_part_with_an_endless_name_is_left_out():
    padded = plain("信头很长")
    padded["X-Padding"] = "x" * 300_000
    with pytest.raises(MailTooComplex) as refused:
        parse(padded.as_bytes())
    assert refused.value.args[0] == "信头过长(超过 256 KB)"
    assert headline(padded.as_bytes())["主题"] == "信头很长"  # the message is still named
    words = " ".join(["=?UTF-8?B?5L2g5aW9?="] * 10_000)  # decoding is quadratic in encoded words: cut first
    raw = (f"From: unit@example.com\r\nSubject: {words}\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
           "--b\r\nContent-Type: text/plain\r\n\r\n请查收\r\n"
           "--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"通知.pdf\"\r\n\r\n%PDF\r\n"
           f"--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"{'长' * 20_000}.pdf\"\r\n\r\n%PDF\r\n"
           "--b--\r\n").encode()
    message = parse(raw)
    found, left_out = attachment_scan(message)
    assert [name for name, _ in found] == ["通知.pdf"]
    assert left_out == ["第 4 个组成部分的信头过长(超过 8000 个字符),未保存"]
    assert message_facts(message)["主题"] == "你好" * 249 + "你…"  # cut to 500 characters


def test_a_saved_message_beyond_the_bounds_is_kept_and_named_in_the_inbox(tmp_path):
    inbox = tmp_path / "收件箱"
    inbox.mkdir()
    (inbox / "层层嵌套.eml").write_bytes(nested(1200))
    (inbox / "许多附件.eml").write_bytes(many_attachments(3000))
    items, ignored = list_inbox(inbox)
    assert [(i.name, i.container, i.problem, i.detail) for i in items] == [
        ("层层嵌套.eml", True, "zip-too-large", "邮件的层次嵌套过深(超过 100 层)"),
        ("许多附件.eml", True, "zip-too-large", "邮件的组成部分超过 1000 个")]
    assert ignored == []
