"""TF-IDF, per document or per group, with the weighting scheme named.

Scheme (SMART-style names; the defaults are scikit-learn's ``TfidfVectorizer`` defaults):

``tf``     ``"raw"`` count, or ``"sublinear"`` 1 + ln(count)
``idf``    ``"smooth"`` ln((1 + N) / (1 + df)) + 1, ``"plain"`` ln(N / df) + 1, or ``"none"``
``norm``   ``"l2"``, ``"l1"`` or ``"none"`` (each row scaled to unit length)
"""

from __future__ import annotations

from functools import singledispatch

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .._util import check
from .._util.moved import renamed
from ..counts.dtm import DTM, build_dtm, rank_within_groups
from ..errors import InputError

SCHEMES = {"tf": ("raw", "sublinear"), "idf": ("smooth", "plain", "none"), "norm": ("l2", "l1", "none")}


def tfidf_matrix(dtm: DTM, *, tf: str = "raw", idf: str = "smooth", norm: str = "l2") -> tuple[sp.csr_matrix, np.ndarray]:
    """Weighted matrix and the idf vector for a document-term matrix."""
    for name, value in (("tf", tf), ("idf", idf), ("norm", norm)):
        if value not in SCHEMES[name]:
            raise InputError(f"unknown {name} weighting {value!r}; choose one of {SCHEMES[name]}")
    counts = sp.csr_matrix(dtm.matrix, dtype=float)
    n_docs = counts.shape[0]
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    idf_vec = {"smooth": lambda: np.log((1 + n_docs) / (1 + df)) + 1,
               "plain": lambda: np.log(n_docs / np.maximum(df, 1)) + 1,
               "none": lambda: np.ones(counts.shape[1])}[idf]()
    weighted = counts.copy()
    if tf == "sublinear":
        weighted.data = 1 + np.log(weighted.data)
    weighted = sp.csr_matrix(weighted.multiply(idf_vec[np.newaxis, :]))
    if norm != "none":
        lengths = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1)).ravel()) if norm == "l2" \
            else np.asarray(abs(weighted).sum(axis=1)).ravel()
        lengths[lengths == 0] = 1
        weighted = sp.csr_matrix(sp.diags(1 / lengths) @ weighted)
    return weighted, idf_vec


@singledispatch
@renamed(top="n")
def tfidf(docs: pd.DataFrame, *, by: str | None = None, n: int | None = 20, min_count: int = 1,
          tf: str = "raw", idf: str = "smooth", norm: str = "l2", exclude_ubiquitous: bool = False) -> pd.DataFrame:
    """Distinctive terms of each document (or each ``by`` group, e.g. per year).

    Columns: ``group, term, count, total_tokens, df`` (groups containing the term), ``n_groups``,
    ``ubiquitous`` (``df == n_groups``), ``idf, tfidf, rank, scheme``; the ``n`` terms per
    group by TF-IDF (all with ``n=None``).

    With the smooth or plain idf a term used in every group keeps idf 1 (not 0), so a frequent
    shared word (坚持, 工作) can top a group's ranking: TF-IDF then ranks frequency, not
    distinctiveness.  ``exclude_ubiquitous=True`` drops such terms before ranking (the scheme
    label says so), which is what a "most distinctive terms" chart should show.
    """
    docs = check.documents(docs, "tfidf")
    check.column(docs, by, "by", "tfidf")
    if by is not None:
        docs = docs[docs[by].notna()]
    dtm = build_dtm(docs)
    if by is not None:
        dtm = dtm.group(docs[by].to_numpy())
    return tfidf_from_dtm(dtm, n=n, min_count=min_count, tf=tf, idf=idf, norm=norm,
                          exclude_ubiquitous=exclude_ubiquitous)


@renamed(top="n")
def tfidf_from_dtm(dtm, *, n: int | None = 20, min_count: int = 1, tf: str = "raw", idf: str = "smooth",
                   norm: str = "l2", exclude_ubiquitous: bool = False) -> pd.DataFrame:
    """The table of :func:`tfidf` from a (grouped) document-term matrix already made (in memory or
    from an on-disk store, :mod:`analysis.store`)."""
    check.integer(n, "n", "tfidf", none=True)
    check.integer(min_count, "min_count", "tfidf", minimum=1)
    weighted, idf_vec = tfidf_matrix(dtm, tf=tf, idf=idf, norm=norm)
    counts = dtm.matrix.tocoo()
    w = weighted.tocsr()
    df = np.bincount(dtm.matrix.tocsr().indices, minlength=len(dtm.terms))
    table = pd.DataFrame({
        "group": dtm.index.to_numpy()[counts.row],
        "term": dtm.terms[counts.col],
        "count": counts.data.astype(int),
        "total_tokens": dtm.totals[counts.row].astype(int),
        "df": df[counts.col],
        "n_groups": len(dtm.index),
        "ubiquitous": df[counts.col] == len(dtm.index),
        "idf": idf_vec[counts.col],
        "tfidf": np.asarray(w[counts.row, counts.col]).ravel(),
    })
    keep = table["count"] >= min_count
    if exclude_ubiquitous:
        keep &= ~table["ubiquitous"]
    table = rank_within_groups(table[keep], "tfidf", dtm.index)
    table["scheme"] = f"tf={tf}, idf={idf}, norm={norm}" + (", terms in every group excluded" if exclude_ubiquitous else "")
    return table[table["rank"] <= n].reset_index(drop=True) if n else table
