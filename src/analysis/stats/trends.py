"""Diachronic trends: how often terms occur per year over the reference series, with the
target (the speech) beside them.

Years without any document are gaps (``count`` and ``per_10k`` missing), not zeros;
a year with documents but no occurrence is a zero.
"""

from __future__ import annotations

from functools import singledispatch
from typing import Sequence

import numpy as np
import pandas as pd

from .._util import check
from ..corpus.select import document_mask
from ..counts.dtm import build_dtm
from ..errors import InputError
from ..counts.frequency import PER

TREND_COLUMNS = ["term", "year", "count", "total_tokens", "per_10k", "n_docs", "series"]


def trend_table(counts: pd.DataFrame, docs: pd.DataFrame, *, target=None, years: Sequence[int] | None = None,
                target_label: str | None = None, func: str = "trend_table") -> pd.DataFrame:
    """Build a trend table from per-document counts (rows aligned with ``docs``, one column per term)
    and the documents' ``doc_id``, ``year`` and ``n_tokens``.  Shared by term and formulation trends.

    ``years`` are the years shown: a range or list of years as given, or a (first, last) tuple, one
    year or a string such as ``"2015-2024"`` (every year of that span; :func:`analysis._util.check.year_list`)."""
    years = check.year_list(years, "years", func)
    is_target = document_mask(docs, target, "target", func) if target is not None else np.zeros(len(docs), bool)
    has_year = docs["year"].notna().to_numpy()
    ref = ~is_target & has_year
    if not ref.any():
        raise InputError("no reference documents with a year")
    ref_years = docs.loc[ref, "year"].astype(int)
    if years is None:
        years = range(int(ref_years.min()), int(ref_years.max()) + 1)
    else:
        if not ref_years.isin(years).any():
            raise InputError(f"no reference documents in the years {min(years)}-{max(years)}")
    frames = []
    by_year = counts[ref].groupby(ref_years.to_numpy()).sum()
    tokens = docs.loc[ref, "n_tokens"].groupby(ref_years.to_numpy()).sum()
    n_docs = ref_years.value_counts()
    for term in counts.columns:
        frame = pd.DataFrame({"term": term, "year": list(years)})
        frame["count"] = frame["year"].map(by_year[term]).astype("Int64")
        frame["total_tokens"] = frame["year"].map(tokens).astype("Int64")
        frame["n_docs"] = frame["year"].map(n_docs).fillna(0).astype(int)
        frame["series"] = "reference"
        frames.append(frame)
        if is_target.any():
            tdocs = docs[is_target]
            label = target_label or (tdocs["doc_id"].iloc[0] if len(tdocs) == 1 else "target")
            tyear = tdocs["year"].dropna()
            frames.append(pd.DataFrame({"term": [term], "year": [int(tyear.max()) if len(tyear) else pd.NA],
                                        "count": [int(counts.loc[is_target, term].sum())],
                                        "total_tokens": [int(tdocs["n_tokens"].sum())],
                                        "n_docs": [int(is_target.sum())], "series": [label]}))
    table = pd.concat(frames, ignore_index=True)
    table["year"] = table["year"].astype("Int64")
    table["count"] = table["count"].astype("Int64")
    table["total_tokens"] = table["total_tokens"].astype("Int64")
    table["per_10k"] = (table["count"] / table["total_tokens"] * PER).astype("Float64")
    return table[TREND_COLUMNS]


@singledispatch
def term_trends(docs: pd.DataFrame, terms: Sequence[str], *, target=None, years: Sequence[int] | None = None) -> pd.DataFrame:
    """Count and rate per 10,000 tokens of each term per year (columns ``term, year, count,
    total_tokens, per_10k, n_docs, series``); the ``target`` documents (e.g. ``"speech2025"``)
    form their own series beside the reference years.  A term that occurs nowhere is an error
    (it is probably segmented differently: check it with ``Segmenter.cut``)."""
    docs = check.documents(docs, "term_trends")
    terms = list(dict.fromkeys(check.terms(terms, "terms", "term_trends")))
    if not terms:
        raise InputError("term_trends: no terms given")
    dtm = build_dtm(docs, vocabulary=terms)
    counts = pd.DataFrame(dtm.matrix.toarray(), columns=terms, index=docs.index)
    unknown = [t for t in terms if counts[t].sum() == 0]
    if unknown:
        raise InputError(f"unknown term(s), not a token anywhere in these documents: {unknown}")
    return trend_table(counts, docs, target=target, years=years, func="term_trends")


def first_appearance(trends: pd.DataFrame) -> pd.DataFrame:
    """Per term, over the reference series: first and last year it occurs, years with it, total count,
    and whether the first year can be trusted.

    ``previous_year_in_corpus`` is the last year before ``first_year`` with a reference
    document; ``first_year_uncertain`` is True when the year just before ``first_year`` has no
    document (a gap of the corpus, e.g. no 2020 Government Work Report, so 十四五 "first in 2021"
    may be first in 2020) or ``first_year`` is the first year of the series.  For a collection
    published every few years, compare ``previous_year_in_corpus`` instead (see
    :func:`analysis.claims.first_appearance_all`).
    """
    reference = trends[trends["series"] == "reference"]
    ref = reference[reference["count"] > 0]
    out = ref.groupby("term", sort=False).agg(first_year=("year", "min"), last_year=("year", "max"),
                                              n_years=("year", "nunique"), total_count=("count", "sum"))
    terms = pd.Index(trends["term"].unique(), name="term")
    out = out.reindex(terms)
    out["n_years"] = out["n_years"].fillna(0).astype(int)
    out["total_count"] = out["total_count"].fillna(0).astype(int)
    covered = sorted(set(reference.loc[reference["n_docs"] > 0, "year"].dropna().astype(int)))
    previous, uncertain = [], []
    for first in out["first_year"]:
        if pd.isna(first):
            previous.append(pd.NA)
            uncertain.append(pd.NA)
            continue
        before = [y for y in covered if y < int(first)]
        previous.append(before[-1] if before else pd.NA)
        uncertain.append(not before or before[-1] != int(first) - 1)
    out["previous_year_in_corpus"] = pd.array(previous, dtype="Int64")
    out["first_year_uncertain"] = pd.array(uncertain, dtype="boolean")
    return out.reset_index()
