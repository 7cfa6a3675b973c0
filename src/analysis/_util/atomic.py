"""Atomic file writes that survive a killed process and a concurrent writer.

A file is written to ``.<name>.<pid>.<random>.part`` in the target's folder and renamed
over the target (``os.replace``), so a reader sees the old file or the new one, never half
of one, and two processes writing the same file do not collide.  A process killed
mid-write leaves its ``.part`` file behind; the next write of the same file removes every
``.part`` of it whose process is gone.

The file gets the mode an ordinary ``open(path, "w")`` would give it, ``0o666 & ~umask``
(:func:`file_mode`), not ``mkstemp``'s 0600: colleagues sharing a group folder can read the
figures, tables and stores it holds.
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


def _proc_umask() -> int | None:
    """The umask from ``/proc/self/status`` (Linux 4.7+), read without changing it; None elsewhere."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    return None


def _umask_by_setting() -> int:
    mask = os.umask(0o022)  # os.umask can only be read by setting it: done once, at import
    os.umask(mask)
    return mask


_IMPORT_UMASK = None if _proc_umask() is not None else _umask_by_setting()


def current_umask() -> int:
    """The process's umask: read from ``/proc/self/status`` on Linux (no race with other threads);
    elsewhere the umask at import (read by setting and restoring it once)."""
    mask = _proc_umask() if _IMPORT_UMASK is None else _IMPORT_UMASK
    return 0o022 if mask is None else mask  # None: /proc/self/status readable at import, not now


def file_mode(private: bool = False) -> int:
    """The mode of a new file: ``0o666 & ~umask`` as ``open()`` gives, or 0600 when ``private``."""
    return 0o600 if private else 0o666 & ~current_umask()


def temp_beside(path: Path, *, private: bool = False) -> tuple[int, Path]:
    """A new, uniquely named ``.part`` file beside ``path``: ``(file descriptor, its path)``, with
    the mode of an ordinary new file (:func:`file_mode`; ``private``: 0600, for cache keys)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".part", dir=path.parent)
    try:
        if not private:
            os.fchmod(fd, file_mode())
    except BaseException:
        os.close(fd)
        Path(name).unlink(missing_ok=True)
        raise
    return fd, Path(name)


def atomic_write(path: Path | str, write: Callable[[BinaryIO], None], *, clean_stale: bool = True,
                 private: bool = False) -> Path:
    """Call ``write(fh)`` on a temporary file beside ``path`` and rename it into place; the file has
    the mode ``open(path, "w")`` would give it (``private``: 0600).

    ``clean_stale=False`` leaves other processes' ``.part`` files alone: for folders that several
    machines write (a Dask cluster's store), where a process id says nothing about another host,
    and which clean up after themselves."""
    path = Path(path)
    if clean_stale:
        remove_stale_parts(path)
    fd, tmp = temp_beside(path, private=private)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path
