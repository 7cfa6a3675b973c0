"""Term frequency: counts, rate per 10,000 tokens and document frequency, per document or group."""

from __future__ import annotations

from functools import singledispatch

import numpy as np
import pandas as pd

from .._util import check
from .dtm import build_dtm, rank_within_groups

PER = 10_000  # rates are per 10,000 tokens


@singledispatch
def term_frequency(docs: pd.DataFrame, *, by: str | None = None, ngram_range: tuple[int, int] = (1, 1),
                   min_count: int = 1) -> pd.DataFrame:
    """One row per (group, term) with raw counts beside the rate.

    ``docs`` is a segmented-documents table; ``by`` a column to group documents by
    (``"year"``, ``"collection"``…; default each document is its own group).  Columns:
    ``group, term, count, total_tokens, per_10k, doc_freq`` (documents of the group that
    contain the term), ``n_docs``, ``rank`` (1 = most frequent in the group).
    Documents whose ``by`` value is missing are left out.
    """
    docs = check.documents(docs, "term_frequency")
    check.column(docs, by, "by", "term_frequency")
    check.integer(min_count, "min_count", "term_frequency", minimum=1)
    if by is not None:
        docs = docs[docs[by].notna()]
    dtm = build_dtm(docs, ngram_range=ngram_range)
    labels = docs["doc_id"].to_numpy() if by is None else docs[by].to_numpy()
    present = dtm.matrix.copy()
    present.data[:] = 1
    return frequency_from_dtm(dtm.group(labels), type(dtm)(present, dtm.index, dtm.terms).group(labels), labels,
                              min_count=min_count)


def frequency_from_dtm(grouped, present, labels, *, min_count: int = 1) -> pd.DataFrame:
    """The table of :func:`term_frequency` from grouped counts and grouped document presence
    (in memory or from an on-disk store, :mod:`analysis.store`); ``labels`` are the documents' groups."""
    n_docs = pd.Series(labels).value_counts(sort=False)
    coo = grouped.matrix.tocoo()
    totals = grouped.totals
    table = pd.DataFrame({
        "group": grouped.index.to_numpy()[coo.row],
        "term": grouped.terms[coo.col],
        "count": coo.data.astype(int),
        "total_tokens": totals[coo.row].astype(int),
    })
    table["per_10k"] = table["count"] / table["total_tokens"] * PER
    table["doc_freq"] = np.asarray(present.matrix[coo.row, coo.col]).ravel().astype(int)
    table["n_docs"] = table["group"].map(n_docs).astype(int)
    return rank_within_groups(table[table["count"] >= min_count], "count", grouped.index)


def top_terms(freq: pd.DataFrame, n: int = 20) -> pd.DataFrame:
    """The ``n`` most frequent terms of each group of a :func:`term_frequency` table."""
    check.integer(n, "n", "top_terms")
    return freq[freq["rank"] <= n].reset_index(drop=True)
