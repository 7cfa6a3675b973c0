"""Keyness: which terms a target (the speech) uses more, or less, than a reference corpus.

For each term, the 2×2 contingency table

    ==================  ======================  ==========================
                        target                  reference
    ==================  ======================  ==========================
    this term           a = ``n_target``        b = ``n_reference``
    all other tokens    c − a                   d − b
    ==================  ======================  ==========================

with c = ``total_target`` and d = ``total_reference`` tokens gives:

``g2``
    log-likelihood G² = 2 Σ O ln(O/E) over the four cells (Dunning 1993; the measure of
    Rayson & Garside 2000, here on the full table), p from χ²(1).
``chi2``
    Pearson's χ² on the same table, with Yates' continuity correction unless ``yates=False``.
``log_ratio``
    effect size, Log Ratio = log2((a/c) / (b/d)) (Hardie 2014): each doubling of the relative
    frequency adds 1.  A zero count is replaced by 0.5 (Hardie's convention), so a term that
    never occurs in the reference is a key term with a finite, large log ratio.

``p_fisher``
    Fisher's exact test on the same table (two-sided, summing the probabilities of every table
    at most as probable as the observed one, as :func:`scipy.stats.fisher_exact` does), computed
    where the smallest expected cell count (``expected_min``) is below 5 — the textbook condition
    under which the χ²(1) approximation of G² and χ² is not trusted (Cochran 1954).  ``p_method``
    says which p-value each row's ``p_adj`` was adjusted from ("fisher", or the ``measure``);
    ``p`` stays the asymptotic p-value of ``measure``.  ``exact=False`` adjusts ``p`` only (the
    behaviour before Fisher was added), ``exact=True`` uses Fisher for every row.
``lr_bound``
    a Log Ratio computed from a zero count is a bound, not an estimate: "lower bound" when
    ``n_reference == 0`` (the true ratio is larger), "upper bound" when ``n_target == 0``.

``g2`` and ``chi2`` carry the sign of over- (+) or under-use (−) in the target.  p-values
are adjusted for the number of terms tested (Benjamini–Hochberg by default, ``p_adj``).
The table can be recomputed row by row from its count columns.

A short target (one speech of a few hundred tokens) needs more than a per-token test: G² treats
every token as independent, but words come in paragraphs, and a word repeated in one paragraph
is one decision of the author, not several.  Given the target's ``units`` (its paragraphs),
:func:`keyness` adds:

``n_units_target``, ``share_units_target``, ``dp``
    how many (and which share) of the target's units use the term, and Gries' (2008)
    deviation of proportions DP = ½ Σᵢ |vᵢ − sᵢ| over the units (vᵢ: the unit's share of the
    term's occurrences, sᵢ: its share of the target's tokens): 0 = spread like the text itself,
    near 1 = all in one small unit.  Egbert & Biber (2019) argue that keyness should rest on
    dispersion across texts (here: the paragraphs of one text), not on frequency alone.
``lr_ci_low``, ``lr_ci_high``, ``p_boot``
    a bootstrap over units (Efron & Tibshirani 1993, ch. 6 and 13): replicate b draws the
    target's n units with replacement (``rng.integers(0, n, n)`` from
    ``numpy.random.default_rng(random_state)``), recounts the term and the target's tokens,
    and computes the Log Ratio against the reference (against a resampled reference too with
    ``resample="both"``).  Inside replicates no 0.5 is substituted on the target side: a
    replicate without the term has Log Ratio −∞, so a percentile interval (2.5 %, 97.5 % by
    default) excludes 0 only if the term survives losing its paragraphs; a zero reference count
    stays 0.5 (a bound, see ``lr_bound``).  The interval's ends are order statistics of the B
    replicates (``numpy.percentile(..., method="inverted_cdf")``, no interpolation, so −∞ is
    kept).  ``p_boot`` is Lijffijt et al.'s (2016, "Significance testing of word frequencies
    in corpora", DSH 31(2)) two-sided bootstrap test on the same
    replicates: with H = 1, ½, 0 as the target's relative frequency is above, equal to or below
    the reference's, p₁ = (1 + Σ H) / (B + 1), p₂ = (1 + Σ (1 − H)) / (B + 1), p = min(1, 2 min(p₁, p₂)).
    It is a per-term check (its smallest value is 2/(B + 1)), not corrected for multiple testing.
``is_key``
    the rule for calling a term key (:func:`is_key`): ``p_adj < alpha``, the bootstrap interval
    excluding 0 in the term's direction, and — for over-use — at least ``min_units`` units of
    the target (default 2: a word of one paragraph is that paragraph's, not the text's).
    Without ``units`` the dispersion and bootstrap columns are missing values and ``is_key`` is
    missing (``<NA>``) wherever ``p_adj`` passes, since the rule cannot be checked.
"""

from __future__ import annotations

from functools import singledispatch

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy import stats

from .._util import check
from ..corpus.select import select_pair
from ..counts.dtm import build_dtm
from ..errors import InputError
from ..counts.frequency import PER

MEASURES = ("g2", "chi2", "log_ratio")
ALPHA = 0.05
MIN_UNITS = 2          # a term used in a single paragraph of the target is not called key
N_BOOT = 1000
CI_LEVEL = 0.95
FISHER_BELOW = 5.0     # Fisher's exact test where the smallest expected cell count is below this


def _xlogx_over(o: np.ndarray, e: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(o > 0, o * np.log(o / e), 0.0)


def g2_statistic(a, b, c, d) -> np.ndarray:
    """G² of the 2×2 table [[a, b], [c−a, d−b]] (unsigned), vectorised."""
    a, b, c, d = (np.asarray(x, dtype=float) for x in (a, b, c, d))
    n = c + d
    row1, row2 = a + b, n - a - b
    cells = [(a, row1 * c / n), (b, row1 * d / n), (c - a, row2 * c / n), (d - b, row2 * d / n)]
    return 2 * sum(_xlogx_over(o, e) for o, e in cells)


def chi2_statistic(a, b, c, d, yates: bool = True) -> np.ndarray:
    """Pearson χ² of the 2×2 table, with Yates' correction as scipy applies it (unsigned)."""
    a, b, c, d = (np.asarray(x, dtype=float) for x in (a, b, c, d))
    n = c + d
    row1, row2 = a + b, n - a - b
    total = np.zeros_like(a)
    for o, e in [(a, row1 * c / n), (b, row1 * d / n), (c - a, row2 * c / n), (d - b, row2 * d / n)]:
        diff = np.abs(o - e)
        if yates:
            diff = diff - np.minimum(0.5, diff)
        with np.errstate(divide="ignore", invalid="ignore"):
            total = total + np.where(e > 0, diff ** 2 / e, 0.0)
    return total


def log_ratio(a, b, c, d) -> np.ndarray:
    """Hardie's (2014) Log Ratio, zero counts replaced by 0.5."""
    a, b = (np.where(np.asarray(x, float) == 0, 0.5, np.asarray(x, float)) for x in (a, b))
    return np.log2((a / np.asarray(c, float)) / (b / np.asarray(d, float)))


def expected_min(a, b, c, d) -> np.ndarray:
    """Smallest expected cell count of the 2×2 table [[a, b], [c−a, d−b]] under independence."""
    a, b, c, d = (np.asarray(x, dtype=float) for x in (a, b, c, d))
    n = c + d
    row1, row2 = a + b, n - a - b
    return np.minimum.reduce([row1 * c / n, row1 * d / n, row2 * c / n, row2 * d / n])


def fisher_exact_p(a, b, c, d, *, chunk: int = 2_000_000) -> np.ndarray:
    """Two-sided Fisher's exact p of the 2×2 tables [[a, b], [c−a, d−b]], vectorised.

    With row total K = a + b, column total c and N = c + d tokens, the count in the
    (term, target) cell is hypergeometric; p sums the probabilities of every table no more
    probable than the observed one (relative tolerance 1e-14, as :func:`scipy.stats.fisher_exact`),
    and is 1 when the observed table is the most probable one.  Works over the whole support of
    each table in chunks of about ``chunk`` cells.
    """
    a, b, c, d = (np.atleast_1d(np.asarray(x, dtype=np.int64)) for x in (a, b, c, d))
    a, b, c, d = np.broadcast_arrays(a, b, c, d)
    out = np.empty(len(a), dtype=float)
    k, n = a + b, c + d
    lo, hi = np.maximum(0, k - d), np.minimum(k, c)
    width = hi - lo + 1
    order = np.argsort(width, kind="stable")
    start = 0
    while start < len(order):
        stop = start + 1
        while stop < len(order) and (stop - start + 1) * width[order[stop]] <= chunk:
            stop += 1
        idx = order[start:stop]
        span = np.arange(width[idx].max())
        x = lo[idx, None] + span[None, :]
        valid = x <= hi[idx, None]
        logpmf = stats.hypergeom.logpmf(np.where(valid, x, lo[idx, None]), n[idx, None], k[idx, None], c[idx, None])
        logpmf = np.where(valid, logpmf, -np.inf)
        observed = stats.hypergeom.logpmf(a[idx], n[idx], k[idx], c[idx])
        peak = logpmf.max(axis=1)
        pmf = np.exp(logpmf - peak[:, None])
        keep = logpmf <= observed[:, None] + np.log1p(1e-14)
        p = (pmf * keep).sum(axis=1) * np.exp(peak)
        most_probable = np.abs(observed - peak) <= 1e-14
        out[idx] = np.where(most_probable, 1.0, np.minimum(p, 1.0))
        start = stop
    return out


def dispersion(unit_counts, unit_totals) -> pd.DataFrame:
    """Dispersion of each term over the units of a text (rows: units, columns: terms).

    Columns: ``n_units`` (units using the term), ``share_units`` (of all units) and Gries' (2008)
    DP = ½ Σᵢ |vᵢ − sᵢ|, vᵢ = the unit's share of the term's occurrences, sᵢ = its share of all
    tokens (computed over the units that use the term: ½ (1 + Σ_{vᵢ>0} (|vᵢ − sᵢ| − sᵢ))).
    DP is missing for a term the text never uses.
    """
    counts = sp.csc_matrix(unit_counts, dtype=float)
    counts.eliminate_zeros()
    totals = np.asarray(unit_totals, dtype=float)
    if counts.shape[0] != len(totals):
        raise InputError(f"{counts.shape[0]} rows of counts for {len(totals)} unit totals")
    s = totals / totals.sum()
    freq = np.asarray(counts.sum(axis=0)).ravel()
    n_units = np.diff(counts.indptr)
    col = np.repeat(np.arange(counts.shape[1]), n_units)
    with np.errstate(divide="ignore", invalid="ignore"):
        v = counts.data / freq[col]
    contrib = np.abs(v - s[counts.indices]) - s[counts.indices]
    dp = 0.5 * (1 + np.bincount(col, weights=contrib, minlength=counts.shape[1]))
    return pd.DataFrame({"n_units": n_units.astype(int), "share_units": n_units / counts.shape[0],
                         "dp": np.where(freq > 0, dp, np.nan)})


def _resample_weights(n_units: int, n_boot: int, rng: np.random.Generator) -> sp.csr_matrix:
    """How often each unit is drawn in each of ``n_boot`` replicates (B × units); replicate b draws
    ``rng.integers(0, n, n)``."""
    draws = rng.integers(0, n_units, size=(n_boot, n_units))
    rows = np.repeat(np.arange(n_boot), n_units)
    return sp.csr_matrix((np.ones(draws.size), (rows, draws.ravel())), shape=(n_boot, n_units))


def bootstrap_log_ratio(target_units, target_totals, reference, *, n_boot: int = N_BOOT, random_state: int = 0,
                        level: float = CI_LEVEL, reference_totals=None, chunk: int = 2000) -> pd.DataFrame:
    """Bootstrap over the target's units: a percentile interval for Log Ratio and Lijffijt et al.'s
    (2016) bootstrap p-value (see the module docstring).

    ``target_units`` is a units × terms count matrix and ``target_totals`` the units' token counts.
    ``reference`` is either the reference's per-term counts (a vector; then ``reference_totals``
    is its token total, held fixed) or, to resample the reference too, a units × terms matrix
    with ``reference_totals`` its units' token counts (its draws follow the target's).
    Terms are processed ``chunk`` at a time (memory B × chunk); the draws are made once, so the
    result does not depend on ``chunk``.  Columns ``lr_ci_low, lr_ci_high, p_boot``.
    """
    check.integer(random_state, "random_state", "bootstrap_log_ratio", minimum=None)
    check.integer(n_boot, "n_boot", "bootstrap_log_ratio", minimum=1)
    check.fraction(level, "level", "bootstrap_log_ratio")
    check.integer(chunk, "chunk", "bootstrap_log_ratio", minimum=1)
    rng = np.random.default_rng(random_state)
    target_units = sp.csc_matrix(target_units, dtype=float)
    w_target = _resample_weights(target_units.shape[0], n_boot, rng)
    c_b = w_target @ np.asarray(target_totals, dtype=float)
    resample_reference = sp.issparse(reference) or np.ndim(reference) == 2
    if resample_reference:
        reference = sp.csc_matrix(reference, dtype=float)
        w_reference = _resample_weights(reference.shape[0], n_boot, rng)
        d_b = w_reference @ np.asarray(reference_totals, dtype=float)
    else:
        reference = np.asarray(reference, dtype=float)
        d_b = np.full(n_boot, float(reference_totals))
    tail = (100 - 100 * level) / 2  # 2.5 exactly for level 0.95 ((1 - 0.95) is not)
    n_terms = target_units.shape[1]
    low, high, h = np.empty(n_terms), np.empty(n_terms), np.empty(n_terms)
    for lo in range(0, n_terms, chunk):
        cols = slice(lo, min(lo + chunk, n_terms))
        a_b = (w_target @ target_units[:, cols]).toarray()
        b_b = (w_reference @ reference[:, cols]).toarray() if resample_reference else reference[None, cols]
        rate_t, rate_r = a_b / c_b[:, None], b_b / d_b[:, None]
        with np.errstate(divide="ignore"):
            lr = np.log2(rate_t / (np.where(b_b == 0, 0.5, b_b) / d_b[:, None]))
        low[cols], high[cols] = np.percentile(lr, [tail, 100 - tail], axis=0, method="inverted_cdf")
        h[cols] = np.where(rate_t > rate_r, 1.0, np.where(rate_t == rate_r, 0.5, 0.0)).sum(axis=0)
    p1, p2 = (1 + h) / (n_boot + 1), (1 + n_boot - h) / (n_boot + 1)
    return pd.DataFrame({"lr_ci_low": low, "lr_ci_high": high, "p_boot": np.minimum(1.0, 2 * np.minimum(p1, p2))})


def is_key(table: pd.DataFrame, *, alpha: float = ALPHA, min_units: int = MIN_UNITS) -> pd.Series:
    """The rule for calling a term key (nullable boolean): ``p_adj < alpha``; and the bootstrap
    interval of Log Ratio excludes 0 in the term's direction (``lr_ci_low > 0`` for over-use,
    ``lr_ci_high < 0`` for under-use); and an over-used term occurs in at least ``min_units``
    units of the target (Egbert & Biber 2019; a term of a single paragraph is that
    paragraph's).  Missing (``<NA>``) where the significance test passes but the table has no
    unit information to check the rest."""
    check.fraction(alpha, "alpha", "is_key")
    check.integer(min_units, "min_units", "is_key")
    measure = table.attrs.get("measure", "g2")
    over = pd.Series(table[measure].to_numpy() > 0, index=table.index)
    significant = pd.Series(table["p_adj"].to_numpy() < alpha, index=table.index, dtype="boolean")
    low = pd.Series(table["lr_ci_low"].to_numpy(dtype=float), index=table.index).astype("Float64")
    high = pd.Series(table["lr_ci_high"].to_numpy(dtype=float), index=table.index).astype("Float64")
    units = pd.Series(table["n_units_target"], index=table.index).astype("Float64")
    ci_ok = (low > 0).where(over, high < 0)
    spread = (units >= min_units).where(over, ~units.isna()).astype("boolean")
    spread[units.isna()] = pd.NA
    return (significant & ci_ok & spread).rename("is_key")


def _check_options(measure: str, resample: str, func: str = "keyness", *, min_target=1, min_count=1, n_boot=N_BOOT,
                   random_state=0, alpha=ALPHA, min_units=MIN_UNITS, ngram_range=(1, 1), correction="bh",
                   exact=None) -> None:
    if measure not in ("g2", "chi2"):
        raise InputError(f"unknown measure {measure!r}; choose 'g2' or 'chi2' (log_ratio is always reported)")
    if resample not in ("target", "both"):
        raise InputError(f"unknown resample {resample!r}; choose 'target' or 'both'")
    check.integer(min_target, "min_target", func)
    check.integer(min_count, "min_count", func, minimum=1)
    check.integer(n_boot, "n_boot", func, minimum=1)
    check.integer(random_state, "random_state", func, minimum=None)
    check.fraction(alpha, "alpha", func)
    check.integer(min_units, "min_units", func)
    check.ngram_range(ngram_range, func=func)
    check.choice(correction, "correction", ("bh", None), func)
    check.choice(exact, "exact", (None, True, False), func)


@singledispatch
def keyness(docs: pd.DataFrame, target, reference=None, *, measure: str = "g2", yates: bool = True,
            min_target: int = 1, min_count: int = 1, correction: str | None = "bh",
            ngram_range: tuple[int, int] = (1, 1), exact: bool | None = None, units: pd.DataFrame | None = None,
            n_boot: int = N_BOOT, random_state: int = 0, resample: str = "target", alpha: float = ALPHA,
            min_units: int = MIN_UNITS) -> pd.DataFrame:
    """Key terms of ``target`` against ``reference`` (default: all other documents).

    ``docs`` is a segmented-documents table.  ``target`` and ``reference`` are a doc_id, a
    list of doc_ids, a boolean mask over ``docs`` or a callable returning one
    (``lambda d: d.year.between(2015, 2024)``).  ``measure`` ("g2" or "chi2") decides the
    p-value and the sort order (signed, descending: over-used terms first).  Terms with
    fewer than ``min_target`` occurrences in the target or ``min_count`` in both are left out
    before p-values are adjusted.

    Columns: ``term, n_target, n_reference, total_target, total_reference, per_10k_target,
    per_10k_reference, g2, chi2, log_ratio, p, p_adj, ref_docs, ref_years, first_year_ref,
    last_year_ref`` — the last four say in how many reference documents (and distinct
    years) the term occurs and when it first and last did, which separates a new
    formulation from a merely rare word — then ``expected_target`` (the count expected in the
    target under independence, (a + b)·c / (c + d)),
    ``expected_min``, ``p_fisher``, ``p_method``, ``lr_bound``, ``n_units_target``,
    ``share_units_target``, ``dp``, ``lr_ci_low``, ``lr_ci_high``, ``p_boot``, ``is_key``
    (see the module docstring).

    ``exact``: None (default) adjusts Fisher's p where ``expected_min < 5`` and the ``measure``'s
    p elsewhere; True: Fisher everywhere; False: the ``measure``'s p everywhere.

    ``units`` is a table with one row per unit of the target (e.g. ``corpus.paragraphs``: rows
    whose ``doc_id`` is a target document are its units, other rows are ignored unless
    ``resample="both"``, which resamples the reference's units too) and a ``tokens`` column;
    the units' tokens must add up to the target's.  ``n_boot`` replicates with the integer
    ``random_state``; ``alpha`` and ``min_units`` set the ``is_key`` rule.
    """
    docs = check.documents(docs, "keyness")
    _check_options(measure, resample, min_target=min_target, min_count=min_count, n_boot=n_boot,
                   random_state=random_state, alpha=alpha, min_units=min_units, ngram_range=ngram_range,
                   correction=correction, exact=exact)
    is_target, is_reference = select_pair(docs, target, reference)
    sub = docs[is_target | is_reference]
    dtm = build_dtm(sub, ngram_range=ngram_range)
    in_target = is_target[is_target | is_reference]
    totals = None
    if docs.attrs.get("nested") and tuple(ngram_range) == (1, 1):
        # nested units (发展 inside 高质量发展) are counted beside their token: the totals stay tokens
        totals = tuple(int(sub.loc[mask, "n_tokens"].sum()) for mask in (in_target, ~in_target))
    return keyness_from_dtm(sub, dtm, in_target, totals=totals, measure=measure, yates=yates, min_target=min_target,
                            min_count=min_count, correction=correction, exact=exact, units=units, n_boot=n_boot,
                            random_state=random_state, resample=resample, alpha=alpha, min_units=min_units,
                            ngram_range=ngram_range)


def keyness_from_dtm(sub: pd.DataFrame, dtm, in_target: np.ndarray, *, totals: tuple[int, int] | None = None,
                     measure: str = "g2", yates: bool = True, min_target: int = 1, min_count: int = 1,
                     correction: str | None = "bh", exact: bool | None = None, units: pd.DataFrame | None = None,
                     n_boot: int = N_BOOT, random_state: int = 0, resample: str = "target", alpha: float = ALPHA,
                     min_units: int = MIN_UNITS, ngram_range: tuple[int, int] = (1, 1)) -> pd.DataFrame:
    """The table of :func:`keyness` from a document-term matrix already made (in memory or from an
    on-disk store, :mod:`analysis.store`): ``sub`` holds the target and reference documents
    (``doc_id``, ``year``) row-aligned with ``dtm``, ``in_target`` marks the target rows,
    ``totals`` the target's and reference's token totals when they are not the matrix's sums."""
    _check_options(measure, resample, "keyness_from_dtm", min_target=min_target, min_count=min_count, n_boot=n_boot,
                   random_state=random_state, alpha=alpha, min_units=min_units, ngram_range=ngram_range,
                   correction=correction, exact=exact)
    m = dtm.matrix.tocsc()
    a = np.asarray(m[in_target].sum(axis=0)).ravel()
    b = np.asarray(m[~in_target].sum(axis=0)).ravel()
    c, d = (a.sum(), b.sum()) if totals is None else totals
    if c == 0:
        raise InputError("the target has no tokens")
    if d == 0:
        raise InputError("the reference has no tokens")
    keep = (a >= min_target) & (a + b >= min_count)
    a, b, terms = a[keep], b[keep], dtm.terms[keep]
    sign = np.where(a / c >= b / d, 1.0, -1.0)
    g2 = g2_statistic(a, b, c, d)
    chi2 = chi2_statistic(a, b, c, d, yates=yates)
    p = stats.chi2.sf(g2 if measure == "g2" else chi2, df=1)
    table = pd.DataFrame({
        "term": terms, "n_target": a.astype(int), "n_reference": b.astype(int),
        "total_target": int(c), "total_reference": int(d),
        "per_10k_target": a / c * PER, "per_10k_reference": b / d * PER,
        "g2": sign * g2, "chi2": sign * chi2, "log_ratio": log_ratio(a, b, c, d), "p": p,
    })
    expected = (a + b) * c / (c + d)
    emin = expected_min(a, b, c, d)
    small = emin < FISHER_BELOW
    use_fisher = small if exact is None else np.full(len(a), bool(exact))
    p_fisher = np.full(len(a), np.nan)
    if use_fisher.any():
        p_fisher[use_fisher] = fisher_exact_p(a[use_fisher], b[use_fisher], c, d)
    p_used = np.where(use_fisher, p_fisher, p)
    table["expected_target"] = expected
    table["expected_min"] = emin
    table["p_fisher"] = p_fisher
    table["p_method"] = np.where(use_fisher, "fisher", measure)
    table["p_adj"] = stats.false_discovery_control(p_used, method="bh") if correction == "bh" and len(p) else p_used
    table["lr_bound"] = np.where(b == 0, "lower bound", np.where(a == 0, "upper bound", ""))
    table = table.join(_reference_spread(sub[~in_target], m[~in_target][:, np.flatnonzero(keep)], terms))
    table = table.join(_unit_statistics(units, sub, in_target, dtm, keep, a, b, d, ngram_range=ngram_range,
                                        n_boot=n_boot, random_state=random_state, resample=resample))
    table.attrs.update(measure=measure, yates=yates, correction=correction, exact=exact,
                       target=sub.loc[in_target, "doc_id"].tolist(), n_reference_docs=int((~in_target).sum()),
                       units=units is not None, n_boot=n_boot, random_state=random_state, resample=resample,
                       alpha=alpha, min_units=min_units)
    table["is_key"] = is_key(table, alpha=alpha, min_units=min_units)
    return table.sort_values([measure, "term"], ascending=[False, True], kind="stable").reset_index(drop=True)


UNIT_COLUMNS = ["n_units_target", "share_units_target", "dp", "lr_ci_low", "lr_ci_high", "p_boot"]


def _unit_counts(units: pd.DataFrame, vocabulary, ngram_range) -> tuple[sp.csr_matrix, np.ndarray]:
    """Counts of the kept terms per unit, and each unit's token (n-gram) total."""
    counted = build_dtm(units["tokens"].reset_index(drop=True), ngram_range=ngram_range)  # tokens counted once
    totals = np.asarray(counted.matrix.sum(axis=1)).ravel()
    at = pd.Index(counted.terms).get_indexer(list(vocabulary))  # -1: a kept term no unit uses
    kept = counted.matrix[:, np.maximum(at, 0)] @ sp.diags((at >= 0).astype(np.int64), dtype=np.int64)
    return sp.csr_matrix(kept, dtype=float), totals


def _unit_statistics(units, sub, in_target, dtm, keep, a, b, d, *, ngram_range, n_boot, random_state,
                     resample) -> pd.DataFrame:
    """Dispersion over the target's units and the unit bootstrap (missing values without units)."""
    if units is None:
        return pd.DataFrame({col: np.full(len(a), np.nan) for col in UNIT_COLUMNS}).astype({"n_units_target": "Int64"})
    if "doc_id" not in units or "tokens" not in units:
        raise InputError(f"units need 'doc_id' and 'tokens' columns; got {list(units.columns)}")
    target_ids = set(sub.loc[in_target, "doc_id"].astype(str))
    own = units[units["doc_id"].astype(str).isin(target_ids)]
    if own.empty:
        raise InputError(f"units contain no unit of the target {sorted(target_ids)} (their doc_id must name a target document)")
    terms = dtm.terms[keep]
    counts, totals = _unit_counts(own, terms, ngram_range)
    if tuple(ngram_range) == (1, 1):
        target_total = int(np.asarray(dtm.matrix[np.flatnonzero(in_target)].sum()))
        if int(totals.sum()) != target_total or not np.array_equal(np.asarray(counts.sum(axis=0)).ravel(), a):
            raise InputError(f"the units do not add up to the target: {int(totals.sum())} tokens in the units, "
                             f"{target_total} in the target (segment both the same way)")
    spread = dispersion(counts, totals)
    if resample == "both":
        ref_ids = set(sub.loc[~in_target, "doc_id"].astype(str))
        ref_units = units[units["doc_id"].astype(str).isin(ref_ids)]
        if ref_units.empty:
            raise InputError("resample='both' needs units of the reference documents too")
        reference, reference_totals = _unit_counts(ref_units, terms, ngram_range)
    else:
        reference, reference_totals = b, d
    boot = bootstrap_log_ratio(counts, totals, reference, reference_totals=reference_totals, n_boot=n_boot,
                               random_state=random_state)
    return pd.DataFrame({"n_units_target": pd.array(spread["n_units"], dtype="Int64"),
                         "share_units_target": spread["share_units"], "dp": spread["dp"], **boot})


def _reference_spread(ref_docs: pd.DataFrame, ref_matrix, terms) -> pd.DataFrame:
    """Per term: reference documents containing it, distinct years, first and last year."""
    coo = ref_matrix.tocoo()
    years = pd.Series(ref_docs["year"].to_numpy() if "year" in ref_docs else [pd.NA] * len(ref_docs),
                      dtype="Int64").to_numpy(dtype="float", na_value=np.nan)
    hits = pd.DataFrame({"col": coo.col[coo.data > 0], "year": years[coo.row[coo.data > 0]]})
    per_term = hits.groupby("col")["year"].agg(["size", "nunique", "min", "max"])
    per_term = per_term.reindex(range(len(terms)))
    return pd.DataFrame({
        "ref_docs": per_term["size"].fillna(0).astype(int).to_numpy(),
        "ref_years": per_term["nunique"].fillna(0).astype(int).to_numpy(),
        "first_year_ref": pd.array(per_term["min"].to_numpy(), dtype="Float64").astype("Int64"),
        "last_year_ref": pd.array(per_term["max"].to_numpy(), dtype="Float64").astype("Int64"),
    })


def key_terms(table: pd.DataFrame, n: int = 20, *, alpha: float = ALPHA, direction: str = "over",
              min_units: int = MIN_UNITS) -> pd.DataFrame:
    """The ``n`` strongest significant (``p_adj < alpha``) over- or under-used terms of a keyness table.

    When the table was computed with ``units``, only terms passing the whole :func:`is_key`
    rule are returned (bootstrap interval excluding 0, and for over-use at least ``min_units``
    units of the target); without units, significance alone decides (the rule cannot be checked).
    """
    if direction not in ("over", "under"):
        raise InputError(f"unknown direction {direction!r}; choose 'over' or 'under'")
    check.integer(n, "n", "key_terms")
    check.fraction(alpha, "alpha", "key_terms")
    check.integer(min_units, "min_units", "key_terms")
    measure = table.attrs.get("measure", "g2")
    sig = table[table["p_adj"] < alpha]
    if "n_units_target" in table and table["n_units_target"].notna().any():
        sig = sig[is_key(sig, alpha=alpha, min_units=min_units).fillna(False).to_numpy(dtype=bool)]
    if direction == "over":
        return sig[sig[measure] > 0].head(n).reset_index(drop=True)
    return sig[sig[measure] < 0].sort_values(measure).head(n).reset_index(drop=True)
