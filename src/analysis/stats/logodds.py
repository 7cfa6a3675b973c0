"""Log-odds ratios with an informative Dirichlet prior: Monroe, Colaresi & Quinn (2008), "Fightin' Words:
Lexical Feature Selection and Evaluation for Identifying the Content of Political Conflict", Political
Analysis 16(4), 372–403, section 3.5 (equations 16–22).

For a term w with counts y_t (target) and y_r (reference) out of n_t and n_r tokens, and a Dirichlet
prior α_w with total α₀ = Σ_w α_w (the same prior for both sides, as in the paper):

``delta``  (eq. 16)
    δ_w = log[(y_t + α_w) / (n_t + α₀ − y_t − α_w)] − log[(y_r + α_w) / (n_r + α₀ − y_r − α_w)],
    the difference of the two posterior log-odds of the term (natural logarithm): > 0 where the
    target uses the term more.
``variance``, ``se``  (eq. 20)
    σ²(δ_w) ≈ 1/(y_t + α_w) + 1/(y_r + α_w), the paper's approximation (``variance="full"`` adds the
    two terms it drops, 1/(n_t + α₀ − y_t − α_w) + 1/(n_r + α₀ − y_r − α_w), as scattertext's
    ``LogOddsRatioInformativeDirichletPrior`` does; for a corpus of many tokens they are negligible).
``z``  (eq. 22)
    ζ_w = δ_w / σ(δ_w), the z-score the words are ranked by.

The informative prior is α_w = α₀ · π_w with π_w a term's share of a background (Monroe et al. §3.5.3
take the word frequencies of the whole corpus, both sides together).  Here π is by default
the pooled counts of target and reference (``prior="pooled"``), or the reference's alone
(``"reference"``), or counts given per term (a Series: another corpus).  A term the background never
uses gets the count 0.5 before the shares are taken (Hardie's 2014 convention for a zero, as in
:func:`analysis.stats.keyness.log_ratio`), so its prior is small but not zero.

α₀ is the prior's weight in tokens: how many tokens of "background" text each side is given.  The
paper leaves it to the analyst (it governs the amount of shrinkage).  The default here, ``alpha0=None``,
is the target's token total: the prior weighs as much as the target, so a term's rate in a short target
is drawn halfway towards the background rate, and a word used twice in 652 tokens and never in the
reference is no longer a certainty (its σ is dominated by 1/α_w).  A long reference is hardly moved by
a prior of that size.
"""

from __future__ import annotations

from numbers import Real

import numpy as np
import pandas as pd

from .._util import check
from ..counts.dtm import build_dtm
from ..errors import InputError
from .keyness import select_pair

PRIORS = ("pooled", "reference")
VARIANCES = ("approx", "full")
ZERO_PRIOR = 0.5   # a background count of 0, before the shares are taken


def _counts(values, name: str, func: str) -> np.ndarray:
    """A one-dimensional vector of finite, non-negative counts (may be fractional: prior counts)."""
    try:
        out = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise check.fail(func, name, "a vector of non-negative counts", values) from None
    if out.ndim != 1:
        raise check.fail(func, name, "a one-dimensional vector of counts", values)
    if bad := np.flatnonzero(~np.isfinite(out) | (out < 0)).tolist():
        raise InputError(f"{func}: {name} must be finite and non-negative; entry {bad[0]} is {out[bad[0]]!r} "
                         f"({len(bad)} such entries)")
    return out


def _alpha0(value, func: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, Real) or not np.isfinite(value) or value <= 0:
        raise check.fail(func, "alpha0", "a positive number or None", value)
    return float(value)


def log_odds(counts_target, counts_reference, prior=None, *, alpha0: float | None = None,
             variance: str = "approx", totals: tuple[float, float] | None = None) -> pd.DataFrame:
    """Monroe et al.'s (2008) weighted log-odds ratio of aligned count vectors (one entry per term).

    ``prior`` is the background's counts per term (default: ``counts_target + counts_reference``, the
    pooled counts), scaled so that they add up to ``alpha0`` (default: the target's total); every entry
    must be positive.  ``totals`` are the two sides' token totals (default: the sums of the counts).
    Returns a table with columns ``delta``, ``variance``, ``se``, ``z`` (and ``alpha``, the prior per
    term), in the input's order (and index, for Series).
    """
    func = "log_odds"
    y_t = _counts(counts_target, "counts_target", func)
    y_r = _counts(counts_reference, "counts_reference", func)
    if len(y_t) != len(y_r):
        raise InputError(f"{func}: counts_target has {len(y_t)} terms, counts_reference {len(y_r)}; align them")
    check.choice(variance, "variance", VARIANCES, func)
    alpha0 = _alpha0(alpha0, func)
    background = y_t + y_r if prior is None else _counts(prior, "prior", func)
    if len(background) != len(y_t):
        raise InputError(f"{func}: prior has {len(background)} terms for {len(y_t)} counts; align them")
    if (zero := int((background == 0).sum())):
        raise InputError(f"{func}: the prior is 0 for {zero} term(s) (entry {int(np.argmax(background == 0))}); "
                         "every term needs a positive prior count")
    n_t, n_r = (y_t.sum(), y_r.sum()) if totals is None else (float(totals[0]), float(totals[1]))
    if n_t <= 0 or n_r <= 0:
        raise InputError(f"{func}: the {'target' if n_t <= 0 else 'reference'} has no tokens")
    if (y_t > n_t).any() or (y_r > n_r).any():
        raise InputError(f"{func}: a term's count exceeds its side's total ({n_t:g} and {n_r:g} tokens)")
    a0 = n_t if alpha0 is None else alpha0
    alpha = background * (a0 / background.sum())
    delta = (np.log(y_t + alpha) - np.log(n_t + a0 - y_t - alpha)
             - np.log(y_r + alpha) + np.log(n_r + a0 - y_r - alpha))
    var = 1 / (y_t + alpha) + 1 / (y_r + alpha)
    if variance == "full":
        var = var + 1 / (n_t + a0 - y_t - alpha) + 1 / (n_r + a0 - y_r - alpha)
    index = counts_target.index if isinstance(counts_target, pd.Series) else None
    return pd.DataFrame({"delta": delta, "variance": var, "se": np.sqrt(var), "z": delta / np.sqrt(var),
                         "alpha": alpha}, index=index)


def _background(prior, terms: np.ndarray, a: np.ndarray, b: np.ndarray, func: str) -> tuple[np.ndarray, int]:
    """The background counts per term (zeros replaced by 0.5) and how many were zero."""
    if isinstance(prior, str):
        check.choice(prior, "prior", PRIORS, func)
        counts = a + b if prior == "pooled" else b.astype(float)
    elif isinstance(prior, pd.Series):
        if not prior.index.is_unique:
            dup = prior.index[prior.index.duplicated()][0]
            raise InputError(f"{func}: the prior names the term {dup!r} more than once")
        values = pd.to_numeric(prior, errors="coerce")
        if values.isna().any():
            bad = prior.index[values.isna()][0]
            raise InputError(f"{func}: the prior's count for {bad!r} is missing or not a number ({prior[bad]!r})")
        counts = _counts(values.reindex(terms).fillna(0).to_numpy(), "prior", func)
    else:
        raise check.fail(func, "prior", "'pooled', 'reference' or a Series of counts indexed by term", prior)
    counts = np.asarray(counts, dtype=float)
    zero = counts == 0
    return np.where(zero, ZERO_PRIOR, counts), int(zero.sum())


def log_odds_table(docs, target, reference=None, *, prior="pooled", alpha0: float | None = None,
                   min_count: int = 1, variance: str = "approx") -> pd.DataFrame:
    """Terms of ``target`` against ``reference`` (default: all other documents) by Monroe et al.'s (2008)
    log-odds ratio with an informative Dirichlet prior (see the module docstring).

    ``docs`` is a segmented-documents table (or a prepared corpus); ``target`` and ``reference`` are
    what :func:`analysis.stats.keyness.keyness` takes.  ``prior``: "pooled" (target + reference counts),
    "reference", or a Series of background counts indexed by term; ``alpha0`` its total weight
    (default: the target's token total).  The prior is computed over the whole vocabulary; terms with
    fewer than ``min_count`` occurrences in both sides are then left out of the table.

    Columns ``term, n_target, n_reference, total_target, total_reference, prior, delta, se, z``,
    sorted by ``z`` descending (ties by term); ``attrs`` hold the totals, the prior's name, ``alpha0``
    and ``prior_zero`` (terms whose background count was 0, given 0.5).
    """
    func = "log_odds_table"
    docs = check.documents(docs, func)
    check.integer(min_count, "min_count", func, minimum=1)
    check.choice(variance, "variance", VARIANCES, func)
    alpha0 = _alpha0(alpha0, func)
    is_target, is_reference = select_pair(docs, target, reference, func)
    sub = docs[is_target | is_reference]
    dtm = build_dtm(sub)
    in_target = is_target[is_target | is_reference]
    m = dtm.matrix.tocsc()
    a = np.asarray(m[in_target].sum(axis=0)).ravel().astype(float)
    b = np.asarray(m[~in_target].sum(axis=0)).ravel().astype(float)
    c, d = a.sum(), b.sum()
    if docs.attrs.get("nested"):
        # nested units (发展 inside 高质量发展) are counted beside their token: the totals stay tokens
        c, d = (float(sub.loc[mask, "n_tokens"].sum()) for mask in (in_target, ~in_target))
    if c == 0:
        raise InputError(f"{func}: the target has no tokens")
    if d == 0:
        raise InputError(f"{func}: the reference has no tokens")
    background, zero = _background(prior, dtm.terms, a, b, func)
    scores = log_odds(a, b, background, alpha0=alpha0, variance=variance, totals=(c, d))
    keep = a + b >= min_count
    table = pd.DataFrame({
        "term": dtm.terms[keep], "n_target": a[keep].astype(int), "n_reference": b[keep].astype(int),
        "total_target": int(c), "total_reference": int(d), "prior": scores["alpha"].to_numpy()[keep],
        "delta": scores["delta"].to_numpy()[keep], "se": scores["se"].to_numpy()[keep],
        "z": scores["z"].to_numpy()[keep],
    })
    table.attrs.update(total_target=int(c), total_reference=int(d),
                       prior=prior if isinstance(prior, str) else "series",
                       alpha0=float(c if alpha0 is None else alpha0),
                       prior_zero=zero, variance=variance, target=sub.loc[in_target, "doc_id"].tolist(),
                       n_reference_docs=int((~in_target).sum()))
    return table.sort_values(["z", "term"], ascending=[False, True], kind="stable").reset_index(drop=True)
