"""Selecting what to compare: a like-for-like reference made of the passages on the same subject.

A municipal justice bureau's Party-building speech set against the State Council's reports on
everything says mostly "another genre": its key terms are its institution's wording.  Setting it
against the reports' *passages on the same subject* — the paragraphs that use the vocabulary of
rule of law and Party building — separates genre from content.  A term that is key against
both references is distinctive in content; a term key only against the whole reports is the
subject matter the speech shares with those passages.
"""

from __future__ import annotations

from typing import Iterable

import numpy as np
import pandas as pd

from .._util import check
from ..corpus.select import select_documents  # noqa: F401  (its home before analysis.corpus.select)
from ..errors import InputError
from ..tokens.nesting import Nesting, count_in_stream


def matching_paragraphs(paragraphs: pd.DataFrame, terms: Iterable[str], *, min_hits: int = 1,
                        nesting: Nesting | None = None) -> np.ndarray:
    """A boolean mask over ``paragraphs``: those whose stream holds at least ``min_hits``
    occurrences of ``terms`` (counted as :func:`analysis.tokens.count_terms` counts: tokens, runs
    of tokens, and nested inside longer formulations with ``nesting``).  Headings never match."""
    terms = [t for t in dict.fromkeys(check.terms(terms, "terms", "matching_paragraphs")) if t]
    if not terms:
        raise InputError("no terms to select paragraphs by")
    check.integer(min_hits, "min_hits", "matching_paragraphs", minimum=1)
    hits = np.array([sum(count_in_stream(s, terms, nesting).values()) for s in paragraphs["stream"]])
    return (hits >= min_hits) & ~paragraphs["is_heading"].to_numpy(dtype=bool)


def like_for_like(paragraphs: pd.DataFrame, reference_ids: Iterable[str], terms: Iterable[str], *,
                  min_hits: int = 1, nesting: Nesting | None = None) -> pd.DataFrame:
    """The reference documents reduced to their paragraphs on the subject of ``terms``.

    Returns a segmented-documents table (``doc_id, collection, year, tokens, n_tokens``) with
    one row per reference document that has such paragraphs, its tokens those paragraphs'
    tokens; ``attrs`` record the terms, ``min_hits``, and how many paragraphs and tokens of the
    reference were kept (``n_paragraphs``, ``n_paragraphs_all``, ``n_tokens_all``).
    """
    ids = set(reference_ids)
    ref = paragraphs[paragraphs["doc_id"].isin(ids)]
    if ref.empty:
        raise InputError(f"no paragraphs for the reference documents {sorted(ids)[:5]}…")
    terms = list(dict.fromkeys(terms))
    chosen = ref[matching_paragraphs(ref, terms, min_hits=min_hits, nesting=nesting)]
    if chosen.empty:
        raise InputError(f"no reference paragraph uses any of {len(terms)} terms {min_hits} time(s) or more")
    from ..tokens.segment import segmented_documents
    docs = segmented_documents(chosen)
    docs.attrs.update(terms=terms, min_hits=min_hits, n_paragraphs=len(chosen), n_paragraphs_all=int(len(ref)),
                      n_tokens_all=int(ref["n_tokens"].sum()), filter=paragraphs.attrs.get("filter", ""))
    return docs
