"""Where each lexicon term comes from, checked against a corpus.

A lexicon written while reading the document under study makes that document look distinctive by
construction: its own formulations come out whole and pool into families, the reference's do
not.  The shipped lexicon therefore keeps, by default, only terms **attested in a reference
document** (a Government Work Report or a Congress report: a documented public source anyone can
look up); its ``provenance`` column names the earliest such document (``attested: gwr2014``).
Terms found only in the study's target, or in no document of the corpus, are in a separate opt-in
list (:data:`OPT_IN_FILE`, ``provenance`` ``target only: speech2025`` or ``unattested``) that a
study adds knowingly (``Lexicon.load(extra=[OPT_IN_FILE])``) — notebook 03's sensitivity table
shows what it changes.

:func:`attestation` recomputes the column for any lexicon and documents table, so the rule can
be applied to one's own lexicon and corpus::

    table = attestation(Lexicon.load(extra=["my_terms.tsv"]), docs, reference=docs.collection != "mine")
"""

from __future__ import annotations

import pandas as pd

from ..config import DATA_DIR

#: The opt-in list: terms of the political lexicon that no reference document of the study corpus attests.
OPT_IN_FILE = DATA_DIR / "lexicon" / "political_opt_in.tsv"

ATTESTED, TARGET_ONLY, UNATTESTED = "attested", "target only", "unattested"

#: Quotation marks are typography, not wording: “三个代表”重要思想 attests 三个代表重要思想.
QUOTES = str.maketrans("", "", "“”‘’「」『』\"'")


def attestation(lexicon, docs: pd.DataFrame, reference=None) -> pd.DataFrame:
    """For every term of ``lexicon``: in how many ``reference`` documents its string occurs (in the
    normalised text without quotation marks, as a substring: 法治 inside 法治政府 counts, since
    attestation asks whether a source writes the string at all), the earliest of them (by year, then doc_id) and the number of
    the other documents of ``docs`` holding it; ``provenance`` is ``attested: <doc_id>``,
    ``target only: <doc_ids>`` or ``unattested``.

    ``reference`` is a boolean mask over ``docs`` (default: the Government Work Reports and the
    Congress reports, ``collection`` in {gwr, cpc}); the other documents are the targets."""
    from .._util import check
    from ..text.normalise import normalise
    needed = ["doc_id", "text", "year"] + (["collection"] if reference is None else [])
    if not isinstance(docs, pd.DataFrame) or not set(needed) <= set(docs.columns):
        raise check.fail("attestation", "docs", f"a documents table with columns {', '.join(needed)}", docs,
                         "load it with analysis.corpus.load_corpus(path)")
    docs = docs.reset_index(drop=True)
    is_ref = (docs["collection"].isin(["gwr", "cpc"]) if reference is None else pd.Series(reference)).to_numpy(dtype=bool)
    if len(is_ref) != len(docs):
        raise check.fail("attestation", "reference", f"a boolean mask with one value per document ({len(docs)})",
                         f"{len(is_ref)} values")
    texts = [normalise(t).text.translate(QUOTES) for t in docs["text"]]
    order = sorted(range(len(docs)), key=lambda i: (int(docs.at[i, "year"]) if pd.notna(docs.at[i, "year"]) else 10**6,
                                                    str(docs.at[i, "doc_id"])))
    rows = []
    for term in lexicon.table["term"]:
        bare = term.translate(QUOTES)
        holding = [i for i in order if bare in texts[i]]
        ref = [i for i in holding if is_ref[i]]
        other = [str(docs.at[i, "doc_id"]) for i in holding if not is_ref[i]]
        if ref:
            provenance = f"{ATTESTED}: {docs.at[ref[0], 'doc_id']}"
        elif other:
            provenance = f"{TARGET_ONLY}: {';'.join(other)}"
        else:
            provenance = UNATTESTED
        rows.append({"term": term, "n_reference_docs": len(ref),
                     "first_reference_doc": str(docs.at[ref[0], "doc_id"]) if ref else "",
                     "n_other_docs": len(other), "provenance": provenance})
    return pd.DataFrame(rows, columns=["term", "n_reference_docs", "first_reference_doc", "n_other_docs", "provenance"])
