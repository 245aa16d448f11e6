"""Who may open the page and what a post must carry: the printed address's token, its cookie, the CSRF token, the
page's own Host; on the office network, the password of settings.toml."""

from __future__ import annotations

import pytest

from xlsx_tracker.base.model import TrackerError
from xlsx_tracker.web.app import LOGIN_TRIES, Site, create_app
from xlsx_tracker.web.serve import plan

from .conftest import MONTH, open_page, visible


def test_a_request_without_the_token_is_refused_in_chinese(workspace):
    client = create_app(Site(workspace)).test_client()
    response = client.get("/")
    assert response.status_code == 403
    assert "本页只能用 xlsx-tracker serve 打印的地址打开" in visible(response.data.decode())


def test_a_wrong_token_or_cookie_is_refused(workspace):
    site = Site(workspace)
    client = create_app(site).test_client()
    assert client.get("/?token=guess").status_code == 403
    client.set_cookie(site.cookie, "guess")
    assert client.get("/").status_code == 403


def test_the_printed_address_sets_the_cookie_and_drops_the_token_from_the_address(workspace):
    site = Site(workspace)
    client = create_app(site).test_client()
    response = client.get(f"/split?token={site.token}&month=2024-05")
    assert response.status_code == 302 and response.headers["Location"] == "/split?month=2024-05"
    assert client.get_cookie(site.cookie).value == site.token
    assert client.get("/split").status_code == 200


def test_a_post_without_the_csrf_token_does_nothing(page):
    response = page.client.post("/split", query_string={"month": MONTH}, data={})
    assert response.status_code == 403
    assert "页面已过期或来源不明(缺少校验码),本次操作没有执行" in visible(response.data.decode())
    response = page.client.post("/split", query_string={"month": MONTH}, data={"csrf": "forged"})
    assert response.status_code == 403
    assert not page.workspace.sheets_dir(MONTH).exists()


def test_the_csrf_token_is_accepted_from_the_htmx_header(page):
    response = page.client.post("/split", query_string={"month": MONTH}, headers={"X-CSRF-Token": page.site.csrf})
    assert response.status_code == 302
    assert len(list(page.workspace.sheets_dir(MONTH).glob("*.xlsx"))) == 32


def test_another_host_name_is_refused_when_bound_to_this_pc(workspace):
    chosen = plan(workspace, "127.0.0.1", 8765)
    client = create_app(chosen.site).test_client()
    ok = client.get(f"/?token={chosen.site.token}", headers={"Host": "127.0.0.1:8765"})
    assert ok.status_code == 302
    rebound = client.get("/", headers={"Host": "evil.example:8765"})
    assert rebound.status_code == 403


def test_the_office_network_is_refused_without_a_password(workspace):
    with pytest.raises(TrackerError) as refused:
        plan(workspace, "0.0.0.0", 0)
    assert str(refused.value).startswith("--host 0.0.0.0 会让办公网内的其他电脑也能打开本页,必须先在 master_template/settings.toml 的 [web] 中"
                                         "设置 password")


def test_on_the_office_network_a_colleague_signs_in_with_the_password(workspace):
    settings = workspace.master_dir / "settings.toml"
    settings.write_text(settings.read_text(encoding="utf-8").replace('password = ""', 'password = "法治2024"'), encoding="utf-8")
    chosen = plan(workspace, "0.0.0.0", 0)
    client = create_app(chosen.site).test_client()
    assert client.get("/").headers["Location"].endswith("/login")
    wrong = client.post("/login", data={"password": "guess"})
    assert "密码不对" in visible(wrong.data.decode())
    assert client.get("/").status_code == 302
    assert client.post("/login", data={"password": "法治2024"}).status_code == 302
    assert client.get("/").status_code == 200


def test_a_workspace_without_a_master_is_not_served(tmp_path):
    from xlsx_tracker.base.workspace import Workspace

    with pytest.raises(TrackerError, match="中没有总任务清单"):
        plan(Workspace(tmp_path), "127.0.0.1", 0)


def test_fixture_page_is_signed_in(workspace):
    assert open_page(workspace).client.get("/").status_code == 200


def test_two_pages_on_one_pc_keep_their_own_cookies(workspace, tmp_path):
    """Browsers keep cookies by host, not port: a second page (the .bat clicked twice) must not log the first one out."""
    first, second = Site(workspace), Site(workspace)
    assert first.cookie != second.cookie and first.cookie.startswith("xlsx_tracker_")


def test_wrong_passwords_from_one_address_make_it_wait(workspace):
    settings = workspace.master_dir / "settings.toml"
    settings.write_text(settings.read_text(encoding="utf-8").replace('password = ""', 'password = "法治2024"'), encoding="utf-8")
    client = create_app(plan(workspace, "0.0.0.0", 0).site).test_client()
    for _ in range(LOGIN_TRIES):
        assert "密码不对" in visible(client.post("/login", data={"password": "guess"}).data.decode())
    refused = client.post("/login", data={"password": "法治2024"})
    assert "密码连续输错 5 次,请 5 分钟后再试。" in visible(refused.data.decode())
    assert client.get("/").status_code == 302  # still not signed in


def test_the_page_on_ipv6_loopback_accepts_its_own_address(workspace):
    chosen = plan(workspace, "::1", 8766)
    assert chosen.address.startswith("http://[::1]:8766/?token=")
    client = create_app(chosen.site).test_client()
    assert client.get(f"/?token={chosen.site.token}", headers={"Host": "[::1]:8766"}).status_code == 302


def test_a_port_in_use_is_refused_before_serving(workspace):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(TrackerError) as refused:
            plan(workspace, "127.0.0.1", port)
    assert f"端口 {port} 已被其他程序占用,网页没有启动。" in str(refused.value)
