"""Study benchmark (part of ``make bench``): ``make figures`` cold and warm, each notebook's time, and
notebook 05 cold on its own, against the goals, with the machine's load beside them.

Cold: a new, empty cache folder (``ANALYSIS_CACHE_DIR``: segmentation, learned terms, topic models),
as in a fresh clone; warm: the same command again on that cache.  Each run is
``notebooks/run_all.py`` in its own process tree, with figures and executed notebooks written to a
temporary folder (the committed figures are not touched); the peak resident memory is that of the
largest single process of the tree (a kernel, a worker), polled every 0.1 s.

Run ``python -m analysis.bench.figures`` (``make bench`` runs it after the segmentation benchmark).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .. import config
from .scale import TreeMemory

GOALS = {"figures cold": 120.0, "figures warm": 40.0, "notebook 05 cold": 45.0, "peak GB per process": 1.5}
DONE = re.compile(r"\] (\S+\.ipynb) done in ([0-9.]+) s")


def load() -> str:
    """The 1, 5 and 15 minute load averages, and the cores."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


def run_figures(cache: Path, out: Path, only: list[str] | None = None) -> dict:
    """``run_all.py`` with ``ANALYSIS_CACHE_DIR=cache`` into ``out``: wall seconds, each notebook's
    seconds and the peak RSS (GB) of the largest process.  Raises RuntimeError with the run's end on failure."""
    script = config.PROJECT_DIR / "notebooks" / "run_all.py"
    args = [sys.executable, str(script), "--figures", str(out / "figures"), "--executed", str(out / "executed")]
    if only:
        args += ["--only", *only]
    env = {**os.environ, "ANALYSIS_CACHE_DIR": str(cache), "ANALYSIS_PROGRESS": "0", "MPLBACKEND": "agg"}
    start = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    with TreeMemory(proc.pid) as mem:
        output, _ = proc.communicate()
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{output[-3000:]}")
    return {"seconds": seconds, "notebooks": {m[1]: float(m[2]) for m in DONE.finditer(output)},
            "peak_gb": mem.peak_each / 1e9}


def _verdict(value: float, goal: float) -> str:
    return f"goal ≤ {goal:g}: {'met' if value <= goal else 'NOT met'}"


def run(workdir: str | None = None) -> dict:
    """Cold, warm, then notebook 05 cold alone; prints a table and returns the measurements."""
    if not (config.PROJECT_DIR / "notebooks" / "run_all.py").is_file():
        print(f"no notebooks/run_all.py under {config.PROJECT_DIR}: the study benchmark needs the project checkout")
        return {}
    tmp = Path(workdir) if workdir else Path(tempfile.mkdtemp(prefix="bench-figures-"))
    tmp.mkdir(parents=True, exist_ok=True)
    results = {}
    try:
        print(f"make figures, cold then warm (cache {tmp / 'cache'}); {load()}", flush=True)
        results["cold"] = run_figures(tmp / "cache", tmp / "cold")
        print(f"  cold done; {load()}", flush=True)
        results["warm"] = run_figures(tmp / "cache", tmp / "warm")
        print(f"  warm done; {load()}", flush=True)
        results["05 cold"] = run_figures(tmp / "cache05", tmp / "nb05", only=["05"])
        print(f"  notebook 05 alone, cold, done; {load()}\n", flush=True)
    finally:
        if not workdir:
            shutil.rmtree(tmp, ignore_errors=True)
    cold, warm = results["cold"], results["warm"]
    print(f"{'notebook':<28s} {'cold s':>7s} {'warm s':>7s}   (run {os.cpu_count()} at a time at most, so they overlap)")
    for name in sorted(cold["notebooks"]):
        print(f"{name:<28s} {cold['notebooks'][name]:>7.1f} {warm['notebooks'].get(name, float('nan')):>7.1f}")
    peak = max(r["peak_gb"] for r in results.values())
    nb05 = results["05 cold"]["notebooks"].get("05_topics.ipynb", results["05 cold"]["seconds"])
    print(f"\nmake figures cold      {cold['seconds']:6.1f} s   {_verdict(cold['seconds'], GOALS['figures cold'])}")
    print(f"make figures warm      {warm['seconds']:6.1f} s   {_verdict(warm['seconds'], GOALS['figures warm'])}")
    print(f"notebook 05 cold alone {nb05:6.1f} s   {_verdict(nb05, GOALS['notebook 05 cold'])}")
    print(f"peak RSS per process   {peak:6.2f} GB  {_verdict(peak, GOALS['peak GB per process'])}")
    print(load())
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis.bench.figures", description=__doc__.split("\n\n")[0])
    parser.add_argument("--workdir", help="keep caches, figures and executed notebooks here (default: a temporary folder)")
    args = parser.parse_args(argv)
    run(args.workdir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
