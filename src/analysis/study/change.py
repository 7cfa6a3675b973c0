"""Notebook 4, what is new and what persists: each step takes the corpus and the resolved study
parameters (``study``: the keyness reference, ``trend``: the trajectories' reference, from
:func:`analysis.study.params.resolve`), returns its table(s), and words them: ``describe()`` gives
the Markdown the notebook shows, generated from those tables; ``plot()`` draws the chart the
notebook saves with :func:`analysis.study.display.save_and_show`.

>>> terms = key_term_trends(corpus, study, trend)
>>> save_and_show(terms.plot(), f"trends_key_terms_{study.target}_{trend.slug}", terms.trends)
>>> display(Markdown(terms.describe()))

The steps, in the notebook's order: :func:`key_term_trends` (the key terms followed and their
first and last year in the series), :func:`first_use_elsewhere` (the same terms in every other
collection), :func:`numbered_formulations` (提法), :func:`category_families` (dictionary
categories by year), :func:`key_term_network` (co-occurrence of the key terms in the target) and
:func:`closest_documents` (cosine similarity to each document of the series).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..lexicon.terms import category_label
from ..stats.claims import first_appearance_all
from ..stats.collocations import cooccurrence, cooccurrence_graph
from ..stats.dictionary import Dictionary, category_trends
from ..stats.formulations import find_formulations, formulation_trends
from ..stats.keyness import key_terms, keyness
from ..stats.similarity import similarity_to
from ..stats.trends import first_appearance, trend_table
from .corpus import links_in_repeats
from .params import StudyParams
from .wording import collection_gaps, collection_name, gaps_phrase, plural, term_list


def describe_references(corpus, study: StudyParams, trend: StudyParams) -> str:
    """The notebook's opening paragraph: both references and the filter every count uses."""
    return ("Key terms — " + study.describe() + "\n\nTrajectories — " + trend.describe()
            + f"\n\n**Filter** (every count and total below): {corpus.filter.name}.")


def _checked_mask(corpus, study: StudyParams) -> np.ndarray:
    """Documents a first-appearance claim is checked against: up to the target's year, neither the
    target nor a document of its own collection dated after it."""
    docs = corpus.documents
    until = (docs["year"].le(study.target_year).fillna(False).to_numpy(dtype=bool) if study.target_year
             else np.ones(len(docs), bool))
    own_later = (docs["collection"] == study.target_collection).to_numpy() & ~until
    return until & ~study.target_mask & ~own_later


def _first_phrase(r) -> str:
    text = f"first {int(r.first_year)}"
    if pd.notna(r.first_year_uncertain) and bool(r.first_year_uncertain):
        gap = (f"no document for {int(r.first_year) - 1}" if pd.notna(r.previous_year_in_corpus) else "the series' first year")
        text += f" (uncertain: {gap})"
    return text


def _docs_phrase(r) -> str:
    return f"{plural(r.total_count, 'occurrence')} in {r.n_docs} of {r.n_docs_series} documents"


# ------------------------------------------------------------------ key terms across the series

@dataclass
class KeyTermTrends:
    """The key terms followed across the series (``terms``, chosen as ``note`` says), from the
    keyness table ``key``; ``trends``: rate per 10,000 tokens per year (nested counts, reference
    and target); ``first``: per term its first and last year, ``n_docs`` (reference documents
    using it) of ``n_docs_series``, the reference's highest yearly rate, the target's count and
    rate, and ``rare`` (in at most ``few`` documents: never called persisting)."""

    study: StudyParams
    trend: StudyParams
    key: pd.DataFrame = field(repr=False)
    terms: list[str]
    note: str
    trends: pd.DataFrame = field(repr=False)
    first: pd.DataFrame = field(repr=False)
    n_docs: pd.Series = field(repr=False)
    n_documents: int
    few: int
    first_series_year: int
    filter_name: str

    def describe_terms(self) -> str:
        return f"The terms followed below: {self.note} — a term the series never uses has no trajectory to draw."

    def plot(self):
        """The panels (each saying in how many reference documents its term occurs), captioned; the Figure."""
        from ..viz.trends import plot_key_term_trends
        from ..viz.style import add_caption
        study, series = self.study, self.trend.reference_label
        axes = plot_key_term_trends(self.trends, self.n_docs, self.n_documents, self.few, ncols=3,
                                    title=f"Key terms of {study.short_label} across the {series}",
                                    target_label=f"{study.short_label} ({study.target_year})")
        add_caption(axes[0].figure, f"Lines: rate per 10,000 tokens in each year's documents of the {series}; gaps: no "
                    f"document of that year in the corpus. Top left: documents of the series using the term; rare: at "
                    f"most {self.few}. Star: {study.label}, drawn beside its year. Counts are nested occurrences (inside "
                    f"longer formulations too, never across a word boundary). Filter: {self.filter_name}.")
        return axes[0].figure

    def describe(self) -> str:
        """How to read the panels; the terms above every reference year; persisting, later and rare terms."""
        first, lo, few = self.first, self.first_series_year, self.few
        above = first[first["target_per_10k"] > first["max_reference_per_10k"]]
        rare = first[first["rare"] & (first["n_docs"] > 0)]
        persisting = first[~first["rare"] & (first["first_year"] <= lo + 10)]
        recent = first[~first["rare"] & (first["first_year"] > lo + 10)]
        parts = ["**How to read it.** Each panel is one term, with its own vertical scale fitted to the reference; the "
                 "panel title gives the raw counts (all reference documents / the target), and years with only one or two "
                 "occurrences are open points, off the line. Where the target's rate is far above every reference year, "
                 "the star is pinned to the top of the panel and its value printed beside it."]
        if len(above):
            parts.append(f"More frequent in {self.study.name} than in any single year of the series: "
                         + "; ".join(f"{r.term} ({r.target_count} in the target, {r.target_per_10k:.1f} per 10,000, "
                                     f"against at most {r.max_reference_per_10k:.1f})" for r in above.itertuples()) + ".")
        if len(persisting):
            parts.append(f"In use since the series' first decade ({lo}–{lo + 10}) and in more than {few} documents — "
                         "persisting: " + "; ".join(f"{r.term} ({_first_phrase(r)}, {_docs_phrase(r)})"
                                                     for r in persisting.itertuples()) + ".")
        if len(recent):
            parts.append(f"Entered later and in more than {few} documents: "
                         + "; ".join(f"{r.term} ({_first_phrase(r)}, {_docs_phrase(r)})" for r in recent.itertuples()) + ".")
        if len(rare):
            parts.append(f"Rare in the series, not persisting (in at most {few} of its {self.n_documents} documents): "
                         + "; ".join(f"{r.term} ({_docs_phrase(r)}; {_first_phrase(r)})" for r in rare.itertuples()) + ".")
        return " ".join(parts)


def key_term_terms(corpus, study: StudyParams, trend: StudyParams, key: pd.DataFrame, terms: Any = None, *,
                   n_terms: int = 9, min_count: int = 3, alpha: float = 0.05) -> tuple[list[str], str]:
    """The terms to follow and the note saying how they were chosen: ``terms`` when given (one
    string or a list), else the ``n_terms`` strongest key terms (G², p_adj < ``alpha``) that the
    trend reference uses at least once — or, when none is significant, the terms with the largest
    Log Ratio (at least ``min_count`` occurrences), said to be for orientation only."""
    if terms is not None:
        return ([terms] if isinstance(terms, str) else list(terms)), "the terms given as the parameter TERMS"
    docs, series = corpus.documents, trend.reference_label
    in_series = set(t for toks in docs.loc[trend.reference_mask, "tokens"] for t in toks)
    candidates = key_terms(key, 200, alpha=alpha)
    note = (f"the strongest key terms of {study.name} against the {study.reference_label} (G², p_adj < {alpha}) "
            f"that the {series} use at least once")
    if candidates.empty:
        candidates = key[key["n_target"] >= min_count].sort_values(["log_ratio", "term"], ascending=[False, True])
        note = (f"**no term of {study.name} is significantly over-used** against the {study.reference_label} "
                f"(p_adj < {alpha}); shown instead, for orientation only, are its terms with the largest Log Ratio "
                f"(at least {min_count} occurrences) that the {series} use")
    return [t for t in candidates["term"] if t in in_series][:n_terms], note


def key_term_trends(corpus, study: StudyParams, trend: StudyParams, terms: Any = None, *, n_terms: int = 9,
                    min_count: int = 3, alpha: float = 0.05, few_docs: int = 12, few_share: float = 0.25) -> KeyTermTrends:
    """Keyness of the target against ``study``'s reference, the terms chosen by :func:`key_term_terms`,
    their nested counts per document of ``trend``'s reference and the target as a trend table, and
    their first appearance in the series.  A term in at most ``min(few_docs, few_share × documents)``
    reference documents is rare."""
    docs = corpus.documents
    target, series = study.target_mask, trend.reference_mask
    key = keyness(docs, target, study.reference_mask, min_count=min_count)
    terms, note = key_term_terms(corpus, study, trend, key, terms, n_terms=n_terms, min_count=min_count, alpha=alpha)
    sub = docs[series | target]
    counts = corpus.count(terms).loc[sub["doc_id"]].set_axis(sub.index)   # nested occurrences per document
    trends = trend_table(counts, sub, target=study.target)
    in_reference = (series & ~target)[series | target]
    n_docs, n_documents = (counts[in_reference] > 0).sum(), int(in_reference.sum())
    few = int(min(few_docs, few_share * n_documents))
    first = first_appearance(trends)
    first["n_docs"] = first["term"].map(n_docs).astype(int)
    first["n_docs_series"] = n_documents
    ref_rates = trends[trends["series"] == "reference"].groupby("term")["per_10k"].max()
    target_rows = trends[trends["series"] != "reference"].set_index("term")
    first = first.assign(max_reference_per_10k=first["term"].map(ref_rates).astype(float).round(2),
                         target_count=first["term"].map(target_rows["count"]).astype(int),
                         target_per_10k=first["term"].map(target_rows["per_10k"]).astype(float).round(2))
    first["rare"] = first["n_docs"] <= few
    return KeyTermTrends(study, trend, key, terms, note, trends, first, n_docs, n_documents, few,
                         int(docs.loc[series, "year"].min()), corpus.filter.name)


# ------------------------------------------------------------------ the same terms in other collections

@dataclass
class FirstUseElsewhere:
    """``table``: first appearance of each term in every collection of the corpus (nested counts,
    documents up to the target's year; :func:`analysis.stats.claims.first_appearance_all`);
    ``earlier``: the rows of another collection earlier than the term's first year in the series."""

    table: pd.DataFrame
    earlier: pd.DataFrame

    def describe(self) -> str:
        if not len(self.earlier):
            return ("Checked against every collection (nested occurrences, documents up to the target's year): "
                    "no term occurs in another collection before its first year in the series.")
        return ("Checked against every collection (nested occurrences, documents up to the target's year): "
                + "; ".join(f"{r.term} is in {r.collection} earlier than in the series — first {r.first_doc} "
                            f"({int(r.first_year)})" for r in self.earlier.itertuples()) + ".")


def first_use_elsewhere(corpus, study: StudyParams, terms: KeyTermTrends) -> FirstUseElsewhere:
    """Every first-appearance statement of ``terms`` checked against every collection of the corpus."""
    everywhere = first_appearance_all(corpus.nested_documents()[_checked_mask(corpus, study)], terms.terms)
    earlier = everywhere.merge(terms.first[["term", "first_year"]].rename(columns={"first_year": "series_first"}), on="term")
    earlier = earlier[(earlier["collection"] != study.reference_collection) & earlier["first_year"].notna()
                      & (earlier["series_first"].isna() | (earlier["first_year"] < earlier["series_first"]))]
    return FirstUseElsewhere(everywhere, earlier)


# ------------------------------------------------------------------ numbered formulations

@dataclass
class NumberedFormulations:
    """``found``: the target's numbered formulations (:func:`analysis.stats.formulations.find_formulations`);
    ``shown``: the ``n`` most frequent; ``trends``: their rates by year in the series and the target
    (normalised text); ``first``: their first and last year in the series and, per other collection,
    ``first_year_<c>``, ``first_doc_<c>``, ``first_year_uncertain_<c>``, ``reason_<c>`` (up to the
    target's year).  ``trends`` and ``first`` are None when nothing was found."""

    study: StudyParams
    trend: StudyParams
    found: pd.DataFrame
    shown: list[str]
    trends: pd.DataFrame | None
    first: pd.DataFrame | None
    series_years: tuple[int, int]
    filter_name: str
    coverage: dict[str, tuple[str, list[int]]] = field(default_factory=dict)  # collection → wording.collection_gaps

    def coverage_note(self) -> str:
        """'First' means first in this corpus: the sentence naming what each collection consulted lacks."""
        parts = [f"the {collection_name(c)} have "
                 + (f"no document for {gaps_phrase(kind, missing)}" if kind == "year"
                    else f"no {gaps_phrase(kind, missing).removeprefix('the ')}")
                 for c, (kind, missing) in self.coverage.items() if missing]
        return (" Every first year is the first **in this corpus**: " + "; ".join(parts)
                + ", so a formulation may be older than its first year here.") if parts else ""

    def plot_first(self):
        """First and last year of each shown formulation in the series, captioned; the Figure."""
        from ..viz.style import add_caption
        from ..viz.trends import plot_first_appearance
        study, n, n_found = self.study, len(self.shown), len(self.found)
        ax = plot_first_appearance(self.first, target_year=study.target_year, target_label=study.short_label,
                                   reference_label=f"the {collection_name(study.reference_collection)}",
                                   title=f"Numbered formulations of {study.short_label}: first and last year in the reference")
        add_caption(ax.figure, f"Spans from the first to the last document of the {self.trend.reference_label} using each "
                    f"formulation (counted in the normalised text); right: first year · number of years using it. "
                    + (f"The {n} most frequent of the {n_found} formulations of the target." if n_found > n
                       else f"All {n_found} formulations of the target.")
                    + f" Filter: {self.filter_name}.")
        return ax.figure

    def plot_trends(self):
        """One panel per shown formulation: rate per 10,000 tokens by year, captioned; the Figure."""
        from ..viz.style import add_caption
        from ..viz.trends import plot_trend_panels
        study = self.study
        axes = plot_trend_panels(self.trends, ncols=4, title="Numbered formulations per 10,000 tokens, by year",
                                 target_label=f"{study.short_label} ({study.target_year})")
        add_caption(axes[0].figure, f"{self.trend.reference_label}; star: {study.label}. Counted in the normalised text. "
                    f"Filter: {self.filter_name}.")
        return axes[0].figure

    def _elsewhere(self) -> list[str]:
        return [c.removeprefix("first_doc_") for c in self.first.columns if c.startswith("first_doc_")]

    def _where_else(self, r) -> str:
        found = [f"{getattr(r, 'first_doc_' + c)} ({int(getattr(r, 'first_year_' + c))})" for c in self._elsewhere()
                 if pd.notna(getattr(r, "first_year_" + c))]
        return "first in " + ", ".join(found) if found else "in no other collection up to the target's year"

    def _seen_phrase(self, r) -> str:
        text = f"{r.term} {int(r.first_year)} ({plural(r.total_count, 'occurrence')} in {plural(r.n_years, 'year')}"
        if pd.notna(r.first_year_uncertain) and bool(r.first_year_uncertain):
            text += (f"; first year uncertain: no document for {int(r.first_year) - 1}, previous {int(r.previous_year_in_corpus)}"
                     if pd.notna(r.previous_year_in_corpus) else "; first year uncertain: the series' first year")
        earlier = [f"{getattr(r, 'first_doc_' + c)} ({int(getattr(r, 'first_year_' + c))})" for c in self._elsewhere()
                   if pd.notna(getattr(r, "first_year_" + c)) and getattr(r, "first_year_" + c) < r.first_year]
        if earlier:
            text += "; earlier in " + ", ".join(earlier)
        return text + ")"

    def describe(self) -> str:
        """How to read the chart; each formulation by first year in the series, with its counts, an
        uncertain first year and earlier use elsewhere; those the series never uses, where they occur."""
        if not self.shown:
            return f"No numbered formulation found in {self.study.label}."
        name = collection_name(self.study.reference_collection)
        never = self.first[self.first["first_year"].isna()]
        seen = self.first.dropna(subset=["first_year"]).sort_values(["first_year", "term"])
        lo, hi = self.series_years
        return ("**How to read it.** A dot marks the first document of the reference series that uses a formulation, the "
                "bar runs to the last; the column on the right gives the first year and the number of years using it. "
                + (f"By first year in the {name}: {'; '.join(self._seen_phrase(r) for r in seen.itertuples())}. "
                   if len(seen) else "")
                + (f"Never in the {name} {lo}–{hi}: "
                   + "; ".join(f"{r.term} ({self._where_else(r)})" for r in never.itertuples()) + "."
                   if len(never) else f"Every formulation shown occurs in the {name}.")
                + self.coverage_note())


def numbered_formulations(corpus, study: StudyParams, trend: StudyParams, n: int = 12) -> NumberedFormulations:
    """The target's numbered formulations (lexicon, shape, quotation marks), the ``n`` most frequent
    followed across ``trend``'s reference, and checked against every other collection."""
    docs = corpus.documents
    target_paras = corpus.paragraphs[corpus.paragraphs["doc_id"] == study.target]
    found = find_formulations(corpus.text_of(study.target), [t for toks in target_paras["tokens"] for t in toks],
                              lexicon=corpus.segmenter.lexicon)
    shown = found.head(n)["formulation"].tolist()
    series = trend.reference_mask
    years = (int(docs.loc[series, "year"].min()), int(docs.loc[series, "year"].max()))
    if not shown:
        return NumberedFormulations(study, trend, found, shown, None, None, years, corpus.filter.name)
    f_trends = formulation_trends(corpus.paragraphs_of(series | study.target_mask), shown, target=study.target)
    f_first = first_appearance(f_trends)
    # Where else the corpus uses each formulation up to the target's year: every other collection.
    others = corpus.paragraphs_of(_checked_mask(corpus, study) & (docs["collection"] != study.reference_collection).to_numpy())
    f_all = first_appearance_all(others, shown, count="text") if len(others) else None
    for collection in ([] if f_all is None else list(dict.fromkeys(f_all["collection"]))):
        part = f_all[f_all["collection"] == collection].set_index("term")
        for col in ("first_year", "first_doc", "first_year_uncertain", "reason"):
            f_first[f"{col}_{collection}"] = f_first["term"].map(part[col])
    consulted = [study.reference_collection] + ([] if f_all is None else [c for c in dict.fromkeys(f_all["collection"])
                                                                           if c != study.reference_collection])
    coverage = {c: collection_gaps(corpus.docs, c, until=study.target_year) for c in consulted}
    return NumberedFormulations(study, trend, found, shown, f_trends, f_first, years, corpus.filter.name, coverage)


# ------------------------------------------------------------------ dictionary categories by year

@dataclass
class CategoryFamilies:
    """``table``: rate per 10,000 tokens of each dictionary category (the lexicon's categories,
    member terms counted nested) per year of the series and for the target
    (:func:`analysis.stats.dictionary.category_trends`)."""

    study: StudyParams
    trend: StudyParams
    dictionary: Dictionary = field(repr=False)
    table: pd.DataFrame = field(repr=False)
    filter_name: str

    def intro(self) -> str:
        return f"""## Families of vocabulary: dictionary categories by year

The lexicon's categories used as a dictionary (quanteda's `dfm_lookup`): every member term counts
for its category, nested occurrences included, so a theme split over many compounds (法治保障,
法治政府, 法治社会 …) is seen as one. Rates per 10,000 tokens of the {self.trend.reference_label} by year, with
{self.study.name} beside them."""

    def plot(self):
        import matplotlib.pyplot as plt

        from ..viz.style import PAGE_WIDTH, add_caption
        from ..viz.network import plot_category_trends
        study = self.study
        fig, ax = plt.subplots(figsize=(PAGE_WIDTH, 4.6), layout="constrained")
        plot_category_trends(self.table, ax=ax, target_label=study.short_label,
                             title=f"Dictionary categories by year: {self.trend.reference_short} and {study.short_label}",
                             filter_line=False)  # the caption states the filter
        add_caption(fig, f"Lines: occurrences of each category's member terms per 10,000 tokens in each year's documents "
                    f"(nested occurrences counted; gaps: no document that year); stars: {study.label}. Dictionary: the "
                    f"lexicon's categories {', '.join(map(category_label, self.dictionary.categories))}. Filter: {self.filter_name}.")
        return fig

    def _parts(self):
        cat = self.table
        target = cat[cat["series"] != "reference"].set_index("category")
        reference = cat[(cat["series"] == "reference") & cat["count"].notna()]
        return target, reference, reference[reference["year"] > reference["year"].max() - 10]

    @property
    def recent(self) -> pd.DataFrame:
        """The rows the prose speaks of: the target first, then the last ten years of the series."""
        target, _, last10 = self._parts()
        return pd.concat([target.reset_index(), last10.sort_values(["category", "year"], ascending=[True, False])])[
            ["category", "series", "year", "count", "total_tokens", "per_10k", "members"]]

    def describe(self) -> str:
        """Per category: the target's count and rate against the last ten years, and the series' peak."""
        target, reference, last10 = self._parts()
        lines = []
        for c in self.dictionary.categories:
            t, r, r10 = target.loc[c], reference[reference["category"] == c], last10[last10["category"] == c]
            peak = r.loc[r["per_10k"].astype(float).idxmax()]
            high = float(r10["per_10k"].max())
            ratio = (f"{float(t.per_10k) / high:.1f}× the highest of the last ten years" if high > 0
                     else "the last ten years have none")
            lines.append(f"{category_label(c)}: {plural(int(t['count']), 'occurrence')} in {self.study.short_label} "
                         f"({float(t.per_10k):.1f} per 10,000; {ratio}, {float(r10['per_10k'].min()):.1f}–{high:.1f} "
                         f"in {int(r10['year'].min())}–{int(r10['year'].max())}); peak of the series {float(peak.per_10k):.1f} "
                         f"in {int(peak.year)} ({int(peak['count'])} occurrences)")
        return ("**How to read it.** The vertical axis is logarithmic above 1 per 10,000 (linear below, so zeros stay on "
                "the chart). " + "; ".join(lines) + ". The member terms behind each number are listed in the table "
                "(target first, then the last ten years).")


def category_families(corpus, study: StudyParams, trend: StudyParams, categories) -> CategoryFamilies:
    """The lexicon's ``categories`` (those it has) as a dictionary, counted nested by year over
    ``trend``'s reference and the target; a periodic series gets its document years only."""
    from ..viz.style import is_intermittent
    lexicon = corpus.segmenter.lexicon
    have = set(lexicon.table["category"])
    dictionary = Dictionary.from_lexicon(lexicon, [c for c in categories if c in have])
    ref_years = corpus.documents.loc[trend.reference_mask, "year"].dropna().astype(int)
    years = sorted(ref_years.unique()) if is_intermittent(ref_years) else None   # a periodic series: connected points
    table = category_trends(corpus.paragraphs_of(trend.reference_mask | study.target_mask), dictionary, target=study.target,
                            count="nested", token_filter=corpus.filter, nesting=corpus.segmenter.nesting, years=years)
    return CategoryFamilies(study, trend, dictionary, table, corpus.filter.name)


# ------------------------------------------------------------------ co-occurrence network of the key terms

@dataclass
class KeyTermNetwork:
    """``terms``: the key terms in the network (chosen as ``note`` says); ``edges``: pairs used in
    the same ``unit`` of the target (:func:`analysis.stats.collocations.cooccurrence`) with
    ``n_repeats``/``repeat_chars`` (:func:`analysis.study.corpus.links_in_repeats`); ``graph``: the
    links of at least ``min_link`` units."""

    study: StudyParams
    terms: list[str]
    note: str
    edges: pd.DataFrame = field(repr=False)
    graph: Any = field(repr=False)
    n: int
    unit: str
    min_link: int
    repeat_chars: int
    filter_name: str

    def intro(self) -> str:
        study = self.study
        return f"""## How the key terms of {study.short_label} hang together

The {self.n} strongest key terms of {study.name} against the {study.reference_label}; a link
joins two terms used in the same {self.unit} of the target at least {self.min_link} times (terms
matched as whole tokens). A link inside a passage the target repeats word for word (at least
{self.repeat_chars} characters) is counted once per copy: the prose says so."""

    def plot(self):
        import matplotlib.pyplot as plt

        from ..viz.style import PAGE_WIDTH, add_caption
        from ..viz.network import plot_network
        study, unit = self.study, self.unit
        fig, ax = plt.subplots(figsize=(PAGE_WIDTH, 6.2), layout="constrained")
        plot_network(self.graph, ax=ax, title=f"Key terms of {study.short_label}: co-occurrence in its {unit}s")
        drawn = set(self.graph.nodes)
        missing = [t for t in self.terms if t not in drawn]
        add_caption(fig, f"Nodes: {self.note} of {study.label} against the {study.reference_label}; drawn: the "
                    f"{len(drawn)} of the {len(self.terms)} with a link at the threshold"
                    + (f" (not drawn, no link: {term_list(missing, 10)})" if missing else "") + "; node area ∝ the "
                    f"term's count in the target. Links: {unit}s holding both terms (at least {self.min_link}); width ∝ "
                    f"that count. Filter: {self.filter_name}.")
        return fig

    def _link_phrase(self, r) -> str:
        text = f"{r.source}–{r.target} ({r.count} of {r.n_total} {self.unit}s"
        if r.n_repeats:
            text += f"; both inside {plural(r.n_repeats, 'repeated passage')} of up to {r.repeat_chars} characters"
        return text + ")"

    def describe(self) -> str:
        """Nodes and links at the threshold, the five strongest links, and which lie inside a repeated passage."""
        strong = self.edges[self.edges["count"] >= self.min_link].head(5)
        repeated = strong[strong["n_repeats"] > 0]
        return (f"**How to read it.** {self.graph.number_of_nodes()} of the {len(self.terms)} terms have a link at this "
                f"threshold, {self.graph.number_of_edges()} links in all. "
                + (f"The strongest links: {'; '.join(self._link_phrase(r) for r in strong.itertuples())}. " if len(strong)
                   else f"No pair of terms shares {self.min_link} {self.unit}s. ")
                + (f"{len(repeated)} of these {len(strong)} links lie inside a passage the target repeats word for word: "
                   f"part of their count is the repeat, not independent use." if len(repeated) else
                   ("None of these links lies inside a repeated passage." if len(strong) else "")))


def key_term_network(corpus, study: StudyParams, key: pd.DataFrame | None = None, *, n: int = 25, unit: str = "sentence",
                     min_link: int = 2, repeat_chars: int = 30, min_count: int = 3, alpha: float = 0.05) -> KeyTermNetwork:
    """Co-occurrence in the target's ``unit``s of its ``n`` strongest key terms (``key``: the
    keyness table against ``study``'s reference, computed when not given); with fewer than two
    significant ones, the terms with the largest Log Ratio (at least ``min_count`` occurrences)."""
    if key is None:
        key = keyness(corpus.documents, study.target_mask, study.reference_mask, min_count=min_count)
    terms = key_terms(key, n, alpha=alpha)["term"].tolist()
    note = f"the {len(terms)} strongest key terms (p_adj < {alpha}; at most {n})"
    if len(terms) < 2:
        terms = key[key["n_target"] >= min_count].nlargest(n, "log_ratio")["term"].tolist()
        note = (f"no significant key terms: the {len(terms)} terms with the largest Log Ratio "
                f"(at least {min_count} occurrences), for orientation only")
    edges = cooccurrence(corpus.paragraphs_of(study.target_mask), terms, unit=unit)
    edges = links_in_repeats(edges, corpus.text_of(study.target), min_chars=repeat_chars)
    graph = cooccurrence_graph(edges, min_count=min_link)
    return KeyTermNetwork(study, terms, note, edges, graph, n, unit, min_link, repeat_chars, corpus.filter.name)


# ------------------------------------------------------------------ the closest earlier document

@dataclass
class ClosestDocuments:
    """``table``: cosine similarity of the target to each document of ``trend``'s reference
    (:func:`analysis.stats.similarity.similarity_to`, TF-IDF fitted on them and the target)."""

    study: StudyParams
    trend: StudyParams
    table: pd.DataFrame
    filter_name: str
    baseline: pd.DataFrame | None = None  # the same curve for other recent documents (see closest_documents)

    def intro(self) -> str:
        return f"""## Which earlier document is {self.study.short_label} closest to?

Cosine similarity of {self.study.name} to each document of the {self.trend.reference_label} in TF-IDF space (raw tf, smooth
idf, l2; fitted on the target and those documents together)."""

    def plot(self):
        from ..viz.style import add_caption
        from ..viz.trends import plot_similarity
        study, series = self.study, self.trend.reference_label
        ax = plot_similarity(self.table, title=f"How close {study.short_label} is to each document of the reference",
                             xlabel=f"year of the document ({series})", target_year=study.target_year,
                             target_label=study.short_label)
        add_caption(ax.figure, f"Cosine similarity, TF-IDF (raw tf, smooth idf, l2) over {study.label} and the {series}; "
                    f"gaps: no document of that year in the corpus. Filter: {self.filter_name}.")
        return ax.figure

    def top(self, n: int = 5) -> pd.DataFrame:
        return self.table.nlargest(n, "cosine")

    @property
    def rho(self) -> float:
        """Spearman's ρ between year and similarity."""
        return year_rho(self.table)

    def describe(self) -> str:
        top, rho = self.top(3), self.rho
        direction = ("rises towards the target's year" if rho > 0.5 else "falls towards the target's year" if rho < -0.5
                     else "shows no clear direction over time")
        return (f"**How to read it.** Ringed points are the three most similar documents: "
                f"{term_list(top['doc_id'] + ' (' + top['cosine'].round(3).astype(str) + ')')}. "
                f"Similarity {direction} (Spearman's ρ between year and similarity: {rho:.2f}, {len(self.table)} documents). "
                "Absolute values depend on document length and genre; the pattern across years, not the level, is the finding."
                + self.describe_baseline())

    def describe_baseline(self) -> str:
        """The target's ρ beside the same curve for other recent documents: a rise towards the present that every
        recent document shows says that the target is recent, not that it follows the latest reports."""
        b = self.baseline
        if b is None or b.empty or not np.isfinite(self.rho):
            return ""
        listed = term_list([f"{r.doc_id} {r.rho:.3f} ({r.n_documents} earlier documents)" for r in b.itertuples()])
        above = int((b["rho"] >= self.rho).sum())
        verdict = (f"{self.study.short_label}'s ρ ({self.rho:.3f}) is larger than every one of them" if above == 0 else
                   f"{above} of the {len(b)} reach{'es' if above == 1 else ''} {self.study.short_label}'s ρ ({self.rho:.3f}) or more, so the "
                   "trend says that it is recent, not that it follows the latest reports more than other recent documents do")
        return (f" **Baseline:** the same curve (similarity to each earlier document of the {self.trend.reference_label.split(' (')[0]} "
                f"against year) for other recent documents gives ρ = {listed}; {verdict}.")


def year_rho(sims: pd.DataFrame) -> float:
    """Spearman's ρ between year and cosine similarity (a :func:`analysis.stats.similarity.similarity_to` table)."""
    return sims["year"].astype(float).corr(sims["cosine"], method="spearman")


def similarity_baseline(corpus, study: StudyParams, trend: StudyParams, n_latest: int = 3) -> pd.DataFrame:
    """The similarity-over-time curve of :func:`closest_documents` for other recent documents, as a baseline for the
    target's: the ``n_latest`` latest documents of ``trend``'s reference and the latest document of every other
    collection dated up to the target's year (not the target), each compared with the reference documents dated
    before it.  Columns ``doc_id, collection, year, n_documents, rho`` (Spearman's ρ between year and cosine)."""
    docs = corpus.documents
    ref = docs[trend.reference_mask]
    year = study.target_year if study.target_year is not None else np.inf
    others = docs[~trend.reference_mask & ~study.target_mask & docs["year"].notna()]
    others = others[(others["year"] <= year) & (others["collection"] != study.target_collection)
                    & (others["collection"] != trend.reference_collection)]
    chosen = pd.concat([ref.sort_values(["year", "doc_id"]).tail(n_latest),
                        others.sort_values(["year", "doc_id"]).groupby("collection").tail(1)])
    rows = []
    for r in chosen.itertuples():
        earlier = trend.reference_mask & (docs["year"] < r.year).to_numpy()
        if earlier.sum() < 3:
            continue
        sims = similarity_to(docs[earlier | (docs["doc_id"] == r.doc_id).to_numpy()], r.doc_id)
        rows.append({"doc_id": r.doc_id, "collection": r.collection, "year": int(r.year), "n_documents": len(sims),
                     "rho": float(year_rho(sims))})
    return pd.DataFrame(rows, columns=["doc_id", "collection", "year", "n_documents", "rho"])


def closest_documents(corpus, study: StudyParams, trend: StudyParams, *, baseline: bool = True) -> ClosestDocuments:
    """Cosine similarity of the target to every document of ``trend``'s reference, with the same curve's ρ for
    other recent documents as its baseline (:func:`similarity_baseline`; ``baseline=False`` skips it)."""
    docs = corpus.documents
    return ClosestDocuments(study, trend, similarity_to(docs[trend.reference_mask | study.target_mask], study.target),
                            corpus.filter.name, similarity_baseline(corpus, study, trend) if baseline else None)
