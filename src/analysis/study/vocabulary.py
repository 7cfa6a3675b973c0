"""Notebook 2's steps: the words that carry the target, and their rates in the reference.

:func:`top_terms_step` gives the target's most frequent terms (bar chart and word cloud);
:func:`rate_comparison` the same terms' rates in the target and in the pooled reference.  Each
result has its table, ``plot()`` and ``describe()``, the paragraph the notebook shows.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..counts.frequency import term_frequency, top_terms
from ..stats.keyness import keyness
from .params import StudyParams
from .wording import filter_note, term_list

RATE_COLUMNS = ["term", "n_target", "n_reference", "total_target", "total_reference", "per_10k_target",
                "per_10k_reference"]


def _captions(corpus, study: StudyParams) -> tuple[str, str, int]:
    docs = corpus.documents
    n_target = int(docs.loc[study.target_mask, "n_tokens"].sum())
    both = (f"Target: {study.label}, {n_target:,} tokens. Reference: {study.reference_label}, "
            f"{int(docs.loc[study.reference_mask, 'n_tokens'].sum()):,} tokens. jieba + political lexicon. {filter_note(corpus)}")
    target = (f"Target: {study.label}, {n_target:,} tokens after filtering; jieba + political lexicon. "
              "Equal counts are ordered by the term (Unicode order).")
    return both, target, n_target


@dataclass
class TopTerms:
    """The target's term frequencies (``freq``), the ``n`` most frequent (``table``) and how many more
    terms tie with the last one shown (``tied_out``)."""

    freq: pd.DataFrame
    table: pd.DataFrame
    n: int
    n_tokens: int
    study: StudyParams
    caption: str
    filter_note: str

    @property
    def cutoff(self) -> int:
        return int(self.table["count"].iloc[-1])

    @property
    def tied_out(self) -> int:
        return int(((self.freq["count"] == self.cutoff) & (self.freq["rank"] > self.n)).sum())

    def plot(self):
        from ..viz.frequency import plot_top_terms
        from ..viz.style import add_caption
        ax = plot_top_terms(self.freq, self.n, title=f"The {self.n} most frequent terms of {self.study.label}")
        add_caption(ax.figure, self.caption + (f" {self.tied_out} more term(s) with {self.cutoff} occurrences are not "
                                               f"shown." if self.tied_out else "") + " " + self.filter_note)
        return ax.figure

    def cloud(self, n: int = 80, seed: int = 0):
        """The word cloud of the ``n`` most frequent terms and its table."""
        from ..viz.frequency import plot_wordcloud
        from ..viz.style import add_caption
        ax = plot_wordcloud(self.freq, n=n, seed=seed, title=f"{self.study.title_name}: {{n}} most frequent terms (size ∝ count)")
        drawn = len(ax.cloud_terms)
        left_out = (f" The next {n - drawn} of the {n} most frequent would print under 6 pt at report size and are "
                    f"left out (the table has all {n})." if drawn < n else "")
        add_caption(ax.figure, self.caption + left_out + " " + self.filter_note)
        return ax.figure, top_terms(self.freq, n)

    def describe(self) -> str:
        shown, one = self.table, 1 / self.n_tokens * 10_000
        return (
            f"**How to read it.** Bars are occurrences per 10,000 tokens of {self.study.name}; the number at the end of a bar is the "
            f"raw count. The five most frequent terms are {term_list(shown['term'], 5)} ({term_list(shown['count'].astype(str), 5)} "
            f"occurrences). With {self.n_tokens:,} tokens after filtering, one occurrence is {one:.2g} per 10,000"
            + (": read the short bars as \"mentioned a few times\", not as precise rates." if one >= 5 else ".")
            + (f" {self.tied_out} further term(s) share the last count shown ({self.cutoff}); among equal counts the order "
               f"is by term." if self.tied_out else ""))


def top_terms_step(corpus, study: StudyParams, n: int = 25) -> TopTerms:
    freq = term_frequency(corpus.documents[study.target_mask])
    _, caption, n_tokens = _captions(corpus, study)
    return TopTerms(freq, top_terms(freq, n), n, n_tokens, study, caption, filter_note(corpus))


@dataclass
class RateComparison:
    """The target's top terms with their counts and rates in the target and the reference (keyness rows)."""

    table: pd.DataFrame
    study: StudyParams
    caption: str

    def plot(self):
        from ..viz.frequency import plot_rate_comparison
        from ..viz.style import add_caption
        study = self.study
        ax = plot_rate_comparison(self.table, target_label=study.short_label, reference_label=study.reference_short,
                                  title=f"Top terms of {study.short_label}: rate in the target and in the reference")
        add_caption(ax.figure, self.caption)
        return ax.figure

    def describe(self) -> str:
        comparison, name = self.table, self.study.name
        absent = comparison[comparison["n_reference"] == 0]["term"]
        close = comparison[comparison["log_ratio"].abs() < 1]["term"]
        far = comparison[comparison["log_ratio"] >= 2]["term"]
        return (
            f"**How to read it.** The horizontal axis is logarithmic: each grid step is a tenfold difference; a rate of zero "
            f"sits apart at the left, on the tick marked 0. Of the {len(comparison)} terms, {len(far) or 'none'} "
            f"{'is' if len(far) == 1 else 'are'} at least four times as frequent in {name} as in the reference (Log Ratio ≥ 2)"
            + (f", among them {term_list(far, 6)}" if len(far) else "")
            + f"; {len(absent) or 'none'} never occur{'s' if len(absent) == 1 else ''} in the reference at all"
            + (f" ({term_list(absent, 8)})" if len(absent) else "")
            + f"; {len(close) or 'none'} {'has' if len(close) == 1 else 'have'} rates within a factor of two in both (|Log Ratio| < 1)"
            + (f" — {term_list(close, 6)}: the shared vocabulary of the genre" if len(close) else "")
            + ". Whether a difference is more than chance is the subject of the next notebook.")


def rate_comparison(corpus, study: StudyParams, terms: pd.Series) -> RateComparison:
    rates = keyness(corpus.documents, study.target_mask, study.reference_mask, min_target=1)
    caption, _, _ = _captions(corpus, study)
    return RateComparison(rates.set_index("term").loc[terms].reset_index(), study, caption)
