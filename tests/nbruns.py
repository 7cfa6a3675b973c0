"""The study notebooks executed once per test session for three targets, shared by every test file
that checks what they produced (tests/test_notebooks*.py)."""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))

spec = importlib.util.spec_from_file_location("run_all", ROOT / "notebooks" / "run_all.py")
run_all = importlib.util.module_from_spec(spec)
spec.loader.exec_module(run_all)

# The topic model over every K takes minutes: the full K selection runs for the speech only; the
# other targets use a small range (the same code path, fewer fits).
SMALL_TOPICS = {"NMF_K": [6, 8], "LDA_K": [6], "SEEDS": [0, 1], "LDA_SEEDS": [0]}
TARGETS = {
    "speech2025": {},
    "gwr2019": {"TARGET": "gwr2019", **SMALL_TOPICS},
    "cpc20": {"TARGET": "cpc20", **SMALL_TOPICS},
}
# Figure names for each target: (keyness reference slug, trend reference slug).
SLUGS = {"speech2025": ("gwr2015-2024", "gwr1954-2024"), "gwr2019": ("gwr2009-2018", "gwr1954-2018"),
         "cpc20": ("cpc2012-2017", "cpc1921-2017")}


def expected_names(target: str) -> list[str]:
    key, trend = SLUGS[target]
    return [
        "corpus_document_lengths_by_year", f"structure_sections_{target}",
        f"top_terms_{target}", f"wordcloud_{target}", f"rates_{target}_vs_{key}",
        f"keyness_{target}_vs_{key}", f"comparison_cloud_{target}_vs_{key}",
        f"tfidf_{target}_among_{key}", f"keyness_by_section_{target}_vs_{key}",
        f"trends_key_terms_{target}_{trend}", f"first_appearance_formulations_{target}_{trend}",
        f"trends_formulations_{target}_{trend}", f"similarity_{target}_to_{trend}",
        f"topics_k_selection_{target}_{trend}_paragraphs", f"topics_top_words_{target}_{trend}",
        f"topics_prevalence_by_year_{trend}", f"topics_mix_{target}_by_section",
    ]




def outputs(out: Path, name: str) -> list[dict]:
    cells = json.loads((out / name).read_text(encoding="utf-8"))["cells"]
    return [o for c in cells for o in c.get("outputs", [])]


_RUNS: dict[str, tuple] = {}


def execute(target: str, tmp_path_factory) -> tuple:
    """Run every notebook for ``target`` once per session (memoised): (target, figures, executed, timings).

    Under pytest-xdist (``make test``) the workers share one run per target: the first worker that
    needs it runs it under a file lock in the session's common temporary folder and the others read
    the same folders; a worker that finds its target running runs another target nobody has started
    meanwhile, and waits only when there is none."""
    if target in _RUNS:
        return _RUNS[target]
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        figures = tmp_path_factory.mktemp(f"figures-{target}")
        out = tmp_path_factory.mktemp(f"executed-{target}")
        _RUNS[target] = (target, figures, out, run_all.run_all(figures=figures, executed=out,
                                                               parameters=TARGETS[target]))
        return _RUNS[target]
    import fcntl
    base = tmp_path_factory.getbasetemp().parent  # this session's folder, every worker's

    def run_once(name: str, wait: bool) -> bool:
        """Run ``name``'s notebooks unless done; False when another worker holds it and ``wait`` is off."""
        shared = base / f"notebooks-{name}"
        shared.mkdir(exist_ok=True)
        done = shared / "timings.json"
        with open(shared / "lock", "w") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            except BlockingIOError:
                return False
            if not done.exists():
                timings = run_all.run_all(figures=shared / "figures", executed=shared / "executed",
                                          parameters=TARGETS[name])
                tmp = done.with_suffix(".tmp")
                tmp.write_text(json.dumps(timings), encoding="utf-8")
                tmp.replace(done)
        return True

    # While another worker runs this target, run one nobody has started rather than wait idle.
    while not run_once(target, wait=False):
        pending = [o for o in TARGETS if o != target and not (base / f"notebooks-{o}" / "timings.json").exists()]
        if not any(run_once(o, wait=False) for o in pending):
            run_once(target, wait=True)
            break
    shared = base / f"notebooks-{target}"
    timings = [tuple(pair) for pair in json.loads((shared / "timings.json").read_text(encoding="utf-8"))]
    _RUNS[target] = (target, shared / "figures", shared / "executed", timings)
    return _RUNS[target]
