"""Worker processes on this machine: how many, and the one loky pool (joblib's process executor) that runs them.

loky starts its workers with fork + exec and does not re-import the caller's ``__main__``, so a
user's script without an ``if __name__ == "__main__":`` guard runs once, not once per worker; a
kernel, ``python -c`` or standard input work the same way.  The pool is reused between calls
with the same settings (no start-up cost on a re-run); idle workers exit after
``IDLE_SECONDS``.  Parallel segmentation (:mod:`analysis.tokens.workers`) and the store's local
engine (:mod:`analysis.store.engines`) both run on it.
"""

from __future__ import annotations

import os
from typing import Callable

IDLE_SECONDS = 300


def worker_count(n_jobs: int | None = None, n_tasks: int | None = None) -> int:
    """How many worker processes to use: ``n_jobs`` (None: every core, ``os.cpu_count()``), and
    no more than ``n_tasks`` when given."""
    count = n_jobs if n_jobs is not None else (os.cpu_count() or 1)
    return count if n_tasks is None else min(count, n_tasks)


def executor(n_workers: int, *, initializer: Callable | None = None, initargs: tuple = ()):
    """loky's reusable executor with ``n_workers`` processes (each started with ``initializer(*initargs)``):
    the pool of the previous call when the settings are the same."""
    from joblib.externals.loky import get_reusable_executor
    return get_reusable_executor(max_workers=n_workers, initializer=initializer, initargs=initargs,
                                 timeout=IDLE_SECONDS)
