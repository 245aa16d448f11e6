"""intake: read one returned item — a workbook, a material or an unreadable entry — without ever changing it.

Bytes in, a Returned out. A zip-based workbook is checked against size limits before anything inflates,
its sheets' declared extent is looked at before a dense reader sees it, and formula cells are found.
Meant to run in an isolated worker (see isolate), so that even a native crash loses only one file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

from ..base import layout
from ..base.model import Problem, wall_clock
from ..base.problems import (
    BLOATED_SHEET,
    CONTENT_TOO_LARGE,
    CORRUPT_FILE,
    CORRUPT_ZIP,
    EMPTY_FILE,
    EXTENSION_MISMATCH,
    FAR_CONTENT,
    FILE_TOO_LARGE,
    MATERIAL_RECEIVED,
    MISSING_TASK_SHEET,
    NOT_SPREADSHEET,
    OVERSIZED_PROPERTIES,
    PASSWORD_PROTECTED,
    SAVED_TIME_UNTRUSTED,
    UNREADABLE_FILE,
    WPS_ET_UNSUPPORTED,
    problem,
)
from ..base.sheetio import LazyWorkbook, cell_text, column_letter, header_index, parse_ref
from ..calendar.workdays import normalize_month
from .explanation import text_of
from .inbox import InboxItem, read_bytes
from .zipsafe import MAX_MEMBER_BYTES, TooLarge, bounded_read, chunks, limit_problem, zip_kind

SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods", ".et"}
KIND_SUFFIXES = {"xlsx": {".xlsx", ".xlsm"}, "ods": {".ods"}, "xls": {".xls", ".et"}}
MATERIAL_KINDS = {"pdf": "PDF 文件", "docx": "Word 文件", "doc": "Word 文件", "image": "图片", "ofd": "OFD 版式文件",
                  "zip": "压缩包", "text": "文本文件", "other": "文件"}
MAX_FILE_BYTES = 100 * 1024 * 1024
MAX_PROPERTY_BYTES = 1024 * 1024  # docProps/*.xml: a few KB in any real file
MAX_ROWS, MAX_COLS = 10_000, 64  # far beyond any unit's sheet; past this only the issued area is read
MAX_SHEET_XML = 16 * 1024 * 1024  # a unit's task sheet is under 2 MB; a bigger one is streamed, not read whole
FORMULA_SHEETS = (layout.TASK_SHEET, layout.EVIDENCE_SHEET, layout.LIAISON_SHEET)
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
FILENAME_RE = re.compile(r"^(?P<unit>.+?)_(?P<month>\d{4}-\d{2})")
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"([A-Z]+[0-9]+)(?::([A-Z]+[0-9]+))?\"")
_NS_CUSTOM = "{http://schemas.openxmlformats.org/officeDocument/2006/custom-properties}"
_NS_META = "{urn:oasis:names:tc:opendocument:xmlns:meta:1.0}"
_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"


@dataclass
class Identity:
    unit: str = ""
    month: str = ""
    version: str = ""
    issued: str = ""
    checksum: str = ""
    source: str = ""  # where it was read: 隐藏表 / 文档属性 / 填报说明 / 文件名


@dataclass
class Table:
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
    saved_at: dt.datetime | None = None
    identity: Identity = field(default_factory=Identity)
    meta_rows: list[tuple[str, int, str]] = field(default_factory=list)
    tasks: Table = field(default_factory=Table)
    reference: Table = field(default_factory=Table)  # 任务说明: the issued texts (empty in workbooks issued before it)
    evidence: Table = field(default_factory=Table)
    liaison: Table = field(default_factory=Table)
    problems: list[Problem] = field(default_factory=list)
    readable: bool = True
    text: str | None = None  # a Word or text material's text (a 情况说明 is checked from it)

    def add(self, code: str, **fields) -> None:
        self.problems.append(problem(code, file=self.name, **fields))

    def refuse(self, code: str, **fields) -> Returned:
        self.add(code, **fields)
        self.readable = False
        return self


# ---------------------------------------------------------------- entry points


def read_item(item: InboxItem) -> Returned:
    """Read one inbox item; every failure becomes a problem of the item, never an exception."""
    if item.problem and not item.container:
        return entry_problem(item)
    try:
        data, modified = read_bytes(item, MAX_FILE_BYTES)
    except TooLarge:
        return _unread(item, FILE_TOO_LARGE, limit=f"{MAX_FILE_BYTES // 1024 // 1024} MB")
    except PermissionError as exc:
        return _unread(item, UNREADABLE_FILE, detail=exc.strerror or "没有读取权限")
    except Exception as exc:  # a vanished file, a zip member zipfile cannot inflate (Deflate64, bad CRC), ...
        return _unread(item, UNREADABLE_FILE, detail=f"{type(exc).__name__}: {exc}")
    if item.container:
        container = Returned(item.name, _sha256(data), len(data), kind="container")
        if item.problem:
            container.add(item.problem, detail=item.detail)
        return container
    return read_data(data, item.name, modified)


def _unread(item: InboxItem, code: str, **fields) -> Returned:
    """An item whose bytes could not be had: keyed by its name, so that two such items stay two records."""
    return Returned(item.name, _sha256(f"{code}:{item.name}".encode()), 0).refuse(code, **fields)


def read_returned(path: Path) -> Returned:
    """Read one file from disk (a convenience for tests and tools)."""
    path = Path(path)
    return read_item(InboxItem(path, path.name))


def entry_problem(item: InboxItem) -> Returned:
    """An entry with no bytes to read: keyed by its name so that a re-run records it once."""
    return _unread(item, item.problem, detail=item.detail)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ---------------------------------------------------------------- what the bytes are


def sniff(data: bytes, archive: zipfile.ZipFile | None) -> str:
    """The format by content: xlsx, ods, xls, encrypted, or a material kind (pdf, docx, image, ...).

    `archive` is the data opened as a zip (`open_zip`, None when it is not one): its directory is parsed once per file.
    """
    if not data:
        return "empty"
    if data[:8] == OLE_MAGIC:
        if "EncryptedPackage".encode("utf-16-le") in data:
            return "encrypted"
        return "doc" if "WordDocument".encode("utf-16-le") in data[:65536 * 4] else "xls"
    if data[:4] == b"PK\x03\x04":
        return _zip_kind(archive)
    if data[:4] == b"%PDF":
        return "pdf"
    if data[:3] == b"\xff\xd8\xff" or data[:8] == b"\x89PNG\r\n\x1a\n" or data[:4] in (b"GIF8", b"II*\x00", b"MM\x00*"):
        return "image"
    return "other"


def open_zip(data: bytes) -> zipfile.ZipFile | None:
    """The data as a zip archive, or None when it is not one (or a damaged one)."""
    if data[:4] != b"PK\x03\x04":
        return None
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError):
        return None


def _zip_kind(archive: zipfile.ZipFile | None) -> str:
    if archive is None:
        return CORRUPT_ZIP
    try:
        return zip_kind(archive)
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError):
        return CORRUPT_ZIP


def read_data(data: bytes, name: str, modified: dt.datetime | None = None) -> Returned:
    """A workbook or a material, from its bytes and the name it arrived under."""
    # an empty file is keyed by its name: two units' failed downloads are two problems, not one
    returned = Returned(name, _sha256(data or f"empty:{name}".encode()), len(data))
    archive = open_zip(data)
    try:
        return _read_data(returned, data, archive, name, modified)
    finally:
        if archive is not None:
            archive.close()


def _read_data(returned: Returned, data: bytes, archive: zipfile.ZipFile | None, name: str, modified: dt.datetime | None) -> Returned:
    kind, suffix = sniff(data, archive), Path(name).suffix.lower()
    if kind == "empty":
        return returned.refuse(EMPTY_FILE)
    if kind == "encrypted":
        return returned.refuse(PASSWORD_PROTECTED)
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
        _read_workbook(returned, data, archive if kind in ("xlsx", "ods") else None, kind, modified)
    except TooLarge as exc:
        return returned.refuse(CONTENT_TOO_LARGE, detail=f"“{exc}”解压后超过 {MAX_MEMBER_BYTES // 1024 // 1024} MB")
    except Exception as exc:  # calamine and zipfile raise many types for damaged files
        if suffix == ".et":
            return returned.refuse(WPS_ET_UNSUPPORTED)
        return returned.refuse(CORRUPT_FILE, error=type(exc).__name__)
    return returned


def _read_workbook(returned: Returned, data: bytes, archive: zipfile.ZipFile | None, kind: str, modified: dt.datetime | None) -> None:
    properties: dict[str, str] = {}
    saved, formulas, far = None, {}, {}
    if archive is not None:
        too_large = limit_problem(archive)
        if too_large:
            returned.refuse(CONTENT_TOO_LARGE, detail=too_large)
            return
        properties, saved = _metadata(returned, archive)
        if kind == "xlsx":
            parts = _sheet_parts(archive)
            facts = {sheet: scan_sheet(archive, part) for sheet, part in parts.items()}
            far = {sheet: f.reach for sheet, f in facts.items() if f.reach}
            formulas = _formulas(archive, {sheet: parts[sheet] for sheet in FORMULA_SHEETS
                                           if sheet in parts and facts[sheet].has_formula and not facts[sheet].reach})
    sheets = _bounded_sheets(data, far) if far else LazyWorkbook(io.BytesIO(data))
    try:
        for name in (layout.TASK_SHEET, layout.EVIDENCE_SHEET, layout.LIAISON_SHEET, layout.META_SHEET):
            sheets.get(name)  # load now, so that a damaged sheet is reported as a damaged file
        for sheet, reach in far.items():
            if reach.endswith("MB"):
                returned.add(BLOATED_SHEET, sheet=sheet, size=reach, rows=f"{MAX_ROWS:,}")
            else:
                returned.add(FAR_CONTENT, sheet=sheet, cell=reach)
        returned.saved_at = saved or modified
        _read_sheets(returned, sheets, properties, formulas)
    finally:
        if isinstance(sheets, LazyWorkbook):
            sheets.close()


# ---------------------------------------------------------------- xlsx parts, read within bounds


def _metadata(returned: Returned, archive: zipfile.ZipFile) -> tuple[dict[str, str], dt.datetime | None]:
    """Custom properties and the document's own last-saved time, from xlsx or ods metadata."""
    parts = {}
    for name in ("docProps/custom.xml", "docProps/core.xml", "meta.xml"):
        if name in archive.NameToInfo:
            try:
                parts[name] = bounded_read(archive, name, MAX_PROPERTY_BYTES)
            except TooLarge:
                returned.add(OVERSIZED_PROPERTIES, part=name)
    return _custom_properties(parts), _modified(returned, parts)


def _custom_properties(parts: dict[str, bytes]) -> dict[str, str]:
    try:
        if "docProps/custom.xml" in parts:
            root = ElementTree.fromstring(parts["docProps/custom.xml"])
            return {p.get("name", ""): "".join(p.itertext()) for p in root.iter(f"{_NS_CUSTOM}property")}
        if "meta.xml" in parts:
            root = ElementTree.fromstring(parts["meta.xml"])
            return {p.get(f"{_NS_META}name", ""): "".join(p.itertext()) for p in root.iter(f"{_NS_META}user-defined")}
    except ElementTree.ParseError:
        return {}
    return {}


def _modified(returned: Returned, parts: dict[str, bytes]) -> dt.datetime | None:
    """The saved time the file states, when it can be believed; else None, with a problem saying why."""
    for name in ("docProps/core.xml", "meta.xml"):
        if name not in parts:
            continue
        match = re.search(r"<(?:dcterms:modified|dc:date)[^>]*>([^<]+)<", parts[name].decode("utf-8", "replace"))
        if not match:
            continue
        raw = match.group(1).strip()
        stamp = parse_stamp(raw)
        if stamp is None or not dt.datetime(2000, 1, 1) <= stamp <= dt.datetime.now() + dt.timedelta(days=2):
            returned.add(SAVED_TIME_UNTRUSTED, raw=raw[:40])
            return None
        return stamp
    return None


def parse_stamp(raw: str) -> dt.datetime | None:
    """An ISO time as local wall-clock time without zone; None when it is not a usable time."""
    try:
        return wall_clock(dt.datetime.fromisoformat(raw.replace("Z", "+00:00")))
    except (ValueError, OverflowError, OSError):  # year 9999 in UTC+8 overflows
        return None


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> zip part of every worksheet, from xl/workbook.xml and its relationships."""
    try:
        book = ElementTree.fromstring(bounded_read(archive, "xl/workbook.xml", MAX_PROPERTY_BYTES))
        rels = ElementTree.fromstring(bounded_read(archive, "xl/_rels/workbook.xml.rels", MAX_PROPERTY_BYTES))
    except (KeyError, ElementTree.ParseError, TooLarge):
        return {}
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{_NS_PKG_REL}Relationship")}
    parts = {}
    for sheet in book.iter(f"{_NS_MAIN}sheet"):
        target = targets.get(sheet.get(f"{_NS_REL}id"), "")
        part = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        if part in archive.NameToInfo:
            parts[sheet.get("name", "")] = part
    return parts


@dataclass(frozen=True)
class SheetFacts:
    """What one pass over a sheet's XML tells before any reader builds a grid from it."""

    reach: str  # '' when the sheet fits the bounds; else how far it reaches (a cell such as XFD1048576, or a size)
    has_formula: bool


# Each pattern begins with literal text, so that the regex engine jumps from one candidate to the next
# instead of trying at every "<" (a third of the per-file time went here). A false match (the same letters
# inside a cell's text) can only overstate how far a sheet reaches: the sheet is then read within bounds.
# XML allows any white space around '=' and either quote: a hostile sheet may use them to hide a far cell.
_ROW_REF = re.compile(rb"row\b[^>]*?\sr\s*=\s*[\"'](\d+)[\"']")
_ANY_WIDE = re.compile(rb"r\s*=\s*[\"'][A-Z]{2}")  # a cell in column AA or beyond: rare, then found one by one
_WIDE_CELL = re.compile(rb"<(?:\w+:)?c\b[^>]*?\sr\s*=\s*[\"']([A-Z]{2,3})(\d+)[\"']")
_FORMULA_TAIL = re.compile(rb"f[ >/]")  # of a formula element <f>, <f .../> or <x:f>; not <formula1>, not <fill>


def _has_formula(chunk: bytes) -> bool:
    return any(chunk[m.start() - 1:m.start()] in (b"<", b":") for m in _FORMULA_TAIL.finditer(chunk))


def scan_sheet(archive: zipfile.ZipFile, part: str) -> SheetFacts:
    """The sheet's real extent and whether it holds formulas, streamed: a declared range may lie."""
    size = archive.getinfo(part).file_size
    if size > MAX_SHEET_XML:
        return SheetFacts(f"{size / 1024 / 1024:,.0f} MB", False)
    declared, last_row, last_col, has_formula = None, 0, 0, False
    for index, chunk in enumerate(chunks(archive, part)):
        if index == 0:
            declared = _DIMENSION.search(chunk, 0, 4096)
        last_row = max([last_row, *(int(r) for r in _ROW_REF.findall(chunk))])
        if _ANY_WIDE.search(chunk):
            for letters, row in _WIDE_CELL.findall(chunk):
                last_col, last_row = max(last_col, parse_ref(letters.decode() + "1")[1]), max(last_row, int(row))
        has_formula = has_formula or _has_formula(chunk)
    if declared:
        row, col = parse_ref((declared.group(2) or declared.group(1)).decode())
        if row >= MAX_ROWS or col >= MAX_COLS:
            return SheetFacts((declared.group(2) or declared.group(1)).decode(), has_formula)
    if last_row > MAX_ROWS or last_col >= MAX_COLS:
        return SheetFacts(f"{column_letter(max(last_col, 0))}{last_row}", has_formula)
    return SheetFacts("", has_formula)


def _formulas(archive: zipfile.ZipFile, parts: dict[str, str]) -> dict[str, dict[tuple[int, int], tuple[str, str | None]]]:
    """Formula cells of the given sheets: sheet -> (row, col) -> (formula, cached value or None)."""
    found = {}
    for sheet, part in parts.items():
        cells = {}
        for cell in ElementTree.fromstring(bounded_read(archive, part)).iter(f"{_NS_MAIN}c"):
            formula = cell.find(f"{_NS_MAIN}f")
            if formula is not None and cell.get("r"):
                value = cell.find(f"{_NS_MAIN}v")
                cells[parse_ref(cell.get("r"))] = (formula.text or "", value.text if value is not None else None)
        found[sheet] = cells
    return found


def _bounded_sheets(data: bytes, far: dict[str, str]) -> dict[str, list[list]]:
    """Every sheet's issued area only (MAX_ROWS x MAX_COLS), streamed: for workbooks that declare a huge range."""
    import openpyxl  # only for this rare path: it streams a sheet and stops at the bounds

    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        return {sheet.title: [list(row) for row in sheet.iter_rows(min_row=1, max_row=MAX_ROWS, max_col=MAX_COLS, values_only=True)]
                for sheet in book.worksheets}
    finally:
        book.close()


# ---------------------------------------------------------------- sheets into tables


def _read_sheets(returned: Returned, sheets, properties: dict[str, str], formulas: dict) -> None:
    task = _find_sheet(sheets, layout.TASK_SHEET, ["编号", "进展状态"])
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


def _table(sheets, found: tuple[str, int], columns: list[str], formulas: dict) -> Table:
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
    return Table(name, header_row, found_columns, body, renamed, kept)


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
