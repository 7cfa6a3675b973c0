"""The study's own texts: the speech (in ``corpus/speech``) and the two reference collections."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pandas as pd

from .. import config
from ..errors import CorpusError, CorpusWarning
from ..text.numerals import ORDINAL_CHARS, cn_to_int
from .fetch import reference_path
from .readers import load_folder, read_jsonl
from .records import documents_frame

# Year each National Congress of the CPC opened.
CONGRESS_YEARS = {1: 1921, 2: 1922, 3: 1923, 4: 1925, 5: 1927, 6: 1928, 7: 1945, 8: 1956, 9: 1969,
                  10: 1973, 11: 1977, 12: 1982, 13: 1987, 14: 1992, 15: 1997, 16: 2002, 17: 2007,
                  18: 2012, 19: 2017, 20: 2022}
# First year of each National People's Congress; session n met in start + n - 1, except as listed.
NPC_START = {1: 1954, 2: 1959, 3: 1964, 4: 1975, 5: 1978, 6: 1983, 7: 1988, 8: 1993, 9: 1998,
             10: 2003, 11: 2008, 12: 2013, 13: 2018, 14: 2023}
NPC_SESSION_EXCEPTIONS = {(2, 3): 1962, (2, 4): 1963}
NPC_SESSION = re.compile(rf"第([{ORDINAL_CHARS}]+)届全国人民代表大会第([{ORDINAL_CHARS}]+)次会议")


def npc_session_year(title: str) -> int | None:
    """Year of the NPC session named in a title (``第十四届…第三次会议`` → 2025)."""
    match = NPC_SESSION.search(title)
    if not match:
        return None
    term, session = cn_to_int(match.group(1)), cn_to_int(match.group(2))
    if term not in NPC_START:
        return None
    return NPC_SESSION_EXCEPTIONS.get((term, session), NPC_START[term] + session - 1)


def load_speech(folder: Path | str = config.SPEECH_DIR) -> pd.DataFrame:
    """The speech under study, with its metadata from ``corpus/speech/metadata.csv``."""
    return load_folder(folder, collection="speech")


_WARNED_RESOLUTIONS: set = set()

def load_gwr(*, include_resolutions: bool = False, **fetch_options) -> pd.DataFrame:
    """Government Work Reports, one row per report, ``doc_id`` ``gwr<year>``.

    The collection also holds the National People's Congress resolutions that approve
    a report (``year`` null in the file); they are not reports and are left out unless
    ``include_resolutions``; a warning says how many.  Their year, when included, is
    taken from the session number in the title.
    """
    path = reference_path("gwr", **fetch_options)
    records, resolutions = [], 0
    for row in read_jsonl(path):
        base = {"title": row["title"], "source": row.get("url", ""), "text": row["content"]}
        if row.get("year"):
            records.append({"doc_id": f"gwr{row['year']}", "year": int(row["year"]), "genre": "report", **base})
        else:
            resolutions += 1
            if include_resolutions:
                year = npc_session_year(row["title"])
                records.append({"doc_id": f"npc-resolution{year}", "year": year, "genre": "resolution", **base})
    if resolutions and not include_resolutions and path not in _WARNED_RESOLUTIONS:
        _WARNED_RESOLUTIONS.add(path)  # once per file and process: the same 20 every call
        warnings.warn(f"{path.name}: left out {resolutions} NPC resolutions approving a report "
                      f"(not reports; include_resolutions=True keeps them)", CorpusWarning, stacklevel=2)
    return documents_frame(records, "gwr", str(path))


def load_cpc(**fetch_options) -> pd.DataFrame:
    """Reports to the CPC National Congresses, ``year`` the year the congress opened.

    ``doc_id`` is ``cpc<NN>`` (two reports of the 1st congress: ``cpc01a``, ``cpc01b``).
    """
    path = reference_path("cpc", **fetch_options)
    rows = read_jsonl(path)
    per_congress: dict[int, int] = {}
    for row in rows:
        per_congress[row["congress"]] = per_congress.get(row["congress"], 0) + 1
    seen: dict[int, int] = {}
    records = []
    for row in rows:
        congress = int(row["congress"])
        seen[congress] = seen.get(congress, 0) + 1
        suffix = "abcdefgh"[seen[congress] - 1] if per_congress[congress] > 1 else ""
        records.append({"doc_id": f"cpc{congress:02d}{suffix}", "year": CONGRESS_YEARS.get(congress),
                        "title": row["title"], "source": row.get("url", ""), "text": row["content"],
                        "congress": congress, "genre": "report"})
    return documents_frame(records, "cpc", str(path))


def load_reference(collection: str = "gwr", **options) -> pd.DataFrame:
    """One reference collection by name: ``"gwr"`` or ``"cpc"``."""
    loaders = {"gwr": load_gwr, "cpc": load_cpc}
    if collection not in loaders:
        raise CorpusError(f"unknown reference collection {collection!r}; known: {', '.join(loaders)}")
    return loaders[collection](**options)


def load_default_corpus(**fetch_options) -> pd.DataFrame:
    """The study's corpus: the speech, the Government Work Reports and the Congress reports."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CorpusWarning)  # the 20 NPC resolutions are expected
        parts = [load_speech(), load_gwr(**fetch_options), load_cpc(**fetch_options)]
    return pd.concat(parts, ignore_index=True)


def describe_corpus(docs: pd.DataFrame) -> pd.DataFrame:
    """Per collection: documents, distinct years, first and last year, characters."""
    grouped = docs.assign(n_chars=docs["text"].str.len()).groupby("collection", sort=False)
    return pd.DataFrame({
        "documents": grouped.size(),
        "years": grouped["year"].nunique(),
        "first_year": grouped["year"].min(),
        "last_year": grouped["year"].max(),
        "characters": grouped["n_chars"].sum(),
    }).reset_index()


def list_documents(docs: pd.DataFrame) -> pd.DataFrame:
    """One row per document: id, collection, year, characters, title."""
    return docs.assign(characters=docs["text"].str.len())[["doc_id", "collection", "year", "characters", "title"]]
