"""Keyness for a short target: Fisher's exact test, dispersion (DP), the unit bootstrap and the is_key rule,
each checked against scipy, a hand computation or a direct loop."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest
from scipy.stats import fisher_exact

from analysis.errors import InputError
from analysis.stats.keyness import (bootstrap_log_ratio, dispersion, expected_min, fisher_exact_p, is_key, key_terms,
                              keyness)
from analysis.tokens.segment import segmented_documents


def toy_units(*paragraphs_by_doc, years=None):
    """A paragraph table: one row per unit (tokens split on spaces), ``doc_id`` = the document."""
    rows = [(f"d{i}", j, p.split()) for i, paras in enumerate(paragraphs_by_doc) for j, p in enumerate(paras)]
    paras = pd.DataFrame(rows, columns=["doc_id", "paragraph", "tokens"])
    paras["collection"] = "toy"
    paras["year"] = pd.array([2000 + int(d[1:]) for d in paras["doc_id"]], dtype="Int64")
    return paras


# ---------------------------------------------------------------- Fisher

@pytest.mark.parametrize("a,b,c,d", [(3, 0, 664, 58930), (1, 90, 664, 58930), (0, 40, 664, 58930), (5, 2, 20, 30),
                                     (2, 2, 10, 10), (0, 0, 5, 5), (7, 1, 8, 9), (12, 265, 664, 58930)])
def test_fisher_matches_scipy(a, b, c, d):
    expected = fisher_exact([[a, b], [c - a, d - b]], alternative="two-sided").pvalue
    assert fisher_exact_p(a, b, c, d)[0] == pytest.approx(expected, rel=1e-9, abs=1e-300)


def test_fisher_vectorised_over_random_tables():
    rng = np.random.default_rng(3)
    c, d = 300, 4000
    a = rng.integers(0, 12, 300)
    b = rng.integers(0, 80, 300)
    ours = fisher_exact_p(a, b, c, d, chunk=5000)  # small chunks: several passes
    theirs = [fisher_exact([[x, y], [c - x, d - y]]).pvalue for x, y in zip(a, b)]
    np.testing.assert_allclose(ours, theirs, rtol=1e-8)


def test_expected_min_by_hand():
    # row totals 4 and 96, column totals 10 and 90 → expected cells 0.4, 3.6, 9.6, 86.4
    assert expected_min(3, 1, 10, 90) == pytest.approx(0.4)


# ---------------------------------------------------------------- dispersion (Gries 2008)

def test_dp_by_hand():
    # three units of 10, 10 and 20 tokens: s = (.25, .25, .5)
    counts = np.array([[2, 0, 5], [0, 0, 5], [2, 4, 10]])
    out = dispersion(counts, [10, 10, 20])
    # term 0: v = (.5, 0, .5) → ½(.25 + .25 + 0) = .25
    # term 1: v = (0, 0, 1) → ½(.25 + .25 + .5) = .5 (all in one unit: 1 − s_3)
    # term 2: v = (.25, .25, .5) = s → 0
    assert out["dp"].tolist() == pytest.approx([0.25, 0.5, 0.0])
    assert out["n_units"].tolist() == [2, 1, 3]
    assert out["share_units"].tolist() == pytest.approx([2 / 3, 1 / 3, 1])


def test_dp_gries_example():
    # Gries (2008: 415): five equal parts, frequencies 1, 2, 3, 4, 5 → DP = 0.2 (his worked example)
    out = dispersion(np.array([[1], [2], [3], [4], [5]]), [10] * 5)
    v = np.array([1, 2, 3, 4, 5]) / 15
    assert out["dp"].iloc[0] == pytest.approx(0.5 * np.abs(v - 0.2).sum())
    assert out["dp"].iloc[0] == pytest.approx(0.2)


def test_dp_of_unused_term_is_missing():
    out = dispersion(np.array([[0, 1], [0, 1]]), [5, 5])
    assert np.isnan(out["dp"].iloc[0]) and out["n_units"].iloc[0] == 0 and out["dp"].iloc[1] == pytest.approx(0)


# ---------------------------------------------------------------- bootstrap

def test_bootstrap_matches_a_direct_loop():
    units = np.array([[3, 0, 1], [0, 2, 1], [1, 0, 0], [0, 0, 2]])
    totals = np.array([10, 12, 8, 9])
    reference, ref_total = np.array([5, 0, 40]), 2000
    n_boot, seed = 200, 11
    table = bootstrap_log_ratio(units, totals, reference, reference_totals=ref_total, n_boot=n_boot, random_state=seed)
    rng = np.random.default_rng(seed)
    lrs, h = [], np.zeros(3)
    for _ in range(n_boot):
        draw = rng.integers(0, 4, 4)
        a, c = units[draw].sum(axis=0), totals[draw].sum()
        b = np.where(reference == 0, 0.5, reference)
        with np.errstate(divide="ignore"):
            lrs.append(np.log2((a / c) / (b / ref_total)))
        ra, rb = a / c, reference / ref_total
        h += np.where(ra > rb, 1, np.where(ra == rb, 0.5, 0))
    lrs = np.array(lrs)
    sorted_lrs = np.sort(lrs, axis=0)
    # percentile ends as order statistics: the ceil(B·q)-th smallest replicate
    low = sorted_lrs[int(np.ceil(n_boot * 0.025)) - 1]
    high = sorted_lrs[int(np.ceil(n_boot * 0.975)) - 1]
    np.testing.assert_array_equal(table["lr_ci_low"], low)
    np.testing.assert_array_equal(table["lr_ci_high"], high)
    p1, p2 = (1 + h) / (n_boot + 1), (1 + n_boot - h) / (n_boot + 1)
    np.testing.assert_allclose(table["p_boot"], np.minimum(1, 2 * np.minimum(p1, p2)))
    # term 0 sits in 2 of 4 units: some replicates lose it entirely, so the interval reaches −∞
    assert table["lr_ci_low"].iloc[0] == -np.inf


def test_bootstrap_is_reproducible_and_needs_an_integer_seed():
    units, totals = np.array([[1, 0], [0, 3], [2, 1]]), np.array([5, 6, 7])
    one = bootstrap_log_ratio(units, totals, np.array([1, 1]), reference_totals=100, random_state=5)
    two = bootstrap_log_ratio(units, totals, np.array([1, 1]), reference_totals=100, random_state=5)
    pd.testing.assert_frame_equal(one, two)
    with pytest.raises(InputError, match="integer"):
        bootstrap_log_ratio(units, totals, np.array([1, 1]), reference_totals=100, random_state=None)


# ---------------------------------------------------------------- keyness with units

def test_keyness_with_units_counts_paragraphs():
    paras = toy_units(["法治 法治 法治 甲", "甲 乙", "丙 法治"], ["甲 乙 丙 丁"] * 30 + ["法治 丁"])
    table = keyness(segmented_documents(paras), "d0", units=paras, n_boot=300, min_target=0).set_index("term")
    row = table.loc["法治"]
    assert row.n_target == 4 and row.n_units_target == 2 and row.share_units_target == pytest.approx(2 / 3)
    # DP by hand: s = (4, 2, 2)/8, v = (3, 0, 1)/4 → ½(|.75−.5| + .25 + |.25−.25|) = .25
    assert row.dp == pytest.approx(0.25)
    assert row.p_method == "fisher" and row.p_fisher == pytest.approx(
        fisher_exact([[4, 1], [8 - 4, 122 - 1]]).pvalue)  # reference: 30 × 4 + 2 tokens
    assert table.loc["乙", "n_units_target"] == 1
    assert table.loc["丁", "n_units_target"] == 0 and table.loc["丁", "lr_bound"] == "upper bound"


def test_lr_bound_and_exact_switch():
    paras = toy_units(["新词 新词 甲 乙"], ["甲 乙 丙 丁 甲 乙"])
    docs = segmented_documents(paras)
    table = keyness(docs, "d0", min_target=0).set_index("term")
    assert table.loc["新词", "lr_bound"] == "lower bound" and table.loc["丙", "lr_bound"] == "upper bound"
    assert table.loc["甲", "lr_bound"] == ""
    old = keyness(docs, "d0", exact=False)
    assert (old["p_method"] == "g2").all() and np.allclose(old["p_adj"], pd.Series(old["p"]).pipe(
        lambda p: __import__("scipy").stats.false_discovery_control(p, method="bh")))
    assert (keyness(docs, "d0", exact=True)["p_method"] == "fisher").all()


def test_is_key_rule():
    table = pd.DataFrame({"g2": [9.0, 9.0, 9.0, 9.0, -9.0, 9.0], "p_adj": [0.01, 0.01, 0.01, 0.2, 0.01, 0.01],
                          "lr_ci_low": [1.0, -np.inf, 1.0, 1.0, -3.0, np.nan],
                          "lr_ci_high": [3.0, 3.0, 3.0, 3.0, -1.0, np.nan],
                          "n_units_target": pd.array([3, 3, 1, 3, 0, pd.NA], dtype="Int64")})
    table.attrs["measure"] = "g2"
    result = is_key(table, alpha=0.05, min_units=2)
    # passes; CI reaches −∞; one unit only; not significant; under-used with CI < 0; no unit information
    assert result.tolist()[:5] == [True, False, False, False, True] and result.isna().tolist()[5]


def test_units_must_cover_the_target():
    paras = toy_units(["甲 乙 丙", "丁 甲"], ["甲 乙 丙 丁"] * 3)
    docs = segmented_documents(paras)
    with pytest.raises(InputError, match="do not add up"):
        keyness(docs, "d0", units=paras.iloc[[0, 2, 3, 4]])
    with pytest.raises(InputError, match="no unit of the target"):
        keyness(docs, "d0", units=paras[paras["doc_id"] == "d1"])
    with pytest.raises(InputError, match="resample"):
        keyness(docs, "d0", units=paras, resample="bogus")


# ---------------------------------------------------------------- the speech

@pytest.fixture(scope="module")
def speech_key(speech_paragraphs, gwr_paragraphs):
    paras = pd.concat([speech_paragraphs, gwr_paragraphs], ignore_index=True)
    docs = segmented_documents(paras)
    reference = (docs["collection"] == "gwr") & docs["year"].between(2015, 2024)
    start = time.perf_counter()
    table = keyness(docs, "speech2025", reference.to_numpy(), min_target=0, min_count=3, units=paras)
    return table, time.perf_counter() - start, speech_paragraphs


def test_speech_units_and_bootstrap(speech_key):
    table, seconds, speech_paragraphs = speech_key
    assert seconds < 20  # 1,000 replicates over the speech's paragraphs against ten reports (~1 s here)
    row = table.set_index("term").loc["司法行政工作"]
    using = speech_paragraphs["tokens"].map(lambda toks: "司法行政工作" in toks)
    assert row.n_units_target == using.sum() and row.share_units_target == pytest.approx(using.mean())
    assert row.lr_bound == "lower bound" and row.lr_ci_low > 0 and row.is_key
    # every significant over-used term of a single paragraph is refused by the rule
    single = table[(table["p_adj"] < 0.05) & (table["g2"] > 0) & (table["n_units_target"] == 1)]
    assert not single["is_key"].fillna(False).any()
    keys = key_terms(table, 100)
    assert (keys["n_units_target"] >= 2).all() and (keys["lr_ci_low"] > 0).all() and keys["is_key"].all()
    assert (table["p_method"] == np.where(table["expected_min"] < 5, "fisher", "g2")).all()


def test_bootstrap_resampling_both_sides_matches_a_direct_loop():
    units, totals = np.array([[2, 0], [0, 1], [1, 1]]), np.array([6, 4, 5])
    ref_units, ref_totals = np.array([[1, 0], [0, 0], [3, 2], [0, 1]]), np.array([20, 15, 30, 25])
    n_boot, seed = 100, 4
    table = bootstrap_log_ratio(units, totals, ref_units, reference_totals=ref_totals, n_boot=n_boot, random_state=seed)
    rng = np.random.default_rng(seed)
    draws_t = rng.integers(0, 3, size=(n_boot, 3))   # the target's draws come first, then the reference's
    draws_r = rng.integers(0, 4, size=(n_boot, 4))
    a, c = units[draws_t].sum(axis=1), totals[draws_t].sum(axis=1)
    b, d = ref_units[draws_r].sum(axis=1), ref_totals[draws_r].sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        lr = np.log2((a / c[:, None]) / (np.where(b == 0, 0.5, b) / d[:, None]))
    k_low, k_high = int(np.ceil(n_boot * 0.025)) - 1, int(np.ceil(n_boot * 0.975)) - 1
    np.testing.assert_array_equal(table["lr_ci_low"], np.sort(lr, axis=0)[k_low])
    np.testing.assert_array_equal(table["lr_ci_high"], np.sort(lr, axis=0)[k_high])


def test_keyness_resample_both_uses_reference_units():
    paras = toy_units(["法治 甲 乙", "法治 丙", "丁 法治"], ["甲 乙 丙 丁"] * 20 + ["法治 丁"])
    docs = segmented_documents(paras)
    fixed = keyness(docs, "d0", units=paras, n_boot=200)
    both = keyness(docs, "d0", units=paras, n_boot=200, resample="both")
    assert both.attrs["resample"] == "both" and not fixed["lr_ci_high"].equals(both["lr_ci_high"])
    with pytest.raises(InputError, match="units of the reference"):
        keyness(docs, "d0", units=paras[paras["doc_id"] == "d0"], resample="both")


def test_bootstrap_does_not_depend_on_the_chunk_size():
    rng = np.random.default_rng(0)
    units = rng.poisson(0.3, size=(12, 50))
    totals = units.sum(axis=1) + 20
    ref = np.arange(50) % 7
    whole = bootstrap_log_ratio(units, totals, ref, reference_totals=5000, n_boot=300, random_state=1)
    pieces = bootstrap_log_ratio(units, totals, ref, reference_totals=5000, n_boot=300, random_state=1, chunk=7)
    pd.testing.assert_frame_equal(whole, pieces)
    ref_units = rng.poisson(1.0, size=(30, 50))
    whole = bootstrap_log_ratio(units, totals, ref_units, reference_totals=ref_units.sum(axis=1) + 50, n_boot=200)
    pieces = bootstrap_log_ratio(units, totals, ref_units, reference_totals=ref_units.sum(axis=1) + 50, n_boot=200,
                                 chunk=9)
    pd.testing.assert_frame_equal(whole, pieces)


def test_a_callable_reference_skips_documents_without_a_year():
    from analysis.stats.keyness import keyness
    docs = pd.DataFrame({"doc_id": ["a", "b", "c", "d"], "collection": "x",
                         "year": pd.array([2020, 2021, None, 2022], dtype="Int64"),
                         "tokens": [["法治", "法治", "发展"], ["发展", "改革"], ["法治", "改革"], ["改革", "发展"]]})
    docs["n_tokens"] = docs["tokens"].map(len)
    by_year = keyness(docs, "a", lambda d: d.year.between(2021, 2022))
    by_ids = keyness(docs, "a", ["b", "d"])
    pd.testing.assert_frame_equal(by_year, by_ids)
    assert by_year.set_index("term").loc["法治", "n_reference"] == 0  # c (no year) is not in the reference
