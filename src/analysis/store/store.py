"""Reading an indexed store: :class:`Store` (documents, vocabulary, selections, sparse counts,
statistics, token streams) and :func:`open_store`.

Statistics: term frequency, TF-IDF, keyness and trends read only the sparse counts, part by part,
summed per group as they are read (memory ∝ groups × terms); keyness and TF-IDF then run the
table code of :mod:`analysis.stats.keyness` and :mod:`analysis.stats.tfidf` on that matrix
(:func:`analysis.stats.keyness.keyness_from_dtm`, :func:`analysis.stats.tfidf.tfidf_from_dtm`: the
same code as the in-memory functions), so the tables equal the in-memory ones.  Selections are
:mod:`analysis.corpus.select`'s.  Topic models at scale: :mod:`analysis.topics.streaming`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Iterator, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ..corpus.select import document_mask, select_documents, select_pair
from .._util.moved import renamed
from ..errors import CorpusError, InputError
from ..tokens.segment import Segmenter
from .files import (DOC_COLUMNS, MANIFEST, _damaged, _dictionary_column, _part_path, _problem, _read_manifest,
                    _read_part, _vocabulary_path)

if TYPE_CHECKING:
    from ..counts.dtm import DTM


class Store:
    """An indexed corpus on disk.  ``Store(path)`` opens it; nothing is read until asked for.

    >>> store = Store("gwr_store")
    >>> docs = store.documents()                           # one row per document, no tokens
    >>> table = store.keyness("speech2025", store.select(collection="gwr", years=(2015, 2024)))
    """

    def __init__(self, path: str | Path, manifest: dict | None = None):
        self.root = Path(path)
        manifest = manifest or _read_manifest(self.root)
        if manifest is None:
            raise CorpusError(f"{self.root}: not a store (no {MANIFEST}); build one with `analysis index`")
        self.manifest = manifest
        self._documents: pd.DataFrame | None = None
        self._vocabularies: dict[str, pd.DataFrame] = {}

    def __repr__(self) -> str:
        parts = self.manifest["parts"].values()
        return (f"Store({str(self.root)!r}: {sum(p['n_docs'] for p in parts)} documents, "
                f"{sum(p['n_chars'] for p in parts):,} characters, {len(parts)} parts)")

    @property
    def parts(self) -> list[str]:
        """Committed parts in corpus order (run by run, chunk by chunk)."""
        return sorted(self.manifest["parts"], key=lambda p: (self.manifest["parts"][p].get("order", [0, 0]), p))

    def _file(self, kind: str, part: str, fkey: str | None = None) -> Path:
        return _part_path(self.root, kind, part, fkey)

    def _read(self, kind: str, part: str, fkey: str | None = None, columns: Sequence[str] | None = None) -> pa.Table:
        """One part file as a table; a missing or damaged file is a CorpusError naming it."""
        return _read_part(self.root, self._file(kind, part, fkey), kind, columns)

    def _doc_keys(self) -> tuple[list[str], list[str]]:
        ids, keys = [], []
        for part in self.parts:
            table = self._read("documents", part, columns=["doc_id", "key"])
            ids += table["doc_id"].to_pylist()
            keys += table["key"].to_pylist()
        return ids, keys

    # -------------------------------------------------------------- tables
    def documents(self) -> pd.DataFrame:
        """One row per document (corpus order within parts): the metadata, ``n_chars``, ``n_tokens``
        (the unfiltered stream), ``key``, ``part``; ``duplicate_of`` the first document with the same text."""
        if self._documents is None:
            frames = [self._read("documents", p).to_pandas().assign(part=p) for p in self.parts]
            docs = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=DOC_COLUMNS + ["part"])
            docs["doc_id"] = docs["doc_id"].astype(str)
            docs["year"] = docs["year"].astype("Int64")
            first = docs.drop_duplicates("key").set_index("key")["doc_id"]
            dup = docs["key"].map(first)
            docs["duplicate_of"] = dup.where(dup != docs["doc_id"]).astype("string")
            self._documents = docs
        return self._documents

    def filter_key(self, token_filter=None) -> str:
        """The counts folder of ``token_filter`` (a TokenFilter, its name, or None for the default)."""
        if isinstance(token_filter, str) and token_filter in self.manifest["filters"]:
            return token_filter
        if token_filter is None:
            return self.manifest["default_filter"]
        filters = self.manifest["filters"]
        if isinstance(token_filter, str):
            hits = [k for k, v in filters.items() if token_filter in (k, v["name"])]
        else:  # the same filter, or (by name) the same filter with the lexicon protected, as index() does
            hits = ([k for k, v in filters.items() if v["fingerprint"] == token_filter.fingerprint]
                    or [k for k, v in filters.items() if v["name"] == token_filter.name])
        if len(hits) > 1:
            raise InputError(f"{self.root}: several filters are named {hits!r}; pass the TokenFilter itself")
        if not hits:
            known = "; ".join(v["name"] for v in filters.values())
            raise InputError(f"{self.root}: no counts for filter {getattr(token_filter, 'name', token_filter)!r} "
                             f"(the store has: {known}); add them with add_filter()")
        return hits[0]

    def filter_name(self, token_filter=None) -> str:
        return self.manifest["filters"][self.filter_key(token_filter)]["name"]

    def vocabulary(self, token_filter=None) -> pd.DataFrame:
        """``term_id, term, count, doc_freq`` over the whole store, for one filter."""
        fkey = self.filter_key(token_filter)
        if fkey not in self._vocabularies:
            path = _vocabulary_path(self.root, fkey)
            self._vocabularies[fkey] = _read_part(self.root, path, "vocabulary").to_pandas()
        return self._vocabularies[fkey].copy()

    def select(self, *, collection: str | None = None, years: tuple[int, int] | None = None,
               doc_ids=None, exclude=None) -> np.ndarray:
        """A boolean mask over :meth:`documents` (as :meth:`analysis.tokens.SegmentedCorpus.select`)."""
        return select_documents(self.documents(), collection=collection, years=years, doc_ids=doc_ids, exclude=exclude)

    def mask(self, which, role: str = "selection") -> np.ndarray:
        """A doc_id, list of doc_ids, boolean mask or callable on :meth:`documents` as a mask."""
        return document_mask(self.documents(), which, role)

    # -------------------------------------------------------------- sparse counts
    def scan_counts(self, rows: pd.Series, token_filter=None) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """Sparse counts of the documents in ``rows`` (a Series doc_id → row number), part by part:
        ``(row, term_id, count)`` arrays, term ids from :meth:`vocabulary`.  Only parts holding
        one of the documents are read."""
        fkey = self.filter_key(token_filter)
        vocab = pa.array(self.vocabulary(fkey)["term"].astype(str).tolist(), pa.string())
        docs = self.documents()
        for part in docs.loc[docs["doc_id"].isin(rows.index), "part"].unique():
            table = self._read("counts", part, fkey)
            row = rows.reindex(table["doc_id"].to_numpy(zero_copy_only=False)).to_numpy()
            hit = ~np.isnan(row)
            term = _dictionary_column(table, "term")
            ids = pc.index_in(term.dictionary, value_set=vocab).to_numpy(zero_copy_only=False)
            term_id = ids[term.indices.to_numpy(zero_copy_only=False)]
            yield row[hit].astype(np.int64), term_id[hit].astype(np.int64), table["count"].to_numpy()[hit]

    def dtm(self, which=None, *, by: str | Sequence | None = None, token_filter=None,
            binary: bool = False, drop_unused: bool = False) -> "DTM":
        """Document-term matrix of the selected documents (default all), rows summed per ``by``
        group (a column of :meth:`documents` or labels aligned with the selection); ``binary``
        counts documents that contain each term instead (document frequency per group).
        Built part by part; memory ∝ groups × terms, not tokens.  ``drop_unused`` keeps only the
        terms the selection uses."""
        (matrix,) = self._dtms(which, by, token_filter, (binary,), drop_unused)
        return matrix

    def _dtms(self, which, by, token_filter, binaries: Sequence[bool], drop_unused: bool = False) -> list["DTM"]:
        """:meth:`dtm` with each of ``binaries``, from one pass over the count files."""
        import scipy.sparse as sp
        from ..counts.dtm import DTM
        docs = self.documents()
        sel = docs if which is None else docs[self.mask(which)]
        if by is None:
            labels = sel["doc_id"].to_numpy()
        elif isinstance(by, str):
            labels = sel[by].to_numpy()
        else:
            labels = np.asarray(by)
        codes, groups = pd.factorize(pd.Series(labels), sort=False)
        rows = pd.Series(codes, index=sel["doc_id"].to_numpy(), dtype=float)
        rows = rows[rows >= 0]
        terms = self.vocabulary(token_filter)["term"].astype(str).to_numpy(dtype=object)
        shape = (len(groups), len(terms))
        matrices = [sp.csr_matrix(shape, dtype=np.int64) for _ in binaries]
        for row, term, count in self.scan_counts(rows, token_filter):
            for i, binary in enumerate(binaries):
                data = np.ones(len(row), np.int64) if binary else count.astype(np.int64)
                matrices[i] = matrices[i] + sp.csr_matrix((data, (row, term)), shape=shape)
        out = []
        for matrix in matrices:
            kept = terms
            if drop_unused:  # only the terms these documents use, as a vectorizer fitted on them has
                used = np.flatnonzero(np.asarray(matrix.sum(axis=0)).ravel() > 0)
                matrix, kept = matrix[:, used], terms[used]
            out.append(DTM(sp.csr_matrix(matrix), pd.Index(groups), kept))
        return out

    # -------------------------------------------------------------- statistics
    def term_frequency(self, which=None, *, by: str | None = None, token_filter=None,
                       min_count: int = 1) -> pd.DataFrame:
        """:func:`analysis.counts.term_frequency` from the store: ``group, term, count,
        total_tokens, per_10k, doc_freq, n_docs, rank``."""
        from ..counts.frequency import frequency_from_dtm
        docs = self.documents()
        sel = docs if which is None else docs[self.mask(which)]
        if by is not None:
            sel = sel[sel[by].notna()]
        labels = sel["doc_id"].to_numpy() if by is None else sel[by].to_numpy()
        ids = sel["doc_id"].tolist()
        grouped, present = self._dtms(ids, labels, token_filter, (False, True))  # one read of the counts
        table = frequency_from_dtm(grouped, present, labels, min_count=min_count)
        table.attrs["filter"] = self.filter_name(token_filter)
        return table

    @renamed(top="n")
    def tfidf(self, which=None, *, by: str | None = None, token_filter=None, n: int | None = 20,
              min_count: int = 1, tf: str = "raw", idf: str = "smooth", norm: str = "l2",
              exclude_ubiquitous: bool = False) -> pd.DataFrame:
        """:func:`analysis.stats.tfidf` from the store (documents or ``by`` groups as rows): the same
        table, via :func:`tfidf_from_dtm`."""
        docs = self.documents()
        sel = docs if which is None else docs[self.mask(which)]
        if by is not None:
            sel = sel[sel[by].notna()]
        dtm = self.dtm(sel["doc_id"].tolist(), by=None if by is None else sel[by].to_numpy(),
                       token_filter=token_filter, drop_unused=True)
        from ..stats.tfidf import tfidf_from_dtm
        table = tfidf_from_dtm(dtm, n=n, min_count=min_count, tf=tf, idf=idf, norm=norm,
                               exclude_ubiquitous=exclude_ubiquitous)
        table.attrs["filter"] = self.filter_name(token_filter)
        return table

    def keyness(self, target, reference=None, *, token_filter=None, units=None, **options) -> pd.DataFrame:
        """:func:`analysis.stats.keyness` from the store's sparse counts: the same columns and numbers.

        ``target``/``reference`` as there (doc_id, list, mask over :meth:`documents`, callable);
        ``options`` as there (``measure``, ``yates``, ``min_target``, ``min_count``, ``correction``,
        ``exact``, ``n_boot``, ``random_state``, ``resample``, ``alpha``, ``min_units``).  ``units``:
        a units table as there, or ``"paragraphs"`` for the target's paragraphs read from the store
        (with ``token_filter``, a :class:`~analysis.tokens.TokenFilter`; default the segmenter's).
        The document-term matrix of the selected documents is built from their sparse counts (no
        token list is read), then :func:`keyness_from_dtm` does what ``keyness`` does with its own."""
        docs = self.documents()
        is_target, is_reference = select_pair(docs, target, reference)
        sub = docs[is_target | is_reference]
        in_target = is_target[is_target | is_reference]
        fkey = self.filter_key(token_filter)
        dtm = self.dtm(is_target | is_reference, token_filter=fkey, drop_unused=True)
        if isinstance(units, str):
            if units != "paragraphs":
                raise InputError(f"units must be a table or 'paragraphs', not {units!r}")
            ids = sub.loc[in_target, "doc_id"].tolist()
            units = pd.concat(self.iter_paragraphs(ids, columns=("doc_id", "paragraph", "tokens"),
                                                   token_filter=self.token_filter(token_filter)), ignore_index=True)
        from ..stats.keyness import keyness_from_dtm  # statistics imported on demand: workers never load scipy
        table = keyness_from_dtm(sub, dtm, in_target, units=units, **options)
        table.attrs["filter"] = self.filter_name(fkey)
        return table

    def token_filter(self, token_filter=None):
        """The :class:`~analysis.tokens.TokenFilter` object to read this store's streams with:
        ``token_filter`` itself, or (None) the default segmenter's filter when it is the one the
        store counted with (checked by fingerprint)."""
        if token_filter is not None and not isinstance(token_filter, str):
            return token_filter
        candidate = Segmenter(cache=False).filter
        if candidate.fingerprint != self.manifest["filters"][self.filter_key(token_filter)]["fingerprint"]:
            raise InputError(f"{self.root}: its filter {self.filter_name(token_filter)!r} is not the default "
                             f"segmenter's; pass the TokenFilter itself")
        return candidate

    def trends(self, terms: Sequence[str], **options) -> pd.DataFrame:
        """The old name of :meth:`term_trends` (one name per statistic, in memory and in a store); goes in the
        next release."""
        import warnings
        warnings.warn("Store.trends is now Store.term_trends", DeprecationWarning, stacklevel=2)
        return self.term_trends(terms, **options)

    def term_trends(self, terms: Sequence[str], *, target=None, years: Sequence[int] | None = None,
               token_filter=None) -> pd.DataFrame:
        """:func:`analysis.stats.term_trends` from the store: count and rate per year of each term."""
        from ..stats.trends import trend_table
        terms = list(dict.fromkeys(terms))
        if not terms:
            raise InputError("no terms given")
        vocab = self.vocabulary(token_filter)
        position = pd.Series(vocab["term_id"].to_numpy(), index=vocab["term"].astype(str))
        unknown = [t for t in terms if t not in position.index]
        if unknown:
            raise InputError(f"unknown term(s), not a token anywhere in these documents: {unknown}")
        docs = self.documents()
        rows = pd.Series(np.arange(len(docs)), index=docs["doc_id"].to_numpy(), dtype=float)
        column = np.full(len(vocab), -1)
        column[position[terms].to_numpy()] = np.arange(len(terms))
        counts = np.zeros((len(docs), len(terms)), np.int64)
        totals = np.zeros(len(docs), np.int64)
        for row, term, count in self.scan_counts(rows, token_filter):
            totals += np.bincount(row, weights=count, minlength=len(docs)).astype(np.int64)
            hit = column[term] >= 0
            np.add.at(counts, (row[hit], column[term[hit]]), count[hit])
        counts = pd.DataFrame(counts, columns=terms, index=docs.index)
        return trend_table(counts, docs.assign(n_tokens=totals), target=target, years=years)

    # -------------------------------------------------------------- token streams
    def iter_paragraphs(self, which=None, *, columns: Sequence[str] = ("doc_id", "paragraph", "section", "tokens"),
                        token_filter=None, batch_rows: int = 20_000) -> Iterator[pd.DataFrame]:
        """The paragraphs of the selected documents in batches of at most ``batch_rows`` rows;
        ``tokens`` are filtered by ``token_filter`` (a TokenFilter; ``None`` leaves the stream whole)."""
        docs = self.documents()
        sel = docs if which is None else docs[self.mask(which)]
        wanted = None if which is None else set(sel["doc_id"])
        for part in sel["part"].unique():
            for batch in self._batches(part, batch_rows, list(columns)):
                frame = batch.to_pandas()
                if wanted is not None:
                    frame = frame[frame["doc_id"].isin(wanted)]
                if "tokens" in frame and token_filter is not None:
                    frame["tokens"] = [token_filter.apply(t) for t in frame["tokens"]]
                elif "tokens" in frame:
                    frame["tokens"] = [list(t) for t in frame["tokens"]]
                if len(frame):
                    yield frame.reset_index(drop=True)

    def _batches(self, part: str, batch_rows: int, columns: list[str]) -> Iterator[pa.RecordBatch]:
        """A part's token file in batches; a missing or damaged file is a CorpusError naming it."""
        path = self._file("tokens", part)
        problem = _problem(self.root, path, "tokens")
        if problem is not None:
            raise _damaged(self.root, path, problem)
        try:
            yield from pq.ParquetFile(path).iter_batches(batch_size=batch_rows, columns=columns)
        except (OSError, pa.ArrowException) as exc:
            raise _damaged(self.root, path, exc) from exc



# The package's statistics take a store as they take a documents table (one function, one name per statistic).
from ..counts.frequency import term_frequency as _term_frequency  # noqa: E402
from ..stats.keyness import keyness as _keyness  # noqa: E402
from ..stats.tfidf import tfidf as _tfidf  # noqa: E402
from ..stats.trends import term_trends as _term_trends  # noqa: E402


@_keyness.register
def _(docs: Store, target, reference=None, **options) -> pd.DataFrame:
    return docs.keyness(target, reference, **options)


@_term_frequency.register
def _(docs: Store, **options) -> pd.DataFrame:
    return docs.term_frequency(**options)


@_tfidf.register
def _(docs: Store, **options) -> pd.DataFrame:
    return docs.tfidf(**options)


@_term_trends.register
def _(docs: Store, terms, **options) -> pd.DataFrame:
    return docs.term_trends(terms, **options)


def open_store(path: str | Path) -> Store:
    """Open an indexed store (for notebooks: ``store = open_store("my_store")``)."""
    return Store(path)
