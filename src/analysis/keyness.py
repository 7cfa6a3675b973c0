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

``g2`` and ``chi2`` carry the sign of over- (+) or under-use (−) in the target.  p-values
are adjusted for the number of terms tested (Benjamini–Hochberg by default, ``p_adj``).
The table can be recomputed row by row from its count columns.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from .dtm import build_dtm
from .errors import InputError
from .frequency import PER

MEASURES = ("g2", "chi2", "log_ratio")


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


def _select(docs: pd.DataFrame, which, role: str) -> np.ndarray:
    """A boolean mask from a doc_id, a list of doc_ids, a boolean mask or a callable on the table."""
    ids = docs["doc_id"].astype(str)
    if callable(which):
        which = which(docs)
    if isinstance(which, str):
        which = [which]
    mask_like = np.asarray(which)
    if mask_like.dtype == bool:
        if len(mask_like) != len(docs):
            raise InputError(f"{role} mask has {len(mask_like)} entries for {len(docs)} documents")
        return mask_like
    wanted = [str(w) for w in which]
    unknown = sorted(set(wanted) - set(ids))
    if unknown:
        raise InputError(f"{role} names unknown document(s): {unknown}")
    return ids.isin(wanted).to_numpy()


def keyness(docs: pd.DataFrame, target, reference=None, *, measure: str = "g2", yates: bool = True,
            min_target: int = 1, min_count: int = 1, correction: str | None = "bh",
            ngram_range: tuple[int, int] = (1, 1)) -> pd.DataFrame:
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
    formulation from a merely rare word.
    """
    if measure not in ("g2", "chi2"):
        raise InputError(f"unknown measure {measure!r}; choose 'g2' or 'chi2' (log_ratio is always reported)")
    is_target = _select(docs, target, "target")
    if not is_target.any():
        raise InputError("target selects no documents")
    if is_target.all():
        raise InputError("target cannot be all the documents")
    is_reference = ~is_target if reference is None else _select(docs, reference, "reference")
    if (is_reference & is_target).any():
        overlap = docs.loc[is_reference & is_target, "doc_id"].tolist()
        raise InputError(f"the reference contains target document(s) {overlap}; they must be disjoint")
    if not is_reference.any():
        raise InputError("reference selects no documents")
    sub = docs[is_target | is_reference]
    dtm = build_dtm(sub, ngram_range=ngram_range)
    in_target = is_target[is_target | is_reference]
    m = dtm.matrix.tocsc()
    a = np.asarray(m[in_target].sum(axis=0)).ravel()
    b = np.asarray(m[~in_target].sum(axis=0)).ravel()
    c, d = a.sum(), b.sum()
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
    table["p_adj"] = stats.false_discovery_control(p, method="bh") if correction == "bh" and len(p) else p
    table = table.join(_reference_spread(sub[~in_target], m[~in_target][:, np.flatnonzero(keep)], terms))
    table.attrs.update(measure=measure, yates=yates, correction=correction,
                       target=sub.loc[in_target, "doc_id"].tolist(), n_reference_docs=int((~in_target).sum()))
    return table.sort_values([measure, "term"], ascending=[False, True], kind="stable").reset_index(drop=True)


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


def key_terms(table: pd.DataFrame, n: int = 20, *, alpha: float = 0.05, direction: str = "over") -> pd.DataFrame:
    """The ``n`` strongest significant (``p_adj < alpha``) over- or under-used terms of a keyness table."""
    measure = table.attrs.get("measure", "g2")
    sig = table[table["p_adj"] < alpha]
    if direction == "over":
        return sig[sig[measure] > 0].head(n).reset_index(drop=True)
    return sig[sig[measure] < 0].sort_values(measure).head(n).reset_index(drop=True)
