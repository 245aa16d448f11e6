"""The month in a few sentences: the words the 通报's 总体情况 and the report's first page both print.

Written once here from the key figures, so the paper a leader reads and the 通报 a leader signs say the same.
"""

from __future__ import annotations

from .figures import key_figures
from .lights import GREEN, RED, YELLOW


def points(value: float) -> str:
    """A score as every document prints it: one decimal (42.9), a whole number without one (85)."""
    text = f"{value:.1f}"
    return text.removesuffix(".0")


def percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "0%"


def overall_sentences(state) -> list[str]:
    """总体情况: returns, progress, lights, problems and (when any) the veto alarm, one sentence each."""
    figures, total = key_figures(state), len(state.units)
    by_light = {light: sum(1 for x in state.unit_lights if x.light == light) for light in (RED, YELLOW, GREEN)}
    blank = f",报送空表{figures['blank_forms']}个" if figures["blank_forms"] else ""
    sentences = [
        f"本月应报送单位{total}个,按时报送{figures['on_time']}个,逾期报送{figures['late']}个,未报送{figures['not_returned']}个"
        f"{blank},按时报送率{percent(figures['on_time'], total)}。",
        f"全部任务总体平均进度{figures['progress']:.1f}%,序时进度{state.pace:.1f}%;"
        f"{state.main_indicators}项指标中已完成{figures['indicators_done']}项,已完成任务{figures['tasks_done']}项"
        f"(其中经审核销号{figures['reviewed']}项,待审核{figures['pending']}项);本月审核退回{figures['returned']}项,不计为完成。",
        f"亮灯情况:红灯{by_light[RED]}个、黄灯{by_light[YELLOW]}个、绿灯{by_light[GREEN]}个。",
        f"回收表格中发现错误{figures['errors']}条、提醒{figures['warnings']}条。",
    ]
    if state.vetoes:
        sentences.append(f"{figures['veto_units']}个单位自查申报存在否决项情形,须立即核实处置。")
    return sentences


def red_unit_lines(state) -> list[str]:
    """The red units with their reasons, units with the same reasons on one line: "未报送(25个):甲、乙…"."""
    groups: dict[str, list[str]] = {}
    for light in state.unit_lights:
        if light.light == RED:
            groups.setdefault(";".join(light.reasons), []).append(light.key)
    lines = [f"{reasons}({len(units)}个):{'、'.join(units)}" if len(units) > 1 else f"{units[0]}:{reasons}"
             for reasons, units in sorted(groups.items(), key=lambda g: -len(g[1]))]
    watched = [x.key for x in state.unit_lights if x.watch]
    if watched:
        lines.append(f"连续红灯、列入约谈/挂牌督办名单:{'、'.join(watched)}")
    return lines
