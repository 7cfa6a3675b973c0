"""A safe on-disk cache of segmented documents: numpy arrays and JSON, never pickle.

One file per document, ``<key[:2]>/<key>.npz``, holding

``meta``
    JSON (as UTF-8 bytes): the schema name, the cache key, and the paragraph columns
    (index, section path, heading flag, level) and the count of boilerplate characters removed;
``vocab`` / ``ids`` / ``ends``
    the token streams of all paragraphs: the distinct tokens joined by U+001F (UTF-8 bytes),
    one ``uint32`` id per token, and the running token count at the end of each paragraph;
``tag_vocab`` / ``tag_ids``
    part-of-speech tags, when they were asked for.

Files are read with ``allow_pickle=False``, so nothing in them can run code.  A file is
written to a unique temporary name in the same folder and renamed into place, so readers see
the old file or the new one, never half of one, and two processes can write the same key.  A
file that cannot be read, has another schema or was made for another key (truncated,
corrupt, foreign) is named in a warning, deleted and recomputed.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import warnings
import zipfile
from pathlib import Path

import numpy as np

from .errors import CacheWarning

SCHEMA = "analysis.segments/3"
SEP = "\x1f"  # unit separator: joins the vocabulary (tokens never contain it)

log = logging.getLogger(__name__)


def pack(lists: list[list[str]]) -> tuple[str, np.ndarray, np.ndarray]:
    """Token lists as (vocabulary joined by SEP, uint32 ids, uint32 end offsets)."""
    index: dict[str, int] = {}
    ids = [index.setdefault(t, len(index)) for toks in lists for t in toks]
    ends = np.cumsum([len(toks) for toks in lists], dtype=np.uint32)
    return SEP.join(index), np.asarray(ids, dtype=np.uint32), ends


def unpack(vocab_text: str, ids: np.ndarray, ends: np.ndarray) -> list[list[str]]:
    vocab = np.array(vocab_text.split(SEP) if vocab_text else [], dtype=object)
    flat = vocab[np.asarray(ids, dtype=np.int64)].tolist()  # one str object per token type
    bounds = np.asarray(ends, dtype=np.int64).tolist()
    return [flat[a:b] for a, b in zip([0] + bounds, bounds)]


def _bytes(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-8"), dtype=np.uint8)


def _text(array: np.ndarray) -> str:
    return array.tobytes().decode("utf-8")


def encode(value: dict, key: str) -> dict[str, np.ndarray]:
    """A processed document (see :meth:`analysis.segment.Segmenter.process`) as named arrays."""
    meta = {"schema": SCHEMA, "key": key, "boilerplate_chars": int(value["boilerplate_chars"]),
            **{col: value[col] for col in ("paragraph", "section_path", "is_heading", "level")}}
    vocab, ids, ends = pack(value["tokens"])
    arrays = {"meta": _bytes(json.dumps(meta, ensure_ascii=False)), "vocab": _bytes(vocab), "ids": ids, "ends": ends}
    if value.get("tags") is not None:
        tag_vocab, tag_ids, _ = pack(value["tags"])
        arrays.update(tag_vocab=_bytes(tag_vocab), tag_ids=tag_ids)
    return arrays


def decode(arrays, key: str | None = None) -> dict:
    """The inverse of :func:`encode`; raises ValueError for another schema or key."""
    meta = json.loads(_text(arrays["meta"]))
    if meta.get("schema") != SCHEMA:
        raise ValueError(f"schema {meta.get('schema')!r}, expected {SCHEMA!r}")
    if key is not None and meta.get("key") != key:
        raise ValueError("made for another document or options (key mismatch)")
    ends = arrays["ends"]
    tokens = unpack(_text(arrays["vocab"]), arrays["ids"], ends)
    tags = unpack(_text(arrays["tag_vocab"]), arrays["tag_ids"], ends) if "tag_ids" in arrays else None
    if len(tokens) != len(meta["paragraph"]):
        raise ValueError("paragraph count does not match the token streams")
    return {"paragraph": meta["paragraph"], "text": ["".join(t) for t in tokens],
            "section_path": [tuple(p) for p in meta["section_path"]], "is_heading": meta["is_heading"],
            "level": meta["level"], "tokens": tokens, "tags": tags, "boilerplate_chars": meta["boilerplate_chars"]}


class SegmentCache:
    """Processed documents on disk under ``folder``, one ``.npz`` per key (see the module docstring)."""

    def __init__(self, folder: Path | str):
        self.folder = Path(folder)

    def path(self, key: str) -> Path:
        if not key or any(c not in "0123456789abcdef" for c in key):
            raise ValueError(f"cache key must be a hex digest, not {key!r}")
        return self.folder / key[:2] / f"{key}.npz"

    def get(self, key: str) -> dict | None:
        path = self.path(key)
        try:
            with np.load(path, allow_pickle=False) as arrays:
                return decode({name: arrays[name] for name in arrays.files}, key)
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, zipfile.BadZipFile, EOFError, UnicodeDecodeError,
                json.JSONDecodeError, IndexError, TypeError) as exc:
            warnings.warn(f"{path}: unreadable segment cache file ({type(exc).__name__}: {exc}); "
                          f"it is deleted and the document segmented again", CacheWarning, stacklevel=3)
            path.unlink(missing_ok=True)
            return None

    def put(self, key: str, value: dict) -> Path:
        path = self.path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{key[:12]}.", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as fh:
                np.savez(fh, **encode(value, key))
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return path
