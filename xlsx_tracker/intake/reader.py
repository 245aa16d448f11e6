"""intake: read one returned item — a workbook, a material or an unreadable entry — without ever changing it.

Bytes in, a Returned out. What the bytes are, and how far a workbook's sheets reach, is sniff's to tell
before any reader sees them; here a workbook's sheets become tables (the task sheet found by name or by
content, retyped headers taken at their issued place, formulas kept as text) and its identity is read from the
hidden sheet, the document properties, the guide sheet or the file name. Meant to run in an isolated worker
(see isolate), so that even a native crash loses only one file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from ..base import layout
from ..base.layout import STATUS
from ..base.model import Problem
from ..base.problems import (
    BLOATED_SHEET,
    CONTENT_TOO_LARGE,
    CORRUPT_FILE,
    CORRUPT_ZIP,
    EMPTY_FILE,
    EXTENSION_MISMATCH,
    FAR_CONTENT,
    FILE_TOO_LARGE,
    FOREIGN_WORKBOOK,
    MATERIAL_RECEIVED,
    MISSING_TASK_SHEET,
    NOT_SPREADSHEET,
    NOTICE_RETURNED,
    PASSWORD_PROTECTED,
    SAVED_TIME_UNTRUSTED,
    UNREADABLE_FILE,
    WPS_ET_UNSUPPORTED,
    problem,
)
from ..base.sheetio import LazyWorkbook, cell_text, header_index, sheet_parts
from ..calendar.workdays import normalize_month
from .explanation import text_of
from .inbox import InboxItem, read_bytes
from .sniff import (
    FOREIGN_WORKBOOKS,
    KIND_SUFFIXES,
    MATERIAL_KINDS,
    MAX_FILE_BYTES,
    MAX_ROWS,
    SPREADSHEET_SUFFIXES,
    bounded_sheets,
    document_properties,
    formula_cells,
    open_zip,
    parse_stamp,
    scan_sheet,
    sniff,
)
from .zipsafe import MAX_MEMBER_BYTES, TooLarge, limit_problem

FORMULA_SHEETS = (layout.TASK_SHEET, layout.EVIDENCE_SHEET, layout.LIAISON_SHEET)
FILENAME_RE = re.compile(r"^(?P<unit>.+?)_(?P<month>\d{4}-\d{2})")


@dataclass
class Identity:
    unit: str = ""
    month: str = ""
    version: str = ""
    issued: str = ""
    checksum: str = ""
    source: str = ""  # where it was read: 隐藏表 / 文档属性 / 填报说明 / 文件名


@dataclass
class SheetTable:
    """One sheet's table as read back: where its header is, which column holds what, and its filled rows."""

    sheet: str = ""
    header_row: int = layout.HEADER_ROW
    columns: dict[str, int] = field(default_factory=dict)
    rows: list[tuple[int, list]] = field(default_factory=list)  # (zero-based row index, cell values)
    renamed: list[tuple[str, str, int]] = field(default_factory=list)  # (issued header, header found, column)
    formulas: dict[tuple[int, int], tuple[str, bool]] = field(default_factory=dict)  # (row, col) -> (formula, had a value)


@dataclass
class Returned:
    """Everything read from one returned item, as raw cell values with their positions."""

    name: str
    sha256: str
    size: int
    kind: str = "workbook"  # "workbook"; "material" (a PDF, Word file or image sent beside it); "container" (a zip)
    saved_at: dt.datetime | None = None  # the document's own saved time, when it states a believable one; never the file's
    # time on disk: a copy that lost its properties is not thereby newer than one that kept them (see month.resubmission)
    identity: Identity = field(default_factory=Identity)
    meta_rows: list[tuple[str, int, str]] = field(default_factory=list)
    tasks: SheetTable = field(default_factory=SheetTable)
    reference: SheetTable = field(default_factory=SheetTable)  # 任务说明: the issued texts (empty in workbooks issued before it)
    evidence: SheetTable = field(default_factory=SheetTable)
    liaison: SheetTable = field(default_factory=SheetTable)
    problems: list[Problem] = field(default_factory=list)
    readable: bool = True
    text: str | None = None  # a Word or text material's text (a 情况说明 is checked from it)
    refusal: Problem | None = None  # why it could not be read: the decisive reason, whatever notes came before it
    data: bytes = field(default=b"", repr=False, compare=False)  # the bytes read and judged: archived as they are

    def add(self, code: str, **fields) -> None:
        self.problems.append(problem(code, file=self.name, **fields))

    def refuse(self, code: str, **fields) -> Returned:
        self.add(code, **fields)
        self.refusal = self.problems[-1]
        self.readable = False
        return self


# ---------------------------------------------------------------- entry points


def read_item(item: InboxItem, zone: dt.tzinfo | None = None) -> Returned:
    """Read one inbox item; every failure becomes a problem of the item, never an exception. Times are the office's
    wall-clock time in zone (the settings' timezone; by default Asia/Shanghai)."""
    if item.problem and not item.container:
        return entry_problem(item)
    try:
        data = read_bytes(item, MAX_FILE_BYTES)[0]  # not the file's time on disk: it orders nothing (see Returned.saved_at)
    except TooLarge:
        return _unread(item, FILE_TOO_LARGE, limit=f"{MAX_FILE_BYTES // 1024 // 1024} MB")
    except PermissionError as exc:
        return _unread(item, UNREADABLE_FILE, detail=exc.strerror or "没有读取权限")
    except Exception as exc:  # a vanished file, a zip member zipfile cannot inflate (Deflate64, bad CRC), ...
        return _unread(item, UNREADABLE_FILE, detail=f"{type(exc).__name__}: {exc}")
    if item.problem == CORRUPT_ZIP:  # a zip or mail that cannot be opened: as before, the return it is named for,
        # refused under its name's key (two units' broken downloads stay two), now with its bytes to archive
        return Returned(item.name, bytes_key(item, data), len(data), data=data).refuse(item.problem, detail=item.detail)
    if item.container:
        container = Returned(item.name, bytes_key(item, data), len(data), kind="container", data=data)
        if item.problem:
            container.add(item.problem, detail=item.detail)
        return container
    returned = read_data(data, item.name, zone)
    returned.data = data
    return returned


def item_sha256(item: InboxItem) -> str | None:
    """The SHA-256 read_item gives an item, from its bytes alone (no workbook is read): how a re-merge recognises a
    file it recorded before. None when the bytes cannot be had now; the reader then says why."""
    if keyed_by_name(item):
        return _unread_key(item.problem, item)
    try:
        data = read_bytes(item, MAX_FILE_BYTES)[0]
    except Exception:  # too large, gone, unreadable: read_item records why
        return None
    return bytes_key(item, data)


def bytes_key(item: InboxItem, data: bytes) -> str:
    """The SHA-256 read_item gives an item whose bytes are data (a reader that died is recorded under it too)."""
    if keyed_by_name(item):
        return _unread_key(item.problem, item)
    return _sha256(data if item.container else data or f"empty:{item.name}".encode())


def keyed_by_name(item: InboxItem) -> bool:
    """An entry that could not be read at all, or a zip or mail that could not be opened: recorded by its name."""
    return bool(item.problem) and (not item.container or item.problem == CORRUPT_ZIP)


def _unread(item: InboxItem, code: str, **fields) -> Returned:
    """An item whose bytes could not be had: keyed by its name, so that two such items stay two records."""
    return Returned(item.name, _unread_key(code, item), 0).refuse(code, **fields)


def _unread_key(code: str, item: InboxItem) -> str:
    return _sha256(f"{code}:{item.name}".encode())


def read_returned(path: Path) -> Returned:
    """Read one file from disk (a convenience for tests and tools)."""
    path = Path(path)
    return read_item(InboxItem(path, path.name))


def entry_problem(item: InboxItem) -> Returned:
    """An entry with no bytes to read: keyed by its name so that a re-run records it once."""
    return _unread(item, item.problem, detail=item.detail)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ---------------------------------------------------------------- a workbook or a material


def read_data(data: bytes, name: str, zone: dt.tzinfo | None = None) -> Returned:
    """A workbook or a material, from its bytes and the name it arrived under (times in zone: see read_item)."""
    # an empty file is keyed by its name: two units' failed downloads are two problems, not one
    returned = Returned(name, _sha256(data or f"empty:{name}".encode()), len(data))
    archive = open_zip(data)
    try:
        return _read_data(returned, data, archive, name, zone)
    finally:
        if archive is not None:
            archive.close()


def _read_data(returned: Returned, data: bytes, archive: zipfile.ZipFile | None, name: str, zone: dt.tzinfo | None) -> Returned:
    kind, suffix = sniff(data, archive), Path(name).suffix.lower()
    if kind == "empty":
        return returned.refuse(EMPTY_FILE)
    if kind == "encrypted":
        return returned.refuse(PASSWORD_PROTECTED)
    if kind in FOREIGN_WORKBOOKS:  # a workbook, though none this tool reads: a refused return, never a material
        label, how = FOREIGN_WORKBOOKS[kind]
        return returned.refuse(FOREIGN_WORKBOOK, label=label, how=how)
    if kind in MATERIAL_KINDS or kind == CORRUPT_ZIP:
        if suffix in SPREADSHEET_SUFFIXES and kind == CORRUPT_ZIP:
            return returned.refuse(CORRUPT_FILE, error="BadZipFile")
        if suffix in SPREADSHEET_SUFFIXES:
            label = MATERIAL_KINDS[kind]
            return returned.refuse(NOT_SPREADSHEET, detail=f"这是{label},不是 Excel/WPS 表格。请让该单位发送填好的 .xlsx 工作簿。")
        returned.kind = "material"
        returned.add(MATERIAL_RECEIVED, label=MATERIAL_KINDS.get(kind, "文件"))
        returned.text = text_of(name, data)
        return returned
    if suffix not in KIND_SUFFIXES[kind]:
        returned.add(EXTENSION_MISMATCH, suffix=suffix or "(无)", kind=kind)
    try:
        _read_workbook(returned, data, archive if kind in ("xlsx", "ods") else None, kind, zone)
    except TooLarge as exc:
        return returned.refuse(CONTENT_TOO_LARGE, detail=f"“{exc}”解压后超过 {MAX_MEMBER_BYTES // 1024 // 1024} MB")
    except Exception as exc:  # calamine and zipfile raise many types for damaged files
        if suffix == ".et":
            return returned.refuse(WPS_ET_UNSUPPORTED)
        return returned.refuse(CORRUPT_FILE, error=type(exc).__name__)
    return returned


def _read_workbook(returned: Returned, data: bytes, archive: zipfile.ZipFile | None, kind: str, zone: dt.tzinfo | None) -> None:
    properties: dict[str, str] = {}
    saved, formulas, far = None, {}, {}
    if archive is not None:
        too_large = limit_problem(archive)
        if too_large:
            returned.refuse(CONTENT_TOO_LARGE, detail=too_large)
            return
        properties, saved = document_properties(archive, returned.add, zone)
        if properties.get(layout.PROPERTY_PREFIX + layout.KIND_PROPERTY) == layout.NOTICE_KIND:
            returned.refuse(NOTICE_RETURNED, unit=properties.get(layout.PROPERTY_PREFIX + "unit", ""))
            return
        if kind == "xlsx":
            parts = sheet_parts(archive)
            facts = {sheet: scan_sheet(archive, part) for sheet, part in parts.items()}
            far = {sheet: f.reach for sheet, f in facts.items() if f.reach}
            formulas = formula_cells(archive, {sheet: parts[sheet] for sheet in FORMULA_SHEETS
                                           if sheet in parts and facts[sheet].has_formula and not facts[sheet].reach})
    sheets = bounded_sheets(data, far) if far else LazyWorkbook(io.BytesIO(data))
    try:
        for name in (layout.TASK_SHEET, layout.EVIDENCE_SHEET, layout.LIAISON_SHEET, layout.META_SHEET):
            sheets.get(name)  # load now, so that a damaged sheet is reported as a damaged file
        for sheet, reach in far.items():
            if reach.endswith("MB"):
                returned.add(BLOATED_SHEET, sheet=sheet, size=reach, rows=f"{MAX_ROWS:,}")
            else:
                returned.add(FAR_CONTENT, sheet=sheet, cell=reach)
        returned.saved_at = saved
        _read_sheets(returned, sheets, properties, formulas)
    finally:
        if isinstance(sheets, LazyWorkbook):
            sheets.close()



# ---------------------------------------------------------------- sheets into tables


def _read_sheets(returned: Returned, sheets, properties: dict[str, str], formulas: dict) -> None:
    task = _find_sheet(sheets, layout.TASK_SHEET, ["编号", STATUS])
    if task is None and layout.NOTICE_SHEET in sheets and layout.HELPING_SHEET in sheets:  # a notice that lost its properties
        unit = next((cell_text(r[1]) for r in sheets.get(layout.NOTICE_SHEET) or [] if len(r) > 1 and cell_text(r[0]) == "单位"), "")
        returned.refuse(NOTICE_RETURNED, unit=unit)
        return
    if task is None:
        returned.add(MISSING_TASK_SHEET)
    else:
        returned.tasks = _table(sheets, task, _task_layout(sheets[task[0]][task[1]]), formulas.get(task[0], {}))
    if layout.REFERENCE_SHEET in sheets and len(sheets.get(layout.REFERENCE_SHEET) or []) > layout.HEADER_ROW:
        returned.reference = _table(sheets, (layout.REFERENCE_SHEET, layout.HEADER_ROW), layout.REFERENCE_COLUMNS, {})
    evidence = _find_sheet(sheets, layout.EVIDENCE_SHEET, ["材料名称", "网址"])
    if evidence:
        returned.evidence = _table(sheets, evidence, layout.EVIDENCE_COLUMNS, formulas.get(evidence[0], {}))
    liaison = _find_sheet(sheets, layout.LIAISON_SHEET, ["单位", "姓名", "职务"])
    if liaison:
        returned.liaison = _table(sheets, liaison, layout.LIAISON_COLUMNS, formulas.get(liaison[0], {}))
    returned.identity = _identify(returned, sheets, properties)
    _check_saved_after_issue(returned)


def _check_saved_after_issue(returned: Returned) -> None:
    issued = parse_stamp(returned.identity.issued) if returned.identity.issued else None
    if returned.saved_at and issued and returned.saved_at < issued - dt.timedelta(minutes=5):
        returned.add(SAVED_TIME_UNTRUSTED, raw=f"{returned.saved_at:%Y-%m-%d %H:%M}(早于下发时间 {issued:%Y-%m-%d %H:%M})")
        returned.saved_at = None


def _task_layout(header: list) -> list[str]:
    """The task sheet's issued columns: this layout's, or the one before the reference sheet (all texts on one sheet)."""
    texts = {cell_text(v) for v in header}
    return layout.TASK_COLUMNS if layout.SUMMARY_COLUMN in texts or "三级指标" not in texts else layout.LEGACY_TASK_COLUMNS


def _find_sheet(sheets, name: str, must_have: list[str]) -> tuple[str, int] | None:
    """(sheet name, header row): by name first, then by content when renamed.

    The sheet of the issued name is taken with its issued header row even when a header was retyped.
    """
    candidates = [name] + [n for n in sheets if n != name]
    for candidate in candidates:
        rows = sheets.get(candidate)
        if not rows:
            continue
        for index, row in enumerate(rows[:6]):
            texts = {cell_text(v) for v in row}
            if all(m in texts for m in must_have):
                return candidate, index
        if candidate == name and len(rows) > layout.HEADER_ROW and must_have[0] in {cell_text(v) for v in rows[layout.HEADER_ROW]}:
            return candidate, layout.HEADER_ROW
    return None


def _table(sheets, found: tuple[str, int], columns: list[str], formulas: dict) -> SheetTable:
    name, header_row = found
    rows = sheets[name]
    header = rows[header_row]
    found_columns = header_index(header, columns)
    renamed = _issued_positions(header, columns, found_columns)
    found_columns.update({issued: col for issued, _, col in renamed})
    for (row, col), (formula, value) in formulas.items():
        if value is None and row > header_row:  # scripts write formulas without a value: keep the formula text
            while len(rows) <= row:
                rows.append([])
            rows[row] = list(rows[row]) + [None] * (col + 1 - len(rows[row]))
            rows[row][col] = f"={formula}"
    body = [(index, row) for index, row in enumerate(rows[header_row + 1:], start=header_row + 1) if _has_content(row)]
    kept = {(r, c): (f, v is not None) for (r, c), (f, v) in formulas.items() if r > header_row}
    return SheetTable(name, header_row, found_columns, body, renamed, kept)


def _issued_positions(header: list, columns: list[str], found: dict[str, int]) -> list[tuple[str, str, int]]:
    """Headers a unit retyped: a missing column is taken at its issued position when nothing else claims it."""
    taken = set(found.values())
    renamed = []
    for col, name in enumerate(columns):
        if name in found or col in taken or col >= len(header):
            continue
        text = cell_text(header[col])
        if text and text not in columns:
            renamed.append((name, text, col))
    return renamed


def _has_content(row: list) -> bool:
    return any(v is not None and (type(v) is not str or v.strip()) for v in row)


def _identify(returned: Returned, sheets, properties: dict[str, str]) -> Identity:
    identity = _identity(returned, sheets, properties)
    try:  # a month written 2024-5 by an earlier version is the same month as 2024-05
        identity.month = normalize_month(identity.month) if identity.month else ""
    except ValueError:
        pass
    return identity


def _identity(returned: Returned, sheets, properties: dict[str, str]) -> Identity:
    meta = sheets.get(layout.META_SHEET)
    if meta:
        values = {cell_text(r[0]): cell_text(r[1]) for r in meta[:6] if len(r) > 1}
        returned.meta_rows = _meta_rows(meta)
        identity = Identity(**{k: values.get(label, "") for k, label in layout.META_KEYS.items()}, source="隐藏表")
        if identity.unit and identity.month:
            return identity
    prefixed = {k: properties.get(layout.PROPERTY_PREFIX + k, "") for k in layout.META_KEYS}
    if prefixed["unit"] and prefixed["month"]:
        return Identity(**prefixed, source="文档属性")
    return _identity_from_content(returned, sheets)


def _meta_rows(meta: list[list]) -> list[tuple[str, int, str]]:
    rows = []
    for row in meta[8:]:
        if len(row) > 2 and cell_text(row[0]):
            line = cell_text(row[1])
            rows.append((cell_text(row[0]), int(line) if line.isdigit() else 0, cell_text(row[2])))
    return rows


def _identity_from_content(returned: Returned, sheets) -> Identity:
    guide = sheets.get(layout.GUIDE_SHEET, [])
    labels = {cell_text(r[0]): cell_text(r[1]) for r in guide if len(r) > 1}
    month_match = re.match(r"(\d{4})年(\d{1,2})月", labels.get("填报月份", ""))
    if labels.get("填报单位") and month_match:
        month = f"{month_match.group(1)}-{int(month_match.group(2)):02d}"
        return Identity(unit=labels["填报单位"], month=month, source="填报说明")
    match = FILENAME_RE.match(strip_copy_marks(Path(returned.name).stem))
    if match:
        return Identity(unit=match.group("unit"), month=match.group("month"), source="文件名")
    return Identity()


def strip_copy_marks(stem: str) -> str:
    """Remove what mail clients and Explorer add: 副本, Copy of, (2)."""
    stem = re.sub(r"^(Copy of |副本\s*|复件\s*)", "", stem.strip(), flags=re.IGNORECASE)
    return re.sub(r"\s*[-_ ]?(副本|复件)?\s*[((]\d+[))]$", "", stem).strip()
