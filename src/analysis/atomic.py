"""Atomic file writes that survive a killed process and a concurrent writer.

A file is written to ``.<name>.<pid>.<random>.part`` in the target's folder and renamed
over the target (``os.replace``), so a reader sees the old file or the new one, never half
of one, and two processes writing the same file do not collide.  A process killed
mid-write leaves its ``.part`` file behind; the next write of the same file removes every
``.part`` of it whose process is gone.
"""

from __future__ import annotations

import glob
import os
import re
import tempfile
from pathlib import Path
from typing import BinaryIO, Callable

PID_RANDOM = re.compile(r"(?P<pid>\d+)\.[^.]+")


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
    """Delete the ``.part`` files of ``path`` left by processes that no longer run; return them.

    ``.<name>.<pid>.<random>.part`` is removed when process ``pid`` is gone;
    ``.<name>.<random>.part`` (no pid: written before pids were recorded) always; the
    temporary files of other names that happen to share the prefix are left alone.
    """
    path = Path(path)
    prefix = f".{path.name}."
    removed = []
    for part in path.parent.glob(f"{glob.escape(prefix)}*.part"):
        middle = part.name[len(prefix):-len(".part")]
        match = PID_RANDOM.fullmatch(middle)
        if "." in middle and (match is None or _alive(int(match["pid"]))):
            continue  # another file's temporary file, or one another process is writing right now
        part.unlink(missing_ok=True)
        removed.append(part)
    return removed


def temp_beside(path: Path) -> tuple[int, Path]:
    """A new, uniquely named ``.part`` file beside ``path``: ``(file descriptor, its path)``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".part", dir=path.parent)
    return fd, Path(name)


def atomic_write(path: Path | str, write: Callable[[BinaryIO], None], *, clean_stale: bool = True) -> Path:
    """Call ``write(fh)`` on a temporary file beside ``path`` and rename it into place.

    ``clean_stale=False`` leaves other processes' ``.part`` files alone: for folders that several
    machines write (a Dask cluster's store), where a process id says nothing about another host,
    and which clean up after themselves."""
    path = Path(path)
    if clean_stale:
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
