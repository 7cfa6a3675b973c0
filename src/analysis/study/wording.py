"""The words the study's titles, captions and prose use: ordinals, collection and document names,
lists of terms and of years, the filter note every caption ends with, a Log Ratio as printed.

Plain functions of values (no corpus, no chart), shared by the parameters (:mod:`.params`), the
notebook steps and the keyness charts.
"""

from __future__ import annotations

import pandas as pd

from ..viz.style import lr_text  # noqa: F401 - the study's wording of Log Ratio is the charts'

COLLECTION_NAMES = {  # collection → (one document, several documents)
    "gwr": ("Government Work Report", "Government Work Reports"),
    "cpc": ("CPC Congress report", "CPC Congress reports"),
    "speech": ("speech", "speeches"),
}
ORDINALS = {1: "st", 2: "nd", 3: "rd"}


def ordinal(n: int) -> str:
    """1 → '1st', 11 → '11th', 22 → '22nd'."""
    if 10 <= n % 100 <= 20:
        return f"{n}th"
    return f"{n}{ORDINALS.get(n % 10, 'th')}"


def collection_name(collection: str, plural: bool = True) -> str:
    """'gwr' → 'Government Work Reports'; an unknown collection keeps its own name."""
    one, many = COLLECTION_NAMES.get(collection, (f"{collection} document", f"{collection} documents"))
    return many if plural else one



def document_name(row: pd.Series) -> str:
    """A reader's name for one document: 'the 2019 Government Work Report', 'the report to the
    20th CPC Congress (2022)', 'the speech (2025)'; other corpora: 'the document <title>'."""
    collection, year = row["collection"], row.get("year")
    has_year = year is not None and not pd.isna(year)
    if collection == "gwr" and has_year:
        return f"the {int(year)} Government Work Report"
    if collection == "cpc":
        congress = row.get("congress")
        if congress is not None and not pd.isna(congress):
            return f"the report to the {ordinal(int(congress))} CPC Congress" + (f" ({int(year)})" if has_year else "")
        return "the CPC Congress report" + (f" of {int(year)}" if has_year else "")
    if collection == "speech":
        return "the speech"
    title = row.get("title")
    title = title if isinstance(title, str) and title else row["doc_id"]
    return f"the document {title}" + (f" ({int(year)})" if has_year else "")


def capitalise(text: str) -> str:
    """Upper-case the first letter only ('the speech' → 'The speech')."""
    return text[:1].upper() + text[1:]



def gap_years(years: pd.Series) -> list[int]:
    """Years inside the span of ``years`` without a document (gaps to be drawn as such)."""
    have = set(int(y) for y in years.dropna())
    return [y for y in range(min(have), max(have) + 1) if y not in have] if have else []


def collection_gaps(docs: pd.DataFrame, collection: str, until: int | None = None) -> tuple[str, list[int]]:
    """What a collection of the corpus lacks: ``("congress", numbers)`` for the Congress reports (a ``congress``
    column: the congresses without a report), else ``("year", years)`` (the years without a document inside its
    span).  ``until``: only up to this year."""
    part = docs[docs["collection"] == collection]
    if until is not None:
        part = part[part["year"].isna() | (part["year"] <= until)]
    if "congress" in part and part["congress"].notna().any():
        have = {int(c) for c in part["congress"].dropna()}
        return "congress", [c for c in range(1, max(have) + 1) if c not in have]
    return "year", gap_years(part["year"])


def gaps_phrase(kind: str, missing: list[int]) -> str:
    """:func:`collection_gaps` as words: 'the reports to the 2nd, 4th–6th and 8th congresses' or '1961–1963, 1965–1974';
    '' when nothing is missing."""
    if not missing:
        return ""
    if kind == "year":
        return year_ranges(missing)
    named = ["–".join(ordinal(int(x)) for x in r.split("–")) for r in year_ranges(missing).split(", ")]
    many = len(missing) > 1
    return f"the report{'s' if many else ''} to the {term_list(named)} congress{'es' if many else ''}"


def coverage_gaps(docs: pd.DataFrame, collection: str, until: int | None = None) -> str:
    """What a collection of the corpus lacks, for a "first in this corpus" statement: the Congress reports by the
    congresses without a report ('the reports to the 2nd, 4th–6th and 8th congresses'), any other collection by
    the years without a document inside its span ('1961–1963, 1965–1974'); '' when nothing is missing."""
    return gaps_phrase(*collection_gaps(docs, collection, until))


def plural(n: int, word: str) -> str:
    """'1 document', '4 documents'."""
    return f"{n} {word}{'s' if n != 1 else ''}"


def year_ranges(years: list[int]) -> str:
    """[1961, 1962, 1963, 1966] → '1961–1963, 1966'."""
    out, run = [], []
    for y in sorted(years):
        if run and y == run[-1] + 1:
            run.append(y)
        else:
            if run:
                out.append(f"{run[0]}–{run[-1]}" if len(run) > 1 else str(run[0]))
            run = [y]
    if run:
        out.append(f"{run[0]}–{run[-1]}" if len(run) > 1 else str(run[0]))
    return ", ".join(out)



def term_list(terms, limit: int | None = None) -> str:
    """'甲, 乙 and 丙' from a sequence of terms (the first ``limit`` of them)."""
    terms = [str(t) for t in terms][: limit or None]
    if not terms:
        return "none"
    return terms[0] if len(terms) == 1 else ", ".join(terms[:-1]) + " and " + terms[-1]



def filter_note(corpus) -> str:
    """The sentence every chart caption of the study ends with: ``Filter: <the corpus's filter>.``"""
    return f"Filter: {corpus.filter.name}."


def kinds_clause(terms) -> str:
    """': among the terms key against both, 市委 names the speaker's level and 始终 belongs to the genre's register
    (…)': which of ``terms`` the fixed level/register rule (:mod:`analysis.lexicon.register`) sorts out of content."""
    from ..lexicon.register import term_kind
    level = [t for t in terms if term_kind(t) == "level"]
    register = [t for t in terms if term_kind(t) == "register"]
    if not level and not register:
        return ": no term key against both is of the level or register kind (`analysis.lexicon.register`)"
    parts = ([f"{term_list(level)} name{'s' if len(level) == 1 else ''} the speaker's level"] if level else []) + (
        [f"{term_list(register)} belong{'s' if len(register) == 1 else ''} to the genre's register"] if register else [])
    return (": among the terms key against both, " + " and ".join(parts)
            + " (`analysis.lexicon.register`), which the passages cannot hold constant")
