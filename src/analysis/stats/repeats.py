"""Verbatim repeated passages within a document, and counting them once.

Official speeches repeat set passages word for word (a guiding-idea formula, a list of
requirements).  Counted twice, a repeated passage doubles every term in it, and a test that
treats tokens as independent (G²) reads the doubling as evidence.  :func:`find_repeats`
reports each later copy of a passage of at least ``min_chars`` characters that occurred earlier
in the same text; :func:`drop_repeats` removes those later copies so every passage counts once;
:func:`dedupe_units` does this for a paragraph table and re-segments what is left.

Method: every window of ``min_chars`` characters is looked up in a dictionary of the windows
seen before it (Karp–Rabin fingerprinting, with Python's string hash standing in for the
rolling hash, and equality checked on the strings themselves, so there are no false matches).
A later copy is a run of consecutive positions whose windows first occurred at the same
distance ``d`` back; the run is extended character by character while ``text[i] ==
text[i - d]`` so each reported repeat is maximal (it cannot be lengthened on either side),
not every sub-window of it (Gusfield 1997, ch. 7, on maximal repeats).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .._util import check
from ..errors import InputError

REPEAT_COLUMNS = ["start", "end", "length", "text", "first_start"]


def find_repeats(text: str, min_chars: int = 30) -> pd.DataFrame:
    """Later verbatim copies of passages of at least ``min_chars`` characters in ``text``.

    One row per maximal copy: ``start, end`` (``text[start:end]`` is the copy), ``length``,
    ``text``, ``first_start`` (where the same passage occurred earlier: ``text[first_start:
    first_start + length] == text[start:end]``).  Copies of a passage that occurs three times
    give two rows.  Ordered by ``start``.
    """
    if not isinstance(text, str):
        raise check.fail("find_repeats", "text", "a text (a string)", text)
    check.integer(min_chars, "min_chars", "find_repeats", minimum=1)
    n = len(text)
    first: dict[str, int] = {}
    back = [0] * max(0, n - min_chars + 1)  # distance to the window's first occurrence (0: first time)
    for i in range(n - min_chars + 1):
        window = text[i:i + min_chars]
        j = first.setdefault(window, i)
        back[i] = i - j
    rows, i = [], 0
    while i < len(back):
        d = back[i]
        if d == 0:
            i += 1
            continue
        j = i
        while j + 1 < len(back) and back[j + 1] == d:
            j += 1
        start, end = i, j + min_chars
        while start > d and text[start - 1] == text[start - 1 - d]:
            start -= 1
        while end < n and text[end] == text[end - d]:
            end += 1
        rows.append((start, end, end - start, text[start:end], start - d))
        i = max(j + 1, end - min_chars + 1)
    table = pd.DataFrame(rows, columns=REPEAT_COLUMNS)
    return _drop_contained(table)


def _drop_contained(table: pd.DataFrame) -> pd.DataFrame:
    """Remove copies lying wholly inside another reported copy (a repeat within a repeat)."""
    if table.empty:
        return table
    table = table.sort_values(["start", "end"], ascending=[True, False], kind="stable")
    keep, reach = [], -1
    for end in table["end"]:
        keep.append(end > reach)
        reach = max(reach, end)
    return table[keep].reset_index(drop=True)


@dataclass(frozen=True)
class Deduplicated:
    """A text with later copies of repeated passages removed: the new ``text``, the number of
    characters removed (``n_removed``) and the ``repeats`` table (see :func:`find_repeats`)."""

    text: str
    n_removed: int
    repeats: pd.DataFrame

    @property
    def share_removed(self) -> float:
        total = len(self.text) + self.n_removed
        return self.n_removed / total if total else 0.0


def drop_repeats(text: str, min_chars: int = 30) -> Deduplicated:
    """``text`` with every later copy of a repeated passage (≥ ``min_chars`` characters) removed,
    so each passage counts once; overlapping copies are merged before removal."""
    repeats = find_repeats(text, min_chars)
    pieces, pos, removed = [], 0, 0
    for start, end in zip(repeats["start"], repeats["end"]):
        start = max(start, pos)
        if end <= start:
            continue
        pieces.append(text[pos:start])
        removed += end - start
        pos = end
    pieces.append(text[pos:])
    return Deduplicated("".join(pieces), removed, repeats)


def dedupe_units(paragraphs: pd.DataFrame, segmenter, *, min_chars: int = 30, doc_ids=None) -> pd.DataFrame:
    """A paragraph table in which later copies of repeated passages are removed within each
    document (or only within ``doc_ids``) and the affected paragraphs re-segmented with
    ``segmenter`` (``stream`` from its ``cut``, when the table has one, and ``tokens`` from its
    ``tokens``: the same segmenter and filter that made the table); paragraphs left empty are
    dropped.

    Repeats are found in each document's paragraphs joined by newlines, so a passage repeated
    across paragraphs is found too.  Adds ``n_chars_removed`` per paragraph; the table's
    ``attrs["repeats"]`` holds the repeats found (with ``doc_id``).
    """
    for col in ("doc_id", "text", "tokens"):
        if col not in paragraphs:
            raise InputError(f"the paragraph table has no {col!r} column")
    wanted = None if doc_ids is None else {doc_ids} if isinstance(doc_ids, str) else set(doc_ids)
    out, found = [], []
    for doc_id, paras in paragraphs.groupby("doc_id", sort=False):
        paras = paras.copy()
        paras["n_chars_removed"] = 0
        if wanted is None or doc_id in wanted:
            texts = list(paras["text"])
            deduped = drop_repeats("\n".join(texts), min_chars)
            if deduped.n_removed:
                new_texts = _split_like(deduped, texts)
                changed = [old != new for old, new in zip(texts, new_texts)]
                paras["n_chars_removed"] = [len(old) - len(new) for old, new in zip(texts, new_texts)]
                paras["text"] = new_texts
                index = paras.index[changed]
                streams = [segmenter.cut(t) for t, c in zip(new_texts, changed) if c]
                if "stream" in paras:
                    paras.loc[changed, "stream"] = pd.Series(streams, index=index, dtype=object)
                paras.loc[changed, "tokens"] = pd.Series([segmenter.tokens(t) for t, c in zip(new_texts, changed) if c],
                                                         index=index, dtype=object)
                if "n_chars" in paras:
                    paras["n_chars"] = paras["text"].str.len()
                if "n_tokens" in paras:
                    paras["n_tokens"] = paras["tokens"].map(len)
                paras = paras[paras["text"].str.strip() != ""]
                found.append(deduped.repeats.assign(doc_id=doc_id))
        out.append(paras)
    table = pd.concat(out).reset_index(drop=True)
    table.attrs["repeats"] = pd.concat(found, ignore_index=True) if found else pd.DataFrame(columns=REPEAT_COLUMNS + ["doc_id"])
    return table


def _split_like(deduped: Deduplicated, texts: list[str]) -> list[str]:
    """Cut removed spans out of each paragraph of ``"\\n".join(texts)`` (a removed newline joins
    nothing: each paragraph keeps its own remaining characters)."""
    spans, pos = [], 0
    for start, end in zip(deduped.repeats["start"], deduped.repeats["end"]):
        start = max(start, pos)
        if end > start:
            spans.append((start, end))
            pos = end
    result, offset = [], 0
    for text in texts:
        lo, hi = offset, offset + len(text)
        keep = [ch for k, ch in enumerate(text) if not any(s <= lo + k < e for s, e in spans)]
        result.append("".join(keep))
        offset = hi + 1
    return result
