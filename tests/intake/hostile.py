"""Hostile inputs for intake and merge: one small function per defect, each writing ONE file.

Functions take a clean filled workbook `src` (made by `simulate`) or nothing, and only WRITE. Never read
these files back with python-calamine in the test process: several of them make calamine abort it.
Parts are edited at the zip/XML level where openpyxl cannot express the defect.

Run `python tests/intake/hostile.py` for a self-check that builds every file and checks it with zipfile only.
"""

from __future__ import annotations

import os
import posixpath
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from xml.etree import ElementTree
from xml.sax.saxutils import escape

import openpyxl
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string, get_column_letter

from xlsx_tracker.base import layout

LONG_TEXT_CHAR = "长"
EXCEL_MAX_ROW = 1_048_576
EXCEL_MAX_TEXT = 32_767

_NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_NS_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
_CHUNK = 1 << 20
_ROWS_PER_CHUNK = 10_000

Content = bytes | Iterable[bytes]  # a part's new content: whole, or streamed in chunks


# ---------------------------------------------------------------- zip plumbing

def task_sheet_part(path: Path) -> str:
    """The zip member name of the 任务清单 sheet, resolved through the workbook and its relationships."""
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        workbook = _office_document(archive)
        rels_name = posixpath.join(posixpath.dirname(workbook), "_rels", posixpath.basename(workbook) + ".rels")
        book = ElementTree.fromstring(archive.read(workbook))
        rels = ElementTree.fromstring(archive.read(rels_name))
    rel_id = next((s.get(f"{{{_NS_REL}}}id") for s in book.iter(f"{{{_NS_MAIN}}}sheet") if s.get("name") == layout.TASK_SHEET), None)
    if rel_id is None:
        raise KeyError(f"no sheet named {layout.TASK_SHEET} in {path}")
    target = next(r.get("Target") for r in rels.iter(f"{{{_NS_PKG_REL}}}Relationship") if r.get("Id") == rel_id)
    part = _resolve(posixpath.dirname(workbook), target)
    if part not in names:
        raise KeyError(f"{layout.TASK_SHEET} points to missing part {part} in {path}")
    return part


def _office_document(archive: zipfile.ZipFile) -> str:
    root = ElementTree.fromstring(archive.read("_rels/.rels"))
    for rel in root.iter(f"{{{_NS_PKG_REL}}}Relationship"):
        if rel.get("Type", "").endswith("/officeDocument"):
            return _resolve("", rel.get("Target", ""))
    return "xl/workbook.xml"


def _resolve(base: str, target: str) -> str:
    """A relationship target (absolute "/xl/..." or relative to `base`) as a zip member name."""
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(base, target))


def _copy_info(info: zipfile.ZipInfo) -> zipfile.ZipInfo:
    copy = zipfile.ZipInfo(info.filename, date_time=info.date_time)
    copy.compress_type = zipfile.ZIP_DEFLATED
    copy.external_attr = info.external_attr
    return copy


def _write_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, content: Content) -> None:
    if isinstance(content, bytes | bytearray):
        archive.writestr(info, bytes(content))
        return
    # ZipFile.open("w") deflates through zlib.compressobj chunk by chunk, then seeks back and rewrites the
    # local header with the true CRC and sizes (in its zip64 extra): an honest header, constant memory.
    with archive.open(info, "w", force_zip64=True) as member:
        for chunk in content:
            member.write(chunk)


def _rewrite(src: Path, dst: Path, changes: dict[str, Callable[[bytes | None], Content]]) -> Path:
    """Copy the zip `src` to `dst` member by member, in order; `changes` maps a part to its new content
    (called with the old bytes, or None for a part the source lacks, which is then appended)."""
    src, dst = Path(src), Path(dst)
    if src.resolve() == dst.resolve():
        raise ValueError("dst must differ from src")
    dst.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(src) as source, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as target:
        infos = source.infolist()
        for info in infos:
            change = changes.get(info.filename)
            data = source.read(info.filename)
            _write_member(target, _copy_info(info), change(data) if change else data)
        date = infos[0].date_time if infos else (2024, 5, 20, 10, 0, 0)
        for name in [n for n in changes if n not in {i.filename for i in infos}]:
            info = zipfile.ZipInfo(name, date_time=date)
            info.compress_type = zipfile.ZIP_DEFLATED
            _write_member(target, info, changes[name](None))
    return dst


def _edit_task_sheet(src: Path, dst: Path, edit: Callable[[str], str | Iterable[bytes]]) -> Path:
    def change(data: bytes | None) -> Content:
        result = edit(data.decode("utf-8"))
        return result.encode("utf-8") if isinstance(result, str) else result
    return _rewrite(src, dst, {task_sheet_part(src): change})


# ---------------------------------------------------------------- sheet XML editing (regex, on one exact ref)

def _cell_pattern(ref: str) -> re.Pattern:
    # `<c\b` does not match <col>/<cols>/<cfRule>; a <c> never nests, so the first </c> closes it.
    return re.compile(rf'<c\b[^>]*?\sr="{ref}"[^>]*?(?:/>|>.*?</c>)', re.S)


def _put_cell(xml: str, ref: str, attrs: str, body: str) -> str:
    """Replace the cell `ref` (keeping its style) by `<c r=ref{attrs}>{body}</c>`, or insert it in order."""
    existing = _cell_pattern(ref).search(xml)
    style = ""
    if existing:
        found = re.search(r'\ss="\d+"', existing.group(0).split(">", 1)[0])
        style = found.group(0) if found else ""
    cell = f'<c r="{ref}"{style}{attrs}>{body}</c>'
    if existing:
        return xml[: existing.start()] + cell + xml[existing.end():]
    letters, row = coordinate_from_string(ref)
    column = column_index_from_string(letters)
    found_row = re.search(rf'<row\b[^>]*?\sr="{row}"[^>]*?(/>|>(.*?)</row>)', xml, re.S)
    if found_row:
        if found_row.group(1) == "/>":
            start_tag = found_row.group(0)[:-2] + ">"
            return xml[: found_row.start()] + start_tag + cell + "</row>" + xml[found_row.end():]
        offset = found_row.start(2)
        for other in re.finditer(r'<c\b[^>]*?\sr="([A-Z]+)\d+"', found_row.group(2)):
            if column_index_from_string(other.group(1)) > column:
                at = offset + other.start()
                return xml[:at] + cell + xml[at:]
        at = found_row.end(2)
        return xml[:at] + cell + xml[at:]
    new_row = f'<row r="{row}">{cell}</row>'
    for other in re.finditer(r'<row\b[^>]*?\sr="(\d+)"', xml):
        if int(other.group(1)) > row:
            return xml[: other.start()] + new_row + xml[other.start():]
    if "<sheetData/>" in xml:
        return xml.replace("<sheetData/>", f"<sheetData>{new_row}</sheetData>", 1)
    at = xml.index("</sheetData>")
    return xml[:at] + new_row + xml[at:]


def _inline(text: str) -> tuple[str, str]:
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return ' t="inlineStr"', f"<is><t{space}>{escape(text)}</t></is>"


def _last_row(xml: str) -> int:
    return max((int(n) for n in re.findall(r'<row\b[^>]*?\sr="(\d+)"', xml)), default=0)


def _extend_dimension(xml: str, ref: str) -> str:
    """The <dimension ref> grown to cover `ref` (added after <sheetPr> when missing)."""
    found = re.search(r'<dimension\b[^>]*?\sref="([^"]*)"[^>]*/>', xml)
    corners = [ref] + (found.group(1).split(":") if found else ["A1"])
    points = [coordinate_from_string(c) for c in corners]
    columns = [column_index_from_string(letters) for letters, _ in points]
    rows = [row for _, row in points]
    element = f'<dimension ref="{get_column_letter(min(columns))}{min(rows)}:{get_column_letter(max(columns))}{max(rows)}"/>'
    if found:
        return xml[: found.start()] + element + xml[found.end():]
    after = re.search(r"<sheetPr\b[^>]*?(?:/>|>.*?</sheetPr>)|<worksheet\b[^>]*>", xml, re.S)
    return xml[: after.end()] + element + xml[after.end():]


# ---------------------------------------------------------------- the hostile files

def far_cell(src: Path, dst: Path, ref: str = "XFD1048576", text: str = "x") -> Path:
    """One stray value at the grid's far corner, with the <dimension> saying A1:XFD1048576, as Excel writes it."""
    # python-calamine 0.9.1 aborts the process on this file and on the lying one alike (SIGABRT, "memory
    # allocation of 549755813888 bytes failed"): it sizes its dense range from the cells, not <dimension>.
    return _edit_task_sheet(src, dst, lambda xml: _extend_dimension(_put_cell(xml, ref, *_inline(text)), ref))


def far_cell_lying_dimension(src: Path, dst: Path, ref: str = "XFD1048576") -> Path:
    """The same far cell, but the <dimension> keeps its small range: the file lies about its size."""
    return _edit_task_sheet(src, dst, lambda xml: _put_cell(xml, ref, *_inline("x")))


def inflating_part(src: Path, dst: Path, part: str, inflated_bytes: int) -> Path:
    """The zip member `part` inflates to `inflated_bytes` of well-formed XML padded with spaces (honest header)."""
    # Measured on this machine (2 cores, zlib level 6): a 2 GiB task sheet takes 7.8-10.8 s to write (three
    # runs) and gives a 2,117,836-byte file (deflate tops out near 1:1030); 300 MiB takes 1-2 s.
    # xl/sharedStrings.xml is absent from openpyxl 3.1 files (inline strings only): asking for it adds an
    # empty shared-string table, registered in [Content_Types].xml and the workbook rels, and inflates that.
    def padded(data: bytes | None) -> Iterator[bytes]:
        if data is None:
            if part != "xl/sharedStrings.xml":
                raise KeyError(f"{part} is not in {src}")
            data = f'<sst xmlns="{_NS_MAIN}" count="0" uniqueCount="0"></sst>'.encode()
        declaration = re.match(rb"\s*<\?xml[^>]*\?>", data)
        if declaration:  # spaces in the prolog, before any content
            at = declaration.end()
        else:  # no declaration (openpyxl writes none): spaces before the root's closing tag
            at = data.rindex(b"</")
        padding = inflated_bytes - len(data)
        if padding < 0:
            raise ValueError(f"{part} is already {len(data)} bytes, more than {inflated_bytes}")
        yield data[:at]
        yield from _run(padding)
        yield data[at:]

    changes: dict[str, Callable[[bytes | None], Content]] = {part: padded}
    with zipfile.ZipFile(src) as archive:
        missing = part not in archive.namelist()
    if missing and part == "xl/sharedStrings.xml":
        changes["[Content_Types].xml"] = _register_shared_strings_type
        changes["xl/_rels/workbook.xml.rels"] = _register_shared_strings_rel
    return _rewrite(src, dst, changes)


def _run(count: int, byte: bytes = b" ") -> Iterator[bytes]:
    """`count` copies of `byte`, in 1 MiB chunks."""
    chunk = byte * _CHUNK
    for _ in range(count // _CHUNK):
        yield chunk
    yield byte * (count % _CHUNK)


def _register_shared_strings_type(data: bytes | None) -> bytes:
    override = ('<Override PartName="/xl/sharedStrings.xml" '
                'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>')
    return data.replace(b"</Types>", override.encode() + b"</Types>")


def _register_shared_strings_rel(data: bytes | None) -> bytes:
    rel = f'<Relationship Type="{_NS_REL}/sharedStrings" Target="sharedStrings.xml" Id="rIdHostileSst"/>'
    return data.replace(b"</Relationships>", rel.encode() + b"</Relationships>")


def many_empty_rows(src: Path, dst: Path, rows: int = 2_000_000) -> Path:
    """`rows` empty formatted rows after the data: a huge sheet XML that compresses well."""
    # Row numbers continue after the last data row; past 1,048,576 they leave Excel's grid (the default
    # 2,000,000 does), which Excel itself never writes. Measured: 2,000,000 rows = 131,027,097 bytes of
    # XML, a 5,164,144-byte file, written in 0.9-1.4 s.
    def edit(xml: str) -> Iterator[bytes]:
        at = xml.index("</sheetData>")
        first = _last_row(xml) + 1
        yield xml[:at].encode("utf-8")
        for start in range(first, first + rows, _ROWS_PER_CHUNK):
            stop = min(start + _ROWS_PER_CHUNK, first + rows)
            yield "".join(f'<row r="{n}" s="1" customFormat="1" ht="15" customHeight="1"/>' for n in range(start, stop)).encode()
        yield xml[at:].encode("utf-8")
    return _edit_task_sheet(src, dst, edit)


def formula_cells(src: Path, dst: Path) -> Path:
    """C3 (进展状态) is a formula with a cached value; D4 (本月工作进展) a formula with none, as scripts write."""
    def edit(xml: str) -> str:
        xml = _put_cell(xml, "C3", ' t="str"', '<f>"已完成"</f><v>已完成</v>')
        return _put_cell(xml, "D4", "", '<f>A4&amp;"项进展"</f>')
    return _edit_task_sheet(src, dst, edit)


def header_retyped(src: Path, dst: Path, old: str = "进展状态", new: str = "进展情况") -> Path:
    """The header cell `old` on row 2 of the task sheet is retyped as `new`."""
    book = openpyxl.load_workbook(src)
    sheet = book[layout.TASK_SHEET]
    cell = next((c for c in sheet[layout.HEADER_ROW + 1] if c.value == old), None)
    if cell is None:
        raise KeyError(f"no header {old} on row {layout.HEADER_ROW + 1}")
    cell.value = new
    return _save(book, dst)


def long_text(src: Path, dst: Path, chars: int = 40_000) -> Path:
    """D3 (本月工作进展) holds `chars` characters, more than Excel's 32,767, as an inline string no library truncates."""
    return _edit_task_sheet(src, dst, lambda xml: _put_cell(xml, "D3", *_inline(long_text_value(chars))))


def long_text_value(chars: int = 40_000) -> str:
    return "本月进展:" + LONG_TEXT_CHAR * (chars - 5)


def saved_time(src: Path, dst: Path, stamp: str) -> Path:
    """docProps/core.xml <dcterms:modified> holds the literal `stamp`."""
    def change(data: bytes | None) -> bytes:
        core = data.decode("utf-8")
        found = re.search(r"<dcterms:modified\b([^>]*?)(?:/>|>.*?</dcterms:modified>)", core, re.S)
        if found:  # keep the attributes: openpyxl declares the dcterms/xsi namespaces on this very element
            element = f"<dcterms:modified{found.group(1)}>{escape(stamp)}</dcterms:modified>"
            return (core[: found.start()] + element + core[found.end():]).encode("utf-8")
        element = ('<dcterms:modified xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
                   f'xsi:type="dcterms:W3CDTF">{escape(stamp)}</dcterms:modified>')
        at = core.rindex("</")
        return (core[:at] + element + core[at:]).encode("utf-8")
    return _rewrite(src, dst, {"docProps/core.xml": change})


class _GbkZipInfo(zipfile.ZipInfo):
    """A member name in GBK without the UTF-8 flag, as Chinese Windows zips them."""

    __slots__ = ()

    def _encodeFilenameFlags(self):
        return self.filename.encode("gbk"), self.flag_bits & ~0x800


def gbk_zip(dst: Path, members: dict[str, bytes]) -> Path:
    """A zip whose member names are GBK bytes with the UTF-8 flag clear, as made on Chinese Windows."""
    dst = Path(dst)
    dst.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            info = _GbkZipInfo(name, date_time=(2024, 5, 20, 10, 0, 0))
            info.create_system = 0  # MS-DOS, as Windows' Compressed Folders writes it
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0x10 if name.endswith("/") else 0x20  # DOS directory / archive bit
            archive.writestr(info, data)
    return dst


def zip_bomb(dst: Path, member: str, inflated_bytes: int) -> Path:
    """A zip attachment with one member inflating to `inflated_bytes` zero bytes (honest header)."""
    dst = Path(dst)
    dst.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as archive:
        info = zipfile.ZipInfo(member, date_time=(2024, 5, 20, 10, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        _write_member(archive, info, _run(inflated_bytes, b"\0"))
    return dst


def fake_pdf(dst: Path) -> Path:
    """A received PDF: a minimal valid one-page document."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return _write_bytes(dst, bytes(out))


def fake_docx(dst: Path) -> Path:
    """A received Word document: a minimal real .docx (content types, package rels, one paragraph)."""
    parts = {
        "[Content_Types].xml": f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="{_NS_TYPES}">'
                               '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                               '<Default Extension="xml" ContentType="application/xml"/>'
                               '<Override PartName="/word/document.xml" '
                               'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        "_rels/.rels": f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{_NS_PKG_REL}">'
                       f'<Relationship Id="rId1" Type="{_NS_REL}/officeDocument" Target="word/document.xml"/></Relationships>',
        "word/document.xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                             '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
                             '<w:p><w:r><w:t>关于本单位法治政府建设工作的情况说明</w:t></w:r></w:p></w:body></w:document>',
    }
    dst = Path(dst)
    dst.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=(2024, 5, 20, 10, 0, 0)), text.encode("utf-8"), zipfile.ZIP_DEFLATED)
    return dst


def fake_jpg(dst: Path) -> Path:
    """A received photo: JPEG/JFIF magic bytes, some data and the end-of-image marker."""
    header = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    return _write_bytes(dst, header + bytes(range(256)) * 4 + b"\xff\xd9")


def inbox_links(inbox: Path, outside: Path) -> list[Path]:
    """A symlink to a real file outside the inbox, and a dangling symlink; returns both links."""
    inbox = Path(inbox)
    inbox.mkdir(parents=True, exist_ok=True)
    missing = inbox.parent / "已删除的回收文件.xlsx"
    if missing.exists() or missing.is_symlink():
        raise FileExistsError(f"{missing} must not exist: it is the dangling link's target")
    links = []
    for name, target in (("链接到外部.xlsx", Path(outside)), ("失效链接.xlsx", missing)):
        link = inbox / name
        link.unlink(missing_ok=True)
        link.symlink_to(target)
        links.append(link)
    return links


def gbk_bytes_name(folder: Path, stem_text: str, src: Path) -> Path:
    """A copy of `src` whose file name is GBK bytes (not valid UTF-8), as unzip leaves it on Linux."""
    name = stem_text.encode("gbk") + b".xlsx"
    try:
        name.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        raise ValueError(f"{stem_text!r} in GBK happens to be valid UTF-8; choose another stem")
    os.makedirs(os.fsencode(folder), exist_ok=True)
    full = os.path.join(os.fsencode(folder), name)
    descriptor = os.open(full, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    with os.fdopen(descriptor, "wb") as target:
        target.write(Path(src).read_bytes())
    return Path(os.fsdecode(full))


def directory_named_like_file(inbox: Path, name: str = "看起来像文件.xlsx") -> Path:
    """A directory in the inbox whose name ends in .xlsx."""
    path = Path(inbox) / name
    path.mkdir(parents=True, exist_ok=True)
    return path


def rename_sheet(src: Path, dst: Path, old: str, new: str) -> Path:
    """Sheet `old` renamed `new` (e.g. "=1+1" or "@SUM(A1)" for formula-injection tests)."""
    book = openpyxl.load_workbook(src)
    book[old].title = new
    return _save(book, dst)


def _save(book, dst: Path) -> Path:
    dst = Path(dst)
    dst.parent.mkdir(parents=True, exist_ok=True)
    book.save(dst)
    return dst


def _write_bytes(dst: Path, data: bytes) -> Path:
    dst = Path(dst)
    dst.parent.mkdir(parents=True, exist_ok=True)
    dst.write_bytes(data)
    return dst


# ---------------------------------------------------------------- self-check (zipfile and ElementTree only)

def _filled_workbook(root: Path) -> Path:
    import datetime as dt
    import random

    from xlsx_tracker.base.workspace import init_workspace
    from xlsx_tracker.demo.cycle import simulate
    from xlsx_tracker.month.run import month_run
    from xlsx_tracker.month.split import split

    workspace = init_workspace(root / "工作区")
    issued = split(month_run(workspace, "2024-05"), out_dir=root / "下发", issued_at=dt.datetime(2024, 5, 6, 9, 0))
    book = simulate.open_form(issued[0].path)
    simulate.fill_form(book, random.Random(0), "2024-05")
    return simulate.save_as(book, root / "clean_filled.xlsx")


def _local_header_size(path: Path, name: str) -> int:
    """The uncompressed size the member's local header declares (from its zip64 extra when present)."""
    import struct

    with zipfile.ZipFile(path) as archive:
        offset = archive.getinfo(name).header_offset
    with open(path, "rb") as handle:
        handle.seek(offset)
        fixed = handle.read(30)
        signature, *_, size, name_length, extra_length = struct.unpack("<IHHHHHIIIHH", fixed)
        assert signature == 0x04034B50
        handle.seek(name_length, 1)
        extra = handle.read(extra_length)
    while size == 0xFFFFFFFF and extra:
        kind, length = struct.unpack("<HH", extra[:4])
        if kind == 1:
            return struct.unpack("<Q", extra[4:12])[0]
        extra = extra[4 + length:]
    return size


def _stream_check(path: Path, name: str, limit: int | None = None) -> int:
    """Feed the member to expat in chunks (whole, or its first `limit` bytes); returns the bytes read."""
    from xml.parsers import expat

    parser, read = expat.ParserCreate(), 0
    with zipfile.ZipFile(path) as archive, archive.open(name) as member:
        while limit is None or read < limit:
            chunk = member.read(4 * _CHUNK)
            if not chunk:
                parser.Parse(b"", True)
                break
            read += len(chunk)
            parser.Parse(chunk, False)
    return read


def _self_check() -> None:
    import tempfile
    import time

    def xml_of(path: Path, name: str):
        with zipfile.ZipFile(path) as archive:
            assert archive.testzip() is None, path
            return ElementTree.fromstring(archive.read(name))

    def cell(sheet, ref: str):
        return next(c for c in sheet.iter(f"{{{_NS_MAIN}}}c") if c.get("r") == ref)

    def report(path: Path, note: str = "", seconds: float | None = None) -> None:
        timing = f"  {seconds:.1f} s" if seconds is not None else ""
        print(f"{path.stat().st_size:>12,} B  {path.name}{timing}  {note}")

    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp)
        src = _filled_workbook(root)
        out = root / "hostile"
        part = task_sheet_part(src)
        assert part == "xl/worksheets/sheet2.xml", part
        report(src, f"task sheet part {part}")

        path = far_cell(src, out / "far_cell.xlsx")
        sheet = xml_of(path, part)
        assert sheet.find(f"{{{_NS_MAIN}}}dimension").get("ref") == "A1:XFD1048576"
        rows = list(sheet.iter(f"{{{_NS_MAIN}}}row"))
        assert rows[-1].get("r") == "1048576" and "".join(cell(sheet, "XFD1048576").itertext()) == "x"
        report(path)

        path = far_cell_lying_dimension(src, out / "far_cell_lying_dimension.xlsx")
        sheet = xml_of(path, part)
        assert sheet.find(f"{{{_NS_MAIN}}}dimension").get("ref") == "A1:P22" and cell(sheet, "XFD1048576") is not None
        report(path)

        size = 300 * 1024 * 1024
        for name in (part, "xl/sharedStrings.xml", "docProps/custom.xml"):
            path = out / f"inflating_{name.replace('/', '_')}.xlsx"
            started = time.perf_counter()
            inflating_part(src, path, name, size)
            seconds = time.perf_counter() - started
            with zipfile.ZipFile(path) as archive:
                assert archive.getinfo(name).file_size == size
            assert _local_header_size(path, name) == size
            assert _stream_check(path, name) == size
            report(path, f"{name} inflates to {size:,} B", seconds)
        path = out / "inflating_xl_sharedStrings.xml.xlsx"  # absent from the source: added and registered
        assert "sharedStrings.xml" in str(xml_of(path, "[Content_Types].xml")[-1].attrib)
        assert "sharedStrings" in xml_of(path, "xl/_rels/workbook.xml.rels")[-1].get("Type")

        size = 2 * 1024 ** 3
        path = out / "inflating_task_sheet_2GiB.xlsx"
        started = time.perf_counter()
        inflating_part(src, path, part, size)
        seconds = time.perf_counter() - started
        with zipfile.ZipFile(path) as archive:
            assert archive.getinfo(part).file_size == size
        assert _local_header_size(path, part) == size
        assert _stream_check(path, part, limit=8 * _CHUNK) >= 8 * _CHUNK
        report(path, f"{part} inflates to {size:,} B", seconds)

        rows, last = 200_000, _last_row(zipfile.ZipFile(src).read(part).decode("utf-8"))
        path = out / "many_empty_rows.xlsx"
        started = time.perf_counter()
        many_empty_rows(src, path, rows)
        seconds = time.perf_counter() - started
        sheet = xml_of(path, part)
        rows_found = list(sheet.iter(f"{{{_NS_MAIN}}}row"))
        assert len(rows_found) == last + rows and rows_found[-1].get("r") == str(last + rows) and rows_found[-1].get("s") == "1"
        with zipfile.ZipFile(path) as archive:
            report(path, f"{rows:,} empty rows, sheet XML {archive.getinfo(part).file_size:,} B", seconds)

        path = formula_cells(src, out / "formula_cells.xlsx")
        sheet = xml_of(path, part)
        j3, k4 = cell(sheet, "C3"), cell(sheet, "D4")
        assert j3.get("t") == "str" and j3.findtext(f"{{{_NS_MAIN}}}f") == '"已完成"' and j3.findtext(f"{{{_NS_MAIN}}}v") == "已完成"
        assert k4.findtext(f"{{{_NS_MAIN}}}f") == 'A4&"项进展"' and k4.find(f"{{{_NS_MAIN}}}v") is None and k4.get("t") is None
        assert "".join(cell(sheet, "C4").itertext()) and "".join(cell(sheet, "D3").itertext())  # neighbours untouched
        report(path)

        path = header_retyped(src, out / "header_retyped.xlsx")
        sheet = xml_of(path, part)
        assert "".join(cell(sheet, "J2").itertext()) == "进展情况"
        assert "xl/worksheets/sheet6.xml" in zipfile.ZipFile(path).namelist() and b"veryHidden" in zipfile.ZipFile(path).read("xl/workbook.xml")
        report(path)

        path = long_text(src, out / "long_text.xlsx")
        text = "".join(cell(xml_of(path, part), "D3").itertext())
        assert text == long_text_value() and len(text) == 40_000 > EXCEL_MAX_TEXT
        report(path)

        for stamp in ("9999-12-31T23:59:59Z", "2001-01-01T00:00:00Z"):
            path = saved_time(src, out / f"saved_{stamp[:4]}.xlsx", stamp)
            core = xml_of(path, "docProps/core.xml")
            assert core.findtext("{http://purl.org/dc/terms/}modified") == stamp
            report(path, stamp)

        members = {"回收表/司法局_2024-05.xlsx": src.read_bytes(), "材料/通知.pdf": fake_pdf(root / "x.pdf").read_bytes(),
                   "../逃逸.xlsx": b"escape"}
        path = gbk_zip(out / "中文附件.zip", members)
        with zipfile.ZipFile(path, metadata_encoding="gbk") as archive:
            assert archive.namelist() == list(members), archive.namelist()
            assert all(not info.flag_bits & 0x800 for info in archive.infolist())
            assert archive.read("材料/通知.pdf").startswith(b"%PDF")
        with zipfile.ZipFile(path) as archive:  # without the hint: cp437 mojibake
            assert archive.namelist() != list(members)
        report(path, "names as cp437: " + ", ".join(zipfile.ZipFile(path).namelist()))

        path = zip_bomb(out / "材料压缩包.zip", "材料/全部材料.pdf", 300 * 1024 * 1024)
        with zipfile.ZipFile(path) as archive:
            assert archive.getinfo("材料/全部材料.pdf").file_size == 300 * 1024 * 1024
        assert _local_header_size(path, "材料/全部材料.pdf") == 300 * 1024 * 1024
        report(path)

        path = fake_pdf(out / "扫描件.pdf")
        assert path.read_bytes().startswith(b"%PDF-1.4") and path.read_bytes().rstrip().endswith(b"%%EOF")
        report(path)
        path = fake_docx(out / "情况说明.docx")
        for name in ("[Content_Types].xml", "_rels/.rels", "word/document.xml"):
            xml_of(path, name)
        report(path)
        path = fake_jpg(out / "现场照片.jpg")
        assert path.read_bytes()[:4] == b"\xff\xd8\xff\xe0"
        report(path)

        inbox = root / "收件箱"
        outside = root / "外部文件.xlsx"
        outside.write_bytes(src.read_bytes())
        linked, dangling = inbox_links(inbox, outside)
        assert linked.is_symlink() and linked.exists() and linked.resolve() == outside.resolve()
        assert dangling.is_symlink() and not dangling.exists()
        print(f"{'link':>14}  {linked.name} -> {os.readlink(linked)};  {dangling.name} -> {os.readlink(dangling)}")

        path = gbk_bytes_name(inbox, "司法局_2024-05", src)
        raw = os.fsencode(path)
        assert os.path.basename(raw) == "司法局_2024-05".encode("gbk") + b".xlsx" and os.path.exists(raw)
        print(f"{os.path.getsize(raw):>12,} B  file name bytes {os.path.basename(raw)!r} (not UTF-8)")

        path = directory_named_like_file(inbox)
        assert path.is_dir()
        print(f"{'directory':>14}  {path.name}")

        for new in ("=1+1", "@SUM(A1)"):
            path = rename_sheet(src, out / f"rename_{new[0]}.xlsx", layout.TASK_SHEET, new)
            book = xml_of(path, "xl/workbook.xml")
            assert new in [s.get("name") for s in book.iter(f"{{{_NS_MAIN}}}sheet")]
            report(path, f"task sheet renamed {new}")
    print("hostile self-check passed")


if __name__ == "__main__":
    _self_check()
