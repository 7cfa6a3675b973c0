"""The paragraph permutation test of keyness, checked against a brute-force enumeration, for uniform p under
H0, and for rewarding spread over concentration; the bootstrap's resolution against the bootstrap itself."""

from __future__ import annotations

import itertools
import math
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.errors import InputError
from analysis.stats.keyness import bootstrap_log_ratio, keyness
from analysis.stats.permutation import bootstrap_resolution, length_strata, permutation_keyness, permutation_test


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


def units_table(target_paragraphs, reference_paragraphs):
    """One row per paragraph (tokens split on spaces): doc ``t`` is the target, ``r`` the reference."""
    rows = [("t", p.split()) for p in target_paragraphs] + [("r", p.split()) for p in reference_paragraphs]
    return pd.DataFrame(rows, columns=["doc_id", "tokens"])


TINY_TARGET = ["甲 乙 甲", "甲 丙", "乙 丁 甲 甲"]
TINY_REFERENCE = ["乙 丙 丙", "丁 丁 乙", "甲 丙 乙 乙", "丙 丁", "乙 乙 丙"]


def brute_force(target, reference, statistic, alternative, strata=None):
    """Every labelling of 3 of the 8 paragraphs as the target (with ``strata``, one label per paragraph:
    only those with as many target paragraphs in each stratum as the observed), counted in plain Python."""
    paragraphs = [p.split() for p in target + reference]
    k = len(target)
    grand = sum(len(p) for p in paragraphs)
    terms = sorted({t for p in paragraphs[:k] for t in p})
    whole = Counter(t for p in paragraphs for t in p)

    def stat(chosen, term):
        a = sum(Counter(paragraphs[i])[term] for i in chosen)
        c = sum(len(paragraphs[i]) for i in chosen)
        b, d = whole[term] - a, grand - c
        if statistic == "count":
            return a
        if statistic == "log_ratio":
            return math.log2((max(a, 0.5) / c) / (max(b, 0.5) / d))
        n = c + d
        cells = [(a, (a + b) * c / n), (b, (a + b) * d / n), (c - a, (n - a - b) * c / n), (d - b, (n - a - b) * d / n)]
        g2 = 2 * sum(o * math.log(o / e) for o, e in cells if o > 0)
        return g2 if a / c >= b / d else -g2

    out = {}
    labellings = list(itertools.combinations(range(len(paragraphs)), k))
    if strata is not None:
        per_stratum = lambda chosen: sorted(Counter(strata[i] for i in chosen).items())  # noqa: E731
        labellings = [c for c in labellings if per_stratum(c) == per_stratum(range(k))]
    for term in terms:
        observed = stat(range(k), term)
        values = [stat(chosen, term) for chosen in labellings]
        if alternative == "greater":
            hits = sum(v >= observed - 1e-12 for v in values)
        elif alternative == "less":
            hits = sum(v <= observed + 1e-12 for v in values)
        else:
            hits = sum(abs(v) >= abs(observed) - 1e-12 for v in values)
        out[term] = (observed, hits / len(labellings))
    return out


@pytest.mark.parametrize("statistic", ["log_ratio", "g2", "count"])
@pytest.mark.parametrize("alternative", ["greater", "less", "two-sided"])
def test_exact_p_matches_brute_force_enumeration(statistic, alternative):
    table = permutation_keyness(units_table(TINY_TARGET, TINY_REFERENCE), "t", statistic=statistic,
                                alternative=alternative)
    assert table.attrs["exact"] and table.attrs["n_perm"] == math.comb(8, 3) == 56
    expected = brute_force(TINY_TARGET, TINY_REFERENCE, statistic, alternative)
    assert set(table["term"]) == set(expected)
    for row in table.itertuples():
        observed, p = expected[row.term]
        assert row.statistic == pytest.approx(observed, rel=1e-12)
        assert row.p == pytest.approx(p, rel=1e-12)
    assert (table["p"] >= 1 / 56).all()          # the observed labelling is one of them


@pytest.mark.parametrize("alternative", ["greater", "two-sided"])
def test_stratified_exact_p_matches_brute_force(alternative):
    strata = ["x", "y", "y", "x", "y", "x", "y", "x"]          # target: one x, two y → 4 · C(4, 2) = 24
    units = units_table(TINY_TARGET, TINY_REFERENCE)
    counts = permutation_keyness(units, "t", alternative=alternative)    # the pooled test, for contrast
    table = permutation_test(*_matrix(units)[:3], strata=strata, alternative=alternative)
    assert table.attrs["exact"] and table.attrs["n_perm"] == 24 and table.attrs["strata"] == "labels"
    expected = brute_force(TINY_TARGET, TINY_REFERENCE, "log_ratio", alternative, strata)
    terms = _matrix(units)[3]
    for term, p in zip(terms, table["p"]):
        assert p == pytest.approx(expected[term][1], rel=1e-12)
    assert not np.allclose(np.sort(table["p"]), np.sort(counts["p"]))


def _matrix(units):
    """counts, totals, is_target and terms of the tiny units table (terms in sorted order)."""
    terms = sorted({t for tokens in units["tokens"] for t in tokens})
    counts = np.array([[Counter(tokens)[t] for t in terms] for tokens in units["tokens"]])
    return counts, counts.sum(axis=1), (units["doc_id"] == "t").to_numpy(), terms


def test_length_strata_are_equal_sized_classes_by_length():
    assert length_strata([5, 1, 3, 8, 2, 9], 3).tolist() == [1, 0, 1, 2, 0, 2]
    assert length_strata([4, 4, 4, 4], 2).tolist() == [0, 0, 1, 1]           # ties in order
    assert length_strata([7, 3, 5], 1).tolist() == [0, 0, 0]


def test_a_short_target_inflates_rate_statistics_and_counts_do_not():
    # equal rates per token everywhere, but the target's 15 paragraphs are shorter than the reference's
    rng = np.random.default_rng(0)
    lengths = np.r_[rng.integers(10, 55, 15), rng.integers(10, 90, 65)]
    counts = rng.poisson(lengths[:, None] * rng.gamma(0.5, 0.004, 600)[None, :])
    counts = counts[:, counts.sum(axis=0) > 0]
    totals, is_target = lengths + counts.sum(axis=1), np.arange(80) < 15

    def share_significant(**kwargs):
        out = permutation_test(counts, totals, is_target, n_perm=199, random_state=1, **kwargs)
        return (out["p"] <= 0.05).mean(), out.attrs["total_quantile"]

    rate, quantile = share_significant()
    assert quantile < 0.01 and rate > 0.07                      # anti-conservative
    assert share_significant(statistic="count")[0] <= 0.05
    count_strata, quantile = share_significant(statistic="count", strata=10)
    assert count_strata <= 0.05 and 0.2 < quantile < 0.95       # classes make the relabellings as long


def test_counts_units_and_statistic_agree_with_keyness():
    units = units_table(TINY_TARGET, TINY_REFERENCE)
    table = permutation_keyness(units, "t").set_index("term")
    docs = units.groupby("doc_id", sort=False)["tokens"].sum().reset_index().assign(year=2000)
    theirs = keyness(docs, "t").set_index("term")
    assert table.loc["甲", "n_units_target"] == 3 and table.loc["甲", "n_units_reference"] == 1
    for term in theirs.index:
        assert table.loc[term, "n_target"] == theirs.loc[term, "n_target"]
        assert table.loc[term, "statistic"] == pytest.approx(theirs.loc[term, "log_ratio"], rel=1e-12)
    assert table.attrs["total_target"] == 9 and table.attrs["total_reference"] == 15


def random_units(rng, n_units, n_terms, rate):
    counts = rng.poisson(rate, size=(n_units, n_terms))
    return counts, counts.sum(axis=1) + rng.integers(20, 60, n_units)   # plus tokens of other words


def test_monte_carlo_p_approximates_the_exact_p():
    rng = np.random.default_rng(5)
    counts, totals = random_units(rng, 14, 40, 1.5)
    is_target = np.arange(14) < 7                             # C(14, 7) = 3432 labellings
    exact = permutation_test(counts, totals, is_target, n_perm=5000)
    sampled = permutation_test(counts, totals, is_target, n_perm=2000, random_state=1)
    assert exact.attrs["exact"] and not sampled.attrs["exact"] and sampled.attrs["n_perm"] == 2000
    np.testing.assert_array_equal(exact["statistic"], sampled["statistic"])
    se = np.sqrt(exact["p"] * (1 - exact["p"]) / 2000)
    assert (np.abs(sampled["p"] - exact["p"]) <= 4 * se + 1 / 2001).all()
    # a term only the 7 target units use, once each: no random labelling but the observed reaches its count
    only = np.c_[counts, is_target.astype(int)]
    p = permutation_test(only, totals + is_target, is_target, statistic="count", n_perm=2000, random_state=1)["p"]
    hits = p * 2001 - 1                                       # p = (1 + hits) / (1 + n_perm)
    np.testing.assert_allclose(hits, np.round(hits), atol=1e-9)
    assert p.iloc[-1] <= 3 / 2001 and (p >= 1 / 2001).all()     # C(14, 7) = 3432: about 0.6 hits expected


def test_p_is_uniform_under_h0():
    # exchangeable paragraphs (same Poisson rates everywhere): p of 400 terms should look uniform
    rng = np.random.default_rng(11)
    counts, totals = random_units(rng, 60, 400, 4.0)
    is_target = np.zeros(60, bool)
    is_target[rng.choice(60, 15, replace=False)] = True
    out = permutation_test(counts, totals, is_target, n_perm=999, random_state=2)
    assert stats.kstest(out["p"], "uniform").pvalue > 0.01
    assert 0.02 < (out["p"] <= 0.05).mean() < 0.09


def test_spread_over_paragraphs_is_rewarded_concentration_is_not():
    filler = [f"词{i}" for i in range(30)]
    rng = np.random.default_rng(0)

    def paragraph(extra=()):
        return " ".join(list(rng.choice(filler, 20)) + list(extra))

    target = [paragraph(["散布"] if i < 8 else []) for i in range(19)]
    target[18] = paragraph(["集中"] * 8)
    reference = [paragraph(["散布", "集中"] if i < 4 else []) for i in range(60)]
    units = units_table(target, reference)
    table = permutation_keyness(units, "t", n_perm=1999, random_state=3).set_index("term")
    # the same counts (8 in the target, 4 in the reference), so G² cannot tell them apart ...
    assert table.loc[["散布", "集中"], "n_target"].tolist() == [8, 8]
    assert table.loc["散布", "statistic"] == pytest.approx(table.loc["集中", "statistic"])
    # ... but 8 of 19 paragraphs are not one paragraph
    assert table.loc["散布", "n_units_target"] == 8 and table.loc["集中", "n_units_target"] == 1
    assert table.loc["散布", "p"] < 0.01
    assert table.loc["集中", "p"] > 0.1


def test_seeded_and_independent_of_chunk():
    rng = np.random.default_rng(4)
    counts, totals = random_units(rng, 40, 30, 0.8)
    is_target = np.arange(40) < 6
    one = permutation_test(counts, totals, is_target, n_perm=300, random_state=7, chunk=7)
    two = permutation_test(counts, totals, is_target, n_perm=300, random_state=7)
    other = permutation_test(counts, totals, is_target, n_perm=300, random_state=8)
    pd.testing.assert_frame_equal(one, two)
    assert not one["p"].equals(other["p"])


def test_prepared_corpus_uses_its_paragraphs(small_corpus):
    paragraphs = small_corpus.paragraphs
    table = permutation_keyness(small_corpus, "t", statistic="count")
    pd.testing.assert_frame_equal(table, permutation_keyness(paragraphs, "t", statistic="count"))
    n, k = len(paragraphs), int((paragraphs["doc_id"] == "t").sum())
    assert table.attrs["exact"] and table.attrs["n_perm"] == math.comb(n, k)
    # a term the reference never uses reaches its count only in labellings holding all its m paragraphs
    only_target = table[table["n_reference"] == 0]
    assert len(only_target) and "推进" in set(only_target["term"])
    for row in only_target.itertuples():
        m = row.n_units_target
        assert row.p == pytest.approx(math.comb(n - m, k - m) / math.comb(n, k))
    # Log Ratio breaks the ties by length: labellings with both paragraphs of 推进 but a longer third are below
    rate = permutation_keyness(small_corpus, "t").set_index("term")
    assert rate.loc["推进", "p"] < table.set_index("term").loc["推进", "p"]


def test_empty_units_are_left_out():
    units = units_table(TINY_TARGET + [""], TINY_REFERENCE)       # a paragraph without tokens (stopwords only)
    table = permutation_keyness(units, "t")
    assert table.attrs["units_target"] == 3 and table.attrs["n_perm"] == 56
    pd.testing.assert_frame_equal(table, permutation_keyness(units_table(TINY_TARGET, TINY_REFERENCE), "t"))


def test_terms_and_min_count_select_rows():
    units = units_table(TINY_TARGET, TINY_REFERENCE)
    assert list(permutation_keyness(units, "t", terms=["甲", "丁"]).sort_values("term")["term"]) == ["丁", "甲"]
    assert set(permutation_keyness(units, "t", min_count=6)["term"]) == {"甲", "乙", "丙"}
    assert permutation_keyness(units, "t", min_count=100).empty
    more = units_table(TINY_TARGET, TINY_REFERENCE + ["戊 戊 乙"])
    assert "戊" not in set(permutation_keyness(more, "t", alternative="less")["term"])
    under = permutation_keyness(more, "t", alternative="less", min_target=0, statistic="count").set_index("term")
    # 0 occurrences or fewer: the C(8, 3) of the C(9, 3) labellings that leave out the paragraph of 戊
    assert under.loc["戊", "n_target"] == 0 and under.loc["戊", "p"] == pytest.approx(56 / 84)


@pytest.mark.parametrize("kwargs,message", [
    (dict(target="nope"), "unknown document"),
    (dict(target="t", reference="t"), "disjoint"),
    (dict(target="t", statistic="chi2"), "statistic"),
    (dict(target="t", strata=1.5), "strata"),
    (dict(target="t", terms=["甲", "戊"]), r"never use \['戊'\]"),
    (dict(target="t", terms=[1]), "terms"),
    (dict(target="t", alternative="bigger"), "alternative"),
    (dict(target="t", n_perm=0), "n_perm"),
    (dict(target="t", random_state=1.5), "random_state"),
    (dict(target="t", min_count=0), "min_count"),
])
def test_bad_arguments(kwargs, message):
    with pytest.raises(InputError, match=message):
        permutation_keyness(units_table(TINY_TARGET, TINY_REFERENCE), **kwargs)


def test_bad_tables_and_matrices():
    with pytest.raises(InputError, match="no 'tokens' column"):
        permutation_keyness(pd.DataFrame({"doc_id": ["t", "r"]}), "t")
    with pytest.raises(InputError, match="units"):
        permutation_keyness("paragraphs.csv", "t")
    with pytest.raises(InputError, match="boolean mask of 3 units"):
        permutation_test(np.ones((3, 2)), [5, 5, 5], [1, 0, 0])
    with pytest.raises(InputError, match="3 rows of counts for 2 unit totals"):
        permutation_test(np.ones((3, 2)), [5, 5], np.array([True, False, False]))
    with pytest.raises(InputError, match="unit 1 has no tokens"):
        permutation_test(np.ones((3, 2)), [5, 0, 5], np.array([True, False, False]))
    with pytest.raises(InputError, match="one label per unit"):
        permutation_test(np.ones((3, 2)), [5, 5, 5], np.array([True, False, False]), strata=[0, 1])
    with pytest.raises(InputError, match="strata"):
        permutation_test(np.ones((3, 2)), [5, 5, 5], np.array([True, False, False]), strata=0)
    with pytest.raises(InputError, match="at least one unit"):
        permutation_test(np.ones((3, 2)), [5, 5, 5], np.array([True, True, True]))


# ---------------------------------------------------------------- the bootstrap's resolution

def test_resolution_with_19_paragraphs():
    three, four = bootstrap_resolution(3, 19), bootstrap_resolution(4, 19)
    assert three.p_miss == pytest.approx((16 / 19) ** 19) and not three.finite
    assert four.p_miss == pytest.approx((15 / 19) ** 19) and four.finite
    assert three.min_k == four.min_k == 4
    assert str(three).startswith("A term in 3 of 19 paragraphs can reach at best a 95 % bootstrap interval "
                                 "open to −∞")
    assert "3.8 %" in str(three) and "at least 4 of 19" in str(three)
    assert "finite lower bound" in four.describe() and "1.1 %" in four.describe()
    assert bootstrap_resolution(3, 19, level=0.9).finite          # 3.8 % is within a 5 % tail


@pytest.mark.parametrize("k", range(1, 8))
def test_resolution_predicts_the_bootstrap(k):
    # a term once in each of k of 19 paragraphs: the unit bootstrap's lower bound is −∞ exactly when predicted
    counts = np.zeros((19, 1))
    counts[:k, 0] = 1
    out = bootstrap_log_ratio(counts, np.full(19, 30.0), np.array([5.0]), reference_totals=60000, n_boot=4000)
    assert np.isneginf(out["lr_ci_low"].iloc[0]) == (not bootstrap_resolution(k, 19).finite)


@pytest.mark.parametrize("args,message", [((5, 4), "cannot exceed"), ((-1, 4), "k"), ((1, 0), "n"),
                                          ((1.0, 4), "k")])
def test_resolution_bad_arguments(args, message):
    with pytest.raises(InputError, match=message):
        bootstrap_resolution(*args)
