"""Safe reading of zip containers (an .xlsx, an .ods, a unit's .zip attachment): limits before any inflating,
bounded reads, and member names decoded the way Chinese Windows wrote them."""

from __future__ import annotations

import re
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


def contains(archive: zipfile.ZipFile, name: str, pattern: re.Pattern, cap: int = MAX_MEMBER_BYTES) -> bool:
    """Whether a member matches pattern (shorter than OVERLAP bytes), streamed in chunks: memory stays small."""
    tail = b""
    read = 0
    with archive.open(name) as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            if pattern.search(tail + chunk):
                return True
            tail = chunk[-OVERLAP:]
            read += len(chunk)
            if read > cap:
                raise TooLarge(name)
    return False


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
