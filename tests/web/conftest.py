"""The page's fixtures: a page on a fresh workspace (the clerk's cookie set, jobs run to their end before the answer,
the office's date fixed in May 2024), and a month returned through it."""

from __future__ import annotations

import datetime as dt
import re
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from xlsx_tracker.base.workspace import Workspace
from xlsx_tracker.web.app import Site, create_app

MONTH = "2024-05"
TODAY = dt.date(2024, 5, 20)  # the deadline: every upload of the day is on time


@dataclass
class Page:
    client: FlaskClient
    site: Site

    @property
    def workspace(self) -> Workspace:
        return self.site.workspace

    def get(self, path: str, **query):
        return self.client.get(path, query_string={"month": MONTH, **query})

    def post(self, path: str, data: dict | None = None, **kwargs):
        return self.client.post(path, query_string={"month": MONTH}, data={"csrf": self.site.csrf, **(data or {})}, **kwargs)

    def text(self, path: str, **query) -> str:
        response = self.get(path, **query)
        assert response.status_code == 200, response.data.decode()[:2000]
        return visible(response.data.decode())


def visible(html: str) -> str:
    """What the clerk reads: the page without its tags and scripts, spaces collapsed."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", html)
    return re.sub(r"\s+", " ", text.replace("&#34;", '"').replace("&#39;", "'").replace("&amp;", "&")).strip()


def open_page(workspace: Workspace, **site_options) -> Page:
    site = Site(workspace, wait_for_jobs=True, fixed_today=TODAY, **site_options)
    client = create_app(site).test_client()
    assert client.get(f"/?token={site.token}").status_code == 302  # the printed address sets the cookie
    return Page(client, site)


@pytest.fixture
def page(workspace) -> Page:
    return open_page(workspace)


@pytest.fixture
def returned(page, filled_return) -> Page:
    """May through the page: split, three returns uploaded (one clean, one with a status pasted over the dropdown,
    one untouched form), merged."""
    assert page.post("/split").status_code == 302
    sheets = page.workspace.sheets_dir(MONTH)
    outbox = page.workspace.root.parent / "单位报回"
    files = [
        filled_return(sheets / "教育局_2024-05.xlsx", outbox, seed=1),
        filled_return(sheets / "民政局_2024-05.xlsx", outbox, seed=2, defects=[first_status_pasted]),
        filled_return(sheets / "财政局_2024-05.xlsx", outbox, fill=False),
    ]
    upload(page, files)
    assert page.post("/merge").status_code == 302
    return page


def first_status_pasted(book) -> None:
    """A status typed over the dropdown on the unit's first task (a defect every office meets)."""
    from xlsx_tracker.demo import simulate

    simulate.paste_invalid_status(book, next(iter(simulate.task_rows(book))))


def upload(page: Page, files: list[Path], name_as=None):
    data = {"files": [(path.open("rb"), name_as(path) if name_as else path.name) for path in files]}
    try:
        return page.post("/upload", data, content_type="multipart/form-data")
    finally:
        for stream, _ in data["files"]:
            stream.close()


def decision(claim, mark: str, reason: str = "") -> dict:
    """The review page's fields for one claim as a clerk leaves them: the mark, the reason, and what the page showed."""
    from xlsx_tracker.outputs.review import seen_mark

    key = f"{claim.unit}|{claim.task_id}"
    return {f"mark:{key}": mark, f"reason:{key}": reason, f"seen:{key}": seen_mark(claim)}


@contextmanager
def terminal_holds(workspace: Workspace):
    """A command in a terminal holding the workspace lock while the body runs (another thread of this process)."""
    from xlsx_tracker.base.workspace import workspace_lock

    held, release = threading.Event(), threading.Event()

    def terminal():
        with workspace_lock(workspace):
            held.set()
            release.wait(10)

    other = threading.Thread(target=terminal)
    other.start()
    try:
        assert held.wait(5)
        yield
    finally:
        release.set()
        other.join()
