"""What a store is on disk and what it owns: file names, the manifest, its own files, damaged parts.

::

    STORE/manifest.json                      format, segmenter, filters, committed parts
    STORE/documents/<part>.parquet           doc_id, collection, year, title, n_chars, n_paragraphs,
                                             n_tokens, boilerplate_chars, key
    STORE/tokens/<part>.parquet              doc_id, paragraph, section, section_path, is_heading, level,
                                             tokens (the UNFILTERED stream, list<dictionary<string>>)
    STORE/counts/<filter>/<part>.parquet     doc_id, term, count: sparse per-document counts of the
                                             tokens a named filter keeps (term dictionary-encoded)
    STORE/vocabulary/<filter>.parquet        term_id, term, count, doc_freq (term_id = position in
                                             sorted order, the column order of scikit-learn's vectorizers)

Each file is written atomically (temporary name + ``os.replace``); a part is committed by an
atomic rewrite of the manifest once all its files exist.  The store deletes only files it can
prove it wrote (its part and vocabulary file names and their temporaries, in its own folders,
never through a symbolic link), and every read names a damaged file.  A filter's manifest entry
(name, fingerprint, the spec that rebuilds it) is made and read here too.
"""

from __future__ import annotations

import json
import re
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Callable, Sequence

import pyarrow as pa
import pyarrow.parquet as pq

from .._util.atomic import atomic_write
from ..errors import CorpusError
from ..tokens.nesting import TokenFilter

if TYPE_CHECKING:
    from ..tokens.segment import Segmenter

FORMAT = "analysis.store/1"
MANIFEST = "manifest.json"
DOC_COLUMNS = ["doc_id", "collection", "year", "title", "n_chars", "n_paragraphs", "n_tokens",
               "boilerplate_chars", "key"]


# ---------------------------------------------------------------------------- files
def _atomic_write(path: Path, write: Callable[[BinaryIO], None]) -> None:
    """:func:`analysis._util.atomic.atomic_write` for store files: the temporary files of a run killed
    mid-write are removed by the next run's clean-up of uncommitted files, not by process id
    (workers may run on several machines)."""
    atomic_write(path, write, clean_stale=False)


# Columns written without min/max statistics: the token streams and count terms (strings; the
# statistics cost most of the write, 3-10x, and no reader here filters on them).
NO_STATISTICS = frozenset({"tokens", "term"})


def _write_parquet(table: pa.Table, path: Path) -> None:
    statistics = [c for c in table.column_names if c not in NO_STATISTICS]
    _atomic_write(path, lambda fh: pq.write_table(table, fh, write_statistics=statistics))


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



def _new_manifest(seg: Segmenter, filters: Sequence) -> dict:
    return {"format": FORMAT, "segmenter": {"fingerprint": seg.fingerprint, "options": seg.options,
                                            "repr": repr(seg)},
            "filters": {filter_key(f): filter_entry(f) for f in filters},
            "default_filter": filter_key(filters[0]), "parts": {}}



def _dictionary_column(table: pa.Table, name: str) -> pa.DictionaryArray:
    """One dictionary-encoded column as a single array with one dictionary (row groups unified)."""
    column = table.unify_dictionaries()[name]
    if column.num_chunks == 0:
        return pa.DictionaryArray.from_arrays(pa.array([], pa.int32()), pa.array([], pa.string()))
    return column.combine_chunks()

