"""Concordance (keyword in context) over normalised paragraphs."""

from __future__ import annotations

import pandas as pd

from .._util import check
from ..errors import InputError


def kwic(paragraphs: pd.DataFrame, term: str, *, window: int = 15) -> pd.DataFrame:
    """Every occurrence of ``term`` with ``window`` characters either side.

    ``paragraphs`` is a (segmented) paragraph table.  Columns: ``doc_id, year, section,
    paragraph, left, match, right``.  Matching is on the normalised text, so it finds a term
    however it was segmented.
    """
    if not isinstance(term, str):
        raise check.fail("kwic", "term", "a term (a string)", term)
    if not term.strip():
        raise InputError("kwic needs a non-empty term")
    check.integer(window, "window", "kwic")
    rows = []
    for doc_id, year, section, para, text in paragraphs[["doc_id", "year", "section", "paragraph", "text"]].itertuples(index=False):
        start = text.find(term)
        while start != -1:
            end = start + len(term)
            rows.append((doc_id, year, section, para, text[max(0, start - window):start], term, text[end:end + window]))
            start = text.find(term, end)
    return pd.DataFrame(rows, columns=["doc_id", "year", "section", "paragraph", "left", "match", "right"]).astype({"year": "Int64"})
