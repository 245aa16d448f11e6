"""intake: read a returned workbook, whatever client saved it, without ever changing it."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

from . import layout
from .model import Problem
from .problems import problem
from .sheetio import LazyWorkbook, cell_text, header_index

SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods", ".et"}
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_FILENAME_RE = re.compile(r"^(?P<unit>.+?)_(?P<month>\d{4}-\d{2})")
_NS_CUSTOM = "{http://schemas.openxmlformats.org/officeDocument/2006/custom-properties}"
_NS_META = "{urn:oasis:names:tc:opendocument:xmlns:meta:1.0}"


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


@dataclass
class Returned:
    """Everything read from one returned file, as raw cell values with their positions."""

    path: Path
    sha256: str
    size: int
    saved_at: dt.datetime | None = None
    identity: Identity = field(default_factory=Identity)
    meta_rows: list[tuple[str, int, str]] = field(default_factory=list)
    tasks: Table = field(default_factory=Table)
    evidence: Table = field(default_factory=Table)
    liaison: Table = field(default_factory=Table)
    problems: list[Problem] = field(default_factory=list)
    readable: bool = True

    @property
    def name(self) -> str:
        return self.path.name


def is_lock_file(path: Path) -> bool:
    return path.name.startswith("~$") or path.name.startswith(".~lock.")


def list_inbox(inbox: Path) -> tuple[list[Path], list[Path]]:
    """(candidate files, ignored lock files), sorted for a stable order."""
    files = sorted(p for p in Path(inbox).rglob("*") if p.is_file())
    ignored = [p for p in files if is_lock_file(p) or p.name.startswith(".")]
    return [p for p in files if p not in ignored], ignored


def read_returned(path: Path) -> Returned:
    path = Path(path)
    data = path.read_bytes()
    returned = Returned(path, hashlib.sha256(data).hexdigest(), len(data))
    refusal = _refuse_unreadable(path, data)
    if refusal:
        returned.problems.append(refusal)
        returned.readable = False
        return returned
    try:
        sheets = LazyWorkbook(path)
        for name in (layout.TASK_SHEET, layout.EVIDENCE_SHEET, layout.LIAISON_SHEET, layout.META_SHEET):
            sheets.get(name)  # load now, so that a damaged sheet is reported as a damaged file
    except Exception as exc:  # calamine raises several types for damaged files
        returned.problems.append(_unreadable(path, data, exc))
        returned.readable = False
        return returned
    try:
        properties, saved = _zip_metadata(data)
        returned.saved_at = saved or dt.datetime.fromtimestamp(path.stat().st_mtime).replace(microsecond=0)
        _read_sheets(returned, sheets, properties)
    finally:
        sheets.close()
    return returned


def _problem(path: Path, code: str, **fields) -> Problem:
    return problem(code, file=path.name, **fields)


def _refuse_unreadable(path: Path, data: bytes) -> Problem | None:
    if not data:
        return _problem(path, "empty-file")
    is_zip, is_ole = data[:4] == b"PK\x03\x04", data[:8] == OLE_MAGIC
    if is_ole and b"E\x00n\x00c\x00r\x00y\x00p\x00t\x00e\x00d\x00P\x00a\x00c\x00k\x00a\x00g\x00e" in data:
        return _problem(path, "password-protected")
    if not (is_zip or is_ole):
        kind = "PDF 文件" if data[:4] == b"%PDF" else "非电子表格文件"
        return _problem(path, "not-spreadsheet", detail=f"这是{kind},不是 Excel/WPS 表格。请让该单位发送填好的 .xlsx 工作簿。")
    if path.suffix.lower() not in SPREADSHEET_SUFFIXES:
        return _problem(path, "not-spreadsheet", detail=f"扩展名“{path.suffix}”不是表格文件。请让该单位发送 .xlsx 工作簿。")
    return None


def _unreadable(path: Path, data: bytes, exc: Exception) -> Problem:
    if path.suffix.lower() == ".et":
        return _problem(path, "wps-et-unsupported")
    return _problem(path, "corrupt-file", error=type(exc).__name__)


def _zip_metadata(data: bytes) -> tuple[dict[str, str], dt.datetime | None]:
    """Custom properties and the document's own last-saved time, from xlsx or ods metadata."""
    if data[:4] != b"PK\x03\x04":
        return {}, None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            parts = {name: archive.read(name) for name in ("docProps/custom.xml", "docProps/core.xml", "meta.xml") if name in names}
    except zipfile.BadZipFile:
        return {}, None
    return _custom_properties(parts), _modified(parts)


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


def _modified(parts: dict[str, bytes]) -> dt.datetime | None:
    for name in ("docProps/core.xml", "meta.xml"):
        if name in parts:
            text = parts[name].decode("utf-8", "replace")
            match = re.search(r"<(?:dcterms:modified|dc:date)[^>]*>([^<]+)<", text)
            if match:
                try:
                    stamp = dt.datetime.fromisoformat(match.group(1).strip().replace("Z", "+00:00"))
                except ValueError:
                    return None
                return stamp.astimezone().replace(tzinfo=None, microsecond=0) if stamp.tzinfo else stamp.replace(microsecond=0)
    return None


def _read_sheets(returned: Returned, sheets: dict[str, list[list]], properties: dict[str, str]) -> None:
    task = _find_sheet(sheets, layout.TASK_SHEET, ["编号", "进展状态"])
    if task is None:
        returned.problems.append(_problem(returned.path, "missing-task-sheet"))
    else:
        returned.tasks = _table(sheets, task, layout.TASK_COLUMNS)
    evidence = _find_sheet(sheets, layout.EVIDENCE_SHEET, ["材料名称", "网址"])
    if evidence:
        returned.evidence = _table(sheets, evidence, layout.EVIDENCE_COLUMNS)
    liaison = _find_sheet(sheets, layout.LIAISON_SHEET, ["单位", "姓名", "职务"])
    if liaison:
        returned.liaison = _table(sheets, liaison, layout.LIAISON_COLUMNS)
    returned.identity = _identify(returned, sheets, properties)


def _find_sheet(sheets, name: str, must_have: list[str]) -> tuple[str, int] | None:
    """(sheet name, header row): by name first, then by content when renamed."""
    candidates = [name] + [n for n in sheets if n != name]
    for candidate in candidates:
        rows = sheets.get(candidate)
        if not rows:
            continue
        for index, row in enumerate(rows[:6]):
            texts = {cell_text(v) for v in row}
            if all(m in texts for m in must_have):
                return candidate, index
    return None


def _table(sheets, found: tuple[str, int], columns: list[str]) -> Table:
    name, header_row = found
    rows = sheets[name]
    body = [(index, row) for index, row in enumerate(rows[header_row + 1:], start=header_row + 1) if _has_content(row)]
    return Table(name, header_row, header_index(rows[header_row], columns), body)


def _has_content(row: list) -> bool:
    return any(v is not None and (type(v) is not str or v.strip()) for v in row)


def _identify(returned: Returned, sheets, properties: dict[str, str]) -> Identity:
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
    match = _FILENAME_RE.match(_strip_copy_marks(returned.path.stem))
    if match:
        return Identity(unit=match.group("unit"), month=match.group("month"), source="文件名")
    return Identity()


def _strip_copy_marks(stem: str) -> str:
    """Remove what mail clients and Explorer add: 副本, Copy of, (2)."""
    stem = re.sub(r"^(Copy of |副本\s*|复件\s*)", "", stem.strip(), flags=re.IGNORECASE)
    return re.sub(r"\s*[-_ ]?(副本|复件)?\s*[((]\d+[))]$", "", stem).strip()
