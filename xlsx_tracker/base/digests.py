"""SHA-256 of a file or a stream, read in blocks: how a returned file, an upload or a written 通报 is known by its bytes."""

from __future__ import annotations

import hashlib
from pathlib import Path

BLOCK = 1 << 20


def stream_sha256(stream) -> str:
    """The SHA-256 of what is left in a binary stream (read to its end)."""
    found = hashlib.sha256()
    for block in iter(lambda: stream.read(BLOCK), b""):
        found.update(block)
    return found.hexdigest()


def file_sha256(path: Path) -> str:
    with open(path, "rb") as stream:
        return stream_sha256(stream)
