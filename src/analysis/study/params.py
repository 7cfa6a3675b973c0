"""The study's parameters: which document is the target, which documents form its reference,
and the words every title, caption and file name uses for them.

Every notebook starts with

>>> study = resolve(corpus, target=TARGET, reference_collection=REFERENCE_COLLECTION,
...                 reference_years=REFERENCE_YEARS)

which accepts what papermill passes (``-p`` strings, ``-y`` YAML values, list-like strings such
as ``"[2010, 2020]"`` or ``"2010-2020"``, tuples, ``None``), fails with a message listing the
valid document ids, and applies the rules of the design:

* the reference collection defaults to the target's own collection; a target whose collection
  has no earlier document (the speech) defaults to the Government Work Reports (``gwr``);
* the reference years default to the ``window`` years before the target's year
  (``mode="keyness"``: 10, as the reference period of a keyness study) or to every earlier
  year (``mode="trend"``);
* the target itself is never in its reference, and neither is a document of the target's own
  collection dated after the target (a report cannot be compared with its successors as if
  they were its background).  Documents removed by these rules are listed in ``excluded``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .._util import check
from ..corpus.checks import COLUMNS as CHECK_COLUMNS, check_documents, describe_flags
from ..errors import CorpusWarning, InputError
from .wording import COLLECTION_NAMES, capitalise, collection_name, document_name

DEFAULT_COLLECTION = "gwr"


# ------------------------------------------------------------------ parsing what papermill passes

def parse_years(value: Any) -> tuple[int, int] | None:
    """A (first, last) year range from what a notebook parameter can hold.

    Accepts ``None``/``"None"`` (the default), a tuple or list of two years, one year, and the
    strings ``"[2010, 2020]"``, ``"(2010, 2020)"``, ``"2010-2020"``, ``"2010–2020"``,
    ``"2010:2020"``, ``"2010, 2020"`` and ``"2015"``.  Both ends are included.  (The package's
    one years parser, :func:`analysis._util.check.years`.)
    """
    return check.years(value, "REFERENCE_YEARS")


def parse_name(value: Any, what: str) -> str | None:
    """A document id or collection name: strips quotes and spaces; ``None``/``"None"`` → None."""
    if check.none_like(value):
        return None
    if not isinstance(value, (str, int)):
        raise InputError(f"{what} {value!r}: give a name such as 'gwr2019'")
    return str(value).strip().strip("'\"")


# ------------------------------------------------------------------ the study's parameters

#: Below this many reference documents, :func:`resolve` warns and :meth:`StudyParams.describe` says that the key
#: terms describe a difference from these few texts, not from their collection (one document's idiosyncrasies
#: dominate a reference of two or three).
MIN_REFERENCE_DOCS = 5

@dataclass(frozen=True)
class StudyParams:
    """The resolved parameters of one study: target, reference and their labels.

    ``target_mask`` and ``reference_mask`` are boolean masks over ``corpus.documents`` (valid
    ``target``/``reference`` arguments of :func:`analysis.stats.keyness.keyness`).
    """

    target: str
    target_collection: str
    target_year: int | None
    reference_collection: str
    reference_years: tuple[int, int]
    target_mask: np.ndarray = field(repr=False)
    reference_mask: np.ndarray = field(repr=False)
    reference_ids: tuple[str, ...]
    excluded: tuple[str, ...]
    name: str              # 'the 2019 Government Work Report'
    label: str             # 'the 2019 Government Work Report (gwr2019)'
    short_label: str       # 'gwr2019'
    reference_label: str   # 'Government Work Reports 2009–2018 (10 documents)'
    reference_short: str   # 'GWR 2009–2018'
    slug: str              # 'gwr2009-2018': the reference part of figure names
    is_speech: bool
    target_note: str = ""  # what `analysis corpus check` says of the target ('an excerpt: …'), '' when nothing
    stubs: tuple[str, ...] = ()  # reference candidates left out as stubs (disambiguation pages, fragments)

    @property
    def title_name(self) -> str:
        """:attr:`name` with a capital letter, to start a title or sentence."""
        return capitalise(self.name)

    @property
    def possessive(self) -> str:
        """'the speech's', 'the 2019 Government Work Report's'."""
        return f"{self.name}'s"

    @property
    def n_reference(self) -> int:
        return int(self.reference_mask.sum())

    def describe(self) -> str:
        """One paragraph for the top of a notebook: target, reference and what the rules left out."""
        text = (f"**Target:** {self.label}. **Reference:** {self.reference_label}: "
                f"{', '.join(self.reference_ids)}.")
        if self.excluded:
            text += (f" Left out of the reference by the study's rules (the target itself and "
                     f"{collection_name(self.target_collection)} dated after it): {', '.join(self.excluded)}.")
        if self.stubs:
            text += (f" Left out as stubs, not the documents they are named for (`analysis corpus check`): "
                     f"{', '.join(self.stubs)}.")
        if self.n_reference < MIN_REFERENCE_DOCS:
            text += (f" **A small reference** ({self.n_reference} document{'s' if self.n_reference != 1 else ''}, "
                     f"fewer than {MIN_REFERENCE_DOCS}): its key terms say how the target differs from these texts, "
                     f"not from their collection; read them as candidates to check in a larger reference.")
        if self.target_note:
            text += f" **The target is {self.target_note}**: every statement below is about the text the corpus holds."
        return text


def valid_ids_message(documents: pd.DataFrame) -> str:
    """Every document id of the corpus, grouped by collection, for an error message."""
    parts = []
    for collection, ids in documents.groupby("collection", sort=False)["doc_id"]:
        ids = sorted(ids.astype(str))
        parts.append(f"{collection}: {', '.join(ids)}")
    return f"valid ids ({len(documents)}): " + "; ".join(parts)


def _metadata(corpus) -> pd.DataFrame:
    """The documents table with title and congress number where the raw table has them."""
    documents = corpus.documents
    raw = getattr(corpus, "docs", None)
    if raw is None:
        return documents
    extra = [c for c in ("title", "congress") if c in raw.columns and c not in documents.columns]
    return documents.merge(raw[["doc_id", *extra]].drop_duplicates("doc_id"), on="doc_id", how="left") if extra else documents


def output_name(text: str, what: str = "figure name") -> str:
    """The file name :func:`save_and_show` and :func:`save_table` give a name built from document ids
    (:func:`analysis.viz.save.figure_name`: Chinese and ``[A-Za-z0-9_.-]`` kept, other characters
    ``-``); a path separator, ``..`` or nothing is an :class:`InputError` naming ``what``.
    :func:`resolve` calls it on the target and the names it leads to, before any computation."""
    from ..viz.save import figure_name
    try:
        return figure_name(text, what)
    except InputError as exc:
        raise InputError(f"{exc}; the notebooks name their figures and tables after it") from None


def _document_flags(corpus) -> pd.DataFrame:
    """:func:`analysis.corpus.check_documents` of the corpus's raw texts (no rows when it has none)."""
    raw = getattr(corpus, "docs", None)
    if raw is None:
        raw = getattr(corpus, "documents", corpus)
    if not isinstance(raw, pd.DataFrame) or "text" not in raw.columns:
        return pd.DataFrame(columns=CHECK_COLUMNS)
    return check_documents(raw)


def resolve(corpus, *, target: Any = "speech2025", reference_collection: Any = None, reference_years: Any = None,
            mode: str = "keyness", window: int = 10) -> StudyParams:
    """Resolve and validate a notebook's parameters against ``corpus`` (a :class:`SegmentedCorpus`
    or anything with a ``documents`` table of ``doc_id, collection, year``).

    ``mode="keyness"``: default reference years are the ``window`` years before the target's
    year; ``mode="trend"``: every earlier year.  Raises :class:`InputError` with the valid ids
    for an unknown target or collection, and when the reference ends up empty.
    """
    if mode not in ("keyness", "trend"):
        raise InputError(f"mode {mode!r}: use 'keyness' or 'trend'")
    documents = _metadata(corpus)
    target = parse_name(target, "TARGET")
    if target is None:
        raise InputError("TARGET is required: " + valid_ids_message(documents))
    ids = documents["doc_id"].astype(str)
    if target not in set(ids):
        raise InputError(f"unknown TARGET {target!r}; " + valid_ids_message(documents))
    output_name(target, "TARGET")
    row = documents[ids == target].iloc[0]
    t_collection = str(row["collection"])
    t_year = None if pd.isna(row["year"]) else int(row["year"])
    years = documents["year"]

    collection = parse_name(reference_collection, "REFERENCE_COLLECTION")
    collections = list(dict.fromkeys(documents["collection"].astype(str)))
    if collection is None:
        own = (documents["collection"] == t_collection) & (ids != target)
        if t_year is not None:
            own &= years.lt(t_year).fillna(False)
        collection = t_collection if own.any() or DEFAULT_COLLECTION not in collections else DEFAULT_COLLECTION
    if collection not in collections:
        raise InputError(f"unknown REFERENCE_COLLECTION {collection!r}; collections: {', '.join(collections)}")

    span = parse_years(reference_years)
    in_collection = (documents["collection"] == collection).to_numpy()
    if span is None:
        coll_years = years[in_collection].dropna()
        if t_year is None:
            span = (int(coll_years.min()), int(coll_years.max()))
        else:
            earliest = int(coll_years.min()) if len(coll_years) else t_year - 1
            span = (max(earliest, t_year - window) if mode == "keyness" else earliest, t_year - 1)
            if span[0] > span[1]:
                raise InputError(f"{target} ({t_year}) has no earlier {collection} document; "
                                 f"give REFERENCE_COLLECTION or REFERENCE_YEARS")
    in_span = years.between(*span).fillna(False).to_numpy(dtype=bool)
    candidates = in_collection & in_span
    is_target = (ids == target).to_numpy()
    later_own = (documents["collection"] == t_collection).to_numpy() & (
        years.gt(t_year).fillna(False).to_numpy(dtype=bool) if t_year is not None else np.zeros(len(documents), bool))
    dropped = candidates & (is_target | later_own)
    flags = _document_flags(corpus)
    stub = ids.isin(flags.loc[flags["flag"] == "stub", "doc_id"]).to_numpy()
    stubs = candidates & ~dropped & stub
    reference = candidates & ~dropped & ~stub
    if stubs.any():
        warnings.warn(f"left out of the reference of {target} as stubs (analysis corpus check): "
                      f"{', '.join(ids[stubs])}", CorpusWarning, stacklevel=2)
    if 0 < reference.sum() < MIN_REFERENCE_DOCS:
        warnings.warn(f"the reference of {target} has {int(reference.sum())} document(s) "
                      f"({', '.join(ids[reference])}), fewer than {MIN_REFERENCE_DOCS}: key terms say how the target "
                      f"differs from these texts, not from their collection", CorpusWarning, stacklevel=2)
    order = np.argsort(years.to_numpy(dtype=float, na_value=np.inf), kind="stable")
    if not reference.any():
        raise InputError(f"no reference documents for {target}: collection {collection!r}, years {span[0]}–{span[1]}"
                         + (f" (left out: {', '.join(ids[dropped])})" if dropped.any() else "")
                         + f"; collections: {', '.join(collections)}")
    ref_years = years[reference]
    n = int(reference.sum())
    plural = collection_name(collection, plural=n != 1)
    # Name by the years the reference documents actually have (not the requested span).
    shown = (int(ref_years.min()), int(ref_years.max())) if ref_years.notna().any() else span
    span_text = f"{shown[0]}" if shown[0] == shown[1] else f"{shown[0]}–{shown[1]}"
    abbreviation = collection.upper() if collection in COLLECTION_NAMES else collection
    name = document_name(row)
    slug = f"{collection}{shown[0]}-{shown[1]}" if shown[0] != shown[1] else f"{collection}{shown[0]}"
    output_name(f"{target}_vs_{slug}", "the figure names of TARGET and REFERENCE_COLLECTION")
    return StudyParams(
        target=target, target_collection=t_collection, target_year=t_year,
        reference_collection=collection, reference_years=shown,
        target_mask=is_target, reference_mask=reference,
        reference_ids=tuple(ids.iloc[order][reference[order]]), excluded=tuple(ids.iloc[order][dropped[order]]),
        name=name, label=f"{name} ({target})", short_label=target,
        reference_label=f"{plural} {span_text} ({n} document{'s' if n != 1 else ''})",
        reference_short=f"{abbreviation} {span_text}",
        slug=slug,
        is_speech=t_collection == "speech",
        target_note=describe_flags(flags, target) if target in set(flags["doc_id"]) else "",
        stubs=tuple(ids.iloc[order][stubs[order]]),
    )
