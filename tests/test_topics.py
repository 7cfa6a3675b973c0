"""Topic models: reproducibility, coherence against gensim, planted topics, bad input, persistence."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from gensim.corpora import Dictionary
from gensim.models.coherencemodel import CoherenceModel

from analysis.errors import InputError
from analysis.topics.model import (TopicModel, document_topics, fit_cached, representative_paragraphs, topic_mix,
                                   topic_prevalence)
from analysis.topics.selection import npmi_coherence, recommend_k, select_k, stability


@pytest.fixture(scope="module")
def paragraphs(gwr_paragraphs):
    recent = gwr_paragraphs[gwr_paragraphs["year"] >= 2008]
    return recent[recent["n_tokens"] >= 5].reset_index(drop=True)


def gensim_npmi(topics, texts, window=10):
    cm = CoherenceModel(topics=topics, texts=texts, dictionary=Dictionary(texts), coherence="c_npmi",
                        processes=1, window_size=window)
    return np.array(cm.get_coherence_per_topic())


@pytest.mark.parametrize("method", ["nmf", "lda"])
def test_same_seed_same_topics(paragraphs, method):
    docs = paragraphs["tokens"]
    a = TopicModel(method, 6, random_state=3, max_iter=10 if method == "lda" else None).fit(docs)
    b = TopicModel(method, 6, random_state=3, max_iter=10 if method == "lda" else None).fit(docs)
    assert a.top_words() == b.top_words()
    np.testing.assert_array_equal(a.components_, b.components_)
    assert a.provenance_["corpus_sha256"] == b.provenance_["corpus_sha256"]
    assert a.provenance_["params"]["random_state"] == 3


def test_coherence_matches_gensim_exactly_where_windows_are_unambiguous(paragraphs):
    model = TopicModel("nmf", 8).fit(paragraphs["tokens"])
    texts = [list(dict.fromkeys(t)) for t in paragraphs["tokens"]]  # real paragraphs, no token repeated
    np.testing.assert_allclose(npmi_coherence(model.top_words(), texts), gensim_npmi(model.top_words(), texts),
                               atol=1e-9)


def test_coherence_close_to_gensim_on_raw_paragraphs(paragraphs):
    model = TopicModel("nmf", 8).fit(paragraphs["tokens"])
    texts = list(paragraphs["tokens"])
    ours, theirs = npmi_coherence(model.top_words(), texts), gensim_npmi(model.top_words(), texts)
    assert abs(ours.mean() - theirs.mean()) < 0.01
    assert pd.Series(ours).corr(pd.Series(theirs), method="spearman") > 0.95


def test_where_gensim_differs_a_word_still_in_the_window():
    # 'a' stands in all three windows of 10; gensim's incremental update drops it after the first slide
    text = [["a", "b", "a", "c", "d", "e", "f", "g", "h", "i", "j", "k"]]
    assert npmi_coherence([["a", "k"]], text)[0] == pytest.approx(0.0, abs=1e-9)  # p(a)=1: independent
    assert gensim_npmi([["a", "k"]], text)[0] < -0.9


def test_planted_topics_are_recovered():
    rng = np.random.default_rng(0)
    groups = [["法治", "司法", "律师", "公证", "调解", "复议"], ["粮食", "农村", "农民", "耕地", "种子", "农机"],
              ["芯片", "科技", "创新", "研发", "人才", "专利"], ["医疗", "医保", "医院", "药品", "疾病", "卫生"]]
    docs = []
    for _ in range(400):
        g = rng.integers(len(groups))
        docs.append(list(rng.choice(groups[g], size=12)) + list(rng.choice(sum(groups, []), size=2)))
    for method in ("nmf", "lda"):
        model = TopicModel(method, 4, min_df=1, max_df=1.0, top_n=6).fit(docs)
        found = sorted(sorted(w) for w in model.top_words())
        assert found == sorted(sorted(g) for g in groups), method


def test_stability_and_selection(paragraphs):
    table = select_k(paragraphs["tokens"], [4, 6], methods=("nmf",), seeds=(0, 1))
    assert list(table.columns) == ["method", "k", "coherence", "coherence_sd", "stability", "fit_seconds", "recommended"]
    assert table["recommended"].sum() == 1
    assert table["stability"].between(0, 1).all()
    assert stability([[["a", "b"], ["c", "d"]], [["c", "d"], ["a", "b"]]]) == 1.0
    best = recommend_k(pd.DataFrame({"method": "nmf", "k": [4, 6, 8], "coherence": [0.1, 0.3, 0.2], "stability": [0.9, 0.5, 0.8]}))
    assert best["k"] == 8  # K=6 is more coherent but unstable


def test_bad_input(paragraphs):
    docs = paragraphs["tokens"]
    with pytest.raises(InputError, match="too few documents"):
        TopicModel("nmf", 5).fit(docs[:3])
    with pytest.raises(InputError, match="empty vocabulary"):
        TopicModel("nmf", 2, min_df=10_000).fit(docs)
    with pytest.raises(InputError, match="at least 2"):
        TopicModel("nmf", 1).fit(docs)
    with pytest.raises(InputError, match="more than the"):
        TopicModel("nmf", 50, min_df=1, max_df=1.0).fit([["甲", "乙"]] * 60)
    with pytest.raises(InputError, match="unknown method"):
        TopicModel("lsa", 5).fit(docs)


def test_save_load_and_cache(paragraphs, tmp_path):
    model = TopicModel("nmf", 5).fit(paragraphs["tokens"]).set_labels({0: "甲"})
    loaded = TopicModel.load(model.save(tmp_path / "m.npz"))
    assert loaded.labels_[0] == "甲" and loaded.top_words() == model.top_words()
    np.testing.assert_allclose(loaded.transform(paragraphs["tokens"][:5]), model.transform(paragraphs["tokens"][:5]))
    first = fit_cached(TopicModel("nmf", 5), paragraphs["tokens"], tmp_path)
    again = fit_cached(TopicModel("nmf", 5), paragraphs["tokens"], tmp_path)
    assert again.fit_seconds_ == first.fit_seconds_ and len(list(tmp_path.glob("topics-*.npz"))) == 1


def test_prevalence_mix_and_representatives(paragraphs, speech_paragraphs):
    model = TopicModel("nmf", 5).fit(paragraphs["tokens"])
    both = pd.concat([paragraphs, speech_paragraphs], ignore_index=True)
    dt = document_topics(model, both)
    prev = topic_prevalence(model, dt[dt["collection"] == "gwr"])
    assert prev[prev["year"] == 2020]["prevalence"].isna().all()  # no report in 2020: a gap
    sums = prev.dropna().groupby("year")["prevalence"].sum()
    assert np.allclose(sums, 1.0)
    # hand-computed length-weighted share for one year
    y = dt[dt["year"] == 2015]
    label = model.labels_[0]
    expected = (y[label] * y["n_tokens"]).sum() / y["n_tokens"].sum()
    assert prev[(prev["year"] == 2015) & (prev["topic"] == 0)]["prevalence"].iloc[0] == pytest.approx(expected)
    mix = topic_mix(model, dt[dt["doc_id"] == "speech2025"], by="section")
    assert np.allclose(mix.groupby("section")["share"].sum(), 1.0)
    reps = representative_paragraphs(model, dt, both, n=2)
    assert len(reps) == 10 and reps.groupby("topic")["share"].apply(lambda s: s.is_monotonic_decreasing).all()


def test_parallel_grid_gives_the_serial_table_and_the_models_of_topicmodel_fit(paragraphs):
    """select_k on two worker processes = in this process = TopicModel.fit on each seed's subsample,
    scored with npmi_coherence one fit at a time (the one-pass WindowCounts changes nothing)."""
    docs = list(paragraphs["tokens"])[:600]
    cols = ["method", "k", "coherence", "coherence_sd", "stability", "recommended"]
    options = {"max_iter": 5, "min_df": 3}
    parallel = select_k(docs, [3, 5], methods=("nmf", "lda"), seeds=(0, 1), n_jobs=2, **options)
    serial = select_k(docs, [3, 5], methods=("nmf", "lda"), seeds=(0, 1), n_jobs=1, **options)
    pd.testing.assert_frame_equal(parallel[cols], serial[cols])
    for method in ("nmf", "lda"):
        for k in (3, 5):
            runs, scores = [], []
            for seed in (0, 1):
                rng = np.random.default_rng(seed)
                sample = [docs[i] for i in sorted(rng.choice(len(docs), size=round(0.8 * len(docs)), replace=False))]
                words = TopicModel(method, k, random_state=seed, **options).fit(sample).top_words()
                runs.append(words)
                scores.append(npmi_coherence(words, docs).mean())
            row = parallel[(parallel["method"] == method) & (parallel["k"] == k)].iloc[0]
            assert row["coherence"] == np.mean(scores) and row["coherence_sd"] == np.std(scores)
            assert row["stability"] == stability(runs)


def test_window_counts_of_a_hand_made_text():
    """Windows of 3 over a b a c (2 windows: a b a, b a c) and over a lone d (shorter: one window)."""
    from analysis.topics.selection import WindowCounts
    counts = WindowCounts([["a", "b", "a", "c"], ["d"]], ["a", "b", "c", "d"], window=3)
    assert counts.n_windows == 3
    i = counts.vocab
    assert counts.co[i["a"], i["a"]] == 2 and counts.co[i["c"], i["c"]] == 1 and counts.co[i["d"], i["d"]] == 1
    assert counts.co[i["a"], i["c"]] == 1 and counts.co[i["a"], i["b"]] == 2 and counts.co[i["c"], i["d"]] == 0
    p_ac, p_a, p_c = 1 / 3, 2 / 3, 1 / 3
    expected = np.log((p_ac + 1e-12) / (p_a * p_c)) / -np.log(p_ac + 1e-12)
    assert counts.npmi([["a", "c"]])[0] == pytest.approx(expected, rel=1e-12)


def test_reconstruction_error_in_blocks_equals_the_dense_computation(paragraphs):
    """More documents than one block (512): the per-document error is the dense formula's."""
    from analysis.topics.model import ROWS_PER_BLOCK, reconstruction_error
    docs = list(paragraphs["tokens"])
    assert len(docs) > 2 * ROWS_PER_BLOCK
    for method in ("nmf", "lda"):
        model = TopicModel(method, 5, max_iter=5).fit(docs)
        table = reconstruction_error(model, pd.Series(docs, index=[f"p{i}" for i in range(len(docs))]))
        x = model.vectorizer_.transform(docs).toarray().astype(float)
        theta = model.model_.transform(x)
        h = model.components_
        if method == "lda":
            x = x / np.where(x.sum(axis=1, keepdims=True) > 0, x.sum(axis=1, keepdims=True), 1)
            h = h / h.sum(axis=1, keepdims=True)
        norms = np.linalg.norm(x, axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            expected = np.where(norms > 0, np.linalg.norm(x - theta @ h, axis=1) / norms, np.nan)
        np.testing.assert_allclose(table["reconstruction_error"].to_numpy(), expected, rtol=1e-10)
