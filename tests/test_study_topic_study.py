"""The steps of notebook 5 (analysis.study.topic_study) on the real study corpus, with small
references and K grids so that the fits stay quick: every table checked against a direct
computation, every describe() sentence against its table."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from analysis.errors import InputError
from analysis.study.params import resolve
from analysis.study.wording import term_list
from analysis.viz.save import figure_texts
from analysis.study.topic_study import (GWR_LABELS, choose_k, fit_topics, model_fit, prevalence_by_year, target_mix,
                                        topic_paragraphs)
from analysis.topics.selection import recommend_k
from analysis.viz.topics import plot_model_fit

GENRE = "stopwords=genre, min_chars=2, numbers=no, punct=no"


@pytest.fixture(scope="module")
def data(study_corpus):
    """The speech and the reports 2019–2024 (2020 has none: a gap)."""
    study = resolve(study_corpus, target="speech2025", reference_years="2019-2024", mode="trend")
    return topic_paragraphs(study_corpus, study, stopwords="genre", min_tokens=5)


@pytest.fixture(scope="module")
def k(data, tmp_path_factory):
    return choose_k(data, [3, 5, 8], [3], seeds=[0, 1], lda_seeds=[0], lda_max_iter=5,
                    cache_dir=tmp_path_factory.mktemp("models"))


@pytest.fixture(scope="module")
def topics(data, k):
    return fit_topics(data, k)


@pytest.fixture(scope="module")
def cpc_topics(study_corpus):
    """The 20th Congress report against the Congress reports 1992–2017: not the reports GWR_LABELS
    were written for, and one every five years (an intermittent series)."""
    study = resolve(study_corpus, target="cpc20", reference_years="1992-2017", mode="trend")
    return fit_topics(topic_paragraphs(study_corpus, study), method="nmf", n_topics=6)


# ---------------------------------------------------------------------------------------- paragraphs

def test_topic_paragraphs_and_filter_note(data, study_corpus):
    paras, study = data.paras, data.study
    assert (paras["n_tokens"] >= 5).all() and list(paras.index) == list(range(len(paras)))
    assert set(paras["doc_id"]) == set(study.reference_ids) | {"speech2025"}
    assert data.texts == list(paras["tokens"]) and data.filter == GENRE
    everything = data.corpus.paragraphs_of(study.reference_mask | study.target_mask)
    assert len(paras) == int((everything["n_tokens"] >= 5).sum())
    n_target = int((paras["doc_id"] == "speech2025").sum())
    assert data.summary() == (f"{len(paras):,} paragraphs: {len(paras) - n_target:,} of the {study.reference_label}, "
                              f"{n_target} of {study.label}")
    text = data.describe()
    assert text.startswith(study.describe() + f"\n\n**Filter** of the topic model: {GENRE}.")
    assert f"The other notebooks count with the study's filter ({study_corpus.filter.name}); the topic model uses " \
           "the 'genre' list because" in text
    same = topic_paragraphs(study_corpus, study, stopwords=study_corpus.filter.stopwords)
    assert same.describe() == study.describe() + f"\n\n**Filter** of the topic model: {study_corpus.filter.name}."


def test_topic_paragraphs_bad_input(data, study_corpus):
    with pytest.raises(InputError, match="MIN_TOKENS must be a whole number"):
        topic_paragraphs(study_corpus, data.study, min_tokens="5")
    with pytest.raises(InputError, match="no paragraph of speech2025 or its reference has 100000 tokens"):
        topic_paragraphs(study_corpus, data.study, min_tokens=100_000)


# ---------------------------------------------------------------------------------------- choosing K

def test_choose_k_table_and_recommendation(k):
    table = k.table
    assert sorted(map(tuple, table[["method", "k"]].to_numpy())) == [("lda", 3), ("nmf", 3), ("nmf", 5), ("nmf", 8)]
    assert table["recommended"].sum() == 1
    best = recommend_k(table)
    assert (k.best["method"], k.best["k"]) == (best["method"], best["k"])
    assert k.n_seeds == {"nmf": 2, "lda": 1}
    speed = table.groupby("method")["fit_seconds"].mean()
    assert f"LDA/NMF time per fit = {speed['lda'] / speed['nmf']:.1f}x" in k.timing()


def test_k_prose_matches_the_table(k):
    text, table = k.describe(), k.table
    means = table.groupby("method")[["coherence", "fit_seconds"]].mean()
    better = "NMF" if means.loc["nmf", "coherence"] > means.loc["lda", "coherence"] else "LDA"
    assert f"Averaged over the K tried, {better} is more coherent (NPMI {means.loc['nmf', 'coherence']:.3f} for NMF " \
           f"against {means.loc['lda', 'coherence']:.3f} for LDA)" in text
    assert f"LDA takes {means.loc['lda', 'fit_seconds'] / means.loc['nmf', 'fit_seconds']:.1f}× as long per fit" in text
    nmf = table[table["method"] == "nmf"]
    top = nmf.loc[nmf["coherence"].idxmax()]
    part = text[text.index("NMF (K = "):]
    part = part[:part.index(". ") + 1]
    assert part.startswith(f"NMF (K = 3–8, 3 values, 2 seeds): the most coherent K is {int(top['k'])} "
                           f"(NPMI {top['coherence']:.3f} ± {top['coherence_sd']:.3f} over seeds); ")
    spread = np.maximum(nmf["coherence_sd"], top["coherence_sd"])
    tied = [int(x) for x in nmf.loc[(nmf["coherence"] - top["coherence"]).abs() <= spread, "k"] if x != top["k"]]
    assert (f"K = {', '.join(map(str, tied))} " in part) if tied else ("no other K is within one standard deviation" in part)
    assert ("**the best K is at the edge of the range tried**" in part) == (top["k"] in (3, 8))
    if top["k"] == 5:
        assert "the range brackets it (3 < 5 < 8)." in part
    assert "LDA (K = 3 only, 1 seed): the most coherent K is 3 " in text and "one seed, so no spread" in text
    best = k.best
    assert f"The rule's choice, circled, is {best['method'].upper()} with K = {int(best['k'])} (coherence " \
           f"{best['coherence']:.3f}, stability {best['stability']:.2f})" in text


def test_k_plot_caption(k, data):
    texts = figure_texts(k.plot())
    assert texts[-1].startswith(f"{len(data.paras):,} paragraphs of the {data.study.reference_label} and of speech2025")
    assert texts[-1].endswith(f"Filter: {GENRE}.") and "Choosing the number of topics" in texts


def test_choose_k_needs_a_k(data):
    with pytest.raises(InputError, match="NMF_K and LDA_K are both empty"):
        choose_k(data, [], [])


# ---------------------------------------------------------------------------------------- the model

def test_fit_topics_follows_the_recommendation_and_labels(topics, k, data):
    model = topics.model
    assert (model.method, model.n_topics) == (k.best["method"], int(k.best["k"])) and topics.labelled
    assert len(set(model.labels_)) == model.n_topics and len(topics.coherence) == model.n_topics
    first = [w[0] for w in model.top_words(1)]
    assert topics.unused == sorted(set(GWR_LABELS) - set(first))
    for word, label in zip(first, model.labels_):
        if word in GWR_LABELS:
            assert label.startswith(GWR_LABELS[word])
    assert f"{model.method.upper()} with K = {model.n_topics}, fitted in" in topics.summary()
    assert f"labels not used: {topics.unused}" in topics.summary()
    assert len(topics.doc_topics) == len(data.paras)
    np.testing.assert_allclose(topics.doc_topics[model.labels_].to_numpy(), model.transform(data.texts))
    assert "the researcher's (LABELS)" in figure_texts(topics.plot())[-1]


def test_fit_topics_elsewhere_keeps_top_words(cpc_topics):
    model = cpc_topics.model
    assert not cpc_topics.labelled and cpc_topics.unused == sorted(GWR_LABELS)
    for words, label in zip(model.top_words(3), model.labels_):
        assert label.split(" (")[0] in ("/".join(words), "/".join(words[:2]))
    assert "the top three words (the LABELS were written for the Government Work Reports)" in figure_texts(cpc_topics.plot())[-1]


def test_fit_topics_bad_input(data):
    with pytest.raises(InputError, match="both METHOD and N_TOPICS"):
        fit_topics(data, method="nmf")
    with pytest.raises(InputError, match="LABELS must be a dict"):
        fit_topics(data, method="nmf", n_topics=3, labels=["法治"])


def test_representative_paragraphs(topics):
    reps = topics.representative(n=2)
    assert list(reps.columns) == ["label", "share", "doc_id", "year", "text"]
    assert reps.groupby("label").size().max() <= 2 and reps["text"].str.len().max() <= 71
    for label, part in reps.groupby("label", sort=False):
        assert part["share"].is_monotonic_decreasing


# ---------------------------------------------------------------------------------------- the model's fit

def test_model_fit_tables_and_sentence(topics, data):
    quality = model_fit(topics)
    fit, summary = quality.table, quality.summary
    vocab = topics.model.vectorizer_.vocabulary_
    tokens = [t for toks in data.paras.loc[data.is_target, "tokens"] for t in toks]
    t = fit[fit["series"] == "speech2025"].iloc[0]
    assert (t["n_tokens"], t["n_oov"]) == (len(tokens), sum(tok not in vocab for tok in tokens))
    assert np.allclose(fit["oov_share"], fit["n_oov"] / fit["n_tokens"])
    ref = fit[fit["series"] == "reference"]
    assert summary["n_oov"].tolist()[:2] == [t["n_oov"], ref["n_oov"].sum()]
    assert summary["group"].iloc[2].startswith(f"the {min(10, len(ref))} latest reference documents (2019–2024)")
    text = quality.describe()
    pooled = ref["n_oov"].sum() / ref["n_tokens"].sum()
    assert text.startswith(f"**How to read it.** {t['oov_share']:.1%} of the tokens of speech2025 ({int(t['n_oov'])} of "
                           f"{int(t['n_tokens'])}) are outside the model's vocabulary, against {pooled:.1%}")
    above = int((ref["oov_share"] >= t["oov_share"]).sum())
    assert ("no reference document has as large a share" in text) == (above == 0)
    if above:
        assert f"{above} of the {len(ref)} reference documents have as large a share or larger" in text
    n_par = int(data.is_target.sum())
    assert f"The mean reconstruction error of its {n_par} paragraphs is {summary['reconstruction_error'].iloc[0]:.3f}" in text
    fig = quality.plot()
    assert figure_texts(fig)[-1].endswith(f"Filter: {GENRE}.")
    star = fig.axes[0].lines[1]
    assert list(star.get_ydata()) == [t["oov_share"]]


def test_plot_model_fit_names_a_missing_column(topics):
    with pytest.raises(InputError, match="no 'series' column"):
        plot_model_fit(pd.DataFrame({"year": [2000], "oov_share": [0.1], "reconstruction_error": [0.5]}),
                       reference_label="GWR", target_label="x")


# ---------------------------------------------------------------------------------------- prevalence

def _decades(table: pd.DataFrame) -> dict[int, list[str]]:
    valid = table.dropna(subset=["prevalence"])
    out = {}
    for decade in sorted(set(valid["year"] // 10 * 10)):
        means = valid[valid["year"] // 10 * 10 == decade].groupby("label")["prevalence"].mean()
        out[int(decade)] = list(means.sort_values(ascending=False, kind="stable").index[:2])
    return out


def test_prevalence_by_year_annual(topics):
    prev = prevalence_by_year(topics)
    assert not prev.intermittent and list(prev.matrix.columns) == list(range(2019, 2025))
    assert prev.matrix[2020].isna().all() and list(prev.matrix.index) == topics.model.labels_
    sums = prev.table.dropna(subset=["prevalence"]).groupby("year")["prevalence"].sum()
    assert np.allclose(sums, 1.0) and 2020 not in sums.index
    text = prev.describe()
    assert "Grey columns are years without a document in the corpus." in text
    # one report a year: 2019 alone in the 2010s, 2021–2024 in the 2020s
    n_docs = {2010: "1 document", 2020: "4 documents"}
    decades = "; ".join(f"{d}s ({n_docs[d]}): {term_list(labels)}" for d, labels in _decades(prev.table).items())
    assert f"The two largest topics of each decade, with the documents its shares rest on: {decades}." in text
    assert text.endswith("The shares of the 2010s rest on three documents or fewer: one report's agenda, not the decade's.")
    assert figure_texts(prev.plot())[-1].endswith(f"Grey columns: no document of that year in the corpus. Filter: {GENRE}.")


def test_prevalence_by_year_intermittent(cpc_topics):
    prev = prevalence_by_year(cpc_topics)
    assert prev.intermittent and list(prev.matrix.columns) == [1992, 1997, 2002, 2007, 2012, 2017]
    text = prev.describe()
    assert "Grey columns" not in text
    years = sorted(prev.table.dropna(subset=["prevalence"])["year"].unique())
    n_docs = {d: sum(y // 10 * 10 == d for y in years) for d in _decades(prev.table)}  # one report per congress year
    decades = "; ".join(f"{d}s ({n_docs[d]} document{'s' if n_docs[d] != 1 else ''}): {term_list(labels)}"
                        for d, labels in _decades(prev.table).items())
    assert f"The two largest topics of each decade, with the documents its shares rest on: {decades}." in text
    assert n_docs == {1990: 2, 2000: 2, 2010: 2}


# ---------------------------------------------------------------------------------------- the target's mix

def test_target_mix(topics, data):
    mix = target_mix(topics)
    table = mix.table
    assert np.allclose(table.groupby("group")["share"].sum(), 1.0)
    assert mix.order[0] == "speech2025 (whole)" and mix.latest_ids == ["gwr2023", "gwr2024"]
    assert sorted(mix.order[-2:]) == ["gwr2023", "gwr2024"]
    whole = table[table["group"] == "speech2025 (whole)"].nlargest(3, "share")
    text = mix.describe()
    listed = term_list(f"{r.label} ({round(r.share * 100):.0f}%)" for r in whole.itertuples())
    assert f"The speech as a whole draws most on {listed}; gwr2023: " in text
    m = re.search(r"gwr2024: (.+?)\. The model", text)
    shares = [int(s) for s in re.findall(r"\((\d+)%\)", m.group(1))]
    assert shares == [round(s * 100) for s in table[table["group"] == "gwr2024"].nlargest(3, "share")["share"]]
    paragraphs = mix.paragraphs()
    target = topics.doc_topics[topics.doc_topics["doc_id"] == "speech2025"]
    assert len(paragraphs) == int(data.is_target.sum())
    assert paragraphs["dominant"].tolist() == target[topics.model.labels_].idxmax(axis=1).tolist()
    assert figure_texts(mix.plot())[-1].endswith(f"Filter: {GENRE}.")


def test_quick_mode_fits_one_k_with_two_seeds(data, tmp_path):
    """choose_k(quick=True): no grid (the K lists are ignored), NMF with the given K, stability over two seeds;
    the prose says one K was tried and that the range cannot bracket an optimum."""
    quick = choose_k(data, [3, 5, 8], [3], seeds=[0, 1, 2], quick=True, quick_k=5, cache_dir=tmp_path)
    assert quick.table[["method", "k"]].values.tolist() == [["nmf", 5]] and quick.n_seeds["nmf"] == 2
    assert pd.notna(quick.table["stability"].item()) and quick.best["k"] == 5
    assert "K = 5 only" in quick.describe() and "edge of the range" in quick.describe()
    default = choose_k(data, [3], quick=True, cache_dir=tmp_path)
    assert default.table["k"].tolist() == [40]
