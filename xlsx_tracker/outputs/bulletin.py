"""The monthly written 通报 (bulletin) leadership reads: what it says, made from the month state.

`bulletin(...)` says what to say as plain paragraphs and the attached table's rows, every figure taken from the
state; `bulletin_docx` lays them out to GB/T 9704-2012; `write_month_bulletin` writes the month's file, beside
(never over) a 通报 the office has edited.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..base.digests import file_sha256
from ..base.workspace import workspace_lock
from ..calendar.workdays import month_label
from ..master.settings import DEFAULT_WORK
from ..master.tasklist import Master
from ..month import ledger
from ..month.figures import veto_names
from ..month.lights import GREEN, RED, YELLOW
from ..month.run import MonthRun
from ..month.state import MonthState
from ..month.summary import overall_sentences, points
from .bulletin_docx import Bulletin, Paragraph, write_bulletin


def bulletin_name(month: str, work: str = DEFAULT_WORK) -> str:
    return f"{month_label(month)}{work}工作进展情况通报.docx"


# ---------------------------------------------------------------- what to say


def bulletin(master: Master, state: MonthState, issued: dt.date) -> Bulletin:
    """The paragraphs and the attached table's rows — every number from the month state."""
    s, label = master.settings, month_label(state.month)
    lights = {x.key: x for x in state.unit_lights}
    by_light = {light: [x.key for x in state.unit_lights if x.light == light] for light in (RED, YELLOW, GREEN)}
    issues = _issues(state)
    text = [
        Paragraph("title", f"关于{label}{s.work}工作进展情况的通报"),
        Paragraph("plain", "各有关单位:"),
        Paragraph("body", f"{s.plan_basis()}{s.office}对{label}各单位示范创建工作进展情况进行了调度。现将有关情况通报如下。"),
        Paragraph("heading", "一、总体情况"),
        Paragraph("body", "".join(overall_sentences(state))),
        Paragraph("heading", "二、各单位进展情况"),
        Paragraph("subheading", "(一)进展较好的单位"),
        Paragraph("body", _good(state, by_light[GREEN])),
        Paragraph("subheading", "(二)进展滞后的单位"),
        *[Paragraph("body", line) for line in _lagging(state, s.lights.watch_reds, issues)],
        Paragraph("heading", "三、存在的问题"),
        *[Paragraph("body", f"{i}.{line}") for i, line in enumerate(issues, start=1)],
        Paragraph("heading", "四、下一步工作要求"),
        *[Paragraph("body", line) for line in _next_steps(master, state)],
        Paragraph("ragged", f"联系人:{s.contact_name},电话:{s.contact_phone},邮箱:{s.contact_email}。"),
        Paragraph("plain", ""),
        Paragraph("body", "附件:各单位得分及亮灯情况表"),
        Paragraph("plain", ""),
        Paragraph("signature", s.office),
        Paragraph("signature", f"{issued.year}年{issued.month}月{issued.day}日"),
    ]
    table = [["序号", "单位", "得分", "排名", "报送情况", "亮灯"]]
    table += [[str(i), u.unit, points(u.total), str(u.rank), u.timeliness_text, lights[u.unit].light if u.unit in lights else ""]
              for i, u in enumerate(state.units, start=1)]
    head = s.bulletin
    mark = head.issuer_mark.strip() if head.header else ""  # without its 发文机关标志 there is no 版头 (a warning says so)
    return Bulletin(text, table, mark, head.number.strip() if mark else "")


def _veto_units(state: MonthState) -> set[str]:
    return {r.assignment.unit for r in state.vetoes}


def _good(state: MonthState, green: list[str]) -> str:
    """Praise follows the light: green units that declared no veto, best score first. Nobody else is praised."""
    vetoed, greens = _veto_units(state), set(green)
    praised = [u for u in state.units if u.unit in greens and u.unit not in vetoed]
    if not praised:
        return "本月没有亮绿灯的单位。"
    listed = "、".join(f"{u.unit}({points(u.total)}分)" for u in praised[:5])
    return f"亮绿灯的单位共{len(praised)}个,按得分依次为:{listed}{'等' if len(praised) > 5 else ''}。"


# the reasons of a red light that 三 lists by name (未按要求报送 / 报送空表): (二) counts those units and points there
LISTED_IN_ISSUES = {"未报送": "未按要求报送。", "报送空表": "报送空表。"}
VETO_ISSUE = "否决项情形。"


def _lagging(state: MonthState, watch_reds: int, issues: list[str]) -> list[str]:
    """Red and yellow units. Each unit is named once per finding: a unit that declared a veto only in the veto
    paragraph of 三; the units that did not return or returned a blank form only in 三 (counted here)."""
    vetoed = _veto_units(state)
    red = [x for x in state.unit_lights if x.light == RED and x.key not in vetoed]
    yellow = [x for x in state.unit_lights if x.light == YELLOW and x.key not in vetoed]
    lines = []
    red_vetoed = sum(1 for x in state.unit_lights if x.light == RED and x.key in vetoed)
    if red:
        lines.append(_reds(red, red_vetoed, issues))
    elif red_vetoed:
        lines.append(f"亮红灯的单位均为申报否决项情形的单位{_see(issues, [VETO_ISSUE])}。")
    if yellow:  # by name only: the reasons are in the attached table's report and in each unit's receipt
        lines.append(f"亮黄灯的单位{len(yellow)}个:" + "、".join(x.key for x in yellow) + "。")
    watched = [x.key for x in state.unit_lights if x.watch]
    if watched:
        lines.append(f"连续{watch_reds}个月及以上亮红灯、列入约谈或挂牌督办名单的单位:{'、'.join(watched)}。")
    return lines or ["本月没有进展滞后的单位。"]


def _reds(red: list, red_vetoed: int, issues: list[str]) -> str:
    """亮红灯的单位27个:未报送的25个单位和报送空表的1个单位(名单见第三部分第1、2项),以及民政局(1 项超过……)。

    A unit red for not returning (or a blank form) is counted here and named in 三; one red for another reason as
    well is named here with that other reason only ("另有"), so that each finding names it once."""
    counted = {reason: [x for x in red if reason in x.reasons] for reason in LISTED_IN_ISSUES}
    groups = [f"{reason}的{len(units)}个单位" for reason, units in counted.items() if units]
    also = [f"{x.key}另有{'、'.join(other)}" for x in red
            if set(x.reasons) & set(LISTED_IN_ISSUES) and (other := [r for r in x.reasons if r not in LISTED_IN_ISSUES])]
    named = [f"{x.key}({'、'.join(x.reasons)})" for x in red if not set(x.reasons) & set(LISTED_IN_ISSUES)]
    parts = []
    if groups:
        listed = sum(len(units) for units in counted.values())
        where = _see(issues, [LISTED_IN_ISSUES[reason] for reason, units in counted.items() if units], "名单" if listed > 1 else "", also)
        parts.append("和".join(groups) + where)
    if named:
        parts.append(("以及" if parts else "") + "、".join(named))
    opening = f"除申报否决项情形的单位{_see(issues, [VETO_ISSUE])}外,亮红灯的单位还有" if red_vetoed else "亮红灯的单位"
    return f"{opening}{len(red)}个:{','.join(parts)}。"


def _see(issues: list[str], openings: list[str], what: str = "", notes=()) -> str:
    """(名单见第三部分第1、2项;……): where 三 names them, by the numbers its items carry."""
    numbers = [str(i) for i, line in enumerate(issues, start=1) if line.startswith(tuple(openings))]
    inside = [f"{what}见第三部分第{'、'.join(numbers)}项"] if numbers else []
    inside += [f"其中{';'.join(notes)}"] if notes else []
    return f"({';'.join(inside)})" if inside else ""


WHERE_LISTED = "(具体事项编号已在各单位回执和调度报告“催办名单”中列明)"


def _issues(state: MonthState) -> list[str]:
    """The problems of the month, each from the one set of units chased (state.follow_ups)."""
    chased = {kind: [f.unit for f in state.follow_ups if kind in f.kinds] for kind in ("not-returned", "blank", "errors")}
    lines = []
    if chased["not-returned"]:
        names = chased["not-returned"]
        lines.append(f"未按要求报送。{'、'.join(names)}{f'共{len(names)}个单位' if len(names) > 1 else ''}本月未报送工作进展。")
    if chased["blank"]:
        names = chased["blank"]
        lines.append(f"报送空表。{'、'.join(names)}报回的工作簿未填写任何内容,视为未报送。")
    if chased["errors"]:
        errors = {u: sum(1 for p in state.problems_of(u) if p.severity == "error") for u in chased["errors"]}
        lines.append("报送质量不高。" + "、".join(f"{u}({n}处)" for u, n in errors.items()) + "报送的表格存在错误,已逐一反馈单元格位置,请改正后重新报送。")
    # leadership reads how many items each unit has; the task numbers are in each unit's receipt and in 催办名单
    # (listed here they ran to pages of "47-51/2、52-54/1……" that no line could lay out well)
    stale = {u: len(ids) for u, ids in state.stale.items() if ids}
    if stale:
        lines.append("进展更新不及时。" + "、".join(f"{u}{n}项" for u, n in stale.items())
                     + f"本月进展与上月完全相同{WHERE_LISTED}。")
    slipped = {u: len(items) for u, items in state.slipped.items() if items}
    if slipped:
        lines.append("部分任务延期。" + "、".join(f"{u}{n}项" for u, n in slipped.items())
                     + f"预计完成时间较上月延后{WHERE_LISTED}。")
    if state.vetoes:
        lines.append("否决项情形。" + veto_names(state) + "申报已发生否决项情形,相关单位本月亮红灯,须立即核实处置。")
    return lines or ["本月未发现突出问题。"]


def _next_steps(master: Master, state: MonthState) -> list[str]:
    s = master.settings
    return [
        f"(一)各单位要对照本通报和回执指出的问题,逐项整改,于{s.report_day.next_time()}前按时报送工作进展,确保数据真实、材料完整。",
        "(二)亮红灯、黄灯的单位要分析原因,明确责任人和完成时限,加快推进;已列入约谈或挂牌督办名单的单位,要专题研究整改措施。",
        "(三)各单位要按照申报材料要求,同步整理情况说明、证明材料目录和印证材料,做到逐一分类建档。",
    ]


# ---------------------------------------------------------------- writing it, keeping the office's edits


def write_month_bulletin(run: MonthRun, content: Bulletin, on_wait=None, now: dt.datetime | None = None) -> tuple[Path, Path | None]:
    """Write the month's 通报; returns (the file written, the office's edited 通报 left untouched or None).

    A 通报 the office has edited since the tool wrote it (its SHA-256 differs from the one the ledger kept) is
    theirs: the new one is written beside it, "……(更新于 HH时MM分).docx", and the edited one is never replaced.
    """
    path = run.workspace.month_reports(run.month) / bulletin_name(run.month, run.master.settings.work)
    now = now or run.master.settings.now()
    with workspace_lock(run.workspace, on_wait), run.ledger() as conn:
        kept = path if _edited_by_office(run, conn, path) else None
        target = path if kept is None else _beside(run, conn, path, now)
        write_bulletin(run.master, content, target)
        relative = target.relative_to(run.workspace.root).as_posix()
        ledger.record_written(conn, relative, file_sha256(target), now.isoformat(sep=" ", timespec="seconds"))
    return target, kept


def _edited_by_office(run: MonthRun, conn, path: Path) -> bool:
    """Whether path exists and is not the file the tool last wrote there (a file of unknown origin counts as edited)."""
    if not path.exists():
        return False
    return ledger.written_digest(conn, path.relative_to(run.workspace.root).as_posix()) != file_sha256(path)


def _beside(run: MonthRun, conn, path: Path, now: dt.datetime) -> Path:
    for stamp in (f"{now:%H时%M分}", f"{now:%H时%M分%S秒}"):
        candidate = path.with_name(_updated(path, stamp))
        if not _edited_by_office(run, conn, candidate):
            return candidate
    return path.with_name(_updated(path, f"{now:%Y%m%d%H%M%S%f}"))


def _updated(path: Path, stamp: str) -> str:
    return f"{path.stem}(更新于 {stamp}){path.suffix}"


def latest_bulletin(path: Path) -> Path:
    """The 通报 the office should take: the newest one written beside an edited one (……(更新于 …).docx), else path."""
    beside = sorted(path.parent.glob(_updated(path, "*")), key=lambda p: p.stat().st_mtime)
    return beside[-1] if beside and beside[-1].stat().st_mtime > path.stat().st_mtime else path




