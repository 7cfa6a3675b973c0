"""An on-disk corpus store for corpora larger than memory: index once, count from Parquet.

:func:`index` reads a corpus (a folder of .txt, a .jsonl or .csv file, a document table, or the
study corpus), normalises, structures and segments it **chunk by chunk** and writes a folder of
Parquet files (pyarrow)::

    STORE/manifest.json                      format, segmenter, filters, committed parts
    STORE/documents/<part>.parquet           doc_id, collection, year, title, n_chars, n_paragraphs,
                                             n_tokens, boilerplate_chars, key
    STORE/tokens/<part>.parquet              doc_id, paragraph, section, section_path, is_heading, level,
                                             tokens (the UNFILTERED stream, list<dictionary<string>>)
    STORE/counts/<filter>/<part>.parquet     doc_id, term, count: sparse per-document counts of the
                                             tokens a named filter keeps (term dictionary-encoded)
    STORE/vocabulary/<filter>.parquet        term_id, term, count, doc_freq (term_id = position in
                                             sorted order, the column order of scikit-learn's vectorizers)

Segment once, count many times: the token stream is stored unfiltered, and counts are made for a
named :class:`~analysis.tokens.TokenFilter` (its ``name`` and ``fingerprint`` are in the manifest;
:func:`add_filter` counts a new filter from the stored streams without segmenting again).

Memory is bounded by the chunk size (``chunk_chars``), not the corpus: the driver streams the
corpus once to plan chunks (doc_id, metadata, byte range, key; no text is kept), workers read their
own documents' text, and each document's stream is dictionary-encoded by pyarrow as soon as it is
segmented (no Python token lists are kept for a chunk).
A document is keyed as the segment cache keys it (sha256 of the segmenter fingerprint and the raw
text); re-running skips documents already in the store, and a changed text under an existing
doc_id is an error (index it into a new store).  Each chunk is written as its own part files, each
file atomically (temporary name + ``os.replace``), and the part is committed by an atomic rewrite
of the manifest once all its files exist: a killed run leaves only uncommitted files, which the
next run deletes before it resumes.  The store deletes only files it can prove it wrote (its part
and vocabulary file names and their temporaries, in its own folders, never through a symbolic
link), refuses a folder that is neither empty nor a store, and repairs a damaged part (a committed
file missing or unreadable) by indexing its documents again; every read names a damaged file.

Engines (:func:`index` ``engine=``): ``"local"`` runs chunks on this machine's processes (joblib/loky);
``"dask"`` builds a :mod:`dask.bag` over the chunks (``from_sequence(...).map_partitions(...)``) and
runs it on a ``dask.distributed`` cluster (``scheduler=ADDRESS``, or a LocalCluster of processes).
The vocabulary is a reduction of the parts' sparse counts (``Bag.fold`` on dask).  The same
functions run in both, so the stores are identical.

Statistics (:class:`Store`): term frequency, TF-IDF, keyness and trends read only the sparse counts,
part by part, summed per group as they are read (memory ∝ groups × terms); keyness and TF-IDF then
run the table code of :mod:`analysis.keyness` and :mod:`analysis.tfidf` on that matrix
(:func:`analysis.keyness.keyness_from_dtm`, :func:`analysis.tfidf.tfidf_from_dtm`: the same code as
the in-memory functions), so the tables equal the in-memory ones.
Topic models at scale: :mod:`analysis.store_topics`.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
import warnings
from dataclasses import dataclass
from functools import reduce
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Callable, Iterable, Iterator, Mapping, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from . import _check as check
from .atomic import atomic_write
from .errors import CorpusError, InputError
from .selection import select_documents
from .segment import Segmenter
from .tokens import TokenFilter

if TYPE_CHECKING:
    from .dtm import DTM

FORMAT = "analysis.store/1"
MANIFEST = "manifest.json"
CHUNK_CHARS = 2_000_000
ENGINES = ("local", "dask")
DOC_COLUMNS = ["doc_id", "collection", "year", "title", "n_chars", "n_paragraphs", "n_tokens",
               "boilerplate_chars", "key"]


# ---------------------------------------------------------------------------- files
def _atomic_write(path: Path, write: Callable[[BinaryIO], None]) -> None:
    """:func:`analysis.atomic.atomic_write` for store files: the temporary files of a run killed
    mid-write are removed by the next run's clean-up of uncommitted files, not by process id
    (workers may run on several machines)."""
    atomic_write(path, write, clean_stale=False)


def _write_parquet(table: pa.Table, path: Path) -> None:
    _atomic_write(path, lambda fh: pq.write_table(table, fh))


def _write_json(data: dict, path: Path) -> None:
    _atomic_write(path, lambda fh: fh.write(json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")))


# ---------------------------------------------------------------------------- names and what the store owns
PART = re.compile(r"part-[0-9a-f]{20}")           # a part's name (see part_name)
FILTER_KEY = re.compile(r"[0-9a-f]{16}")          # a filter's counts folder (see filter_key)
KINDS = ("documents", "tokens", "counts")
COLUMNS = {"documents": DOC_COLUMNS,
           "tokens": ["doc_id", "paragraph", "section", "section_path", "is_heading", "level", "tokens"],
           "counts": ["doc_id", "term", "count"], "vocabulary": ["term_id", "term", "count", "doc_freq"]}
MANIFEST_KEYS = ("format", "segmenter", "filters", "default_filter", "parts")


def _check_name(name, pattern: re.Pattern, what: str, where) -> str:
    """``name`` (a part name or filter key read from a manifest) when it is one the store makes; the
    one check before such a name becomes a path, so no manifest leads a read or write out of the store."""
    if not isinstance(name, str) or not pattern.fullmatch(name):
        raise CorpusError(f"{where}: {what} {name!r} is not one the store makes ({pattern.pattern}); "
                          f"the manifest was not written by `analysis index`")
    return name


def _part_path(root: Path, kind: str, part: str, fkey: str | None = None) -> Path:
    """``root/kind/<part>.parquet`` (``counts``: ``root/counts/<fkey>/<part>.parquet``), names checked."""
    folder = root / kind
    if fkey is not None:
        folder = folder / _check_name(fkey, FILTER_KEY, "filter key", root / MANIFEST)
    return folder / f"{_check_name(part, PART, 'part name', root / MANIFEST)}.parquet"


def _vocabulary_path(root: Path, fkey: str) -> Path:
    return root / "vocabulary" / f"{_check_name(fkey, FILTER_KEY, 'filter key', root / MANIFEST)}.parquet"


def _read_manifest(root: Path) -> dict | None:
    """The store's manifest, checked: its format, the keys the store writes, part names and filter
    keys (they become file names); ``None`` when there is no manifest."""
    path = root / MANIFEST
    if not path.exists():
        return None
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise CorpusError(f"{path}: not a readable store manifest ({exc})") from exc
    if not isinstance(manifest, dict) or "format" not in manifest:
        raise CorpusError(f"{path}: not a store manifest (no \"format\": {FORMAT!r}); this folder was not "
                          f"made by `analysis index`")
    if manifest["format"] != FORMAT:
        raise CorpusError(f"{path}: store format {manifest['format']!r}, this version reads {FORMAT!r}; "
                          f"use the version that wrote it, or index the corpus into a new store")
    missing = [k for k in MANIFEST_KEYS if k not in manifest]
    if missing:
        raise CorpusError(f"{path}: store manifest without {missing}; not written by `analysis index`")
    if not (isinstance(manifest["parts"], dict) and isinstance(manifest["filters"], dict)
            and all(isinstance(v, dict) for v in chain(manifest["parts"].values(), manifest["filters"].values()))
            and all({"n_docs", "n_chars"} <= set(v) for v in manifest["parts"].values())
            and all({"name", "fingerprint", "spec"} <= set(v) for v in manifest["filters"].values())
            and isinstance(manifest["segmenter"], dict) and "fingerprint" in manifest["segmenter"]):
        raise CorpusError(f"{path}: store manifest with malformed parts, filters or segmenter entries")
    for part in manifest["parts"]:
        _check_name(part, PART, "part name", path)
    for fkey in manifest["filters"]:
        _check_name(fkey, FILTER_KEY, "filter key", path)
    if manifest["default_filter"] not in manifest["filters"]:
        raise CorpusError(f"{path}: default filter {manifest['default_filter']!r} is not one of its filters")
    return manifest


def _own_files(root: Path) -> list[tuple[Path, str | None, bool]]:
    """The files in ``root`` the store can prove are its own, as ``(path, part, temporary)``: part
    files ``part-<20 hex>.parquet`` in documents/, tokens/ and counts/<16 hex>/ (``part`` their
    name), vocabulary files ``<16 hex>.parquet`` (``part`` None), and the temporaries of those and
    of the manifest (``.<name>.…``: a run killed mid-write).  Anything else is someone else's.
    A symbolic link among these folders or files is an error: the store never writes, deletes or
    cleans through a link (it could lead out of the store)."""
    def link(path: Path) -> None:
        if path.is_symlink():
            raise CorpusError(f"{path}: a symbolic link inside the store; a store's folders and files must be "
                              f"its own (refusing to write or delete through it)")

    folders: list[tuple[Path, re.Pattern]] = [(root / "documents", PART), (root / "tokens", PART)]
    link(root / "counts")
    if (root / "counts").is_dir():
        folders += [(f, PART) for f in sorted((root / "counts").iterdir()) if FILTER_KEY.fullmatch(f.name)]
    folders.append((root / "vocabulary", FILTER_KEY))
    found = []
    for folder, pattern in folders:
        link(folder)
        if not folder.is_dir():
            continue
        for file in sorted(folder.iterdir()):
            stem, _, rest = file.name.removeprefix(".").partition(".parquet")
            temporary = file.name.startswith(".") and rest.startswith(".")
            if pattern.fullmatch(stem) and (temporary or rest == "" and not file.name.startswith(".")):
                link(file)
                found.append((file, stem if pattern is PART else None, temporary))
    link(root / MANIFEST)
    found += [(f, None, True) for f in sorted(root.glob(f".{MANIFEST}.*")) if not f.is_symlink()]
    return found


def _clean_uncommitted(root: Path, committed: set[str]) -> int:
    """Delete the store's own files that no manifest entry commits (part files of a killed run, and
    temporaries); nothing else, nothing through a link."""
    removed = 0
    for file, part, temporary in _own_files(root):
        if temporary or (part is not None and part not in committed):
            file.unlink(missing_ok=True)
            removed += 1
    return removed


def _delete_store(root: Path) -> list[Path]:
    """``--overwrite``: delete what the store wrote (its part files, vocabularies, temporaries, then
    the manifest) and the folders it made once they are empty.  Files it did not write are kept,
    and so are their folders (as ``git clean`` keeps untracked files unless told); return them."""
    own = _own_files(root)
    for file, _, _ in own:
        file.unlink(missing_ok=True)
    (root / MANIFEST).unlink(missing_ok=True)
    counts = root / "counts"
    folders = [f for f in sorted(counts.iterdir()) if FILTER_KEY.fullmatch(f.name)] if counts.is_dir() else []
    for folder in [*folders, counts, root / "documents", root / "tokens", root / "vocabulary"]:
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
    return sorted(p for p in root.rglob("*") if not p.is_dir())


def _damaged(root: Path, path: Path, reason) -> CorpusError:
    reason = " ".join(str(reason).split()) or type(reason).__name__
    return CorpusError(f"{path}: damaged ({reason}); run `analysis index CORPUS --out {root}` on the corpus it "
                       f"was indexed from to repair it")


def _problem(root: Path, path: Path, kind: str) -> str | None:
    """Why the store file ``path`` (a ``kind`` file) cannot be read, from its footer (cheap: the
    data are not read), or None.  A file that resolves out of the store is refused."""
    real = path.resolve()
    if not real.is_relative_to(root.resolve()):
        raise CorpusError(f"{path}: leads out of the store (to {real}); refusing to read it")
    if not path.is_file():
        return "missing"
    if path.stat().st_size == 0:
        return "empty file"
    try:
        names = pq.read_schema(path).names
    except (OSError, pa.ArrowException) as exc:
        return " ".join(str(exc).split())
    missing = [c for c in COLUMNS[kind] if c not in names]
    return f"no column(s) {missing}" if missing else None


def _read_part(root: Path, path: Path, kind: str, columns: Sequence[str] | None = None) -> pa.Table:
    """``pq.read_table`` of a store file; a missing, unreadable or foreign file is a CorpusError naming it."""
    problem = _problem(root, path, kind)
    if problem is not None:
        raise _damaged(root, path, problem)
    try:
        return pq.read_table(path, columns=columns)
    except (OSError, pa.ArrowException) as exc:
        raise _damaged(root, path, exc) from exc


def _damaged_parts(root: Path, manifest: dict) -> dict[str, str]:
    """The committed parts with a file that is missing, unreadable or foreign: part → what is wrong."""
    damaged = {}
    for part in manifest["parts"]:
        files = [(_part_path(root, kind, part), kind) for kind in ("documents", "tokens")]
        files += [(_part_path(root, "counts", part, fkey), "counts") for fkey in manifest["filters"]]
        for path, kind in files:
            problem = _problem(root, path, kind)
            if problem is not None:
                damaged[part] = f"{path}: {problem}"
                break
    return damaged


# ---------------------------------------------------------------------------- filters
def default_filter(seg: Segmenter) -> TokenFilter:
    """The segmenter's own filter (stopwords, length, numbers, punctuation; lexicon terms protected)."""
    return seg.filter


def filter_key(token_filter) -> str:
    """Folder name of a filter's counts: the first 16 hex digits of its fingerprint."""
    return token_filter.fingerprint[:16]


def filter_entry(token_filter: TokenFilter) -> dict:
    """A filter as the manifest records it: name, fingerprint and the spec that rebuilds it."""
    stop = token_filter.stopwords
    return {"name": token_filter.name, "fingerprint": token_filter.fingerprint,
            "spec": {"stopwords": stop if isinstance(stop, str) else sorted(stop), "min_chars": token_filter.min_chars,
                     "numbers": token_filter.numbers, "punct": token_filter.punct,
                     "protected": sorted(token_filter.protected)}}


def filter_from_entry(entry: dict, where: str = "store") -> TokenFilter:
    """The TokenFilter a manifest entry records (its fingerprint checked)."""
    spec = dict(entry["spec"])
    if not isinstance(spec["stopwords"], str):
        spec["stopwords"] = frozenset(spec["stopwords"])
    token_filter = TokenFilter(**{**spec, "protected": frozenset(spec["protected"])})
    if token_filter.fingerprint != entry["fingerprint"]:
        raise CorpusError(f"{where}: filter {entry['name']!r} no longer has the fingerprint it was counted with "
                          f"(its stopword list changed?); index into a new store")
    return token_filter


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
    from .corpus.readers import _year
    for row in docs.itertuples(index=False):
        text = str(row.text)
        yield DocRef(str(row.doc_id), str(row.collection), _year(row.year, f"document {row.doc_id!r}"),
                     str(getattr(row, "title", "") or ""), seg.key(text), len(text), ("text", text))


def _path_refs(path: Path, seg: Segmenter, **options) -> list[DocRef]:
    """The documents of a folder, .jsonl or .csv file, read by :func:`analysis.corpus.iter_corpus`:
    the loaders' readers and checks, so ``index`` accepts and refuses what ``load_corpus`` does,
    with the same messages.  Each text is dropped once keyed (a folder is read a file at a time,
    a .jsonl file a line at a time; the workers read the texts again from the locators); a CSV
    file's texts stay in memory (no safe byte ranges).  Listed whole before planning, as the
    checks across documents (repeated ids) end the stream."""
    from .corpus.readers import iter_corpus
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
        from .corpus import load_default_corpus
        return _frame_refs(load_default_corpus(), seg)
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


def _read_texts(chunk: Sequence[DocRef]) -> Iterator[str]:
    from .corpus.readers import document_texts
    return document_texts(ref.source for ref in chunk)


class _ChunkBuilder:
    """Accumulates one chunk's tables.  Each document's stream is dictionary-encoded by pyarrow as
    soon as it is segmented (no Python token lists are kept); at the end the documents'
    dictionaries are unified into one chunk vocabulary, each filter decides each type once, and
    the per-document counts are taken with numpy."""

    def __init__(self, filters: Sequence):
        self.filters = list(filters)
        self.encoded: list[pa.DictionaryArray] = []
        self.lengths: list[np.ndarray] = []
        self.paras: dict[str, list] = {c: [] for c in ("doc_id", "paragraph", "section", "section_path",
                                                        "is_heading", "level")}
        self.docs: dict[str, list] = {c: [] for c in DOC_COLUMNS}
        self.n_tokens = 0

    def add(self, ref: DocRef, result: dict) -> None:
        streams = result["tokens"]
        self.lengths.append(np.fromiter(map(len, streams), dtype=np.int64, count=len(streams)))
        encoded = pa.array(list(chain.from_iterable(streams)), pa.string()).dictionary_encode()
        self.encoded.append(encoded)
        self.n_tokens += len(encoded)
        n = len(streams)
        paths = result["section_path"]
        self.paras["doc_id"] += [ref.doc_id] * n
        self.paras["paragraph"] += list(result["paragraph"])
        self.paras["section"] += [p[0] if p else "" for p in paths]
        self.paras["section_path"] += [" > ".join(p) for p in paths]
        self.paras["is_heading"] += list(result["is_heading"])
        self.paras["level"] += list(result["level"])
        row = dict(doc_id=ref.doc_id, collection=ref.collection, year=ref.year, title=ref.title,
                   n_chars=ref.n_chars, n_paragraphs=n, n_tokens=len(encoded),
                   boilerplate_chars=result.get("boilerplate_chars", 0), key=ref.key)
        for col in DOC_COLUMNS:
            self.docs[col].append(row[col])

    def tables(self) -> tuple[pa.Table, pa.Table, list[pa.Table]]:
        empty = pa.DictionaryArray.from_arrays(pa.array([], pa.int32()), pa.array([], pa.string()))
        unified = pa.chunked_array(self.encoded or [empty], type=empty.type).unify_dictionaries()
        vocab = unified.chunk(0).dictionary if unified.num_chunks else empty.dictionary
        doc_ids = [c.indices.to_numpy(zero_copy_only=False).astype(np.int32) for c in unified.chunks][:len(self.encoded)]
        flat = np.concatenate(doc_ids) if doc_ids else np.zeros(0, np.int32)
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


def _run_partition(items: Iterable, fn: Callable, *args) -> list:
    """``Bag.map_partitions`` body: ``fn(item, *args)`` for every item of a partition (one, as the bags are built)."""
    return [fn(item, *args) for item in items]


# ---------------------------------------------------------------------------- vocabulary (a reduction)
def _dictionary_column(table: pa.Table, name: str) -> pa.DictionaryArray:
    """One dictionary-encoded column as a single array with one dictionary (row groups unified)."""
    column = table.unify_dictionaries()[name]
    if column.num_chunks == 0:
        return pa.DictionaryArray.from_arrays(pa.array([], pa.int32()), pa.array([], pa.string()))
    return column.combine_chunks()


def part_term_totals(root: str, fkey: str, part: str) -> pd.DataFrame:
    """Per term of one part's counts: total ``count`` and ``doc_freq`` (indexed by term)."""
    table = _read_part(Path(root), _part_path(Path(root), "counts", part, fkey), "counts", ["term", "count"])
    term = _dictionary_column(table, "term")
    ids = term.indices.to_numpy(zero_copy_only=False)
    size = len(term.dictionary)
    total = np.bincount(ids, weights=table["count"].to_numpy(), minlength=size).astype(np.int64)
    doc_freq = np.bincount(ids, minlength=size).astype(np.int64)
    frame = pd.DataFrame({"count": total, "doc_freq": doc_freq},
                         index=pd.Index(term.dictionary.to_pylist(), dtype=object, name="term"))
    return frame[doc_freq > 0]


def add_totals(left: pd.DataFrame | None, right: pd.DataFrame | None) -> pd.DataFrame | None:
    """Sum two term-total tables (the binary operator of the reduction; ``None`` is the identity)."""
    if left is None or right is None:
        return right if left is None else left
    return left.add(right, fill_value=0).astype(np.int64)


def _vocabulary_table(totals: pd.DataFrame | None) -> pa.Table:
    if totals is None or totals.empty:
        return pa.table({"term_id": pa.array([], pa.int32()), "term": pa.array([], pa.string()),
                         "count": pa.array([], pa.int64()), "doc_freq": pa.array([], pa.int64())})
    totals = totals.sort_index()
    return pa.table({"term_id": pa.array(np.arange(len(totals), dtype=np.int32)),
                     "term": pa.array(totals.index.astype(str).tolist(), pa.string()),
                     "count": pa.array(totals["count"].to_numpy(np.int64)),
                     "doc_freq": pa.array(totals["doc_freq"].to_numpy(np.int64))})


def update_vocabulary(root: Path, fkey: str, parts: Sequence[str], runner: "_Engine", *, rebuild: bool = False) -> None:
    """Write ``vocabulary/<fkey>.parquet`` for ``parts``: the totals it already holds plus the
    reduction over the parts it does not cover yet (all of them with ``rebuild``).  The parts a
    vocabulary covers are in its own schema metadata, so file and coverage change together."""
    path = _vocabulary_path(root, fkey)
    old, covered = None, set()
    if not rebuild and _problem(root, path, "vocabulary") is None:  # a damaged one is counted again
        table = _read_part(root, path, "vocabulary")
        covered = set(json.loads((table.schema.metadata or {}).get(b"parts", b"[]")))
        if covered <= set(parts):
            old = table.to_pandas().set_index("term")[["count", "doc_freq"]]
            old.index = old.index.astype(object)
        else:  # it covers parts the store no longer has: count again
            covered = set()
    new = sorted(set(parts) - covered)
    totals = add_totals(old, runner.totals(str(root), fkey, new) if new else None)
    table = _vocabulary_table(totals)
    _write_parquet(table.replace_schema_metadata({"parts": json.dumps(sorted(parts))}), path)


# ---------------------------------------------------------------------------- engines
class _Engine:
    """Runs jobs (``map``: results as they finish) and the vocabulary reduction (``totals``)."""

    def map(self, fn: Callable, items: Sequence, *args) -> Iterator:
        """``fn(item, *args)`` for every item, results yielded as they finish (any order)."""
        raise NotImplementedError

    def totals(self, root: str, fkey: str, parts: Sequence[str]) -> pd.DataFrame | None:
        return reduce(add_totals, (part_term_totals(root, fkey, p) for p in parts), None)

    def close(self) -> None:
        pass


class LocalEngine(_Engine):
    """This machine's processes: loky's reusable executor, as :mod:`analysis.parallel` uses (workers
    start with fork + exec and do not re-import ``__main__``); ``n_jobs=1`` runs in this process."""

    def __init__(self, n_jobs: int | None = None):
        self.n_jobs = n_jobs or os.cpu_count() or 1

    def map(self, fn, items, *args):
        if self.n_jobs == 1 or len(items) <= 1:
            yield from (fn(item, *args) for item in items)
            return
        from concurrent.futures import as_completed
        from joblib.externals.loky import get_reusable_executor
        executor = get_reusable_executor(max_workers=min(self.n_jobs, len(items)), timeout=300)
        futures = [executor.submit(fn, item, *args) for item in items]
        try:
            for future in as_completed(futures):
                yield future.result()
        finally:
            for future in futures:
                future.cancel()


class DaskEngine(_Engine):
    """A ``dask.distributed`` cluster: ``scheduler`` (an address such as ``tcp://host:8786``), or a
    LocalCluster of ``n_workers`` processes with one thread each.  Chunks are a :mod:`dask.bag`."""

    def __init__(self, scheduler: str | None = None, n_workers: int = 2):
        import dask
        from distributed import Client, LocalCluster
        if scheduler:
            self.cluster, self.client = None, Client(scheduler)
        else:
            # Dask's statistical profiler samples each worker's stack every 10 ms, holding the GIL
            # the segmentation needs; the nannies hand this setting to their workers.
            with dask.config.set({"distributed.worker.profile.enabled": False}):
                self.cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                                            dashboard_address=None)
            self.client = Client(self.cluster)

    def map(self, fn, items, *args):
        import dask.bag as db
        from distributed import as_completed
        if not items:
            return
        bag = db.from_sequence(items, npartitions=len(items)).map_partitions(_run_partition, fn, *args)
        futures = self.client.compute(bag.to_delayed())
        for future in as_completed(futures):
            yield from future.result()

    def totals(self, root, fkey, parts):
        import dask.bag as db
        if not parts:
            return None
        bag = db.from_sequence(list(parts), npartitions=min(len(parts), 8 * len(self.client.nthreads())))
        return bag.map(lambda p: part_term_totals(root, fkey, p)).fold(add_totals, add_totals, initial=None) \
                  .compute(scheduler=self.client)

    def close(self):
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def make_engine(engine: str = "local", *, scheduler: str | None = None, n_jobs: int | None = None) -> _Engine:
    if engine == "local":
        if scheduler:
            raise InputError("--scheduler needs --engine dask")
        return LocalEngine(n_jobs)
    if engine == "dask":
        return DaskEngine(scheduler, n_workers=n_jobs or 2)
    raise InputError(f"unknown engine {engine!r}; choose one of {ENGINES}")


# ---------------------------------------------------------------------------- index
@dataclass
class IndexResult:
    """What one :func:`index` run did."""

    store: "Store"
    indexed: int      # documents segmented in this run
    skipped: int      # documents already in the store
    parts: int        # part files written in this run
    chars: int        # characters segmented in this run
    seconds: float


def _new_manifest(seg: Segmenter, filters: Sequence) -> dict:
    return {"format": FORMAT, "segmenter": {"fingerprint": seg.fingerprint, "options": seg.options,
                                            "repr": repr(seg)},
            "filters": {filter_key(f): filter_entry(f) for f in filters},
            "default_filter": filter_key(filters[0]), "parts": {}}


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
    seg = segmenter or Segmenter(cache=False)
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
    origin = "study corpus" if corpus is None else ("document table" if isinstance(corpus, pd.DataFrame) else str(corpus))
    chunks, skipped = plan_chunks(corpus_refs(corpus, seg, **read_options), indexed, chunk_chars, origin)
    run = manifest["runs"] = manifest.get("runs", 0) + 1
    order = {name: previous.get(name) or [run, i] for i, name in enumerate(map(part_name, chunks))}
    _write_json(manifest, root / MANIFEST)
    vocabularies = [_vocabulary_path(root, filter_key(f)) for f in filters]
    if not chunks and all(_problem(root, v, "vocabulary") is None for v in vocabularies):  # nothing to do
        return IndexResult(Store(root), 0, skipped, 0, 0, time.perf_counter() - start)

    from .progress import progress_bar
    runner = make_engine(engine, scheduler=scheduler, n_jobs=n_jobs)
    chars = 0
    try:
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
    :class:`~analysis.segment.Segmenter` does, when the store was built with that lexicon."""
    root = Path(store.root if isinstance(store, Store) else store)
    manifest = _read_manifest(root)
    if manifest is None:
        raise CorpusError(f"{root}: not a store (no {MANIFEST})")
    _own_files(root)  # no writes through a link out of the store
    if protect_lexicon:
        from .lexicon import Lexicon
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


# ---------------------------------------------------------------------------- reading
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
        """A boolean mask over :meth:`documents` (as :meth:`analysis.pipeline.SegmentedCorpus.select`)."""
        return select_documents(self.documents(), collection=collection, years=years, doc_ids=doc_ids, exclude=exclude)

    def mask(self, which, role: str = "selection") -> np.ndarray:
        """A doc_id, list of doc_ids, boolean mask or callable on :meth:`documents` as a mask."""
        from .keyness import _select
        return _select(self.documents(), which, role)

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
        from .dtm import DTM
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
        """:func:`analysis.frequency.term_frequency` from the store: ``group, term, count,
        total_tokens, per_10k, doc_freq, n_docs, rank``."""
        from .frequency import frequency_from_dtm
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

    def tfidf(self, which=None, *, by: str | None = None, token_filter=None, top: int | None = 20,
              min_count: int = 1, tf: str = "raw", idf: str = "smooth", norm: str = "l2",
              exclude_ubiquitous: bool = False) -> pd.DataFrame:
        """:func:`analysis.tfidf.tfidf` from the store (documents or ``by`` groups as rows): the same
        table, via :func:`tfidf_from_dtm`."""
        docs = self.documents()
        sel = docs if which is None else docs[self.mask(which)]
        if by is not None:
            sel = sel[sel[by].notna()]
        dtm = self.dtm(sel["doc_id"].tolist(), by=None if by is None else sel[by].to_numpy(),
                       token_filter=token_filter, drop_unused=True)
        from .tfidf import tfidf_from_dtm
        table = tfidf_from_dtm(dtm, top=top, min_count=min_count, tf=tf, idf=idf, norm=norm,
                               exclude_ubiquitous=exclude_ubiquitous)
        table.attrs["filter"] = self.filter_name(token_filter)
        return table

    def keyness(self, target, reference=None, *, token_filter=None, units=None, **options) -> pd.DataFrame:
        """:func:`analysis.keyness.keyness` from the store's sparse counts: the same columns and numbers.

        ``target``/``reference`` as there (doc_id, list, mask over :meth:`documents`, callable);
        ``options`` as there (``measure``, ``yates``, ``min_target``, ``min_count``, ``correction``,
        ``exact``, ``n_boot``, ``random_state``, ``resample``, ``alpha``, ``min_units``).  ``units``:
        a units table as there, or ``"paragraphs"`` for the target's paragraphs read from the store
        (with ``token_filter``, a :class:`~analysis.tokens.TokenFilter`; default the segmenter's).
        The document-term matrix of the selected documents is built from their sparse counts (no
        token list is read), then :func:`keyness_from_dtm` does what ``keyness`` does with its own."""
        from .keyness import select_pair
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
        from .keyness import keyness_from_dtm  # statistics imported on demand: workers never load scipy
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

    def trends(self, terms: Sequence[str], *, target=None, years: Sequence[int] | None = None,
               token_filter=None) -> pd.DataFrame:
        """:func:`analysis.trends.term_trends` from the store: count and rate per year of each term."""
        from .trends import trend_table
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


def open_store(path: str | Path) -> Store:
    """Open an indexed store (for notebooks: ``store = open_store("my_store")``)."""
    return Store(path)


# ---------------------------------------------------------------------------- command line
def _cli_index(args) -> int:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fields = {k: v for k, v in (("text", args.text_field), ("year", args.year_field),
                                    ("collection", args.collection)) if v}
        segmenter = None
        if args.lexicon:
            from .lexicon import Lexicon
            segmenter = Segmenter(Lexicon.load(extra=args.lexicon), cache=False)
        result = index(args.corpus, args.out, engine=args.engine, scheduler=args.scheduler, n_jobs=args.jobs,
                       chunk_chars=args.chunk_chars, segmenter=segmenter, progress=not args.quiet,
                       overwrite=args.overwrite, **fields)
    for w in caught:
        if issubclass(w.category, UserWarning):
            print(f"note: {w.message}")
    print(f"{result.store}: indexed {result.indexed} documents ({result.chars:,} characters) in "
          f"{result.parts} parts, skipped {result.skipped} already indexed, {result.seconds:.1f} s")
    return 0


def _cli_keyness(args) -> int:
    store = Store(args.store)
    reference = store.select(collection=args.collection, years=check.years(args.years, "--years"), exclude=args.target)
    table = store.keyness(args.target, reference, measure=args.measure)
    out = Path(args.out)
    _atomic_write(out, lambda fh: table.to_csv(fh, index=False))
    print(f"{out}: {len(table)} terms, {args.target} against {int(reference.sum())} documents "
          f"({table.attrs['filter']})")
    return 0


def add_store_commands(subparsers) -> None:
    """``analysis index`` and ``analysis keyness`` (called by :func:`analysis.cli.build_parser`)."""
    idx = subparsers.add_parser("index", help="segment a corpus in chunks into an on-disk Parquet store")
    idx.add_argument("corpus", nargs="?", help="folder of .txt, .jsonl or .csv (default: the study corpus)")
    idx.add_argument("--out", required=True, help="store folder (created, or extended: indexed documents are skipped)")
    idx.add_argument("--engine", choices=ENGINES, default="local", help="local processes or a Dask cluster")
    idx.add_argument("--scheduler", help="Dask scheduler address, e.g. tcp://10.0.0.5:8786 (default: a LocalCluster)")
    idx.add_argument("--chunk-chars", type=int, default=CHUNK_CHARS, help="characters per chunk (bounds memory)")
    idx.add_argument("--jobs", type=int, help="worker processes (default: all cores; dask LocalCluster: 2)")
    idx.add_argument("--text-field", help="JSON Lines / CSV field holding the text (default: text)")
    idx.add_argument("--year-field", help="JSON Lines / CSV field holding the year (default: year)")
    idx.add_argument("--collection", help="collection name for documents without one (default: the file name)")
    idx.add_argument("--lexicon", action="append", metavar="TSV",
                     help="extra lexicon file (term, category, …), e.g. learned terms; repeatable")
    idx.add_argument("--overwrite", action="store_true",
                     help="delete the store first (default: keep it and add only documents not yet indexed)")
    idx.add_argument("--quiet", action="store_true", help="no progress bar")
    idx.set_defaults(func=_cli_index)

    key = subparsers.add_parser("keyness", help="keyness of a document against a reference, from a store")
    key.add_argument("store", help="a store made by `analysis index`")
    key.add_argument("--target", required=True, help="doc_id of the target document")
    key.add_argument("--collection", help="reference collection (default: every other document)")
    key.add_argument("--years", help="reference years, e.g. 2015-2024")
    key.add_argument("--measure", choices=["g2", "chi2"], default="g2")
    key.add_argument("--out", required=True, help="CSV file to write")
    key.set_defaults(func=_cli_keyness)
