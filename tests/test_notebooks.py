"""The study notebooks, executed headless in fresh kernels against the real default corpus,
and the figures and tables they wrote checked against the package's own functions."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.frequency import term_frequency
from analysis.keyness import keyness
from analysis.pipeline import prepare

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))

spec = importlib.util.spec_from_file_location("run_all", ROOT / "notebooks" / "run_all.py")
run_all = importlib.util.module_from_spec(spec)
spec.loader.exec_module(run_all)

EXPECTED = [
    "corpus_document_lengths_by_year", "structure_sections_speech2025",
    "top_terms_speech2025", "wordcloud_speech2025", "rates_speech2025_vs_gwr2015-2024",
    "keyness_speech2025_vs_gwr2015-2024", "comparison_cloud_speech2025_vs_gwr2015-2024",
    "tfidf_speech2025_among_gwr2015-2024", "keyness_by_section_speech2025_vs_gwr2015-2024",
    "trends_key_terms_speech2025_gwr1954-2025", "first_appearance_formulations_speech2025_gwr1954-2025",
    "trends_formulations_speech2025_gwr1954-2025", "similarity_speech2025_to_gwr_by_year",
    "topics_k_selection_gwr_paragraphs", "topics_top_words", "topics_prevalence_by_year_gwr1954-2025",
    "topics_mix_speech2025_by_section",
]


def test_notebooks_are_committed_without_outputs():
    assert len(NOTEBOOKS) == 5
    for nb in NOTEBOOKS:
        cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
        assert not any(c.get("outputs") or c.get("execution_count") for c in cells), nb.name
        assert "parameters" in cells[1]["metadata"].get("tags", []), f"{nb.name}: second cell is the parameters cell"


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    figures = tmp_path_factory.mktemp("figures")
    out = tmp_path_factory.mktemp("executed")
    timings = run_all.run_all(figures=figures, executed=out)
    return figures, out, timings


def test_every_notebook_ran(executed):
    _, out, timings = executed
    assert [name for name, _ in timings] == [nb.name for nb in NOTEBOOKS]
    for nb in NOTEBOOKS:
        cells = json.loads((out / nb.name).read_text(encoding="utf-8"))["cells"]
        streams = " ".join("".join(o.get("text", "")) for c in cells for o in c.get("outputs", []) if o.get("output_type") == "stream")
        assert "Glyph" not in streams and "missing from font" not in streams, nb.name
        errors = [o for c in cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
        assert not errors, nb.name


@pytest.mark.parametrize("name", EXPECTED)
def test_figure_and_table_written(executed, name):
    figures, _, _ = executed
    for ext in ("png", "svg", "csv"):
        path = figures / f"{name}.{ext}"
        assert path.is_file() and path.stat().st_size > 0, path.name
    assert len(pd.read_csv(figures / f"{name}.csv")) > 0


@pytest.fixture(scope="module")
def standard():
    return prepare(stopwords="standard")


def test_keyness_table_matches_package(executed, standard):
    figures, _, _ = executed
    table = pd.read_csv(figures / "keyness_speech2025_vs_gwr2015-2024.csv")
    assert {"term", "n_target", "n_reference", "total_target", "total_reference", "g2", "p", "log_ratio"} <= set(table.columns)
    ref = standard.select(collection="gwr", years=(2015, 2024))
    ours = keyness(standard.documents, "speech2025", ref, min_target=0, min_count=3).set_index("term")  # as in notebook 03
    written = table.set_index("term")
    assert written.index.equals(ours.index)
    assert np.allclose(written["g2"], ours["g2"]) and (written["n_target"] == ours["n_target"]).all()
    assert written.loc["司法行政工作", "n_target"] == standard.documents.set_index("doc_id").loc["speech2025", "tokens"].count("司法行政工作")


def test_top_terms_table_matches_package(executed):
    figures, _, _ = executed
    written = pd.read_csv(figures / "top_terms_speech2025.csv")
    genre = prepare(stopwords="genre")
    freq = term_frequency(genre.documents[genre.documents["doc_id"] == "speech2025"]).head(len(written))
    assert written["term"].tolist() == freq["term"].tolist() and written["count"].tolist() == freq["count"].tolist()


def test_trend_tables_have_contract_and_gaps(executed):
    figures, _, _ = executed
    for name in ("trends_key_terms_speech2025_gwr1954-2025", "trends_formulations_speech2025_gwr1954-2025"):
        table = pd.read_csv(figures / f"{name}.csv")
        assert {"term", "year", "count", "total_tokens", "per_10k"} <= set(table.columns)
        ref = table[table["series"] == "reference"]
        assert ref[ref["year"] == 2020]["count"].isna().all() and ref[ref["year"] == 2019]["count"].notna().all()
    formulations = pd.read_csv(figures / "first_appearance_formulations_speech2025_gwr1954-2025.csv").set_index("term")
    assert formulations.loc["两个确立", "first_year"] == 2022 and pd.isna(formulations.loc["三会一课", "first_year"])


def test_topic_tables(executed):
    figures, _, _ = executed
    k = pd.read_csv(figures / "topics_k_selection_gwr_paragraphs.csv")
    assert set(k["method"]) == {"nmf", "lda"} and k["recommended"].sum() == 1
    prevalence = pd.read_csv(figures / "topics_prevalence_by_year_gwr1954-2025.csv")
    assert prevalence[prevalence["year"] == 2020]["prevalence"].isna().all()
    sums = prevalence.dropna(subset=["prevalence"]).groupby("year")["prevalence"].sum()
    assert np.allclose(sums, 1.0)
    mix = pd.read_csv(figures / "topics_mix_speech2025_by_section.csv")
    assert np.allclose(mix.groupby("group")["share"].sum(), 1.0)
