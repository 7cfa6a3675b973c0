"""Read a researcher's own corpus: a folder of .txt files, a JSON Lines file or a CSV file.

Every reader returns the same document table (see :func:`documents_frame`).
Text files are decoded strictly: UTF-8 (with or without BOM), then the legacy
Chinese encodings GB18030 (a superset of GBK and GB2312) and Big5.  Several
encodings can decode the same bytes without error (Big5 bytes are usually
valid GB18030, as mojibake), so among the encodings that decode strictly the
one whose result looks most like Chinese text wins.  A file no encoding
decodes is an error naming the file and the encodings tried; nothing is ever
decoded with replacement characters.
"""

from __future__ import annotations

import csv
import io
import json
import re
import warnings
from pathlib import Path
from typing import Iterable, Mapping

import pandas as pd

from ..errors import CorpusError, CorpusWarning, DecodingError

ENCODINGS = ("utf-8", "gb18030", "big5")
YEAR_IN_NAME = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)")
COLUMNS = ["doc_id", "collection", "year", "title", "source", "text"]


def _plausibility(text: str) -> float:
    """Share of characters that belong in Chinese prose (CJK ideographs, CJK and full-width
    punctuation, ASCII).  Mojibake from a wrong legacy codec scores low: kana, Cyrillic,
    box drawing and private-use characters."""
    if not text:
        return 1.0
    good = 0
    for ch in text:
        o = ord(ch)
        if (o < 0x80 or 0x4E00 <= o <= 0x9FFF or 0x3000 <= o <= 0x303F
                or 0xFF00 <= o <= 0xFFEF or 0x2010 <= o <= 0x2027 or 0x3400 <= o <= 0x4DBF):
            good += 1
    return good / len(text)


def decode_bytes(data: bytes, source: str = "<bytes>", encoding: str | None = None) -> tuple[str, str]:
    """Decode ``data``; return ``(text, encoding)``.  Line ends become ``\\n``.

    With ``encoding`` given, only that one is tried.  ``source`` names the file in errors.
    """
    if encoding is not None:
        candidates: Iterable[str] = (encoding,)
    elif data.startswith(b"\xef\xbb\xbf"):
        candidates = ("utf-8-sig",)
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = ("utf-16",)
    else:
        candidates = ENCODINGS
    decoded: list[tuple[str, str]] = []
    for enc in candidates:
        try:
            text = data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
        if enc == "utf-8":  # valid UTF-8 with CJK is never accidental: take it
            decoded = [(text, enc)]
            break
        decoded.append((text, enc))
    if not decoded:
        raise DecodingError(
            f"{source}: cannot decode as any of {', '.join(candidates)} "
            f"(pass encoding=... or convert the file to UTF-8)"
        )
    text, enc = max(decoded, key=lambda pair: _plausibility(pair[0]))
    if _plausibility(text) < 0.9:
        raise DecodingError(
            f"{source}: decodes as {enc} but {1 - _plausibility(text):.0%} of its characters are not "
            f"Chinese text (tried {', '.join(candidates)}); pass encoding=... explicitly"
        )
    if enc == "utf-8-sig":
        enc = "utf-8 (BOM)"
    return text.replace("\r\n", "\n").replace("\r", "\n"), enc


def read_text(path: Path | str, encoding: str | None = None) -> tuple[str, str]:
    """Read and decode a text file; return ``(text, encoding)``."""
    path = Path(path)
    return decode_bytes(path.read_bytes(), str(path), encoding)


def year_from_name(name: str) -> int | None:
    """The first plausible year (1800-2099) standing alone in a file name."""
    match = YEAR_IN_NAME.search(name)
    return int(match.group(1)) if match else None


def documents_frame(records: list[dict], collection: str, origin: str) -> pd.DataFrame:
    """Build the document table and report (never drop) empty, year-less and duplicate documents.

    Columns: ``doc_id, collection, year (Int64, <NA> when unknown), title, source, text``,
    any extra metadata, and ``duplicate_of`` (the doc_id of an earlier identical text).
    """
    if not records:
        raise CorpusError(f"{origin}: no documents found")
    df = pd.DataFrame.from_records(records)
    df["collection"] = df.get("collection", collection)
    df["collection"] = df["collection"].fillna(collection)
    for col in ("title", "source"):
        if col not in df:
            df[col] = ""
        df[col] = df[col].fillna("").astype(str)
    df["year"] = pd.to_numeric(df.get("year"), errors="coerce").astype("Int64") if "year" in df else pd.array([pd.NA] * len(df), dtype="Int64")
    df["doc_id"] = df["doc_id"].astype(str)
    if df["doc_id"].duplicated().any():
        dup = df.loc[df["doc_id"].duplicated(), "doc_id"].tolist()
        raise CorpusError(f"{origin}: doc_id values must be unique, repeated: {dup}")
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


def load_folder(path: Path | str, *, metadata: str = "metadata.csv", encoding: str | None = None,
                collection: str | None = None, pattern: str = "*.txt") -> pd.DataFrame:
    """Load a folder of text files, one document per file.

    Optional ``metadata.csv`` (UTF-8) has a ``filename`` column and any of ``doc_id``,
    ``year``, ``title``, ``source`` and more; a file it does not list (or lists
    without a year) takes its year from its name (``gwr_2019.txt`` → 2019).
    """
    folder = Path(path)
    if not folder.is_dir():
        raise CorpusError(f"{folder}: not a folder")
    files = sorted(folder.glob(pattern))
    meta: dict[str, dict] = {}
    meta_path = folder / metadata
    if meta_path.is_file():
        text, _ = read_text(meta_path)
        rows = list(csv.DictReader(io.StringIO(text)))
        if rows and "filename" not in rows[0]:
            raise CorpusError(f"{meta_path}: needs a 'filename' column (has {list(rows[0])})")
        meta = {row["filename"]: {k: v for k, v in row.items() if k != "filename" and v not in (None, "")} for row in rows}
        missing = sorted(set(meta) - {f.name for f in files})
        if missing:
            raise CorpusError(f"{meta_path}: lists files that are not in {folder}: {missing}")
    records = []
    for file in files:
        text, enc = read_text(file, encoding)
        record = {"doc_id": file.stem, "title": file.stem, "source": str(file), "encoding": enc}
        record.update(meta.get(file.name, {}))
        if record.get("year") in (None, ""):
            record["year"] = year_from_name(file.name)
        record["text"] = text
        records.append(record)
    return documents_frame(records, collection or folder.name, str(folder))


def _mapped_records(rows: Iterable[Mapping], mapping: Mapping[str, str | None], origin: str) -> list[dict]:
    records = []
    for i, row in enumerate(rows):
        if mapping["text"] not in row:
            raise CorpusError(f"{origin}: record {i + 1} has no text field {mapping['text']!r} (fields: {list(row)})")
        record = {k: v for k, v in row.items() if k not in mapping.values()}
        for target, field in mapping.items():
            if field is not None and field in row:
                record[target] = row[field]
        record.setdefault("doc_id", f"doc{i + 1:04d}")
        records.append(record)
    return records


def read_jsonl(path: Path | str) -> list[dict]:
    """The records of a JSON Lines file (blank lines skipped); a bad line is an error naming it."""
    path = Path(path)
    content, _ = read_text(path)
    rows = []
    for n, line in enumerate(content.splitlines(), 1):
        if not line.strip():
            continue
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise CorpusError(f"{path}, line {n}: not valid JSON ({exc.msg})") from exc
    return rows


def load_jsonl(path: Path | str, *, text: str = "text", year: str | None = "year", title: str | None = "title",
               doc_id: str | None = None, collection: str | None = None) -> pd.DataFrame:
    """Load a JSON Lines file; the keyword arguments name the fields that hold each column."""
    path = Path(path)
    rows = read_jsonl(path)
    mapping = {"text": text, "year": year, "title": title, "doc_id": doc_id}
    return documents_frame(_mapped_records(rows, mapping, str(path)), collection or path.stem, str(path))


def load_csv(path: Path | str, *, text: str = "text", year: str | None = "year", title: str | None = "title",
             doc_id: str | None = None, collection: str | None = None, encoding: str | None = None) -> pd.DataFrame:
    """Load a CSV file with one document per row; ``text`` names the column with the text."""
    path = Path(path)
    content, _ = read_text(path, encoding)
    rows = list(csv.DictReader(io.StringIO(content)))
    mapping = {"text": text, "year": year, "title": title, "doc_id": doc_id}
    return documents_frame(_mapped_records(rows, mapping, str(path)), collection or path.stem, str(path))


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
