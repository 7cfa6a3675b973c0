"""The steps every study repeats, in one call: load, normalise, structure, segment, aggregate.

>>> from analysis.pipeline import prepare
>>> corpus = prepare()                                   # the study corpus, segmented (cached)
>>> ref = corpus.select(collection="gwr", years=(2015, 2024))   # a boolean mask over corpus.documents
>>> mine = prepare(load_corpus("my_texts/"))             # the same for your own corpus
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .corpus import load_default_corpus
from .errors import CorpusWarning, InputError
from .segment import Segmenter, segmented_documents


@dataclass
class SegmentedCorpus:
    """Raw documents, their segmented paragraphs and segmented documents, row-aligned by ``doc_id``."""

    docs: pd.DataFrame
    paragraphs: pd.DataFrame
    documents: pd.DataFrame
    segmenter: Segmenter

    def select(self, *, collection: str | None = None, years: tuple[int, int] | None = None,
               doc_ids=None, exclude=None) -> np.ndarray:
        """A boolean mask over :attr:`documents` (and a valid ``target``/``reference`` for statistics)."""
        d = self.documents
        mask = np.ones(len(d), bool)
        if collection is not None:
            mask &= (d["collection"] == collection).to_numpy()
        if years is not None:
            mask &= d["year"].between(*years).fillna(False).to_numpy(dtype=bool)
        if doc_ids is not None:
            mask &= d["doc_id"].isin([doc_ids] if isinstance(doc_ids, str) else doc_ids).to_numpy()
        if exclude is not None:
            mask &= ~d["doc_id"].isin([exclude] if isinstance(exclude, str) else exclude).to_numpy()
        if not mask.any():
            raise InputError(f"no documents with collection={collection!r}, years={years}, doc_ids={doc_ids!r}")
        return mask

    def paragraphs_of(self, mask: np.ndarray) -> pd.DataFrame:
        ids = set(self.documents.loc[mask, "doc_id"])
        return self.paragraphs[self.paragraphs["doc_id"].isin(ids)]

    def text_of(self, doc_id: str) -> str:
        """The normalised text of one document, paragraphs joined by newlines."""
        return "\n".join(self.paragraphs.loc[self.paragraphs["doc_id"] == doc_id, "text"])


def prepare(docs: pd.DataFrame | None = None, segmenter: Segmenter | None = None, **segmenter_options) -> SegmentedCorpus:
    """Segment ``docs`` (default: the study corpus) and aggregate paragraphs to documents."""
    if docs is None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CorpusWarning)
            docs = load_default_corpus()
    seg = segmenter or Segmenter(**segmenter_options)
    paragraphs = seg.segment(docs)
    documents = segmented_documents(paragraphs)
    return SegmentedCorpus(docs.reset_index(drop=True), paragraphs, documents, seg)
