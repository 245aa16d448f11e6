"""intake: what a returned file is before any reader builds a grid from it — read only within bounds.

Its format by content, whatever its name says (sniff); the zip directory opened once (open_zip); the
documents' own properties (the custom identity properties and the last-saved time, believed only when
plausible); and for an xlsx, each sheet's real extent and formulas, streamed from the XML, so that a sheet that
reaches far or is bloated is read only within its issued area (bounded_sheets).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from xml.etree import ElementTree

from ..base.problems import CORRUPT_ZIP, OVERSIZED_PROPERTIES, SAVED_TIME_UNTRUSTED
from ..base.sheetio import column_letter, parse_ref
from ..master.settings import DEFAULT_TIMEZONE, office_time, office_zone
from .zipsafe import TooLarge, bounded_read, chunks, zip_kind

SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods", ".et", ".xlsb", ".fods"}
KIND_SUFFIXES = {"xlsx": {".xlsx", ".xlsm"}, "ods": {".ods"}, "xls": {".xls", ".et"}}
MATERIAL_KINDS = {"pdf": "PDF 文件", "docx": "Word 文件", "doc": "Word 文件", "image": "图片", "ofd": "OFD 版式文件",
                  "zip": "压缩包", "text": "文本文件", "other": "文件"}
_SAVE_IN_EXCEL = "在 Excel 或 WPS 中打开,“另存为”时文件类型选“Excel 工作簿(*.xlsx)”"
# Workbooks in a format no reader here opens: (what it is, how to make an .xlsx of it). Refused as a return, never
# filed as a material: a unit that sends one has not returned its form.
FOREIGN_WORKBOOKS = {
    "xlsb": (".xlsb 二进制工作簿", _SAVE_IN_EXCEL),
    "biff": ("Excel 2.x–4.x 旧格式的工作簿(1987–1994 年的 .xls)", _SAVE_IN_EXCEL),
    "xml2003": ("Excel 2003 XML 表格", _SAVE_IN_EXCEL),
    "fods": (".fods 扁平 XML 电子表格", "在 LibreOffice 中打开,“另存为”时文件类型选“Excel 2007-365 (.xlsx)”"),
}
MAX_FILE_BYTES = 100 * 1024 * 1024
MAX_PROPERTY_BYTES = 1024 * 1024  # docProps/*.xml: a few KB in any real file
MAX_ROWS, MAX_COLS = 10_000, 64  # far beyond any unit's sheet; past this only the issued area is read
MAX_SHEET_XML = 16 * 1024 * 1024  # a unit's task sheet is under 2 MB; a bigger one is streamed, not read whole
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"([A-Z]+[0-9]+)(?::([A-Z]+[0-9]+))?\"")
_NS_CUSTOM = "{http://schemas.openxmlformats.org/officeDocument/2006/custom-properties}"
_NS_META = "{urn:oasis:names:tc:opendocument:xmlns:meta:1.0}"
_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


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
    if data[:2] in _BIFF_BOF and data[2:4] in (b"\x04\x00", b"\x06\x00", b"\x08\x00"):
        return "biff"
    xml = _xml_kind(data[:4096])
    if xml:
        return xml
    if data[:4] == b"%PDF":
        return "pdf"
    if data[:3] == b"\xff\xd8\xff" or data[:8] == b"\x89PNG\r\n\x1a\n" or data[:4] in (b"GIF8", b"II*\x00", b"MM\x00*"):
        return "image"
    return "other"


_BIFF_BOF = (b"\x09\x00", b"\x09\x02", b"\x09\x04")  # the first record of an Excel 2.x, 3.x, 4.x file (BOF)


def _xml_kind(head: bytes) -> str:
    """A workbook written as one XML file: LibreOffice's flat ODF (.fods), or Excel 2003's XML spreadsheet."""
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if not text.startswith(b"<"):
        return ""
    if b"office:document" in text and b"opendocument.spreadsheet" in text:
        return "fods"
    if b"urn:schemas-microsoft-com:office:spreadsheet" in text or b'progid="Excel.Sheet"' in text:
        return "xml2003"
    return ""


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
    if "xl/workbook.bin" in archive.NameToInfo:
        return "xlsb"
    try:
        return zip_kind(archive)
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError):
        return CORRUPT_ZIP


# ---------------------------------------------------------------- xlsx parts, read within bounds


def document_properties(archive: zipfile.ZipFile, add: Callable[..., None],
                        zone: dt.tzinfo | None = None) -> tuple[dict[str, str], dt.datetime | None]:
    """Custom properties and the document's own last-saved time (as the office's wall-clock time in zone), from xlsx or
    ods metadata; add(code, **fields) takes the file's problems."""
    parts = {}
    for name in ("docProps/custom.xml", "docProps/core.xml", "meta.xml"):
        if name in archive.NameToInfo:
            try:
                parts[name] = bounded_read(archive, name, MAX_PROPERTY_BYTES)
            except TooLarge:
                add(OVERSIZED_PROPERTIES, part=name)
    return _custom_properties(parts), _modified(parts, add, zone or office_zone(DEFAULT_TIMEZONE))


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


def _modified(parts: dict[str, bytes], add: Callable[..., None], zone: dt.tzinfo) -> dt.datetime | None:
    """The saved time the file states, when it can be believed; else None, with a problem saying why."""
    for name in ("docProps/core.xml", "meta.xml"):
        if name not in parts:
            continue
        match = re.search(r"<(?:dcterms:modified|dc:date)[^>]*>([^<]+)<", parts[name].decode("utf-8", "replace"))
        if not match:
            continue
        raw = match.group(1).strip()
        stamp = parse_stamp(raw, zone)
        if stamp is None or not dt.datetime(2000, 1, 1) <= stamp <= office_time(dt.datetime.now(dt.UTC), zone) + dt.timedelta(days=2):
            add(SAVED_TIME_UNTRUSTED, raw=raw[:40])
            return None
        return stamp
    return None


def parse_stamp(raw: str, zone: dt.tzinfo | None = None) -> dt.datetime | None:
    """An ISO time as the office's wall-clock time (in zone) without zone; a time written without zone is taken as
    the office's already. None when it is not a usable time."""
    try:
        stamp = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
        if stamp.tzinfo is None:
            return stamp.replace(microsecond=0)
        return office_time(stamp, zone or office_zone(DEFAULT_TIMEZONE))
    except (ValueError, OverflowError, OSError):  # year 9999 in UTC+8 overflows
        return None


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


def formula_cells(archive: zipfile.ZipFile, parts: dict[str, str]) -> dict[str, dict[tuple[int, int], tuple[str, str | None]]]:
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


def bounded_sheets(data: bytes, far: dict[str, str]) -> dict[str, list[list]]:
    """Every sheet's issued area only (MAX_ROWS x MAX_COLS), streamed: for workbooks that declare a huge range."""
    import openpyxl  # only for this rare path: it streams a sheet and stops at the bounds

    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        return {sheet.title: [list(row) for row in sheet.iter_rows(min_row=1, max_row=MAX_ROWS, max_col=MAX_COLS, values_only=True)]
                for sheet in book.worksheets}
    finally:
        book.close()

