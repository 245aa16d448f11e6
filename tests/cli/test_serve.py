"""`serve` on the command line: it prints the address with its token, answers there, stops on Ctrl-C; the office
network is refused without a password; a bad port is bad usage."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request

from click.testing import CliRunner

from xlsx_tracker.cli import main
from xlsx_tracker.web.serve import free_port


def test_the_office_network_without_a_password_is_refused(workspace):
    result = CliRunner().invoke(main, ["-w", str(workspace.root), "serve", "--host", "0.0.0.0", "--no-browser"])
    assert result.exit_code == 1
    assert result.output == ("错误:--host 0.0.0.0 会让办公网内的其他电脑也能打开本页,必须先在 master_template/settings.toml 的 [web] 中"
                             "设置 password(同事打开时输入)。只在本机使用时不要加 --host。\n")


def test_a_port_out_of_range_is_bad_usage(workspace):
    result = CliRunner().invoke(main, ["-w", str(workspace.root), "serve", "--port", "70000"])
    assert result.exit_code == 2
    assert "“--port”的值无效" in result.output or "--port" in result.output


def test_serve_prints_the_address_answers_there_and_stops_on_ctrl_c(workspace, wait_until):
    port = free_port("127.0.0.1")
    process = subprocess.Popen([sys.executable, "-m", "xlsx_tracker", "-w", str(workspace.root), "serve", "--no-browser",
                                "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    try:
        first = process.stdout.readline().decode("utf-8").strip()
        assert first.startswith(f"调度网页已启动:http://127.0.0.1:{port}/?token=")
        address = first.split(":", 1)[1]
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())  # keeps the cookie, as a browser does

        def answers() -> bool:
            try:
                return browser.open(address, timeout=2).status == 200
            except (urllib.error.URLError, ConnectionError):
                return False
        assert wait_until(answers, timeout=20)
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
            raise AssertionError("the page answered without its token")
        except urllib.error.HTTPError as refused:
            assert refused.code == 403
        process.send_signal(signal.SIGINT)
        out, _ = process.communicate(timeout=20)
    finally:
        process.kill()
    assert process.returncode == 0
    assert out.decode("utf-8").splitlines()[-1] == "调度网页已停止。"
