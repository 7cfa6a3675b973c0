"""Segmented documents as compact arrays, and a safe on-disk cache of them: never pickle.

:class:`Segments` holds the token streams of one or more documents the way quanteda's tokens
object does: the distinct token types once (``vocab``), one integer per token (``ids``), and
where each paragraph and document ends; beside them each paragraph's section, heading flag and
level.  It is what a worker process sends back, what the cache stores, and what
:meth:`analysis.segment.Segmenter.segment` turns into a paragraph table.
:meth:`Segments.concat` joins documents into one corpus with one vocabulary.

One file per entry, ``<key[:2]>/<key>.seg`` (one document) or ``corpora/<key>.corpus`` (the
assembled corpus of one call, so that a re-run reads one file and merges nothing)::

    b"ANSEG5\\n" · 8-byte little-endian header length · header (JSON, UTF-8) · payload · HMAC

The header holds the schema, the cache key, the distinct section paths, and for each array of
the payload its offset and length.  The last 32 bytes are an HMAC-SHA256 of everything before
them under the cache's own secret: 32 random bytes in ``<folder>/.key``, made once (mode 0600)
by the first process that uses the folder.  Nothing in a file is ever executed: the reader
checks the HMAC, then only decodes JSON and reinterprets bytes as numbers.  A file is written to
a unique temporary name in the same folder and renamed into place
(:func:`analysis.atomic.atomic_write`), so readers see the old file or the new one, never half
of one, and two processes can write the same key.  A file that is truncated, damaged, edited or
forged (its HMAC does not verify), or made for another key (foreign) is named in a warning,
deleted and recomputed; a file of an earlier format (``ANSEG4``) is simply not found, and
overwritten.  What the HMAC does not stop: someone who can read ``.key`` (the same user,
root) can forge entries.

A folder that cannot be written or read (full disk, read-only, permission denied, a file where
the folder should be) is named in one :class:`~analysis.errors.CacheWarning`, and the run goes
on without the cache: the results are the same, only computed again.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import time
import struct
import warnings
from dataclasses import dataclass, fields
from functools import cached_property
from itertools import chain
from pathlib import Path

import numpy as np

from .._util.atomic import atomic_write, remove_stale_parts, temp_beside
from ..errors import CacheWarning

SCHEMA = "analysis.segments/5"
MAGIC = b"ANSEG5\n"
OLD_MAGIC = b"ANSEG"  # ANSEG4 and before: files of an earlier format, simply not found
KEY_FILE = ".key"  # the cache's secret for the HMAC of its entries
KEY_BYTES = MAC_BYTES = 32
SEP = "\x1f"  # unit separator: joins the vocabulary (tokens never contain it)
NO_LEVEL = -1  # ``level`` of a paragraph that is not a heading
CORPUS_ENTRIES = 16  # assembled corpora kept in a cache folder (least recently used go first)


class _Index(dict):
    """Key → id, a new id for each new key (``index[token]``), in order of first appearance."""

    def __missing__(self, key) -> int:
        value = self[key] = len(self)
        return value


def pack(lists: list[list[str]]) -> tuple[str, np.ndarray, np.ndarray]:
    """Token lists as (vocabulary joined by SEP, uint32 ids, uint32 end offsets)."""
    index = _Index()
    flat = list(chain.from_iterable(lists))
    ids = np.fromiter(map(index.__getitem__, flat), dtype=np.uint32, count=len(flat))
    ends = np.cumsum(list(map(len, lists)), dtype=np.uint32)
    return SEP.join(index), ids, ends


def split_vocab(vocab_text: str) -> list[str]:
    return vocab_text.split(SEP) if vocab_text else []


def split_at(flat: list, ends: np.ndarray) -> list[list]:
    """``flat`` cut into consecutive lists ending at each of ``ends`` (running counts)."""
    bounds = np.asarray(ends, dtype=np.int64).tolist()
    return [flat[a:b] for a, b in zip([0] + bounds, bounds)]


def unpack(vocab_text: str, ids: np.ndarray, ends: np.ndarray) -> list[list[str]]:
    vocab = np.array(split_vocab(vocab_text), dtype=object)
    return split_at(vocab[np.asarray(ids, dtype=np.int64)].tolist(), ends)  # one str object per token type


def corpus_vocabulary(vocabularies: list[str]) -> tuple[str, list[np.ndarray]]:
    """One vocabulary for many SEP-joined vocabularies: the distinct types (joined by SEP), and for
    each input the global id of each of its local ids.  Dictionary-encoded by pyarrow, so no
    Python object is made per type."""
    import pyarrow as pa
    import pyarrow.compute as pc
    sizes = [v.count(SEP) + 1 if v else 0 for v in vocabularies]
    joined = SEP.join(v for v in vocabularies if v)
    if not joined:
        return "", [np.zeros(0, dtype=np.uint32) for _ in vocabularies]
    encoded = pc.split_pattern(pa.array([joined]), pattern=SEP).flatten().dictionary_encode()
    ids = encoded.indices.to_numpy(zero_copy_only=False).astype(np.uint32)
    bounds = np.cumsum([0] + sizes)
    types = encoded.dictionary
    types = pc.binary_join(pa.ListArray.from_arrays(pa.array([0, len(types)], pa.int32()), types), SEP)[0].as_py()
    return types, [ids[a:b] for a, b in zip(bounds[:-1], bounds[1:])]


@dataclass(eq=False)
class Segments:
    """The token streams of one or more documents, with their paragraphs' structure.

    Tokens: ``vocab`` (distinct types joined by SEP), ``ids`` (uint32, one per token), ``ends``
    (uint32: running token count at the end of each paragraph).  Paragraphs: ``text`` (their
    normalised texts end to end, UTF-8) and ``text_ends`` (uint64: running byte count), ``doc_ends``
    (running paragraph count at the end of each document), ``path`` (index into ``paths``, the
    distinct section paths), ``heading`` (bool), ``level`` (int32, ``NO_LEVEL`` when not a
    heading).  Per document: ``boilerplate`` (characters removed by normalisation).  With part
    of speech: ``tag_vocab`` and ``tag_ids`` (one tag per token).
    """

    vocab: str
    ids: np.ndarray
    ends: np.ndarray
    doc_ends: np.ndarray
    paths: list[tuple[str, ...]]
    path: np.ndarray
    heading: np.ndarray
    level: np.ndarray
    boilerplate: np.ndarray
    text: bytes = b""
    text_ends: np.ndarray | None = None
    tag_vocab: str | None = None
    tag_ids: np.ndarray | None = None

    @classmethod
    def from_processed(cls, value: dict) -> "Segments":
        """One document as :meth:`analysis.segment.Segmenter.process` returns it."""
        vocab, ids, ends = pack(value["tokens"])
        paths = _Index()
        path = [paths[tuple(p)] for p in value["section_path"]]
        tag_vocab = tag_ids = None
        if value.get("tags") is not None:
            tag_vocab, tag_ids, _ = pack(value["tags"])
        texts = [t.encode("utf-8") for t in value["text"]]
        return cls(vocab, ids, ends, np.array([len(ends)], dtype=np.uint32), list(paths),
                   np.array(path, dtype=np.uint32), np.array(value["is_heading"], dtype=bool),
                   np.array([NO_LEVEL if v is None else v for v in value["level"]], dtype=np.int32),
                   np.array([value["boilerplate_chars"]], dtype=np.uint64), b"".join(texts),
                   np.cumsum([len(t) for t in texts], dtype=np.uint64), tag_vocab, tag_ids)

    @classmethod
    def concat(cls, parts: list["Segments"]) -> "Segments":
        """The documents of ``parts`` in order, with one vocabulary (and one list of paths)."""
        if len(parts) == 1:
            return parts[0]
        vocab, maps = corpus_vocabulary([p.vocab for p in parts])
        token_offsets = np.cumsum([0] + [len(p.ids) for p in parts[:-1]])
        byte_offsets = np.cumsum([0] + [len(p.text) for p in parts[:-1]], dtype=np.uint64)
        para_offsets = np.cumsum([0] + [len(p.ends) for p in parts[:-1]])
        paths = _Index()
        path = [np.array([paths[q] for q in p.paths], dtype=np.uint32)[p.path] for p in parts]
        tag_vocab = tag_ids = None
        if parts and all(p.tag_ids is not None for p in parts):
            tag_vocab, tag_maps = corpus_vocabulary([p.tag_vocab for p in parts])
            tag_ids = _cat([m[p.tag_ids] for m, p in zip(tag_maps, parts)], np.uint32)
        return cls(vocab, _cat([m[p.ids] for m, p in zip(maps, parts)], np.uint32),
                   _cat([p.ends + o for p, o in zip(parts, token_offsets)], np.uint32),
                   _cat([p.doc_ends + o for p, o in zip(parts, para_offsets)], np.uint32),
                   list(paths), _cat(path, np.uint32), _cat([p.heading for p in parts], bool),
                   _cat([p.level for p in parts], np.int32), _cat([p.boilerplate for p in parts], np.uint64),
                   b"".join(p.text for p in parts),
                   _cat([p.text_ends + o for p, o in zip(parts, byte_offsets)], np.uint64), tag_vocab, tag_ids)

    @property
    def types(self) -> list[str]:
        """The distinct token types, in id order."""
        return split_vocab(self.vocab)

    @property
    def n_docs(self) -> int:
        return len(self.doc_ends)

    def streams(self) -> list[list[str]]:
        """Every paragraph's tokens, in order."""
        return unpack(self.vocab, self.ids, self.ends)

    def paragraph_paths(self) -> list[tuple[str, ...]]:
        return [self.paths[i] for i in self.path.tolist()]

    def levels(self) -> list[int | None]:
        return [None if v == NO_LEVEL else v for v in self.level.tolist()]


def _cat(arrays: list[np.ndarray], dtype) -> np.ndarray:
    return np.concatenate(arrays).astype(dtype, copy=False) if arrays else np.zeros(0, dtype=dtype)


_TEXTS = ("vocab", "tag_vocab")
_BYTES = ("text",)
_ARRAYS = {"text_ends": "<u8", "ids": "<u4", "ends": "<u4", "doc_ends": "<u4", "path": "<u4", "heading": "|b1", "level": "<i4",
           "boilerplate": "<u8", "tag_ids": "<u4"}


def _mac(secret: bytes, data) -> bytes:
    return hmac.new(secret, data, hashlib.sha256).digest()


class OldFormat(ValueError):
    """A cache file of an earlier format: not an error, just not there."""


def encode(value: Segments, key: str, secret: bytes = b"") -> bytes:
    """:class:`Segments` as the bytes of one cache file, authenticated with ``secret``."""
    parts, layout, offset = [], {}, 0
    for name in (*_TEXTS, *_BYTES, *_ARRAYS):
        data = getattr(value, name)
        if data is None:
            continue
        if name in _TEXTS:
            data = data.encode("utf-8")
        elif name in _ARRAYS:
            data = np.ascontiguousarray(data, _ARRAYS[name]).tobytes()
        layout[name] = [offset, len(data)]
        parts.append(data)
        offset += len(data)
    payload = b"".join(parts)
    header = {"schema": SCHEMA, "key": key, "layout": layout, "paths": [list(p) for p in value.paths]}
    head = json.dumps(header, ensure_ascii=False).encode("utf-8")
    data = MAGIC + struct.pack("<Q", len(head)) + head + payload
    return data + _mac(secret, data)


def decode(data: bytes, key: str | None = None, secret: bytes = b"") -> Segments:
    """The inverse of :func:`encode`; raises ValueError for anything but a whole file of this
    schema authenticated with ``secret`` (and, with ``key``, made for that key) whose arrays
    agree with each other; :class:`OldFormat` for a file of an earlier format."""
    if not data.startswith(MAGIC) or len(data) < len(MAGIC) + 8 + MAC_BYTES:
        if data.startswith(OLD_MAGIC) and not data.startswith(MAGIC):
            raise OldFormat("a segment cache file of an earlier format")
        raise ValueError(f"not a segment cache file (no {MAGIC.decode().strip()} header)")
    view = memoryview(data)
    if not hmac.compare_digest(_mac(secret, view[:-MAC_BYTES]), view[-MAC_BYTES:]):
        raise ValueError("its HMAC does not verify (truncated, damaged, edited, or written with another key)")
    (n,) = struct.unpack_from("<Q", data, len(MAGIC))
    start = len(MAGIC) + 8
    if start + n > len(data) - MAC_BYTES:
        raise ValueError("truncated header")
    header = json.loads(data[start:start + n].decode("utf-8"))
    if header.get("schema") != SCHEMA:
        raise ValueError(f"schema {header.get('schema')!r}, expected {SCHEMA!r}")
    if key is not None and header.get("key") != key:
        raise ValueError("made for another document or options (key mismatch)")
    payload = view[start + n:-MAC_BYTES]
    out: dict = {"paths": [tuple(p) for p in header["paths"]]}
    for name, (offset, length) in header["layout"].items():
        chunk = payload[offset:offset + length]
        if name in _TEXTS:
            out[name] = bytes(chunk).decode("utf-8")
        elif name in _BYTES:
            out[name] = bytes(chunk)
        elif name in _ARRAYS:
            out[name] = np.frombuffer(chunk, dtype=_ARRAYS[name])
    value = Segments(**{f.name: out.get(f.name) for f in fields(Segments)})
    _check(value)
    return value


def _check(s: Segments) -> None:
    import pyarrow as pa
    n_para = len(s.ends)
    if any(len(a) != n_para for a in (s.path, s.heading, s.level)) or len(s.boilerplate) != len(s.doc_ends):
        raise ValueError("paragraph columns of different lengths")
    if (n_para and int(s.ends[-1]) != len(s.ids)) or (len(s.doc_ends) and int(s.doc_ends[-1]) != n_para):
        raise ValueError("paragraph or document ends do not match the token streams")
    if np.any(np.diff(s.ends.astype(np.int64)) < 0) or np.any(np.diff(s.doc_ends.astype(np.int64)) < 0):
        raise ValueError("paragraph or document ends out of order")
    if s.text_ends is None or len(s.text_ends) != n_para or (n_para and int(s.text_ends[-1]) != len(s.text)) \
            or np.any(np.diff(s.text_ends.astype(np.int64)) < 0):
        raise ValueError("paragraph texts do not match their ends")
    try:
        pa.LargeStringArray.from_buffers(1, pa.py_buffer(np.array([0, len(s.text)], dtype=np.int64)),
                                         pa.py_buffer(s.text)).validate(full=True)
    except pa.ArrowInvalid:
        raise ValueError("paragraph texts are not valid UTF-8") from None
    if len(s.ids) and int(s.ids.max()) >= s.vocab.count(SEP) + 1:
        raise ValueError("token id outside the vocabulary")
    if len(s.path) and int(s.path.max()) >= len(s.paths):
        raise ValueError("section path index outside the list of paths")
    if (s.tag_ids is None) != (s.tag_vocab is None) or (s.tag_ids is not None and len(s.tag_ids) != len(s.ids)):
        raise ValueError("part-of-speech tags do not match the tokens")


class SegmentCache:
    """Segmented documents on disk under ``folder`` (see the module docstring): one file per
    document, and the assembled corpus of each of the last ``CORPUS_ENTRIES`` calls.

    A folder that cannot be read or written turns the cache off for this object, with one
    :class:`~analysis.errors.CacheWarning` naming the folder: :meth:`get` then finds nothing
    and :meth:`put` stores nothing."""

    def __init__(self, folder: Path | str):
        self.folder = Path(folder)
        self.off = False

    def path(self, key: str, *, corpus: bool = False) -> Path:
        if not key or any(c not in "0123456789abcdef" for c in key):
            raise ValueError(f"cache key must be a hex digest, not {key!r}")
        return self.folder / "corpora" / f"{key}.corpus" if corpus else self.folder / key[:2] / f"{key}.seg"

    def _turn_off(self, exc: OSError, doing: str) -> None:
        if not self.off:
            self.off = True
            warnings.warn(f"{self.folder}: the segment cache folder cannot be {doing} ({exc.strerror or exc}); "
                          f"going on without it (same results, computed again)", CacheWarning, stacklevel=4)

    @cached_property
    def secret(self) -> bytes:
        """The cache's HMAC key, ``<folder>/.key`` (made on first use: 32 random bytes, mode 0600)."""
        path = self.folder / KEY_FILE
        try:
            secret = path.read_bytes()
        except FileNotFoundError:
            secret = None
        if secret is not None and len(secret) == KEY_BYTES:
            return secret
        remove_stale_parts(path)
        fd, tmp = temp_beside(path, private=True)  # readable by its owner only, whatever the umask
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(os.urandom(KEY_BYTES))
            if secret is None:
                try:
                    os.link(tmp, path)  # never replaces the key another process has just made
                except FileExistsError:
                    pass
            else:
                warnings.warn(f"{path}: not a segment cache key ({len(secret)} bytes); a new one is made and "
                              f"the entries made with the old one are segmented again", CacheWarning, stacklevel=4)
                os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
        secret = path.read_bytes()
        if len(secret) != KEY_BYTES:
            raise OSError(f"{path} is not a key of {KEY_BYTES} bytes")
        return secret

    def get(self, key: str, *, corpus: bool = False) -> Segments | None:
        """The segments stored under ``key``, or None."""
        path = self.path(key, corpus=corpus)
        if self.off:
            return None
        try:
            data = path.read_bytes()
            secret = self.secret
        except FileNotFoundError:
            return None
        except OSError as exc:
            self._turn_off(exc, "read")
            return None
        try:
            value = decode(data, key, secret)
        except OldFormat:
            return None  # overwritten by put()
        except (ValueError, KeyError, UnicodeDecodeError, struct.error, IndexError, TypeError) as exc:
            warnings.warn(f"{path}: unreadable segment cache file ({type(exc).__name__}: {exc}); "
                          f"it is deleted and the document segmented again", CacheWarning, stacklevel=3)
            try:
                path.unlink(missing_ok=True)
            except OSError:
                pass  # a read-only folder: put() says so
            return None
        if corpus:
            try:
                _mark_recent(path)  # recently used: kept when older corpora are pruned
            except OSError:
                pass
        return value

    def put(self, key: str, value: Segments, *, corpus: bool = False) -> Path | None:
        """Store ``value`` under ``key``, atomically (a corpus: and prune the least recently used);
        None when the folder cannot be written."""
        if self.off:
            return None
        try:
            data = encode(value, key, self.secret)
            path = atomic_write(self.path(key, corpus=corpus), lambda fh: fh.write(data))
        except OSError as exc:
            self._turn_off(exc, "written")
            return None
        if corpus:
            try:
                _mark_recent(path)
            except OSError:
                pass
            self._prune(path.parent)
        return path

    @staticmethod
    def _prune(folder: Path) -> None:  # least recently used first: by modification time (see _mark_recent)
        entries = []
        for p in folder.glob("*.corpus"):
            try:
                entries.append((p.stat().st_mtime_ns, p))
            except FileNotFoundError:
                continue
        for _, p in sorted(entries, reverse=True)[CORPUS_ENTRIES:]:
            try:
                p.unlink(missing_ok=True)
            except OSError:
                pass


def _mark_recent(path: Path) -> None:
    """Make ``path`` the most recently used corpus of its folder: its modification time strictly after every other
    one's.  File times come from a coarse clock (a few milliseconds), so two corpora used in quick succession can
    share one; the order of use, not the clock's resolution, must decide what is pruned."""
    newest = 0
    for p in path.parent.glob("*.corpus"):
        if p != path:
            try:
                newest = max(newest, p.stat().st_mtime_ns)
            except FileNotFoundError:
                continue
    stamp = max(time.time_ns(), newest + 1)
    os.utime(path, ns=(stamp, stamp))
