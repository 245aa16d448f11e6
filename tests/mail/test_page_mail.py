"""The page's mail buttons against the real test servers: “从邮箱收取” saves the attachments as fetch does, “发送”
previews first (nothing sent), then sends on confirmation, each notice once."""

from __future__ import annotations

import datetime as dt

import pytest

from xlsx_tracker.mail import sending
from xlsx_tracker.month.run import month_run
from xlsx_tracker.month.state import load_state

from ..web.conftest import MONTH, open_page, visible
from .messages import PASSWORD, append, attach, plain
from .servers import Refusing, smtp_controller

USER_OF_PAGE = "page-office@example.com"


@pytest.fixture
def smtp():
    handler = Refusing()
    controller = smtp_controller(handler)
    yield controller.port, handler
    controller.stop()


def test_fetch_from_the_page_saves_the_attachments(workspace, dovecot, point_mail, filled_return):
    point_mail(workspace, USER_OF_PAGE, dovecot)
    page = open_page(workspace)
    page.post("/split")
    filled = filled_return(workspace.sheets_dir(MONTH) / "教育局_2024-05.xlsx", workspace.root.parent / "out", seed=3)
    message = attach(plain("教育局5月报送"), "教育局_2024-05.xlsx", filled.read_bytes())
    now = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).replace(microsecond=0)  # after the page's split went out
    append(dovecot, USER_OF_PAGE, [(message.as_bytes(), now.strftime("%a, %d %b %Y %H:%M:%S +0800"))])
    no_password = visible(page.post("/fetch", {"password": ""}, follow_redirects=True).data.decode())
    assert "请填写邮箱密码(网易邮箱为客户端授权码)。密码只用于这一次收取,不会保存。" in no_password
    text = visible(page.post("/fetch", {"password": PASSWORD}, follow_redirects=True).data.decode())
    assert "从邮箱收取(2024-05)已完成" in text and "查看邮件 1 封:新保存附件 1 个,此前已保存 0 个" in text
    assert [p.name for p in (workspace.inbox_dir(MONTH) / now.date().isoformat()).glob("*.xlsx")] == [f"{now:%H%M%S}_教育局_2024-05.xlsx"]
    assert "下一步:点“汇总”。" in text


def test_send_from_the_page_previews_then_sends_on_confirmation(returned_with_mail, smtp):
    page, handler = returned_with_mail, smtp[1]
    preview = visible(page.post("/send", {"kind": "reminders"}).data.decode())
    run = month_run(page.workspace, MONTH)
    expected = sending.sent_lines(sending.plan(run, "reminders", load_state(run).liaisons), "reminders", False,
                                  "确认无误后点“确认发送”", "")
    assert "将发送 人民法院 → court@example.com" in preview and expected[-1] in preview
    assert handler.messages == []  # a preview sends nothing
    sent = visible(page.post("/send", {"kind": "reminders", "confirm": "1", "password": "secret"}, follow_redirects=True).data.decode())
    assert "发送催报通知(2024-05)已完成" in sent and "已发送催报通知 1 封。" in sent
    assert [tos for tos, _ in handler.messages] == [["court@example.com"]]
    again = visible(page.post("/send", {"kind": "reminders", "confirm": "1", "password": "secret"}, follow_redirects=True).data.decode())
    assert "此前已发送过相同催报通知、本次不再发送:人民法院" in again and len(handler.messages) == 1


@pytest.fixture
def returned_with_mail(returned, smtp, point_mail, fill_roster):
    point_mail(returned.workspace, USER_OF_PAGE, smtp_port=smtp[0])
    fill_roster(returned.workspace, {"人民法院": ["王法官", "科长", "1234567", "court@example.com"]})
    assert returned.get("/reports/report").status_code == 200  # the month's documents written again with the roster
    return returned


@pytest.fixture
def returned(workspace, filled_return):
    from ..web.conftest import upload

    page = open_page(workspace)
    page.post("/split")
    upload(page, [filled_return(workspace.sheets_dir(MONTH) / "教育局_2024-05.xlsx", workspace.root.parent / "out", seed=1)])
    page.post("/merge")
    return page
