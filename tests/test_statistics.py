"""Statistics checked against independent computations (scipy, scikit-learn, str.count) and invariants."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import chi2_contingency
from sklearn.feature_extraction.text import TfidfVectorizer

from analysis.stats.concordance import kwic
from analysis.counts.dtm import build_dtm, identity
from analysis.errors import InputError
from analysis.stats.formulations import expand_members, find_formulations, formulation_trends
from analysis.counts.frequency import term_frequency
from analysis.stats.keyness import chi2_statistic, g2_statistic, key_terms, keyness, log_ratio
from analysis.tokens.segment import section_documents, segmented_documents
from analysis.stats.similarity import cross_similarity, similarity_to
from analysis.stats.tfidf import tfidf
from analysis.stats.trends import first_appearance, term_trends


def toy(*docs, years=None):
    years = years or list(range(2000, 2000 + len(docs)))
    return pd.DataFrame({"doc_id": [f"d{i}" for i in range(len(docs))], "collection": "toy", "year": pd.array(years, dtype="Int64"),
                         "tokens": [d.split() for d in docs], "n_tokens": [len(d.split()) for d in docs]})


@pytest.fixture(scope="module")
def corpus_docs(speech_paragraphs, gwr_paragraphs):
    return segmented_documents(pd.concat([speech_paragraphs, gwr_paragraphs], ignore_index=True))


# ---------------------------------------------------------------- keyness against scipy

@pytest.mark.parametrize("a,b,c,d", [(10, 3, 600, 7000), (1, 0, 600, 70000), (0, 50, 600, 7000), (40, 40, 100, 100), (5, 500, 1000, 2000)])
def test_g2_and_chi2_match_scipy(a, b, c, d):
    table = np.array([[a, b], [c - a, d - b]])
    g2_scipy = chi2_contingency(table, correction=False, lambda_="log-likelihood")[0]
    assert g2_statistic(a, b, c, d) == pytest.approx(g2_scipy, rel=1e-9, abs=1e-9)
    for yates in (True, False):
        assert chi2_statistic(a, b, c, d, yates=yates) == pytest.approx(chi2_contingency(table, correction=yates)[0], rel=1e-9, abs=1e-9)


def test_g2_by_hand():
    a, b, c, d = 10, 3, 600, 7000
    n = c + d
    e = [(a + b) * c / n, (a + b) * d / n, (n - a - b) * c / n, (n - a - b) * d / n]
    o = [a, b, c - a, d - b]
    assert g2_statistic(a, b, c, d) == pytest.approx(2 * sum(x * math.log(x / y) for x, y in zip(o, e)))


def test_log_ratio_and_zero_reference():
    assert log_ratio(8, 4, 100, 100) == pytest.approx(1.0)
    assert log_ratio(2, 0, 100, 100) == pytest.approx(math.log2(2 / 0.5))
    docs = toy("新词 新词 甲 乙", "甲 乙 丙 丁 甲 乙")
    row = keyness(docs, "d0").set_index("term").loc["新词"]
    assert row.n_reference == 0 and np.isfinite(row.log_ratio) and row.g2 > 0


def test_keyness_rows_recompute_from_table(corpus_docs):
    table = keyness(corpus_docs, "speech2025", lambda d: d["year"].between(2015, 2024) & (d["collection"] == "gwr"), min_target=2)
    assert {"term", "n_target", "n_reference", "total_target", "total_reference", "g2", "p", "log_ratio"} <= set(table.columns)
    assert table["g2"].is_monotonic_decreasing and table["term"].is_unique
    for row in table.head(30).itertuples():
        g2 = chi2_contingency(np.array([[row.n_target, row.n_reference],
                                        [row.total_target - row.n_target, row.total_reference - row.n_reference]]),
                              correction=False, lambda_="log-likelihood")[0]
        assert abs(row.g2) == pytest.approx(g2, rel=1e-9)
    speech_tokens = corpus_docs.set_index("doc_id").loc["speech2025", "tokens"]
    assert table["total_target"].iloc[0] == len(speech_tokens)
    top = table.set_index("term").loc["司法行政工作"]
    assert top.n_target == speech_tokens.count("司法行政工作") and top.ref_docs == 0 and pd.isna(top.first_year_ref)
    row = table.set_index("term").loc["习近平新时代中国特色社会主义思想"]
    assert row.first_year_ref == 2018 and row.ref_years >= 5
    assert (key_terms(table, 10)["p_adj"] < 0.05).all()


def test_keyness_bad_input(corpus_docs):
    with pytest.raises(InputError, match="target cannot be all the documents"):
        keyness(corpus_docs, np.ones(len(corpus_docs), bool))
    with pytest.raises(InputError, match="selects no documents"):
        keyness(corpus_docs, np.zeros(len(corpus_docs), bool))
    with pytest.raises(InputError, match="reference contains target"):
        keyness(corpus_docs, "speech2025", ["speech2025", "gwr2024"])
    with pytest.raises(InputError, match="unknown document"):
        keyness(corpus_docs, "speech2099")
    with pytest.raises(InputError, match="no tokens"):
        keyness(toy("", "甲 乙"), "d0")


vocab = st.sampled_from(list("甲乙丙丁戊己庚辛"))
doc_strategy = st.lists(vocab, min_size=1, max_size=30).map(" ".join)


@settings(max_examples=60, deadline=None)
@given(st.lists(doc_strategy, min_size=2, max_size=6), st.data())
def test_keyness_invariants(texts, data):
    docs = toy(*texts)
    k = data.draw(st.integers(1, len(texts) - 1))
    target = [f"d{i}" for i in range(k)]
    forward = keyness(docs, target).set_index("term")
    backward = keyness(docs, [f"d{i}" for i in range(k, len(texts))]).set_index("term")
    common = forward.index.intersection(backward.index)
    assert np.allclose(forward.loc[common, "g2"], -backward.loc[common, "g2"], atol=1e-9)
    assert np.allclose(forward.loc[common, "log_ratio"], -backward.loc[common, "log_ratio"], atol=1e-9)
    twice = pd.concat([docs, docs.assign(doc_id=docs["doc_id"] + "b")], ignore_index=True)
    self_vs_self = keyness(twice, list(docs["doc_id"]))
    assert np.allclose(self_vs_self["g2"], 0, atol=1e-9) and np.allclose(self_vs_self["log_ratio"], 0, atol=1e-9)


# ---------------------------------------------------------------- frequency and tf-idf

def test_term_frequency_counts_match_str_count(speech_paragraphs):
    docs = segmented_documents(speech_paragraphs)
    freq = term_frequency(docs).set_index("term")
    text = "\n".join(speech_paragraphs["text"])
    vocabulary = set(freq.index)
    for term in ["两个维护", "习近平新时代中国特色社会主义思想", "四个意识", "全面从严治党", "理论武装", "法律援助"]:
        # only terms that cannot occur inside a longer token of this text
        assert not any(term in other and term != other for other in vocabulary), term
        assert freq.loc[term, "count"] == text.count(term), term
    assert freq["per_10k"].sum() == pytest.approx(10_000)
    assert (freq["rank"].diff().dropna() == 1).all()


def test_term_frequency_by_group():
    docs = toy("甲 乙 甲", "甲 丙", "乙 乙", years=[2000, 2000, 2001])
    freq = term_frequency(docs, by="year").set_index(["group", "term"])
    assert freq.loc[(2000, "甲"), "count"] == 3 and freq.loc[(2000, "甲"), "doc_freq"] == 2
    assert freq.loc[(2000, "甲"), "total_tokens"] == 5 and freq.loc[(2001, "乙"), "per_10k"] == 10_000


@pytest.mark.parametrize("sublinear", [False, True])
@pytest.mark.parametrize("idf", ["smooth", "plain"])
def test_tfidf_matches_sklearn(corpus_docs, sublinear, idf):
    docs = corpus_docs[corpus_docs["year"] >= 2018]
    ours = tfidf(docs, n=None, tf="sublinear" if sublinear else "raw", idf=idf)
    vec = TfidfVectorizer(analyzer=identity, lowercase=False, sublinear_tf=sublinear, smooth_idf=(idf == "smooth"))
    matrix = vec.fit_transform(list(docs["tokens"]))
    vocab = vec.vocabulary_
    sample = ours.groupby("group").head(15)
    rows = {d: i for i, d in enumerate(docs["doc_id"])}
    for group, term, value in sample[["group", "term", "tfidf"]].itertuples(index=False):
        assert value == pytest.approx(matrix[rows[group], vocab[term]], rel=1e-9)


def test_tfidf_scheme_named_and_bad_scheme(corpus_docs):
    table = tfidf(corpus_docs.head(3), n=5)
    assert table["scheme"].iloc[0] == "tf=raw, idf=smooth, norm=l2"
    with pytest.raises(InputError, match="unknown idf weighting"):
        tfidf(corpus_docs.head(3), idf="bm25")


def test_ngrams():
    dtm = build_dtm(toy("深化 改革 开放 深化 改革"), ngram_range=(1, 2))
    assert dict(zip(dtm.terms, dtm.matrix.toarray()[0]))["深化 改革"] == 2


# ---------------------------------------------------------------- trends and formulations

def test_trends_gaps_and_target(corpus_docs):
    tt = term_trends(corpus_docs, ["高质量发展", "改革开放"], target="speech2025")
    assert {"term", "year", "count", "total_tokens", "per_10k"} <= set(tt.columns)
    ref = tt[(tt["series"] == "reference") & (tt["term"] == "高质量发展")].set_index("year")
    assert pd.isna(ref.loc[2020, "count"]) and pd.isna(ref.loc[2020, "per_10k"])  # no report: a gap
    assert ref.loc[2015, "count"] == 0  # a report without the term: a zero
    gwr2024 = corpus_docs.set_index("doc_id").loc["gwr2024"]
    assert ref.loc[2024, "count"] == gwr2024["tokens"].count("高质量发展")
    assert ref.loc[2024, "per_10k"] == pytest.approx(ref.loc[2024, "count"] / gwr2024["n_tokens"] * 1e4)
    speech = tt[tt["series"] == "speech2025"].set_index("term")
    speech_docs = corpus_docs.set_index("doc_id").loc["speech2025"]
    assert speech.loc["高质量发展", "year"] == 2025
    assert speech.loc["高质量发展", "total_tokens"] == speech_docs["n_tokens"]
    assert speech.loc["高质量发展", "count"] == speech_docs["tokens"].count("高质量发展")
    first = first_appearance(tt).set_index("term")
    assert first.loc["高质量发展", "first_year"] == 2018


def test_trends_bad_input(corpus_docs):
    with pytest.raises(InputError, match="unknown term"):
        term_trends(corpus_docs, ["不存在的词语"])
    with pytest.raises(InputError, match="no reference documents in the years"):
        term_trends(corpus_docs, ["改革"], years=range(1800, 1810))


def test_formulations_in_speech(speech_paragraphs):
    text = "\n".join(speech_paragraphs["text"])
    tokens = [t for toks in speech_paragraphs["tokens"] for t in toks]
    found = find_formulations(text, tokens).set_index("formulation")
    for f in ["两个确立", "两个维护", "四个意识", "四个自信", "三会一课", "四风", "十四五"]:
        assert f in found.index and found.loc[f, "count"] == text.count(f)
    assert "quoted" in found.loc["四风", "found_by"]
    members = expand_members(found.reset_index())
    assert members[members["formulation"] == "四个意识"]["member"].tolist() == ["政治意识", "大局意识", "核心意识", "看齐意识"]


def test_pattern_finds_formulations_not_in_lexicon():
    found = find_formulations("要坚持“五个必须”，落实“一老一小”和三个务必。", ["五个必须", "一老一小"]).set_index("formulation")
    assert {"五个必须", "一老一小"} <= set(found.index)
    assert found.loc["五个必须", "found_by"] == "pattern,quoted"


def test_formulation_trends(speech_paragraphs, gwr_paragraphs):
    paras = pd.concat([speech_paragraphs, gwr_paragraphs], ignore_index=True)
    ft = formulation_trends(paras, ["两个确立", "四个意识"], target="speech2025")
    first = first_appearance(ft).set_index("term")
    assert first.loc["两个确立", "first_year"] == 2022 and first.loc["四个意识", "first_year"] == 2017
    gwr2022 = "\n".join(gwr_paragraphs[gwr_paragraphs["doc_id"] == "gwr2022"]["text"])
    row = ft[(ft["term"] == "两个确立") & (ft["year"] == 2022) & (ft["series"] == "reference")].iloc[0]
    assert row["count"] == gwr2022.count("两个确立")


# ---------------------------------------------------------------- similarity, concordance, sections

def test_similarity_matches_direct_cosine():
    docs = toy("甲 乙 丙", "甲 乙 丁", "戊 己")
    sims = similarity_to(docs, "d0").set_index("doc_id")
    assert sims.loc["d2", "cosine"] == pytest.approx(0.0)
    vec = TfidfVectorizer(analyzer=identity, lowercase=False)
    m = vec.fit_transform(list(docs["tokens"])).toarray()
    assert sims.loc["d1", "cosine"] == pytest.approx(m[0] @ m[1])


def test_speech_sections_and_similarity(speech_paragraphs, corpus_docs):
    sections = section_documents(speech_paragraphs, "speech2025")
    assert list(sections["doc_id"]) == ["（开场）", "一、总结成绩", "二、明确目标"]
    assert sections["n_tokens"].sum() == corpus_docs.set_index("doc_id").loc["speech2025", "n_tokens"]
    table = cross_similarity(sections, corpus_docs[corpus_docs["collection"] == "gwr"])
    assert len(table) == 3 * 52 and table["cosine"].between(0, 1 + 1e-9).all()


def test_kwic(speech_paragraphs):
    hits = kwic(speech_paragraphs, "两个维护", window=6)
    assert len(hits) == 3 and (hits["match"] == "两个维护").all()
    assert hits.iloc[0]["left"].endswith("坚决做到“")
    with pytest.raises(InputError):
        kwic(speech_paragraphs, " ")


def test_first_appearance_flags_a_first_year_after_a_gap(speech_paragraphs, gwr_paragraphs):
    paras = pd.concat([speech_paragraphs, gwr_paragraphs], ignore_index=True)
    first = first_appearance(formulation_trends(paras, ["十四五", "两个确立"], target="speech2025")).set_index("term")
    # no 2020 report in the corpus: 十四五 "first in 2021" is uncertain; 两个确立 (2022) follows the 2021 report
    assert first.loc["十四五", "first_year"] == 2021 and first.loc["十四五", "previous_year_in_corpus"] == 2019
    assert first.loc["十四五", "first_year_uncertain"]
    assert first.loc["两个确立", "first_year"] == 2022 and not first.loc["两个确立", "first_year_uncertain"]
