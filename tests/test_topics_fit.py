"""How well a topic model sees a document: out-of-vocabulary share, reconstruction error, and
whether coherence really separates the K values tried."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.errors import InputError
from analysis.topics.model import TopicModel, oov_share, reconstruction_error
from analysis.topics.selection import coherence_ties

GROUPS = [["法治", "司法", "律师", "公证", "调解", "复议"], ["粮食", "农村", "农民", "耕地", "种子", "农机"],
          ["芯片", "科技", "创新", "研发", "人才", "专利"], ["医疗", "医保", "医院", "药品", "疾病", "卫生"]]


@pytest.fixture(scope="module")
def planted():
    rng = np.random.default_rng(0)
    docs = []
    for _ in range(400):  # the recipe of test_topics.test_planted_topics_are_recovered
        docs.append(list(rng.choice(GROUPS[rng.integers(len(GROUPS))], size=12)) + list(rng.choice(sum(GROUPS, []), size=2)))
    return {method: TopicModel(method, len(GROUPS), min_df=1, max_df=1.0, top_n=6).fit(docs) for method in ("nmf", "lda")}


def test_oov_share_counts_tokens(planted):
    docs = pd.DataFrame({"doc_id": ["in", "half", "out", "empty"],
                         "tokens": [["法治", "司法"], ["法治", "党建", "粮食", "党建"], ["党建", "思想"], []]})
    table = oov_share(planted["nmf"], docs).set_index("doc_id")
    assert table["n_oov"].tolist() == [0, 2, 2, 0]
    assert table["oov_share"].iloc[:3].tolist() == [0.0, 0.5, 1.0] and np.isnan(table.loc["empty", "oov_share"])


def test_reconstruction_error_nmf_matches_a_direct_computation(planted):
    model = planted["nmf"]
    docs = [["法治", "司法", "律师"], ["法治", "粮食", "芯片", "农村"], ["党建"]]
    table = reconstruction_error(model, docs)
    x = model.vectorizer_.transform(docs).toarray()
    approx = model.model_.transform(x) @ model.components_
    for i in range(2):
        assert table["reconstruction_error"].iloc[i] == pytest.approx(np.linalg.norm(x[i] - approx[i]) / np.linalg.norm(x[i]))
    # a document of one topic is rebuilt far better than a mixture of three
    assert table["reconstruction_error"].iloc[0] < table["reconstruction_error"].iloc[1]
    assert np.isnan(table["reconstruction_error"].iloc[2]) and table["n_in_vocab"].tolist() == [3, 4, 0]


def test_reconstruction_error_lda(planted):
    model = planted["lda"]
    assert sorted(sorted(w) for w in model.top_words()) == sorted(sorted(g) for g in GROUPS)
    docs = [["法治", "司法", "律师", "公证", "调解", "复议"], ["法治", "粮食", "芯片", "农村"]]
    table = reconstruction_error(model, docs)
    counts = model.vectorizer_.transform(docs).toarray()
    phi = model.components_ / model.components_.sum(axis=1, keepdims=True)
    x = counts / counts.sum(axis=1, keepdims=True)
    approx = model.model_.transform(counts) @ phi
    expected = np.linalg.norm(x - approx, axis=1) / np.linalg.norm(x, axis=1)
    np.testing.assert_allclose(table["reconstruction_error"], expected)
    assert table["reconstruction_error"].iloc[0] < 0.5 < table["reconstruction_error"].iloc[1]


def test_the_speech_beside_the_reports(speech_paragraphs, gwr_paragraphs):
    recent = gwr_paragraphs[(gwr_paragraphs["year"] >= 2008) & (gwr_paragraphs["n_tokens"] >= 5)]
    model = TopicModel("nmf", 8).fit(recent["tokens"])
    speech_tokens = [t for toks in speech_paragraphs["tokens"] for t in toks]
    reports = gwr_paragraphs[gwr_paragraphs["year"] >= 2015].groupby("doc_id")["tokens"].agg(lambda c: [t for x in c for t in x])
    oov = oov_share(model, pd.concat([pd.Series({"speech2025": speech_tokens}), reports]))
    speech = oov.set_index("doc_id").loc["speech2025"]
    assert speech.n_oov == sum(t not in model.vectorizer_.vocabulary_ for t in speech_tokens)
    assert speech.oov_share > 2 * oov[oov["doc_id"] != "speech2025"]["oov_share"].max()


def test_coherence_ties():
    table = pd.DataFrame({"method": "nmf", "k": [4, 6, 8, 10], "coherence": [0.10, 0.14, 0.13, 0.16],
                          "coherence_sd": [0.01, 0.02, 0.01, 0.015]})
    out = coherence_ties(table).set_index("k")
    assert (out["best_k"] == 10).all() and out.loc[10, "best_at_edge"]
    # 0.16 − 0.14 = 0.02 ≤ max(0.02, 0.015): within the seeds' spread; 0.03 > 0.015: not
    assert out["within_spread"].tolist() == [False, True, False, True]
    assert out.loc[8, "diff_from_best"] == pytest.approx(-0.03)
    bracketed = coherence_ties(table.assign(coherence=[0.10, 0.16, 0.13, 0.12]))
    assert not bracketed["best_at_edge"].any()
    with pytest.raises(InputError):
        coherence_ties(table.drop(columns="coherence_sd"))
