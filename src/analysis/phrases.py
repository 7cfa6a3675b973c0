"""Phrase discovery: propose lexicon candidates from any corpus, for a researcher to review.

Candidates are runs of 2-``max_n`` adjacent tokens (no punctuation or numbers inside)
scored by how tightly they hold together and how freely they combine outside:

* PMI, for n-grams the minimum over binary splits (the weakest joint):
  ``min_k log2 p(w1..wn) / (p(w1..wk) p(wk+1..wn))``;
* left and right branching entropy: the entropy of the tokens seen just before
  and just after the candidate (a fixed phrase is preceded and followed by many
  different tokens; a fragment of a longer phrase by few);
* ``score = pmi * min(left_entropy, right_entropy)``.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from typing import Iterable, Sequence

import pandas as pd

from .lexicon import Lexicon


def _entropy(counter: Counter) -> float:
    total = sum(counter.values())
    return -sum(c / total * math.log2(c / total) for c in counter.values()) if total else 0.0


def discover_phrases(token_docs: Iterable[Sequence[str]], *, max_n: int = 4, min_count: int = 5,
                     min_chars: int = 3, stopwords: Iterable[str] = (), lexicon: Lexicon | None = None,
                     top: int | None = 100) -> pd.DataFrame:
    """Rank candidate phrases in unfiltered token sequences (e.g. ``Segmenter.cut`` per paragraph).

    Returns ``phrase, tokens, n, count, pmi, left_entropy, right_entropy, score, in_lexicon``,
    best first.  A token without a letter, digit or ideograph breaks candidates, as does
    a stopword at either edge.
    """
    if max_n < 2:
        raise ValueError("max_n must be at least 2")
    stop = frozenset(stopwords)
    grams: dict[int, Counter] = {n: Counter() for n in range(1, max_n + 1)}
    left: dict[tuple, Counter] = defaultdict(Counter)
    right: dict[tuple, Counter] = defaultdict(Counter)
    for doc in token_docs:
        toks = list(doc)
        ok = [any(ch.isalnum() for ch in t) and not t.isdigit() for t in toks]
        for i, tok in enumerate(toks):
            if not ok[i]:
                continue
            grams[1][(tok,)] += 1
            for n in range(2, max_n + 1):
                j = i + n
                if j > len(toks) or not ok[j - 1]:
                    break
                gram = tuple(toks[i:j])
                grams[n][gram] += 1
                left[gram]["<s>" if i == 0 else toks[i - 1]] += 1
                right[gram]["</s>" if j == len(toks) else toks[j]] += 1
    totals = {n: max(sum(c.values()), 1) for n, c in grams.items()}

    def prob(gram: tuple) -> float:
        return grams[len(gram)][gram] / totals[len(gram)]

    rows = []
    lex_terms = lexicon.terms if lexicon is not None else frozenset()
    for n in range(2, max_n + 1):
        for gram, count in grams[n].items():
            phrase = "".join(gram)
            if count < min_count or len(phrase) < min_chars or gram[0] in stop or gram[-1] in stop:
                continue
            pmi = min(math.log2(prob(gram) / (prob(gram[:k]) * prob(gram[k:]))) for k in range(1, n))
            hl, hr = _entropy(left[gram]), _entropy(right[gram])
            rows.append((phrase, " ".join(gram), n, count, pmi, hl, hr, pmi * min(hl, hr), phrase in lex_terms))
    table = pd.DataFrame(rows, columns=["phrase", "tokens", "n", "count", "pmi", "left_entropy",
                                        "right_entropy", "score", "in_lexicon"])
    table = table.sort_values(["score", "count"], ascending=False).drop_duplicates("phrase").reset_index(drop=True)
    return table.head(top) if top else table
