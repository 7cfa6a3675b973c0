"""Cosine similarity between documents (or sections) in TF-IDF space."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._util import check
from ..counts.dtm import build_dtm
from ..errors import InputError
from .tfidf import tfidf_matrix


def cross_similarity(left: pd.DataFrame, right: pd.DataFrame, *, tf: str = "raw", idf: str = "smooth") -> pd.DataFrame:
    """Cosine similarity of every document of ``left`` with every document of ``right``
    (segmented-documents tables), TF-IDF fitted on both together, rows L2-normalised.

    Columns: ``left, right, right_year, cosine``.
    """
    if len(left) == 0 or len(right) == 0:
        raise InputError("both sides need at least one document")
    both = pd.concat([left.assign(_side="l"), right.assign(_side="r")], ignore_index=True)
    both["doc_id"] = both["_side"] + ":" + both["doc_id"].astype(str)
    weighted, _ = tfidf_matrix(build_dtm(both), tf=tf, idf=idf, norm="l2")
    n = len(left)
    sims = (weighted[:n] @ weighted[n:].T).toarray()
    years = right["year"] if "year" in right else pd.Series([pd.NA] * len(right))
    return pd.DataFrame({
        "left": np.repeat(left["doc_id"].to_numpy(), len(right)),
        "right": np.tile(right["doc_id"].to_numpy(), n),
        "right_year": pd.array(np.tile(years.to_numpy(), n), dtype="Int64"),
        "cosine": sims.ravel(),
    })


def similarity_to(docs: pd.DataFrame, target: str, **scheme) -> pd.DataFrame:
    """Cosine similarity of document ``target`` to every other document of ``docs``, by year."""
    if not isinstance(target, str):
        raise check.fail("similarity_to", "target", "a doc_id (a string)", target)
    is_target = docs["doc_id"] == target
    if not is_target.any():
        raise InputError(f"unknown target document {target!r}")
    table = cross_similarity(docs[is_target], docs[~is_target], **scheme)
    return table.rename(columns={"right": "doc_id", "right_year": "year"}).drop(columns="left")
