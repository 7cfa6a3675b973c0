"""Selecting documents: the target and reference masks over a documents table, one code for every user.

:func:`select_documents` picks by collection, years and doc_ids; :func:`document_mask` reads a
doc_id, a list of doc_ids, a boolean mask or a callable as a mask; :func:`select_pair` checks a
target and a reference together.  Keyness, trends, dictionary categories, the store and
:meth:`analysis.tokens.SegmentedCorpus.select` all select through these functions.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._util import check
from ..errors import InputError


def select_documents(documents: pd.DataFrame, *, collection: str | None = None,
                     years: tuple[int, int] | str | int | None = None, doc_ids=None, exclude=None) -> np.ndarray:
    """A boolean mask over a documents table (columns ``doc_id``, ``collection``, ``year``): the
    documents of ``collection``, in ``years`` (inclusive: a (first, last) tuple, one year or a
    string such as ``"2015-2024"``, read by :func:`analysis._util.check.years`), among ``doc_ids``,
    not in ``exclude``."""
    years = check.years(years, "years", "select")
    if collection is not None and not isinstance(collection, str):
        raise check.fail("select", "collection", "a collection name (a string) or None", collection)
    d = documents
    mask = np.ones(len(d), bool)
    if collection is not None:
        mask &= (d["collection"] == collection).to_numpy()
    if years is not None:
        mask &= d["year"].between(*years).fillna(False).to_numpy(dtype=bool)
    for name, which, keep in (("doc_ids", doc_ids, True), ("exclude", exclude, False)):
        if which is not None:
            kind, value = check.selector(which, len(d), name, "select")
            chosen = value if kind == "mask" else d["doc_id"].astype(str).isin(value).to_numpy()
            mask &= chosen if keep else ~chosen
    if not mask.any():
        raise InputError(f"no documents with collection={collection!r}, years={years}, doc_ids={doc_ids!r}")
    return mask


def document_mask(docs: pd.DataFrame, which, role: str, func: str = "keyness") -> np.ndarray:
    """A boolean mask from a doc_id, a list of doc_ids, a boolean mask or a callable on the table
    (checked by :func:`analysis._util.check.selector`: None, a number or an integer 0/1 array is an
    :class:`InputError`).  A missing value in a boolean mask (a document without a year, for
    ``lambda d: d.year.between(…)``) counts as not selected."""
    ids = docs["doc_id"].astype(str)
    if callable(which):
        which = which(docs)
    kind, value = check.selector(which, len(docs), role, func)
    if kind == "mask":
        return value
    unknown = sorted(set(value) - set(ids))
    if unknown:
        raise InputError(f"{role} names unknown document(s): {unknown}")
    return ids.isin(value).to_numpy()


def select_pair(table: pd.DataFrame, target, reference=None, func: str = "keyness") -> tuple[np.ndarray, np.ndarray]:
    """The target's and the reference's masks over ``table`` (documents, or units such as
    paragraphs: several rows may share a doc_id), checked: the target selects something and not
    everything, the reference (default: every other row) selects something and no target row."""
    is_target = document_mask(table, target, "target", func)
    if not is_target.any():
        raise InputError("target selects no documents")
    if is_target.all():
        raise InputError("target cannot be all the documents")
    is_reference = ~is_target if reference is None else document_mask(table, reference, "reference", func)
    if (is_reference & is_target).any():
        overlap = list(dict.fromkeys(table.loc[is_reference & is_target, "doc_id"]))
        raise InputError(f"the reference contains target document(s) {overlap}; they must be disjoint")
    if not is_reference.any():
        raise InputError("reference selects no documents")
    return is_target, is_reference
