"""Golden outputs: run the study for several targets and keep (or compare) every table it writes.

    python tools/golden.py capture build/golden          # before a change that must not change results
    python tools/golden.py compare build/golden          # after it: every CSV byte-identical, or a list of differences

Targets: the speech with the study's full parameters, and gwr2019 and cpc20 with the small topic grid the
test suite uses (tests/nbruns.py).  Each target's figures go to DIR/<target>/; ``compare`` runs the same
notebooks into a scratch folder and compares every ``.csv`` file (names and bytes) with DIR; a table that
differs only in wall-clock ``*_seconds`` columns (a topic model's fit time) counts as identical.
"""

from __future__ import annotations

import argparse
import filecmp
import importlib.util
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run(folder: Path, targets: dict[str, dict]) -> None:
    run_all = _load("run_all", ROOT / "notebooks" / "run_all.py")
    for target, params in targets.items():
        print(f"== {target}", flush=True)
        run_all.run_all(figures=folder / target, executed=folder / target / "notebooks", parameters=params)


def compare(golden: Path, fresh: Path, targets) -> list[str]:
    problems = []
    for target in targets:
        gold_dir, new_dir = golden / target, fresh / target
        if not any(gold_dir.glob("*.csv")):
            problems.append(f"{target}: no golden tables in {gold_dir}")
            continue
        old = {p.name for p in gold_dir.glob("*.csv")}
        new = {p.name for p in new_dir.glob("*.csv")}
        problems += [f"{gold_dir.name}: missing {n}" for n in sorted(old - new)]
        problems += [f"{gold_dir.name}: new {n}" for n in sorted(new - old)]
        problems += [f"{target}: differs {n}" for n in sorted(old & new)
                     if not filecmp.cmp(gold_dir / n, new_dir / n, shallow=False)
                     and not same_but_timings(gold_dir / n, new_dir / n)]
    return problems


def same_but_timings(old: Path, new: Path) -> bool:
    """True when two tables differ only in columns of wall-clock seconds (``fit_seconds``: how long a topic
    model took to fit on this machine), which no rerun reproduces."""
    import pandas as pd
    a, b = pd.read_csv(old), pd.read_csv(new)
    timing = [c for c in a.columns if c.endswith("_seconds")]
    if not timing or list(a.columns) != list(b.columns) or a.shape != b.shape:
        return False
    return a.drop(columns=timing).equals(b.drop(columns=timing))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=["capture", "compare"])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--targets", nargs="*", help="a subset of the targets")
    args = parser.parse_args(argv)
    targets = _load("nbruns", ROOT / "tests" / "nbruns.py").TARGETS
    if args.targets:
        targets = {t: targets[t] for t in args.targets}
    if args.action == "capture":
        run(args.folder, targets)
        print(f"golden outputs of {len(targets)} targets in {args.folder}")
        return 0
    with tempfile.TemporaryDirectory(prefix="golden-") as scratch:
        run(Path(scratch), targets)
        problems = compare(args.folder, Path(scratch), targets)
    for line in problems:
        print(line)
    n = sum(len(list((args.folder / t).glob("*.csv"))) for t in targets)
    print(f"{n} tables compared: " + ("all identical" if not problems else f"{len(problems)} differences"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
