"""The steps every study repeats, in one call: load, normalise, structure, segment, aggregate.

>>> from analysis.pipeline import prepare
>>> corpus = prepare()                                   # the study corpus, segmented (cached)
>>> ref = corpus.select(collection="gwr", years=(2015, 2024))   # a boolean mask over corpus.documents
>>> mine = prepare(load_corpus("my_texts/"))             # the same for your own corpus
>>> loose = corpus.with_filter(TokenFilter("none", min_chars=1))   # another filter, no re-segmentation

One corpus, one filter: ``corpus.filter`` decides what ``corpus.documents`` and
``corpus.paragraphs["tokens"]`` count, and ``corpus.filter.name`` is what a caption states.
The unfiltered ``stream`` of every paragraph stays beside it (for concordances, collocations,
nested term counts).
"""

from __future__ import annotations

import warnings
from pathlib import Path
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._util import check
from ..corpus import ensure_unique_ids, load_default_corpus
from ..corpus.select import select_documents
from ..errors import CorpusWarning
from ..lexicon.terms import Lexicon
from .segment import Segmenter, apply_filter, check_texts, segmented_documents
from .nesting import TokenFilter, term_matrix

#: The filter the study counts with unless a notebook says why not: stopwords-iso's Chinese list,
#: tokens of two or more characters, no numbers, no punctuation (lexicon terms always kept).
STUDY_FILTER = TokenFilter("standard", min_chars=2, numbers=False, punct=False)


@dataclass
class SegmentedCorpus:
    """Raw documents, their segmented paragraphs and segmented documents, row-aligned by ``doc_id``.

    ``paragraphs`` has the unfiltered ``stream`` and the filtered ``tokens`` of every paragraph;
    ``documents`` the filtered tokens of every document (``n_tokens`` = its total under ``filter``).
    ``learned``: the learned-terms table used in segmentation and its TSV path, when terms were learned.
    """

    docs: pd.DataFrame
    paragraphs: pd.DataFrame
    documents: pd.DataFrame
    segmenter: Segmenter
    learned: tuple[pd.DataFrame, Path] | None = None

    def select(self, *, collection: str | None = None, years: tuple[int, int] | None = None,
               doc_ids=None, exclude=None) -> np.ndarray:
        """A boolean mask over :attr:`documents` (and a valid ``target``/``reference`` for statistics)."""
        return select_documents(self.documents, collection=collection, years=years, doc_ids=doc_ids, exclude=exclude)

    @property
    def filter(self) -> TokenFilter:
        """The token filter behind ``tokens`` and every count made from them."""
        return self.segmenter.filter

    def with_filter(self, token_filter: TokenFilter) -> "SegmentedCorpus":
        """The same corpus counted with another filter (lexicon terms stay protected); the streams
        are shared, nothing is segmented again."""
        seg = self.segmenter.with_filter(token_filter)
        paragraphs = apply_filter(self.paragraphs, seg.filter)
        return SegmentedCorpus(self.docs, paragraphs, segmented_documents(paragraphs), seg, self.learned)

    def count(self, terms, *, by: str = "doc_id", nested: bool = True) -> pd.DataFrame:
        """Occurrences of ``terms`` per document (or ``by`` group) in the unfiltered streams, as a
        token, a run of tokens, or (``nested``) inside a longer formulation; never across a word
        boundary.  Rows follow :attr:`documents` when ``by="doc_id"``."""
        check.column(self.paragraphs, by, "by", "SegmentedCorpus.count", none=False)
        table = term_matrix(self.paragraphs, check.terms(terms, "terms", "SegmentedCorpus.count"),
                            self.segmenter.nesting if nested else None, by=by)
        if by == "doc_id":
            table = table.reindex(self.documents["doc_id"], fill_value=0)
        return table

    def nested_documents(self) -> pd.DataFrame:
        """:attr:`documents` with each token followed by the units nested inside it (发展 after
        高质量发展, 依法治国 after 全面依法治国) that the filter keeps; ``n_tokens`` stays the token
        total.  Use it for counts in which a word inside a formulation counts too."""
        nesting, keep = self.segmenter.nesting, self.filter.keep
        docs = self.documents.copy()
        docs["tokens"] = [nesting.expand(toks, keep) for toks in docs["tokens"]]
        docs.attrs.update(filter=self.filter.name + ", nested units counted", nested=True)
        return docs

    def paragraphs_of(self, mask: np.ndarray) -> pd.DataFrame:
        ids = set(self.documents.loc[mask, "doc_id"])
        return self.paragraphs[self.paragraphs["doc_id"].isin(ids)]

    def text_of(self, doc_id: str) -> str:
        """The normalised text of one document, paragraphs joined by newlines."""
        return "\n".join(self.paragraphs.loc[self.paragraphs["doc_id"] == doc_id, "text"])


#: Thresholds for the terms learned from the corpus being analysed (:func:`analysis.learn.learn_terms`):
#: the "strict" setting of ``make lexicon-eval`` — fewer terms, more of them genuine (see the README).
STUDY_LEARN = {"min_npmi": 0.6, "min_entropy": 1.5, "min_count": 10}


def study_segmenter(docs: pd.DataFrame, *, learn: bool | dict = True, **segmenter_options):
    """The segmenter :func:`prepare` makes for ``docs`` when it is given none: the lexicon
    (``lexicon=``, default the shipped one) plus the terms learned from ``docs`` (unless ``learn``
    is False); ``(segmenter, learned table or None)``.  :func:`analysis.store.index` uses it for the
    study corpus, so that a store of it counts what the notebooks count."""
    lexicon = segmenter_options.pop("lexicon", None)
    lexicon = Lexicon.load() if lexicon is None else lexicon  # an empty lexicon is a choice, not a default
    learned = None
    if learn:
        check_texts(docs)  # before learning from them (segment() checks them too)
        from .learn import as_lexicon, learned_table
        params = STUDY_LEARN if learn is True else dict(learn)
        learned = learned_table(list(docs["text"]), lexicon, **params)
        lexicon = lexicon + as_lexicon(learned[0])
    return Segmenter(lexicon, **segmenter_options), learned


def prepare(docs: pd.DataFrame | None = None, segmenter: Segmenter | None = None, *,
            filter: TokenFilter | None = None, learn: bool | dict = True, progress: bool | None = None,
            **segmenter_options) -> SegmentedCorpus:
    """Segment ``docs`` (default: the study corpus) and aggregate paragraphs to documents.

    ``filter`` is the token filter counts are made with (default: the study's,
    :data:`STUDY_FILTER`); ``segmenter_options`` go to :class:`~analysis.segment.Segmenter`
    (``stopwords="genre"`` etc. are shorthands for a filter; ``lexicon=`` your own lexicon).

    ``learn`` (default True): multiword terms no lexicon lists are learned from ``docs``
    themselves (:func:`analysis.learn.learned_lexicon` with :data:`STUDY_LEARN`, or the
    thresholds you pass as a dict), cached as a reviewable TSV under ``.cache/learned/`` (set a
    term's ``keep`` to ``no`` to veto it), and added to the lexicon, so they come out whole and
    count as nested terms.  ``learn=False`` segments with the lexicon alone.  Ignored when a
    ``segmenter`` is given.
    """
    if filter is not None:
        segmenter_options["filter"] = filter
    if docs is None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CorpusWarning)
            docs = load_default_corpus()
    if not isinstance(docs, pd.DataFrame):
        raise check.fail("prepare", "docs", "a documents table (a DataFrame with doc_id and text columns) or None", docs,
                         "read files with analysis.corpus.load_corpus(path) first")
    docs = ensure_unique_ids(docs)  # two documents with one id would be merged below: refuse
    learned = None
    if segmenter is None:
        segmenter, learned = study_segmenter(docs, learn=learn, **segmenter_options)
    paragraphs = segmenter.segment(docs, progress=progress)
    documents = segmented_documents(paragraphs)
    return SegmentedCorpus(docs.reset_index(drop=True), paragraphs, documents, segmenter, learned)
