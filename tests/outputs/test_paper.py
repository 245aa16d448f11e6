"""The paper leadership reads, printed through LibreOffice as an office prints it: page counts and the smallest text.

Rendered from the demo's messy May at 32 units; pdftotext gives each printed word's height (about the font size)."""

from pathlib import Path

import pytest

from xlsx_tracker.base.workspace import Workspace
from xlsx_tracker.outputs.bulletin import bulletin_name
from xlsx_tracker.outputs.report import report_name

from .conftest import MONTH

SMALLEST = 9.0  # points: nothing a leader reads prints smaller


@pytest.fixture(scope="module")
def printed(demo, libreoffice_convert, pdf_words, tmp_path_factory):
    root = next(line.split(":", 1)[1] for line in demo.output.split("\n") if line.startswith("演示工作区:"))
    folder = Workspace(Path(root)).month_reports(MONTH)
    out = tmp_path_factory.mktemp("printed")
    return {name: pdf_words(libreoffice_convert(folder / name, out, "pdf")) for name in (report_name(MONTH), bulletin_name(MONTH))}


def test_the_report_prints_on_at_most_20_a4_pages_and_nothing_below_9_pt(printed):
    pages = printed[report_name(MONTH)]
    assert len(pages) <= 20
    smallest = min((height, text, number) for number, page in enumerate(pages, start=1) for height, text in page)
    assert smallest[0] >= SMALLEST, smallest


def test_page_one_holds_the_summary_and_the_red_units(printed):
    first = "".join(text for _, text in printed[report_name(MONTH)][0])
    assert "一、本月概况" in first and "本月应报送单位32个" in first
    assert "二、亮红灯的单位" in first and "三、关键指标" in first


def test_the_bulletin_annex_never_breaks_a_unit_name(printed, master):
    pages = printed[bulletin_name(MONTH)]
    annex = [text for page in pages[next(i for i, p in enumerate(pages) if any("序号" in t for _, t in p)):] for _, text in page]
    broken = [unit for unit in master.registry.units if unit not in annex]  # each name one word on one line
    assert broken == []
