"""Segmentation with jieba that keeps political formulations intact, cached on disk.

Segment once, count many times.  :class:`Segmenter` holds the choices that change
tokens (lexicon, backend, HMM, stopwords, filter rule, POS tags); :meth:`Segmenter.segment`
turns a document table into a paragraph table with a ``tokens`` column, normalising
and structuring each text on the way (:mod:`analysis.preprocessing`, :mod:`analysis.structure`).

Backends: ``"jieba"`` (the reference implementation) and ``"rjieba"`` (a binding of the
Rust port jieba-rs: same dictionary and algorithm, about 15 times faster).  Both get the
same lexicon through ``add_word``; ``tests/test_segment.py`` and ``make bench`` count the
tokens on which they differ.

Token filter rule (:meth:`Segmenter.keep`), applied in order:

1. whitespace is dropped;
2. a lexicon term is always kept;
3. punctuation and symbols (no letter, digit or ideograph) are dropped unless ``keep_punct``;
4. numbers (``2025``, ``5.2%``, ``十四``) are dropped unless ``keep_numbers``;
5. tokens shorter than ``min_chars`` characters (default 2: single characters) are dropped;
6. stopwords are dropped (``"none"``, ``"standard"`` = stopwords-iso, ``"genre"`` = standard
   plus the genre list, or your own words).

Cache: one pickle per document under ``CACHE_DIR/segments`` (tokens stored as a vocabulary
plus integer ids, so that a re-run shares one string object per token type), keyed on the sha256 of the raw
text and of everything that changes the result (lexicon, options, backend version, this
module's ``PIPELINE_VERSION``).  Change any of them and the document is segmented again;
change nothing and a re-run only reads files.
"""

from __future__ import annotations

import bisect
import gc
import hashlib
import json
import logging
import multiprocessing
import os
import pickle
import re
import tempfile
import warnings
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from functools import cached_property
from itertools import compress
from importlib.metadata import version
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from . import config
from .lexicon import Lexicon, stopword_list
from .preprocessing import normalise
from .structure import parse_paragraphs

# Bump when normalisation, structure or filtering code changes its output: invalidates caches.
PIPELINE_VERSION = "2"  # 2: Traditional → Simplified in normalisation
BACKENDS = ("jieba", "rjieba")
LEXICON_TAG = "nz"
PARALLEL_MIN_CHARS = 300_000
CHUNKS_PER_WORKER = 4
SEP = "\x1f"  # unit separator: joins the vocabulary in cached results (tokens never contain it)

_NUMBER = re.compile(r"^(?:[\d.,%％．·:/+\-~～]+|[零〇一二两三四五六七八九十百千万亿]+)$")

log = logging.getLogger(__name__)


class Segmenter:
    """Segment Chinese text with a political lexicon; see the module docstring for the options."""

    def __init__(self, lexicon: Lexicon | None = None, *, backend: str = "rjieba", hmm: bool = True,
                 stopwords: str | Iterable[str] | None = "standard", min_chars: int = 2,
                 keep_numbers: bool = False, keep_punct: bool = False, pos: bool = False,
                 cache: bool | Path | str = True, n_jobs: int | None = None):
        if backend not in BACKENDS:
            raise ValueError(f"unknown backend {backend!r}; choose one of {BACKENDS}")
        self.lexicon = lexicon if lexicon is not None else Lexicon.load()
        self.backend = backend
        self.hmm = hmm
        self.stopwords = stopword_list(stopwords)
        self.min_chars = min_chars
        self.keep_numbers = keep_numbers
        self.keep_punct = keep_punct
        self.pos = pos
        self.cache_dir = None if cache is False else (config.CACHE_DIR / "segments" if cache is True else Path(cache))
        self.n_jobs = n_jobs if n_jobs is not None else (os.cpu_count() or 1)
        self._verdicts: dict[str, bool] = {}  # memo of the filter rule, per token type

    # ------------------------------------------------------------ identity
    @cached_property
    def options(self) -> dict:
        """Everything that changes the tokens, as plain data."""
        return {
            "pipeline": PIPELINE_VERSION, "backend": self.backend,
            "backend_version": version(self.backend), "hmm": self.hmm,
            "lexicon": self.lexicon.fingerprint,
            "stopwords": hashlib.sha256("\n".join(sorted(self.stopwords)).encode()).hexdigest(),
            "min_chars": self.min_chars, "keep_numbers": self.keep_numbers,
            "keep_punct": self.keep_punct, "pos": self.pos,
        }

    @cached_property
    def fingerprint(self) -> str:
        return hashlib.sha256(json.dumps(self.options, sort_keys=True).encode()).hexdigest()

    def __repr__(self) -> str:
        return (f"Segmenter(backend={self.backend!r}, lexicon={len(self.lexicon)} terms, hmm={self.hmm}, "
                f"stopwords={len(self.stopwords)}, min_chars={self.min_chars}, pos={self.pos})")

    def __getstate__(self):  # the engines are rebuilt in worker processes, not pickled
        state = self.__dict__.copy()
        state.pop("_engine", None)
        state.pop("_posseg", None)
        return state

    # ------------------------------------------------------------ the engine
    @cached_property
    def _engine(self):
        terms = sorted(self.lexicon.terms)
        if self.backend == "rjieba":
            import rjieba
            engine = rjieba.Jieba()
            for term in terms:
                engine.add_word(term, None, LEXICON_TAG)
            return engine
        import jieba
        jieba.setLogLevel(logging.WARNING)
        engine = jieba.Tokenizer()
        engine.initialize()
        for term in terms:
            engine.add_word(term, None, LEXICON_TAG)
        return engine

    @cached_property
    def _posseg(self):
        import jieba.posseg
        return jieba.posseg.POSTokenizer(self._engine)

    def cut(self, text: str) -> list[str]:
        """All tokens of ``text``, unfiltered (their lengths add up to ``len(text)``)."""
        if self.backend == "rjieba":
            return self._engine.cut(text, self.hmm)
        return self._engine.lcut(text, HMM=self.hmm)

    def tag(self, text: str) -> list[tuple[str, str]]:
        """All tokens of ``text`` with part-of-speech tags (jieba's ICTCLAS-style tag set)."""
        if self.backend == "rjieba":
            return [tuple(p) for p in self._engine.tag(text, self.hmm)]
        return [(p.word, p.flag) for p in self._posseg.lcut(text, HMM=self.hmm)]

    # ------------------------------------------------------------ filtering
    def keep(self, token: str) -> bool:
        """Whether ``token`` survives the filter rule (memoised per token type)."""
        verdict = self._verdicts.get(token)
        if verdict is None:
            verdict = self._verdicts[token] = self._decide(token)
        return verdict

    def _decide(self, token: str) -> bool:
        if not token.strip():
            return False
        if token in self.lexicon.terms:
            return True
        if not any(ch.isalnum() for ch in token):
            return self.keep_punct
        if _NUMBER.match(token):
            return self.keep_numbers
        if len(token) < self.min_chars:
            return False
        return token not in self.stopwords

    def tokens(self, text: str) -> list[str]:
        """Filtered tokens of one (normalised) text."""
        toks = self.cut(text)
        try:  # C-speed path once every token type has been seen
            return list(compress(toks, map(self._verdicts.__getitem__, toks)))
        except KeyError:
            return [t for t in toks if self.keep(t)]

    def tagged_tokens(self, text: str) -> list[tuple[str, str]]:
        keep = self.keep
        return [(w, f) for w, f in self.tag(text) if keep(w)]

    # ------------------------------------------------------------ documents
    def process(self, raw_text: str) -> dict:
        """Normalise, structure and segment one raw text: a dict of per-paragraph columns."""
        norm = normalise(raw_text)
        paras = parse_paragraphs(norm.text)
        texts = [p.text for p in paras]
        if self.pos:
            tagged = [self.tagged_tokens(t) for t in texts]
            tokens, tags = [[w for w, _ in pairs] for pairs in tagged], [[f for _, f in pairs] for pairs in tagged]
        else:
            tokens, tags = [self.tokens(t) for t in texts], None
        return {"paragraph": [p.index for p in paras], "text": texts,
                "section_path": [p.section_path for p in paras], "is_heading": [p.is_heading for p in paras],
                "level": [p.level for p in paras], "tokens": tokens, "tags": tags,
                "boilerplate_chars": norm.boilerplate_chars}

    def _key(self, raw_text: str) -> str:
        digest = hashlib.sha256(self.fingerprint.encode())
        digest.update(raw_text.encode("utf-8"))
        return digest.hexdigest()

    def _cache_path(self, key: str) -> Path:
        return self.cache_dir / key[:2] / f"{key}.pkl"

    def _cache_get(self, key: str):
        if self.cache_dir is None:
            return None
        try:
            with open(self._cache_path(key), "rb") as fh:
                return _decode(pickle.load(fh))
        except FileNotFoundError:
            return None
        except (pickle.UnpicklingError, EOFError, AttributeError, ValueError):
            log.warning("ignoring unreadable cache file %s", self._cache_path(key))
            return None

    def _cache_put(self, key: str, value: dict) -> None:
        if self.cache_dir is None:
            return
        path = self._cache_path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".part")
        try:
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(_encode(value), fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def process_many(self, raw_texts: Sequence[str]) -> list[dict]:
        """:meth:`process` for many texts: cached results read, the rest segmented (in parallel when large)."""
        keys = [self._key(t) for t in raw_texts]
        results = [self._cache_get(k) for k in keys]
        todo = [i for i, r in enumerate(results) if r is None]
        if todo:
            fresh = self._run([raw_texts[i] for i in todo])
            for i, value in zip(todo, fresh):
                results[i] = value
                self._cache_put(keys[i], value)
        return results

    def _run(self, texts: list[str]) -> list[dict]:
        total = sum(map(len, texts))
        workers = min(self.n_jobs, len(texts))
        if workers <= 1 or total < PARALLEL_MIN_CHARS or not _main_importable():
            return [self.process(t) for t in texts]
        # Balance by length: longest first, each to the chunk with the least so far.  Several
        # chunks per worker, handed out as workers free up, so that a core slowed by other
        # load on the machine does not hold up the whole run.
        n_chunks = min(len(texts), CHUNKS_PER_WORKER * workers)
        chunks: list[list[int]] = [[] for _ in range(n_chunks)]
        loads = [0] * n_chunks
        for i in sorted(range(len(texts)), key=lambda i: -len(texts[i])):
            c = loads.index(min(loads))
            chunks[c].append(i)
            loads[c] += len(texts[i])
        try:
            parts = list(self._pool(workers).map(_process_chunk, [[texts[i] for i in c] for c in chunks]))
        except (BrokenProcessPool, OSError, RuntimeError) as exc:
            # Workers start by importing __main__; from stdin or an unguarded script that can fail.
            _POOLS.pop((self.fingerprint, workers), None)
            warnings.warn(f"parallel segmentation unavailable ({type(exc).__name__}: {exc}); "
                          f"segmenting on one core (pass n_jobs=1 to skip trying)", RuntimeWarning, stacklevel=4)
            self.n_jobs = 1
            return [self.process(t) for t in texts]
        out: list[dict] = [None] * len(texts)  # type: ignore[list-item]
        for chunk, part in zip(chunks, parts):
            for i, value in zip(chunk, part):
                out[i] = _decode(value)
        return out

    def _pool(self, workers: int) -> ProcessPoolExecutor:
        """A worker pool kept for this configuration, so that a re-run pays no start-up."""
        key = (self.fingerprint, workers)
        if key not in _POOLS:
            method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
            _POOLS[key] = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(method),
                                              initializer=_init_worker, initargs=(self,))
        return _POOLS[key]

    def segment(self, docs: pd.DataFrame) -> pd.DataFrame:
        """The paragraph table of ``docs`` (see :func:`analysis.structure.paragraph_table`) with
        ``tokens`` (filtered) and ``n_tokens`` columns, and ``tags`` when ``pos``."""
        with _gc_paused():
            return self._table(docs, self.process_many(list(docs["text"])))

    def _table(self, docs: pd.DataFrame, results: list[dict]) -> pd.DataFrame:
        cols: dict[str, list] = {c: [] for c in ("doc_id", "collection", "year", "paragraph", "text",
                                                  "section_path", "level", "is_heading", "tokens", "tags")}
        for doc_id, collection, year, result in zip(docs["doc_id"], docs["collection"], docs["year"], results):
            n = len(result["text"])
            cols["doc_id"] += [doc_id] * n
            cols["collection"] += [collection] * n
            cols["year"] += [year] * n
            for col in ("paragraph", "text", "section_path", "level", "is_heading", "tokens"):
                cols[col] += result[col]
            cols["tags"] += result["tags"] if self.pos else [None] * n
        paths = cols.pop("section_path")
        table = pd.DataFrame(cols).astype({"year": "Int64", "level": "Int64"})
        table.insert(5, "section", [p[0] if p else "" for p in paths])
        table.insert(6, "section_path", [" > ".join(p) for p in paths])
        table.insert(9, "n_chars", table["text"].str.len())
        table.insert(11, "n_tokens", table["tokens"].map(len))
        return table if self.pos else table.drop(columns="tags")


_WORKER: Segmenter | None = None
_POOLS: dict[tuple[str, int], ProcessPoolExecutor] = {}


def _main_importable() -> bool:
    """Worker processes re-import ``__main__`` from its file; from stdin or ``-c`` there is none."""
    import sys
    path = getattr(sys.modules.get("__main__"), "__file__", None)
    return path is None or os.path.exists(path)


def _init_worker(segmenter: Segmenter) -> None:
    import signal
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # interrupts are the parent's to handle (e.g. a kernel shutting down)
    global _WORKER
    _WORKER = segmenter


@contextmanager
def _gc_paused():
    """Pause the cyclic garbage collector while building hundreds of thousands of token lists:
    they hold only strings, so collections triggered by their allocation find nothing to free
    and (on a large heap) cost more than the work itself."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _process_chunk(texts: list[str]) -> list[dict]:
    return [_encode(_WORKER.process(t)) for t in texts]


def _pack(lists: list[list[str]]) -> tuple[str, bytes, bytes]:
    """Token lists as (vocabulary joined by SEP, uint32 ids, uint32 end offsets)."""
    index: dict[str, int] = {}
    ids = [index.setdefault(t, len(index)) for toks in lists for t in toks]
    ends = np.cumsum([len(toks) for toks in lists], dtype=np.uint32)
    return SEP.join(index), np.asarray(ids, dtype=np.uint32).tobytes(), ends.tobytes()


def _unpack(packed: tuple[str, bytes, bytes]) -> list[list[str]]:
    vocab_text, ids, ends = packed
    vocab = np.array(vocab_text.split(SEP) if vocab_text else [], dtype=object)
    flat = vocab[np.frombuffer(ids, dtype=np.uint32)].tolist()  # shares one str object per type
    bounds = np.frombuffer(ends, dtype=np.uint32).tolist()
    return [flat[a:b] for a, b in zip([0] + bounds, bounds)]


def _encode(value: dict) -> dict:
    """Token lists packed as vocabulary + ids: far faster to pickle and unpickle than lists of strings."""
    return {**value, **{col: _pack(value[col]) for col in ("tokens", "tags") if value[col] is not None}}


def _decode(value: dict) -> dict:
    return {**value, **{col: _unpack(value[col]) for col in ("tokens", "tags") if value[col] is not None}}


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
    return out


def section_documents(paragraphs: pd.DataFrame, doc_id: str, *, preamble: str = "（开场）") -> pd.DataFrame:
    """One document's top-level sections as segmented documents (for per-section statistics).

    ``doc_id`` of each row is the section's short label (``一、总结成绩``); paragraphs before
    the first heading form the ``preamble`` section.
    """
    from .structure import section_label
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
