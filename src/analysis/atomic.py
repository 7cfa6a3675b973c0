"""Atomic file writes that survive a killed process and a concurrent writer.

A file is written to ``.<name>.<pid>.<random>.part`` in the target's folder and renamed
over the target (``os.replace``), so a reader sees the old file or the new one, never half
of one, and two processes writing the same file do not collide.  A process killed
mid-write leaves its ``.part`` file behind; the next write of the same file removes every
``.part`` of it whose process is gone.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import BinaryIO, Callable

PART = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)\.[^.]+\.part$")


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    return True


def remove_stale_parts(path: Path | str) -> list[Path]:
    """Delete the ``.part`` files of ``path`` left by processes that no longer run; return them."""
    path = Path(path)
    removed = []
    for part in path.parent.glob(f".{path.name}.*.part"):
        match = PART.match(part.name)
        if match and match["name"] == path.name and _alive(int(match["pid"])):
            continue  # another process is writing it right now
        part.unlink(missing_ok=True)
        removed.append(part)
    return removed


def temp_beside(path: Path) -> tuple[int, Path]:
    """A new, uniquely named ``.part`` file beside ``path``: ``(file descriptor, its path)``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".part", dir=path.parent)
    return fd, Path(name)


def atomic_write(path: Path | str, write: Callable[[BinaryIO], None]) -> Path:
    """Call ``write(fh)`` on a temporary file beside ``path`` and rename it into place."""
    path = Path(path)
    remove_stale_parts(path)
    fd, tmp = temp_beside(path)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path
