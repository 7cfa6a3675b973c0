"""The political lexicon, stopword lists and the token filter rule.

The lexicon ships inside the package (``analysis/data/lexicon/political.tsv``) so that
``pip install`` users get it.  Each entry has a category (theory, party_building,
numbered, rule_of_law, economy_policy), for numbered formulations whose members
are fixed the members (``四个意识`` = 政治意识;大局意识;核心意识;看齐意识), and its provenance: every
term of the default lexicon is attested in a Government Work Report or a Congress report (the
earliest is named); terms only the study's target or no document of the corpus attests are in
the opt-in list :data:`~analysis.lexicon.provenance.OPT_IN_FILE`, so that the default lexicon
does not depend on the document under study (:mod:`analysis.lexicon.provenance`).  Researchers add
their own files with the same columns::

    lex = Lexicon.load(extra=["my_terms.tsv"])      # or Lexicon.from_terms(["新词"], category="mine")
"""

from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Iterable

import pandas as pd

from ..config import DATA_DIR
from ..errors import InputError

LEXICON_FILE = DATA_DIR / "lexicon" / "political.tsv"
GENRE_STOPWORDS_FILE = DATA_DIR / "stopwords_genre.txt"
COLUMNS = ["term", "category", "members", "note", "provenance"]


@dataclass(frozen=True, eq=False)
class Lexicon:
    """A table of terms (``term, category, members, note, provenance``); immutable; equal and hashed by its terms.

    ``provenance`` says where a term comes from (:mod:`analysis.lexicon.provenance`: ``attested: gwr2014`` for the
    shipped terms; empty in a user's file unless given)."""

    table: pd.DataFrame

    @classmethod
    def read(cls, path: Path | str) -> "Lexicon":
        """Read one lexicon file (tab-separated, ``#`` comments; or a plain list, one term a line).

        Decoded as every text file is (:func:`analysis.corpus.read_text`: UTF-8 with or without
        a byte-order mark, UTF-16/32 with one, GB18030), and read as a spreadsheet saves it
        (CRLF line ends, quoted fields, trailing empty columns).  An entry with an empty term,
        whitespace inside its term or more than the four columns is an
        :class:`~analysis.errors.InputError` naming the file, the entry and its line."""
        from ..corpus.readers import read_text
        path = Path(path)
        lines = [(number, line) for number, line in enumerate(read_text(path).split("\n"), 1)
                 if line.strip("\t\r ") and not line.startswith(("#", '"#'))]
        if lines and _fields(lines[0][1])[:1] == ["term"]:
            lines = lines[1:]
        rows = []
        for n, (number, line) in enumerate(lines, 1):
            fields = _fields(line)
            if len(fields) > len(COLUMNS):
                raise InputError(f"{path}: entry {n} (line {number}) has {len(fields)} tab-separated columns, "
                                 f"more than the {len(COLUMNS)} of a lexicon ({', '.join(COLUMNS)}): {line!r}")
            fields = (fields + [""] * len(COLUMNS))[:len(COLUMNS)]
            if not fields[0].strip() or re.search(r"\s", fields[0].strip()):
                raise InputError(f"{path}: entry {n} (line {number}) has an empty term or whitespace inside it: "
                                 f"{line!r}")
            rows.append([f.strip() for f in fields])
        table = pd.DataFrame(rows, columns=COLUMNS)
        table["category"] = table["category"].replace("", "user")
        table["source"] = path.name
        return cls(table)

    @classmethod
    def from_terms(cls, terms: Iterable[str], category: str = "user") -> "Lexicon":
        table = pd.DataFrame({"term": list(terms)}).assign(category=category, members="", note="", provenance="", source="<list>")
        return cls(table[COLUMNS + ["source"]])

    @classmethod
    def load(cls, extra: Iterable[Path | str | "Lexicon"] = (), *, builtin: bool = True) -> "Lexicon":
        """The built-in lexicon plus any extra files or lexicons (later entries win for a repeated term)."""
        if builtin and not extra:
            return _builtin_lexicon()  # read once per process (a Lexicon is not changed in place)
        parts = [_builtin_lexicon()] if builtin else []
        parts += [e if isinstance(e, Lexicon) else cls.read(e) for e in extra]
        if not parts:
            return cls(pd.DataFrame(columns=COLUMNS + ["source"]))
        table = pd.concat([p.table for p in parts], ignore_index=True)
        return cls(table.drop_duplicates("term", keep="last").reset_index(drop=True))

    def __add__(self, other: "Lexicon") -> "Lexicon":
        return Lexicon.load([self, other], builtin=False)

    def __len__(self) -> int:
        return len(self.table)

    def __contains__(self, term: str) -> bool:
        return term in self.terms

    def __hash__(self) -> int:
        return hash(self.fingerprint)

    def __eq__(self, other) -> bool:
        return isinstance(other, Lexicon) and self.fingerprint == other.fingerprint

    @cached_property
    def terms(self) -> frozenset[str]:
        return frozenset(self.table["term"])

    @cached_property
    def fingerprint(self) -> str:
        """sha256 of the entries that change segmentation (terms, in order)."""
        return hashlib.sha256("\n".join(sorted(self.terms)).encode("utf-8")).hexdigest()

    def category(self, name: str) -> list[str]:
        return self.table.loc[self.table["category"] == name, "term"].tolist()

    @property
    def categories(self) -> dict[str, str]:
        return dict(zip(self.table["term"], self.table["category"]))

    def members(self, term: str) -> list[str]:
        """The members of a numbered formulation, when the lexicon lists them (else ``[]``)."""
        row = self.table.loc[self.table["term"] == term, "members"]
        return [m for m in row.iloc[0].split(";") if m] if len(row) and row.iloc[0] else []


# How the shipped lexicon's categories read in a chart or a sentence (tables keep the identifiers).
CATEGORY_LABELS = {"theory": "theory", "party_building": "Party building", "numbered": "numbered formulations",
                   "rule_of_law": "rule of law", "economy_policy": "economic policy"}


def category_label(category: str) -> str:
    """A lexicon category as a reader reads it: ``rule_of_law`` → ``rule of law``; a category of
    the user's own lexicon with its underscores as spaces."""
    return CATEGORY_LABELS.get(category, str(category).replace("_", " "))


def _fields(line: str) -> list[str]:
    """The tab-separated fields of one line (a quoted field may hold a tab), trailing empty ones dropped."""
    fields = next(csv.reader([line.rstrip("\r")], delimiter="\t", quotechar='"'))
    while fields and not fields[-1].strip():
        fields.pop()
    return fields


@lru_cache(maxsize=1)
def _builtin_lexicon() -> Lexicon:
    return Lexicon.read(LEXICON_FILE)


@lru_cache(maxsize=1)
def standard_stopwords() -> frozenset[str]:
    """The Chinese list of stopwords-iso (package ``stopwordsiso``), 794 entries."""
    import stopwordsiso
    return frozenset(stopwordsiso.stopwords("zh"))


@lru_cache(maxsize=1)
def genre_stopwords() -> frozenset[str]:
    """Genre boilerplate of official speeches (同志们, 进一步, 切实 …), shipped with the package."""
    return frozenset(ln.strip() for ln in GENRE_STOPWORDS_FILE.read_text(encoding="utf-8").splitlines()
                     if ln.strip() and not ln.startswith("#"))


def stopword_list(kind: str | Iterable[str] | None) -> frozenset[str]:
    """``"none"``, ``"standard"`` (stopwords-iso), ``"genre"`` (standard + genre list), or your own words."""
    if kind is None or kind == "none":
        return frozenset()
    if kind == "standard":
        return standard_stopwords()
    if kind == "genre":
        return standard_stopwords() | genre_stopwords()
    if isinstance(kind, str):
        raise ValueError(f"unknown stopword list {kind!r}: use 'none', 'standard', 'genre' or a list of words")
    return frozenset(kind)
