"""The token layer: one unfiltered token stream per paragraph, filters applied when counting,
terms counted where they nest inside longer formulations.

Segmentation (:mod:`analysis.segment`) produces, for every paragraph, the **stream**: every token
in order, punctuation and spaces included, so that ``"".join(stream) == paragraph text`` and a
token's character offsets are the running sum of the lengths before it.  Nothing is removed
there.  Choices about what to count are made afterwards, in steps with names (quanteda's
``tokens() → tokens_compound() → tokens_remove() → dfm() → dfm_lookup()``):

:class:`TokenFilter`
    one named, printable filter (stopword list, minimum length, numbers, punctuation).  Every
    table and figure built from filtered tokens records ``filter.name``, so two figures built
    with the same filter report the same totals and each says which filter it used.
:class:`Nesting`
    what lies inside a compound token: 全面依法治国 holds 全面, 依法治国, 依法 and 治国; 生态环境
    holds 生态 and 环境; 习近平新时代中国特色社会主义思想 holds 中国特色社会主义.  A token's parts
    are its most probable reading by jieba's base dictionary *without the token itself as a word*
    (jieba's DAG and frequencies, the whole-span edge removed), and so on inside each part of three
    characters or more: 公共法律服务体系 → 公共|法律|服务体系 → 服务|体系.  A term counts inside
    a token only where it starts and ends on one of those inner boundaries, so 法治 is *not*
    inside 依法治国 (依法|治国: no boundary between 依 and 法).
:func:`count_terms`
    how often each term occurs in a text as a token, a run of tokens, or nested inside a longer
    token — and never across a word boundary.  ``analysis count FILE TERM …`` prints it.
    A term is normalised like the text (:func:`normalise_term`): ``新质 生产力`` (or with a
    full-width space) is the run 新质生产力, ``中国,`` is 中国，, as in the normalised text.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from itertools import accumulate, chain, compress
from math import log
from typing import Callable, Iterable, Sequence

import pandas as pd

from .._util import check
from ..errors import InputError
from ..lexicon.terms import stopword_list
from ..text.numerals import NUMERAL_CHARS

NUMBER = re.compile(rf"^(?:[\d.,%％．·:/+\-~～]+|[{NUMERAL_CHARS}]+)$")
STOPWORD_LISTS = ("none", "standard", "genre")
_MEMOS: dict[tuple, dict[str, bool]] = {}


@dataclass(frozen=True)
class TokenFilter:
    """Which tokens count.  Applied to a stream in this order:

    1. whitespace is dropped;
    2. a ``protected`` term (the lexicon's and learned terms) is always kept;
    3. punctuation and symbols (no letter, digit or ideograph) are dropped unless ``punct``;
    4. numbers (``2025``, ``5.2%``, ``十四``) are dropped unless ``numbers``;
    5. tokens shorter than ``min_chars`` characters are dropped (default 2: single characters);
    6. stopwords are dropped: ``"none"``, ``"standard"`` (stopwords-iso, 794 words), ``"genre"``
       (standard plus the genre list of official speeches), or your own words.

    >>> f = TokenFilter("standard")
    >>> f.apply(["我们", "要", "坚持", "，", "两个确立"])
    ['坚持', '两个确立']
    >>> f.name
    'stopwords=standard, min_chars=2, numbers=no, punct=no'
    """

    stopwords: str | frozenset = "standard"
    min_chars: int = 2
    numbers: bool = False
    punct: bool = False
    protected: frozenset = field(default=frozenset(), repr=False)
    _memo: dict = field(default_factory=dict, init=False, repr=False, compare=False, hash=False)

    def __post_init__(self):
        if isinstance(self.stopwords, str):
            if self.stopwords not in STOPWORD_LISTS:
                raise InputError(f"unknown stopword list {self.stopwords!r}: use one of {STOPWORD_LISTS} or a list of words")
        elif self.stopwords is None:
            object.__setattr__(self, "stopwords", "none")
        else:
            object.__setattr__(self, "stopwords", frozenset(self.stopwords))
        if not isinstance(self.min_chars, int) or isinstance(self.min_chars, bool) or self.min_chars < 1:
            raise InputError(f"min_chars must be a positive integer, not {self.min_chars!r}")
        object.__setattr__(self, "protected", frozenset(self.protected))
        # equal filters share one memo of verdicts (a filter is immutable, so its verdicts are too)
        object.__setattr__(self, "_memo", _MEMOS.setdefault(
            (self.stopwords, self.min_chars, self.numbers, self.punct, self.protected), {}))

    @cached_property
    def words(self) -> frozenset[str]:
        """The stopwords themselves."""
        return stopword_list(self.stopwords)

    @property
    def name(self) -> str:
        """A short, printable description for captions and table attributes."""
        stop = self.stopwords if isinstance(self.stopwords, str) else f"custom ({len(self.stopwords)} words)"
        return (f"stopwords={stop}, min_chars={self.min_chars}, numbers={'yes' if self.numbers else 'no'}, "
                f"punct={'yes' if self.punct else 'no'}")

    def __str__(self) -> str:
        return f"filter: {self.name}"

    @cached_property
    def fingerprint(self) -> str:
        """sha256 of everything that changes the result (for caches of counts)."""
        spec = {"stopwords": sorted(self.words), "min_chars": self.min_chars, "numbers": self.numbers,
                "punct": self.punct, "protected": sorted(self.protected)}
        return hashlib.sha256(json.dumps(spec, ensure_ascii=False).encode("utf-8")).hexdigest()

    def protect(self, terms: Iterable[str]) -> "TokenFilter":
        """The same filter, also keeping ``terms`` whatever the other rules say."""
        return replace(self, protected=self.protected | frozenset(terms))

    def keep(self, token: str) -> bool:
        """Whether ``token`` counts (memoised per token type)."""
        verdict = self._memo.get(token)
        if verdict is None:
            verdict = self._memo[token] = self._decide(token)
        return verdict

    def _decide(self, token: str) -> bool:
        if not token.strip():
            return False
        if token in self.protected:
            return True
        if not any(ch.isalnum() for ch in token):
            return self.punct
        if NUMBER.match(token):
            return self.numbers
        if len(token) < self.min_chars:
            return False
        return token not in self.words

    def apply(self, tokens: Sequence[str]) -> list[str]:
        """The tokens of a stream that count, in order."""
        try:  # C-speed path once every token type has been seen
            return list(compress(tokens, map(self._memo.__getitem__, tokens)))
        except KeyError:
            return [t for t in tokens if self.keep(t)]

    def mask(self, types: Sequence[str]):
        """A boolean numpy array: which of ``types`` (e.g. a document's vocabulary) count."""
        import numpy as np
        try:  # one hash lookup per type once every type has been seen
            return np.fromiter(map(self._memo.__getitem__, types), dtype=bool, count=len(types))
        except KeyError:
            return np.fromiter(map(self.keep, types), dtype=bool, count=len(types))

    def apply_all(self, streams: Iterable[Sequence[str]]) -> list[list[str]]:
        """:meth:`apply` over many streams, deciding each token type once."""
        streams = list(streams)
        memo = self._memo
        for tok in set(chain.from_iterable(streams)).difference(memo):
            memo[tok] = self._decide(tok)
        get = memo.__getitem__
        return [list(compress(s, map(get, s))) for s in streams]


@lru_cache(maxsize=1)
def base_dictionary() -> tuple[dict[str, int], float]:
    """jieba's base dictionary (its ``dict.txt``, the one both backends segment with) as
    ``{word: frequency}``, and the log of the total frequency.  Read from the text file itself,
    not from jieba's cache file in the temporary folder."""
    import jieba
    with jieba.Tokenizer().get_dict_file() as f:
        lines = f.read().decode("utf-8").splitlines()
    freq, total = {}, 0
    for line in lines:
        word, count = line.split(" ", 2)[:2]
        freq[word] = int(count)
        total += int(count)  # as jieba totals it (a repeated word counts each time)
    return freq, log(total)


def best_split(text: str, freq: dict[str, int], log_total: float) -> list[str]:
    """``text`` split on jieba's most probable path through its DAG of dictionary words (jieba's
    ``Tokenizer.get_DAG`` and ``calc``: the same edges, scores and ties), with the edge that spans
    the whole of ``text`` removed: how ``text`` reads when it is not itself one word."""
    n = len(text)
    route = [(0.0, n)] * (n + 1)
    for i in range(n - 1, -1, -1):
        ends = [j for j in range(i + 1, n + 1) if (i, j) != (0, n) and freq.get(text[i:j])] or [i + 1]
        route[i] = max((log(freq.get(text[i:j]) or 1) - log_total + route[j][0], j) for j in ends)
    pieces, i = [], 0
    while i < n:
        pieces.append(text[i:route[i][1]])
        i = route[i][1]
    return pieces


class Nesting:
    """What lies inside compound tokens, and which known terms nest there.

    The inner boundaries of a token are the union of the boundaries of its recursive
    decomposition (:func:`best_split` of the token, then of each part of three characters or
    more) and those of ``base_cut``, which splits a token with the base dictionary alone (the
    segmenter's :meth:`~analysis.segment.Segmenter.base_cut`: how a lexicon term falls apart).
    No boundary falls between two single characters of a decomposition (a run jieba would hand
    to its HMM, not a word boundary), and a two-character part is not split (一|课).  ``terms``
    are the known multi-token terms (lexicon and learned) that may nest inside longer ones.
    Results are memoised per token type.
    """

    def __init__(self, base_cut: Callable[[str], list[str]], terms: Iterable[str] = ()):
        self.base_cut = base_cut
        self.terms = frozenset(terms)
        self._bounds: dict[str, tuple[int, ...]] = {}
        self._units: dict[str, tuple[str, ...]] = {}

    def inner_bounds(self, token: str) -> tuple[int, ...]:
        """Offsets strictly inside ``token`` where a word boundary falls (see the class)."""
        bounds = self._bounds.get(token)
        if bounds is None:
            if len(token) < 3:
                bounds = ()  # a two-character word has no inside worth counting (一|课)
            else:
                pieces = self.base_cut(token)
                found = set(accumulate(len(p) for p in pieces[:-1]))
                found.update(self._decomposition(token, 0, *base_dictionary()))
                bounds = tuple(sorted(found))
            self._bounds[token] = bounds
        return bounds

    def _decomposition(self, text: str, offset: int, freq: dict[str, int], log_total: float) -> Iterable[int]:
        """The inner boundaries of ``text`` (at ``offset`` in its token) by recursive :func:`best_split`."""
        parts = best_split(text, freq, log_total)
        pos = offset
        for i, part in enumerate(parts):
            if len(part) >= 3:
                yield from self._decomposition(part, pos, freq, log_total)
            pos += len(part)
            if i < len(parts) - 1 and (len(part) > 1 or len(parts[i + 1]) > 1):
                yield pos

    def units(self, token: str) -> tuple[str, ...]:
        """The units nested inside ``token``: each piece between its inner boundaries, and every
        known term that starts and ends on inner boundaries, in order of position (the token
        itself excluded)."""
        units = self._units.get(token)
        if units is None:
            bounds = self.inner_bounds(token)
            if not bounds:
                units = ()
            else:
                edges = (0, *bounds, len(token))
                found = []
                for i, start in enumerate(edges[:-1]):
                    found.append(token[start:edges[i + 1]])
                    for end in edges[i + 2:]:
                        if (start, end) != (0, len(token)) and token[start:end] in self.terms:
                            found.append(token[start:end])
                units = tuple(found)
            self._units[token] = units
        return units

    def expand(self, tokens: Iterable[str], keep: Callable[[str], bool] | None = None) -> list[str]:
        """Each token followed by the units nested inside it (those ``keep`` accepts): the
        input of a nested count, where 发展 inside 高质量发展 counts as 发展 too."""
        out = []
        for tok in tokens:
            out.append(tok)
            for unit in self.units(tok):
                if keep is None or keep(unit):
                    out.append(unit)
        return out


def boundaries(stream: Sequence[str], nesting: Nesting | None = None) -> set[int]:
    """Every character offset of a paragraph where a word boundary falls: between tokens of the
    stream, and (with ``nesting``) on the inner boundaries of compound tokens."""
    bounds = {0}
    pos = 0
    for tok in stream:
        if nesting is not None:
            bounds.update(pos + b for b in nesting.inner_bounds(tok))
        pos += len(tok)
        bounds.add(pos)
    return bounds


def count_in_stream(stream: Sequence[str], terms: Iterable[str], nesting: Nesting | None = None,
                    counts: Counter | None = None) -> Counter:
    """Occurrences of each term in one paragraph's stream that start and end on word boundaries
    (:func:`boundaries`): as a token, as a run of tokens, or nested inside a compound."""
    counts = Counter() if counts is None else counts
    text = "".join(stream)
    bounds = boundaries(stream, nesting)
    for term in terms:
        if term:
            n = sum(1 for _ in term_starts(text, term, bounds))
            if n:
                counts[term] += n
    return counts


def term_starts(text: str, term: str, bounds: set[int]) -> Iterable[int]:
    """Where ``term`` starts in ``text`` (overlaps included) and both starts and ends on one of
    ``bounds`` (:func:`boundaries`)."""
    start = text.find(term)
    while start != -1:
        if start in bounds and start + len(term) in bounds:
            yield start
        start = text.find(term, start + 1)


def normalise_term(term: str) -> str:
    """A term as the text it is counted in is normalised (:func:`analysis.preprocessing.normalise`):
    spaces next to Chinese characters go (``新质 生产力``, ``新质\u3000生产力`` → 新质生产力), ASCII
    punctuation touching Chinese becomes full-width, Traditional characters Simplified; then stripped.
    The one rule for a term counted by :func:`count_terms` and by ``analysis count``."""
    from ..text.normalise import normalise
    if not isinstance(term, str):
        raise check.fail("count_terms", "a term", "a string", term)
    return normalise(term).text.strip()


def counted_terms(terms: Iterable[str], func: str = "count_terms") -> list[str]:
    """The terms as they are counted: each normalised like the text (:func:`normalise_term`), repeats
    dropped, in the order given; no term, or one empty once normalised, is an error."""
    given = [t.strip() for t in check.terms(terms, "terms", func)]
    if not given or not all(given):
        raise InputError("give at least one non-empty term to count")
    normal = [normalise_term(t) for t in given]
    if empty := [t for t, n in zip(given, normal) if not n]:
        raise InputError(f"{func}: term(s) {empty} are empty once normalised like the text")
    return list(dict.fromkeys(normal))


def count_terms(streams: Iterable[Sequence[str]], terms: Iterable[str], nesting: Nesting | None = None) -> pd.DataFrame:
    """How often each term occurs over paragraph streams, nested occurrences included.

    ``streams`` are token streams (one list of tokens per paragraph, as
    :meth:`~analysis.segment.Segmenter.cut` gives), never raw strings; each term is normalised
    like the text (:func:`normalise_term`).  Returns ``term, count`` in the order the terms were
    given, each term as counted (normalised; repeats dropped).
    """
    terms = counted_terms(terms, "count_terms")
    streams = check.token_lists(streams, "streams", "count_terms")
    counts: Counter = Counter()
    for stream in streams:
        count_in_stream(stream, terms, nesting, counts)
    return pd.DataFrame({"term": terms, "count": [counts[t] for t in terms]})


def term_matrix(paragraphs: pd.DataFrame, terms: Sequence[str], nesting: Nesting | None = None, *,
                by: str = "doc_id", stream: str = "stream") -> pd.DataFrame:
    """Nested counts of ``terms`` per document (or per ``by`` group): a table with one row per
    group (in order of first appearance) and one column per term, for
    :func:`analysis.trends.trend_table` and keyness from counts.  Terms are normalised like the text
    (:func:`counted_terms`), so a column is named by the term as counted."""
    terms = counted_terms(terms, "term_matrix")
    rows: dict = {}
    for key, toks in zip(paragraphs[by], paragraphs[stream]):
        count_in_stream(toks, terms, nesting, rows.setdefault(key, Counter()))
    return pd.DataFrame([[rows[k][t] for t in terms] for k in rows], index=pd.Index(list(rows), name=by),
                        columns=terms)
