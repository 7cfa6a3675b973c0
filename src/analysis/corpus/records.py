"""The document table and the checks of its values: every document read from a user's file is checked
(year, doc_id, text, title), and an error names the file and line: ``mine.csv, line 3: year '2020年' is
not a year …``.

:func:`documents_frame` builds the table of a reader's documents; :class:`_Checks` makes the checks
across documents as they pass (unique ids; empty, year-less and duplicate documents reported, never
dropped), for the table and for :func:`analysis.corpus.readers.iter_corpus` alike;
:func:`ensure_unique_ids` repairs ids once tables from several sources are combined.
"""

from __future__ import annotations

import hashlib
import warnings

import numpy as np
import pandas as pd

from ..errors import CorpusError, CorpusWarning, InputError

YEAR_MAX = 2100
COLUMNS = ["doc_id", "collection", "year", "title", "source", "text"]


def _missing(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def parse_year(value, where: str):
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
    record["year"] = parse_year(record.get("year"), where)
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
