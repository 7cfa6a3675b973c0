"""Notebook 1's steps: what the target is compared with — document lengths, the target's sections,
what normalisation removed, its verbatim repeats and the terms learned from the corpus.

Each step returns a small result: its table(s), ``plot()`` where the notebook draws a chart, and
``describe()``, the paragraph the notebook shows under it, worded from the table.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .. import config
from ..corpus import list_documents
from ..text.normalise import normalise_corpus
from ..tokens.nesting import term_matrix
from .corpus import learned_terms, repeated_passages
from .params import StudyParams
from .wording import filter_note, gap_years, term_list, year_ranges

SOURCES = ("Sources: Government Work Reports and CPC Congress reports from Chinese Wikisource "
           "(aldohemsn/chinese-political-corpora @99bc4b0); the speech from its PDF.")
LEARNED_COLUMNS = ["term", "score", "count", "n_docs", "n_target", "npmi", "left_entropy", "right_entropy"]


@dataclass
class DocumentLengths:
    """Every document's length by year (:func:`analysis.corpus.list_documents`), the target marked."""

    table: pd.DataFrame
    study: StudyParams
    filter_note: str

    def plot(self):
        from ..viz.corpus import plot_document_lengths
        from ..viz.style import add_caption
        fig = plot_document_lengths(self.table, value="characters", target=self.study.target).figure
        add_caption(fig, SOURCES + " Raw characters, before normalisation (no token filter applies to characters; the "
                    "study's counts of tokens use one). " + self.filter_note)
        return fig

    def describe(self) -> str:
        lengths, study = self.table, self.study
        gwr = lengths["collection"] == "gwr"
        gaps = gap_years(lengths.loc[gwr, "year"])
        target_chars = int(lengths.loc[lengths["doc_id"] == study.target, "characters"].iloc[0])
        reports = lengths.loc[gwr, "characters"]
        return (
            f"**How to read it.** Each blue bar is one Government Work Report, its height the length in thousand characters; "
            f"grey stems are Congress reports; the red star is the speech, and the red ring marks the target, {study.label}. "
            f"Shaded columns are years inside 1954–2025 without a Government Work Report **in the corpus** — "
            f"{year_ranges(gaps)} — (the reports of the Cultural Revolution decade were rarely given or published; those of "
            f"1989–1991, 1996 and 2020 exist but the source collection lacks them). They stay gaps in every chart of the study, never zeros. "
            f"The target has {target_chars:,} characters, against {int(reports.quantile(0.1)):,}–{int(reports.quantile(0.9)):,} "
            f"for the middle 80% of the reports"
            + (": its rates per 10,000 tokens rest on small counts, which is why the study reports raw counts beside every rate."
               if target_chars < reports.quantile(0.1) else "."))


def document_lengths(corpus, study: StudyParams) -> DocumentLengths:
    return DocumentLengths(list_documents(corpus.docs), study, filter_note(corpus))


@dataclass
class SectionLengths:
    """The target's characters per section, in reading order (``section``, ``section_path``, ``n_chars``)."""

    table: pd.DataFrame
    paragraphs: pd.DataFrame
    study: StudyParams
    filter_note: str

    def plot(self):
        from ..viz.corpus import plot_section_lengths
        from ..viz.style import add_caption
        study = self.study
        fig = plot_section_lengths(self.paragraphs, title=f"Sections of {study.short_label}").figure
        add_caption(fig, f"{study.title_name} ({study.target}). Normalised text: line breaks of the source joined, ASCII "
                    "punctuation made full-width, title block removed. Characters, not tokens; token counts elsewhere use "
                    "one filter. " + self.filter_note)
        return fig

    def describe(self) -> str:
        tops = self.table.assign(top=self.table["section_path"].fillna("").str.split(" > ").str[0])
        n_top = tops.loc[tops["top"] != "", "top"].nunique()
        opening = int(tops.loc[tops["top"] == "", "n_chars"].sum())
        return (f"**How to read it.** Bars follow {self.study.name} in reading order: {n_top} top-level part(s) and "
                f"{len(self.table) - n_top - (1 if opening else 0)} subsection(s)"
                + (f", after an opening of {opening:,} characters before the first heading (`（开场）`)" if opening else "")
                + ". Indented bars are subsections of the part above them, coloured like it.")


def section_lengths(corpus, study: StudyParams) -> SectionLengths:
    paragraphs = corpus.paragraphs[corpus.paragraphs["doc_id"] == study.target]
    table = paragraphs.groupby(["section", "section_path"], sort=False)["n_chars"].sum().reset_index()
    return SectionLengths(table, paragraphs, study, filter_note(corpus))


def normalisation_report(docs: pd.DataFrame) -> pd.DataFrame:
    """Characters removed as boilerplate, changed from Traditional to Simplified, and control or format
    characters removed, per collection (sum, max)."""
    removed = normalise_corpus(docs)
    return removed.groupby("collection", sort=False)[["boilerplate_chars", "simplified_chars", "control_chars"]].agg(
        ["sum", "max"])


@dataclass
class Repeats:
    """The target's later verbatim copies of passages (:func:`analysis.study.corpus.repeated_passages`)."""

    table: pd.DataFrame
    study: StudyParams
    min_chars: int

    COLUMNS = ["paragraph", "first_paragraph", "section", "length", "text"]

    def describe(self) -> str:
        repeats, n_chars = self.table, self.table.attrs["n_chars"]
        if repeats.empty:
            return (f"**No repeated passage.** {self.study.label} has no verbatim repeat of {self.min_chars} characters or "
                    f"more (all {n_chars:,} characters searched).")
        longest = repeats.sort_values(["length", "start"], ascending=[False, True]).iloc[0]
        return (f"**{len(repeats)} repeated passage(s)** of at least {self.min_chars} characters: "
                f"{int(repeats['length'].sum()):,} characters in all, {repeats.attrs['share']:.1%} of the {n_chars:,} "
                f"characters of {self.study.label}. The longest ({int(longest['length'])} characters, paragraph "
                f"{int(longest['paragraph'])}, first in paragraph {int(longest['first_paragraph'])}): "
                f"「{longest['text'][:60]}{'…' if len(longest['text']) > 60 else ''}」.")


def repeats(corpus, study: StudyParams, min_chars: int = 30) -> Repeats:
    return Repeats(repeated_passages(corpus, study.target, min_chars=min_chars), study, min_chars)


@dataclass
class LearnedTerms:
    """The terms learned from the corpus and kept (``keep == "yes"``), best score first, with ``n_target``:
    their nested occurrences in the target; ``n_learned`` counts the vetoed ones too."""

    kept: pd.DataFrame
    n_learned: int
    n_in_lexicon: int
    n_documents: int
    path: Path
    study: StudyParams

    @property
    def shown_path(self) -> Path:
        """The TSV's path relative to the project (absolute when the cache is elsewhere)."""
        try:
            return self.path.resolve().relative_to(config.PROJECT_DIR.resolve())
        except ValueError:  # a cache outside the project (ANALYSIS_CACHE_DIR)
            return self.path

    def top(self, n: int | None = None) -> pd.DataFrame:
        """The ``n`` best-scoring kept terms (all: ``None``) with their scores and counts."""
        return self.kept.head(n)[LEARNED_COLUMNS] if n is not None else self.kept[LEARNED_COLUMNS]

    def describe(self) -> str:
        kept = self.kept
        used = kept[kept["n_target"] > 0].sort_values(["n_target", "score"], ascending=[False, False])
        return (
            f"**{len(kept)} terms were learned** from the {self.n_documents} documents of this corpus"
            + (f" ({self.n_learned - len(kept)} vetoed)" if self.n_learned > len(kept) else "")
            + f"; {self.n_in_lexicon} of them are in the lexicon the segmenter uses. The highest-scoring are "
            f"{term_list([f'{r.term} ({r.count:,})' for r in kept.head(5).itertuples()])} (occurrences in the corpus). "
            f"{len(used)} of them occur in {self.study.label}, {int(used['n_target'].sum()):,} times in all (counted also "
            f"inside longer formulations)"
            + (f"; most often {term_list([f'{r.term} ({r.n_target})' for r in used.head(5).itertuples()])}" if len(used) else "")
            + f". Review or veto them in `{self.shown_path.as_posix()}` (column `keep`).")


def learned(corpus, study: StudyParams) -> LearnedTerms:
    table, path = learned_terms(corpus)
    kept = table[table["keep"] == "yes"].copy()
    in_target = term_matrix(corpus.paragraphs_of(study.target_mask), kept["term"].tolist(), corpus.segmenter.nesting)
    kept["n_target"] = [int(in_target[t].sum()) if t in in_target else 0 for t in kept["term"]]
    return LearnedTerms(kept, len(table), len(corpus.segmenter.lexicon.category("learned")), len(corpus.docs), path, study)
