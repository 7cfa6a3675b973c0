"""Claims tied to numbers: the checks a finding has to pass before prose may state it.

:func:`first_appearance_all`
    "X first appears in year Y" checked against every collection of the corpus, with the
    first year flagged as uncertain when the corpus cannot see the year before it.
:func:`keyness_survival`
    whether each significant key term of a target survives counting repeated passages once
    (:mod:`analysis.repeats`), the unit bootstrap and the dispersion rule
    (:func:`analysis.keyness.is_key`) — one row per term, one boolean column per check.
"""

from __future__ import annotations

from collections import Counter
from typing import Sequence

import numpy as np
import pandas as pd

from ..errors import InputError
from .keyness import ALPHA, MIN_UNITS, keyness
from .repeats import dedupe_units
from ..tokens.segment import segmented_documents

FIRST_COLUMNS = ["term", "collection", "first_year", "first_doc", "last_year", "n_docs", "n_docs_collection",
                 "previous_year_in_corpus", "first_year_uncertain", "reason"]


def _is_annual(years: np.ndarray) -> bool:
    """A collection with one document a year (its most common gap between years is 1)."""
    gaps = np.diff(np.unique(years))
    return len(gaps) > 0 and pd.Series(gaps).mode().iloc[0] == 1


def first_appearance_all(docs: pd.DataFrame, terms: Sequence[str], *, count: str = "tokens") -> pd.DataFrame:
    """Per term and per collection: the first and last year with an occurrence, and whether the
    first year can be trusted.

    ``docs`` is a segmented-documents table (``doc_id, collection, year, tokens``) or a
    paragraph table (it has a ``paragraph`` column; paragraphs are joined per document); with
    ``count="text"`` terms are looked up as substrings of the text (for formulations the
    segmenter may cut), otherwise as tokens.  Documents without a year are ignored.

    ``first_year_uncertain`` is True when the corpus cannot see the year before: for an annual
    collection (the Government Work Reports), when the previous calendar year has no document
    (the gaps 1961–63, 1965–74, 1976–77, 1989–91, 1996, 2020) or the first year is the
    collection's first; for a periodic one (the Congress reports, every five years), when the
    first year is the collection's first document.  ``previous_year_in_corpus`` is the last
    year before ``first_year`` with a document, so a reader sees how wide the gap is; ``reason``
    says why in words.  A term a collection never uses gets a row with missing years and
    ``n_docs = 0``.
    """
    terms = list(dict.fromkeys(terms))
    if not terms:
        raise InputError("no terms given")
    if count not in ("tokens", "text"):
        raise InputError(f"unknown count {count!r}; choose 'tokens' or 'text'")
    column = "tokens" if count == "tokens" else "text"
    if "paragraph" in docs:
        docs = _documents_from_paragraphs(docs)
    for col in ("doc_id", "collection", "year", column):
        if col not in docs:
            raise InputError(f"the documents table has no {col!r} column")
    dated = docs[docs["year"].notna()]
    rows = []
    for collection, group in dated.groupby("collection", sort=False):
        group = group.sort_values("year", kind="stable")
        years = group["year"].astype(int).to_numpy()
        present = set(years.tolist())
        annual = _is_annual(years)
        if count == "tokens":
            sets = [set(toks) for toks in group["tokens"]]
            hits = {t: np.array([t in s for s in sets], dtype=bool) for t in terms}
        else:
            hits = {t: group["text"].str.contains(t, regex=False).to_numpy() for t in terms}
        for term in terms:
            mask = hits[term]
            if not mask.any():
                rows.append((term, collection, pd.NA, pd.NA, pd.NA, 0, len(group), pd.NA, pd.NA, "never used"))
                continue
            first = int(years[mask][0])
            before = years[years < first]
            previous = int(before.max()) if len(before) else pd.NA
            if not len(before):
                uncertain, reason = True, f"{first} is the collection's first year"
            elif annual and (first - 1) not in present:
                uncertain, reason = True, f"no document for {first - 1} (previous: {previous})"
            else:
                uncertain, reason = False, f"absent from the previous document ({previous})"
            rows.append((term, collection, first, group["doc_id"].to_numpy()[mask][0], int(years[mask][-1]),
                         int(mask.sum()), len(group), previous, uncertain, reason))
    table = pd.DataFrame(rows, columns=FIRST_COLUMNS)
    for col in ("first_year", "last_year", "previous_year_in_corpus"):
        table[col] = table[col].astype("Int64")
    table["first_year_uncertain"] = table["first_year_uncertain"].astype("boolean")
    return table


def _documents_from_paragraphs(paragraphs: pd.DataFrame) -> pd.DataFrame:
    grouped = paragraphs.groupby("doc_id", sort=False)
    out = pd.DataFrame({"collection": grouped["collection"].first(), "year": grouped["year"].first()})
    if "text" in paragraphs:
        out["text"] = grouped["text"].agg("\n".join)
    if "tokens" in paragraphs:
        out["tokens"] = grouped["tokens"].agg(lambda col: [t for toks in col for t in toks])
    return out.reset_index()


def keyness_survival(paragraphs: pd.DataFrame, target: str, reference, segmenter, *, min_chars: int = 30,
                     alpha: float = ALPHA, min_units: int = MIN_UNITS, n_boot: int = 1000, random_state: int = 0,
                     **keyness_options) -> pd.DataFrame:
    """Which significant over-used terms of ``target`` survive each check.

    ``paragraphs`` is a segmented paragraph table holding the target and the reference
    documents; ``reference`` a list of doc_ids (or a callable on the segmented documents);
    ``segmenter`` re-segments paragraphs whose repeated passages were removed.  The baseline
    is the asymptotic test (``exact=False``: G² or χ², as before Fisher was added), so each
    column says what one check does to it.

    One row per term significant in the baseline (``p_adj < alpha``, over-used), with its
    counts, and the columns ``fisher`` (still significant when Fisher's exact test is used
    where expected counts are below 5), ``repeats`` (still significant, baseline test, after
    later copies of passages of ≥ ``min_chars`` characters are removed from the target),
    ``bootstrap`` (the unit-bootstrap interval of Log Ratio excludes 0), ``dispersion`` (in at
    least ``min_units`` of the target's units), ``is_key`` (the keyness table's rule: Fisher
    where needed, bootstrap and dispersion) and ``all`` (every check, repeats included).  ``p_adj_dedup`` and
    ``n_target_dedup`` give the numbers behind ``repeats`` (``p_adj_dedup`` is missing when the
    term falls below ``min_count`` once repeats are removed).
    """
    options = dict(min_target=0, **keyness_options)
    docs = segmented_documents(paragraphs)
    base = keyness(docs, target, reference, exact=False, **options)
    robust = keyness(docs, target, reference, units=paragraphs, n_boot=n_boot, random_state=random_state,
                     alpha=alpha, min_units=min_units, **options).set_index("term")
    deduped_paras = dedupe_units(paragraphs, segmenter, min_chars=min_chars, doc_ids=target)
    deduped_docs = segmented_documents(deduped_paras)
    deduped = keyness(deduped_docs, target, reference, exact=False, **options).set_index("term")
    target_tokens = [t for toks in deduped_docs.loc[deduped_docs["doc_id"] == target, "tokens"] for t in toks]
    measure = base.attrs["measure"]
    sig = base[(base["p_adj"] < alpha) & (base[measure] > 0)]
    terms = sig["term"]
    out = sig[["term", "n_target", "n_reference", "expected_target", "p_adj", "log_ratio"]].reset_index(drop=True)
    r = robust.loc[terms]
    out["n_units_target"] = r["n_units_target"].to_numpy()
    out["lr_ci_low"] = r["lr_ci_low"].to_numpy()
    out["lr_ci_high"] = r["lr_ci_high"].to_numpy()
    out["p_adj_fisher"] = r["p_adj"].to_numpy()
    d = deduped.reindex(terms)
    in_target = Counter(target_tokens)
    out["n_target_dedup"] = [in_target[t] for t in terms]  # also for terms min_count now drops
    out["p_adj_dedup"] = d["p_adj"].to_numpy()
    out["fisher"] = out["p_adj_fisher"] < alpha
    out["repeats"] = np.asarray((d["p_adj"] < alpha) & (d[measure] > 0), dtype=bool)
    out["bootstrap"] = out["lr_ci_low"] > 0
    out["dispersion"] = out["n_units_target"].astype(int) >= min_units
    out["is_key"] = r["is_key"].fillna(False).to_numpy(dtype=bool)
    out["all"] = out[["fisher", "repeats", "bootstrap", "dispersion"]].all(axis=1)
    removed = deduped_paras.attrs["repeats"]
    out.attrs.update(target=target, alpha=alpha, min_units=min_units, min_chars=min_chars, n_boot=n_boot,
                     random_state=random_state, repeats=removed,
                     n_chars_removed=int(deduped_paras["n_chars_removed"].sum()))
    return out
