"""Dictionaries: families of terms counted as one category (quanteda's ``dictionary()`` + ``dfm_lookup()``).

A :class:`Dictionary` maps categories to member patterns.  Build it from the lexicon's
categories (theory, party_building, numbered, rule_of_law, economy_policy), from a TSV file
(``term<TAB>category``), or from a dict::

    rol = Dictionary.from_lexicon(Lexicon.load())           # every lexicon category
    mine = Dictionary.read("my_terms.tsv")                  # term<TAB>category, # comments
    d = Dictionary.from_dict({"rule_of_law": ["法治*", "依法治国"]})

Patterns are literal terms or globs as in quanteda (``valuetype = "glob"``): ``*`` stands for
any run of characters (none included), ``?`` for exactly one; ``法治*`` matches the tokens
法治, 法治政府, 法治化营商环境 …  Nothing else is special.

Input (:func:`source`): a :class:`analysis.pipeline.SegmentedCorpus` (``lookup(corpus, d, by="year")``:
its paragraphs' unfiltered streams, its filter, its nesting), the segmenter's paragraph table
(``stream`` is read; the default filter is the one behind its ``tokens``), any table with a
``tokens`` column holding unfiltered tokens (one row per paragraph, or per document; ``doc_id``,
``year``, ``collection``, ``section`` … are carried along for ``by=``), or plain lists (documents →
paragraphs → tokens).  A token filter (``token_filter``) is a :class:`analysis.tokens.TokenFilter`, any object
with a ``.keep`` method, or a callable ``keep(token) -> bool``; its ``name`` (else its repr) is
recorded in every result's ``attrs["filter"]``.  With plain lists and no filter, every token that
is not whitespace counts.

Counting modes (``count=``):

``"tokens"`` (default)
    a member counts when a *kept* token equals it (or matches its glob).  The category count
    is then exactly the sum of its members' counts, and ``total_tokens`` is the filter's total,
    so rates agree with every frequency table built with the same filter.
``"nested"``
    a literal member also counts as a run of whole tokens (以|人民|为|中心) and nested inside a
    longer token, as :func:`analysis.tokens.count_terms` counts: where it starts and ends on a word
    boundary, between tokens or inside a compound by the base dictionary (:class:`analysis.tokens.Nesting`):
    依法治国 inside 全面依法治国 (全面|依法治国), 法律服务 inside 公共法律服务; never across a boundary
    (法治 is not inside 依法|治国, nor inside the token 依法治国).  ``nesting`` defaults to the
    corpus segmenter's (or a default :class:`~analysis.segment.Segmenter`'s).  The filter decides
    ``total_tokens`` only.  Glob patterns still match whole kept tokens.  Within one category an
    occurrence inside another occurrence of the same category is counted once (quanteda's
    ``nested_scope = "key"``), so 全面依法治国 adds 1 to rule_of_law, not 2; ``members`` lists
    every member found, nested ones included, so there their counts can add up to more than ``count``.

Rates are per 10,000 tokens (:data:`analysis.frequency.PER`).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Callable, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from .._util import check
from .._util.moved import renamed
from ..corpus.select import document_mask, select_pair
from ..errors import InputError
from ..counts.frequency import PER
from .keyness import g2_statistic, log_ratio
from ..lexicon.terms import Lexicon
from ..tokens.nesting import boundaries, term_starts
from .trends import trend_table

COUNT_MODES = ("tokens", "nested")
GLOB = re.compile(r"[*?]")


# ------------------------------------------------------------------ the dictionary

@dataclass(frozen=True, eq=False)
class Dictionary:
    """Categories → member patterns (literal terms or ``*``/``?`` globs), in the order given."""

    entries: tuple[tuple[str, tuple[str, ...]], ...]
    name: str = "dictionary"
    _memo: dict = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self):
        if not self.entries:
            raise InputError(f"dictionary {self.name!r} has no categories")
        for category, patterns in self.entries:
            if not str(category).strip():
                raise InputError(f"dictionary {self.name!r}: a category has an empty name")
            if not patterns:
                raise InputError(f"dictionary {self.name!r}: category {category!r} has no members")
            for p in patterns:
                if not p or re.search(r"\s", p):
                    raise InputError(f"dictionary {self.name!r}, category {category!r}: "
                                     f"member {p!r} is empty or contains whitespace")

    # ---------------------------------------------------------- construction
    @classmethod
    def from_dict(cls, mapping: Mapping[str, Iterable[str]], *, name: str = "dictionary") -> "Dictionary":
        """``{"rule_of_law": ["法治*", "依法治国"], …}``; a member repeated within a category is kept once."""
        return cls(tuple((str(c), tuple(dict.fromkeys(m))) for c, m in mapping.items()), name=name)

    @classmethod
    def from_lexicon(cls, lexicon: Lexicon | None = None, categories: Sequence[str] | None = None, *,
                     name: str = "lexicon") -> "Dictionary":
        """The lexicon's categories as a dictionary (default: the built-in lexicon, every category)."""
        lexicon = lexicon if lexicon is not None else Lexicon.load()
        table = lexicon.table
        wanted = list(dict.fromkeys(table["category"])) if categories is None else list(categories)
        unknown = sorted(set(wanted) - set(table["category"]))
        if unknown:
            raise InputError(f"the lexicon has no categor{'y' if len(unknown) == 1 else 'ies'} {unknown}; "
                             f"it has {sorted(set(table['category']))}")
        return cls.from_dict({c: table.loc[table["category"] == c, "term"] for c in wanted}, name=name)

    @classmethod
    def read(cls, path: Path | str, *, name: str | None = None) -> "Dictionary":
        """A TSV file, one ``term<TAB>category`` a line (further columns ignored, so a lexicon file
        reads too); ``#`` comments, blank lines and a ``term`` header line are skipped."""
        path = Path(path)
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"{path}: cannot read the dictionary file ({exc})") from exc
        mapping: dict[str, list[str]] = {}
        for n, line in enumerate(lines, 1):
            if not line.strip() or line.startswith("#"):
                continue
            fields = [f.strip() for f in line.split("\t")]
            if fields[0] == "term" and len(mapping) == 0:
                continue
            if len(fields) < 2 or not fields[0] or not fields[1]:
                raise InputError(f"{path}, line {n}: expected 'term<TAB>category', got {line!r}")
            if re.search(r"\s", fields[0]):
                raise InputError(f"{path}, line {n}: the term {fields[0]!r} contains whitespace")
            mapping.setdefault(fields[1], []).append(fields[0])
        if not mapping:
            raise InputError(f"{path}: no entries (expected lines 'term<TAB>category')")
        return cls.from_dict(mapping, name=name or path.stem)

    # ---------------------------------------------------------- access
    @property
    def categories(self) -> list[str]:
        return [c for c, _ in self.entries]

    def members(self, category: str) -> tuple[str, ...]:
        for c, patterns in self.entries:
            if c == category:
                return patterns
        raise KeyError(f"dictionary {self.name!r} has no category {category!r}")

    def __len__(self) -> int:
        return len(self.entries)

    def __repr__(self) -> str:
        sizes = ", ".join(f"{c}: {len(p)}" for c, p in self.entries)
        return f"Dictionary({self.name!r}; {sizes})"

    def to_frame(self) -> pd.DataFrame:
        """One row per (category, pattern), with whether the pattern is a glob."""
        rows = [(c, p, bool(GLOB.search(p))) for c, patterns in self.entries for p in patterns]
        return pd.DataFrame(rows, columns=["category", "pattern", "glob"])

    # ---------------------------------------------------------- matching
    @cached_property
    def _literals(self) -> dict[str, tuple[str, ...]]:
        """Literal member → the categories it belongs to."""
        out: dict[str, list[str]] = {}
        for c, patterns in self.entries:
            for p in patterns:
                if not GLOB.search(p):
                    out.setdefault(p, []).append(c)
        return {p: tuple(dict.fromkeys(cs)) for p, cs in out.items()}

    @cached_property
    def _globs(self) -> list[tuple[re.Pattern, str]]:
        out = []
        for c, patterns in self.entries:
            for p in patterns:
                if GLOB.search(p):
                    regex = "".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in p)
                    out.append((re.compile(regex + r"\Z", re.S), c))
        return out

    def token_categories(self, token: str) -> tuple[str, ...]:
        """The categories whose members match ``token`` as a whole (literal or glob); memoised."""
        hit = self._memo.get(token)
        if hit is None:
            cats = list(self._literals.get(token, ()))
            cats += [c for regex, c in self._globs if regex.match(token)]
            hit = self._memo[token] = tuple(dict.fromkeys(cats))
        return hit


# ------------------------------------------------------------------ inputs: token streams and filters

def filter_name(keep) -> str:
    """How a filter is recorded in results: its ``name`` attribute, else its repr; ``None`` → ``"none"``."""
    if keep is None:
        return "none (every non-whitespace token)"
    return str(getattr(keep, "name", None) or repr(keep))


def as_keep(keep) -> Callable[[str], bool]:
    """A memoised ``token -> bool`` from a filter object (``.keep``), a callable, or ``None``."""
    if keep is None:
        fn = _not_space
    elif hasattr(keep, "keep") and callable(keep.keep):
        fn = keep.keep
    elif callable(keep):
        fn = keep
    else:
        raise InputError(f"a token filter must be callable or have a .keep method, not {type(keep).__name__}")
    memo: dict[str, bool] = {}

    def kept(token: str) -> bool:
        verdict = memo.get(token)
        if verdict is None:
            verdict = memo[token] = bool(fn(token))
        return verdict
    return kept


def _not_space(token: str) -> bool:
    return bool(token.strip())


class _TableFilter:
    """The filter behind a paragraph table's ``tokens`` column, recovered from ``stream`` and
    ``tokens``: a filter decides per token type, so the kept types are exactly those in ``tokens``."""

    def __init__(self, kept_types: set[str], name: str):
        self.kept_types, self.name = kept_types, name

    def keep(self, token: str) -> bool:
        return token in self.kept_types


@dataclass
class Source:
    """What a statistic reads: the units (one row per paragraph, ``tokens`` = the unfiltered stream),
    the filter and the nesting used for nested counts."""

    units: pd.DataFrame
    keep: object
    nesting: object = None

    @cached_property
    def kept(self) -> Callable[[str], bool]:
        return as_keep(self.keep)

    @property
    def filter(self) -> str:
        return filter_name(self.keep)


def source(docs, keep=None, nesting=None) -> Source:
    """Resolve the inputs every function here accepts.

    ``docs`` is a :class:`analysis.pipeline.SegmentedCorpus` (its paragraphs' streams, its filter and
    its segmenter's nesting are the defaults), a paragraph table with the unfiltered ``stream`` (the
    default filter is the one behind its ``tokens`` column, named by ``attrs["filter"]``), any table
    with a ``tokens`` column (each row one unit), a sequence of documents (each a list of paragraphs of
    tokens, or one list of tokens) or a dict ``{doc_id: document}``.  ``keep`` and ``nesting`` given
    explicitly win.
    """
    if hasattr(docs, "paragraphs") and hasattr(docs, "segmenter"):
        corpus = docs
        return Source(token_units(corpus.paragraphs), keep if keep is not None else corpus.filter,
                      nesting if nesting is not None else corpus.segmenter.nesting)
    units = token_units(docs)
    if keep is None and isinstance(docs, pd.DataFrame) and "stream" in docs.columns and "tokens" in docs.columns:
        kept_types = {t for toks in docs["tokens"] for t in toks}
        keep = _TableFilter(kept_types, docs.attrs.get("filter") or "the filter behind the table's tokens")
    return Source(units, keep, nesting)


def token_units(docs) -> pd.DataFrame:
    """The paragraphs (units) of ``docs`` as a table with ``doc_id``, ``tokens`` (the unfiltered
    stream) and any metadata columns.

    ``docs`` is a table with a ``stream`` column (the segmenter's paragraph table: ``stream`` is used)
    or a ``tokens`` column (each row one unit; ``doc_id`` from the table or its index), a sequence of
    documents (each a list of paragraphs of tokens, or one list of tokens), or a dict ``{doc_id: document}``.
    """
    if isinstance(docs, pd.DataFrame):
        column = "stream" if "stream" in docs.columns else "tokens"
        if column not in docs.columns:
            raise InputError(f"the table has no 'stream' or 'tokens' column (columns: {list(docs.columns)})")
        units = docs.reset_index(drop="doc_id" in docs.columns)
        if "doc_id" not in docs.columns:
            units = units.rename(columns={units.columns[0]: "doc_id"})
        if column == "stream":
            units = units.drop(columns=[c for c in ("tokens", "n_tokens") if c in units]).rename(columns={"stream": "tokens"})
        units["doc_id"] = units["doc_id"].astype(str)
        bad = [i for i, t in enumerate(units["tokens"]) if isinstance(t, str)]
        if bad:
            raise InputError(f"'{column}' must hold lists of tokens; row {bad[0]} holds a string")
        return units
    if isinstance(docs, (str, bytes)):
        raise check.fail("token_units", "docs", "documents of tokens (lists), a table or a corpus", docs,
                         "segment the text first")
    items = docs.items() if isinstance(docs, Mapping) else enumerate(docs)
    rows = []
    for doc_id, doc in items:
        if isinstance(doc, (str, bytes)):
            raise check.fail("token_units", f"document {doc_id!r}", "a list of tokens (or of paragraphs of tokens)",
                             doc, "segment the text first")
        doc = list(doc)
        paragraphs = [doc] if not doc or isinstance(doc[0], str) else doc
        rows += [(str(doc_id), j, list(p)) for j, p in enumerate(paragraphs)]
    if not rows:
        raise InputError("no documents given")
    return pd.DataFrame(rows, columns=["doc_id", "paragraph", "tokens"])


def _check_mode(count: str) -> None:
    if count not in COUNT_MODES:
        raise InputError(f"unknown count mode {count!r}; choose one of {COUNT_MODES}")


@lru_cache(maxsize=1)
def default_nesting():
    """The nesting of a default :class:`analysis.segment.Segmenter` (base dictionary, the lexicon's terms)."""
    from ..tokens.segment import Segmenter
    return Segmenter(cache=False).nesting


# ------------------------------------------------------------------ counting one paragraph

@dataclass
class UnitCounts:
    """Counts of one paragraph: kept tokens, category counts, (category, member) counts."""

    total: int
    categories: Counter
    members: Counter


def count_unit(stream: Sequence[str], dictionary: Dictionary, kept: Callable[[str], bool],
               count: str = "tokens", nesting=None) -> UnitCounts:
    """Dictionary counts of one paragraph's unfiltered stream (see the module docstring for the modes)."""
    spans: dict[str, set[tuple[int, int]]] = {}
    total, pos = 0, 0
    for token in stream:
        end = pos + len(token)
        if kept(token):
            total += 1
            for c in dictionary.token_categories(token):
                spans.setdefault(c, set()).add((pos, end))
        pos = end
    text = "".join(stream)
    if count == "nested" and stream:
        bounds = boundaries(stream, nesting if nesting is not None else default_nesting())
        for term, cats in dictionary._literals.items():
            for s in term_starts(text, term, bounds):
                for c in cats:
                    spans.setdefault(c, set()).add((s, s + len(term)))
    categories, members = Counter(), Counter()
    for c, found in spans.items():
        for s, e in found:
            members[(c, text[s:e])] += 1
        categories[c] = len(_outermost(found)) if count == "nested" else len(found)
    return UnitCounts(total, categories, members)


def _outermost(found: set[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans not contained in another span of the set."""
    ordered = sorted(found, key=lambda se: (se[0], -se[1]))
    out, reach = [], -1
    for s, e in ordered:
        if e <= reach:
            continue  # inside an earlier span (which starts at or before s and ends at or after e)
        out.append((s, e))
        reach = max(reach, e)
    return out


def _count_units(src: Source, dictionary: Dictionary, count: str) -> list[UnitCounts]:
    _check_mode(count)
    kept = src.kept
    return [count_unit(toks, dictionary, kept, count, src.nesting) for toks in src.units["tokens"]]


def _members_text(counter: Counter) -> str:
    """``"法治政府 3; 法治社会 2"``: members by count (descending), ties by term."""
    return "; ".join(f"{t} {n}" for t, n in sorted(counter.items(), key=lambda tn: (-tn[1], tn[0])) if n)


def _group_labels(units: pd.DataFrame, by: str | None) -> pd.Series:
    if by is None:
        return units["doc_id"]
    if by not in units.columns:
        raise InputError(f"cannot group by {by!r}: no such column (columns: {list(units.columns)})")
    return units[by]


# ------------------------------------------------------------------ lookup (dfm_lookup)

@renamed(keep="token_filter")
def lookup(docs, dictionary: Dictionary, *, by: str | None = None, token_filter=None, count: str = "tokens",
           nesting=None) -> pd.DataFrame:
    """Counts and rates of each dictionary category per document, or per ``by`` group (year,
    collection, section …; rows whose ``by`` value is missing are left out).

    Columns: ``group, category, count, total_tokens, per_10k, n_terms_matched, members, n_docs`` —
    ``members`` lists the member terms found with their counts (``"法治政府 3; 法治社会 2"``;
    glob patterns list the tokens they matched), ``n_terms_matched`` how many distinct ones,
    ``total_tokens`` the kept tokens of the group.  Every (group, category) pair has a row,
    zeros included.  ``attrs`` records the filter, the count mode and the dictionary.
    """
    src = source(docs, token_filter, nesting)
    units = src.units
    labels = _group_labels(units, by)
    counts = _count_units(src, dictionary, count)
    present = labels.notna().to_numpy()
    groups = pd.unique(labels[present])
    index = {g: i for i, g in enumerate(groups)}
    totals = np.zeros(len(groups), dtype=np.int64)
    cats = [Counter() for _ in groups]
    mems = [Counter() for _ in groups]
    docs_in = [set() for _ in groups]
    for label, doc_id, uc, ok in zip(labels, units["doc_id"], counts, present):
        if not ok:
            continue
        i = index[label]
        totals[i] += uc.total
        cats[i].update(uc.categories)
        mems[i].update(uc.members)
        docs_in[i].add(doc_id)
    rows = []
    for i, g in enumerate(groups):
        for c in dictionary.categories:
            found = Counter({t: n for (cat, t), n in mems[i].items() if cat == c})
            rows.append((g, c, cats[i][c], int(totals[i]), len(found), _members_text(found), len(docs_in[i])))
    table = pd.DataFrame(rows, columns=["group", "category", "count", "total_tokens", "n_terms_matched", "members", "n_docs"])
    table["per_10k"] = table["count"] / table["total_tokens"].replace(0, np.nan) * PER
    table = table[["group", "category", "count", "total_tokens", "per_10k", "n_terms_matched", "members", "n_docs"]]
    table.attrs.update(filter=src.filter, count=count, dictionary=dictionary.name, by=by or "doc_id")
    return table


@renamed(keep="token_filter")
def lookup_terms(docs, dictionary: Dictionary, *, by: str | None = None, token_filter=None, count: str = "tokens",
                 nesting=None) -> pd.DataFrame:
    """Member-level counts: one row per (group, category, term found), so a family is shown with
    its members.  Columns ``group, category, term, count, total_tokens, per_10k, share`` (the
    term's share of the category's count in the group; in nested mode shares can add up to more
    than 1).  Sorted by group, category (dictionary order), count descending."""
    src = source(docs, token_filter, nesting)
    units = src.units
    labels = _group_labels(units, by)
    counts = _count_units(src, dictionary, count)
    totals: Counter = Counter()
    cat_counts: Counter = Counter()
    mem_counts: Counter = Counter()
    for label, uc in zip(labels, counts):
        if pd.isna(label):
            continue
        totals[label] += uc.total
        cat_counts.update({(label, c): n for c, n in uc.categories.items()})
        mem_counts.update({(label, c, t): n for (c, t), n in uc.members.items()})
    order = {g: i for i, g in enumerate(pd.unique(labels.dropna()))}
    cat_order = {c: i for i, c in enumerate(dictionary.categories)}
    rows = [(g, c, t, n, totals[g]) for (g, c, t), n in mem_counts.items()]
    table = pd.DataFrame(rows, columns=["group", "category", "term", "count", "total_tokens"])
    table["per_10k"] = table["count"] / table["total_tokens"].clip(lower=1) * PER
    table["share"] = table["count"] / [cat_counts[(g, c)] for g, c in zip(table["group"], table["category"])]
    table = table.assign(_g=table["group"].map(order), _c=table["category"].map(cat_order))
    table = table.sort_values(["_g", "_c", "count", "term"], ascending=[True, True, False, True], kind="stable")
    table = table.drop(columns=["_g", "_c"]).reset_index(drop=True)
    table.attrs.update(filter=src.filter, count=count, dictionary=dictionary.name, by=by or "doc_id")
    return table


# ------------------------------------------------------------------ family-level keyness and trends

@renamed(keep="token_filter")
def category_keyness(docs, dictionary: Dictionary, target, reference=None, *, token_filter=None, count: str = "tokens",
                     correction: str | None = "bh", rank_among_terms: bool = True,
                     nesting=None) -> pd.DataFrame:
    """Keyness of each category's pooled count in ``target`` against ``reference`` (default: the rest).

    ``target``/``reference`` select rows of ``docs`` as in :func:`analysis.keyness.keyness` (a doc_id,
    a list of them, a boolean mask over the rows, or a callable such as
    ``lambda d: d.year.between(2015, 2024)``).  For each category the 2×2 table is the category's
    pooled count against all other kept tokens in target and reference: G² (Dunning 1993), signed
    (+ over-used in the target), p from χ²(1), Benjamini–Hochberg ``p_adj`` over the categories,
    and Log Ratio (Hardie 2014; a zero count is replaced by 0.5, so it is a bound, not an estimate).

    With ``rank_among_terms``, ``rank_among_terms`` is the rank the pooled family would take among
    the individual kept tokens of the same data ranked by signed G² (its own members included;
    1 = the most over-used), out of ``n_terms`` terms.  ``members_target`` / ``members_reference``
    list the members found, with counts.
    """
    src = source(docs, token_filter, nesting)
    units = src.units
    is_target, is_reference = select_pair(units, target, reference)
    counts = _count_units(src, dictionary, count)
    side = {}
    for name, mask in (("target", is_target), ("reference", is_reference)):
        chosen = [uc for uc, m in zip(counts, mask) if m]
        cats, mems = Counter(), Counter()
        for uc in chosen:
            cats.update(uc.categories)
            mems.update(uc.members)
        side[name] = (sum(uc.total for uc in chosen), cats, mems)
    c, cats_t, mems_t = side["target"]
    d, cats_r, mems_r = side["reference"]
    if c == 0 or d == 0:
        raise InputError(f"the {'target' if c == 0 else 'reference'} has no tokens left after the filter")
    names = dictionary.categories
    a = np.array([cats_t[k] for k in names], float)
    b = np.array([cats_r[k] for k in names], float)
    sign = np.where(a / c >= b / d, 1.0, -1.0)
    g2 = sign * g2_statistic(a, b, c, d)
    p = stats.chi2.sf(np.abs(g2), df=1)
    table = pd.DataFrame({
        "category": names, "n_target": a.astype(int), "n_reference": b.astype(int),
        "total_target": int(c), "total_reference": int(d),
        "per_10k_target": a / c * PER, "per_10k_reference": b / d * PER,
        "g2": g2, "log_ratio": log_ratio(a, b, c, d), "p": p,
        "p_adj": stats.false_discovery_control(p, method="bh") if correction == "bh" else p,
        "members_target": [_members_text(Counter({t: n for (k, t), n in mems_t.items() if k == cat})) for cat in names],
        "members_reference": [_members_text(Counter({t: n for (k, t), n in mems_r.items() if k == cat})) for cat in names],
    })
    if rank_among_terms:
        term_g2 = _term_g2([units["tokens"][m] for m in (is_target, is_reference)], src.kept)
        table["rank_among_terms"] = [int((term_g2 > g).sum()) + 1 for g in g2]
        table["n_terms"] = len(term_g2)
    table.attrs.update(filter=src.filter, count=count, dictionary=dictionary.name, correction=correction,
                       target=sorted(set(units.loc[is_target, "doc_id"])))
    return table.sort_values(["g2", "category"], ascending=[False, True], kind="stable").reset_index(drop=True)


def _term_g2(sides: list[pd.Series], kept) -> np.ndarray:
    """Signed G² of every kept token type, target (first) against reference (second)."""
    counters = [Counter(t for toks in s for t in toks if kept(t)) for s in sides]
    terms = sorted(set(counters[0]) | set(counters[1]))
    a = np.array([counters[0][t] for t in terms], float)
    b = np.array([counters[1][t] for t in terms], float)
    c, d = a.sum(), b.sum()
    return np.where(a / c >= b / d, 1.0, -1.0) * g2_statistic(a, b, c, d)


@renamed(keep="token_filter")
def category_trends(docs, dictionary: Dictionary, *, target=None, years: Sequence[int] | None = None, token_filter=None,
                    count: str = "tokens", target_label: str | None = None, nesting=None) -> pd.DataFrame:
    """Count and rate per 10,000 tokens of each category per year, the ``target`` documents beside.

    Columns as :func:`analysis.trends.term_trends` with ``category`` for ``term``: ``category,
    year, count, total_tokens, per_10k, n_docs, series, members`` — years without a reference
    document are gaps (missing count and rate), years with documents but no occurrence are zeros;
    ``members`` lists the member terms found that year.  ``docs`` needs a ``year`` column.
    """
    src = source(docs, token_filter, nesting)
    units = src.units
    if "year" not in units.columns:
        raise InputError("category trends need a 'year' column")
    target_ids = sorted(set(units.loc[document_mask(units, target, "target"), "doc_id"])) if target is not None else None
    counts = _count_units(src, dictionary, count)
    frame = pd.DataFrame({"doc_id": units["doc_id"], "year": units["year"].astype("Int64"),
                          "n_tokens": [uc.total for uc in counts]})
    for cat in dictionary.categories:
        frame[cat] = [uc.categories[cat] for uc in counts]
    per_doc = frame.groupby("doc_id", sort=False).agg(
        {"year": "first", "n_tokens": "sum", **{cat: "sum" for cat in dictionary.categories}}).reset_index()
    table = trend_table(per_doc[dictionary.categories], per_doc, target=target_ids, years=years,
                        target_label=target_label).rename(columns={"term": "category"})
    doc_members: dict[str, Counter] = {}
    for doc_id, uc in zip(units["doc_id"], counts):
        doc_members.setdefault(doc_id, Counter()).update(uc.members)
    year_of = dict(zip(per_doc["doc_id"], per_doc["year"]))
    targets = set(target_ids or ())
    pooled: dict[tuple, Counter] = {}
    for doc_id, mems in doc_members.items():
        key = "target" if doc_id in targets else year_of[doc_id]
        for (cat, term), n in mems.items():
            pooled.setdefault((cat, key), Counter())[term] += n
    table["members"] = [
        _members_text(pooled.get((cat, "target" if series != "reference" else year), Counter()))
        if series != "reference" or not pd.isna(year) else ""
        for cat, year, series in zip(table["category"], table["year"], table["series"])]
    table.attrs.update(filter=src.filter, count=count, dictionary=dictionary.name)
    return table
