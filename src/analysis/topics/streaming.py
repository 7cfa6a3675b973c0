"""Topic models at scale: NMF fitted by mini-batches over a store's paragraphs, and every paragraph
transformed chunk by chunk, in bounded memory.

:class:`StreamingNMF` follows scikit-learn's estimator contract (no logic in ``__init__``, ``fit``
returns ``self``, learned attributes end in ``_``, an integer ``random_state``):

1. the vocabulary and idf weights (TF-IDF, as :class:`analysis.topics.TopicModel` uses for NMF)
   are learned from a seeded uniform sample of ``sample`` paragraphs;
2. scikit-learn's :class:`~sklearn.decomposition.MiniBatchNMF` (Cichocki & Phan 2009; the online
   variant of Mairal et al. 2010) is fitted with ``partial_fit`` over *every* paragraph of the
   store, ``batch_rows`` at a time, ``passes`` times;
3. :func:`transform_paragraphs` yields, batch by batch, each paragraph's topic weights and
   dominant topic; :func:`write_paragraph_topics` writes them as Parquet part files.

Memory is bounded by the sample and the batch, not by the corpus.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Iterator

import numpy as np
import pandas as pd

from .._util.atomic import atomic_write
from ..errors import InputError
from ..store.store import Store


def store_filter(store: Store, token_filter=None):
    """The TokenFilter to read a store's paragraphs with (see :meth:`Store.token_filter`)."""
    return store.token_filter(token_filter)


def sample_paragraphs(store: Store, n: int, *, random_state: int = 0, token_filter=None) -> list[list[str]]:
    """A uniform random sample of ``n`` paragraphs' filtered tokens (seeded), read part by part."""
    total = int(store.documents()["n_paragraphs"].sum())
    rng = np.random.default_rng(random_state)
    chosen = np.sort(rng.choice(total, size=min(n, total), replace=False))
    out, seen = [], 0
    for batch in store.iter_paragraphs(columns=("doc_id", "tokens"), token_filter=token_filter):
        lo, hi = np.searchsorted(chosen, [seen, seen + len(batch)])
        out += [batch["tokens"].iloc[i - seen] for i in chosen[lo:hi]]
        seen += len(batch)
    return out


class StreamingNMF:
    """NMF topics over a store's paragraphs, fitted by mini-batches (see the module docstring).

    Learned: ``vectorizer_``, ``model_``, ``terms_``, ``components_`` (topics × terms), ``labels_``,
    ``n_paragraphs_`` (seen per pass), ``fit_seconds_``, ``provenance_``.
    """

    def __init__(self, n_topics: int = 10, *, random_state: int = 0, sample: int = 20_000, min_df: int | float = 5,
                 max_df: float = 0.5, batch_rows: int = 4096, passes: int = 1, top_n: int = 10, token_filter=None):
        self.n_topics = n_topics
        self.random_state = random_state
        self.sample = sample
        self.min_df = min_df
        self.max_df = max_df
        self.batch_rows = batch_rows
        self.passes = passes
        self.top_n = top_n
        self.token_filter = token_filter

    def fit(self, store: Store) -> "StreamingNMF":
        from sklearn.decomposition import MiniBatchNMF
        from .model import check_n_topics, make_vectorizer
        check_n_topics(self.n_topics)
        start = time.perf_counter()
        token_filter = store_filter(store, self.token_filter)
        sample = sample_paragraphs(store, self.sample, random_state=self.random_state, token_filter=token_filter)
        vectorizer = make_vectorizer("nmf", self.min_df, self.max_df)
        try:
            vectorizer.fit(sample)
        except ValueError as exc:
            raise InputError(f"empty vocabulary after filtering (min_df={self.min_df}, max_df={self.max_df}): {exc}") from exc
        if len(vectorizer.vocabulary_) < self.n_topics:
            raise InputError(f"n_topics={self.n_topics} is more than the {len(vectorizer.vocabulary_)} terms in the sample")
        model = MiniBatchNMF(n_components=self.n_topics, init="nndsvda", batch_size=self.batch_rows,
                             random_state=self.random_state)
        seen = 0
        for _ in range(self.passes):
            seen = 0  # paragraphs of the last pass
            pending: list[list[str]] = []
            for batch in store.iter_paragraphs(columns=("doc_id", "tokens"), token_filter=token_filter,
                                               batch_rows=self.batch_rows):
                pending += list(batch["tokens"])
                while len(pending) >= max(self.batch_rows, self.n_topics):
                    model.partial_fit(vectorizer.transform(pending[:self.batch_rows]))
                    seen += self.batch_rows
                    pending = pending[self.batch_rows:]
            if len(pending) >= self.n_topics or (pending and not hasattr(model, "components_")):
                model.partial_fit(vectorizer.transform(pending))
                seen += len(pending)
        import sklearn
        self.vectorizer_, self.model_, self.token_filter_ = vectorizer, model, token_filter
        self.terms_ = vectorizer.get_feature_names_out()
        self.components_ = model.components_
        self.labels_ = ["/".join(words[:3]) for words in self.top_words()]
        self.n_paragraphs_ = seen
        self.fit_seconds_ = time.perf_counter() - start
        self.provenance_ = {"store": str(store.root), "parts": store.parts, "filter": token_filter.name,
                            "sample": len(sample), "n_terms": len(self.terms_), "passes": self.passes,
                            "params": {k: getattr(self, k) for k in ("n_topics", "random_state", "sample", "min_df",
                                                                      "max_df", "batch_rows", "passes")},
                            "scikit_learn": sklearn.__version__}
        return self

    def top_words(self, n: int | None = None) -> list[list[str]]:
        from .model import top_words
        return top_words(self.terms_, self.components_, n or self.top_n)

    def transform(self, token_lists) -> np.ndarray:
        """Topic weights (paragraphs × topics) of already filtered token lists."""
        return self.model_.transform(self.vectorizer_.transform([list(t) for t in token_lists]))


def transform_paragraphs(store: Store, model: StreamingNMF, which=None, *, batch_rows: int = 20_000) -> Iterator[pd.DataFrame]:
    """Every paragraph of the (selected) documents with its topic weights, batch by batch:
    ``doc_id, paragraph, section, topic`` (dominant topic; -1 when no term of the model occurs),
    ``weight`` (its weight), ``topic_0 … topic_{K-1}``."""
    for batch in store.iter_paragraphs(which, token_filter=model.token_filter_, batch_rows=batch_rows):
        weights = model.transform(batch["tokens"])
        top = weights.argmax(axis=1)
        empty = weights.sum(axis=1) == 0
        frame = batch[["doc_id", "paragraph", "section"]].copy()
        frame["topic"] = np.where(empty, -1, top)
        frame["weight"] = weights[np.arange(len(weights)), top]
        for k in range(weights.shape[1]):
            frame[f"topic_{k}"] = weights[:, k]
        yield frame


def write_paragraph_topics(store: Store, model: StreamingNMF, out: str | Path, *, batch_rows: int = 20_000) -> int:
    """:func:`transform_paragraphs` written to ``out/topics-NNNNN.parquet`` (each file atomic);
    returns the number of paragraphs."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    out = Path(out)
    n = 0
    for i, frame in enumerate(transform_paragraphs(store, model, batch_rows=batch_rows)):
        table = pa.Table.from_pandas(frame, preserve_index=False)
        atomic_write(out / f"topics-{i:05d}.parquet", lambda fh: pq.write_table(table, fh), clean_stale=False)
        n += len(frame)
    return n
