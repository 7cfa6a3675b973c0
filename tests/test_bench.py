"""The study benchmark's measurements: the largest process's peak memory, and the notebook times it reads
from run_all's own output."""

from __future__ import annotations

import subprocess
import sys

from analysis.bench.figures import DONE
from analysis.bench.scale import TreeMemory


def test_tree_memory_reports_the_largest_single_process():
    """A parent holding ~50 MB starts a child that holds ~300 MB: the tree's peak is their sum, the
    largest process's peak is the child's."""
    code = ("import subprocess, sys, time; x = bytearray(50_000_000); "
            "subprocess.run([sys.executable, '-c', 'import time; y = bytearray(300_000_000); time.sleep(1.0)'])")
    proc = subprocess.Popen([sys.executable, "-c", code])
    with TreeMemory(proc.pid, interval=0.05) as mem:
        proc.wait()
    assert 300e6 <= mem.peak_each < 360e6
    assert mem.peak >= mem.peak_each + 50e6


def test_notebook_times_are_read_from_what_run_all_prints(tmp_path, monkeypatch, capsys):
    """run_all's progress lines, as it prints them, give each notebook's seconds."""
    import importlib.util
    from pathlib import Path
    root = Path(__file__).resolve().parents[1]
    spec = importlib.util.spec_from_file_location("run_all_for_bench", root / "notebooks" / "run_all.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "_execute", lambda nb, *a: {"01": 1.25, "02": 12.5}[nb.name[:2]])
    timings = module.run_all(["01", "02"], executed=tmp_path, jobs=2)
    printed = capsys.readouterr().out
    assert {m[1]: float(m[2]) for m in DONE.finditer(printed)} == {name: round(s, 1) for name, s in timings}
    assert [name for name, _ in timings] == ["01_corpus_overview.ipynb", "02_term_frequency.ipynb"]
