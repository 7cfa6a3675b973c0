"""Document-term matrices from segmented documents (segment once, count many times).

scikit-learn's ``CountVectorizer`` with a module-level analyzer (a lambda cannot be
pickled) takes the already-segmented token lists.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer

from .._util import check
from ..errors import InputError


def identity(tokens):
    """Analyzer for pre-segmented documents: the tokens are the features."""
    return tokens


class NgramAnalyzer:
    """Analyzer producing token n-grams, joined by a space (``深化 改革``); picklable."""

    def __init__(self, ngram_range: tuple[int, int] = (1, 1)):
        self.ngram_range = ngram_range

    def __call__(self, tokens: Sequence[str]) -> list[str]:
        lo, hi = self.ngram_range
        out = []
        for n in range(lo, hi + 1):
            out += tokens if n == 1 else [" ".join(tokens[i:i + n]) for i in range(len(tokens) - n + 1)]
        return out


@dataclass
class DTM:
    """A sparse document-term matrix with its row labels and vocabulary."""

    matrix: sp.csr_matrix
    index: pd.Index
    terms: np.ndarray

    @property
    def totals(self) -> np.ndarray:
        """Tokens per row."""
        return np.asarray(self.matrix.sum(axis=1)).ravel()

    def column(self, term: str) -> np.ndarray:
        idx = np.flatnonzero(self.terms == term)
        return np.asarray(self.matrix[:, idx[0]].todense()).ravel() if len(idx) else np.zeros(len(self.index), int)

    def group(self, labels: Sequence) -> "DTM":
        """Sum rows that share a label (e.g. documents → years), labels in order of first appearance."""
        codes, uniques = pd.factorize(pd.Series(list(labels)), sort=False)
        indicator = sp.csr_matrix((np.ones(len(codes)), (codes, np.arange(len(codes)))), shape=(len(uniques), len(codes)))
        return DTM(sp.csr_matrix(indicator @ self.matrix).astype(self.matrix.dtype), pd.Index(uniques), self.terms)

    def to_frame(self) -> pd.DataFrame:
        """Dense table (rows × terms): for small matrices and inspection."""
        return pd.DataFrame(self.matrix.toarray(), index=self.index, columns=self.terms)


def rank_within_groups(table: pd.DataFrame, value: str, groups: Sequence) -> pd.DataFrame:
    """Sort a tidy ``group, term, …`` table by ``groups`` order, then ``value`` descending (ties by
    term), and number the rows of each group from 1 in a ``rank`` column."""
    order = {g: i for i, g in enumerate(groups)}
    table = table.assign(_order=table["group"].map(order))
    table = table.sort_values(["_order", value, "term"], ascending=[True, False, True], kind="stable")
    table["rank"] = table.groupby("_order", sort=False).cumcount() + 1
    return table.drop(columns="_order").reset_index(drop=True)


def build_dtm(docs: pd.DataFrame | pd.Series, *, ngram_range: tuple[int, int] = (1, 1),
              vocabulary: Sequence[str] | None = None, min_df: int = 1) -> DTM:
    """Count tokens (or n-grams) per document.

    ``docs`` is a segmented-documents table (columns ``doc_id``, ``tokens``; see
    :func:`analysis.segment.segmented_documents`) or a Series of token lists.
    """
    if isinstance(docs, pd.DataFrame):
        if missing := [c for c in ("doc_id", "tokens") if c not in docs.columns]:
            raise InputError(f"build_dtm: the documents table has no {' or '.join(map(repr, missing))} column "
                             f"(columns: {', '.join(map(str, docs.columns))}); segment the texts first")
        series = pd.Series(list(docs["tokens"]), index=pd.Index(docs["doc_id"], name="doc_id"))
    elif isinstance(docs, pd.Series):
        series = docs
    else:
        raise check.fail("build_dtm", "docs", "a segmented-documents table or a Series of token lists", docs)
    check.token_lists(series, "tokens", "build_dtm")
    ngram_range = check.ngram_range(ngram_range, func="build_dtm")
    check.integer(min_df, "min_df", "build_dtm", minimum=1)
    if vocabulary is not None:
        vocabulary = check.terms(vocabulary, "vocabulary", "build_dtm")
    if len(series) == 0:
        raise InputError("no documents to count")
    analyzer = identity if tuple(ngram_range) == (1, 1) else NgramAnalyzer(tuple(ngram_range))
    vectorizer = CountVectorizer(analyzer=analyzer, vocabulary=vocabulary, min_df=min_df, lowercase=False)
    try:
        matrix = vectorizer.fit_transform(list(series))
    except ValueError as exc:  # empty vocabulary
        raise InputError(f"no terms to count: {exc}") from exc
    return DTM(sp.csr_matrix(matrix), pd.Index(series.index), vectorizer.get_feature_names_out())
