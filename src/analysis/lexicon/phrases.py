"""Phrase statistics: propose multiword units from any corpus, for a researcher to review.

Candidates are runs of 2-``max_n`` adjacent tokens scored by how tightly they hold
together and how freely they combine outside:

* PMI, for n-grams the minimum over binary splits (the weakest joint):
  ``min_k log2 p(w1..wn) / (p(w1..wk) p(wk+1..wn))``, each ``p`` the n-gram's count over
  the number of n-grams of its order (Church & Hanks 1990; the minimum over splits as in
  Pecina 2010's "min PMI" for n > 2), and normalised, ``npmi = pmi / -log2 p(w1..wn)``
  (Bouma 2009), which does not grow with the corpus;
* left and right branching entropy: the entropy of the tokens seen just before and just
  after the candidate (Harris 1955's successor variety, in its entropy form as used for
  Chinese word discovery by Jin & Tanaka-Ishii 2006): a fixed phrase is preceded and
  followed by many different tokens, a fragment of a longer phrase by few;
* the same entropies over *characters* (the last character of the token before, the first
  of the token after), which cannot be inflated by the segmenter splitting one continuation
  into several tokens;
* ``bound``: the candidate's count over the count of its rarest token, i.e. the share of
  that token's occurrences spent inside the candidate (降费 hardly occurs outside 减税降费);
* the share of the most frequent neighbouring token on each side (a fragment of a longer
  unit has one neighbour that nearly always follows or precedes it);
* ``score = pmi * min(left_entropy, right_entropy)``.

Tokens that break candidates: anything without an ideograph or a Latin letter
(punctuation, whitespace, the paragraph boundary) and numbers written in digits
(``2025``, ``5.2%``).  Chinese numerals are words here (``十三五``, ``两学一做``).  The
:data:`JOINERS` (``+``) may sit inside or at the end of a candidate but not start one, so
that ``互联网+`` and ``互联网+政务服务`` are candidates.

Everything is counted with numpy over integer token ids (one pass per order), so a
corpus of a million tokens takes about a second.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from .terms import Lexicon

JOINERS = frozenset({"+", "＋"})
BOUNDARY = "\n"  # put between documents and paragraphs: no candidate crosses it
_WORDLIKE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaffA-Za-z]")
_DIGITS = re.compile(r"[0-9]")

STAT_COLUMNS = ["phrase", "tokens", "n", "count", "n_docs", "pmi", "npmi", "bound", "left_entropy", "right_entropy",
                "left_char_entropy", "right_char_entropy", "left_top", "left_top_share",
                "right_top", "right_top_share"]


def is_word(token: str) -> bool:
    """Whether a token can be part of a candidate: it has an ideograph or a Latin letter and no digit."""
    return bool(_WORDLIKE.search(token)) and not _DIGITS.search(token)


@dataclass
class NgramStats:
    """The statistics of every candidate n-gram, and the token stream they were counted in.

    ``table`` has one row per n-gram (n = 2..max_n) seen at least ``min_count`` times, with
    the columns of :data:`STAT_COLUMNS` and ``first`` (the index in ``tokens`` of its first
    occurrence); ``tokens`` is the flat stream (documents and paragraphs separated by
    :data:`BOUNDARY`), ``doc`` the document index of each position.
    """

    table: pd.DataFrame
    tokens: list[str]
    doc: np.ndarray

    def example(self, first: int, n: int, width: int = 12) -> str:
        """The occurrence at ``first`` with up to ``width`` characters of context each side, within its paragraph."""
        left, right = [], []
        i = first - 1
        while i >= 0 and self.tokens[i] != BOUNDARY and sum(map(len, left)) < width:
            left.insert(0, self.tokens[i])
            i -= 1
        j = first + n
        while j < len(self.tokens) and self.tokens[j] != BOUNDARY and sum(map(len, right)) < width:
            right.append(self.tokens[j])
            j += 1
        return "".join(left)[-width:] + "【" + "".join(self.tokens[first:first + n]) + "】" + "".join(right)[:width]


def flatten(token_docs: Iterable[Sequence[str] | Sequence[Sequence[str]]]) -> tuple[list[str], np.ndarray]:
    """One token stream for many documents, :data:`BOUNDARY` before, between and after them.

    A document is a sequence of tokens, or a sequence of paragraphs each a sequence of tokens
    (a boundary is put between paragraphs).  Returns the stream and the document index of
    each position (boundaries belong to the document they open or close).
    """
    flat: list[str] = [BOUNDARY]
    lengths = []
    for doc in token_docs:
        start = len(flat)
        doc = list(doc)
        if doc and not isinstance(doc[0], str):
            for para in doc:
                flat.extend(para)
                flat.append(BOUNDARY)
        else:
            flat.extend(doc)
            flat.append(BOUNDARY)
        lengths.append(len(flat) - start)
    doc_index = np.repeat(np.arange(len(lengths) + 1), [1] + lengths) - 1
    doc_index[0] = 0
    return flat, doc_index


def _context(groups: np.ndarray, ctx: np.ndarray, n_groups: int, base: int):
    """Per group: entropy (bits) of its context values, the most frequent value and its share."""
    key = groups.astype(np.int64) * base + ctx
    uniq, counts = np.unique(key, return_counts=True)
    grp, val = uniq // base, uniq % base
    total = np.bincount(grp, weights=counts, minlength=n_groups)
    plogp = np.bincount(grp, weights=counts * np.log2(counts), minlength=n_groups)
    with np.errstate(divide="ignore", invalid="ignore"):
        entropy = np.where(total > 0, np.log2(np.maximum(total, 1)) - plogp / np.maximum(total, 1), 0.0)
    order = np.lexsort((-val, counts, grp))  # within a group: by count, ties to the smaller value
    last = order[np.r_[grp[order][1:] != grp[order][:-1], True]]
    top_val = np.full(n_groups, -1, np.int64)
    top_share = np.zeros(n_groups)
    top_val[grp[last]] = val[last]
    top_share[grp[last]] = counts[last] / total[grp[last]]
    return np.abs(entropy), top_val, top_share


def ngram_stats(token_docs: Iterable[Sequence[str]], *, max_n: int = 4, min_count: int = 5,
                joiners: Iterable[str] = JOINERS, free_before: Iterable[str] = (),
                free_after: Iterable[str] = ()) -> NgramStats:
    """Count every n-gram of 2..``max_n`` tokens and score those seen ``min_count`` times or more.

    See the module docstring for the statistics.  ``free_before`` / ``free_after``: words
    that, just before / after a candidate, count as a boundary in the entropies and the
    dominant-neighbour share, because no unit can start / end with them (a term preceded by
    贯彻 in nine cases of ten is not a fragment of 贯彻X).  Deterministic: rows are ordered by
    ``n`` then by first occurrence.
    """
    if max_n < 2:
        raise ValueError("max_n must be at least 2")
    flat, doc = flatten(token_docs)
    codes, vocab = pd.factorize(pd.Series(flat, dtype=object))
    codes = codes.astype(np.int64)
    vocab = list(vocab)
    V, N = len(vocab), len(codes)
    join = frozenset(joiners)
    word_v = np.fromiter((is_word(t) for t in vocab), bool, V)
    inner_v = word_v | np.fromiter((t in join for t in vocab), bool, V)
    word, inner = word_v[codes], inner_v[codes]
    # The neighbour of each position on either side, as a token id or a character; a neighbour
    # that is not a word (punctuation, a number, the paragraph's edge) is a boundary the unit
    # cannot extend over, so each such occurrence counts as a context of its own.
    unique = np.arange(N, dtype=np.int64)
    first_char = np.fromiter((ord(t[0]) if t else 0 for t in vocab), np.int64, V)[codes]
    last_char = np.fromiter((ord(t[-1]) if t else 0 for t in vocab), np.int64, V)[codes]
    vocab_index = pd.Index(vocab)
    open_before = inner & ~np.isin(codes, vocab_index.get_indexer(list(frozenset(free_before))))
    open_after = inner & ~np.isin(codes, vocab_index.get_indexer(list(frozenset(free_after))))
    left_tok = np.r_[0, np.where(open_before, codes, V + unique)[:-1]]
    right_tok = np.r_[np.where(open_after, codes, V + unique)[1:], 0]
    left_char = np.r_[0, np.where(open_before, last_char, 0x110000 + unique)[:-1]]
    right_char = np.r_[np.where(open_after, first_char, 0x110000 + unique)[1:], 0]

    ids = {1: np.where(inner, codes, -1)}  # per position: id of the n-gram starting there, or -1
    counts = {1: np.bincount(codes[inner], minlength=V)}
    for n in range(2, max_n + 1):
        m = N - n + 1
        if m <= 0:  # fewer tokens than n
            ids[n], counts[n] = np.full(N, -1, np.int64), np.zeros(0, np.int64)
            continue
        prev = ids[n - 1][:m]
        ok = (prev >= 0) & inner[n - 1:]
        key = prev[ok] * V + codes[n - 1:][ok]
        _, inverse = np.unique(key, return_inverse=True)
        ids[n] = np.full(N, -1, np.int64)
        ids[n][np.flatnonzero(ok)] = inverse
        counts[n] = np.bincount(inverse)
    totals = {n: max(int(c.sum()), 1) for n, c in counts.items()}

    parts = []
    for n in range(2, max_n + 1):
        keep = counts[n] >= min_count
        pos = np.flatnonzero(ids[n] >= 0)
        pos = pos[keep[ids[n][pos]] & word[pos]]
        if not len(pos):
            continue
        cand, grp = np.unique(ids[n][pos], return_inverse=True)
        k = len(cand)
        first = np.full(k, N, np.int64)
        np.minimum.at(first, grp, pos)
        count = counts[n][cand]
        pmi = np.full(k, np.inf)
        for split in range(1, n):
            a, b = ids[split][first], ids[n - split][first + split]
            pmi = np.minimum(pmi, np.log2(count / totals[n])
                             - np.log2(counts[split][a] / totals[split])
                             - np.log2(counts[n - split][b] / totals[n - split]))
        rarest = np.min(np.stack([counts[1][codes[first + j]] for j in range(n)]), axis=0)
        hl, ltop, lshare = _context(grp, left_tok[pos], k, V + N)
        hr, rtop, rshare = _context(grp, right_tok[pos + n - 1], k, V + N)
        chl, _, _ = _context(grp, left_char[pos], k, 0x110000 + N)
        chr_, _, _ = _context(grp, right_char[pos + n - 1], k, 0x110000 + N)
        n_docs = np.bincount(np.unique(grp * (doc.max() + 1) + doc[pos]) // (doc.max() + 1), minlength=k)
        tokens = [flat[i:i + n] for i in first.tolist()]
        parts.append(pd.DataFrame({
            "phrase": ["".join(t) for t in tokens], "tokens": [" ".join(t) for t in tokens], "n": n,
            "count": count, "n_docs": n_docs, "pmi": pmi, "npmi": pmi / -np.log2(count / totals[n]), "bound": count / np.maximum(rarest, 1), "left_entropy": hl, "right_entropy": hr,
            "left_char_entropy": chl, "right_char_entropy": chr_,
            "left_top": [vocab[v] if v < V else "" for v in ltop], "left_top_share": lshare,
            "right_top": [vocab[v] if v < V else "" for v in rtop], "right_top_share": rshare, "first": first,
        }).sort_values("first", kind="stable"))
    table = (pd.concat(parts, ignore_index=True) if parts
             else pd.DataFrame(columns=STAT_COLUMNS + ["first"]))
    return NgramStats(table, flat, doc)


def discover_phrases(token_docs: Iterable[Sequence[str]], *, max_n: int = 4, min_count: int = 5,
                     min_chars: int = 3, stopwords: Iterable[str] = (), lexicon: Lexicon | None = None,
                     top: int | None = 100) -> pd.DataFrame:
    """Rank candidate phrases in unfiltered token sequences (e.g. ``Segmenter.cut`` per paragraph).

    Returns ``phrase, tokens, n, count, pmi, left_entropy, right_entropy, score, in_lexicon``,
    best first (ties by count, then phrase).  A stopword at either edge drops a candidate.
    For terms to add to segmentation, with fragments and junk removed, see
    :func:`analysis.learn.learn_terms`.
    """
    stop = frozenset(stopwords)
    table = ngram_stats(token_docs, max_n=max_n, min_count=min_count).table
    lex_terms = lexicon.terms if lexicon is not None else frozenset()
    edges = table["tokens"].str.split(" ")
    keep = ((table["phrase"].str.len() >= min_chars)
            & ~edges.map(lambda t: t[0] in stop or t[-1] in stop).astype(bool))
    table = table[keep].assign(score=lambda t: t["pmi"] * np.minimum(t["left_entropy"], t["right_entropy"]),
                               in_lexicon=lambda t: t["phrase"].isin(lex_terms))
    table = (table.sort_values(["score", "count", "phrase"], ascending=[False, False, True])
             .drop_duplicates("phrase").reset_index(drop=True))
    cols = ["phrase", "tokens", "n", "count", "pmi", "left_entropy", "right_entropy", "score", "in_lexicon"]
    return table[cols].head(top) if top else table[cols]
