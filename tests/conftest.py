"""Shared fixtures: the real corpus (from the offline mirror when there is one) and small literal texts."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import pytest

SHARED_MIRROR = Path(__file__).resolve().parents[2] / "shared" / "corpus"
if not os.environ.get("ANALYSIS_CORPUS_MIRROR") and SHARED_MIRROR.is_dir():
    os.environ["ANALYSIS_CORPUS_MIRROR"] = str(SHARED_MIRROR)
os.environ.setdefault("MPLBACKEND", "agg")

from analysis.corpus import load_cpc, load_gwr, load_speech  # noqa: E402
from analysis.tokens.segment import Segmenter  # noqa: E402


@pytest.fixture(scope="session")
def speech():
    return load_speech()


@pytest.fixture(scope="session")
def gwr():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load_gwr()


@pytest.fixture(scope="session")
def cpc():
    return load_cpc()


@pytest.fixture(scope="session")
def seg_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("segments")


@pytest.fixture(scope="session")
def segmenter(seg_cache):
    return Segmenter(cache=seg_cache)


@pytest.fixture(scope="session")
def speech_paragraphs(speech, segmenter):
    return segmenter.segment(speech)


@pytest.fixture(scope="session")
def gwr_paragraphs(gwr, segmenter):
    return segmenter.segment(gwr)


# ---------------------------------------------------------------- the study notebooks, run once per session
@pytest.fixture(scope="session")
def study_corpus():
    """The study corpus as the notebooks prepare it."""
    from analysis.tokens.pipeline import prepare
    return prepare()


@pytest.fixture(scope="session", params=["speech2025", "gwr2019", "cpc20"])
def executed(request, tmp_path_factory):
    """Every notebook executed headless for one target: (target, figures folder, executed folder, timings)."""
    from nbruns import execute
    return execute(request.param, tmp_path_factory)



def pytest_collection_modifyitems(items):
    """The tests that read the executed notebooks are marked ``notebooks`` (``make test-fast`` leaves them out;
    so does a README block that runs a notebook, marked in tests/test_readme.py)."""
    for item in items:
        if "executed" in getattr(item, "fixturenames", ()) or item.path.name.startswith("test_notebooks"):
            item.add_marker(pytest.mark.notebooks)
