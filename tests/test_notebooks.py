"""The study notebooks, executed headless in fresh kernels against the real default corpus for
three targets — the speech (default parameters), a Government Work Report against the earlier
reports (gwr2019) and a Congress report against the earlier Congress reports (cpc20) — and the
figures, tables and words they produced checked against the package's own functions."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

from analysis.counts.frequency import term_frequency
from analysis.stats.keyness import keyness
from analysis.study.params import resolve

from nbruns import NOTEBOOKS, SLUGS, TARGETS, expected_names, outputs, run_all


@pytest.fixture(scope="session")
def corpus(study_corpus):
    """The study corpus as the notebooks prepare it (conftest's ``study_corpus``)."""
    return study_corpus


def test_notebooks_are_committed_without_outputs():
    assert [nb.name[:2] for nb in NOTEBOOKS] == ["01", "02", "03", "04", "05", "06"]
    for nb in NOTEBOOKS:
        cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
        assert not any(c.get("outputs") or c.get("execution_count") for c in cells), nb.name
        assert "parameters" in cells[1]["metadata"].get("tags", []), f"{nb.name}: second cell is the parameters cell"
        source = "".join(cells[1]["source"])
        assert 'TARGET = "speech2025"' in source, nb.name


def test_every_notebook_ran_and_shows_every_chart(executed):
    target, figures, out, timings = executed
    assert [name for name, _ in timings] == [nb.name for nb in NOTEBOOKS]
    shown = []
    for nb in NOTEBOOKS:
        outs = outputs(out, nb.name)
        streams = " ".join("".join(o.get("text", "")) for o in outs if o.get("output_type") == "stream")
        assert "Glyph" not in streams and "missing from font" not in streams, nb.name
        assert "np.float64" not in streams, nb.name
        assert not [o for o in outs if o.get("output_type") == "error"], nb.name
        images = [o for o in outs if "image/png" in o.get("data", {})]
        if nb.name.startswith("06"):
            assert images, "the explorer shows the term's trend"
        shown += [o["metadata"]["analysis"]["name"] for o in images
                  if o.get("metadata", {}).get("analysis", {}).get("name")]
    saved = sorted(p.stem for p in figures.glob("*.png"))
    assert sorted(shown) == saved  # every saved chart is displayed inline, once
    assert set(expected_names(target)) <= set(saved)


# Warnings a notebook may show: the package's own, which tell the reader about the corpus (a short
# reference, undated documents...).  Any other warning, a library's deprecation among them, fails.
OWN_WARNINGS = {"CorpusWarning", "CacheWarning"}


def test_no_warning_but_the_packages_own_in_any_notebook(executed):
    target, _, out, _ = executed
    found = []
    for nb in NOTEBOOKS:
        for o in outputs(out, nb.name):
            if o.get("output_type") == "stream" and o.get("name") == "stderr":
                text = "".join(o.get("text", ""))
                categories = re.findall(r"\b(\w+(?:Warning|Error))\b: ", text)
                if not categories or set(categories) - OWN_WARNINGS:
                    found.append(f"{nb.name}: {text[:300]}")
    assert not found, f"{target}: unexpected output on stderr:\n" + "\n".join(found)


def test_figure_tables_written(executed):
    target, figures, _, _ = executed
    for name in expected_names(target):
        for ext in ("png", "svg", "csv"):
            path = figures / f"{name}.{ext}"
            assert path.is_file() and path.stat().st_size > 0, path.name
        assert len(pd.read_csv(figures / f"{name}.csv")) > 0, name


def test_parameters_were_injected(executed):
    target, _, out, _ = executed
    for nb in NOTEBOOKS:
        cells = json.loads((out / nb.name).read_text(encoding="utf-8"))["cells"]
        injected = [c for c in cells if "injected-parameters" in c["metadata"].get("tags", [])]
        if TARGETS[target]:
            assert injected and f'TARGET = "{target}"' in "".join(injected[0]["source"]), nb.name


def test_target_never_in_its_reference(executed, corpus):
    """On the saved tables: keyness totals equal the independently selected reference; no trend,
    similarity or prevalence row comes from the target or from its collection after its year."""
    target, figures, _, _ = executed
    key_slug, trend_slug = SLUGS[target]
    docs = corpus.documents.set_index("doc_id")
    year, collection = int(docs.loc[target, "year"]), docs.loc[target, "collection"]
    ref_collection = "gwr" if collection == "speech" else collection
    ref_ids = docs[(docs["collection"] == ref_collection) & docs["year"].between(year - 10, year - 1)].index
    key = pd.read_csv(figures / f"keyness_{target}_vs_{key_slug}.csv")
    assert (key["total_reference"] == docs.loc[ref_ids, "n_tokens"].sum()).all()
    assert (key["total_target"] == docs.loc[target, "n_tokens"]).all()
    assert f"{ref_collection}{docs.loc[ref_ids, 'year'].min()}-{docs.loc[ref_ids, 'year'].max()}" == key_slug

    sims = pd.read_csv(figures / f"similarity_{target}_to_{trend_slug}.csv")
    assert target not in set(sims["doc_id"]) and sims["year"].max() < year
    assert set(docs.loc[sims["doc_id"], "collection"]) == {ref_collection}
    from analysis.corpus import check_documents
    stubs = set(check_documents(corpus.docs).query("flag == 'stub'")["doc_id"])  # left out of every reference (cpc07)
    expected = docs[(docs["collection"] == ref_collection) & (docs["year"] < year)].index.difference(list(stubs))
    assert sorted(sims["doc_id"]) == sorted(expected)
    for name in (f"trends_key_terms_{target}_{trend_slug}", f"trends_formulations_{target}_{trend_slug}"):
        trends = pd.read_csv(figures / f"{name}.csv")
        reference = trends[trends["series"] == "reference"]
        assert reference["year"].max() < year
        assert (trends.loc[trends["series"] != "reference", "series"] == target).all()
        assert (trends.loc[trends["series"] == target, "year"] == year).all()
    prevalence = pd.read_csv(figures / f"topics_prevalence_by_year_{trend_slug}.csv")
    assert prevalence["year"].max() < year


def test_words_follow_the_target(executed):
    """Titles, captions, legends and generated prose name the target; no "speech" when it is another document."""
    target, _, out, _ = executed
    words = []
    for nb in NOTEBOOKS:
        cells = json.loads((out / nb.name).read_text(encoding="utf-8"))["cells"]
        # Cells tagged "corpus-wide" describe the whole corpus (whose parts include the speech), not the target.
        outs = [o for c in cells if "corpus-wide" not in c["metadata"].get("tags", []) for o in c.get("outputs", [])]
        for o in outs:
            data = o.get("data", {})
            if "text/markdown" in data:
                words.append("".join(data["text/markdown"]))
            if "analysis" in o.get("metadata", {}):
                words += o["metadata"]["analysis"]["texts"]
    text = "\n".join(words)
    assert target in text
    if target != "speech2025":
        hits = [w for w in words if re.search(r"speech|讲话", w)]
        assert not hits, hits[:5]
    # Reference years named as resolved.
    key_slug = SLUGS[target][0]
    lo, hi = re.search(r"(\d{4})-(\d{4})", key_slug).groups()
    assert f"{lo}–{hi}" in text
    assert "no report that year" not in text


def test_keyness_table_matches_package(executed, corpus):
    target, figures, _, _ = executed
    study = resolve(corpus, target=target)
    table = pd.read_csv(figures / f"keyness_{target}_vs_{study.slug}.csv")
    ours = keyness(corpus.documents, study.target_mask, study.reference_mask, min_target=0, min_count=3).set_index("term")
    written = table.set_index("term")
    assert written.index.equals(ours.index)
    assert np.allclose(written["g2"], ours["g2"]) and (written["n_target"] == ours["n_target"]).all()


def test_speech_specifics(executed, corpus):
    target, figures, _, _ = executed
    if target != "speech2025":
        pytest.skip("speech only")
    table = pd.read_csv(figures / "keyness_speech2025_vs_gwr2015-2024.csv").set_index("term")
    assert table.loc["司法行政工作", "n_target"] == corpus.documents.set_index("doc_id").loc["speech2025", "tokens"].count("司法行政工作")
    written = pd.read_csv(figures / "top_terms_speech2025.csv")
    # Notebook 02 counts with the study's one filter, as notebook 03 does (issue 9).
    freq = term_frequency(corpus.documents[corpus.documents["doc_id"] == "speech2025"]).head(len(written))
    assert written["term"].tolist() == freq["term"].tolist() and written["count"].tolist() == freq["count"].tolist()
    formulations = pd.read_csv(figures / "first_appearance_formulations_speech2025_gwr1954-2024.csv").set_index("term")
    assert formulations.loc["两个确立", "first_year"] == 2022 and formulations.loc["十四五", "first_year"] == 2021
    assert pd.isna(formulations.loc["三会一课", "first_year"]) and formulations.loc["三会一课", "first_year_cpc"] == 2017
    k = pd.read_csv(figures / "topics_k_selection_speech2025_gwr1954-2024_paragraphs.csv")
    # The default grid is NMF only (LDA_K = []: README, Topics); the other targets' runs keep an LDA row.
    assert set(k["method"]) == {"nmf"} and k["recommended"].sum() == 1
    assert k["k"].tolist() == [4, 8, 12, 16, 20, 25, 30, 40, 50] and k.loc[k["recommended"], "k"].item() == 40


def test_trend_and_topic_tables_have_gaps(executed):
    target, figures, _, _ = executed
    _, trend_slug = SLUGS[target]
    table = pd.read_csv(figures / f"trends_key_terms_{target}_{trend_slug}.csv")
    assert {"term", "year", "count", "total_tokens", "per_10k"} <= set(table.columns)
    ref = table[table["series"] == "reference"]
    if target == "speech2025":
        assert ref[ref["year"] == 2020]["count"].isna().all() and ref[ref["year"] == 2019]["count"].notna().all()
    prevalence = pd.read_csv(figures / f"topics_prevalence_by_year_{trend_slug}.csv")
    sums = prevalence.dropna(subset=["prevalence"]).groupby("year")["prevalence"].sum()
    # A paragraph with no word of the model's vocabulary gets no topic weight (NMF transform: all
    # zeros) but keeps its tokens in the year's total: cpc03 (1923) has one such 6-token paragraph.
    assert (sums <= 1 + 1e-9).all() and (sums > 0.95).all()
    if target != "cpc20":
        assert np.allclose(sums, 1.0)
    mix = pd.read_csv(figures / f"topics_mix_{target}_by_section.csv")
    assert np.allclose(mix.groupby("group")["share"].sum(), 1.0)


def test_a_users_corpus_runs(tmp_path, corpus):
    """A researcher's documents (CORPUS) as target, against the Government Work Reports."""
    paras = corpus.paragraphs[corpus.paragraphs["doc_id"] == "speech2025"]["text"].tolist()
    path = tmp_path / "bureau.jsonl"
    rows = [{"doc_id": "bureau2024", "year": 2024, "title": "甲", "text": "\n".join(paras[:6])},
            {"doc_id": "bureau2025", "year": 2025, "title": "乙", "text": "\n".join(paras[6:])}]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    figures, out = tmp_path / "figures", tmp_path / "executed"
    run_all.run_all(["03", "04"], figures=figures, executed=out,
                    parameters={"CORPUS": str(path), "TARGET": "bureau2025", "REFERENCE_COLLECTION": "gwr"})
    for name in ("03_distinctiveness.ipynb", "04_change_over_time.ipynb"):
        assert not [o for o in outputs(out, name) if o.get("output_type") == "error"], name
    key = pd.read_csv(figures / "keyness_bureau2025_vs_gwr2015-2024.csv")
    assert "bureau2025" not in set(pd.read_csv(figures / "similarity_bureau2025_to_gwr1954-2024.csv")["doc_id"])
    docs = corpus.documents
    ref = docs[(docs["collection"] == "gwr") & docs["year"].between(2015, 2024)]
    assert (key["total_reference"] == ref["n_tokens"].sum()).all()
