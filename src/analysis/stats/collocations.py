"""Collocates of a node term, multiword collocations, and co-occurrence networks.

All three read the ordered, *unfiltered* token stream of each paragraph (a
:class:`~analysis.pipeline.SegmentedCorpus`, the segmenter's paragraph table, a table with a
``tokens`` column or plain lists: see :func:`analysis.dictionary.source`) and apply a token filter
(``token_filter``: an :class:`analysis.tokens.TokenFilter`, an object with ``.keep`` or a callable; by default
the corpus' or table's own filter, and for plain lists every non-whitespace token) when counting.
The filter's name is recorded in ``attrs["filter"]``.

Windows and the filter (``padding``)
    With ``padding=True`` (default) the filter removes tokens *with padding*, as quanteda's
    ``tokens_remove(..., padding = TRUE)`` recommended before ``fcm()`` and
    ``textstat_collocations()``: a removed token (punctuation, a stopword) still occupies its
    position, so a window of ±5 is five tokens of the text either side, whatever the filter, and
    a multiword collocation never jumps over a removed token.  Removed tokens are never counted
    as collocates nor in any total.  With ``padding=False`` the filtered tokens are dropped
    first and the window counts kept tokens only (five content words either side).

Paragraphs
    Windows and n-grams do not cross paragraph boundaries (``cross_paragraphs=False``); pass
    ``True`` to treat each document (rows sharing a ``doc_id``) as one stream.

Collocates (:func:`collocates`) follow Evert (2008, "Corpora and collocations", §5 surface
co-occurrence) as qhChina's ``find_collocates`` does: the node's *span* is the union of the
±``window`` positions around its occurrences, the node's own positions excluded, so a token
near two occurrences of the node is counted once and the 2×2 table is a real partition of the
corpus' kept non-node tokens.  Measures: PMI = log2(O/E) (Church & Hanks 1990), logDice =
14 + log2(2·O / (f_node + f_collocate)) (Rychlý 2008), G² of the 2×2 table (Dunning 1993; signed,
negative when O < E) with p from χ²(1).

Multiword collocations (:func:`collocations`) score every run of ``size`` adjacent kept tokens
as quanteda's ``textstat_collocations``: λ, the ``size``-way interaction of the saturated
log-linear model of the 2^size table of matches, smoothed by 0.5, and its Wald z (Blaheta &
Johnson 2001); beside them PMI and the G² of full independence on the same (unsmoothed) table.

Co-occurrence (:func:`cooccurrence`, :func:`cooccurrence_graph`) of a set of terms, by
paragraph or sentence (the number of units that hold both) or by window (pairs of occurrences at most
``window`` positions apart), with PMI and normalised PMI (Bouma 2009).
"""

from __future__ import annotations

from collections import Counter
from itertools import combinations, product
from typing import Iterable, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from .._util import check
from .._util.moved import renamed
from .dictionary import source
from ..errors import InputError
from .keyness import g2_statistic


# ------------------------------------------------------------------ streams

SENTENCE_END = frozenset("。！？!?")


def split_sentences(tokens: Sequence[str]) -> list[list[str]]:
    """A paragraph's tokens cut after each sentence-final token (。！？, and runs such as ？！)."""
    out, current = [], []
    for t in tokens:
        current.append(t)
        if t and set(t) <= SENTENCE_END:
            out.append(current)
            current = []
    if current:
        out.append(current)
    return out


def _streams(units: pd.DataFrame, kept, *, padding: bool, cross_paragraphs: bool,
             sentences: bool = False) -> list[list[str | None]]:
    """Token streams with removed tokens as ``None`` (padding) or dropped (no padding)."""
    if cross_paragraphs:
        raw = [[t for toks in part for t in toks] for _, part in units.groupby("doc_id", sort=False)["tokens"]]
    else:
        raw = list(units["tokens"])
    if sentences:
        raw = [s for toks in raw for s in split_sentences(toks)]
    if padding:
        return [[t if kept(t) else None for t in toks] for toks in raw]
    return [[t for t in toks if kept(t)] for toks in raw]


def _as_node(node: str | Iterable[str]) -> frozenset[str]:
    nodes = frozenset([node] if isinstance(node, str) else node)
    if not nodes or not all(isinstance(n, str) and n for n in nodes):
        raise InputError(f"node must be a term or a list of terms, not {node!r}")
    return nodes


# ------------------------------------------------------------------ collocates of a node

@renamed(keep="token_filter")
def collocates(token_docs, node: str | Iterable[str], *, window: int = 5, token_filter=None, min_count: int = 2,
               padding: bool = True, cross_paragraphs: bool = False, sort_by: str = "g2") -> pd.DataFrame:
    """Collocates of ``node`` (a term, or several forms counted as one node) within ±``window`` tokens.

    Columns — the 2×2 table first, then the measures:

    ``collocate``; ``n_with_node`` (O: occurrences of the collocate inside the node's span);
    ``n_collocate`` (its kept occurrences in all); ``n_node`` (occurrences of the node);
    ``n_span`` (kept tokens inside the node's span); ``n_total`` (kept tokens other than the node);
    ``expected`` (E = n_span · n_collocate / n_total); ``pmi``; ``log_dice``; ``g2``; ``p``; ``rank``.

    The node is matched as a whole token, whether or not the filter keeps it.  Collocates with
    ``n_with_node < min_count`` are left out; the rest are ranked by ``sort_by`` (descending).
    """
    check.integer(window, "window", "collocates", minimum=1)
    check.integer(min_count, "min_count", "collocates", minimum=1)
    nodes = _as_node(node)
    src = source(token_docs, token_filter)
    filt = src.kept
    kept = lambda t: t in nodes or filt(t)  # noqa: E731 - the node is found whatever the filter
    near, everywhere = Counter(), Counter()
    n_node = n_span = 0
    for toks in _streams(src.units, kept, padding=padding, cross_paragraphs=cross_paragraphs):
        at = [i for i, t in enumerate(toks) if t in nodes]
        n_node += len(at)
        everywhere.update(t for t in toks if t is not None and t not in nodes)
        if not at:
            continue
        span: set[int] = set()
        for i in at:
            span.update(range(max(0, i - window), min(len(toks), i + window + 1)))
        span.difference_update(at)
        inside = [toks[j] for j in span if toks[j] is not None and toks[j] not in nodes]
        n_span += len(inside)
        near.update(inside)
    if n_node == 0:
        raise InputError(f"the node {sorted(nodes)} does not occur as a token in these documents")
    n_total = sum(everywhere.values())
    rows = [(t, o, everywhere[t]) for t, o in near.items() if o >= min_count]
    table = pd.DataFrame(rows, columns=["collocate", "n_with_node", "n_collocate"])
    table.insert(3, "n_node", n_node)
    table.insert(4, "n_span", n_span)
    table.insert(5, "n_total", n_total)
    o, f = table["n_with_node"].to_numpy(float), table["n_collocate"].to_numpy(float)
    expected = n_span * f / n_total if n_total else np.full(len(o), np.nan)
    g2 = g2_statistic(o, f - o, n_span, n_total - n_span)  # rows: collocate / other; columns: span / rest
    table["expected"] = expected
    table["pmi"] = np.log2(o / expected)
    table["log_dice"] = 14 + np.log2(2 * o / (n_node + f))
    table["g2"] = np.where(o >= expected, 1.0, -1.0) * g2
    table["p"] = stats.chi2.sf(g2, df=1)
    if sort_by not in table.columns:
        raise InputError(f"cannot sort by {sort_by!r}; choose a column of {list(table.columns)}")
    table = table.sort_values([sort_by, "collocate"], ascending=[False, True], kind="stable").reset_index(drop=True)
    table["rank"] = np.arange(1, len(table) + 1)
    table.attrs.update(node=sorted(nodes), window=window, padding=padding, cross_paragraphs=cross_paragraphs,
                       filter=src.filter, min_count=min_count)
    return table


# ------------------------------------------------------------------ multiword collocations

@renamed(keep="token_filter")
def collocations(token_docs, *, size: int = 2, min_count: int = 2, token_filter=None, smoothing: float = 0.5,
                 cross_paragraphs: bool = False) -> pd.DataFrame:
    """Runs of ``size`` adjacent kept tokens scored as quanteda's ``textstat_collocations``.

    Eligible ``size``-grams are ``size`` adjacent tokens of one paragraph that the filter keeps
    (a removed token is padding: no n-gram spans it).  For a candidate x and each of the
    2^size match patterns c (position k matches x's k-th word or not), n_c counts the eligible
    n-grams with that pattern.  Then (Blaheta & Johnson 2001; quanteda):

    ``lambda`` = Σ_c (−1)^(size − |c|) · log(n_c + smoothing)    (the size-way interaction)
    ``z``      = lambda / sqrt(Σ_c 1 / (n_c + smoothing))         (Wald)

    and, unsmoothed, ``pmi`` = log2(n_11…1 · M^(size−1) / Π_k m_k) with m_k the n-grams having
    x's k-th word at position k and M all eligible n-grams, and ``g2`` = 2 Σ_c n_c ln(n_c / E_c)
    under full independence (E_c = M Π_k p_k or 1 − p_k), p from χ² with 2^size − size − 1
    degrees of freedom (for size 2: the G² of the 2×2 table, one degree of freedom).

    Columns: ``collocation`` (tokens joined by a space), ``count``, ``length``, ``lambda``, ``z``,
    ``pmi``, ``g2``, ``p``; sorted by ``z`` descending.
    """
    check.integer(size, "size", "collocations", minimum=2)
    check.integer(min_count, "min_count", "collocations", minimum=1)
    src = source(token_docs, token_filter)
    kept = src.kept
    subsets = [s for r in range(1, size + 1) for s in combinations(range(size), r)]
    partial: dict[tuple[int, ...], Counter] = {s: Counter() for s in subsets}
    m_total = 0
    for toks in _streams(src.units, kept, padding=True, cross_paragraphs=cross_paragraphs):
        for i in range(len(toks) - size + 1):
            gram = toks[i:i + size]
            if None in gram:
                continue
            m_total += 1
            for s in subsets:
                partial[s][tuple(gram[k] for k in s)] += 1
    full = tuple(range(size))
    candidates = [g for g, n in partial[full].items() if n >= min_count]
    columns = ["collocation", "count", "length", "lambda", "z", "pmi", "g2", "p"]
    if not candidates:
        return _with_attrs(pd.DataFrame(columns=columns), size=size, min_count=min_count, filter=src.filter,
                           smoothing=smoothing, cross_paragraphs=cross_paragraphs, n_ngrams=m_total)
    patterns = list(product((0, 1), repeat=size))
    rows = []
    for gram in candidates:
        m = {(): m_total, **{s: partial[s][tuple(gram[k] for k in s)] for s in subsets}}
        n = {c: _pattern_count(c, m, size) for c in patterns}
        sm = {c: n[c] + smoothing for c in patterns}
        lam = sum((-1) ** (size - sum(c)) * np.log(sm[c]) for c in patterns)
        z = lam / np.sqrt(sum(1 / v for v in sm.values()))
        p_k = [m[(k,)] / m_total for k in range(size)]
        pmi = np.log2(n[(1,) * size] / m_total / np.prod(p_k))
        g2 = 2 * sum(n[c] * np.log(n[c] / (m_total * np.prod([p if b else 1 - p for p, b in zip(p_k, c)])))
                     for c in patterns if n[c] > 0)
        rows.append((" ".join(gram), n[(1,) * size], size, lam, z, pmi, g2))
    table = pd.DataFrame(rows, columns=columns[:-1])
    table["p"] = stats.chi2.sf(table["g2"], df=2 ** size - size - 1)
    table = table.sort_values(["z", "collocation"], ascending=[False, True], kind="stable").reset_index(drop=True)
    return _with_attrs(table, size=size, min_count=min_count, filter=src.filter, smoothing=smoothing,
                       cross_paragraphs=cross_paragraphs, n_ngrams=m_total)


def _pattern_count(c: tuple[int, ...], m: dict[tuple[int, ...], int], size: int) -> int:
    """n-grams matching exactly at the positions where c is 1 (inclusion–exclusion over supersets)."""
    ones = [k for k in range(size) if c[k]]
    zeros = [k for k in range(size) if not c[k]]
    total = 0
    for r in range(len(zeros) + 1):
        for extra in combinations(zeros, r):
            total += (-1) ** r * m[tuple(sorted(ones + list(extra)))]
    return total


def _with_attrs(table: pd.DataFrame, **attrs) -> pd.DataFrame:
    table.attrs.update(**attrs)
    return table


# ------------------------------------------------------------------ co-occurrence of chosen terms

UNITS = ("paragraph", "sentence", "window")
EDGE_COLUMNS = ["source", "target", "count", "n_source", "n_target", "n_total", "expected", "pmi", "npmi",
                "freq_source", "freq_target"]


@renamed(keep="token_filter")
def cooccurrence(token_docs, terms: Sequence[str], *, unit: str = "paragraph", window: int = 5, token_filter=None,
                 padding: bool = True) -> pd.DataFrame:
    """How often each pair of ``terms`` co-occurs: an edge table for a network.

    ``unit="paragraph"``: ``count`` is the number of paragraphs holding both terms; ``n_source``,
    ``n_target`` the paragraphs holding each, ``n_total`` all paragraphs.  ``unit="sentence"``: the
    same with sentences (a paragraph's tokens cut after 。！？, :func:`split_sentences`).
    ``unit="window"``: ``count`` is the number of pairs of occurrences at most ``window`` positions
    apart in one paragraph (quanteda's ``fcm(context = "window")``, ``count = "frequency"``);
    ``n_source``, ``n_target`` are the terms' co-occurrence slots (pairs of that term with any kept
    token within the window) and ``n_total`` all such slots, the marginals of the co-occurrence matrix.

    In both, ``expected`` = n_source · n_target / n_total, ``pmi`` = log2(count / expected), ``npmi``
    = pmi / −log2(count / n_total) (Bouma 2009; 1 when the pair fills every unit).  ``freq_source``
    and ``freq_target`` are the terms' occurrences.  Terms are matched as whole tokens, whatever
    the filter; the filter decides which other tokens count in the window marginals.  Only pairs
    that co-occur at least once are listed, ``source`` before ``target`` in the order of ``terms``.
    ``attrs["term_counts"]`` holds every term's frequency (for isolated nodes).
    """
    if unit not in UNITS:
        raise InputError(f"unknown unit {unit!r}; choose one of {UNITS}")
    check.integer(window, "window", "cooccurrence", minimum=1)
    terms = list(dict.fromkeys(check.terms(terms, "terms", "cooccurrence")))
    if len(terms) < 2:
        raise InputError("co-occurrence needs at least two terms")
    order = {t: i for i, t in enumerate(terms)}
    src = source(token_docs, token_filter)
    kept = src.kept
    streams = _streams(src.units, lambda t: kept(t) or t in order, padding=padding, cross_paragraphs=False,
                       sentences=unit == "sentence")
    freq = Counter(t for toks in streams for t in toks if t in order)
    missing = [t for t in terms if not freq[t]]
    if len(missing) == len(terms):
        raise InputError(f"none of the terms occurs as a token: {terms}")
    pairs: Counter = Counter()
    margin: Counter = Counter()
    n_total = 0
    for toks in streams:
        if unit != "window":
            n_total += 1
            present = sorted({t for t in toks if t in order}, key=order.__getitem__)
            margin.update(present)
            pairs.update(combinations(present, 2))
            continue
        for i, t in enumerate(toks):
            if t is None:
                continue
            lo, hi = max(0, i - window), min(len(toks), i + window + 1)
            slots = sum(1 for j in range(lo, hi) if j != i and toks[j] is not None)
            n_total += slots
            if t in order:
                margin[t] += slots
                for j in range(i + 1, hi):
                    u = toks[j]
                    if u in order and u != t:
                        pairs[(t, u) if order[t] < order[u] else (u, t)] += 1
    rows = [(s, t, n, margin[s], margin[t], n_total, freq[s], freq[t]) for (s, t), n in pairs.items()]
    table = pd.DataFrame(rows, columns=["source", "target", "count", "n_source", "n_target", "n_total",
                                        "freq_source", "freq_target"])
    n = table["count"].to_numpy(float)
    table["expected"] = table["n_source"] * table["n_target"] / table["n_total"]
    table["pmi"] = np.log2(n / table["expected"].to_numpy(float))
    joint = n / table["n_total"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        table["npmi"] = np.where(joint >= 1, 1.0, table["pmi"] / -np.log2(joint))
    table = table.assign(_s=table["source"].map(order), _t=table["target"].map(order))
    table = table.sort_values(["count", "_s", "_t"], ascending=[False, True, True], kind="stable")
    table = table.drop(columns=["_s", "_t"]).reset_index(drop=True)[EDGE_COLUMNS]
    table.attrs.update(unit=unit, window=window if unit == "window" else None, padding=padding,
                       filter=src.filter, term_counts={t: int(freq[t]) for t in terms}, missing=missing)
    return table


def cooccurrence_graph(edges: pd.DataFrame, *, min_count: int = 2, isolates: bool = False):
    """A ``networkx.Graph`` of the edges with ``count >= min_count``: node attribute ``count`` (the
    term's frequency), edge attributes the edge table's numeric columns (``count``, ``pmi``, ``npmi`` …).
    With ``isolates``, terms without a remaining edge are nodes too (from ``attrs["term_counts"]``)."""
    import networkx as nx
    graph = nx.Graph(**{k: v for k, v in edges.attrs.items() if k in ("unit", "window", "filter")})
    kept = edges[edges["count"] >= min_count]
    term_counts = dict(edges.attrs.get("term_counts", {}))
    for s, fs, t, ft in zip(edges["source"], edges["freq_source"], edges["target"], edges["freq_target"]):
        term_counts.setdefault(s, int(fs))
        term_counts.setdefault(t, int(ft))
    if isolates:
        graph.add_nodes_from((t, {"count": n}) for t, n in term_counts.items() if n > 0)
    numeric = [c for c in ("count", "expected", "pmi", "npmi") if c in kept.columns]
    for row in kept.itertuples(index=False):
        for node in (row.source, row.target):
            if node not in graph:
                graph.add_node(node, count=term_counts[node])
        graph.add_edge(row.source, row.target, **{c: float(getattr(row, c)) if c != "count" else int(row.count)
                                                  for c in numeric})
    return graph
