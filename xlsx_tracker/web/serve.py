"""Serving the page: this PC only by default, on a free port, with waitress (pure Python, runs on Windows as is)."""

from __future__ import annotations

import socket
import threading
import webbrowser
from dataclasses import dataclass

from ..base.model import TrackerError
from ..base.workspace import Workspace
from ..master.tasklist import load_master_or_fail
from .app import Site, create_app

LOOPBACK = "127.0.0.1"


@dataclass(frozen=True)
class Plan:
    host: str
    port: int
    site: Site

    @property
    def address(self) -> str:
        shown = LOOPBACK if self.host in ("0.0.0.0", "::") else f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{shown}:{self.port}/?token={self.site.token}"


def plan(workspace: Workspace, host: str = LOOPBACK, port: int = 0) -> Plan:
    """Check the workspace and the host, choose the port; refuse in Chinese what cannot be served."""
    workspace.require_master()
    settings = load_master_or_fail(workspace).settings
    loopback = host in (LOOPBACK, "localhost", "::1")
    if not loopback and not settings.web.password:
        raise TrackerError(f"--host {host} 会让办公网内的其他电脑也能打开本页,必须先在 master_template/settings.toml 的 [web] 中"
                           "设置 password(同事打开时输入)。只在本机使用时不要加 --host。")
    port = port or free_port(host)
    if not port_free(host, port):
        raise TrackerError(f"端口 {port} 已被其他程序占用,网页没有启动。请换一个端口(--port),或不加 --port 自动选一个空闲端口。")
    names = (LOOPBACK, "localhost", "[::1]")
    hosts = tuple(f"{n}:{port}" for n in names) + (names if port == 80 else ()) if loopback else ()
    return Plan(host, port, Site(workspace, password="" if loopback else settings.web.password, hosts=hosts))


def free_port(host: str) -> int:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def port_free(host: str, port: int) -> bool:
    """Whether nothing listens on host:port (a plain bind, without the address reuse the server itself asks for,
    which on Windows would let it share a port already in use)."""
    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            probe.bind((host, port))
    except OSError:
        return False
    return True


def serve(chosen: Plan, open_browser: bool = True) -> None:
    """Serve until Ctrl-C (waitress stops on it)."""
    from waitress import serve as waitress_serve

    app = create_app(chosen.site)
    if open_browser:
        threading.Timer(1.0, webbrowser.open, args=(chosen.address,)).start()
    waitress_serve(app, host=chosen.host, port=chosen.port, threads=4, ident="xlsx-tracker", _quiet=True)
