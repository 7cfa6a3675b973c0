"""Every code block of README.md runs as written.

``python`` blocks run in a fresh interpreter with a temporary folder as working directory;
``bash`` blocks run command by command from the checkout (the README's commands are typed
there), with this interpreter's environment first on PATH.  A command that cannot run inside
a test is listed in SKIP with the reason, and `make lab` is started for real by its own test.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
_FOUND = list(re.finditer(r"^```(\w*)\n(.*?)^```", README, re.S | re.M))
BLOCKS = [(m.group(1), m.group(2)) for m in _FOUND]
LINES = [README.count("\n", 0, m.start()) + 1 for m in _FOUND]  # where each block starts, for test ids
ENV = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}", "MPLBACKEND": "agg"}

SKIP = {
    "make setup": "creates .venv and installs the locked versions: .ci/run runs it before the tests",
    "make lab": "a server that runs until stopped: test_make_lab_serves_the_notebooks starts it and stops it",
    "make figures": "executes all five notebooks (several minutes): tests/test_notebooks.py executes them",
    "make test": "the test suite itself",
    "analysis bench": "a benchmark of a minute or more: tests/test_segment.py runs its helpers",
}
# What a command must print (beyond exiting 0).
EXPECT = {
    "make help": ["make setup", "make lab", "make lock", "make test-pythons", "make figures"],
    "analysis corpus fetch": ["gwr:", "cpc:", "(sha256 verified)"],
    "analysis corpus info": ["gwr", "cpc", "speech2025", "gwr2024"],
    "analysis lexicon check": ["documents;", "lexicon terms occur"],
}
# The notebooks accept a list given as a string once the notebooks branch (issue 10) is merged.


def _commands(block: str) -> list[str]:
    """Lines of a bash block, backslash continuations joined, blank lines dropped."""
    return [c for c in re.sub(r"\\\n\s*", " ", block).splitlines() if c.strip()]


def _skip_reason(command: str) -> str | None:
    return next((why for prefix, why in SKIP.items() if command.startswith(prefix)), None)


def _bash_blocks():
    """Each bash block; one that runs a notebook (papermill) is marked ``notebooks``, as the notebook
    tests are (``make test-fast`` leaves it out)."""
    return [pytest.param(text, id=f"bash-README.md:{LINES[i]}",
                         marks=[pytest.mark.notebooks] if any(c.startswith("papermill") for c in _commands(text)) else [])
            for i, (lang, text) in enumerate(BLOCKS) if lang == "bash"]


def test_readme_has_the_blocks_this_test_expects():
    langs = [lang for lang, _ in BLOCKS]
    assert langs.count("python") >= 1 and langs.count("bash") >= 4
    assert any("my_reports" in text for lang, text in BLOCKS if lang == "python")  # the own-corpus example
    commands = [c for lang, text in BLOCKS if lang == "bash" for c in _commands(text)]
    for prefix in list(SKIP) + list(EXPECT):  # neither list names a command the README no longer has
        assert any(c.startswith(prefix) for c in commands), prefix
    assert [c.split()[:2] for c in commands[:2]] == [["make", "setup"], ["make", "lab"]]  # Quick start says so first


@pytest.mark.parametrize("block", _bash_blocks())
def test_bash_block_runs(block):
    ran = 0
    for command in _commands(block):
        if _skip_reason(command):
            continue
        started = time.time() - 1
        result = subprocess.run(["bash", "-o", "pipefail", "-c", command], cwd=ROOT, env=ENV, capture_output=True,
                                text=True, timeout=900, stdin=subprocess.DEVNULL)
        output = result.stdout + result.stderr
        assert result.returncode == 0, f"README command failed: {command}\n{output[-3000:]}"
        for prefix, expected in EXPECT.items():
            if command.startswith(prefix):
                assert all(e in result.stdout for e in expected), f"{command}: expected {expected} in\n{result.stdout[-2000:]}"
        if "analysis count - 全面从严治党" in command:  # nested: 从严治党 inside the one token 全面从严治党
            assert result.stdout.split() == ["term,count", "全面从严治党,1", "从严治党,1", "法治,1"]
        if "analysis count - 依法治国 法治 发展" in command:  # what the README says it prints
            assert result.stdout.split() == ["term,count", "依法治国,2", "法治,0", "发展,1"]
        if "analysis segment -" in command:
            text = re.search(r'echo "(.*?)"', command).group(1)
            tokens = result.stdout.split()
            assert "".join(tokens) in (text, re.sub(r"[，。]", "", text)) and "全面从严治党" in tokens  # all the text (punctuation maybe filtered), the formulation whole
        if command.startswith("papermill"):  # the executed copy, and charts against a reference from 2010 written now
            out = ROOT / command.split()[2]   # (named by the years present: gwr2010-2019, the corpus lacks 2020)
            fresh = [p for p in out.parent.glob("*_vs_*2010-20*.png") if p.stat().st_mtime >= started]
            assert out.stat().st_mtime >= started and fresh, f"{command}: no chart against 2010-… written"
        ran += 1
    if not ran:
        pytest.skip("; ".join(f"{c.split('#')[0].strip()}: {_skip_reason(c)}" for c in _commands(block)))


def _python_blocks():
    return [pytest.param(text, id=f"python-README.md:{LINES[i]}") for i, (lang, text) in enumerate(BLOCKS) if lang == "python"]


@pytest.mark.parametrize("code", _python_blocks())
def test_python_block_runs(code, tmp_path):
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=ENV, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    if "my_reports" in code:
        _check_own_corpus_example(tmp_path, result.stdout)


def _check_own_corpus_example(folder: Path, stdout: str) -> None:
    reports = sorted(p.name for p in (folder / "my_reports").iterdir())
    assert reports[0] == "report_2015.txt" and reports[-1] == "report_2024.txt" and len(reports) >= 9
    saved = folder / "my_figures" / "keyness_speech2025_vs_my_reports"
    assert {p.suffix for p in saved.parent.iterdir()} == {".png", ".svg", ".csv", ".xlsx", ".tex"}
    assert saved.with_suffix(".png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    table = pd.read_csv(saved.with_suffix(".csv"))
    pd.testing.assert_frame_equal(pd.read_excel(saved.with_suffix(".xlsx")), table, check_dtype=False)
    top = table.loc[table["g2"].idxmax()]
    assert top["term"] in stdout and top["n_target"] > 0  # the printed key terms are the table's


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_make_lab_serves_the_notebooks(tmp_path):
    """`make lab LAB_ARGS="--no-browser --port N"` as the README says, on a free port: the printed URL
    opens JupyterLab, its file browser shows notebooks/, and the study's kernel is there."""
    port = _free_port()
    log = tmp_path / "lab.log"
    env = {**ENV, "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")}
    with log.open("w") as out:
        lab = subprocess.Popen(["make", "lab", f"VENV={sys.prefix}", f"LAB_ARGS=--no-browser --port {port}"],
                               cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                               start_new_session=True)
    try:
        url = None
        for _ in range(120):
            if m := re.search(rf"(http://127\.0\.0\.1:{port}/lab\?token=\w+)", log.read_text()):
                url = m.group(1)
                break
            assert lab.poll() is None, log.read_text()
            time.sleep(0.5)
        assert url, f"no URL printed within a minute:\n{log.read_text()}"
        token = url.split("token=")[1]
        page = urllib.request.urlopen(url, timeout=30).read().decode()
        assert "JupyterLab" in page
        api = f"http://127.0.0.1:{port}/api"
        files = {f["name"] for f in _json(f"{api}/contents?token={token}")["content"]}
        assert {"01_corpus_overview.ipynb", "05_topics.ipynb"} <= files
        assert "analysis" in _json(f"{api}/kernelspecs?token={token}")["kernelspecs"], "kernel not registered: make setup"
    finally:
        if lab.poll() is None:
            os.killpg(lab.pid, signal.SIGTERM)  # make and the server it started (their own session)
            lab.wait(timeout=30)


def _json(url: str) -> dict:
    import json
    return json.loads(urllib.request.urlopen(url, timeout=30).read())
