"""Notebooks 1, 2 and 6's steps (analysis.study.overview, .vocabulary, .explorer) on the real study corpus:
each describe() sentence checked against the table it words, for the speech and for a report as target."""

from __future__ import annotations

import re

import matplotlib
import pandas as pd
import pytest

from analysis.study import overview, vocabulary
from analysis.study.explorer import TermExplorer
from analysis.study.params import resolve

matplotlib.use("agg")


@pytest.fixture(scope="module", params=["speech2025", "gwr2019"])
def study(request, study_corpus):
    return resolve(study_corpus, target=request.param)


def test_document_lengths_describe_the_target_and_the_reports_spread(study_corpus, study):
    step = overview.document_lengths(study_corpus, study)
    text = step.describe()
    target_chars = int(step.table.loc[step.table["doc_id"] == study.target, "characters"].iloc[0])
    assert f"The target has {target_chars:,} characters" in text
    assert study.label in text
    reports = step.table.loc[step.table["collection"] == "gwr", "characters"]
    assert f"{int(reports.quantile(0.1)):,}–{int(reports.quantile(0.9)):,}" in text
    assert "1961–1963" in text  # a gap of the corpus, named as such
    assert step.plot().axes


def test_section_lengths_count_the_target_s_parts(study_corpus, study):
    step = overview.section_lengths(study_corpus, study)
    paragraphs = study_corpus.paragraphs[study_corpus.paragraphs["doc_id"] == study.target]
    assert step.table["n_chars"].sum() == paragraphs["n_chars"].sum()
    tops = step.table["section_path"].fillna("").str.split(" > ").str[0]
    n_top = tops[tops != ""].nunique()
    assert f"{n_top} top-level part(s)" in step.describe()


def test_normalisation_report_is_per_collection(study_corpus):
    report = overview.normalisation_report(study_corpus.docs)
    assert set(report.index) == set(study_corpus.docs["collection"])
    assert (report[("boilerplate_chars", "sum")] >= report[("boilerplate_chars", "max")]).all()


def test_repeats_describe_the_table(study_corpus, study):
    step = overview.repeats(study_corpus, study, min_chars=30)
    text = step.describe()
    if step.table.empty:
        assert text.startswith("**No repeated passage.**")
    else:
        assert f"**{len(step.table)} repeated passage(s)**" in text
        assert f"{int(step.table['length'].sum()):,} characters in all" in text


def test_learned_terms_counts_in_the_target_match_a_fresh_count(study_corpus, study):
    step = overview.learned(study_corpus, study)
    assert (step.kept["keep"] == "yes").all()
    text = step.describe()
    assert text.startswith(f"**{len(step.kept)} terms were learned** from the {len(study_corpus.docs)} documents")
    used = step.kept[step.kept["n_target"] > 0]
    assert f"{len(used)} of them occur in {study.label}, {int(used['n_target'].sum()):,} times" in text
    # a count recomputed from the target's paragraphs with the corpus's own nested counter
    term = step.kept.iloc[0]["term"]
    fresh = study_corpus.count([term]).loc[study.target, term]
    assert int(step.kept.iloc[0]["n_target"]) == int(fresh)
    assert list(step.top(3).columns)[:3] == ["term", "score", "count"] and len(step.top(3)) == 3


def test_top_terms_and_their_rates(study_corpus, study):
    top = vocabulary.top_terms_step(study_corpus, study, 25)
    assert len(top.table) == 25 and top.table["count"].is_monotonic_decreasing
    first5 = top.table["term"].head(5).tolist()
    assert all(t in top.describe() for t in first5)
    n_tokens = int(study_corpus.documents.loc[study.target_mask, "n_tokens"].sum())
    assert f"With {n_tokens:,} tokens after filtering" in top.describe()
    rates = vocabulary.rate_comparison(study_corpus, study, top.table["term"])
    assert rates.table["term"].tolist() == top.table["term"].tolist()
    assert (rates.table["n_target"].to_numpy() == top.table["count"].to_numpy()).all()
    n_far = int((rates.table["log_ratio"] >= 2).sum())
    assert re.search(rf"Of the 25 terms, {n_far or 'none'} (is|are) at least four times", rates.describe())
    fig, table = top.cloud(40)
    assert len(table) == 40 and fig.axes


def test_explorer_reports_a_term_with_its_counts(study_corpus, study):
    trend = resolve(study_corpus, target=study.target, reference_collection=study.reference_collection, mode="trend")
    explorer = TermExplorer.build(study_corpus, study, trend, min_count=3, max_lines=5)
    term = explorer.choices[0]
    report = explorer.report(term)
    row = report.row.iloc[0]
    assert int(row["n_target"]) == int(sum(t == term for toks in study_corpus.documents.loc[study.target_mask, "tokens"]
                                            for t in toks))
    text = report.describe()
    assert text.startswith(f"{term}: {int(row['n_target'])} occurrence(s) in {study.label}")
    if report.trends is not None:
        target_row = report.trends[report.trends["series"] != "reference"].iloc[0]
        assert f"{int(target_row['count'])} in {study.short_label}" in text
        assert set(report.years_used()["series"]) >= {"reference"} or report.reference_years["count"].sum() == 0
    assert len(report.kwic) <= 5 and report.n_kwic >= len(report.kwic)


def test_explorer_says_when_a_term_is_nowhere(study_corpus, study):
    trend = resolve(study_corpus, target=study.target, reference_collection=study.reference_collection, mode="trend")
    explorer = TermExplorer.build(study_corpus, study, trend)
    report = explorer.report("不存在的词语甲乙")
    assert report.trends is None and int(report.row.iloc[0]["n_target"]) == 0
    assert "no trend" in report.describe()
