"""The paragraph table of a corpus: every document normalised (:mod:`analysis.text.normalise`) and split
into paragraphs with their section paths (:mod:`analysis.text.structure`), one row per paragraph."""

from __future__ import annotations

import pandas as pd

from .normalise import normalise
from .structure import parse_paragraphs


def paragraph_table(docs: pd.DataFrame, *, text_column: str | None = None) -> pd.DataFrame:
    """One row per paragraph of every document.

    Columns: ``doc_id, collection, year, paragraph, text, section`` (top-level heading or ``""``),
    ``section_path`` (headings joined by `` > ``), ``level`` (heading level or <NA>), ``is_heading``,
    ``n_chars``.  Texts are normalised unless ``text_column`` names a column already normalised.
    """
    rows = []
    for doc in docs.itertuples(index=False):
        text = getattr(doc, text_column) if text_column else normalise(doc.text).text
        for p in parse_paragraphs(text):
            rows.append((doc.doc_id, doc.collection, doc.year, p.index, p.text,
                         p.section_path[0] if p.section_path else "", " > ".join(p.section_path),
                         p.level, p.is_heading, len(p.text)))
    return pd.DataFrame(rows, columns=["doc_id", "collection", "year", "paragraph", "text", "section",
                                       "section_path", "level", "is_heading", "n_chars"]).astype(
        {"year": "Int64", "level": "Int64"})
