"""Read a researcher's own corpus: a folder of .txt files, a JSON Lines file or a CSV file.

Every reader returns the same document table (see :func:`documents_frame`), and every text
goes through one function, :func:`read_text` (also used by ``analysis segment`` and
``analysis count``).  Decoding is strict: an explicit ``encoding`` always wins; otherwise a
byte-order mark decides, valid UTF-8 is UTF-8 whatever characters it holds, and only bytes
that are not UTF-8 are tried as the legacy Chinese encodings GB18030 (a superset of GBK and
GB2312) and Big5.  Several legacy encodings can decode the same bytes without error (Big5
bytes are usually valid GB18030, as mojibake), so among those the one whose result looks
most like Chinese text wins.  A file no encoding decodes is an error naming the file and the
encodings tried; nothing is ever decoded with replacement characters.

Every value read from a user's file (year, doc_id, text, title) is checked, and an error
names the file and line: ``mine.csv, line 3: year '2020年' is not a year …``.

One reader per format, used by the loaders and by ``analysis index`` alike: :func:`iter_corpus`
yields the checked documents one at a time (a folder a file at a time, JSON Lines a line at a
time with each line's byte range), and :func:`load_corpus` & co. are the table of the same
documents, so both accept and refuse exactly the same files with the same messages.
"""

from __future__ import annotations

import codecs
import csv
import fnmatch
import hashlib
import io
import json
import os
import re
import sys
import warnings
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator, Mapping, NamedTuple

import numpy as np
import pandas as pd

from ..errors import CorpusError, CorpusWarning, DecodingError, InputError

ENCODINGS = ("utf-8", "gb18030", "big5")
YEAR_IN_NAME = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)")
YEAR_MAX = 2100
COLUMNS = ["doc_id", "collection", "year", "title", "source", "text"]


PLAUSIBLE = ((0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0x3000, 0x303F), (0xFF00, 0xFFEF), (0x2010, 0x2027),
             (0x00B7, 0x00B7), (0x2150, 0x218F), (0x2460, 0x24FF), (0xFE30, 0xFE4F), (0x0000, 0x007F))
IMPLAUSIBLE = re.compile("[^" + "".join(f"\\u{lo:04x}-\\u{hi:04x}" for lo, hi in PLAUSIBLE) + "]")


def _plausibility(text: str) -> float:
    """Share of characters that belong in Chinese prose (:data:`PLAUSIBLE`): ASCII, CJK ideographs, CJK and full-width
    punctuation, the middle dot (马克思·恩格斯), Roman and circled numerals (Ⅲ, ①).  Mojibake
    from a wrong legacy codec scores low: kana, Cyrillic, box drawing and private-use characters.
    Used only to choose among legacy encodings; valid UTF-8 never gets here."""
    if not text:
        return 1.0
    return 1 - len(IMPLAUSIBLE.findall(text)) / len(text)


def _codec(encoding: str, source: str) -> str:
    """The canonical codec name of ``encoding``; an unknown name is an error naming ``source``."""
    try:
        info = codecs.lookup(encoding)
    except (LookupError, TypeError, ValueError):
        info = None
    if info is None:
        raise DecodingError(f"{source}: unknown encoding {encoding!r}; use e.g. 'utf-8', 'gb18030' or 'big5'")
    if not getattr(info, "_is_text_encoding", True):  # rot13, base64, zlib …: codecs, not text encodings
        raise DecodingError(f"{source}: {encoding!r} is not a text encoding; use e.g. 'utf-8', 'gb18030' or 'big5'")
    return info.name


def _decode_error(source: str, enc: str, exc: UnicodeDecodeError) -> DecodingError:
    return DecodingError(f"{source}: not valid {enc} at byte {exc.start} ({exc.reason}); "
                         f"pass the file's encoding (encoding=... / --encoding) or convert it to UTF-8")


def decode_bytes(data: bytes, source: str = "<bytes>", encoding: str | None = None) -> tuple[str, str]:
    """Decode ``data``; return ``(text, encoding)``.  Line ends become ``\\n``.

    An explicit ``encoding`` always wins (a UTF-8 byte-order mark is dropped when it is
    UTF-8).  Otherwise: a byte-order mark decides; valid UTF-8 is UTF-8, whatever it
    contains; only bytes that are not UTF-8 are tried as GB18030 and Big5, and the
    decoding that looks most like Chinese text wins (:func:`_plausibility`).
    ``source`` names the file in errors.
    """
    if encoding is not None:
        enc = _codec(encoding, source)
        if enc == "utf-8" and data.startswith(codecs.BOM_UTF8):
            enc = "utf-8-sig"
        try:
            text = data.decode(enc)
        except UnicodeDecodeError as exc:
            raise _decode_error(source, encoding, exc) from None
    else:
        text, enc = _detect(data, source)
    if "\x00" in text:
        raise DecodingError(f"{source}: contains NUL characters, so it is not a text file in {enc} "
                            f"(UTF-16 without a byte-order mark, or a binary file?); "
                            f"pass encoding=... or convert it to UTF-8")
    if enc == "utf-8-sig":
        enc = "utf-8 (BOM)"
    return text.replace("\r\n", "\n").replace("\r", "\n"), enc


def _detect(data: bytes, source: str) -> tuple[str, str]:
    if data.startswith(codecs.BOM_UTF8):
        candidates: tuple[str, ...] = ("utf-8-sig",)
    elif data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):  # before UTF-16: FF FE 00 00 starts FF FE
        candidates = ("utf-32",)
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ("utf-16",)
    else:
        candidates = ENCODINGS
    decoded: list[tuple[str, str]] = []
    for enc in candidates:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError as exc:
            if len(candidates) == 1:
                raise _decode_error(source, enc, exc) from None
            continue
        if enc in ("utf-8", "utf-8-sig", "utf-16", "utf-32"):  # valid Unicode is never accidental: take it
            return text, enc
        decoded.append((text, enc))
    if not decoded:
        raise DecodingError(f"{source}: cannot decode as any of {', '.join(candidates)} "
                            f"(pass encoding=... or convert the file to UTF-8)")
    text, enc = max(decoded, key=lambda pair: _plausibility(pair[0]))
    if _plausibility(text) < 0.9:
        raise DecodingError(
            f"{source}: is not UTF-8, and as {enc} {1 - _plausibility(text):.0%} of its characters are not "
            f"Chinese text (tried {', '.join(candidates)}); pass encoding=... explicitly or convert it to UTF-8")
    return text, enc


def _file_error(path: Path, exc: OSError) -> CorpusError:
    """A file that cannot be opened or read, named, with what to do."""
    if isinstance(exc, FileNotFoundError):
        return CorpusError(f"{path}: no such file")
    if isinstance(exc, IsADirectoryError):
        return CorpusError(f"{path}: is a folder, not a file; give one text file "
                           f"(a folder is a corpus: load_corpus, `analysis corpus info`)")
    if isinstance(exc, PermissionError):
        return CorpusError(f"{path}: permission denied; make the file readable")
    return CorpusError(f"{path}: cannot be read ({exc.strerror or exc})")


def decode_file(path: Path | str, encoding: str | None = None) -> tuple[str, str]:
    """Read and decode a text file as :func:`decode_bytes` does; return ``(text, encoding)``.

    A missing file, a folder or an unreadable file is a :class:`CorpusError` naming it.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _file_error(path, exc) from None
    return decode_bytes(data, str(path), encoding)


def read_text(path: Path | str, encoding: str | None = None) -> str:
    """The text of a file, decoded as described in :func:`decode_bytes` (line ends ``\\n``).

    The one way every entry point (loaders, ``analysis segment``, ``analysis count``) reads text.
    """
    return decode_file(path, encoding)[0]


# Codecs in which a line of a file decodes alone to the same text as inside the whole file: no
# state, and the bytes of "\r" and "\n" are never part of another character.
LINE_SAFE = frozenset({"utf-8", "gb18030", "gbk", "gb2312", "big5", "big5hkscs", "cp950", "ascii", "iso8859-1",
                       "cp1252"})
LINE_END = re.compile(rb"\r\n|\r|\n")


def _line_codec(path: Path, encoding: str | None) -> tuple[str | None, int]:
    """``(codec, skip)``: decoding each line of ``path`` (after ``skip`` bytes of a UTF-8 byte-order mark)
    with ``codec`` gives the lines of ``read_text(path, encoding)``; ``(None, 0)`` when the file must
    be decoded whole (UTF-16, stateful encodings).  A UTF-8 file is checked as it streams; a file that is
    not UTF-8 is decoded whole once (:func:`decode_file`: its errors, or the legacy encoding it detects)."""
    codec = "utf-8" if encoding is None else _codec(encoding, str(path))
    codec = "utf-8" if codec == "utf-8-sig" else codec
    if codec not in LINE_SAFE:
        return None, 0
    try:
        with open(path, "rb") as fh:
            skip = 3 if codec == "utf-8" and fh.read(3) == codecs.BOM_UTF8 else 0
            fh.seek(skip)
            decoder = codecs.getincrementaldecoder(codec)()
            clean = True
            while clean and (block := fh.read(1 << 20)):
                clean = "\x00" not in decoder.decode(block)
            if clean:
                decoder.decode(b"", final=True)
                return codec, skip
    except OSError as exc:
        raise _file_error(path, exc) from None
    except UnicodeDecodeError:
        pass
    enc = decode_file(path, encoding)[1]  # raises what read_text raises, or names the legacy encoding
    try:
        name = codecs.lookup(enc).name
    except LookupError:
        return None, 0
    return (name, 0) if name in LINE_SAFE and name != codec else (None, 0)


def _byte_lines(fh: BinaryIO, start: int = 0, block: int = 1 << 20) -> Iterator[tuple[int, bytes]]:
    """``(offset, line)`` of each line of a binary file from ``start``, split as :func:`decode_bytes`
    splits text (``\\r\\n``, ``\\r`` or ``\\n``; line ends not included).  Read a block at a time."""
    fh.seek(start)
    parts: list[bytes] = []
    offset = start
    while data := fh.read(block):
        while data.endswith(b"\r"):  # a "\r\n" split between two blocks is one line end
            more = fh.read(1)
            if not more:
                break
            data += more
        pos = 0
        for match in LINE_END.finditer(data):
            parts.append(data[pos:match.start()])
            yield start, b"".join(parts)
            parts, pos = [], match.end()
            start = offset + pos
        parts.append(data[pos:])
        offset += len(data)
    yield start, b"".join(parts)


def year_from_name(name: str) -> int | None:
    """The first plausible year (1800-2099) standing alone in a file name."""
    match = YEAR_IN_NAME.search(name)
    return int(match.group(1)) if match else None


def _missing(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def _year(value, where: str):
    """A year from a user's file or table: a whole number 1-2100, or missing (``None``, ``""``, NaN, <NA>).

    The one check of a year value, for the loaders and ``analysis index`` alike."""
    if _missing(value) or (isinstance(value, str) and not value.strip()):
        return None
    year = None
    if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
        year = int(value)
    elif isinstance(value, (float, np.floating)) and float(value).is_integer():
        year = int(value)
    elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        year = int(value.strip())
    if year is None or not 1 <= year <= YEAR_MAX:
        raise CorpusError(f"{where}: year {value!r} is not a year; give a whole number such as 2020 "
                          f"(at most {YEAR_MAX}), or leave it empty")
    return year


def _text_field(value, field: str, where: str, *, allow_numbers: bool) -> str:
    if _missing(value):
        return ""
    if isinstance(value, str):
        return value
    if allow_numbers and isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise CorpusError(f"{where}: {field} is {type(value).__name__} {repr(value)[:40]}, not text; "
                      f"give a string")


def _clean_record(record: dict, where: str) -> dict:
    """Check the values of one document read from a user file; errors name ``where`` (file and line).
    An empty ``collection`` is a missing one (the reader's default applies)."""
    record = dict(record)
    record["year"] = _year(record.get("year"), where)
    record["text"] = _text_field(record.get("text"), "the text", where, allow_numbers=False)
    for col in ("title", "source"):
        record[col] = _text_field(record.get(col), col, where, allow_numbers=True)
    if "collection" in record:
        record["collection"] = _text_field(record["collection"], "collection", where, allow_numbers=True) or None
    doc_id = _text_field(record.get("doc_id"), "doc_id", where, allow_numbers=True).strip()
    if not doc_id or any(ch in doc_id for ch in "\n\r\t"):
        raise CorpusError(f"{where}: doc_id {record.get('doc_id')!r} is empty or holds a line break or tab; "
                          f"give each document a one-line id")
    record["doc_id"] = doc_id
    return record


class _Checks:
    """The checks across a corpus's documents, made as they pass one by one (only ids and text
    digests are kept): doc_ids are unique (an error naming every place of the first repeated id),
    and empty, year-less and duplicate documents are reported (:meth:`finish`), never dropped.
    Used by :func:`documents_frame` and :func:`iter_corpus` alike."""

    def __init__(self, origin: str):
        self.origin = origin
        self.first: dict[str, str] = {}        # doc_id -> where it is first used
        self.again: dict[str, list[str]] = {}  # doc_id -> where it is used again
        self.repeats = 0
        self.empty: list[str] = []
        self.no_year: list[str] = []
        self.texts: dict[bytes, str] = {}      # digest of a stripped text -> first doc_id with it
        self.duplicates: list[tuple[str, str]] = []

    def add(self, doc_id: str, where: str, year, text: str) -> str | None:
        """Record one document; return the doc_id of an earlier document with the same text, if any."""
        if doc_id in self.first:
            self.again.setdefault(doc_id, []).append(where)
            self.repeats += 1
        else:
            self.first[doc_id] = where
        if _missing(year):
            self.no_year.append(doc_id)
        key = text.strip()
        if not key:
            self.empty.append(doc_id)
            return None
        digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).digest()
        earlier = self.texts.setdefault(digest, doc_id)
        if earlier == doc_id:
            return None
        self.duplicates.append((doc_id, earlier))
        return earlier

    def finish(self, stacklevel: int = 2) -> None:
        """Refuse an empty corpus or repeated ids; warn about empty, year-less and duplicate documents."""
        origin = self.origin
        if not self.first:
            raise CorpusError(f"{origin}: no documents found")
        if self.again:
            first = next(doc_id for doc_id in self.first if doc_id in self.again)
            places = [self.first[first], *self.again[first]]
            raise CorpusError(f"{origin}: doc_id values must be unique; {first!r} is used by {' and '.join(places)} "
                              f"({self.repeats} repeated id(s) in all)")
        if self.empty:
            warnings.warn(f"{origin}: {len(self.empty)} empty document(s) kept with no text: {self.empty}",
                          CorpusWarning, stacklevel=stacklevel + 1)
        if self.no_year:
            warnings.warn(
                f"{origin}: {len(self.no_year)} document(s) without a year, kept but left out of by-year "
                f"statistics and charts: {self.no_year}", CorpusWarning, stacklevel=stacklevel + 1)
        if self.duplicates:
            pairs = ", ".join(f"{a} = {b}" for a, b in self.duplicates)
            warnings.warn(f"{origin}: {len(self.duplicates)} duplicate document(s) kept and flagged in "
                          f"duplicate_of: {pairs}", CorpusWarning, stacklevel=stacklevel + 1)


def documents_frame(records: list[dict], collection: str, origin: str, wheres: list[str] | None = None) -> pd.DataFrame:
    """Build the document table and report (never drop) empty, year-less and duplicate documents.

    Columns: ``doc_id, collection, year (Int64, <NA> when unknown), title, source, text``,
    any extra metadata, and ``duplicate_of`` (the doc_id of an earlier identical text).
    ``wheres`` (one per record, e.g. ``"my.jsonl, line 3"``): the records come from a user's
    file, so every value is checked and an error names the file and line.
    """
    if not records:
        raise CorpusError(f"{origin}: no documents found")
    if wheres is not None:
        records = [_clean_record(r, w) for r, w in zip(records, wheres)]
    df = pd.DataFrame.from_records(records)
    df["collection"] = df.get("collection", collection)
    df["collection"] = df["collection"].fillna(collection)
    for col in ("title", "source"):
        if col not in df:
            df[col] = ""
        df[col] = df[col].fillna("").astype(str)
    df["year"] = pd.array(df["year"] if "year" in df else [pd.NA] * len(df), dtype="Int64")
    df["doc_id"] = df["doc_id"].astype(str)
    df["text"] = df["text"].fillna("").astype(str)
    checks = _Checks(origin)
    places = wheres if wheres is not None else [str(i + 1) for i in range(len(df))]
    duplicate_of = [checks.add(*doc) for doc in zip(df["doc_id"], places, df["year"], df["text"])]
    checks.finish(stacklevel=3)
    df["duplicate_of"] = pd.array(duplicate_of, dtype="string")
    extras = [c for c in df.columns if c not in COLUMNS and c != "duplicate_of"]
    return df[COLUMNS + extras + ["duplicate_of"]].reset_index(drop=True)


def ensure_unique_ids(docs: pd.DataFrame, on_duplicate: str = "error") -> pd.DataFrame:
    """Make sure no two documents share a ``doc_id`` once tables from several sources are combined.

    ``pd.concat([load_corpus(A), load_corpus(B)])`` with ``r_2020.txt`` in both folders
    gives two documents with id ``r_2020``; every later step groups by ``doc_id`` and
    would merge them.  ``on_duplicate="error"`` (default) refuses with an
    :class:`InputError` naming both sources (the ``source`` column); ``"suffix"``
    keeps the first document's id and renames the n-th repeat ``<id>~<n>``
    (``r_2020``, ``r_2020~2``, ``r_2020~3``; a name already taken is skipped), and
    warns with the renames.  Returns the table (a copy when ids change).
    """
    if on_duplicate not in ("error", "suffix"):
        raise InputError(f"on_duplicate={on_duplicate!r}; choose 'error' or 'suffix'")
    ids = docs["doc_id"].astype(str)
    repeated = ids.duplicated(keep=False)
    if not repeated.any():
        return docs
    if on_duplicate == "error":
        first = ids[repeated].iloc[0]
        sources = (docs.loc[(ids == first).to_numpy(), "source"].astype(str).tolist() if "source" in docs
                   else ["<no source column>"])
        raise InputError(
            f"doc_id {first!r} is used by {len(sources)} documents ({' and '.join(sources)}), "
            f"{int(ids.duplicated().sum())} repeated id(s) in all; documents from different sources must have "
            f"distinct ids: rename the files or set doc_id, or call ensure_unique_ids(docs, on_duplicate='suffix')")
    taken, seen, new_ids, renamed = set(ids), {}, [], []
    for doc_id in ids:
        seen[doc_id] = seen.get(doc_id, 0) + 1
        if seen[doc_id] == 1:
            new_ids.append(doc_id)
            continue
        n = seen[doc_id]
        while f"{doc_id}~{n}" in taken:
            n += 1
        seen[doc_id] = n
        taken.add(f"{doc_id}~{n}")
        new_ids.append(f"{doc_id}~{n}")
        renamed.append(f"{doc_id} -> {doc_id}~{n}")
    warnings.warn(f"{len(renamed)} repeated doc_id(s) made unique: {', '.join(renamed)}", CorpusWarning, stacklevel=2)
    return docs.assign(doc_id=new_ids)


def _metadata(meta_path: Path, folder: Path, files: list[Path]) -> dict[str, tuple[dict, str]]:
    """``{filename: (fields, "metadata.csv, line n")}`` from a folder's metadata file."""
    rows = _csv_rows(meta_path, None)
    meta: dict[str, tuple[dict, str]] = {}
    for where, row in rows:
        if "filename" not in row:
            raise CorpusError(f"{meta_path}: needs a 'filename' column (has {list(row)})")
        name = (row["filename"] or "").strip()
        if not name or Path(name).name != name or name in (".", "..") or "\\" in name:
            raise CorpusError(f"{where}: filename {row['filename']!r} must be the plain name of a file in {folder} "
                              f"(no folders, no '..')")
        if name in meta:
            raise CorpusError(f"{where}: lists {name} a second time (first at {meta[name][1]})")
        meta[name] = ({k: v for k, v in row.items() if k != "filename" and v not in (None, "")}, where)
    missing = sorted(set(meta) - {f.name for f in files})
    if missing:
        raise CorpusError(f"{meta_path}: lists files that are not in {folder}: {missing}")
    return meta



class Document(NamedTuple):
    """One document as a reader yields it: its checked ``record`` (doc_id, year, title, source,
    text and any metadata), ``where`` it is (``"my.jsonl, line 3"``, a file), and a ``locator``
    that reads its text again (:func:`document_texts`), or ``None`` when the text is only in memory."""

    record: dict
    where: str
    locator: tuple | None


SHOWN = 10  # names listed in a message, then "and N more"


def _listed(names: list[str]) -> str:
    more = f" and {len(names) - SHOWN} more" if len(names) > SHOWN else ""
    return ", ".join(names[:SHOWN]) + more


def _shown(name: str) -> str:
    """A file name as it can be printed: itself, or (not valid UTF-8) its bytes with ``\\x..`` escapes."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        return repr(os.fsencode(name))[2:-1]


def _bad_name(folder: Path, name: str) -> CorpusError:
    raw = os.fsencode(name)
    try:
        guess = f" (as GB18030 it reads {raw.decode('gb18030')!r})"
    except UnicodeDecodeError:
        guess = ""
    return CorpusError(f"{folder}: the file name '{_shown(name)}' is not valid UTF-8{guess}; rename the file "
                       f"to a UTF-8 name (e.g. convmv -f gbk -t utf-8 --notest), then load the folder again")


def folder_files(folder: Path, *, pattern: str = "*.txt", metadata: str = "metadata.csv") -> tuple[list[Path], dict]:
    """The documents of ``folder`` (sorted) and its metadata (from ``metadata.csv`` when there is
    one, checked row by row).

    A document is a file of the folder itself whose name matches ``pattern`` in any case
    (``a.txt`` and ``B.TXT``).  Everything else in the folder (files of other extensions, editor
    backups such as ``a.txt~``, hidden files such as ``.a.txt.swp`` or ``._a.txt``, subfolders) is
    left out and named in one :class:`CorpusWarning`; the metadata file is not a document and not
    reported.  A document whose name is not valid UTF-8, or a symbolic link pointing out of the
    folder, is an error saying what to do.
    """
    if "/" in pattern or "\\" in pattern:
        raise InputError(f"pattern {pattern!r} must match file names of the folder itself (no '/'), e.g. '*.txt'")
    root = folder.resolve()
    files, skipped = [], []
    for entry in sorted(folder.iterdir()):
        name = entry.name
        if name == metadata:
            continue
        if name.startswith("."):
            skipped.append(f"{_shown(name)} (hidden)")
        elif entry.is_dir():
            skipped.append(f"{_shown(name)}/ (a folder)")
        elif not fnmatch.fnmatchcase(name.lower(), pattern.lower()):
            skipped.append(_shown(name))
        elif not entry.is_file():
            skipped.append(f"{_shown(name)} (not a file)")
        elif _shown(name) != name:
            raise _bad_name(folder, name)
        elif not entry.resolve().is_relative_to(root):
            raise CorpusError(f"{entry}: points outside {folder} (to {entry.resolve()}); copy the file into the folder")
        else:
            files.append(entry)
    if skipped and not files:
        raise CorpusError(f"{folder}: no {pattern} files (documents are its {pattern} files, in any case); "
                          f"it has only {_listed(skipped)}")
    if skipped:
        warnings.warn(f"{folder}: left out {len(skipped)} item(s) that are not {pattern} documents (documents are "
                      f"the folder's own {pattern} files, in any case; not hidden files or subfolders): "
                      f"{_listed(skipped)}", CorpusWarning, stacklevel=3)
    meta_path = folder / metadata
    return files, (_metadata(meta_path, folder, files) if meta_path.is_file() else {})


def _folder_documents(files: list[Path], meta: dict, encoding: str | None) -> Iterator[Document]:
    for file in files:
        text, enc = decode_file(file, encoding)
        fields, where = meta.get(file.name, ({}, str(file)))
        record = {"doc_id": file.stem, "title": file.stem, "source": str(file), "encoding": enc}
        record.update(fields)
        if record.get("year") in (None, ""):
            record["year"] = year_from_name(file.name)
        record["text"] = text
        yield Document(_clean_record(record, where), where, ("file", str(file), encoding))


def _folder(path: Path | str, metadata: str = "metadata.csv", encoding: str | None = None,
            collection: str | None = None, pattern: str = "*.txt") -> tuple[Iterator[Document], str, str]:
    folder = Path(path)
    if not folder.is_dir():
        raise CorpusError(f"{folder}: not a folder")
    files, meta = folder_files(folder, pattern=pattern, metadata=metadata)
    return _folder_documents(files, meta, encoding), collection or folder.name, str(folder)


def _frame(documents: Iterable[Document], collection: str, origin: str) -> pd.DataFrame:
    """The document table of a reader's documents (:func:`documents_frame` makes the checks across them)."""
    documents = list(documents)
    return documents_frame([d.record for d in documents], collection, origin, [d.where for d in documents])


def load_folder(path: Path | str, *, metadata: str = "metadata.csv", encoding: str | None = None,
                collection: str | None = None, pattern: str = "*.txt") -> pd.DataFrame:
    """Load a folder of text files, one document per file (see :func:`folder_files`: ``.txt`` in any
    case; everything else in the folder is named in a warning).

    Optional ``metadata.csv`` has a ``filename`` column and any of ``doc_id``,
    ``year``, ``title``, ``source`` and more; a file it does not list (or lists
    without a year) takes its year from its name (``gwr_2019.txt`` → 2019).
    Only files inside the folder are read (symbolic links pointing out of it are refused).
    """
    return _frame(*_folder(path, metadata, encoding, collection, pattern))


def _mapped(rows: Iterable[tuple[str, Mapping, tuple | None]], mapping: Mapping[str, str | None]) -> Iterator[Document]:
    for i, (where, row, locator) in enumerate(rows):
        if mapping["text"] not in row:
            raise CorpusError(f"{where}: no text field {mapping['text']!r} (fields: {list(row)}); "
                              f"name the text field with text=...")
        record = {k: v for k, v in row.items() if k not in mapping.values()}
        for target, field in mapping.items():
            if field is not None and field in row:
                record[target] = row[field]
        record.setdefault("doc_id", f"doc{i + 1:04d}")
        yield Document(_clean_record(record, where), where, locator)


def _jsonl_rows(path: Path, encoding: str | None = None, field: str = "text") -> Iterator[tuple[str, dict, tuple | None]]:
    """``(where, object, locator)`` of each non-blank line, decoded as :func:`read_text` decodes the
    whole file (byte-order mark, legacy encodings, ``\\r`` or ``\\r\\n`` line ends).

    A file in a :data:`LINE_SAFE` codec (UTF-8, GB18030, Big5, ...) is read line by line and each
    locator is the line's byte range, to read the ``field`` of that line again; a file that is not
    UTF-8 is decoded whole once first to detect its encoding.  A file in another codec (UTF-16 or
    UTF-32 with a byte-order mark, a stateful encoding) has no safe byte ranges: it is read whole
    and its documents have no locator (their texts stay in memory; convert a big one to UTF-8).
    """
    codec, skip = _line_codec(path, encoding)
    if codec is None:
        lines = ((n, line, None) for n, line in enumerate(read_text(path, encoding).split("\n"), 1))
    else:
        lines = _jsonl_lines(path, codec, skip, field)
    for n, line, locator in lines:
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise CorpusError(f"{path}, line {n}: not valid JSON ({exc.msg} at column {exc.colno})") from None
        if not isinstance(row, dict):
            raise CorpusError(f"{path}, line {n}: a JSON {type(row).__name__}, not an object; "
                              f"each line must be one object such as {{\"text\": \"...\"}}")
        yield f"{path}, line {n}", row, locator


def _jsonl_lines(path: Path, codec: str, skip: int, field: str) -> Iterator[tuple[int, str, tuple]]:
    try:
        fh = open(path, "rb")
    except OSError as exc:
        raise _file_error(path, exc) from None
    with fh:
        for n, (start, raw) in enumerate(_byte_lines(fh, skip), 1):
            yield n, raw.decode(codec), ("jsonl", str(path), n, start, len(raw), codec, field)


def read_jsonl(path: Path | str) -> list[dict]:
    """The records of a JSON Lines file (blank lines skipped); a bad line is an error naming it."""
    return [row for _, row, _ in _jsonl_rows(Path(path))]


def _jsonl(path: Path | str, text: str = "text", year: str | None = "year", title: str | None = "title",
           doc_id: str | None = None, collection: str | None = None,
           encoding: str | None = None) -> tuple[Iterator[Document], str, str]:
    path = Path(path)
    mapping = {"text": text, "year": year, "title": title, "doc_id": doc_id}
    return _mapped(_jsonl_rows(path, encoding, text), mapping), collection or path.stem, str(path)


def load_jsonl(path: Path | str, *, text: str = "text", year: str | None = "year", title: str | None = "title",
               doc_id: str | None = None, collection: str | None = None, encoding: str | None = None) -> pd.DataFrame:
    """Load a JSON Lines file; the keyword arguments name the fields that hold each column."""
    return _frame(*_jsonl(path, text, year, title, doc_id, collection, encoding))


def _csv_rows(path: Path, encoding: str | None) -> list[tuple[str, dict]]:
    """Rows of a CSV file as ``(where, {column: value})``; a malformed row is an error naming its line.

    Fields may be of any length (the csv module's 131,072-character default limit is raised).
    """
    content = read_text(path, encoding)
    csv.field_size_limit(max(csv.field_size_limit(), min(sys.maxsize, 2**31 - 1)))
    reader = csv.reader(io.StringIO(content, newline=""))
    try:
        header = next(reader, None)
        if not header:
            raise CorpusError(f"{path}: empty, or no header line; the first line must name the columns")
        header = [h.strip() for h in header]
        if len(set(header)) < len(header) or "" in header:
            raise CorpusError(f"{path}, line 1: column names must be non-empty and distinct, got {header}")
        rows, start = [], reader.line_num + 1
        for values in reader:
            where = f"{path}, line {start}"
            start = reader.line_num + 1
            if not values:
                continue
            if len(values) != len(header):
                raise CorpusError(f"{where}: {len(values)} fields but the header has {len(header)}; "
                                  f"quote fields that contain commas or line breaks")
            rows.append((where, dict(zip(header, values))))
    except csv.Error as exc:
        raise CorpusError(f"{path}, line {reader.line_num}: not valid CSV ({exc})") from None
    return rows


def _csv(path: Path | str, text: str = "text", year: str | None = "year", title: str | None = "title",
         doc_id: str | None = None, collection: str | None = None,
         encoding: str | None = None) -> tuple[Iterator[Document], str, str]:
    """A CSV file's documents.  CSV is read whole (a quoted field may hold line breaks, so a row
    has no safe byte range): its documents have no locator."""
    path = Path(path)
    mapping = {"text": text, "year": year, "title": title, "doc_id": doc_id}
    rows = ((where, row, None) for where, row in _csv_rows(path, encoding))
    return _mapped(rows, mapping), collection or path.stem, str(path)


def load_csv(path: Path | str, *, text: str = "text", year: str | None = "year", title: str | None = "title",
             doc_id: str | None = None, collection: str | None = None, encoding: str | None = None) -> pd.DataFrame:
    """Load a CSV file with one document per row; ``text`` names the column with the text."""
    return _frame(*_csv(path, text, year, title, doc_id, collection, encoding))


FOLDER_OPTIONS = ("metadata", "encoding", "collection", "pattern")
TABLE_OPTIONS = ("text", "year", "title", "doc_id", "collection", "encoding")


def _reader(path: Path, options: Mapping) -> tuple[Iterator[Document], str, str]:
    """``(documents, default collection, origin)`` of the reader ``path`` needs (its options checked)."""
    if path.is_dir():
        reader, kind, allowed = _folder, "a folder", FOLDER_OPTIONS
    elif not path.exists():
        raise CorpusError(f"{path}: no such file or folder")
    elif path.suffix.lower() in (".jsonl", ".ndjson"):
        reader, kind, allowed = _jsonl, "a JSON Lines file", TABLE_OPTIONS
    elif path.suffix.lower() == ".csv":
        reader, kind, allowed = _csv, "a CSV file", TABLE_OPTIONS
    else:
        raise CorpusError(f"{path}: unknown corpus format {path.suffix.lower()!r}; "
                          f"use a folder of .txt files, .jsonl or .csv")
    unknown = [k for k in options if k not in allowed]
    if unknown:
        raise InputError(f"{path}: {kind} takes no option {', '.join(unknown)}; its options are {', '.join(allowed)}")
    return reader(path, **options)


def load_corpus(path: Path | str, **options) -> pd.DataFrame:
    """Load a researcher's corpus, choosing the reader by what ``path`` is:
    a folder (:func:`load_folder`), ``.jsonl`` (:func:`load_jsonl`) or ``.csv`` (:func:`load_csv`)."""
    return _frame(*_reader(Path(path), options))


def iter_corpus(path: Path | str, **options) -> Iterator[Document]:
    """The documents of :func:`load_corpus` one at a time, with the same checks and messages: each
    :class:`Document`'s record is checked as it is read, its ``collection`` filled in; the checks
    across documents (:class:`_Checks`: repeated ids refused, empty, year-less and duplicate
    documents reported) end the stream, so act on it only once it is consumed whole.

    A folder is read one file at a time and a JSON Lines file line by line (see :func:`_jsonl_rows`),
    and a consumer that drops each text keeps no texts (the locators read them again,
    :func:`document_texts`); a CSV file is read whole.  Bad paths and options are refused at once.
    """
    documents, collection, origin = _reader(Path(path), options)
    return _checked(documents, collection, origin)


def _checked(documents: Iterator[Document], collection: str, origin: str) -> Iterator[Document]:
    checks = _Checks(origin)
    for doc in documents:
        if doc.record.get("collection") is None:
            doc.record["collection"] = collection
        checks.add(doc.record["doc_id"], doc.where, doc.record["year"], doc.record["text"])
        yield doc
    checks.finish()


def _changed(where: str) -> CorpusError:
    return CorpusError(f"{where}: changed since it was first read; run again")


def document_texts(locators: Iterable[tuple]) -> Iterator[str]:
    """The text of each document a :class:`Document` locator names, read again as it was read first
    (``("text", text)`` gives ``text``): a file decoded with the same ``encoding`` option, a JSON
    Lines line from its byte range in the same codec.  A line that no longer holds its document is
    an error naming it."""
    handles: dict[str, BinaryIO] = {}
    try:
        for locator in locators:
            kind = locator[0]
            if kind == "text":
                yield locator[1]
            elif kind == "file":
                yield read_text(locator[1], locator[2])
            elif kind == "jsonl":
                _, path, n, start, length, codec, field = locator
                if path not in handles:
                    try:
                        handles[path] = open(path, "rb")
                    except OSError as exc:
                        raise _file_error(Path(path), exc) from None
                handles[path].seek(start)
                try:
                    value = json.loads(handles[path].read(length).decode(codec))[field]
                except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError):
                    raise _changed(f"{path}, line {n}") from None
                if value is not None and not isinstance(value, str):
                    raise _changed(f"{path}, line {n}")
                yield value or ""
            else:
                raise CorpusError(f"unknown document locator {kind!r}")
    finally:
        for fh in handles.values():
            fh.close()
