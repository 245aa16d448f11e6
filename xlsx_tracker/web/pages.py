"""The pages (GET): each reads the month as the documents read it and shows it; nothing here decides anything.

Every figure, light and verdict comes from the month state (month.state), its words from the modules that print
them on paper (month.summary, month.figures, outputs.sayings), so the page and the papers never disagree.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from flask import abort, make_response, render_template, request, send_file

from ..base.filenames import own_name
from ..base.model import TrackerError
from ..base.problems import SEVERITY_TEXT, problem_line
from ..calendar.holiday_notice import next_year_reminder
from ..calendar.workdays import package_knows
from ..master.tasklist import load_master_or_fail
from ..month.figures import FIGURES, key_figures
from ..month.rows import PENDING, RETURNED, REVIEWED
from ..month.state import MonthState, load_state
from ..month.summary import overall_sentences, points
from ..outputs.notices import receipt_stem, reminder_stem
from ..outputs.review import claims, recorded_decisions, seen_mark
from . import files
from .app import is_month, run_of, show_error, site_of
from .words import for_page

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


def register(app) -> None:
    for rule, view in [("/", home), ("/split", split_page), ("/intake", intake_page), ("/problems", problems_page),
                       ("/review", review_page), ("/reports", reports_page), ("/settings", settings_page),
                       ("/job", job_panel), ("/file/<kind>/<month>/<path:relative>", download),
                       ("/evidence/<month>/<sha256>", evidence)]:
        app.add_url_rule(rule, view.__name__, view)


def month_of(site):
    """(run, state) of the chosen month; state is None before split, run is None when the month cannot be set up."""
    try:
        run = run_of(site)
        run.deadline  # noqa: B018  (the month's calendar is needed now, not halfway through drawing the page)
        return run, (load_state(run) if run.was_issued() else None)
    except TrackerError as exc:
        show_error(exc)
        return None, None


def home():
    site = site_of()
    run, state = month_of(site)
    context = {"run": run, "state": state}
    if run is not None:
        today = site.today(run.master.settings)
        context.update(deadline=run.deadline, days_left=(run.deadline.deadline - today).days, today=today,
                       reminder=for_page(next_year_reminder(run.calendar, today) or ""))
    if state is not None:
        figures = key_figures(state)
        context.update(units=unit_rows(state), sentences=overall_sentences(state),
                       figures=[(f.label(state), _figure_text(f.key, figures[f.key])) for f in FIGURES])
    return render_template("home.html", **context)


def _figure_text(key: str, value: float) -> str:
    return f"{value:.1f}" if key == "progress" else str(int(value))


def unit_rows(state: MonthState) -> list[dict]:
    """One row per unit as 部门得分 and 亮灯 show it: how it returned, its errors, its reviewed claims, score and light."""
    rows = []
    chased = {f.unit for f in state.follow_ups}
    ranked = {score.unit: score for score in state.units}
    for unit in (s.unit for s in state.units):
        score, light = ranked[unit], state.light_of(unit)
        reviews = [r.review for r in state.rows_of(unit)]
        rows.append({
            "unit": unit, "returned": score.timeliness_text, "received": score.received_at[:16],
            "errors": sum(1 for p in state.problems_of(unit) if p.severity == "error"),
            "reviewed": reviews.count(REVIEWED), "pending": reviews.count(PENDING), "sent_back": reviews.count(RETURNED),
            "score": points(score.total), "rank": score.rank, "light": light.light if light else "",
            "reasons": ";".join(light.reasons) if light else "", "chased": unit in chased,
        })
    return rows


def split_page():
    site = site_of()
    run, state = month_of(site)
    sheets = in_unit_order(run, [p.name for p in files.shown(site.workspace.sheets_dir(run.month), "*.xlsx")]) if run else []
    return render_template("split.html", run=run, issued=state is not None, sheets=sheets,
                           units=len(run.master.registry.units) if run else 0)


def in_unit_order(run, names: list[str]) -> list[str]:
    """The issued workbooks in the master's order of units (as the report lists them), any other file after."""
    from ..month.split import workbook_name

    order = {workbook_name(unit, run.month): i for i, unit in enumerate(run.master.registry.units)}
    return sorted(names, key=lambda name: (order.get(name, len(order)), name))


def intake_page():
    site = site_of()
    run, state = month_of(site)
    inbox = []
    if run is not None:
        folder = site.workspace.inbox_dir(run.month)
        if folder.is_dir():
            for day in sorted((p for p in folder.iterdir() if p.is_dir()), reverse=True):
                inbox.append((day.name, [p.name for p in files.shown(day)]))
            loose = [p.name for p in files.shown(folder)]
            if loose:
                inbox.append(("(未按日期分文件夹)", loose))
    mail = run is not None and bool(run.master.settings.mail.user)
    return render_template("intake.html", run=run, state=state, inbox=inbox, mail=mail,
                           today=site.today(run.master.settings) if run else None, upload_limit=files.MAX_UPLOAD_FILES)


def problems_page():
    site = site_of()
    run, state = month_of(site)
    groups, notices = [], {}
    if state is not None:
        groups = problem_groups(state)
        folder = site.workspace.month_reports(run.month)
        for unit in run.master.registry.units:
            receipt = receipt_stem(folder, unit, run.month).with_suffix(".xlsx")
            reminder = reminder_stem(folder, unit).with_suffix(".txt")
            notices[unit] = {"receipt": receipt.relative_to(folder).as_posix() if receipt.is_file() else "",
                             "reminder": _text(reminder)}
    mail = run is not None and bool(run.master.settings.mail.user)
    return render_template("problems.html", run=run, state=state, groups=groups, notices=notices, mail=mail,
                           preview=None)


def problem_groups(state: MonthState) -> list[tuple[str, list[tuple[str, str]]]]:
    """(unit, [(severity text, line)]) with the units that have errors first, each unit's errors first."""
    by_unit: dict[str, list] = {}
    for p in state.problems:
        by_unit.setdefault(p.unit or "", []).append(p)
    order = {s.unit: i for i, s in enumerate(state.units)}

    def weight(unit: str) -> tuple:
        found = by_unit[unit]
        return (min(SEVERITY_ORDER[p.severity] for p in found), order.get(unit, len(order)))

    return [(unit or "全月(未归到单位)", [(SEVERITY_TEXT[p.severity], problem_line(p))
                                   for p in sorted(by_unit[unit], key=lambda p: SEVERITY_ORDER[p.severity])])
            for unit in sorted(by_unit, key=weight)]


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8") if path.is_file() else ""
    except (OSError, UnicodeDecodeError):
        return ""


def review_page():
    site = site_of()
    run, state = month_of(site)
    found, decided = [], []
    if state is not None:
        found = claims(state)
        decided = sorted(recorded_decisions(run).items())
    return render_template("review.html", run=run, state=state, claims=found, decided=decided, seen_mark=seen_mark)


def reports_page():
    site = site_of()
    run, state = month_of(site)
    return render_template("reports.html", run=run, state=state)


def settings_page():
    site = site_of()
    master = None
    try:
        master = load_master_or_fail(site.workspace)
    except TrackerError as exc:
        show_error(exc)
    run, state = month_of(site)
    years = known_years(run.calendar, site.today(run.master.settings).year) if run is not None else []
    return render_template("settings.html", master=master, run=run, years=years,
                           roster=roster_rows(master, state.liaisons if state else {}) if master else [])


def known_years(calendar, this_year: int) -> list[tuple[int, str]]:
    """The years around this one whose working days are known, and from where."""
    found = []
    for year in range(this_year - 2, this_year + 3):
        if year in calendar.overrides:
            found.append((year, "导入的放假通知"))
        elif package_knows(year):
            found.append((year, "内置"))
    return found


def roster_rows(master, liaisons: dict[str, dict]) -> list[dict]:
    """Each unit's liaison as the master holds it, and as the month's returns give it (shown where the master's is blank)."""
    return [{"单位": unit, "saved": master.roster.get(unit, {}), "returned": liaisons.get(unit, {})} for unit in master.registry.units]


def job_panel():
    """The job's progress, polled every second; once it has finished, the page reloads to show the month as it is now."""
    response = make_response(render_template("job.html"))
    job = site_of().jobs.current
    if request.headers.get("HX-Request") and (job is None or job.finished):
        response.headers["HX-Refresh"] = "true"
    return response


def download(kind: str, month: str, relative: str):
    site = site_of()
    folder = files.folders(site.workspace, month).get(kind) if is_month(month) else None
    target = files.inside(folder, relative) if folder is not None else None
    if target is None:
        abort(404)
    return send_file(target, as_attachment=True, download_name=target.name)


def evidence(month: str, sha256: str):
    """One material file of a claim under review, straight from the archive (read only), named by its content's hash:
    a link stays right however the list of claims changes."""
    site = site_of()
    run, state = month_of(site)
    found = claims(state) if state is not None and run.month == month else []
    sub = next((m for c in found for m in c.materials if m.sha256 == sha256), None)
    if sub is None:
        abort(404)
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    with site.workspace.open_archived(sub.archive_path) as source:
        if source is None:
            abort(404)
        shutil.copyfileobj(source, spool)
    spool.seek(0)
    name = own_name(sub.file_name)
    inline = name.lower().endswith(INLINE)  # the browser shows these itself; a workbook or a Word file is downloaded
    return send_file(spool, as_attachment=not inline, download_name=name)


INLINE = (".pdf", ".png", ".jpg", ".jpeg", ".gif", ".txt")
