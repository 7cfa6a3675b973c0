"""Notebook 6's term explorer: one term at a time, with its keyness row (dispersion and bootstrap interval
included), its nested counts by year and its concordance, shown in a notebook or from an ipywidgets box.

>>> explorer = TermExplorer.build(corpus, study, trend, min_count=3)
>>> explorer.show(explorer.choices[0])        # in a notebook: the sentences, tables and the trend chart
>>> explorer.widget()                         # JupyterLab: a box to type or pick a term

The explorer's one computation is :func:`explore_term` (everything about one term, as a dict).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError
from ..stats.keyness import key_terms, keyness
from ..stats.trends import trend_table
from ..viz.save import show_figure
from .params import StudyParams, resolve
from .wording import lr_text

KEY_COLUMNS = ["term", "n_target", "n_reference", "total_target", "total_reference", "per_10k_target", "per_10k_reference",
               "g2", "log_ratio", "lr_bound", "p_adj", "p_method", "n_units_target", "share_units_target", "lr_ci_low",
               "lr_ci_high", "p_boot", "is_key"]
KWIC_COLUMNS = ["doc_id", "year", "section_label", "left", "match", "right"]


@dataclass
class TermReport:
    """What the explorer shows for one term: ``row`` (its keyness row), ``trends`` (nested counts by year,
    ``None`` when the series and the target never use it), ``kwic`` (concordance lines) and the texts."""

    term: str
    row: pd.DataFrame
    trends: pd.DataFrame | None
    kwic: pd.DataFrame
    n_kwic: int
    summary: str
    study: StudyParams
    trend: StudyParams
    filter_name: str

    def describe(self) -> str:
        r, term, text = self.row.iloc[0], self.term, self.summary
        if "is_key" in self.row.columns and pd.notna(r.get("is_key")):
            text += (f" Resampling the target's paragraphs: {term} is in {int(r.n_units_target)} of its paragraphs "
                     f"({r.share_units_target:.0%}); Log Ratio interval {r.lr_ci_low:+.1f} to {r.lr_ci_high:+.1f}, "
                     f"p_boot {r.p_boot:.3g}; {'called key' if bool(r.is_key) else 'not called key'} (is_key).")
        if str(r.get("lr_bound", "") or "") and pd.notna(r.get("lr_bound")) and r.get("lr_bound"):
            text += f" Log Ratio is a {r.lr_bound} (a zero count on one side)."
        if self.trends is not None:
            ref, tgt = self.reference_years, self.trends[self.trends["series"] != "reference"].iloc[0]
            used = ref[ref["count"].fillna(0) > 0]
            text += (f" Counted nested (inside longer formulations too): {int(tgt['count'])} in {self.study.short_label}, "
                     f"{int(ref['count'].sum())} in {len(used)} of the {int(ref['count'].notna().sum())} years with a document of "
                     f"the {self.trend.reference_label}.")
        return text

    @property
    def reference_years(self) -> pd.DataFrame:
        return self.trends[self.trends["series"] == "reference"]

    def years_used(self) -> pd.DataFrame:
        """The years using the term, with counts, and the target's row."""
        ref = self.reference_years
        return pd.concat([ref[ref["count"].fillna(0) > 0], self.trends[self.trends["series"] != "reference"]])[
            ["series", "year", "count", "total_tokens", "per_10k"]]

    def plot(self):
        from ..viz.style import add_caption
        from ..viz.trends import plot_term_trend
        ax = plot_term_trend(self.trends, target_label=self.study.short_label,
                             title=f"{self.term}: {self.trend.reference_short} and {self.study.short_label}")
        add_caption(ax.figure, f"Rate per 10,000 tokens per year; numbers above the points: that year's count (nested "
                    f"occurrences); star: {self.study.label}; gaps: no document that year. Filter: {self.filter_name}.")
        return ax.figure

    def show(self) -> None:
        """Display everything in a notebook: sentences, the keyness row, the trend chart and its years, the concordance."""
        from IPython.display import Markdown, display
        display(Markdown(self.describe()))
        display(self.row)
        if self.trends is not None:
            show_figure(self.plot())
            display(Markdown(f"Years using {self.term}, with counts (of {len(self.reference_years)} years in the series):"))
            display(self.years_used())
        else:
            display(Markdown(f"{self.term} occurs nowhere in the {self.trend.reference_label} or in {self.study.short_label}: no trend."))
        display(Markdown(f"Concordance: {len(self.kwic)} of {self.n_kwic} lines (target first, then by year), each with its "
                         f"document, year and section."))
        display(self.kwic[KWIC_COLUMNS])


@dataclass
class TermExplorer:
    """The target's keyness table (paragraphs as resampling units) and everything needed to report one term."""

    corpus: object
    study: StudyParams
    trend: StudyParams
    key: pd.DataFrame
    min_count: int = 3
    window: int = 15
    max_lines: int = 30
    series_docs: pd.DataFrame = field(init=False, repr=False)

    def __post_init__(self):
        docs = self.corpus.documents
        self.series_docs = docs[self.trend.reference_mask | self.study.target_mask]

    @classmethod
    def build(cls, corpus, study: StudyParams, trend: StudyParams, *, min_count: int = 3, window: int = 15,
              max_lines: int = 30) -> "TermExplorer":
        key = keyness(corpus.documents, study.target_mask, study.reference_mask, min_target=0, min_count=min_count,
                      units=corpus.paragraphs)
        return cls(corpus, study, trend, key, min_count, window, max_lines)

    @property
    def choices(self) -> list[str]:
        """The target's key terms (at most 200), or its most frequent terms when none is key."""
        return (key_terms(self.key, 200)["term"].tolist()
                or self.key.sort_values("n_target", ascending=False)["term"].head(200).tolist())

    def nested_trend(self, term: str) -> pd.DataFrame | None:
        """Count, token total and rate per year of ``term`` counted nested, the target beside (None: nowhere)."""
        counts = self.corpus.count([term]).loc[self.series_docs["doc_id"]].set_axis(self.series_docs.index)
        return trend_table(counts, self.series_docs, target=self.study.target) if counts[term].sum() else None

    def report(self, term: str) -> TermReport:
        result = explore_term(self.corpus, term, self.study, trend=self.trend, min_count=self.min_count,
                              window=self.window, max_lines=self.max_lines)
        term = result["term"]
        row = self.key[self.key["term"] == term]
        row = row[[c for c in KEY_COLUMNS if c in row.columns]] if len(row) else result["keyness"]
        return TermReport(term, row, self.nested_trend(term), result["kwic"], result["n_kwic"], result["summary"],
                          self.study, self.trend, self.corpus.filter.name)

    def show(self, term: str) -> None:
        self.report(term).show()

    def widget(self, placeholder: str | None = None):
        """An ipywidgets box (pick a key term or type any term, Enter) over an output area showing its report;
        an empty or unknown term is said in the output, and the box stays alive."""
        import ipywidgets as widgets
        from IPython.display import display
        choices = self.choices
        box = widgets.Combobox(placeholder="term, e.g. " + (placeholder or (choices[0] if choices else "")),
                               options=choices, description="term", ensure_option=False, continuous_update=False)
        out = widgets.Output()

        def on_change(change):
            out.clear_output()
            with out:
                try:
                    self.show(change["new"])
                except Exception as err:  # noqa: BLE001 - the widget reports any failure and stays usable
                    print(f"{type(err).__name__}: {err}")

        box.observe(on_change, names="value")
        display(widgets.VBox([box, out]))
        return box


def explore_term(corpus, term: str, target: Any = "speech2025", reference=None, *, trend: StudyParams | None = None,
                 min_count: int = 3, window: int = 15, max_lines: int | None = 200) -> dict:
    """Everything about one term: its trend across years, its keyness row and its concordance.

    ``target`` is a document id or a resolved :class:`StudyParams` (keyness mode); ``reference``
    a boolean mask over ``corpus.documents`` overriding its reference.  ``trend`` is the
    trend-mode study (default: resolved for the same target and reference collection).

    Returns a dict: ``term``, ``trend`` (count, tokens and rate per 10,000 per year, target
    as its own series), ``keyness`` (one row: counts, rates, G², Log Ratio, p_adj — p_adj
    over all terms with at least ``min_count`` occurrences, as in notebook 3), ``kwic``
    (every occurrence in the target and the trend reference, with year and section label;
    the first ``max_lines`` kept), ``n_kwic`` (all occurrences), ``summary`` (a sentence)
    and ``figure`` (the trend chart).
    """
    from ..stats.concordance import kwic
    from ..counts.frequency import PER
    from ..stats.keyness import g2_statistic, keyness, log_ratio
    from ..viz.trends import plot_term_trend
    from ..text.structure import section_label
    from ..stats.trends import term_trends

    term = (term or "").strip()
    if not term:
        raise InputError("explore_term needs a term")
    study = target if isinstance(target, StudyParams) else resolve(corpus, target=target)
    ref_mask = study.reference_mask if reference is None else np.asarray(reference, bool)
    trend = trend or resolve(corpus, target=study.target, reference_collection=study.reference_collection, mode="trend")
    docs = corpus.documents

    table = keyness(docs, study.target_mask, ref_mask, min_target=0, min_count=min_count)
    row = table[table["term"] == term]
    if row.empty:  # below min_count or not a token: counts by hand, no adjusted p
        a = sum(t == term for toks in docs.loc[study.target_mask, "tokens"] for t in toks)
        b = sum(t == term for toks in docs.loc[ref_mask, "tokens"] for t in toks)
        c, d = int(table["total_target"].iloc[0]), int(table["total_reference"].iloc[0])
        sign = 1.0 if a / c >= b / d else -1.0
        # no rate and no Log Ratio for a term neither side uses (Hardie's 0.5 for both zeros would print log2(d/c));
        # one zero side makes the Log Ratio a bound, as in the keyness table
        ratio = float(log_ratio(a, b, c, d)) if a or b else np.nan
        bound = "lower bound" if a and not b else "upper bound" if b and not a else ""
        row = pd.DataFrame({"term": [term], "n_target": [a], "n_reference": [b], "total_target": [c],
                            "total_reference": [d], "per_10k_target": [a / c * PER], "per_10k_reference": [b / d * PER],
                            "g2": [sign * float(g2_statistic(a, b, c, d)) if a or b else 0.0], "log_ratio": [ratio],
                            "lr_bound": [bound], "p_adj": [np.nan]})
    row = row.reset_index(drop=True)

    series_docs = docs[trend.reference_mask | trend.target_mask]
    try:
        trends = term_trends(series_docs, [term], target=study.target)
    except InputError:
        trends = None
    paragraphs = corpus.paragraphs
    ids = set(docs.loc[trend.reference_mask | study.target_mask | ref_mask, "doc_id"])
    lines = kwic(paragraphs[paragraphs["doc_id"].isin(ids)], term, window=window)
    lines.insert(3, "section_label", lines["section"].map(lambda s: section_label(s) if s else "（开场）"))
    lines = lines.assign(_t=lines["doc_id"] != study.target).sort_values(["_t", "year", "doc_id", "paragraph"],
                                                                        kind="stable").drop(columns="_t")
    n_lines = len(lines)
    figure = None
    if trends is not None:
        figure = plot_term_trend(trends, target_label=study.short_label,
                                 title=f"{term}: {trend.reference_label} and {study.short_label}").figure
    r = row.iloc[0]
    if not r.n_target and not r.n_reference:
        summary = (f"{term}: no occurrence as a token in {study.label} or in the {study.reference_label}, so no rate, "
                   f"G² or Log Ratio to report. {n_lines} concordance line(s) of the string in the target and the "
                   f"{trend.reference_label}.")
    else:
        summary = (f"{term}: {int(r.n_target)} occurrence(s) in {study.label} ({r.per_10k_target:.1f} per 10,000 tokens) "
                   f"and {int(r.n_reference)} in the {study.reference_label} ({r.per_10k_reference:.1f} per 10,000); "
                   f"G² {r.g2:+.1f}, Log Ratio {lr_text(r)}"
                   + (f", p_adj {r.p_adj:.3g}" if pd.notna(r.p_adj) else ", not tested (fewer than "
                      f"{min_count} occurrences in target and reference together, or not a token)")
                   + f". {n_lines} concordance line(s) in the target and the {trend.reference_label}.")
    if trends is None:
        summary += f" {term} is not a token anywhere in the series (segmented differently?): no trend."
    return {"term": term, "trend": trends, "keyness": row, "kwic": lines.head(max_lines).reset_index(drop=True)
            if max_lines else lines.reset_index(drop=True), "n_kwic": n_lines, "summary": summary, "figure": figure}

