"""Parallel segmentation on this machine's cores, on the package's loky pool
(:mod:`analysis._util.pool`: workers that do not re-import ``__main__``, reused between calls).

Texts are balanced by length over several chunks per worker, handed out as workers free up, so
that a core slowed by other load on a shared machine does not hold up the whole run.  Small jobs
(under ``PARALLEL_MIN_CHARS``) stay in the calling process.  When worker processes cannot be
started, the work is done in one process with a one-line warning.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Sequence

from .._util.pool import executor, worker_count
from .cache import Segments

if TYPE_CHECKING:
    from .segment import Segmenter

PARALLEL_MIN_CHARS = 300_000
CHUNKS_PER_WORKER = 4

_WORKER = None


def _init_worker(segmenter) -> None:
    import signal
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # interrupts are the parent's to handle
    global _WORKER
    _WORKER = segmenter


def _segments(segmenter: "Segmenter", text: str) -> Segments:
    """One text processed, as arrays: far cheaper to send between processes than lists of strings."""
    return Segments.from_processed(segmenter.process(text))


def _process_chunk(texts: list[str]) -> list[Segments]:
    return [_segments(_WORKER, t) for t in texts]


def balanced_chunks(lengths: Sequence[int], n_chunks: int) -> list[list[int]]:
    """Indices split into ``n_chunks`` groups of similar total length (longest first, each to the
    lightest group so far)."""
    chunks: list[list[int]] = [[] for _ in range(max(1, min(n_chunks, len(lengths))))]
    loads = [0] * len(chunks)
    for i in sorted(range(len(lengths)), key=lambda i: -lengths[i]):
        c = loads.index(min(loads))
        chunks[c].append(i)
        loads[c] += lengths[i]
    return chunks


def process_texts(segmenter: "Segmenter", texts: list[str], *, progress: bool | None = None) -> list[Segments]:
    """``segmenter.process`` over ``texts``, each as :class:`~analysis.tokens.cache.Segments`, on several
    cores when the job is large enough."""
    from .._util.progress import progress_bar
    total = sum(map(len, texts))
    workers = worker_count(segmenter.n_jobs, len(texts))
    if workers <= 1 or total < PARALLEL_MIN_CHARS:
        return [_segments(segmenter, t) for t in progress_bar(texts, desc="segmenting", disable=_off(progress, total))]
    chunks = balanced_chunks([len(t) for t in texts], CHUNKS_PER_WORKER * workers)
    try:
        pool = executor(workers, initializer=_init_worker, initargs=(segmenter,))
        futures = [pool.submit(_process_chunk, [texts[i] for i in c]) for c in chunks]
        out: list[Segments] = [None] * len(texts)  # type: ignore[list-item]
        bar = progress_bar(total=total, desc="segmenting", unit="char", unit_scale=True, disable=_off(progress, total))
        for chunk, future in zip(chunks, futures):
            for i, value in zip(chunk, future.result()):
                out[i] = value
            bar.update(sum(len(texts[i]) for i in chunk))
        bar.close()
        return out
    except (OSError, RuntimeError, ImportError) as exc:  # no processes on this system (or a broken pool)
        warnings.warn(f"parallel segmentation unavailable ({type(exc).__name__}: {exc}); segmenting in one "
                      f"process (pass n_jobs=1 to skip trying)", RuntimeWarning, stacklevel=3)
        segmenter.n_jobs = 1
        return [_segments(segmenter, t) for t in texts]


def _off(progress: bool | None, total: int) -> bool | None:
    """tqdm's ``disable``: explicit choice, else only for jobs worth watching (None = tqdm decides by TTY)."""
    if progress is not None:
        return not progress
    return True if total < 2 * PARALLEL_MIN_CHARS else None
