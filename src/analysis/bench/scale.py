"""Scale benchmark (``make bench-scale``): index corpora 10×, 30× and 100× the reference
collections with both engines, beside the in-memory :func:`analysis.pipeline.prepare`.

Corpora: the Government Work Reports (and, with ``--collections gwr,cpc``, the Congress reports)
repeated ``n`` times, each copy with its own doc_id (``gwr2019~r042``), written as JSON Lines under
a temporary folder.  Every measurement runs in a fresh Python process, so that each starts cold
(no warm worker pool, no cached segmenter) and its memory is its own.  Reported per run:

``seconds``     wall time of the whole call (the Dask LocalCluster's start-up included)
``M chars/s``   characters of the corpus / seconds
``CPU s``       user + system CPU seconds of the process tree (each process as last polled): beside
                the wall time it says how much of the machine the run had (CPU s / seconds ≈ cores used)
``peak GB``     peak of the resident set size summed over the process tree (the process, its
                workers, Dask's scheduler, nannies and workers), polled every 0.1 s with psutil;
                pages shared between processes are counted once per process, so an upper bound
``of bare``     M chars/s as a share of the first row's, rjieba's bare ``cut`` of the same texts on
                the same cores (:func:`bare_cut_seconds`; goal for the 100x index: at least 50%)

Segmentation is never served from a cache (``Segmenter(cache=False)`` everywhere): the copies are
identical texts, and a cache would measure the cache.  The machine's parallelism is measured in the
same run (:func:`analysis.bench.machine_parallelism`): on a shared host the second core is often busy.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from pathlib import Path

from .. import config
from ..config import STORE_ENGINES

SCALES = (10, 30, 100)
ENGINES = STORE_ENGINES
POLL_SECONDS = 0.1


def write_corpus(path: Path, n: int, collections: tuple[str, ...] = ("gwr",)) -> tuple[int, int]:
    """``n`` copies of the reference collections as JSON Lines (written atomically); (documents, characters)."""
    from ..corpus import load_reference
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        docs = [load_reference(c) for c in collections]
    tmp = path.with_name(f".{path.name}.tmp")
    n_docs = n_chars = 0
    with open(tmp, "w", encoding="utf-8") as fh:
        for r in range(n):
            for frame in docs:
                for row in frame.itertuples(index=False):
                    year = None if row.year is None or row.year != row.year else int(row.year)
                    fh.write(json.dumps({"doc_id": f"{row.doc_id}~r{r:03d}", "collection": row.collection,
                                         "year": year, "title": row.title, "text": row.text},
                                        ensure_ascii=False) + "\n")
                    n_docs += 1
                    n_chars += len(row.text)
    os.replace(tmp, path)
    return n_docs, n_chars


# ---------------------------------------------------------------------------- measuring a process tree
class TreeMemory:
    """Peak RSS summed over a process and all its descendants (``peak``) and of the largest single
    process among them (``peak_each``), polled in a thread; and their CPU seconds (user + system,
    each process as last seen alive)."""

    def __init__(self, pid: int, interval: float = POLL_SECONDS):
        import psutil
        self.root = psutil.Process(pid)
        self.interval = interval
        self.peak = 0
        self.peak_each = 0
        self.cpu: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def _sample(self) -> int:
        import psutil
        total = 0
        try:
            procs = [self.root] + self.root.children(recursive=True)
        except psutil.Error:
            return 0
        for proc in procs:
            try:
                rss = proc.memory_info().rss
                total += rss
                self.peak_each = max(self.peak_each, rss)
                times = proc.cpu_times()
                self.cpu[proc.pid] = times.user + times.system
            except psutil.Error:
                pass
        return total

    def _poll(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, self._sample())
            self._stop.wait(self.interval)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def measure(args: list[str]) -> dict:
    """Run ``python -m analysis.bench.scale --job …`` in a fresh process; its seconds and peak tree RSS."""
    env = {**os.environ, "ANALYSIS_PROGRESS": "0"}
    proc = subprocess.Popen([sys.executable, "-m", "analysis.bench.scale", "--job", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    with TreeMemory(proc.pid) as mem:
        out, err = proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"benchmark job {args} failed:\n{err[-3000:]}")
    result = json.loads(out.strip().splitlines()[-1])
    result["peak_gb"] = mem.peak / 1e9
    result["cpu_seconds"] = sum(mem.cpu.values())
    return result


@functools.cache
def _segmenter():
    from ..tokens.segment import Segmenter
    return Segmenter(cache=False)


def _cut(texts: list[str]) -> int:
    """The bare segmenter on raw texts (a worker job): its tokens, nothing normalised, kept or written."""
    seg = _segmenter()
    return sum(len(seg.cut(text)) for text in texts)


def bare_cut_seconds(corpus: str, n_jobs: int | None = None) -> tuple[float, int]:
    """Seconds for rjieba's ``cut`` (the study's dictionary, each document's raw text whole) over
    ``corpus`` on ``n_jobs`` processes of the package's pool (default: every core), in chunks of the
    store's size; the texts are read and the workers' segmenters built before the clock starts.
    The upper bound for :func:`analysis.store.build.index` on the same cores; (seconds, documents)."""
    from ..store.engines import make_engine
    from .scale import _cut as cut  # by its module's name, also when this module runs as __main__
    chunks, size = [[]], 0
    with open(corpus, encoding="utf-8") as fh:
        for line in fh:
            text = json.loads(line)["text"]
            chunks[-1].append(text)
            size += len(text)
            if size >= config.STORE_CHUNK_CHARS:
                chunks.append([])
                size = 0
    chunks = [c for c in chunks if c]
    runner = make_engine("local", n_jobs=n_jobs)
    list(runner.map(cut, [["预热"]] * 2 * runner.n_jobs))  # every worker started, its engine built
    start = time.perf_counter()
    sum(runner.map(cut, chunks))
    return time.perf_counter() - start, sum(map(len, chunks))


def _job(kind: str, corpus: str, store: str | None, engine: str | None) -> None:
    """One measurement, in its own process: prints a JSON line with the seconds of the work."""
    from ..corpus import load_corpus
    from ..tokens.segment import Segmenter
    warnings.simplefilter("ignore")
    if kind == "cut":
        seconds, n_docs = bare_cut_seconds(corpus)
        print(json.dumps({"seconds": seconds, "n_docs": n_docs}))
        return
    start = time.perf_counter()
    if kind == "prepare":
        from ..tokens.pipeline import prepare
        corpus_obj = prepare(load_corpus(corpus), segmenter=Segmenter(cache=False), progress=False)
        n_docs = len(corpus_obj.documents)
    else:
        from ..store.build import index
        result = index(corpus, store, engine=engine, segmenter=Segmenter(cache=False), progress=False)
        n_docs = result.indexed
    print(json.dumps({"seconds": time.perf_counter() - start, "n_docs": n_docs}))


def run(scales=SCALES, engines=ENGINES, *, collections=("gwr",), baseline: bool = True,
        workdir: str | None = None) -> list[dict]:
    from .segmentation import machine_parallelism
    rows = []
    tmp = Path(workdir) if workdir else Path(tempfile.mkdtemp(prefix="bench-scale-"))
    tmp.mkdir(parents=True, exist_ok=True)
    print(f"corpora: {'+'.join(collections)} repeated {', '.join(f'{s}x' for s in scales)}, under {tmp}; "
          f"{os.cpu_count()} cores, two-process speed-up now: {machine_parallelism():.2f}x (2.0 = both free)\n")
    header = (f"{'corpus':>7s} {'documents':>9s} {'M chars':>8s} {'run':>20s} {'seconds':>8s} {'M chars/s':>9s} "
              f"{'CPU s':>7s} {'peak GB':>8s} {'of bare':>8s}")
    print(header)
    try:
        for scale in scales:
            corpus = tmp / f"corpus_{scale}x.jsonl"
            n_docs, n_chars = write_corpus(corpus, scale, tuple(collections))
            jobs = [("bare rjieba cut", ["cut", str(corpus), "-", "-"])]
            jobs += [(f"index, {e}", ["index", str(corpus), str(tmp / f"store_{scale}x_{e}"), e]) for e in engines]
            if baseline:
                jobs.append(("prepare() in memory", ["prepare", str(corpus), "-", "-"]))
            for name, args in jobs:
                if args[0] == "index":
                    shutil.rmtree(args[2], ignore_errors=True)
                result = measure(args)
                row = {"scale": scale, "documents": n_docs, "chars": n_chars, "run": name, **result,
                       "mchars_per_s": n_chars / result["seconds"] / 1e6}
                rows.append(row)
                bare = next(r["mchars_per_s"] for r in rows if r["scale"] == scale and r["run"] == "bare rjieba cut")
                row["of_bare"] = row["mchars_per_s"] / bare
                print(f"{scale:>6d}x {n_docs:>9,d} {n_chars / 1e6:>8.1f} {name:>20s} {row['seconds']:>8.1f} "
                      f"{row['mchars_per_s']:>9.2f} {row['cpu_seconds']:>7.1f} {row['peak_gb']:>8.2f} "
                      f"{row['of_bare']:>8.0%}", flush=True)
                if args[0] == "index":
                    shutil.rmtree(args[2], ignore_errors=True)
            corpus.unlink()
    finally:
        if not workdir:
            shutil.rmtree(tmp, ignore_errors=True)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis.bench.scale", description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", default=",".join(map(str, SCALES)), help="e.g. 10,30,100")
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--collections", default="gwr", help="reference collections to repeat, e.g. gwr,cpc")
    parser.add_argument("--no-baseline", action="store_true", help="skip the in-memory prepare() runs")
    parser.add_argument("--workdir", help="keep corpora and stores here (default: a temporary folder)")
    parser.add_argument("--job", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.job:
        kind, corpus, store, engine = args.job
        _job(kind, corpus, store, engine)
        return 0
    run([int(s) for s in args.scales.split(",")], args.engines.split(","),
        collections=tuple(args.collections.split(",")), baseline=not args.no_baseline, workdir=args.workdir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
