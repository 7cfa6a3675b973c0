"""Monroe et al.'s (2008) log-odds with an informative Dirichlet prior, checked against scattertext's values
and a loop over the paper's equations 16–22, and on documents tables."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis.errors import InputError
from analysis.stats.keyness import g2_statistic, keyness
from analysis.stats.logodds import log_odds, log_odds_table


TEXTS = {"t": "全面深化改革，推进法治建设。\n\n坚持学习贯彻，推进法治政府建设。\n\n加强法律服务。",
         "r1": "经济持续发展，就业稳定。\n\n推进改革开放，扩大内需。",
         "r2": "经济发展稳中有进。\n\n深化改革，稳定就业，扩大开放。"}


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory):
    """Three short texts prepared as the study prepares its corpus (real jieba, a fresh cache)."""
    from analysis.tokens.pipeline import prepare
    from analysis.tokens.segment import Segmenter
    docs = pd.DataFrame({"doc_id": list(TEXTS), "collection": ["speech", "gwr", "gwr"],
                         "year": [2025, 2020, 2021], "text": list(TEXTS.values())})
    return prepare(docs, Segmenter(cache=tmp_path_factory.mktemp("segments")), learn=False)

# a small table: counts in a 652-token-like target and a long reference, and a background corpus
Y_T = np.array([2, 0, 5, 12, 1, 30, 7, 0, 3, 640.])
Y_R = np.array([0, 40, 20, 300, 90, 2000, 15, 8, 1, 199700.])
BACKGROUND = np.array([1, 60, 30, 500, 100, 3100, 20, 9, 4, 310000.])

# z-scores from scattertext 0.2.2 (its own venv, separate from the project's):
#   LogOddsRatioInformativeDirichletPrior(pd.Series(prior), sigma=alpha0, scale_type="word")
#       .get_zeta_i_j_given_separate_counts(Y_T, Y_R)
# ("word": the prior scaled to add up to sigma, MCQ's formulation; scattertext's variance has all four terms)
SCATTERTEXT = {
    ("pooled", 652.0): [0.8609359873488008, -0.2623232303440381, 7.318520512616462, 6.595810868894239,
                        0.8628680177244646, 6.038816366270462, 9.326884715676432, -0.1173058293692879,
                        5.312140519838906, -11.552133734766578],
    ("pooled", 10.0): [0.1546121662728088, -0.18943492794145203, 8.521722740939248, 8.257735126693886,
                       1.1526190123050095, 7.934567534883867, 10.668017575797373, -0.08471487040182127,
                       5.846832556254287, -14.750538584789709],
    ("background", 652.0): [0.5413526987596925, -0.26914710762634586, 7.302164331882655, 6.613936573034032,
                            0.7615182987111777, 6.0185818912509905, 9.306109910160037, -0.14345974023466335,
                            5.304797300077271, -11.512754844191983],
    ("background", 10.0): [0.09427856481570143, -0.18788765456464263, 8.52144033413004, 8.258066979117165,
                           1.1506071054660316, 7.934175126209341, 10.66766112337332, -0.07763797852290778,
                           5.846703082084185, -14.749808104819683],
}


def monroe_by_hand(y_t, y_r, background, alpha0):
    """Equations 16 (δ), 20 (σ² ≈ 1/(y_i + α) + 1/(y_j + α)) and 22 (ζ = δ/σ), one term at a time."""
    n_t, n_r, total = sum(y_t), sum(y_r), sum(background)
    out = []
    for yt, yr, bg in zip(y_t, y_r, background):
        alpha = alpha0 * bg / total
        delta = (math.log((yt + alpha) / (n_t + alpha0 - yt - alpha))
                 - math.log((yr + alpha) / (n_r + alpha0 - yr - alpha)))
        out.append((delta, 1 / (yt + alpha) + 1 / (yr + alpha)))
    return out


@pytest.mark.parametrize("prior,alpha0", list(SCATTERTEXT))
def test_full_variance_matches_scattertext(prior, alpha0):
    background = None if prior == "pooled" else BACKGROUND
    ours = log_odds(Y_T, Y_R, background, alpha0=alpha0, variance="full")
    np.testing.assert_allclose(ours["z"], SCATTERTEXT[prior, alpha0], rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("alpha0", [652.0, 10.0, 1e5])
def test_paper_equations_by_hand(alpha0):
    for background in (Y_T + Y_R, BACKGROUND):
        ours = log_odds(Y_T, Y_R, background, alpha0=alpha0)
        hand = monroe_by_hand(Y_T, Y_R, background, alpha0)
        np.testing.assert_allclose(ours["delta"], [d for d, _ in hand], rtol=1e-12)
        np.testing.assert_allclose(ours["variance"], [v for _, v in hand], rtol=1e-12)
        np.testing.assert_allclose(ours["z"], [d / math.sqrt(v) for d, v in hand], rtol=1e-9)
        np.testing.assert_allclose(ours["se"] ** 2, ours["variance"], rtol=1e-12)


def test_default_prior_is_pooled_and_weighs_as_much_as_the_target():
    default = log_odds(Y_T, Y_R)
    explicit = log_odds(Y_T, Y_R, Y_T + Y_R, alpha0=Y_T.sum())
    pd.testing.assert_frame_equal(default, explicit)
    assert default["alpha"].sum() == pytest.approx(Y_T.sum())


def test_a_vanishing_prior_gives_the_plain_log_odds_ratio():
    y_t, y_r = np.array([3, 5, 92.]), np.array([40, 10, 950.])
    out = log_odds(y_t, y_r, alpha0=1e-9)
    plain = np.log(y_t / (100 - y_t)) - np.log(y_r / (1000 - y_r))
    np.testing.assert_allclose(out["delta"], plain, rtol=1e-7)
    np.testing.assert_allclose(out["variance"], 1 / y_t + 1 / y_r, rtol=1e-7)


def test_swapping_the_sides_negates_delta_and_z():
    forward = log_odds(Y_T, Y_R, BACKGROUND, alpha0=500.0)
    backward = log_odds(Y_R, Y_T, BACKGROUND, alpha0=500.0)
    np.testing.assert_allclose(backward["delta"], -forward["delta"], rtol=1e-12)
    np.testing.assert_allclose(backward["z"], -forward["z"], rtol=1e-12)


def test_a_word_twice_in_the_target_and_never_in_the_reference_is_not_a_certainty():
    # the example: G² calls it significant (p < 0.001), the log-odds z does not (|z| < 1.96)
    c, d = 652, 58930
    assert float(g2_statistic(2, 0, c, d)) > 10.83
    z = log_odds(np.array([2, c - 2.]), np.array([0, d * 1.]))["z"].iloc[0]
    assert 0 < z < 1.96
    # while a word used 10 times (1.5 %) against 0.5 % of the reference stays over-used
    z = log_odds(np.array([10, c - 10.]), np.array([300, d - 300.]))["z"].iloc[0]
    assert z > 1.96


def test_series_keep_their_index():
    out = log_odds(pd.Series([2, 8], index=["甲", "乙"]), pd.Series([5, 50], index=["甲", "乙"]))
    assert list(out.index) == ["甲", "乙"]
    assert list(out.columns) == ["delta", "variance", "se", "z", "alpha"]


@pytest.mark.parametrize("kwargs,message", [
    (dict(counts_target=[1, 2], counts_reference=[1, 2, 3]), "align"),
    (dict(counts_target=[1, -2], counts_reference=[1, 2]), "non-negative"),
    (dict(counts_target=[1, np.nan], counts_reference=[1, 2]), "non-negative"),
    (dict(counts_target=[[1, 2]], counts_reference=[[1, 2]]), "one-dimensional"),
    (dict(counts_target=["a", 2], counts_reference=[1, 2]), "counts"),
    (dict(counts_target=[1, 0], counts_reference=[1, 0]), "prior is 0 for 1 term"),
    (dict(counts_target=[1, 2], counts_reference=[1, 2], prior=[1, 2, 3]), "align"),
    (dict(counts_target=[1, 2], counts_reference=[1, 2], alpha0=0), "alpha0"),
    (dict(counts_target=[1, 2], counts_reference=[1, 2], alpha0=True), "alpha0"),
    (dict(counts_target=[1, 2], counts_reference=[1, 2], variance="exact"), "variance"),
    (dict(counts_target=[0, 0], counts_reference=[1, 2], prior=[1, 1]), "target has no tokens"),
    (dict(counts_target=[5, 1], counts_reference=[1, 2], totals=(3, 3)), "exceeds"),
])
def test_bad_arguments_are_input_errors(kwargs, message):
    with pytest.raises(InputError, match=message):
        log_odds(**kwargs)


# ---------------------------------------------------------------- the table

def toy_docs():
    rows = [("t", 2025, "改革 改革 创新 发展 开放 人民 人民 人民"),
            ("r1", 2020, "改革 发展 发展 开放 人民 稳定 稳定 经济"),
            ("r2", 2021, "发展 发展 经济 经济 稳定 开放 人民 就业"),
            ("x", 2019, "无关 无关 改革")]
    return pd.DataFrame([(i, y, t.split()) for i, y, t in rows], columns=["doc_id", "year", "tokens"])


def test_table_recomputes_from_its_counts():
    docs = toy_docs()
    table = log_odds_table(docs, "t", ["r1", "r2"])
    assert list(table.columns) == ["term", "n_target", "n_reference", "total_target", "total_reference", "prior",
                                   "delta", "se", "z"]
    assert table.attrs["total_target"] == 8 and table.attrs["total_reference"] == 16
    assert table.attrs["alpha0"] == 8.0 and table.attrs["prior"] == "pooled" and table.attrs["target"] == ["t"]
    assert "无关" not in set(table["term"])           # document x is in neither side
    row = table.set_index("term").loc["改革"]
    assert (row["n_target"], row["n_reference"]) == (2, 1)
    again = log_odds(table["n_target"], table["n_reference"], table["n_target"] + table["n_reference"],
                     alpha0=8.0, totals=(8, 16))
    np.testing.assert_allclose(again["z"], table["z"], rtol=1e-12)
    assert table["z"].is_monotonic_decreasing
    assert table["prior"].sum() == pytest.approx(8.0)


def test_table_agrees_with_keyness_on_counts_and_selection():
    docs = toy_docs()
    ours = log_odds_table(docs, "t", lambda d: d.year.between(2020, 2021)).set_index("term")
    theirs = keyness(docs, "t", lambda d: d.year.between(2020, 2021)).set_index("term")
    shared = theirs.index
    assert (ours.loc[shared, "n_target"] == theirs["n_target"]).all()
    assert (ours.loc[shared, "n_reference"] == theirs["n_reference"]).all()
    assert (ours.loc[shared, "total_reference"] == theirs["total_reference"]).all()


def test_reference_prior_gives_unseen_terms_half_a_count():
    table = log_odds_table(toy_docs(), "t", ["r1", "r2"], prior="reference", alpha0=16.0)
    assert table.attrs["prior_zero"] == 1                      # 创新: not in the reference
    by_term = table.set_index("term")
    # background: reference counts with 创新 given 0.5, shares of 16.5, scaled to α₀ = 16
    assert by_term.loc["创新", "prior"] == pytest.approx(16.0 * 0.5 / 16.5)
    assert by_term.loc["发展", "prior"] == pytest.approx(16.0 * 4 / 16.5)
    assert np.isfinite(table["z"]).all()


def test_series_prior_from_another_corpus():
    background = pd.Series({"改革": 50, "发展": 200, "人民": 80, "开放": 30, "经济": 100, "稳定": 20})
    table = log_odds_table(toy_docs(), "t", ["r1", "r2"], prior=background, alpha0=20.0, min_count=2)
    assert table.attrs["prior"] == "series" and table.attrs["prior_zero"] == 2   # 创新 and 就业
    # min_count=2 drops 创新 and 就业
    assert set(table["term"]) == {"改革", "发展", "人民", "开放", "经济", "稳定"}
    by_term = table.set_index("term")
    assert by_term.loc["发展", "prior"] == pytest.approx(20.0 * 200 / 481)


def test_prepared_corpus_is_accepted(small_corpus):
    table = log_odds_table(small_corpus, "t", lambda d: d.collection == "gwr")
    pd.testing.assert_frame_equal(table, log_odds_table(small_corpus.documents, "t", ["r1", "r2"]))
    n_tokens = small_corpus.documents.set_index("doc_id")["n_tokens"]
    assert table.attrs["total_target"] == n_tokens["t"]
    assert table.attrs["total_reference"] == n_tokens[["r1", "r2"]].sum()
    assert table.set_index("term").loc["推进", "n_target"] == 2


@pytest.mark.parametrize("kwargs,message", [
    (dict(target="nope"), "unknown document"),
    (dict(target="t", reference="t"), "disjoint"),
    (dict(target="t", prior="uniform"), "prior"),
    (dict(target="t", prior=[1, 2]), "prior"),
    (dict(target="t", prior=pd.Series({"改革": -1.0})), "non-negative"),
    (dict(target="t", prior=pd.Series({"改革": "many"})), "'改革' is missing or not a number"),
    (dict(target="t", prior=pd.Series([1, 2], index=["改革", "改革"])), "more than once"),
    (dict(target="t", alpha0=-1), "alpha0"),
    (dict(target="t", min_count=0), "min_count"),
])
def test_table_bad_arguments(kwargs, message):
    with pytest.raises(InputError, match=message):
        log_odds_table(toy_docs(), **kwargs)
