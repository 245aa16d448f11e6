"""The local page's frame: the Flask app, who may open it, the month chosen, and how errors are shown.

Who may open it: the address `serve` prints carries a random token; the first request with it sets a cookie and
every later request must carry that cookie (else 403). Every form post carries a CSRF token as well. Bound to this
PC only, the page also refuses a Host header other than its own address (a web page elsewhere cannot rebind a name
to it). On the office network (`--host 0.0.0.0`) a colleague signs in with the password of settings.toml.
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
import time
from dataclasses import dataclass, field

from flask import Flask, abort, flash, g, redirect, render_template, request, url_for

from ..base.model import TrackerError
from ..base.problems import problem_line
from ..base.workspace import Workspace
from ..calendar.workdays import normalize_month
from ..master.tasklist import load_master_or_fail
from ..month import ledger
from ..month.run import MonthRun, month_run
from .files import MAX_UPLOAD_BYTES, MAX_UPLOAD_FILES
from .jobs import Jobs
from .words import for_page

LOGIN_TRIES, LOGIN_PAUSE = 5, 300  # wrong passwords from one address before it waits, and how many seconds
PAGES = [("home", "本月"), ("split_page", "拆分下发"), ("intake_page", "收取报回"), ("problems_page", "问题与回执"),
         ("review_page", "审核销号"), ("reports_page", "报告"), ("settings_page", "设置")]


@dataclass
class Site:
    """What every request of one running page shares."""

    workspace: Workspace
    token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    password: str = ""  # set: the page is open to the office network and a colleague signs in with it
    hosts: tuple[str, ...] = ()  # the Host headers accepted (empty: any, on the office network)
    jobs: Jobs | None = None
    wait_for_jobs: bool = False  # run each job to its end before answering (the route tests)
    fixed_today: dt.date | None = None  # the office's date, fixed (tests); else the settings' clock

    def __post_init__(self):
        self.jobs = self.jobs or Jobs(self.workspace)
        self.csrf = hmac.new(self.token.encode(), b"csrf", "sha256").hexdigest()
        # a browser keeps cookies by host, not port: each running page its own, so a second page never logs out the first
        self.cookie = "xlsx_tracker_" + hmac.new(self.token.encode(), b"cookie", "sha256").hexdigest()[:10]
        self.failures: dict[str, list[float]] = {}  # address -> times of wrong passwords (the office network)

    def today(self, settings) -> dt.date:
        return self.fixed_today or settings.now().date()


def create_app(site: Site) -> Flask:
    app = Flask(__name__)
    app.secret_key = secrets.token_bytes(32)  # signs the one-line messages carried to the next page (flash)
    app.config.update(MAX_CONTENT_LENGTH=MAX_UPLOAD_BYTES, MAX_FORM_PARTS=MAX_UPLOAD_FILES + 20,
                      SESSION_COOKIE_SAMESITE="Strict", TEMPLATES_AUTO_RELOAD=False)
    app.extensions["xlsx_tracker"] = site
    app.before_request(lambda: _guard(site))
    app.context_processor(lambda: {"pages": PAGES, "csrf": site.csrf, "month": g.get("month", ""),
                                   "months": g.get("months", []), "job": site.jobs.current})
    app.register_error_handler(403, lambda e: (render_template("message.html", title="无法打开", text=e.description), 403))
    app.register_error_handler(404, lambda e: (render_template("message.html", title="找不到", text="没有这个页面或文件。"), 404))
    app.register_error_handler(500, lambda e: (render_template(
        "message.html", title="出错了", text="本页遇到意外错误,这一步没有完成;已记入台账的内容不受影响。请刷新后再试;"
        "仍不行时,请记下本页地址和操作步骤,联系维护本工具的同志。"), 500))
    app.register_error_handler(413, lambda e: (render_template(
        "message.html", title="文件太大", text=f"一次上传的文件合计不能超过 {MAX_UPLOAD_BYTES // 1024 // 1024} MB,"
        f"也不能超过 {MAX_UPLOAD_FILES} 个;本次没有保存任何文件。请分几次上传。"), 413))
    from . import actions, downloads, pages  # the routes, registered on this app

    pages.register(app)
    app.add_url_rule("/login", "login", lambda: _login(site), methods=["GET", "POST"])
    actions.register(app)
    downloads.register(app)
    app.after_request(_remember_month)
    return app


def site_of() -> Site:
    from flask import current_app

    return current_app.extensions["xlsx_tracker"]


def _guard(site: Site):
    """Refuse a request from anyone but the clerk who opened the printed address; check every post's CSRF token."""
    if site.hosts and request.host not in site.hosts:
        abort(403, "请用 xlsx-tracker serve 打印的地址打开本页。")
    given = request.args.get("token", "")
    if given and same(given, site.token):
        response = redirect(request.path + _query_without_token())
        response.set_cookie(site.cookie, site.token, httponly=True, samesite="Strict")
        return response
    if request.endpoint in ("static",) or (site.password and request.endpoint == "login"):
        return None
    if not same(request.cookies.get(site.cookie, ""), site.token):
        if site.password:
            return redirect(url_for("login"))
        abort(403, "本页只能用 xlsx-tracker serve 打印的地址打开(地址中含一次性的口令)。请回到运行 serve 的窗口,复制那一行地址打开。")
    if request.method == "POST":
        sent = request.form.get("csrf", "") or request.headers.get("X-CSRF-Token", "")
        if not same(sent, site.csrf):
            abort(403, "页面已过期或来源不明(缺少校验码),本次操作没有执行。请刷新页面后重试。")
    g.months, g.month = [], None
    try:
        g.months = _months(site)
    except TrackerError as exc:  # a damaged ledger: said on every page, the pages still open
        show_error(exc)
    g.month = _chosen_month(site)
    return None


def _login(site: Site):
    """On the office network: the password of settings.toml [web] opens the page (the same cookie as the token)."""
    if request.method == "POST":
        now, address = time.monotonic(), request.remote_addr or ""
        recent = [t for t in site.failures.get(address, []) if now - t < LOGIN_PAUSE]
        if len(recent) >= LOGIN_TRIES:
            flash(f"密码连续输错 {LOGIN_TRIES} 次,请 {LOGIN_PAUSE // 60} 分钟后再试。", "error")
        elif same(request.form.get("password", ""), site.password):
            site.failures.pop(address, None)
            response = redirect(url_for("home"))
            response.set_cookie(site.cookie, site.token, httponly=True, samesite="Strict")
            return response
        else:
            site.failures[address] = [*recent, now]
            flash("密码不对。密码在办公室电脑的 master_template/settings.toml 的 [web] password 中。", "error")
    return render_template("login.html")


def _remember_month(response):
    """The month chosen at the top stays chosen on the next page; no page is framed by another or sniffed as another type."""
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Content-Security-Policy", "default-src 'self'; script-src 'self' 'unsafe-inline'; "
                                "style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; form-action 'self'")
    if request.args.get("month") and g.get("month"):
        response.set_cookie(site_of().cookie + "_month", g.month, httponly=True, samesite="Strict")
    return response


def same(given: str, secret: str) -> bool:
    """A constant-time comparison of what was sent with a secret (any text a browser sends, Chinese included)."""
    return hmac.compare_digest(given.encode("utf-8"), secret.encode("utf-8"))


def _query_without_token() -> str:
    rest = [(k, v) for k, v in request.args.items(multi=True) if k != "token"]
    from urllib.parse import urlencode

    return f"?{urlencode(rest)}" if rest else ""


def _months(site: Site) -> list[str]:
    """The months the workspace knows: issued, returned or recorded, newest first."""
    root = site.workspace.root
    found = set()
    for folder in ("department_sheets", "inbox", "reports"):
        if (root / folder).is_dir():
            found |= {p.name for p in (root / folder).iterdir() if p.is_dir() and is_month(p.name)}
    if site.workspace.ledger_file.exists():
        conn = ledger.connect(site.workspace.ledger_file)
        try:
            found |= set(ledger.months(conn))
        finally:
            conn.close()
    return sorted(found, reverse=True)


def is_month(name: str) -> bool:
    try:
        return normalize_month(name) == name
    except ValueError:
        return False


def _chosen_month(site: Site) -> str:
    """The month in the address, else the last one chosen, else the newest the workspace knows, else this month."""
    for given in (request.values.get("month", ""), request.cookies.get(site.cookie + "_month", "")):
        if given:
            try:
                return normalize_month(given)
            except ValueError:
                flash(f"月份“{given[:20]}”格式不对,应为 2024-05 这样的形式;已改为显示其他月份。")
    if g.months:
        return g.months[0]
    try:
        settings = load_master_or_fail(site.workspace).settings
        return settings.report_day.period(site.today(settings).strftime("%Y-%m"))
    except TrackerError:  # the master cannot be read: the page that needs it says why
        return (site.fixed_today or dt.date.today()).strftime("%Y-%m")


def run_of(site: Site) -> MonthRun:
    """The chosen month's run, as the command line builds it (the settings' deadline policy)."""
    return month_run(site.workspace, g.month)


def show_error(exc: TrackerError) -> None:
    """A library refusal on the next page, in full: the message and each problem with its place."""
    flash(for_page("\n".join([f"错误:{exc}", *(problem_line(p) for p in exc.problems)])), "error")


def back(endpoint: str, **values):
    return redirect(url_for(endpoint, month=g.month, **values))
