"""progress(): a tqdm.auto bar, hidden in logs and CI, a widget in a Jupyter kernel, switchable by ANALYSIS_PROGRESS."""

from __future__ import annotations

import io
import os

import nbformat
import pytest
from nbclient import NotebookClient

from analysis._util.progress import enabled, in_notebook, progress, progress_bar


def test_hidden_when_stderr_is_no_terminal(monkeypatch):
    monkeypatch.delenv("ANALYSIS_PROGRESS", raising=False)
    monkeypatch.setattr("sys.stderr", io.StringIO())
    assert not in_notebook() and not enabled()
    bar = progress(range(3), desc="x")
    assert bar.disable and list(bar) == [0, 1, 2]


@pytest.mark.parametrize(("value", "expected"), [("0", False), ("off", False), ("False", False), ("1", True), ("yes", True)])
def test_environment_variable_decides(monkeypatch, value, expected):
    monkeypatch.setenv("ANALYSIS_PROGRESS", value)
    assert enabled() is expected


def test_off_in_the_environment_wins_over_the_caller(monkeypatch):
    monkeypatch.setenv("ANALYSIS_PROGRESS", "0")
    assert progress(range(2), disable=False).disable and progress_bar is progress


def test_a_forced_bar_counts_and_writes_to_its_stream(monkeypatch):
    out = io.StringIO()
    with progress(total=4, desc="segmenting", disable=False, file=out, leave=True, mininterval=0) as bar:
        for _ in range(4):
            bar.update(1)
    assert bar.n == 4 and "segmenting" in out.getvalue() and "4/4" in out.getvalue()


def test_in_a_jupyter_kernel_the_bar_is_a_widget(tmp_path):
    cell = ("from analysis._util.progress import progress, in_notebook, enabled\n"
            "print(in_notebook(), enabled(), sum(progress(range(5), desc='topics')))")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(cell)])
    env = {k: v for k, v in os.environ.items() if k != "ANALYSIS_PROGRESS"}
    NotebookClient(nb, kernel_name="python3", timeout=120, resources={"metadata": {"path": str(tmp_path)}}).execute(env=env)
    outputs = nb.cells[0].outputs
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in outputs), outputs
    assert [o.text for o in outputs if o.output_type == "stream" and o.name == "stdout"] == ["True True 10\n"]


def test_one_kernel_detection_for_bars_and_charts():
    from analysis._util import notebook, progress as bars
    from analysis.viz import save
    assert bars.in_notebook is notebook.in_notebook and save.in_notebook is notebook.in_notebook
    assert not notebook.in_notebook()  # pytest runs no kernel (the kernel case: test_in_a_jupyter_kernel_the_bar_is_a_widget)
