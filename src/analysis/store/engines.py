"""Where a store's jobs run: the local engine (this machine's processes) or a Dask cluster.

``"local"`` runs chunks on the package's loky pool (:mod:`analysis._util.pool`); ``"dask"``
builds a :mod:`dask.bag` over the chunks (``from_sequence(...).map_partitions(...)``) and runs it
on a ``dask.distributed`` cluster (``scheduler=ADDRESS``, or a LocalCluster of processes).  The
vocabulary is a reduction of the parts' sparse counts (``Bag.fold`` on dask).  The same functions
run in both, so the stores are identical.
"""

from __future__ import annotations

from typing import Callable, Iterable, Iterator, Sequence

import pandas as pd

from .. import config
from .._util.pool import executor, worker_count
from ..errors import InputError
from .vocabulary import add_totals, part_totals, sum_totals

ENGINES = config.STORE_ENGINES


def _run_partition(items: Iterable, fn: Callable, *args) -> list:
    """``Bag.map_partitions`` body: ``fn(item, *args)`` for every item of a partition (one, as the bags are built)."""
    return [fn(item, *args) for item in items]



class _Engine:
    """Runs jobs (``map``: results as they finish) and the vocabulary reduction (``totals``)."""

    def map(self, fn: Callable, items: Sequence, *args) -> Iterator:
        """``fn(item, *args)`` for every item, results yielded as they finish (any order)."""
        raise NotImplementedError

    def totals(self, root: str, fkey: str, parts: Sequence[str]) -> pd.DataFrame | None:
        """The parts' term totals summed: each part's counted on the engine, summed at once."""
        return sum_totals(list(self.map(part_totals, list(parts), root, fkey)))

    def start(self, fn: Callable, *args) -> None:
        """Run ``fn(*args)`` on each worker in the background (a warm-up; nothing is returned)."""

    def close(self) -> None:
        pass


class LocalEngine(_Engine):
    """This machine's processes: the package's loky pool, as parallel segmentation uses
    (:mod:`analysis._util.pool`: workers do not re-import ``__main__``); ``n_jobs`` None or 0 is
    every core, ``n_jobs=1`` runs in this process."""

    def __init__(self, n_jobs: int | None = None):
        self.n_jobs = worker_count(n_jobs or None)

    def start(self, fn, *args):
        if self.n_jobs > 1:
            pool = executor(self.n_jobs)
            for _ in range(self.n_jobs):
                pool.submit(fn, *args)

    def map(self, fn, items, *args):
        if self.n_jobs == 1 or len(items) <= 1:
            yield from (fn(item, *args) for item in items)
            return
        from concurrent.futures import as_completed
        pool = executor(worker_count(self.n_jobs, len(items)))
        futures = [pool.submit(fn, item, *args) for item in items]
        try:
            for future in as_completed(futures):
                yield future.result()
        finally:
            for future in futures:
                future.cancel()


class DaskEngine(_Engine):
    """A ``dask.distributed`` cluster: ``scheduler`` (an address such as ``tcp://host:8786``), or a
    LocalCluster of ``n_workers`` processes with one thread each.  Chunks are a :mod:`dask.bag`."""

    def __init__(self, scheduler: str | None = None, n_workers: int = 2):
        import dask
        from distributed import Client, LocalCluster
        if scheduler:
            self.cluster, self.client = None, Client(scheduler)
        else:
            # Dask's statistical profiler samples each worker's stack every 10 ms, holding the GIL
            # the segmentation needs; the nannies hand this setting to their workers.
            with dask.config.set({"distributed.worker.profile.enabled": False}):
                self.cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                                            dashboard_address=None)
            self.client = Client(self.cluster)

    def map(self, fn, items, *args):
        import dask.bag as db
        from distributed import as_completed
        if not items:
            return
        bag = db.from_sequence(items, npartitions=len(items)).map_partitions(_run_partition, fn, *args)
        futures = self.client.compute(bag.to_delayed())
        for future in as_completed(futures):
            yield from future.result()

    def totals(self, root, fkey, parts):
        import dask.bag as db
        if not parts:
            return None
        bag = db.from_sequence(list(parts), npartitions=min(len(parts), 8 * len(self.client.nthreads())))
        return bag.map(part_totals, root, fkey).fold(add_totals, add_totals, initial=None) \
                  .compute(scheduler=self.client)

    def close(self):
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def make_engine(engine: str = "local", *, scheduler: str | None = None, n_jobs: int | None = None) -> _Engine:
    if engine == "local":
        if scheduler:
            raise InputError("--scheduler needs --engine dask")
        return LocalEngine(n_jobs)
    if engine == "dask":
        return DaskEngine(scheduler, n_workers=n_jobs or 2)
    raise InputError(f"unknown engine {engine!r}; choose one of {ENGINES}")

