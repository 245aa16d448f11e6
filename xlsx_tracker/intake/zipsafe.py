"""Safe reading of zip containers (an .xlsx, an .ods, a unit's .zip attachment): limits before any inflating,
bounded reads, and member names decoded the way Chinese Windows wrote them."""

from __future__ import annotations

import zipfile

MAX_MEMBERS = 2000
MAX_MEMBER_BYTES = 160 * 1024 * 1024  # one part, inflated: a task sheet is under 2 MB, a million empty rows about 70 MB
MAX_TOTAL_BYTES = 512 * 1024 * 1024  # all parts together, inflated
MAX_RATIO = 200  # inflated / compressed, for parts over RATIO_FLOOR; XML compresses about 10-30 times
RATIO_FLOOR = 4 * 1024 * 1024
UTF8_FLAG = 0x800
OVERLAP = 64  # bytes kept between chunks, so that a match across two chunks is found


class TooLarge(Exception):
    """A part inflates to more than allowed: the container is set aside, never inflated whole."""


def limit_problem(archive: zipfile.ZipFile) -> str:
    """Why the container is too large to open, in Chinese, or '' when it is within the limits.

    Judged on the sizes the container declares; bounded_read() holds a part to its declared size.
    """
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        return f"压缩包内有 {len(infos)} 个文件,超过 {MAX_MEMBERS} 个的上限"
    total = sum(i.file_size for i in infos)
    if total > MAX_TOTAL_BYTES:
        return f"解压后共 {_mb(total)},超过 {_mb(MAX_TOTAL_BYTES)} 的上限(疑似“压缩炸弹”)"
    for info in infos:
        if info.file_size > MAX_MEMBER_BYTES:
            return f"其中“{decoded_name(info)}”解压后 {_mb(info.file_size)},超过 {_mb(MAX_MEMBER_BYTES)} 的上限(疑似“压缩炸弹”或大量空行)"
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            return f"其中“{decoded_name(info)}”压缩比 {info.file_size // max(info.compress_size, 1)}:1,异常(疑似“压缩炸弹”)"
    return ""


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:,.0f} MB"


def bounded_read(archive: zipfile.ZipFile, name: str | zipfile.ZipInfo, cap: int = MAX_MEMBER_BYTES) -> bytes:
    """A member's bytes, never more than cap: raises TooLarge instead of inflating further."""
    with archive.open(name) as stream:  # zipfile stops at the declared size and checks the CRC
        data = stream.read(cap + 1)
    if len(data) > cap:
        raise TooLarge(str(name))
    return data


def chunks(archive: zipfile.ZipFile, name: str, cap: int = MAX_MEMBER_BYTES, size: int = 1 << 20):
    """A member's bytes in chunks, each beginning with the previous chunk's last OVERLAP bytes (so that a
    short pattern across two chunks is found); memory stays small, and inflating stops at cap."""
    tail, read = b"", 0
    with archive.open(name) as stream:
        for chunk in iter(lambda: stream.read(size), b""):
            read += len(chunk)
            if read > cap:
                raise TooLarge(name)
            yield tail + chunk
            tail = chunk[-OVERLAP:]


def head(archive: zipfile.ZipFile, name: str, size: int = 4096) -> bytes:
    """The first bytes of a member, inflating no more than that."""
    with archive.open(name) as stream:
        return stream.read(size)


def decoded_name(info: zipfile.ZipInfo) -> str:
    """A member name as its sender meant it: UTF-8 when flagged or valid, else GBK (Chinese Windows)."""
    if info.flag_bits & UTF8_FLAG:
        return info.filename
    raw = info.filename.encode("cp437")  # zipfile decoded the raw bytes as cp437: undo it exactly
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("gb18030", errors="replace")


def is_encrypted(info: zipfile.ZipInfo) -> bool:
    return bool(info.flag_bits & 0x1)


MAX_DIRECTORY_BYTES = 4 * 1024 * 1024  # the zip's table of contents; 2,000 members need well under 1 MB
_END_OF_DIRECTORY = b"PK\x05\x06"


def directory_problem(path) -> str:
    """Why a zip's table of contents is too large to parse, or '' — read from its last bytes, before zipfile parses it."""
    with open(path, "rb") as stream:
        stream.seek(0, 2)
        size = stream.tell()
        stream.seek(max(0, size - 65_557))  # the end record and its longest comment
        tail = stream.read()
    at = tail.rfind(_END_OF_DIRECTORY)
    if at < 0 or len(tail) < at + 22:
        return ""  # not a zip: zipfile will say so
    entries, directory = int.from_bytes(tail[at + 10:at + 12], "little"), int.from_bytes(tail[at + 12:at + 16], "little")
    if entries == 0xFFFF or directory == 0xFFFFFFFF or directory > MAX_DIRECTORY_BYTES or entries > MAX_MEMBERS:
        return f"压缩包目录过大(声明 {entries if entries != 0xFFFF else '超过 65,535'} 个文件),不像是报送材料"
    return ""


def zip_kind(archive: zipfile.ZipFile) -> str:
    """What a zip holds, by its parts: xlsx, ods, docx, ofd, or a plain zip."""
    names = archive.NameToInfo
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "mimetype" in names and b"spreadsheet" in head(archive, "mimetype", 100):
        return "ods"
    if "word/document.xml" in names:
        return "docx"
    if "Doc_1/Document.xml" in names or "OFD.xml" in names:
        return "ofd"
    return "zip"


def is_workbook(archive: zipfile.ZipFile) -> bool:
    """An .xlsx or .ods, whatever its name says."""
    return zip_kind(archive) in ("xlsx", "ods")
