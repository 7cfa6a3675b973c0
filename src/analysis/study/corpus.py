"""The corpus a notebook studies and what the notebooks read off it: the study corpus (plus a
researcher's own documents), the terms learned from it, one document's repeated passages, and
which co-occurrence links sit inside repeated passages.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._util import check
from ..errors import InputError

def load_study_corpus(path: Any = None, **segmenter_options):
    """The study corpus (the speech, the Government Work Reports, the Congress reports), plus a
    researcher's documents at ``path`` when given — a folder of .txt files, a .jsonl or a .csv, read
    by :func:`analysis.corpus.load_corpus` — segmented by :func:`analysis.tokens.pipeline.prepare` (cached).

    The study corpus stays in, so that the reports remain available as a reference for one's own
    documents (``REFERENCE_COLLECTION="gwr"``).  A doc_id used by both is an error naming it.
    """
    import warnings

    from ..corpus import load_corpus, load_default_corpus
    from ..errors import CorpusWarning
    from ..tokens.pipeline import prepare
    if check.none_like(path):
        return prepare(**segmenter_options)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CorpusWarning)  # the NPC resolutions left out of the GWR collection
        study = load_default_corpus()
    mine = load_corpus(str(path).strip())
    clash = sorted(set(study["doc_id"]) & set(mine["doc_id"]))
    if clash:
        raise InputError(f"{path}: doc_id(s) already used by the study corpus: {clash}; rename them")
    return prepare(pd.concat([study, mine], ignore_index=True), **segmenter_options)



def links_in_repeats(edges: pd.DataFrame, text: str, *, min_chars: int = 30) -> pd.DataFrame:
    """``edges`` (a :func:`analysis.stats.collocations.cooccurrence` table) with ``n_repeats``: how many
    verbatim repeated passages of ``text`` (:func:`analysis.stats.repeats.find_repeats`, at least
    ``min_chars`` characters) hold both terms of the link, and ``repeat_chars``: the length of the
    longest such passage (0 when none).  A link found only because a passage is repeated word for
    word is counted twice without two independent uses."""
    from ..stats.repeats import find_repeats
    repeats = find_repeats(text, min_chars=min_chars)
    passages = list(zip(repeats["text"], repeats["length"]))
    n, longest = [], []
    for s, t in zip(edges["source"], edges["target"]):
        hits = [length for passage, length in passages if s in passage and t in passage]
        n.append(len(hits))
        longest.append(max(hits) if hits else 0)
    out = edges.assign(n_repeats=n, repeat_chars=longest)
    out.attrs.update(edges.attrs)
    return out



def repeated_passages(corpus, doc_id: str, min_chars: int = 30) -> pd.DataFrame:
    """Later verbatim copies of passages of ≥ ``min_chars`` characters in one document's normalised
    text (:func:`analysis.stats.repeats.find_repeats`), each located: ``paragraph`` and ``first_paragraph``
    (1-based paragraph numbers of the copy and of the earlier occurrence), ``section`` (the
    copy's section label), then ``length``, ``text`` and the character offsets.  ``attrs``:
    ``n_chars`` (the text's length) and ``share`` (characters in later copies / all characters)."""
    from ..stats.repeats import find_repeats
    from ..text.structure import section_label
    paras = corpus.paragraphs[corpus.paragraphs["doc_id"] == doc_id]
    text = "\n".join(paras["text"])  # as corpus.text_of(doc_id)
    starts = np.cumsum([0] + [len(t) + 1 for t in paras["text"]])[:-1]
    reps = find_repeats(text, min_chars)
    where = [int(np.searchsorted(starts, s, side="right")) for s in reps["start"]]
    sections = paras["section"].fillna("").tolist()
    table = pd.DataFrame({
        "paragraph": where, "first_paragraph": [int(np.searchsorted(starts, s, side="right")) for s in reps["first_start"]],
        "section": [section_label(sections[p - 1]) if sections[p - 1] else "（开场）" for p in where],
        "length": reps["length"].astype(int), "text": reps["text"], "start": reps["start"], "first_start": reps["first_start"],
    })
    table.attrs.update(n_chars=len(text), share=float(table["length"].sum() / len(text)) if text else 0.0, min_chars=min_chars)
    return table


def learned_terms(corpus) -> tuple[pd.DataFrame, "Path"]:
    """The terms :func:`analysis.tokens.pipeline.prepare` learned from ``corpus``'s documents (cached
    TSV, read back; see :func:`analysis.tokens.learn.learned_table`), best score first, with a ``target``
    count column left to the caller, and the TSV's path (set ``keep`` to ``no`` there to veto)."""
    if corpus.learned is not None:  # the table prepare() used
        table, path = corpus.learned
    else:
        from ..tokens.learn import learned_table
        from ..lexicon.terms import Lexicon
        from ..tokens.pipeline import STUDY_LEARN
        table, path = learned_table(list(corpus.docs["text"]), Lexicon.load(), **STUDY_LEARN)
    table = table.sort_values(["score", "term"], ascending=[False, True], kind="stable").reset_index(drop=True)
    return table, path
