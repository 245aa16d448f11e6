"""Files in and out of the page: uploads into the month's inbox, downloads from the workspace's own folders only.

An upload is checked whole before anything is written (how many files, how big each and all together), its names
made safe, and saved into inbox/<month>/<office's date>/ where merge reads it with that date as the day received.
A download names a folder kind and a path inside it; anything that leaves the folder is not found.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from ..base.digests import file_sha256, stream_sha256
from ..base.filenames import own_name, unique
from ..base.model import TrackerError
from ..base.sheetio import atomic_path
from ..base.workspace import TEMP_PREFIX, Workspace
from ..intake.inbox import is_ignored
from ..intake.sniff import MAX_FILE_BYTES

MAX_UPLOAD_FILES = 500  # one upload: a province's returns come in several, a district's in one
MAX_UPLOAD_BYTES = 1024 * 1024 * 1024  # one upload, all files together: refused before it is read (HTTP 413)


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.0f} MB"


@dataclass
class Saved:
    folder: Path
    saved: list[str] = field(default_factory=list)  # names as written
    same: list[str] = field(default_factory=list)  # names whose very bytes the folder already holds
    skipped: list[str] = field(default_factory=list)  # lock and hidden files merge would never read


def upload_problem(files: list[tuple[str, int]]) -> str:
    """Why an upload of (name, size) is refused, else ''. Checked before any file is written."""
    if not files:
        return "没有选择文件。请把报回的文件(可多个,或一个压缩包)拖到框中,或点“选择文件”。"
    if len(files) > MAX_UPLOAD_FILES:
        return f"一次最多上传 {MAX_UPLOAD_FILES} 个文件,这次有 {len(files)} 个。请分几次上传,或打成一个压缩包。"
    big = [f"“{name}”({_mb(size)})" for name, size in files if size > MAX_FILE_BYTES]
    if big:
        return f"以下文件超过 {_mb(MAX_FILE_BYTES)},没有上传(本次所有文件都未保存):{'、'.join(big)}。请确认是否报错了文件。"
    return ""


def save_upload(folder: Path, files: list[tuple[str, object]]) -> Saved:
    """Write each (name, binary stream) into folder under a safe, unused name; a file whose bytes are already
    there is not written twice. The caller has checked the upload (upload_problem)."""
    result = Saved(folder)
    folder.mkdir(parents=True, exist_ok=True)
    used = {name.casefold() for name in os.listdir(folder)}
    digests = {file_sha256(folder / name) for name in os.listdir(folder) if (folder / name).is_file()}
    for raw, stream in files:
        if is_ignored(base_name(raw)):
            result.skipped.append(base_name(raw))
            continue
        stream.seek(0)
        digest = stream_sha256(stream)
        name = base_name(raw)
        if digest in digests:
            result.same.append(name)
            continue
        target = folder / unique(name, used)
        stream.seek(0)
        with atomic_path(target) as tmp, open(tmp, "wb") as out:
            shutil.copyfileobj(stream, out)
        digests.add(digest)
        result.saved.append(target.name)
    return result


def base_name(raw: str) -> str:
    """The name a browser sent, without any folder a crafted or old browser put before it."""
    return own_name(raw) or "未命名文件"


def folders(workspace: Workspace, month: str) -> dict[str, Path]:
    """The folders the page downloads from, by kind: the month's issued workbooks and its documents."""
    return {"sheets": workspace.sheets_dir(month), "reports": workspace.month_reports(month)}


def inside(folder: Path, relative: str) -> Path | None:
    """folder/relative when that is a file within folder (no .., no absolute path, no link out, no temporary file)."""
    if not relative or "\x00" in relative:
        return None
    root = folder.resolve()
    target = (root / relative).resolve()
    if not target.is_relative_to(root) or target == root or not target.is_file() or target.name.startswith(TEMP_PREFIX):
        return None
    return target


def zip_of(paths: list[tuple[Path, str]], prefix: str) -> Path:
    """A temporary zip of (file, name in the zip); names kept as written (UTF-8 flag set, as Windows 10+ reads them)."""
    handle, name = tempfile.mkstemp(prefix=prefix, suffix=".zip")
    os.close(handle)
    try:
        with zipfile.ZipFile(name, "w", zipfile.ZIP_DEFLATED) as archive:
            for path, arcname in paths:
                archive.write(path, arcname)
    except OSError as exc:
        Path(name).unlink(missing_ok=True)
        raise TrackerError(f"打包下载文件时出错({exc.strerror or type(exc).__name__}),请再试一次。") from None
    return Path(name)


def shown(folder: Path, pattern: str = "*") -> list[Path]:
    """The files of folder a clerk should see, by name: not hidden, not a temporary or Office lock file."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob(pattern) if p.is_file() and not p.name.startswith((".", "~$")))


def tree(root: Path) -> list[tuple[Path, str]]:
    """Every file under root with its path relative to root's parent (the zip keeps the folder's own name)."""
    return [(p, p.relative_to(root.parent).as_posix()) for p in sorted(root.rglob("*")) if p.is_file()]
