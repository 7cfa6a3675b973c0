"""Execute every study notebook headless, in order, in a fresh kernel each, and regenerate the figures.

    python notebooks/run_all.py                    # what `make figures` runs
    python notebooks/run_all.py --only 03 --figures /tmp/figs
    python notebooks/run_all.py -p TARGET gwr2019 -p REFERENCE_YEARS 2010-2018 --figures /tmp/gwr2019
    python notebooks/run_all.py -p TARGET cpc20 -p NMF_K "[6, 8]" -p LDA_K "[]" --figures /tmp/cpc20

``-p NAME VALUE`` sets a parameter of every notebook; VALUE is read as YAML (``2019`` is a number,
``[6, 8]`` a list, ``gwr2019`` a string), as papermill's ``-y`` does.

Executed copies go to build/notebooks/ (git-ignored); the committed notebooks stay without
outputs.  A failing notebook stops the run and names the notebook and the cell.
"""

from __future__ import annotations

import argparse
import os
import warnings
import sys
import time
from pathlib import Path

import papermill as pm
import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
KERNEL = "analysis"


def notebooks(only: list[str] | None = None) -> list[Path]:
    found = sorted(HERE.glob("[0-9][0-9]_*.ipynb"))
    if only:
        found = [nb for nb in found if any(nb.name.startswith(o) for o in only)]
    return found


def run_all(only: list[str] | None = None, *, figures: Path | None = None, executed: Path = ROOT / "build" / "notebooks",
            parameters: dict | None = None, kernel: str = KERNEL) -> list[tuple[str, float]]:
    """Run the notebooks; return (name, seconds) for each.  Raises SystemExit naming the failing cell."""
    executed.mkdir(parents=True, exist_ok=True)
    params = dict(parameters or {})
    if figures is not None:
        params["FIGURES_DIR"] = str(figures)
    os.environ.setdefault("MPLBACKEND", "agg")
    todo = notebooks(only)
    timings = []
    for i, nb in enumerate(todo, 1):
        print(f"[{i}/{len(todo)}] {nb.name} …", flush=True)
        start = time.perf_counter()
        known = set(pm.inspect_notebook(str(nb)))
        try:
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message="Passed unknown parameter")
                pm.execute_notebook(str(nb), str(executed / nb.name), kernel_name=kernel, cwd=str(HERE),
                                    parameters={k: v for k, v in params.items() if k in known},
                                    progress_bar=False, log_output=False)
        except pm.PapermillExecutionError as err:
            raise SystemExit(f"FAILED: {nb.name}, cell {err.cell_index} (execution {err.exec_count}): "
                             f"{err.ename}: {err.evalue}\n(executed copy with the traceback: {executed / nb.name})")
        seconds = time.perf_counter() - start
        timings.append((nb.name, seconds))
        print(f"[{i}/{len(todo)}] {nb.name} done in {seconds:.1f} s", flush=True)
    return timings


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="*", help="notebook number prefixes, e.g. 01 03")
    parser.add_argument("--figures", type=Path, help="write figures here instead of figures/")
    parser.add_argument("--executed", type=Path, default=ROOT / "build" / "notebooks")
    parser.add_argument("-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
                        help="a notebook parameter, e.g. -p TARGET gwr2019 (VALUE read as YAML)")
    args = parser.parse_args(argv)
    parameters = {name: yaml.safe_load(value) for name, value in args.parameter}
    timings = run_all(args.only, figures=args.figures, executed=args.executed, parameters=parameters)
    print(f"all {len(timings)} notebooks ran in {sum(s for _, s in timings):.1f} s; figures in "
          f"{args.figures or ROOT / 'figures'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
