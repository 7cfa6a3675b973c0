"""A safe on-disk cache of segmented documents: raw arrays and JSON, never pickle.

One file per document, ``<key[:2]>/<key>.seg``::

    b"ANSEG3\n"  · 8-byte little-endian header length · header (JSON, UTF-8) · payload

The header holds the schema, the cache key, the paragraph columns (index, section path,
heading flag, level), the count of boilerplate characters removed, and for each array of the
payload its dtype, offset and length, and a CRC-32 of the whole payload.  The payload holds the
token streams of all paragraphs as ``vocab`` (the distinct tokens joined by U+001F, UTF-8),
``ids`` (one ``uint32`` per token) and ``ends`` (running token count at the end of each
paragraph), and ``tag_vocab`` / ``tag_ids`` for part-of-speech tags when asked for.

Nothing in a file is ever executed: the reader only decodes JSON and reinterprets bytes as
numbers.  A file is written to a unique temporary name in the same folder and renamed into
place, so readers see the old file or the new one, never half of one, and two processes can
write the same key.  A file that is truncated, corrupt (CRC), of another schema, or made for
another key (foreign) is named in a warning, deleted and recomputed.
"""

from __future__ import annotations

import json
import struct
import warnings
import zlib
from pathlib import Path

import numpy as np

from .atomic import atomic_write
from .errors import CacheWarning

SCHEMA = "analysis.segments/3"
MAGIC = b"ANSEG3\n"
SEP = "\x1f"  # unit separator: joins the vocabulary (tokens never contain it)


def pack(lists: list[list[str]]) -> tuple[str, np.ndarray, np.ndarray]:
    """Token lists as (vocabulary joined by SEP, uint32 ids, uint32 end offsets)."""
    index: dict[str, int] = {}
    ids = [index.setdefault(t, len(index)) for toks in lists for t in toks]
    ends = np.cumsum([len(toks) for toks in lists], dtype=np.uint32)
    return SEP.join(index), np.asarray(ids, dtype=np.uint32), ends


def split_vocab(vocab_text: str) -> list[str]:
    return vocab_text.split(SEP) if vocab_text else []


def unpack(vocab_text: str, ids: np.ndarray, ends: np.ndarray) -> list[list[str]]:
    vocab = np.array(split_vocab(vocab_text), dtype=object)
    flat = vocab[np.asarray(ids, dtype=np.int64)].tolist()  # one str object per token type
    bounds = np.asarray(ends, dtype=np.int64).tolist()
    return [flat[a:b] for a, b in zip([0] + bounds, bounds)]


def packed(value: dict) -> dict:
    """A processed document (see :meth:`analysis.segment.Segmenter.process`) with its token
    streams (and tags) packed as ``vocab``/``ids``/``ends`` instead of lists."""
    out = {k: v for k, v in value.items() if k not in ("tokens", "tags", "text")}
    out["vocab"], out["ids"], out["ends"] = pack(value["tokens"])
    if value.get("tags") is not None:
        out["tag_vocab"], out["tag_ids"], _ = pack(value["tags"])
    return out


_ARRAYS = ("ids", "ends", "tag_ids")
_TEXTS = ("vocab", "tag_vocab")


def encode(value: dict, key: str) -> bytes:
    """A packed document (:func:`packed`) as the bytes of one cache file."""
    parts, layout, offset = [], {}, 0
    for name in _TEXTS + _ARRAYS:
        if name not in value:
            continue
        data = value[name].encode("utf-8") if name in _TEXTS else np.ascontiguousarray(value[name], "<u4").tobytes()
        layout[name] = [offset, len(data)]
        parts.append(data)
        offset += len(data)
    payload = b"".join(parts)
    header = {"schema": SCHEMA, "key": key, "layout": layout, "crc32": zlib.crc32(payload),
              "boilerplate_chars": int(value["boilerplate_chars"]),
              **{col: value[col] for col in ("paragraph", "section_path", "is_heading", "level")}}
    head = json.dumps(header, ensure_ascii=False).encode("utf-8")
    return MAGIC + struct.pack("<Q", len(head)) + head + payload


def decode(data: bytes, key: str | None = None) -> dict:
    """The inverse of :func:`encode`; raises ValueError for anything but a whole file of this
    schema (and, with ``key``, made for that key)."""
    if not data.startswith(MAGIC) or len(data) < len(MAGIC) + 8:
        raise ValueError("not a segment cache file (no ANSEG3 header)")
    (n,) = struct.unpack_from("<Q", data, len(MAGIC))
    start = len(MAGIC) + 8
    if start + n > len(data):
        raise ValueError("truncated header")
    header = json.loads(data[start:start + n].decode("utf-8"))
    if header.get("schema") != SCHEMA:
        raise ValueError(f"schema {header.get('schema')!r}, expected {SCHEMA!r}")
    if key is not None and header.get("key") != key:
        raise ValueError("made for another document or options (key mismatch)")
    payload = memoryview(data)[start + n:]
    if zlib.crc32(payload) != header["crc32"]:
        raise ValueError("checksum mismatch (truncated or corrupt)")
    out = {col: header[col] for col in ("paragraph", "is_heading", "level", "boilerplate_chars")}
    out["section_path"] = [tuple(p) for p in header["section_path"]]
    for name, (offset, length) in header["layout"].items():
        chunk = payload[offset:offset + length]
        out[name] = bytes(chunk).decode("utf-8") if name in _TEXTS else np.frombuffer(chunk, dtype="<u4")
    if len(out["ends"]) != len(out["paragraph"]) or (len(out["ends"]) and int(out["ends"][-1]) != len(out["ids"])):
        raise ValueError("paragraph count does not match the token streams")
    if len(out["ids"]) and int(out["ids"].max()) >= out["vocab"].count(SEP) + 1:
        raise ValueError("token id outside the vocabulary")
    return out


class SegmentCache:
    """Processed documents on disk under ``folder``, one ``.npz`` per key (see the module docstring)."""

    def __init__(self, folder: Path | str):
        self.folder = Path(folder)

    def path(self, key: str) -> Path:
        if not key or any(c not in "0123456789abcdef" for c in key):
            raise ValueError(f"cache key must be a hex digest, not {key!r}")
        return self.folder / key[:2] / f"{key}.seg"

    def get(self, key: str) -> dict | None:
        """The packed document stored under ``key`` (see :func:`packed`), or None."""
        path = self.path(key)
        try:
            return decode(path.read_bytes(), key)
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, UnicodeDecodeError, struct.error, IndexError, TypeError) as exc:
            warnings.warn(f"{path}: unreadable segment cache file ({type(exc).__name__}: {exc}); "
                          f"it is deleted and the document segmented again", CacheWarning, stacklevel=3)
            path.unlink(missing_ok=True)
            return None

    def put(self, key: str, value: dict) -> Path:
        """Store a packed document (:func:`packed`) under ``key``, atomically."""
        data = encode(value, key)
        return atomic_write(self.path(key), lambda fh: fh.write(data))
