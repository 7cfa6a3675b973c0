"""Indexing a corpus into a store: document references, chunks, the chunk builder, counts per filter.

:func:`index` reads a corpus (a folder of .txt, a .jsonl or .csv file, a document table, or the
study corpus), normalises, structures and segments it **chunk by chunk** and writes the store's
Parquet files (:mod:`analysis.store.files`).

Segment once, count many times: the token stream is stored unfiltered, and counts are made for a
named :class:`~analysis.tokens.TokenFilter` (its ``name`` and ``fingerprint`` are in the manifest;
:func:`add_filter` counts a new filter from the stored streams without segmenting again).

Memory is bounded by the chunk size (``chunk_chars``), not the corpus: the driver streams the
corpus once to plan chunks (doc_id, metadata, byte range, key; no text is kept), workers read their
own documents' text, and each document's stream becomes a pyarrow string array as soon as it is
segmented (no Python token lists are kept for a chunk).
A document is keyed as the segment cache keys it (sha256 of the segmenter fingerprint and the raw
text); re-running skips documents already in the store, and a changed text under an existing
doc_id is an error (index it into a new store).  Each chunk is written as its own part files and
committed in the manifest once they all exist: a killed run leaves only uncommitted files, which
the next run deletes before it resumes.  A folder that is neither empty nor a store is refused,
and a damaged part (a committed file missing or unreadable) is repaired by indexing its
documents again.  The chunks run on an engine (:mod:`analysis.store.engines`).
"""

from __future__ import annotations

import hashlib
import time
import warnings
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import Iterable, Iterator, Mapping, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .. import config
from ..errors import CorpusError, CorpusWarning
from ..tokens.pipeline import study_segmenter
from ..tokens.segment import Segmenter
from .engines import make_engine
from .files import (DOC_COLUMNS, MANIFEST, _clean_uncommitted, _damaged_parts, _delete_store, _new_manifest,
                    _own_files, _part_path, _problem, _read_manifest, _read_part, _vocabulary_path, _write_json,
                    _write_parquet, default_filter, filter_entry, filter_from_entry, filter_key)
from .store import Store
from .vocabulary import update_vocabulary

CHUNK_CHARS = config.STORE_CHUNK_CHARS


# ---------------------------------------------------------------------------- planning
@dataclass
class DocRef:
    """One document to index: its metadata, its key, and where its text is (never the text of a
    file: ``source`` is a reader's locator, :func:`analysis.corpus.readers.document_texts`; it is
    ``("text", str)`` only for documents that were in memory already: a table, a CSV file)."""

    doc_id: str
    collection: str
    year: int | None
    title: str
    key: str
    n_chars: int
    source: tuple


def _frame_refs(docs: pd.DataFrame, seg: Segmenter) -> Iterator[DocRef]:
    from ..corpus.records import parse_year
    for row in docs.itertuples(index=False):
        text = str(row.text)
        yield DocRef(str(row.doc_id), str(row.collection), parse_year(row.year, f"document {row.doc_id!r}"),
                     str(getattr(row, "title", "") or ""), seg.key(text), len(text), ("text", text))


def _path_refs(path: Path, seg: Segmenter, **options) -> list[DocRef]:
    """The documents of a folder, .jsonl or .csv file, read by :func:`analysis.corpus.iter_corpus`:
    the loaders' readers and checks, so ``index`` accepts and refuses what ``load_corpus`` does,
    with the same messages.  Each text is dropped once keyed (a folder is read a file at a time,
    a .jsonl file a line at a time; the workers read the texts again from the locators); a CSV
    file's texts stay in memory (no safe byte ranges).  Listed whole before planning, as the
    checks across documents (repeated ids) end the stream."""
    from ..corpus.readers import iter_corpus
    refs = []
    for doc in iter_corpus(path, **options):
        record, text = doc.record, doc.record["text"]
        refs.append(DocRef(record["doc_id"], str(record["collection"]), record["year"], record["title"],
                           seg.key(text), len(text), ("text", text) if doc.locator is None else doc.locator))
    return refs


def corpus_refs(corpus, seg: Segmenter, **options) -> Iterator[DocRef]:
    """References to every document of ``corpus``: a document table, a folder, a .jsonl file, a
    .csv file (read as :func:`analysis.corpus.load_corpus` reads them), or ``None`` for the study corpus."""
    if corpus is None:
        return _frame_refs(_study_documents(), seg)
    if isinstance(corpus, pd.DataFrame):
        return _frame_refs(corpus, seg)
    return iter(_path_refs(Path(corpus), seg, **options))


def plan_chunks(refs: Iterable[DocRef], indexed: Mapping[str, str], chunk_chars: int = CHUNK_CHARS,
                origin: str = "corpus") -> tuple[list[list[DocRef]], int]:
    """Group the documents not yet indexed into chunks of about ``chunk_chars`` characters, in
    corpus order; return ``(chunks, skipped)``.  A doc_id indexed with another key (its text or
    the segmenter changed) and a doc_id repeated in the corpus are errors."""
    chunks: list[list[DocRef]] = [[]]
    size = skipped = 0
    seen: set[str] = set()
    for ref in refs:
        if ref.doc_id in seen:
            raise CorpusError(f"{origin}: doc_id values must be unique, repeated: {ref.doc_id!r}")
        seen.add(ref.doc_id)
        if ref.doc_id in indexed:
            if indexed[ref.doc_id] != ref.key:
                raise CorpusError(f"{origin}: document {ref.doc_id!r} differs from the one in the store "
                                  f"(its text changed); index the corpus into a new store")
            skipped += 1
            continue
        if size >= chunk_chars:
            chunks.append([])
            size = 0
        chunks[-1].append(ref)
        size += max(ref.n_chars, 1)
    return [c for c in chunks if c], skipped


def part_name(chunk: Sequence[DocRef]) -> str:
    """A part's file name: a hash of its documents and their keys (the same chunk, the same name)."""
    digest = hashlib.sha256()
    for ref in chunk:
        digest.update(f"{ref.doc_id}\x1f{ref.key}\x1e".encode("utf-8"))
    return f"part-{digest.hexdigest()[:20]}"


# ---------------------------------------------------------------------------- one chunk (runs in workers)
_SEGMENTERS: dict[tuple[type, str], Segmenter] = {}


def _worker_segmenter(seg: Segmenter) -> Segmenter:
    """One segmenter per process and configuration: a copy unpickled in a worker (no engine yet)
    is swapped for the one built there before, so the engine is built once, not per chunk."""
    if "_engine" in seg.__dict__:
        return seg
    return _SEGMENTERS.setdefault((type(seg), seg.fingerprint), seg)


def _warm(seg: Segmenter) -> None:
    """Build this worker's segmenter (its dictionary loaded) before its first chunk comes."""
    _worker_segmenter(seg).cut("预热")


def _read_texts(chunk: Sequence[DocRef]) -> Iterator[str]:
    from ..corpus.readers import document_texts
    return document_texts(ref.source for ref in chunk)


class _ChunkBuilder:
    """Accumulates one chunk's tables.  Each document's stream becomes a pyarrow string array as
    soon as it is segmented (no Python token lists are kept); at the end the chunk's streams are
    dictionary-encoded at once (one vocabulary, types in order of first appearance: one pass,
    where encoding each document and unifying the dictionaries cost three), each filter decides
    each type once, and the per-document counts are taken with numpy."""

    def __init__(self, filters: Sequence):
        self.filters = list(filters)
        self.strings: list[pa.StringArray] = []
        self.lengths: list[np.ndarray] = []
        self.paras: dict[str, list] = {c: [] for c in ("doc_id", "paragraph", "section", "section_path",
                                                        "is_heading", "level")}
        self.docs: dict[str, list] = {c: [] for c in DOC_COLUMNS}
        self.n_tokens = 0

    def add(self, ref: DocRef, result: dict) -> None:
        streams = result["tokens"]
        self.lengths.append(np.fromiter(map(len, streams), dtype=np.int64, count=len(streams)))
        strings = pa.array(list(chain.from_iterable(streams)), pa.string())
        self.strings.append(strings)
        self.n_tokens += len(strings)
        n = len(streams)
        paths = result["section_path"]
        self.paras["doc_id"] += [ref.doc_id] * n
        self.paras["paragraph"] += list(result["paragraph"])
        self.paras["section"] += [p[0] if p else "" for p in paths]
        self.paras["section_path"] += [" > ".join(p) for p in paths]
        self.paras["is_heading"] += list(result["is_heading"])
        self.paras["level"] += list(result["level"])
        row = dict(doc_id=ref.doc_id, collection=ref.collection, year=ref.year, title=ref.title,
                   n_chars=ref.n_chars, n_paragraphs=n, n_tokens=len(strings),
                   boilerplate_chars=result.get("boilerplate_chars", 0), key=ref.key)
        for col in DOC_COLUMNS:
            self.docs[col].append(row[col])

    def tables(self) -> tuple[pa.Table, pa.Table, list[pa.Table]]:
        encoded = pa.concat_arrays(self.strings or [pa.array([], pa.string())]).dictionary_encode()
        vocab = encoded.dictionary  # types in order of first appearance in the chunk
        flat = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int32)
        doc_ids = np.split(flat, np.cumsum([len(s) for s in self.strings])[:-1]) if self.strings else []
        lengths = np.concatenate(self.lengths) if self.lengths else np.zeros(0, np.int64)
        offsets = pa.array(np.concatenate([[0], np.cumsum(lengths)]).astype(np.int32))
        tokens = pa.ListArray.from_arrays(offsets, pa.DictionaryArray.from_arrays(pa.array(flat), vocab))
        paras = pa.table({**{c: pa.array(v) for c, v in self.paras.items() if c != "level"},
                          "level": pa.array(self.paras["level"], pa.int16()), "tokens": tokens})
        docs = pa.table({c: pa.array(v, type=pa.int64() if c == "year" else None) for c, v in self.docs.items()})
        types = vocab.to_pylist()
        counts = [self._counts(doc_ids, vocab, token_filter.mask(types)) for token_filter in self.filters]
        return docs, paras, counts

    def _counts(self, doc_ids: list[np.ndarray], vocab: pa.Array, keep: np.ndarray) -> pa.Table:
        """``doc_id, term, count`` of the types ``keep`` allows, per document, terms in chunk-id order."""
        names, terms, counts = [], [], []
        for doc_id, ids in zip(self.docs["doc_id"], doc_ids):
            kept, n = np.unique(ids[keep[ids]], return_counts=True)
            names += [doc_id] * len(kept)
            terms.append(kept.astype(np.int32))
            counts.append(n.astype(np.int32))
        term = np.concatenate(terms) if terms else np.zeros(0, np.int32)
        return pa.table({"doc_id": pa.array(names, pa.string()),
                         "term": pa.DictionaryArray.from_arrays(pa.array(term), vocab),
                         "count": pa.array(np.concatenate(counts) if counts else np.zeros(0, np.int32))})


def index_chunk(chunk: Sequence[DocRef], root: str, seg: Segmenter, filters: Sequence) -> dict:
    """Segment one chunk and write its part files (documents, tokens, counts per filter);
    return the part's manifest entry.  Runs in a worker process, locally or on a Dask worker."""
    start = time.perf_counter()
    seg = _worker_segmenter(seg)
    name = part_name(chunk)
    builder = _ChunkBuilder(filters)
    for ref, raw in zip(chunk, _read_texts(chunk)):
        if ref.source[0] != "text" and seg.key(raw) != ref.key:
            raise CorpusError(f"{ref.source[1]}: document {ref.doc_id!r} changed while it was being indexed; run again")
        builder.add(ref, seg.process(raw))
    docs, paras, counts = builder.tables()
    base = Path(root)
    for token_filter, table in zip(filters, counts):
        _write_parquet(table, _part_path(base, "counts", name, filter_key(token_filter)))
    _write_parquet(paras, _part_path(base, "tokens", name))
    _write_parquet(docs, _part_path(base, "documents", name))  # last: the part is complete
    return {"part": name, "n_docs": len(chunk), "n_chars": int(sum(r.n_chars for r in chunk)),
            "n_tokens": builder.n_tokens, "seconds": round(time.perf_counter() - start, 3)}


# ---------------------------------------------------------------------------- index
def _study_documents() -> pd.DataFrame:
    from ..corpus import load_default_corpus
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CorpusWarning)  # the NPC resolutions left out, said once by the loader
        return load_default_corpus()


@dataclass
class IndexResult:
    """What one :func:`index` run did."""

    store: "Store"
    indexed: int      # documents segmented in this run
    skipped: int      # documents already in the store
    parts: int        # part files written in this run
    chars: int        # characters segmented in this run
    seconds: float



def index(corpus=None, store: str | Path = "store", *, engine: str = "local", scheduler: str | None = None,
          n_jobs: int | None = None, chunk_chars: int = CHUNK_CHARS, segmenter: Segmenter | None = None,
          filters: Sequence | None = None, progress: bool = True, overwrite: bool = False,
          **read_options) -> IndexResult:
    """Index ``corpus`` into the Parquet store at ``store`` (created, or resumed/extended).

    ``corpus``: a folder, .jsonl or .csv path, a document table, or ``None`` (the study corpus);
    ``read_options`` go to the reader (``text=``, ``year=``, ``collection=``… as in
    :func:`analysis.corpus.load_corpus`).  ``engine`` ``"local"`` (``n_jobs`` processes) or
    ``"dask"`` (``scheduler`` address, or a LocalCluster of ``n_jobs or 2`` processes).
    ``filters``: the token filters to count for (default: the segmenter's own filter); lexicon
    terms are protected in each, as the segmenter does.  The store path must be reachable by
    every worker (a shared filesystem on a cluster).

    The store owns only what it wrote: ``store`` must be a new or empty folder, or a store (its
    manifest in this format); any other folder is refused untouched.  A re-run deletes only the
    store's own uncommitted files (part files no manifest entry commits, temporaries; see
    :func:`_own_files`), and repairs damaged parts (a committed part file missing, unreadable or
    foreign: dropped from the manifest, its documents indexed again).  ``overwrite`` deletes the
    store's own files first; files it did not write are kept (a warning names them), as ``git clean``
    keeps what it does not track.  A symbolic link among the store's folders or files is an error.
    """
    start = time.perf_counter()
    study = corpus is None
    origin = "study corpus" if study else ("document table" if isinstance(corpus, pd.DataFrame) else str(corpus))
    if study:
        corpus = _study_documents()  # read once, for its documents and for the terms learned from them
    # The study corpus is segmented as prepare() segments it, learned terms included (the store's
    # counts are the notebooks'); any other corpus with the shipped lexicon.  No segment cache: the
    # store is one.
    seg = segmenter or (study_segmenter(corpus, cache=False)[0] if study else Segmenter(cache=False))
    filters = [seg.with_filter(f).filter for f in filters] if filters else [default_filter(seg)]
    root = Path(store)
    if root.exists() and not root.is_dir():
        raise CorpusError(f"{root}: not a folder; give a new or empty folder (or a store) for --out")
    manifest = _read_manifest(root) if root.is_dir() else None  # a foreign or future manifest is refused
    if manifest is None and root.is_dir() and any(not p.name.startswith(f".{MANIFEST}.") for p in root.iterdir()):
        # (only a temporary of the first manifest: a run killed at once, the store's own)
        raise CorpusError(f"{root}: not a store (no {MANIFEST}) and not empty; refusing to "
                          f"{'delete it or ' if overwrite else ''}index into it (give a new or empty folder)")
    if overwrite and manifest is not None:
        kept = _delete_store(root)
        manifest = None
        if kept:
            warnings.warn(f"{root}: --overwrite kept {len(kept)} file(s) the store did not write: "
                          f"{', '.join(str(p.relative_to(root)) for p in kept[:5])}{' …' if len(kept) > 5 else ''}",
                          UserWarning, stacklevel=2)
    root.mkdir(parents=True, exist_ok=True)
    manifest = manifest or _new_manifest(seg, filters)
    if manifest["segmenter"]["fingerprint"] != seg.fingerprint:
        raise CorpusError(f"{root}: store was built with another segmenter ({manifest['segmenter'].get('repr')}, "
                          f"options {manifest['segmenter'].get('options')}); index into a new store")
    missing = [f.name for f in filters if filter_key(f) not in manifest["filters"]]
    if missing and manifest["parts"]:
        raise CorpusError(f"{root}: the store has no counts for filter(s) {missing}; add them with add_filter()")
    _own_files(root)  # a link among the store's folders or files: refused before anything is written
    damaged = _damaged_parts(root, manifest)
    previous = {part: manifest["parts"].pop(part).get("order") for part in damaged}  # re-indexed in place
    if damaged:
        _write_json(manifest, root / MANIFEST)
        warnings.warn(f"{root}: {len(damaged)} damaged part(s) dropped and indexed again: "
                      f"{'; '.join(list(damaged.values())[:3])}{' …' if len(damaged) > 3 else ''}",
                      UserWarning, stacklevel=2)
    manifest["filters"].update({filter_key(f): filter_entry(f) for f in filters})
    # new parts are counted for every filter the store has (also those added later by add_filter)
    filters = [filter_from_entry(e, str(root)) for e in manifest["filters"].values()]
    _clean_uncommitted(root, set(manifest["parts"]))
    existing = Store(root, manifest) if manifest["parts"] else None
    indexed = {} if existing is None else dict(zip(*existing._doc_keys()))
    # local workers start and build their segmenters while the corpus is planned (a cluster is
    # made only when there is work for it)
    runner = make_engine(engine, n_jobs=n_jobs) if engine == "local" and not scheduler else None
    if runner is not None:
        runner.start(_warm, seg)
    chars = 0
    try:
        chunks, skipped = plan_chunks(corpus_refs(corpus, seg, **read_options), indexed, chunk_chars, origin)
        run = manifest["runs"] = manifest.get("runs", 0) + 1
        order = {name: previous.get(name) or [run, i] for i, name in enumerate(map(part_name, chunks))}
        _write_json(manifest, root / MANIFEST)
        vocabularies = [_vocabulary_path(root, filter_key(f)) for f in filters]
        if not chunks and all(_problem(root, v, "vocabulary") is None for v in vocabularies):  # nothing to do
            return IndexResult(Store(root), 0, skipped, 0, 0, time.perf_counter() - start)
        from .._util.progress import progress_bar
        runner = runner or make_engine(engine, scheduler=scheduler, n_jobs=n_jobs)
        total = sum(r.n_chars for c in chunks for r in c)
        bar = progress_bar(total=total, unit="char", unit_scale=True, desc=f"index ({engine})",
                           disable=None if progress else True)
        for entry in runner.map(index_chunk, chunks, str(root), seg, filters):
            manifest["parts"][entry["part"]] = {**entry, "order": order[entry["part"]]}
            _write_json(manifest, root / MANIFEST)  # commit the part
            chars += entry["n_chars"]
            bar.update(entry["n_chars"])
        bar.close()
        for token_filter in filters:
            update_vocabulary(root, filter_key(token_filter), sorted(manifest["parts"]), runner)
    finally:
        if runner is not None:
            runner.close()
    return IndexResult(Store(root), sum(len(c) for c in chunks), skipped, len(chunks), chars,
                       time.perf_counter() - start)


def count_part(part: str, root: str, token_filter) -> str:
    """Count one part's stored streams for ``token_filter`` and write its counts file (a worker job)."""
    path = _part_path(Path(root), "tokens", part)
    table = _read_part(Path(root), path, "tokens", ["doc_id", "tokens"]).combine_chunks()
    tokens = table["tokens"].chunk(0) if table.num_rows else pa.array([], table.schema.field("tokens").type)
    values = pa.chunked_array([tokens.flatten()]).unify_dictionaries().combine_chunks()
    parent = pc.list_parent_indices(tokens).to_numpy(zero_copy_only=False)
    doc_codes, doc_names = pd.factorize(table["doc_id"].to_numpy(zero_copy_only=False), sort=False)
    types = values.dictionary.to_pylist()
    ids = values.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    keep = token_filter.mask(types)[ids]
    keys, counts = np.unique(doc_codes[parent][keep] * max(len(types), 1) + ids[keep], return_counts=True)
    doc, term = np.divmod(keys, max(len(types), 1))
    out = pa.table({"doc_id": pa.array(np.asarray(doc_names, dtype=object)[doc].tolist(), pa.string()),
                    "term": pa.DictionaryArray.from_arrays(pa.array(term.astype(np.int32)), values.dictionary),
                    "count": pa.array(counts.astype(np.int32))})
    _write_parquet(out, _part_path(Path(root), "counts", part, filter_key(token_filter)))
    return part


def add_filter(store: "str | Path | Store", token_filter, *, engine: str = "local", scheduler: str | None = None,
               n_jobs: int | None = None, protect_lexicon: bool = True) -> "Store":
    """Count the stored streams again for another :class:`~analysis.tokens.TokenFilter` (nothing is
    segmented again): writes ``counts/<filter>/`` and its vocabulary, then records the filter in the
    manifest.  With ``protect_lexicon`` the default lexicon's terms are protected, as
    :class:`~analysis.tokens.Segmenter` does, when the store was built with that lexicon."""
    root = Path(store.root if isinstance(store, Store) else store)
    manifest = _read_manifest(root)
    if manifest is None:
        raise CorpusError(f"{root}: not a store (no {MANIFEST})")
    _own_files(root)  # no writes through a link out of the store
    if protect_lexicon:
        from ..lexicon.terms import Lexicon
        lexicon = Lexicon.load()
        if lexicon.fingerprint == manifest["segmenter"]["options"].get("lexicon"):
            token_filter = token_filter.protect(lexicon.terms)
    fkey = filter_key(token_filter)
    runner = make_engine(engine, scheduler=scheduler, n_jobs=n_jobs)
    try:
        parts = sorted(manifest["parts"])
        for _ in runner.map(count_part, parts, str(root), token_filter):
            pass
        update_vocabulary(root, fkey, parts, runner, rebuild=True)
    finally:
        runner.close()
    manifest["filters"][fkey] = filter_entry(token_filter)
    _write_json(manifest, root / MANIFEST)
    return Store(root)

