"""Argument checks shared by the public functions: a wrong type or value is an
:class:`~analysis.errors.InputError` naming the function, the argument and what it got
(``keyness: n_boot must be an integer ≥ 1, got -1``), never a ``TypeError`` from deep inside
pandas or a silently wrong result.

Each check returns the value it accepts (converted where there is one obvious reading: a
``"2015-2024"`` string to ``(2015, 2024)``), so a function checks and normalises in one line.
"""

from __future__ import annotations

import ast
import re
from numbers import Integral, Real
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError

SELECTOR = "a doc_id, a list of doc_ids, a boolean mask or a callable"


def _got(value: Any) -> str:
    """What a value is, for a message: its repr, shortened, and its type where the repr hides it."""
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    if isinstance(value, (str, bool, type(None))) or type(value) in (int, float):
        return text
    return f"{text} ({type(value).__name__})"


def fail(func: str | None, name: str, expected: str, value: Any, hint: str = "") -> InputError:
    """The error for argument ``name`` of ``func`` that must be ``expected`` and is ``value``."""
    where = f"{func}: " if func else ""
    return InputError(f"{where}{name} must be {expected}, got {_got(value)}" + (f"; {hint}" if hint else ""))


def none_like(value: Any) -> bool:
    """None, or a notebook parameter string meaning it ("", "None", "null", "default")."""
    return value is None or (isinstance(value, str) and value.strip().lower() in ("", "none", "null", "default"))


# ------------------------------------------------------------------ numbers

def integer(value: Any, name: str, func: str | None = None, *, minimum: int | None = 0,
            none: bool = False) -> int | None:
    """An integer ≥ ``minimum`` (``none``: or None); a bool, float or string is refused."""
    if value is None and none:
        return None
    if isinstance(value, bool) or not isinstance(value, Integral):
        kind = "an integer" + (f" ≥ {minimum}" if minimum is not None else "") + (" or None" if none else "")
        raise fail(func, name, kind, value)
    if minimum is not None and value < minimum:
        raise fail(func, name, f"an integer ≥ {minimum}" + (" or None" if none else ""), value)
    return int(value)


def fraction(value: Any, name: str, func: str | None = None) -> float:
    """A number strictly between 0 and 1 (a significance level, a confidence level)."""
    if isinstance(value, bool) or not isinstance(value, Real) or not 0 < float(value) < 1:
        raise fail(func, name, "a number between 0 and 1 (exclusive)", value)
    return float(value)


def choice(value: Any, name: str, options, func: str | None = None) -> Any:
    """One of ``options``."""
    if not isinstance(value, (str, type(None), int)) or value not in options:
        raise fail(func, name, f"one of {tuple(options)}", value)
    return value


# ------------------------------------------------------------------ years

YEAR_SEPARATORS = re.compile(r"\s*(?:[-–—:,]|\.\.|to)\s*")


def years(value: Any, name: str = "years", func: str | None = None) -> tuple[int, int] | None:
    """A (first, last) year range, both included, from any of: ``None`` (and ``"None"``: no range),
    a tuple or list of two years, one year, and the strings ``"2015-2024"``, ``"2015–2024"``,
    ``"2015:2024"``, ``"2015, 2024"``, ``"[2015, 2024]"``, ``"(2015, 2024)"`` and ``"2015"``.
    The one years parser of the package (notebook parameters, ``select(years=...)``, trends)."""
    if none_like(value):
        return None
    original = value
    if isinstance(value, str):
        text = value.strip()
        try:
            value = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            value = [p for p in YEAR_SEPARATORS.split(text.strip("[]() ")) if p]
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        value = [value, value]
    if isinstance(value, (list, tuple, np.ndarray, pd.Series)) and len(value) == 1:
        value = [value[0], value[0]]
    try:
        if isinstance(value, (str, bytes)) or any(isinstance(v, (bool, float)) for v in value):
            raise TypeError
        first, last = (int(str(v).strip()) for v in value)
    except (TypeError, ValueError):
        raise InputError(f"{f'{func}: ' if func else ''}{name} {original!r}: give two years, e.g. (2010, 2020) or "
                         f"\"2010-2020\", or one year; None for the default") from None
    if first > last:
        raise InputError(f"{f'{func}: ' if func else ''}{name} {original!r}: the first year {first} is after the last {last}")
    return first, last


def year_list(value: Any, name: str = "years", func: str | None = None) -> list[int] | None:
    """The years a trend shows: a range or list of years as given; a (first, last) tuple, one year
    or a string such as ``"2015-2024"`` read by :func:`years` and made the full range."""
    if isinstance(value, (range, list, np.ndarray, pd.Series, pd.Index)):
        out = list(value)
        if not out or any(isinstance(y, bool) or not isinstance(y, Integral) for y in out):
            raise fail(func, name, "years (integers), a (first, last) tuple or a string such as '2015-2024'", value)
        return [int(y) for y in out]
    span = years(value, name, func)
    return None if span is None else list(range(span[0], span[1] + 1))


# ------------------------------------------------------------------ tables and tokens

def column(table: pd.DataFrame, value: Any, name: str = "by", func: str | None = None, *, none: bool = True) -> Any:
    """A column name of ``table`` (``none``: or None); an unknown one names the valid ones."""
    if value is None and none:
        return None
    if not isinstance(value, str) or value not in table.columns:
        valid = ", ".join(map(str, table.columns))
        raise fail(func, name, "a column of the table" + (" or None" if none else ""), value, f"columns: {valid}")
    return value


def token_lists(values: Any, name: str = "docs", func: str | None = None) -> list:
    """A list of token lists (one per document, paragraph or stream); a string — or a list of
    strings where lists of tokens are expected — is refused: segment the text first."""
    hint = "segment the text first (analysis.segment.Segmenter.tokens, or a SegmentedCorpus's tokens)"
    if isinstance(values, (str, bytes)):
        raise fail(func, name, "a list of token lists", values, hint)
    if isinstance(values, pd.Series):
        values = values.tolist()
    try:
        values = list(values)
    except TypeError:
        raise fail(func, name, "a list of token lists", values) from None
    for i, tokens in enumerate(values):
        if isinstance(tokens, (str, bytes)):
            raise fail(func, f"{name}[{i}]", "a list of tokens, not a string", tokens, hint)
        if not isinstance(tokens, (list, tuple, np.ndarray)):
            raise fail(func, f"{name}[{i}]", "a list of tokens", tokens)
    return values


def terms(values: Any, name: str = "terms", func: str | None = None) -> list[str]:
    """A list of terms (strings); one string is one term."""
    if isinstance(values, str):
        return [values]
    try:
        values = list(values)
    except TypeError:
        raise fail(func, name, "a term or a list of terms", values) from None
    if bad := [v for v in values if not isinstance(v, str)]:
        raise fail(func, name, "strings", bad[0], f"{len(bad)} of {len(values)} terms are not text")
    return values


# ------------------------------------------------------------------ targets and references

def selector(which: Any, n: int, name: str = "target", func: str | None = None) -> tuple[str, Any]:
    """What a target/reference argument is: ``("mask", bool array)`` or ``("ids", list of str)``.

    Accepted: a doc_id, a list (tuple, set, array, Series) of doc_ids, a boolean mask of ``n``
    entries (a numpy bool array, a bool or nullable-boolean Series: missing counts as not
    selected).  Refused with a message: None, numbers, and an integer 0/1 array (ambiguous:
    document ids or a mask?), which must be made boolean (``mask.astype(bool)``)."""
    if isinstance(which, (pd.Series, pd.api.extensions.ExtensionArray)) and pd.api.types.is_bool_dtype(which.dtype):
        which = pd.Series(which).fillna(False).to_numpy(dtype=bool)
    if isinstance(which, str):
        return "ids", [which]
    if which is None or isinstance(which, (bool, Real, np.bool_, bytes)) or not np.iterable(which) \
            or isinstance(which, dict):
        raise fail(func, name, SELECTOR, which)
    if isinstance(which, (set, frozenset)):
        which = sorted(which, key=str)
    values = which if isinstance(which, np.ndarray) else np.asarray(list(which), dtype=object)
    if values.ndim != 1:
        raise fail(func, name, SELECTOR + " (one-dimensional)", which)
    if values.dtype == bool or (len(values) and all(isinstance(v, (bool, np.bool_)) for v in values)):
        values = values.astype(bool)
        if len(values) != n:
            raise InputError(f"{f'{func}: ' if func else ''}{name} mask has {len(values)} entries for {n} documents")
        return "mask", values
    if bad := [v for v in values if not isinstance(v, str)]:
        if all(isinstance(v, (Integral, np.integer)) and v in (0, 1) for v in values):
            raise fail(func, name, SELECTOR, which, "an integer array of 0 and 1 is ambiguous: pass a boolean mask "
                       "(mask.astype(bool)) or the doc_ids as strings")
        raise fail(func, name, SELECTOR, which, f"{bad[0]!r} is not a doc_id (doc_ids are strings)")
    return "ids", [str(v) for v in values]


def ngram_range(value: Any, name: str = "ngram_range", func: str | None = None) -> tuple[int, int]:
    """A (min_n, max_n) pair of integers with 1 ≤ min_n ≤ max_n."""
    try:
        low, high = value
    except (TypeError, ValueError):
        raise fail(func, name, "a (min_n, max_n) pair such as (1, 2)", value) from None
    if any(isinstance(v, bool) or not isinstance(v, Integral) for v in (low, high)) or not 1 <= low <= high:
        raise fail(func, name, "a (min_n, max_n) pair of integers with 1 ≤ min_n ≤ max_n", value)
    return int(low), int(high)


def documents(value: Any, func: str) -> pd.DataFrame:
    """The documents table a statistic counts: a segmented-documents table as it is, or the ``documents`` of a
    prepared corpus (:class:`analysis.tokens.SegmentedCorpus`).  A store is dispatched to its own method."""
    if isinstance(value, pd.DataFrame):
        return value
    table = getattr(value, "documents", None)
    if isinstance(table, pd.DataFrame):
        return table
    raise fail(func, "docs", "a segmented-documents table, a prepared corpus or a store", value,
               "prepare() the texts first")
