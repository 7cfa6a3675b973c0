"""Execute every study notebook headless, each in a fresh kernel, several at once, and regenerate the figures.

    python notebooks/run_all.py                    # what `make figures` runs
    python notebooks/run_all.py --only 03 --figures /tmp/figs
    python notebooks/run_all.py -p TARGET gwr2019 -p REFERENCE_YEARS 2010-2018 --figures /tmp/gwr2019
    python notebooks/run_all.py -p TARGET cpc20 -p NMF_K "[6, 8]" -p LDA_K "[]" --figures /tmp/cpc20

``-p NAME VALUE`` sets a parameter of every notebook; VALUE is read as YAML (``2019`` is a number,
``[6, 8]`` a list, ``gwr2019`` a string), as papermill's ``-y`` does.

Executed copies go to build/notebooks/ (git-ignored); the committed notebooks stay without
outputs.  The notebooks do not depend on one another: they run one per core (``--jobs``, at most
four), the one that took longest last time first.  A failing notebook stops the run (no new notebook
starts) and names the notebook and the cell.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import warnings
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

import papermill as pm
import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
KERNEL = "analysis"
MAX_JOBS = 4


def notebooks(only: list[str] | None = None) -> list[Path]:
    found = sorted(HERE.glob("[0-9][0-9]_*.ipynb"))
    if only:
        found = [nb for nb in found if any(nb.name.startswith(o) for o in only)]
    return found


def default_jobs(n_notebooks: int) -> int:
    """Notebooks run at once: one per core, at most :data:`MAX_JOBS` (each kernel holds its own corpus)."""
    return max(1, min(os.cpu_count() or 1, MAX_JOBS, n_notebooks))


def _last_seconds(executed: Path, nb: Path) -> float:
    """How long ``nb`` took last time (papermill's record in the executed copy), 0 when unknown."""
    try:
        return float(json.loads((executed / nb.name).read_text(encoding="utf-8"))["metadata"]["papermill"]["duration"])
    except (OSError, ValueError, KeyError, TypeError):
        return 0.0


def kernel_manager(kernel: str, folder: str):
    """A kernel manager that talks to its kernel over local sockets (IPC) in ``folder``: nothing
    listens on the network, and the kernel has no reason to warn that TCP is unencrypted."""
    from jupyter_client.manager import AsyncKernelManager
    return AsyncKernelManager(kernel_name=kernel, transport="ipc", ip=os.path.join(folder, "kernel"))


def _execute(nb: Path, executed: Path, params: dict, kernel: str) -> float:
    start = time.perf_counter()
    known = set(pm.inspect_notebook(str(nb)))
    try:
        with warnings.catch_warnings(), tempfile.TemporaryDirectory(prefix="nbkernel-") as sockets:
            warnings.filterwarnings("ignore", message="Passed unknown parameter")
            km = kernel_manager(kernel, sockets)
            try:
                pm.execute_notebook(str(nb), str(executed / nb.name), kernel_name=kernel, cwd=str(HERE),
                                    parameters={k: v for k, v in params.items() if k in known},
                                    progress_bar=False, log_output=False, km=km)
            finally:  # a kernel manager given to papermill is the caller's to stop
                if km.has_kernel:
                    asyncio.run(km.shutdown_kernel())
    except pm.PapermillExecutionError as err:
        raise SystemExit(f"FAILED: {nb.name}, cell {err.cell_index} (execution {err.exec_count}): "
                         f"{err.ename}: {err.evalue}\n(executed copy with the traceback: {executed / nb.name})")
    return time.perf_counter() - start


def run_all(only: list[str] | None = None, *, figures: Path | None = None, executed: Path = ROOT / "build" / "notebooks",
            parameters: dict | None = None, kernel: str = KERNEL, jobs: int | None = None) -> list[tuple[str, float]]:
    """Run the notebooks, ``jobs`` at once (default :func:`default_jobs`; the longest last time first);
    return (name, seconds) for each, in notebook order.  Raises SystemExit naming the failing cell
    (after the notebooks already running have finished)."""
    executed.mkdir(parents=True, exist_ok=True)
    params = dict(parameters or {})
    # (a notebook run without FIGURES_DIR, from JupyterLab, writes to build/figures/<target>/)
    params["FIGURES_DIR"] = str(Path(figures if figures is not None else ROOT / "figures").resolve())
    os.environ.setdefault("MPLBACKEND", "agg")
    todo = notebooks(only)
    jobs = default_jobs(len(todo)) if jobs is None else max(1, jobs)
    order = sorted(todo, key=lambda nb: -_last_seconds(executed, nb))  # stable: notebook order when unknown
    seconds: dict[str, float] = {}
    failures: list[str] = []
    with ThreadPoolExecutor(max_workers=jobs) as pool:  # each notebook runs in its own kernel process
        futures = {}
        for nb in order:
            futures[pool.submit(_execute, nb, executed, params, kernel)] = nb
        print(f"running {len(todo)} notebooks, {jobs} at a time …", flush=True)
        for future in as_completed(futures):
            nb = futures[future]
            try:
                seconds[nb.name] = future.result()
            except SystemExit as err:
                failures.append(str(err))
                for other in futures:
                    other.cancel()
                continue
            print(f"[{len(seconds)}/{len(todo)}] {nb.name} done in {seconds[nb.name]:.1f} s", flush=True)
    if failures:
        raise SystemExit("\n".join(failures))
    return [(nb.name, seconds[nb.name]) for nb in todo]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="*", help="notebook number prefixes, e.g. 01 03")
    parser.add_argument("--figures", type=Path, help="write figures here instead of the project's figures/")
    parser.add_argument("--executed", type=Path, default=ROOT / "build" / "notebooks")
    parser.add_argument("-j", "--jobs", type=int, help="notebooks run at once (default: one per core, at most "
                        f"{MAX_JOBS}; 1 runs them one after another)")
    parser.add_argument("-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
                        help="a notebook parameter, e.g. -p TARGET gwr2019 (VALUE read as YAML)")
    args = parser.parse_args(argv)
    parameters = {name: yaml.safe_load(value) for name, value in args.parameter}
    start = time.perf_counter()
    timings = run_all(args.only, figures=args.figures, executed=args.executed, parameters=parameters,
                      jobs=args.jobs)
    print(f"all {len(timings)} notebooks ran in {time.perf_counter() - start:.1f} s (their times add up to "
          f"{sum(s for _, s in timings):.1f} s); figures in "
          f"{args.figures or ROOT / 'figures'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
