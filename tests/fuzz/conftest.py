"""Hypothesis profiles for the fuzz tests (``make test-fuzz``): ``fuzz`` is the full run (10,000
generated inputs split between the properties, see :func:`fuzzlib.examples`), ``fuzz-quick``
(the default) a few each, for a check while editing.  ``ANALYSIS_FUZZ_PROFILE`` chooses."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.database import DirectoryBasedExampleDatabase

ROOT = Path(__file__).resolve().parents[2]
common = dict(deadline=None, database=DirectoryBasedExampleDatabase(ROOT / ".hypothesis" / "examples"),
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much,
                                     HealthCheck.large_base_example],
              print_blob=True)
settings.register_profile("fuzz", max_examples=10_000, **common)
settings.register_profile("fuzz-quick", max_examples=200, **common)
settings.load_profile(os.environ.get("ANALYSIS_FUZZ_PROFILE", "fuzz-quick"))


@pytest.fixture(scope="session")
def base(tmp_path_factory):
    """The folder every example's sandbox is made in; the segmenters are built first, outside the watch
    (jieba's dictionary cache and the lexicon are read once per process)."""
    from analysis.cli import main
    folder = tmp_path_factory.mktemp("fuzz")
    warm = folder / "warm_2020.txt"
    warm.write_text("坚持党的领导。\n\n全面依法治国。\n", encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for backend in ("rjieba", "jieba"):
            main(["segment", str(warm), "--backend", backend, "--no-learn"])
    return folder
