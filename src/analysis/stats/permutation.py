"""Inference that fits a short target: a paragraph permutation test of keyness, and what a percentile
bootstrap over a few paragraphs can resolve at all.

A speech of 19 paragraphs is 19 decisions of its author, not 652 independent tokens.  The permutation
test asks, per term: could the target's paragraphs have been any paragraphs of the pool?

``permutation_keyness``
    pool the target's and the reference's units (paragraphs); under H0 they are exchangeable, so a
    permutation relabels k of the pooled units "target" (k = the target's number of units, kept fixed:
    the test is stratified by side), the rest "reference".  The statistic is the term's Log Ratio
    (Hardie 2014, zero counts 0.5, :func:`analysis.stats.keyness.log_ratio`) or signed G²
    (:func:`analysis.stats.keyness.g2_statistic`) of the relabelled target against the relabelled
    reference, recounted from the paragraph × term matrix (one sparse product for all terms).
    With ``alternative="greater"`` (over-use), p = (1 + #{perm ≥ observed}) / (1 + n_perm)
    (Phipson & Smyth 2010: the observed labelling counts as one of the permutations, so p is never 0);
    "less" counts ≤, "two-sided" compares |statistic|.  When the pool allows at most ``n_perm``
    labellings (C(units, k)), all of them are enumerated and p = #{labellings ≥ observed} / C(units, k),
    the exact permutation p (the observed labelling among them).  Draws: ``rng.permutation(units)[:k]``
    per permutation, from ``numpy.random.default_rng(random_state)``.  ``p_adj`` is Benjamini–Hochberg
    over the terms in the table.

Paragraph length is part of what is permuted.  Log Ratio and G² are rates per token: a relabelled target
with the same count of a term but more tokens has a lower statistic, so when the target's paragraphs are
shorter than the pool's, the relabellings that tie with it in counts fall below it and are not counted,
and p is too small (in a simulation with equal rates per token, 15 short paragraphs against 65: 8–9 %
of p ≤ 0.05 instead of at most 5 %; with 10 length classes, below: once 21 %, as the classes still hold
the shorter units on the target's side).  The speech2025's 19 paragraphs average 34 tokens, the GWR's
52, and only 3 % of random labellings are as short: ``attrs["total_quantile"]`` reports this share
(near 0 or 1: read rate-based p-values with care).  Two remedies:

``statistic="count"``
    the term's number of occurrences in the relabelled target: ties are ties, and a shorter target is
    at a disadvantage, never an advantage (conservative: in the same simulation at most 0.7 % of p ≤ 0.05).
``strata=q``
    permute within q length classes (units ranked by token total and cut into q classes of equal
    size; each permutation keeps the target's number of units in every class: a stratified
    permutation test, exact under H0 that units of one class are exchangeable), so relabelled targets
    are about as long as the observed one; with ``"count"`` the least conservative sound choice.

A term used in one paragraph can be "significant" only as far as drawing that one paragraph is rare: its
p is about k / units at best (k: the target's units), whatever its count, unless a rate statistic also
profits from the target's shortness (above).  A term spread over many of the target's paragraphs,
and rare in the reference's, is what the test rewards.

``bootstrap_resolution``
    a percentile bootstrap over n units (as :func:`analysis.stats.keyness.bootstrap_log_ratio` draws
    them) leaves out all k units of a term in a share (1 − k/n)ⁿ of its replicates, and each such
    replicate has Log Ratio −∞.  When that share exceeds the interval's lower tail (α/2), the lower
    bound is −∞ whatever the term's counts: the interval's resolution, stated as a sentence.
"""

from __future__ import annotations

import itertools
import math
from numbers import Integral
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy import stats

from .._util import check
from ..counts.dtm import build_dtm
from ..errors import InputError
from .keyness import CI_LEVEL, g2_statistic, log_ratio, select_pair

STATISTICS = ("log_ratio", "g2", "count")
ALTERNATIVES = ("greater", "less", "two-sided")
N_PERM = 9999
TOLERANCE = 1e-9   # relative: a permuted statistic equal to the observed one up to rounding counts as ≥


def _statistic(a, b, c, d, statistic: str) -> np.ndarray:
    """Log Ratio or signed G² of target counts ``a`` (tokens ``c``) against reference ``b`` (``d``)."""
    if statistic == "log_ratio":
        return log_ratio(a, b, c, d)
    if statistic == "count":
        return np.asarray(a, dtype=float)
    sign = np.where(a / c >= b / d, 1.0, -1.0)
    return sign * g2_statistic(a, b, c, d)


def length_strata(totals, n_strata: int) -> np.ndarray:
    """Length classes 0 … n_strata − 1 of units with these token totals: ranked by total (ties in order),
    cut into classes of (nearly) equal size."""
    order = np.argsort(np.asarray(totals), kind="stable")
    strata = np.empty(len(order), dtype=np.int64)
    strata[order] = np.arange(len(order)) * n_strata // len(order)
    return strata


def _labellings(strata: np.ndarray, is_target: np.ndarray, n_perm: int,
                rng: np.random.Generator) -> tuple[sp.csr_matrix, bool]:
    """Rows: the labellings (1 = a unit labelled target) keeping the target's number of units in each
    stratum; all of them when there are at most ``n_perm``, else ``n_perm`` random ones (per stratum
    g with k target units: ``g[rng.permutation(len(g))[:k]]``).  Second value: whether they are all."""
    groups = [np.flatnonzero(strata == s) for s in np.unique(strata)]
    ks = [int(is_target[g].sum()) for g in groups]
    groups, ks = [g for g, k in zip(groups, ks) if k], [k for k in ks if k]
    n_units, k_all = len(is_target), sum(ks)
    exact = math.prod(math.comb(len(g), k) for g, k in zip(groups, ks)) <= n_perm
    if exact:
        per_group = [list(itertools.combinations(g.tolist(), k)) for g, k in zip(groups, ks)]
        chosen = np.array([sum(parts, ()) for parts in itertools.product(*per_group)], dtype=np.int64)
    else:
        chosen = np.empty((n_perm, k_all), dtype=np.int64)
        for i in range(n_perm):
            chosen[i] = np.concatenate([g[rng.permutation(len(g))[:k]] for g, k in zip(groups, ks)])
    chosen = chosen.reshape(-1, k_all)
    rows = np.repeat(np.arange(len(chosen)), k_all)
    labels = sp.csr_matrix((np.ones(chosen.size), (rows, chosen.ravel())), shape=(len(chosen), n_units))
    return labels, exact


def permutation_test(counts, totals, is_target, *, statistic: str = "log_ratio", alternative: str = "greater",
                     n_perm: int = N_PERM, random_state: int = 0, strata=None, chunk: int = 500) -> pd.DataFrame:
    """The paragraph permutation test on a units × terms count matrix (see the module docstring).

    ``counts``: counts per unit (rows) and term (columns), dense or sparse; ``totals``: each unit's token
    total; ``is_target``: a boolean mask over the units.  Terms are processed ``chunk`` at a time (memory
    n_perm × chunk); the labellings are drawn once, so the result does not depend on ``chunk``.
    ``strata``: None (one pool), a number of length classes (:func:`length_strata`), or a stratum label
    per unit; labels are permuted within strata.  Columns ``statistic`` (observed),
    ``p``; ``attrs`` say whether the p-values are exact, how many labellings were used, and
    ``total_quantile``: the share of the labellings whose target is no longer (in tokens) than the
    observed one (near 0: the target is shorter than its relabellings; consider ``strata``).
    """
    func = "permutation_test"
    check.choice(statistic, "statistic", STATISTICS, func)
    check.choice(alternative, "alternative", ALTERNATIVES, func)
    check.integer(n_perm, "n_perm", func, minimum=1)
    check.integer(random_state, "random_state", func, minimum=None)
    check.integer(chunk, "chunk", func, minimum=1)
    counts = sp.csc_matrix(counts, dtype=float)
    totals = np.asarray(totals, dtype=float)
    is_target = np.asarray(is_target)
    if is_target.dtype != bool or is_target.shape != (counts.shape[0],):
        raise InputError(f"{func}: is_target must be a boolean mask of {counts.shape[0]} units")
    if totals.shape != (counts.shape[0],):
        raise InputError(f"{func}: {counts.shape[0]} rows of counts for {totals.size} unit totals")
    if (totals <= 0).any():
        raise InputError(f"{func}: unit {int(np.argmax(totals <= 0))} has no tokens; leave empty units out")
    k = int(is_target.sum())
    if k == 0 or k == len(is_target):
        raise InputError(f"{func}: the target must have at least one unit and the reference too ({k} of "
                         f"{len(is_target)} units are the target's)")
    c_obs = float(totals[is_target].sum())
    if strata is None:
        groups = np.zeros(len(totals), dtype=np.int64)
    elif isinstance(strata, Integral) and not isinstance(strata, bool):
        check.integer(strata, "strata", func, minimum=1)
        groups = length_strata(totals, int(strata))
    else:
        groups = np.asarray(strata)
        if groups.shape != totals.shape:
            raise InputError(f"{func}: strata must be None, a number of length classes or one label per unit "
                             f"({len(totals)}), got {groups.size} labels")
    labels, exact = _labellings(groups, is_target, n_perm, np.random.default_rng(random_state))
    grand = totals.sum()
    c_perm = labels @ totals
    observed_label = sp.csr_matrix(is_target.astype(float)[None, :])
    term_totals = np.asarray(counts.sum(axis=0)).ravel()
    n_terms = counts.shape[1]
    observed, hits = np.empty(n_terms), np.empty(n_terms)
    for lo in range(0, n_terms, chunk):
        cols = slice(lo, min(lo + chunk, n_terms))
        block, total = counts[:, cols], term_totals[cols]
        a_obs = (observed_label @ block).toarray().ravel()
        obs = _statistic(a_obs, total - a_obs, c_obs, grand - c_obs, statistic)
        a = (labels @ block).toarray()
        perm = _statistic(a, total[None, :] - a, c_perm[:, None], grand - c_perm[:, None], statistic)
        slack = TOLERANCE * np.maximum(1.0, np.abs(obs))
        if alternative == "greater":
            hit = perm >= obs - slack
        elif alternative == "less":
            hit = perm <= obs + slack
        else:
            hit = np.abs(perm) >= np.abs(obs) - slack
        observed[cols], hits[cols] = obs, hit.sum(axis=0)
    n = labels.shape[0]
    p = hits / n if exact else (1 + hits) / (1 + n)
    out = pd.DataFrame({"statistic": observed, "p": p})
    out.attrs.update(exact=exact, n_perm=n, statistic=statistic, alternative=alternative, random_state=random_state,
                     strata=strata if strata is None or isinstance(strata, Integral) else "labels",
                     total_quantile=float(np.mean(c_perm <= c_obs + TOLERANCE * c_obs)))
    return out


def _units(units) -> pd.DataFrame:
    if isinstance(units, pd.DataFrame):
        table = units
    elif isinstance(getattr(units, "paragraphs", None), pd.DataFrame):
        table = units.paragraphs
    else:
        raise check.fail("permutation_keyness", "units", "a table of units (paragraphs) or a prepared corpus", units)
    if missing := [c for c in ("doc_id", "tokens") if c not in table.columns]:
        raise InputError(f"permutation_keyness: the units table has no {' or '.join(map(repr, missing))} column "
                         f"(columns: {', '.join(map(str, table.columns))})")
    return table


def permutation_keyness(units, target, reference=None, *, statistic: str = "log_ratio",
                        alternative: str = "greater", n_perm: int = N_PERM, random_state: int = 0,
                        strata: int | None = None, min_count: int = 1, min_target: int = 1,
                        terms=None) -> pd.DataFrame:
    """Keyness of ``target`` against ``reference`` tested by permuting paragraphs (module docstring).

    ``units`` is a table with one row per unit (``doc_id``, ``tokens``, and whatever the selections
    use: ``corpus.paragraphs``), or a prepared corpus (its paragraphs are used).  ``target`` and
    ``reference`` select rows as for :func:`analysis.stats.keyness.keyness` (a doc_id, doc_ids, a mask
    or a callable on the units table; the reference defaults to every other unit).  Units without
    tokens are left out.  ``strata`` (a number of length classes) permutes within classes of units of
    similar length (module docstring).  Terms with fewer than ``min_target`` occurrences in the target or
    ``min_count`` in both, or not in ``terms`` when it is given, are left out before the test (for
    under-use, ``alternative="less"``, ``min_target=0`` keeps the terms the target never uses).

    Columns ``term, n_target, n_reference, n_units_target, n_units_reference, statistic, p, p_adj``
    (``statistic``: the observed Log Ratio or signed G²), sorted by ``p`` then the statistic
    (descending); ``attrs`` hold the units, totals and whether p is exact.
    """
    func = "permutation_keyness"
    table = _units(units)
    check.integer(min_count, "min_count", func, minimum=1)
    check.integer(min_target, "min_target", func)
    check.integer(strata, "strata", func, minimum=1, none=True)   # labels per unit: permutation_test
    is_target, is_reference = select_pair(table, target, reference, func)
    sub = table[is_target | is_reference].reset_index(drop=True)
    in_target = is_target[is_target | is_reference]
    dtm = build_dtm(sub["tokens"])
    m = dtm.matrix.tocsc()
    totals = np.asarray(m.sum(axis=1)).ravel()
    has_tokens = totals > 0
    m, in_target, totals = m[has_tokens], in_target[has_tokens], totals[has_tokens]
    if not in_target.any():
        raise InputError(f"{func}: the target's units have no tokens")
    a = np.asarray(m[in_target].sum(axis=0)).ravel()
    b = np.asarray(m[~in_target].sum(axis=0)).ravel()
    keep = (a >= min_target) & (a + b >= min_count)
    if terms is not None:
        terms = check.terms(terms, "terms", func)
        if unknown := sorted(set(terms) - set(dtm.terms)):
            raise InputError(f"{func}: the target and reference never use {unknown}")
        keep &= np.isin(dtm.terms, terms)
    cols = np.flatnonzero(keep)
    m = m[:, cols]
    result = permutation_test(m, totals, in_target, statistic=statistic, alternative=alternative, n_perm=n_perm,
                              random_state=random_state, strata=strata)
    present = m.copy()
    present.data = (present.data > 0).astype(float)
    out = pd.DataFrame({
        "term": dtm.terms[cols], "n_target": a[cols].astype(int), "n_reference": b[cols].astype(int),
        "n_units_target": np.asarray(present[in_target].sum(axis=0)).ravel().astype(int),
        "n_units_reference": np.asarray(present[~in_target].sum(axis=0)).ravel().astype(int),
        "statistic": result["statistic"].to_numpy(), "p": result["p"].to_numpy(),
    })
    out["p_adj"] = stats.false_discovery_control(out["p"], method="bh") if len(out) else out["p"]
    out.attrs.update(result.attrs, units_target=int(in_target.sum()), units_reference=int((~in_target).sum()),
                     total_target=int(totals[in_target].sum()), total_reference=int(totals[~in_target].sum()),
                     target=list(dict.fromkeys(sub.loc[is_target[is_target | is_reference], "doc_id"].astype(str))))
    out = out.sort_values(["p", "statistic", "term"], ascending=[True, False, True], kind="stable")
    return out.reset_index(drop=True)


# ---------------------------------------------------------------- what a percentile bootstrap can resolve

@dataclass(frozen=True)
class Resolution:
    """What a percentile bootstrap over ``n`` units can say about a term in ``k`` of them."""

    k: int
    n: int
    level: float
    p_miss: float        # share of replicates drawing none of the term's k units: (1 − k/n)ⁿ
    finite: bool         # whether the lower bound of the interval can be finite: p_miss ≤ (1 − level)/2
    min_k: int           # the fewest of n units a term needs for a finite lower bound

    def describe(self) -> str:
        tail, pct = 100 * (1 - self.level) / 2, f"{100 * self.level:g} %"
        missed = (f"{100 * self.p_miss:.1f} % of resamples ((1 − {self.k}/{self.n})^{self.n}) miss all its "
                  f"paragraphs")
        if self.finite:
            return (f"A term in {self.k} of {self.n} paragraphs can reach a finite lower bound of its {pct} "
                    f"bootstrap interval: {missed}, within the {tail:g} % tail (at least {self.min_k} of "
                    f"{self.n} are needed).")
        return (f"A term in {self.k} of {self.n} paragraphs can reach at best a {pct} bootstrap interval open "
                f"to −∞: {missed}, more than the {tail:g} % tail, whatever its counts; a finite lower bound "
                f"needs at least {self.min_k} of {self.n}.")

    def __str__(self) -> str:
        return self.describe()


def bootstrap_resolution(k: int, n: int, *, level: float = CI_LEVEL) -> Resolution:
    """The best interval a percentile bootstrap over ``n`` units can give a term found in ``k`` of them
    (see the module docstring); ``str()`` of the result is the sentence for a report."""
    check.integer(n, "n", "bootstrap_resolution", minimum=1)
    check.integer(k, "k", "bootstrap_resolution")
    if k > n:
        raise InputError(f"bootstrap_resolution: k = {k} units of n = {n}; k cannot exceed n")
    check.fraction(level, "level", "bootstrap_resolution")
    tail = (1 - level) / 2
    p_miss = lambda j: (1 - j / n) ** n  # noqa: E731
    min_k = next(j for j in range(1, n + 1) if p_miss(j) <= tail)
    return Resolution(k=k, n=n, level=level, p_miss=float(p_miss(k)), finite=bool(p_miss(k) <= tail), min_k=min_k)
