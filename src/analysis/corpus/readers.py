"""Read a researcher's own corpus: a folder of documents (.txt, .pdf, .docx, .html; see
:mod:`analysis.corpus.documents`), one such document, a JSON Lines file or a CSV file.

Every reader returns the same document table (:func:`analysis.corpus.records.documents_frame`, its
values checked there), and every text is decoded by :func:`analysis.corpus.decode.read_text`.

One reader per format, used by the loaders and by ``analysis index`` alike: :func:`iter_corpus`
yields the checked documents one at a time (a folder a file at a time, JSON Lines a line at a
time with each line's byte range), and :func:`load_corpus` & co. are the table of the same
documents, so both accept and refuse exactly the same files with the same messages.
"""

from __future__ import annotations

import csv
import fnmatch
import io
import json
import os
import re
import sys
import warnings
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator, Mapping, NamedTuple

import pandas as pd

from ..errors import CorpusError, CorpusWarning, InputError
from .decode import _byte_lines, _file_error, _line_codec, read_text
from .documents import DOCUMENT_SUFFIXES, READ_SUFFIXES, read_document
from .records import _Checks, _clean_record, documents_frame, parse_year

DOCUMENT_PATTERNS = tuple(f"*{suffix}" for suffix in DOCUMENT_SUFFIXES)  # a folder's documents, by default
YEAR_IN_NAME = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)")


def year_from_name(name: str) -> int | None:
    """The first plausible year (1800-2099) standing alone in a file name."""
    match = YEAR_IN_NAME.search(name)
    return int(match.group(1)) if match else None


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


def folder_files(folder: Path, *, pattern: str | tuple[str, ...] = DOCUMENT_PATTERNS,
                 metadata: str = "metadata.csv") -> tuple[list[Path], dict]:
    """The documents of ``folder`` (sorted) and its metadata (from ``metadata.csv`` when there is
    one, checked row by row).

    A document is a file of the folder itself whose name matches ``pattern`` (one glob or several)
    in any case (``a.txt`` and ``B.TXT``); by default every document file a loader reads (.txt,
    .pdf, .docx, .html, .htm).  Everything else in the folder (files of other extensions, editor
    backups such as ``a.txt~``, hidden files such as ``.a.txt.swp`` or ``._a.txt``, subfolders) is
    left out and named in one :class:`CorpusWarning`; the metadata file is not a document and not
    reported.  A document whose name is not valid UTF-8, or a symbolic link pointing out of the
    folder, is an error saying what to do.
    """
    patterns = (pattern,) if isinstance(pattern, str) else tuple(pattern)
    for glob in patterns:
        if "/" in glob or "\\" in glob:
            raise InputError(f"pattern {glob!r} must match file names of the folder itself (no '/'), e.g. '*.txt'")
    pattern = "/".join(patterns)  # as the messages name it
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
        elif not any(fnmatch.fnmatchcase(name.lower(), glob.lower()) for glob in patterns):
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
    """One document per file: its metadata.csv row first, then what the document states (the title
    and date of a PDF, Word file or web page), then the file name (doc_id, title, year)."""
    for file in files:
        doc = read_document(file, encoding)
        fields, where = meta.get(file.name, ({}, str(file)))
        record = {"doc_id": file.stem, "title": doc.title or file.stem, "source": str(file), "encoding": doc.encoding}
        if doc.kind != "txt":  # what was read and what was dropped, counted
            record.update(format=doc.kind, date=doc.date, pages=doc.pages, removed_chars=doc.removed_chars)
        record.update(fields)
        if record.get("year") in (None, ""):
            record["year"] = doc.year or year_from_name(file.name)
        record["text"] = doc.text
        yield Document(_clean_record(record, where), where, ("file", str(file), encoding))


def _folder(path: Path | str, metadata: str = "metadata.csv", encoding: str | None = None,
            collection: str | None = None, pattern: str | tuple[str, ...] = DOCUMENT_PATTERNS
            ) -> tuple[Iterator[Document], str, str]:
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
                collection: str | None = None, pattern: str | tuple[str, ...] = DOCUMENT_PATTERNS) -> pd.DataFrame:
    """Load a folder of documents, one per file (see :func:`folder_files`: .txt, .pdf, .docx, .html
    and .htm files in any case, read by :func:`analysis.corpus.documents.read_document`; everything
    else in the folder is named in a warning).

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
DOCUMENT_OPTIONS = ("encoding", "collection")
TABLE_OPTIONS = ("text", "year", "title", "doc_id", "collection", "encoding")


def _single(path: Path, encoding: str | None = None, collection: str | None = None) -> tuple[Iterator[Document], str, str]:
    """One document file as a corpus of one (its folder's metadata.csv is not read)."""
    return _folder_documents([path], {}, encoding), collection or path.parent.name or "documents", str(path)


def _reader(path: Path, options: Mapping) -> tuple[Iterator[Document], str, str]:
    """``(documents, default collection, origin)`` of the reader ``path`` needs (its options checked)."""
    if path.is_dir():
        reader, kind, allowed = _folder, "a folder", FOLDER_OPTIONS
    elif not path.exists():
        raise CorpusError(f"{path}: no such file or folder")
    elif path.suffix.lower() in READ_SUFFIXES:
        reader, kind, allowed = _single, "one document", DOCUMENT_OPTIONS
    elif path.suffix.lower() in (".jsonl", ".ndjson"):
        reader, kind, allowed = _jsonl, "a JSON Lines file", TABLE_OPTIONS
    elif path.suffix.lower() == ".csv":
        reader, kind, allowed = _csv, "a CSV file", TABLE_OPTIONS
    else:
        raise CorpusError(f"{path}: unknown corpus format {path.suffix.lower()!r}; "
                          f"use a folder of documents, one document ({', '.join(DOCUMENT_SUFFIXES)}), .jsonl or .csv")
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
                yield read_document(locator[1], locator[2]).text
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
