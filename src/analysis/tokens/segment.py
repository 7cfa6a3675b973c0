"""Segmentation with jieba that keeps political formulations intact, cached on disk.

Segment once, count many times.  :class:`Segmenter` holds the choices that change the token
stream (lexicon, backend, HMM, POS tags); :meth:`Segmenter.segment` turns a document table into a
paragraph table, normalising and structuring each text on the way (:mod:`analysis.preprocessing`,
:mod:`analysis.structure`).  Every paragraph keeps its whole **stream** (column ``stream``: every
token in order, punctuation and spaces included, ``"".join(stream) == text``); the column
``tokens`` is that stream after the segmenter's :class:`~analysis.tokens.TokenFilter` (stopwords,
length, numbers, punctuation), which is applied when counting and is *not* part of the cache:
change the filter and nothing is segmented again (:meth:`analysis.pipeline.SegmentedCorpus.with_filter`).

Backends: ``"jieba"`` (the reference implementation) and ``"rjieba"`` (a binding of the Rust
port jieba-rs: same dictionary and algorithm, about 15 times faster).  Both get the same
lexicon through ``add_word``; ``tests/test_segment.py`` and ``make bench`` count the tokens on
which they differ.

The pieces, one concern each: the engine is here (:meth:`Segmenter.cut`, :meth:`Segmenter.tag`,
:meth:`Segmenter.base_cut`); the filter in :mod:`analysis.tokens`; segmented documents as
integer arrays (:class:`~analysis.cache.Segments`, quanteda's types + ids) and the on-disk cache
(numpy arrays + JSON, no pickle) in :mod:`analysis.cache`; parallel execution in
:mod:`analysis.parallel`.  The cache is keyed on the sha256 of the raw text and of everything that
changes the stream (lexicon, backend and its version, HMM, POS, this module's
``PIPELINE_VERSION``); each document has its entry, and the assembled corpus of a call has one
too, so a re-run reads one file and only the Python lists of the table are built.
"""

from __future__ import annotations

import bisect
import copy
import gc
import hashlib
import json
import logging
import os
from contextlib import contextmanager
from functools import cached_property
from importlib.metadata import version
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from .. import config
from .cache import NO_LEVEL, SegmentCache, Segments, split_at, split_vocab
from ..errors import InputError
from ..lexicon.terms import Lexicon
from ..text.normalise import normalise
from ..text.structure import parse_paragraphs
from .nesting import Nesting, TokenFilter

# Bump when normalisation or structure code changes its output: invalidates caches.
PIPELINE_VERSION = "4"  # 3: unfiltered streams; filters applied when counting. 4: Segments blocks
#: ``pkuseg`` (Luo et al. 2019, its own model shipped on PyPI; installed by ``make setup``) is the second opinion of
#: the sensitivity checks: the lexicon is its user dictionary, it has no HMM switch and no POS tags here.
BACKENDS = ("jieba", "rjieba", "pkuseg")
LEXICON_TAG = "nz"



class Segmenter:
    """Segment Chinese text with a political lexicon into unfiltered token streams.

    ``filter`` (or the shorthand options ``stopwords``, ``min_chars``, ``keep_numbers``,
    ``keep_punct``) is the :class:`~analysis.tokens.TokenFilter` used for the ``tokens`` column
    and :meth:`tokens`; lexicon terms are always kept by it.  It does not change the stream or
    the cache.
    """

    def __init__(self, lexicon: Lexicon | None = None, *, backend: str = "rjieba", hmm: bool = True,
                 filter: TokenFilter | None = None, stopwords: str | Iterable[str] | None = "standard",
                 min_chars: int = 2, keep_numbers: bool = False, keep_punct: bool = False, pos: bool = False,
                 cache: bool | Path | str = True, n_jobs: int | None = None):
        if backend not in BACKENDS:
            raise ValueError(f"unknown backend {backend!r}; choose one of {BACKENDS}")
        if backend == "pkuseg" and pos:
            raise ValueError("backend 'pkuseg' has no part-of-speech tags here: use pos=False or backend='jieba'")
        self.lexicon = lexicon if lexicon is not None else Lexicon.load()
        self.backend = backend
        self.hmm = hmm
        if filter is None:
            filter = TokenFilter(stopwords if stopwords is not None else "none", min_chars, keep_numbers, keep_punct)
        self.filter = filter.protect(self.lexicon.terms)
        self.pos = pos
        self.cache_dir = None if cache is False else (config.CACHE_DIR / "segments" if cache is True else Path(cache))
        self.n_jobs = n_jobs if n_jobs is not None else (os.cpu_count() or 1)

    # ------------------------------------------------------------ identity
    @cached_property
    def options(self) -> dict:
        """Everything that changes the token streams, as plain data (the filter does not)."""
        return {"pipeline": PIPELINE_VERSION, "backend": self.backend, "backend_version": version(self.backend),
                "hmm": self.hmm, "lexicon": self.lexicon.fingerprint, "pos": self.pos}

    @cached_property
    def fingerprint(self) -> str:
        return hashlib.sha256(json.dumps(self.options, sort_keys=True).encode()).hexdigest()

    @property
    def stopwords(self) -> frozenset[str]:
        return self.filter.words

    def __repr__(self) -> str:
        return (f"Segmenter(backend={self.backend!r}, lexicon={len(self.lexicon)} terms, hmm={self.hmm}, "
                f"pos={self.pos}, {self.filter})")

    def __getstate__(self):  # the engines are rebuilt in worker processes, not pickled
        state = self.__dict__.copy()
        for name in ("_engine", "_posseg", "_base_engine", "nesting"):
            state.pop(name, None)
        return state

    # ------------------------------------------------------------ the engine
    def _new_engine(self, terms: Sequence[str]):
        if self.backend == "pkuseg":
            try:
                import pkuseg
            except ImportError as exc:
                raise InputError(f"backend 'pkuseg' is not installed ({exc}): `make setup` builds it, or use "
                                 "backend='rjieba'") from exc
            return pkuseg.pkuseg(user_dict=list(terms))  # its model, the lexicon as its whole user dictionary
        if self.backend == "rjieba":
            import rjieba
            engine = rjieba.Jieba()
        else:
            import jieba
            jieba.setLogLevel(logging.WARNING)
            engine = jieba.Tokenizer()
            engine.initialize()
        for term in terms:
            engine.add_word(term, None, LEXICON_TAG)
        return engine

    @cached_property
    def _engine(self):
        return self._new_engine(sorted(self.lexicon.terms))

    @cached_property
    def _base_engine(self):
        return self._new_engine(())

    @cached_property
    def _posseg(self):
        import jieba.posseg
        return jieba.posseg.POSTokenizer(self._engine)

    def cut(self, text: str) -> list[str]:
        """All tokens of ``text``, unfiltered (their lengths add up to ``len(text)``)."""
        if self.backend == "pkuseg":
            return aligned(self._engine.cut(text), text)
        if self.backend == "rjieba":
            return self._engine.cut(text, self.hmm)
        return self._engine.lcut(text, HMM=self.hmm)

    def base_cut(self, text: str) -> list[str]:
        """``text`` split by the base dictionary alone, without the lexicon: what lies inside a
        compound token (:class:`~analysis.tokens.Nesting`)."""
        if self.backend == "pkuseg":
            return aligned(self._base_engine.cut(text), text)
        if self.backend == "rjieba":
            return self._base_engine.cut(text, True)
        return self._base_engine.lcut(text, HMM=True)

    @cached_property
    def nesting(self) -> Nesting:
        """Nested units of compound tokens, with the lexicon's terms as the known nested terms."""
        return Nesting(self.base_cut, self.lexicon.terms)

    def tag(self, text: str) -> list[tuple[str, str]]:
        """All tokens of ``text`` with part-of-speech tags (jieba's ICTCLAS-style tag set)."""
        if self.backend == "pkuseg":
            raise ValueError("backend 'pkuseg' has no part-of-speech tags here: use backend='jieba' or 'rjieba'")
        if self.backend == "rjieba":
            return [tuple(p) for p in self._engine.tag(text, self.hmm)]
        return [(p.word, p.flag) for p in self._posseg.lcut(text, HMM=self.hmm)]

    # ------------------------------------------------------------ filtering (see analysis.tokens)
    def with_filter(self, token_filter: TokenFilter) -> "Segmenter":
        """The same segmenter (engines and cache shared) with another filter; lexicon terms stay protected."""
        seg = copy.copy(self)
        seg.filter = token_filter.protect(self.lexicon.terms)
        return seg

    def keep(self, token: str) -> bool:
        """Whether ``token`` survives this segmenter's filter."""
        return self.filter.keep(token)

    def tokens(self, text: str) -> list[str]:
        """Filtered tokens of one (normalised) text."""
        return self.filter.apply(self.cut(text))

    def tagged_tokens(self, text: str) -> list[tuple[str, str]]:
        keep = self.filter.keep
        return [(w, f) for w, f in self.tag(text) if keep(w)]

    # ------------------------------------------------------------ documents
    def process(self, raw_text: str) -> dict:
        """Normalise, structure and segment one raw text: a dict of per-paragraph columns with the
        unfiltered stream of each paragraph in ``tokens`` (and ``tags`` when ``pos``)."""
        norm = normalise(raw_text)
        paras = parse_paragraphs(norm.text)
        texts = [p.text for p in paras]
        if self.pos:
            tagged = [self.tag(t) for t in texts]
            tokens, tags = [[w for w, _ in pairs] for pairs in tagged], [[f for _, f in pairs] for pairs in tagged]
        else:
            tokens, tags = [self.cut(t) for t in texts], None
        return {"paragraph": [p.index for p in paras], "text": texts,
                "section_path": [p.section_path for p in paras], "is_heading": [p.is_heading for p in paras],
                "level": [p.level for p in paras], "tokens": tokens, "tags": tags,
                "boilerplate_chars": norm.boilerplate_chars}

    def key(self, raw_text: str | bytes | memoryview) -> str:
        """The cache key of one raw text (or its UTF-8 bytes) under this segmenter's options."""
        digest = hashlib.sha256(self.fingerprint.encode())
        digest.update(raw_text.encode("utf-8") if isinstance(raw_text, str) else raw_text)
        return digest.hexdigest()

    def keys(self, raw_texts: Sequence[str] | pd.Series) -> list[str]:
        """:meth:`key` of each text; a pyarrow-backed column is hashed from its UTF-8 buffers,
        without making a Python string of each text."""
        return [self.key(t) for t in _utf8_values(raw_texts)]

    @cached_property
    def cache(self) -> SegmentCache | None:
        return None if self.cache_dir is None else SegmentCache(self.cache_dir)

    def process_many(self, raw_texts: Sequence[str], *, progress: bool | None = None,
                     keys: Sequence[str] | None = None) -> list[Segments]:
        """:meth:`process` for many texts, each as :class:`~analysis.cache.Segments`: cached
        results read, the rest segmented (in parallel when large) and cached."""
        from .workers import process_texts
        if self.cache and keys is None:
            keys = self.keys(raw_texts)
        results = [self.cache.get(k) for k in keys] if self.cache else [None] * len(raw_texts)
        todo = [i for i, r in enumerate(results) if r is None]
        if todo:
            fresh = process_texts(self, [raw_texts[i] for i in todo], progress=progress)
            for i, value in zip(todo, fresh):
                results[i] = value
                if self.cache:
                    self.cache.put(keys[i], value)
        return results

    def segments(self, raw_texts: Sequence[str], *, progress: bool | None = None) -> Segments:
        """All ``raw_texts`` segmented, in order, as one :class:`~analysis.cache.Segments` with one
        vocabulary.  With a cache, the assembled corpus is cached too (keyed on every text's key),
        so a re-run of the same corpus reads one file; a changed text re-segments that text only."""
        keys = self.keys(raw_texts) if self.cache else None
        corpus_key = None
        if self.cache and len(keys) > 1:
            corpus_key = hashlib.sha256("\n".join(keys).encode()).hexdigest()
            hit = self.cache.get(corpus_key, corpus=True)
            if hit is not None and hit.n_docs == len(keys):
                return hit
        value = Segments.concat(self.process_many(_positional(raw_texts), progress=progress, keys=keys))
        if corpus_key:
            self.cache.put(corpus_key, value, corpus=True)
        return value

    def segment(self, docs: pd.DataFrame, *, progress: bool | None = None) -> pd.DataFrame:
        """The paragraph table of ``docs`` (see :func:`analysis.structure.paragraph_table`) with the
        unfiltered ``stream``, the filtered ``tokens`` and ``n_tokens`` columns, and ``tags`` when ``pos``."""
        check_texts(docs)
        with _gc_paused():
            return self._table(docs, self.segments(docs["text"], progress=progress))

    def _table(self, docs: pd.DataFrame, seg: Segments) -> pd.DataFrame:
        types = seg.types
        keep = self.filter.mask(types)  # each token type decided once, then selected with numpy
        ids = seg.ids.astype(np.intp)
        at = np.concatenate([[0], seg.ends]).astype(np.intp)  # paragraph i is tokens at[i]:at[i+1]
        vocab = np.array(types, dtype=object)
        kept = keep[ids]
        kept_at = np.concatenate([[0], np.cumsum(kept)])[at]
        text, n_chars = paragraph_texts(seg)
        doc_at = np.concatenate([[0], seg.doc_ends]).astype(np.intp)  # document i is paragraphs doc_at[i]:doc_at[i+1]
        n_paras = np.diff(doc_at)
        rows = np.repeat(np.arange(len(n_paras)), n_paras)
        sections = np.array([p[0] if p else "" for p in seg.paths], dtype=object)[seg.path]
        paths = np.array([" > ".join(p) for p in seg.paths], dtype=object)[seg.path]
        table = pd.DataFrame({
            "doc_id": docs["doc_id"].array.take(rows), "collection": docs["collection"].array.take(rows),
            "year": pd.array(docs["year"].array.take(rows)).astype("Int64"),
            "paragraph": np.arange(len(rows), dtype=np.int64) - np.repeat(doc_at[:-1], n_paras),
            "text": text, "section": sections, "section_path": paths,
            "level": pd.arrays.IntegerArray(seg.level.astype(np.int64), seg.level == NO_LEVEL),
            "is_heading": seg.heading.astype(bool),
            "n_chars": n_chars,
            "stream": split_at(vocab[ids].tolist(), at[1:]),
            "tokens": split_at(vocab[ids[kept]].tolist(), kept_at[1:]),
            "n_tokens": np.diff(kept_at),
        })
        if self.pos:
            tags = np.array(split_vocab(seg.tag_vocab), dtype=object)[seg.tag_ids.astype(np.intp)[kept]]
            table["tags"] = split_at(tags.tolist(), kept_at[1:])
        table.attrs["filter"] = self.filter.name
        return table


def aligned(words: Sequence[str], text: str) -> list[str]:
    """``words`` (a segmenter's output that may drop whitespace, as pkuseg's does) as tokens whose lengths add up to
    ``len(text)``: each run of characters the segmenter skipped becomes a token of its own."""
    out, at = [], 0
    for word in words:
        found = text.find(word, at)
        if found < 0:
            raise ValueError(f"segmenter output {word!r} is not in the text at offset {at}: {text[at:at + 40]!r}")
        if found > at:
            out.append(text[at:found])
        out.append(word)
        at = found + len(word)
    if at < len(text):
        out.append(text[at:])
    return out


def paragraph_texts(seg: Segments) -> tuple[pd.Series, np.ndarray]:
    """Each paragraph's text and its length in characters, made by pyarrow straight from the
    stored UTF-8 bytes (no Python string is decoded here; pandas decides the column's type)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    offsets = np.concatenate([[0], seg.text_ends]).astype(np.int64)
    texts = pa.LargeStringArray.from_buffers(len(seg.text_ends), pa.py_buffer(offsets), pa.py_buffer(seg.text))
    return texts.to_pandas(), pc.utf8_length(texts).to_numpy(zero_copy_only=False).astype(np.int64)


def check_texts(docs: pd.DataFrame) -> None:
    """Refuse a document table whose ``text`` is missing, not a string, or not valid Unicode (a
    lone surrogate, as decoding with ``errors="surrogateescape"`` leaves), naming the documents."""
    texts = docs["text"]
    if isinstance(texts.dtype, pd.StringDtype) and texts.dtype.storage == "pyarrow":
        bad = texts.isna().to_numpy()  # pyarrow holds valid UTF-8 only
    else:
        bad = np.fromiter((not isinstance(t, str) for t in texts), dtype=bool, count=len(texts))
    if bad.any():
        ids = docs["doc_id"][bad].astype(str).tolist()
        raise InputError(f"{len(ids)} document(s) have no text ({', '.join(map(repr, ids[:5]))}"
                         f"{', …' if len(ids) > 5 else ''}): give each document a string (\"\" for an empty one) "
                         f"or drop it")
    if texts.dtype == object:
        for doc_id, text in zip(docs["doc_id"], texts):
            try:
                text.encode("utf-8")
            except UnicodeEncodeError as exc:
                raise InputError(f"document {doc_id!r}: its text is not valid Unicode ({exc.reason} at character "
                                 f"{exc.start}); read files with analysis.corpus.read_text, which names the "
                                 f"encoding problem") from None


def _utf8_values(texts) -> Iterable[str | memoryview]:
    """The texts of a sequence; of a pyarrow-backed pandas column, their UTF-8 bytes as views of
    its buffers (no Python string made)."""
    import pyarrow as pa
    arrow = isinstance(texts, pd.Series) and isinstance(texts.dtype, pd.StringDtype) and texts.dtype.storage == "pyarrow"
    chunked = pa.chunked_array(pa.array(texts.array)) if arrow else None
    if chunked is None or chunked.null_count or not (pa.types.is_large_string(chunked.type)
                                                     or pa.types.is_string(chunked.type)):
        yield from (texts.tolist() if isinstance(texts, pd.Series) else texts)
        return
    width = np.dtype(np.int64 if pa.types.is_large_string(chunked.type) else np.int32)
    for chunk in chunked.chunks:
        _, offsets, data = chunk.buffers()
        bounds = np.frombuffer(offsets, dtype=width, count=len(chunk) + 1, offset=chunk.offset * width.itemsize)
        view = memoryview(data) if data is not None else memoryview(b"")
        for a, b in zip(bounds[:-1].tolist(), bounds[1:].tolist()):
            yield view[a:b]


def _positional(texts) -> Sequence[str]:
    """Texts that ``[i]`` indexes by position (a pandas column by its values, not its labels)."""
    return texts.array if isinstance(texts, pd.Series) else texts


def apply_filter(paragraphs: pd.DataFrame, token_filter: TokenFilter) -> pd.DataFrame:
    """The paragraph table with ``tokens`` and ``n_tokens`` recomputed from ``stream`` by
    ``token_filter`` (no re-segmentation); the filter is recorded in ``attrs["filter"]``."""
    table = paragraphs.drop(columns=[c for c in ("tokens", "n_tokens") if c in paragraphs])
    tokens = token_filter.apply_all(table["stream"])
    at = table.columns.get_loc("stream") + 1
    table.insert(at, "tokens", tokens)
    table.insert(at + 1, "n_tokens", [len(t) for t in tokens])
    table.attrs["filter"] = token_filter.name
    return table


@contextmanager
def _gc_paused():
    """Pause the cyclic garbage collector while building hundreds of thousands of token lists:
    they hold only strings, so collections triggered by their allocation find nothing to free
    and (on a large heap) cost more than the work itself.  On the way out the new lists go
    straight to the oldest generation (freeze, unfreeze), as long-lived data would after two
    collections that scan every token for nothing; skipped when someone else froze objects."""
    was_enabled = gc.isenabled()
    frozen = gc.get_freeze_count()
    gc.disable()
    try:
        yield
    finally:
        if frozen == 0:
            gc.freeze()
            gc.unfreeze()
        if was_enabled:
            gc.enable()


def document_tokens(paragraphs: pd.DataFrame, by: str = "doc_id") -> pd.Series:
    """Concatenate paragraph tokens into one token list per document (or per ``by`` group), in order."""
    return paragraphs.groupby(by, sort=False)["tokens"].agg(lambda col: [t for toks in col for t in toks])


def segmented_documents(paragraphs: pd.DataFrame, by: str = "doc_id") -> pd.DataFrame:
    """Segmented documents, the input of every statistic: one row per ``by`` value, in order.

    Columns ``doc_id`` (the ``by`` value: a document, or e.g. a section with ``by="section"``),
    ``collection``, ``year`` (the group's year when it has one), ``tokens``, ``n_tokens``.
    """
    grouped = paragraphs.groupby(by, sort=False)
    out = pd.DataFrame({
        "collection": grouped["collection"].first(),
        "year": grouped["year"].agg(lambda y: y.iloc[0] if y.nunique() == 1 else pd.NA).astype("Int64"),
        "tokens": grouped["tokens"].agg(lambda col: [t for toks in col for t in toks]),
    })
    out.index.name = "doc_id"
    out = out.reset_index()
    out["doc_id"] = out["doc_id"].astype(str)
    out["n_tokens"] = out["tokens"].map(len)
    out.attrs["filter"] = paragraphs.attrs.get("filter", "")
    return out


def section_documents(paragraphs: pd.DataFrame, doc_id: str, *, preamble: str = "（开场）") -> pd.DataFrame:
    """One document's top-level sections as segmented documents (for per-section statistics).

    ``doc_id`` of each row is the section's short label (``一、总结成绩``); paragraphs before
    the first heading form the ``preamble`` section.
    """
    from ..text.structure import section_label
    paras = paragraphs[paragraphs["doc_id"] == doc_id]
    if paras.empty:
        raise ValueError(f"no paragraphs for document {doc_id!r}")
    labels = paras["section"].map(lambda s: section_label(s) if s else preamble)
    return segmented_documents(paras.assign(section_label=labels), by="section_label")


def segment_corpus(docs: pd.DataFrame, segmenter: Segmenter | None = None, **options) -> pd.DataFrame:
    """Shorthand for ``Segmenter(**options).segment(docs)``."""
    return (segmenter or Segmenter(**options)).segment(docs)


def lexicon_check(texts: Iterable[str], segmenter: Segmenter | None = None) -> pd.DataFrame:
    """Every lexicon term the segmenter still breaks in ``texts``, and how often.

    An occurrence is broken when a token boundary falls inside it; an occurrence inside a
    longer token (``法治政府`` in ``法治政府建设``) is intact.  Returns one row per term that
    occurs: ``term, category, occurrences, broken, share_broken, example`` (the tokens of
    the first broken occurrence), broken terms first.
    """
    seg = segmenter or Segmenter(cache=False)
    counts: dict[str, list] = {t: [0, 0, ""] for t in seg.lexicon.terms}
    for raw in texts:
        text = normalise(raw).text
        bounds, pos = [], 0
        for token in seg.cut(text):
            pos += len(token)
            bounds.append(pos)
        for term, entry in counts.items():
            start = text.find(term)
            while start != -1:
                end = start + len(term)
                entry[0] += 1
                i = bisect.bisect_right(bounds, start)
                if i < len(bounds) and bounds[i] < end:
                    entry[1] += 1
                    if not entry[2]:
                        lo = bisect.bisect_right(bounds, start) - 1
                        hi = bisect.bisect_left(bounds, end)
                        edges = [bounds[lo] if lo >= 0 else 0] + bounds[lo + 1: hi + 1]
                        entry[2] = "/".join(text[a:b] for a, b in zip(edges, edges[1:]))
                start = text.find(term, start + 1)
    cats = seg.lexicon.categories
    table = pd.DataFrame([(t, cats[t], o, b, b / o, ex) for t, (o, b, ex) in counts.items() if o],
                         columns=["term", "category", "occurrences", "broken", "share_broken", "example"])
    return table.sort_values(["broken", "occurrences"], ascending=False).reset_index(drop=True)
