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
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import sys
import warnings
from pathlib import Path
from typing import Iterable, Mapping

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
        return codecs.lookup(encoding).name
    except LookupError:
        raise DecodingError(f"{source}: unknown encoding {encoding!r}; use e.g. 'utf-8', 'gb18030' or 'big5'") from None


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


def decode_file(path: Path | str, encoding: str | None = None) -> tuple[str, str]:
    """Read and decode a text file as :func:`decode_bytes` does; return ``(text, encoding)``.

    A missing file, a folder or an unreadable file is a :class:`CorpusError` naming it.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise CorpusError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise CorpusError(f"{path}: is a folder, not a file; give one text file "
                          f"(a folder is a corpus: load_corpus, `analysis corpus info`)") from None
    except PermissionError:
        raise CorpusError(f"{path}: permission denied; make the file readable") from None
    except OSError as exc:
        raise CorpusError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    return decode_bytes(data, str(path), encoding)


def read_text(path: Path | str, encoding: str | None = None) -> str:
    """The text of a file, decoded as described in :func:`decode_bytes` (line ends ``\\n``).

    The one way every entry point (loaders, ``analysis segment``, ``analysis count``) reads text.
    """
    return decode_file(path, encoding)[0]


def year_from_name(name: str) -> int | None:
    """The first plausible year (1800-2099) standing alone in a file name."""
    match = YEAR_IN_NAME.search(name)
    return int(match.group(1)) if match else None


def _year(value, where: str):
    """A year from a user file: a whole number 1-2100, or missing (``None``, ``""``, NaN)."""
    if value is None or (isinstance(value, float) and value != value) or (isinstance(value, str) and not value.strip()):
        return None
    year = None
    if isinstance(value, (int, float)) and not isinstance(value, bool) and float(value).is_integer():
        year = int(value)
    elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        year = int(value.strip())
    if year is None or not 1 <= year <= YEAR_MAX:
        raise CorpusError(f"{where}: year {value!r} is not a year; give a whole number such as 2020 "
                          f"(at most {YEAR_MAX}), or leave it empty")
    return year


def _text_field(value, field: str, where: str, *, allow_numbers: bool) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, str):
        return value
    if allow_numbers and isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise CorpusError(f"{where}: {field} is {type(value).__name__} {repr(value)[:40]}, not text; "
                      f"give a string")


def _clean_record(record: dict, where: str) -> dict:
    """Check the values of one document read from a user file; errors name ``where`` (file and line)."""
    record = dict(record)
    record["year"] = _year(record.get("year"), where)
    record["text"] = _text_field(record.get("text"), "the text", where, allow_numbers=False)
    for col in ("title", "source"):
        record[col] = _text_field(record.get(col), col, where, allow_numbers=True)
    doc_id = _text_field(record.get("doc_id"), "doc_id", where, allow_numbers=True).strip()
    if not doc_id or any(ch in doc_id for ch in "\n\r\t"):
        raise CorpusError(f"{where}: doc_id {record.get('doc_id')!r} is empty or holds a line break or tab; "
                          f"give each document a one-line id")
    record["doc_id"] = doc_id
    return record


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
    repeated = df["doc_id"].duplicated(keep=False)
    if repeated.any():
        first = df.loc[repeated, "doc_id"].iloc[0]
        places = [wheres[i] if wheres else str(i + 1) for i in np.flatnonzero(df["doc_id"] == first)]
        raise CorpusError(f"{origin}: doc_id values must be unique; {first!r} is used by {' and '.join(places)} "
                          f"({int(df['doc_id'].duplicated().sum())} repeated id(s) in all)")
    df["text"] = df["text"].fillna("").astype(str)

    empty = df.loc[df["text"].str.strip() == "", "doc_id"].tolist()
    if empty:
        warnings.warn(f"{origin}: {len(empty)} empty document(s) kept with no text: {empty}", CorpusWarning, stacklevel=3)
    no_year = df.loc[df["year"].isna(), "doc_id"].tolist()
    if no_year:
        warnings.warn(
            f"{origin}: {len(no_year)} document(s) without a year, kept but left out of by-year "
            f"statistics and charts: {no_year}", CorpusWarning, stacklevel=3)
    first_of: dict[str, str] = {}
    duplicate_of = []
    for doc_id, text in zip(df["doc_id"], df["text"]):
        key = text.strip()
        duplicate_of.append(first_of.get(key) if key else None)
        first_of.setdefault(key, doc_id)
    df["duplicate_of"] = pd.array(duplicate_of, dtype="string")
    dups = df.loc[df["duplicate_of"].notna(), ["doc_id", "duplicate_of"]]
    if len(dups):
        pairs = ", ".join(f"{a} = {b}" for a, b in dups.itertuples(index=False))
        warnings.warn(f"{origin}: {len(dups)} duplicate document(s) kept and flagged in duplicate_of: {pairs}",
                      CorpusWarning, stacklevel=3)
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


def folder_files(folder: Path, *, pattern: str = "*.txt", metadata: str = "metadata.csv") -> tuple[list[Path], dict]:
    """The text files of ``folder`` (sorted; symbolic links pointing out of it refused) and its
    metadata (from ``metadata.csv`` when there is one, checked row by row)."""
    root = folder.resolve()
    files = sorted(f for f in folder.glob(pattern) if f.is_file())
    for file in files:
        if not file.resolve().is_relative_to(root):
            raise CorpusError(f"{file}: points outside {folder} (to {file.resolve()}); copy the file into the folder")
    meta_path = folder / metadata
    return files, (_metadata(meta_path, folder, files) if meta_path.is_file() else {})


def load_folder(path: Path | str, *, metadata: str = "metadata.csv", encoding: str | None = None,
                collection: str | None = None, pattern: str = "*.txt") -> pd.DataFrame:
    """Load a folder of text files, one document per file.

    Optional ``metadata.csv`` has a ``filename`` column and any of ``doc_id``,
    ``year``, ``title``, ``source`` and more; a file it does not list (or lists
    without a year) takes its year from its name (``gwr_2019.txt`` → 2019).
    Only files inside the folder are read (symbolic links pointing out of it are refused).
    """
    folder = Path(path)
    if not folder.is_dir():
        raise CorpusError(f"{folder}: not a folder")
    files, meta = folder_files(folder, pattern=pattern, metadata=metadata)
    records, wheres = [], []
    for file in files:
        text, enc = decode_file(file, encoding)
        fields, where = meta.get(file.name, ({}, str(file)))
        record = {"doc_id": file.stem, "title": file.stem, "source": str(file), "encoding": enc}
        record.update(fields)
        if record.get("year") in (None, ""):
            record["year"] = year_from_name(file.name)
        record["text"] = text
        records.append(record)
        wheres.append(where)
    return documents_frame(records, collection or folder.name, str(folder), wheres)


def _mapped_records(rows: Iterable[tuple[str, Mapping]],
                    mapping: Mapping[str, str | None]) -> tuple[list[dict], list[str]]:
    records, wheres = [], []
    for i, (where, row) in enumerate(rows):
        if mapping["text"] not in row:
            raise CorpusError(f"{where}: no text field {mapping['text']!r} (fields: {list(row)}); "
                              f"name the text field with text=...")
        record = {k: v for k, v in row.items() if k not in mapping.values()}
        for target, field in mapping.items():
            if field is not None and field in row:
                record[target] = row[field]
        record.setdefault("doc_id", f"doc{i + 1:04d}")
        records.append(record)
        wheres.append(where)
    return records, wheres


def _jsonl_rows(path: Path, encoding: str | None = None) -> list[tuple[str, dict]]:
    content = read_text(path, encoding)
    rows = []
    for n, line in enumerate(content.split("\n"), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise CorpusError(f"{path}, line {n}: not valid JSON ({exc.msg} at column {exc.colno})") from None
        if not isinstance(row, dict):
            raise CorpusError(f"{path}, line {n}: a JSON {type(row).__name__}, not an object; "
                              f"each line must be one object such as {{\"text\": \"...\"}}")
        rows.append((f"{path}, line {n}", row))
    return rows


def read_jsonl(path: Path | str) -> list[dict]:
    """The records of a JSON Lines file (blank lines skipped); a bad line is an error naming it."""
    return [row for _, row in _jsonl_rows(Path(path))]


def load_jsonl(path: Path | str, *, text: str = "text", year: str | None = "year", title: str | None = "title",
               doc_id: str | None = None, collection: str | None = None, encoding: str | None = None) -> pd.DataFrame:
    """Load a JSON Lines file; the keyword arguments name the fields that hold each column."""
    path = Path(path)
    mapping = {"text": text, "year": year, "title": title, "doc_id": doc_id}
    records, wheres = _mapped_records(_jsonl_rows(path, encoding), mapping)
    return documents_frame(records, collection or path.stem, str(path), wheres)


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


def load_csv(path: Path | str, *, text: str = "text", year: str | None = "year", title: str | None = "title",
             doc_id: str | None = None, collection: str | None = None, encoding: str | None = None) -> pd.DataFrame:
    """Load a CSV file with one document per row; ``text`` names the column with the text."""
    path = Path(path)
    mapping = {"text": text, "year": year, "title": title, "doc_id": doc_id}
    records, wheres = _mapped_records(_csv_rows(path, encoding), mapping)
    return documents_frame(records, collection or path.stem, str(path), wheres)


def load_corpus(path: Path | str, **options) -> pd.DataFrame:
    """Load a researcher's corpus, choosing the reader by what ``path`` is:
    a folder (:func:`load_folder`), ``.jsonl`` (:func:`load_jsonl`) or ``.csv`` (:func:`load_csv`)."""
    path = Path(path)
    if path.is_dir():
        return load_folder(path, **options)
    if not path.exists():
        raise CorpusError(f"{path}: no such file or folder")
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        return load_jsonl(path, **options)
    if suffix == ".csv":
        return load_csv(path, **options)
    raise CorpusError(f"{path}: unknown corpus format {suffix!r}; use a folder of .txt files, .jsonl or .csv")
