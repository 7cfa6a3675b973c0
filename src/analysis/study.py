"""The study's parameters: which document is the target, which documents form its reference,
and the words every title, caption and file name uses for them.

Every notebook starts with

>>> study = resolve(corpus, target=TARGET, reference_collection=REFERENCE_COLLECTION,
...                 reference_years=REFERENCE_YEARS)

which accepts what papermill passes (``-p`` strings, ``-y`` YAML values, list-like strings such
as ``"[2010, 2020]"`` or ``"2010-2020"``, tuples, ``None``), fails with a message listing the
valid document ids, and applies the rules of the design:

* the reference collection defaults to the target's own collection; a target whose collection
  has no earlier document (the speech) defaults to the Government Work Reports (``gwr``);
* the reference years default to the ``window`` years before the target's year
  (``mode="keyness"``: 10, as the reference period of a keyness study) or to every earlier
  year (``mode="trend"``);
* the target itself is never in its reference, and neither is a document of the target's own
  collection dated after the target (a report cannot be compared with its successors as if
  they were its background).  Documents removed by these rules are listed in ``excluded``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import _check as check
from .errors import InputError

DEFAULT_COLLECTION = "gwr"
COLLECTION_NAMES = {  # collection → (one document, several documents)
    "gwr": ("Government Work Report", "Government Work Reports"),
    "cpc": ("CPC Congress report", "CPC Congress reports"),
    "speech": ("speech", "speeches"),
}
ORDINALS = {1: "st", 2: "nd", 3: "rd"}


def ordinal(n: int) -> str:
    """1 → '1st', 11 → '11th', 22 → '22nd'."""
    if 10 <= n % 100 <= 20:
        return f"{n}th"
    return f"{n}{ORDINALS.get(n % 10, 'th')}"


def collection_name(collection: str, plural: bool = True) -> str:
    """'gwr' → 'Government Work Reports'; an unknown collection keeps its own name."""
    one, many = COLLECTION_NAMES.get(collection, (f"{collection} document", f"{collection} documents"))
    return many if plural else one


# ------------------------------------------------------------------ parsing what papermill passes

_none_like = check.none_like


def parse_years(value: Any) -> tuple[int, int] | None:
    """A (first, last) year range from what a notebook parameter can hold.

    Accepts ``None``/``"None"`` (the default), a tuple or list of two years, one year, and the
    strings ``"[2010, 2020]"``, ``"(2010, 2020)"``, ``"2010-2020"``, ``"2010–2020"``,
    ``"2010:2020"``, ``"2010, 2020"`` and ``"2015"``.  Both ends are included.  (The package's
    one years parser, :func:`analysis._check.years`.)
    """
    return check.years(value, "REFERENCE_YEARS")


def parse_name(value: Any, what: str) -> str | None:
    """A document id or collection name: strips quotes and spaces; ``None``/``"None"`` → None."""
    if _none_like(value):
        return None
    if not isinstance(value, (str, int)):
        raise InputError(f"{what} {value!r}: give a name such as 'gwr2019'")
    return str(value).strip().strip("'\"")


# ------------------------------------------------------------------ labels

def document_name(row: pd.Series) -> str:
    """A reader's name for one document: 'the 2019 Government Work Report', 'the report to the
    20th CPC Congress (2022)', 'the speech (2025)'; other corpora: 'the document <title>'."""
    collection, year = row["collection"], row.get("year")
    has_year = year is not None and not pd.isna(year)
    if collection == "gwr" and has_year:
        return f"the {int(year)} Government Work Report"
    if collection == "cpc":
        congress = row.get("congress")
        if congress is not None and not pd.isna(congress):
            return f"the report to the {ordinal(int(congress))} CPC Congress" + (f" ({int(year)})" if has_year else "")
        return "the CPC Congress report" + (f" of {int(year)}" if has_year else "")
    if collection == "speech":
        return "the speech"
    title = row.get("title")
    title = title if isinstance(title, str) and title else row["doc_id"]
    return f"the document {title}" + (f" ({int(year)})" if has_year else "")


def capitalise(text: str) -> str:
    """Upper-case the first letter only ('the speech' → 'The speech')."""
    return text[:1].upper() + text[1:]


# ------------------------------------------------------------------ the study's parameters

@dataclass(frozen=True)
class StudyParams:
    """The resolved parameters of one study: target, reference and their labels.

    ``target_mask`` and ``reference_mask`` are boolean masks over ``corpus.documents`` (valid
    ``target``/``reference`` arguments of :func:`analysis.keyness.keyness`).
    """

    target: str
    target_collection: str
    target_year: int | None
    reference_collection: str
    reference_years: tuple[int, int]
    target_mask: np.ndarray = field(repr=False)
    reference_mask: np.ndarray = field(repr=False)
    reference_ids: tuple[str, ...]
    excluded: tuple[str, ...]
    name: str              # 'the 2019 Government Work Report'
    label: str             # 'the 2019 Government Work Report (gwr2019)'
    short_label: str       # 'gwr2019'
    reference_label: str   # 'Government Work Reports 2009–2018 (10 documents)'
    reference_short: str   # 'GWR 2009–2018'
    slug: str              # 'gwr2009-2018': the reference part of figure names
    is_speech: bool

    @property
    def title_name(self) -> str:
        """:attr:`name` with a capital letter, to start a title or sentence."""
        return capitalise(self.name)

    @property
    def possessive(self) -> str:
        """'the speech's', 'the 2019 Government Work Report's'."""
        return f"{self.name}'s"

    @property
    def n_reference(self) -> int:
        return int(self.reference_mask.sum())

    def describe(self) -> str:
        """One paragraph for the top of a notebook: target, reference and what the rules left out."""
        text = (f"**Target:** {self.label}. **Reference:** {self.reference_label}: "
                f"{', '.join(self.reference_ids)}.")
        if self.excluded:
            text += (f" Left out of the reference by the study's rules (the target itself and "
                     f"{collection_name(self.target_collection)} dated after it): {', '.join(self.excluded)}.")
        return text


def valid_ids_message(documents: pd.DataFrame) -> str:
    """Every document id of the corpus, grouped by collection, for an error message."""
    parts = []
    for collection, ids in documents.groupby("collection", sort=False)["doc_id"]:
        ids = sorted(ids.astype(str))
        parts.append(f"{collection}: {', '.join(ids)}")
    return f"valid ids ({len(documents)}): " + "; ".join(parts)


def _metadata(corpus) -> pd.DataFrame:
    """The documents table with title and congress number where the raw table has them."""
    documents = corpus.documents
    raw = getattr(corpus, "docs", None)
    if raw is None:
        return documents
    extra = [c for c in ("title", "congress") if c in raw.columns and c not in documents.columns]
    return documents.merge(raw[["doc_id", *extra]].drop_duplicates("doc_id"), on="doc_id", how="left") if extra else documents


def output_name(text: str, what: str = "figure name") -> str:
    """The file name :func:`save_and_show` and :func:`save_table` give a name built from document ids
    (:func:`analysis.figures.figure_name`: Chinese and ``[A-Za-z0-9_.-]`` kept, other characters
    ``-``); a path separator, ``..`` or nothing is an :class:`InputError` naming ``what``.
    :func:`resolve` calls it on the target and the names it leads to, before any computation."""
    from .figures import figure_name
    try:
        return figure_name(text, what)
    except InputError as exc:
        raise InputError(f"{exc}; the notebooks name their figures and tables after it") from None


def resolve(corpus, *, target: Any = "speech2025", reference_collection: Any = None, reference_years: Any = None,
            mode: str = "keyness", window: int = 10) -> StudyParams:
    """Resolve and validate a notebook's parameters against ``corpus`` (a :class:`SegmentedCorpus`
    or anything with a ``documents`` table of ``doc_id, collection, year``).

    ``mode="keyness"``: default reference years are the ``window`` years before the target's
    year; ``mode="trend"``: every earlier year.  Raises :class:`InputError` with the valid ids
    for an unknown target or collection, and when the reference ends up empty.
    """
    if mode not in ("keyness", "trend"):
        raise InputError(f"mode {mode!r}: use 'keyness' or 'trend'")
    documents = _metadata(corpus)
    target = parse_name(target, "TARGET")
    if target is None:
        raise InputError("TARGET is required: " + valid_ids_message(documents))
    ids = documents["doc_id"].astype(str)
    if target not in set(ids):
        raise InputError(f"unknown TARGET {target!r}; " + valid_ids_message(documents))
    output_name(target, "TARGET")
    row = documents[ids == target].iloc[0]
    t_collection = str(row["collection"])
    t_year = None if pd.isna(row["year"]) else int(row["year"])
    years = documents["year"]

    collection = parse_name(reference_collection, "REFERENCE_COLLECTION")
    collections = list(dict.fromkeys(documents["collection"].astype(str)))
    if collection is None:
        own = (documents["collection"] == t_collection) & (ids != target)
        if t_year is not None:
            own &= years.lt(t_year).fillna(False)
        collection = t_collection if own.any() or DEFAULT_COLLECTION not in collections else DEFAULT_COLLECTION
    if collection not in collections:
        raise InputError(f"unknown REFERENCE_COLLECTION {collection!r}; collections: {', '.join(collections)}")

    span = parse_years(reference_years)
    in_collection = (documents["collection"] == collection).to_numpy()
    if span is None:
        coll_years = years[in_collection].dropna()
        if t_year is None:
            span = (int(coll_years.min()), int(coll_years.max()))
        else:
            earliest = int(coll_years.min()) if len(coll_years) else t_year - 1
            span = (max(earliest, t_year - window) if mode == "keyness" else earliest, t_year - 1)
            if span[0] > span[1]:
                raise InputError(f"{target} ({t_year}) has no earlier {collection} document; "
                                 f"give REFERENCE_COLLECTION or REFERENCE_YEARS")
    in_span = years.between(*span).fillna(False).to_numpy(dtype=bool)
    candidates = in_collection & in_span
    is_target = (ids == target).to_numpy()
    later_own = (documents["collection"] == t_collection).to_numpy() & (
        years.gt(t_year).fillna(False).to_numpy(dtype=bool) if t_year is not None else np.zeros(len(documents), bool))
    dropped = candidates & (is_target | later_own)
    reference = candidates & ~dropped
    order = np.argsort(years.to_numpy(dtype=float, na_value=np.inf), kind="stable")
    if not reference.any():
        raise InputError(f"no reference documents for {target}: collection {collection!r}, years {span[0]}–{span[1]}"
                         + (f" (left out: {', '.join(ids[dropped])})" if dropped.any() else "")
                         + f"; collections: {', '.join(collections)}")
    ref_years = years[reference]
    n = int(reference.sum())
    plural = collection_name(collection, plural=n != 1)
    # Name by the years the reference documents actually have (not the requested span).
    shown = (int(ref_years.min()), int(ref_years.max())) if ref_years.notna().any() else span
    span_text = f"{shown[0]}" if shown[0] == shown[1] else f"{shown[0]}–{shown[1]}"
    abbreviation = collection.upper() if collection in COLLECTION_NAMES else collection
    name = document_name(row)
    slug = f"{collection}{shown[0]}-{shown[1]}" if shown[0] != shown[1] else f"{collection}{shown[0]}"
    output_name(f"{target}_vs_{slug}", "the figure names of TARGET and REFERENCE_COLLECTION")
    return StudyParams(
        target=target, target_collection=t_collection, target_year=t_year,
        reference_collection=collection, reference_years=shown,
        target_mask=is_target, reference_mask=reference,
        reference_ids=tuple(ids.iloc[order][reference[order]]), excluded=tuple(ids.iloc[order][dropped[order]]),
        name=name, label=f"{name} ({target})", short_label=target,
        reference_label=f"{plural} {span_text} ({n} document{'s' if n != 1 else ''})",
        reference_short=f"{abbreviation} {span_text}",
        slug=slug,
        is_speech=t_collection == "speech",
    )


def gap_years(years: pd.Series) -> list[int]:
    """Years inside the span of ``years`` without a document (gaps to be drawn as such)."""
    have = set(int(y) for y in years.dropna())
    return [y for y in range(min(have), max(have) + 1) if y not in have] if have else []


def year_ranges(years: list[int]) -> str:
    """[1961, 1962, 1963, 1966] → '1961–1963, 1966'."""
    out, run = [], []
    for y in sorted(years):
        if run and y == run[-1] + 1:
            run.append(y)
        else:
            if run:
                out.append(f"{run[0]}–{run[-1]}" if len(run) > 1 else str(run[0]))
            run = [y]
    if run:
        out.append(f"{run[0]}–{run[-1]}" if len(run) > 1 else str(run[0]))
    return ", ".join(out)


# ------------------------------------------------------------------ explorer

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
    from .concordance import kwic
    from .frequency import PER
    from .keyness import g2_statistic, keyness, log_ratio
    from .plots import plot_term_trend
    from .structure import section_label
    from .trends import term_trends

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
        row = pd.DataFrame({"term": [term], "n_target": [a], "n_reference": [b], "total_target": [c],
                            "total_reference": [d], "per_10k_target": [a / c * PER], "per_10k_reference": [b / d * PER],
                            "g2": [sign * float(g2_statistic(a, b, c, d))], "log_ratio": [float(log_ratio(a, b, c, d))],
                            "p_adj": [np.nan]})
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
    summary = (f"{term}: {int(r.n_target)} occurrence(s) in {study.label} ({r.per_10k_target:.1f} per 10,000 tokens) "
               f"and {int(r.n_reference)} in the {study.reference_label} ({r.per_10k_reference:.1f} per 10,000); "
               f"G² {r.g2:+.1f}, Log Ratio {r.log_ratio:+.1f}"
               + (f", p_adj {r.p_adj:.3g}" if pd.notna(r.p_adj) else ", not tested (fewer than "
                  f"{min_count} occurrences in target and reference together, or not a token)")
               + f". {n_lines} concordance line(s) in the target and the {trend.reference_label}.")
    if trends is None:
        summary += f" {term} is not a token anywhere in the series (segmented differently?): no trend."
    return {"term": term, "trend": trends, "keyness": row, "kwic": lines.head(max_lines).reset_index(drop=True)
            if max_lines else lines.reset_index(drop=True), "n_kwic": n_lines, "summary": summary, "figure": figure}


# ------------------------------------------------------------------ notebooks

def save_and_show(fig, name: str, table: pd.DataFrame | None = None, *, folder=None, dpi: int = 120) -> dict:
    """Save ``fig`` with :func:`analysis.figures.save_figure` (PNG, SVG and the table as CSV) and,
    in a notebook kernel, show it inline as a PNG (rendered at ``dpi``, whatever the matplotlib
    backend: papermill runs headless with ``agg``); then close it.  Returns the paths.  ``name`` may
    hold a document id as it is (``keyness_讲话 2024_vs_…``): it is made a file name by :func:`output_name`."""
    import inspect

    from .figures import save_figure
    # save_figure may show the chart itself in a kernel: ask it not to, the display here carries the
    # figure's name and words with the image (one image per chart).
    quiet = {"show": False} if "show" in inspect.signature(save_figure).parameters else {}
    name = output_name(name)
    paths = save_figure(fig, name, table, folder=folder, close=False, **quiet)
    show_figure(fig, dpi=dpi, name=name)
    return paths


def show_figure(fig, *, dpi: int = 120, name: str | None = None) -> None:
    """Show ``fig`` inline as a PNG when running in a notebook kernel (any matplotlib backend), then close it."""
    import io

    import matplotlib.pyplot as plt
    if _in_kernel():
        from IPython.display import Image, display
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=dpi)
        # The figure's words (titles, labels, legend, caption) travel with the output, so that a
        # reader or a test can check what it says without reading pixels.
        display(Image(data=buffer.getvalue(), format="png"), metadata={"analysis": {"name": name, "texts": figure_texts(fig)}})
    plt.close(fig)


def figure_texts(fig) -> list[str]:
    """Every non-empty text of ``fig``: titles, axis labels, tick labels, legends, annotations, caption
    (line breaks read as spaces: captions are wrapped at spaces to the figure's width)."""
    from matplotlib.text import Text
    return [t.get_text().replace("\n", " ") for t in fig.findobj(Text) if t.get_text().strip()]


def _in_kernel() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with the notebook dependencies
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def term_list(terms, limit: int | None = None) -> str:
    """'甲, 乙 and 丙' from a sequence of terms (the first ``limit`` of them)."""
    terms = [str(t) for t in terms][: limit or None]
    if not terms:
        return "none"
    return terms[0] if len(terms) == 1 else ", ".join(terms[:-1]) + " and " + terms[-1]


# ------------------------------------------------------------------ the corpus a notebook studies

def load_study_corpus(path: Any = None, **segmenter_options):
    """The study corpus (the speech, the Government Work Reports, the Congress reports), plus a
    researcher's documents at ``path`` when given — a folder of .txt files, a .jsonl or a .csv, read
    by :func:`analysis.corpus.load_corpus` — segmented by :func:`analysis.pipeline.prepare` (cached).

    The study corpus stays in, so that the reports remain available as a reference for one's own
    documents (``REFERENCE_COLLECTION="gwr"``).  A doc_id used by both is an error naming it.
    """
    import warnings

    from .corpus import load_corpus, load_default_corpus
    from .errors import CorpusWarning
    from .pipeline import prepare
    if _none_like(path):
        return prepare(**segmenter_options)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CorpusWarning)  # the NPC resolutions left out of the GWR collection
        study = load_default_corpus()
    mine = load_corpus(str(path).strip())
    clash = sorted(set(study["doc_id"]) & set(mine["doc_id"]))
    if clash:
        raise InputError(f"{path}: doc_id(s) already used by the study corpus: {clash}; rename them")
    return prepare(pd.concat([study, mine], ignore_index=True), **segmenter_options)


# ------------------------------------------------------------------ notebook 4 and 5 helpers (appended)

def links_in_repeats(edges: pd.DataFrame, text: str, *, min_chars: int = 30) -> pd.DataFrame:
    """``edges`` (a :func:`analysis.collocations.cooccurrence` table) with ``n_repeats``: how many
    verbatim repeated passages of ``text`` (:func:`analysis.repeats.find_repeats`, at least
    ``min_chars`` characters) hold both terms of the link, and ``repeat_chars``: the length of the
    longest such passage (0 when none).  A link found only because a passage is repeated word for
    word is counted twice without two independent uses."""
    from .repeats import find_repeats
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


# ------------------------------------------------------------------ distinctiveness (notebooks 01 and 03)

def filter_note(corpus) -> str:
    """The sentence every chart caption of the study ends with: ``Filter: <the corpus's filter>.``"""
    return f"Filter: {corpus.filter.name}."


def repeated_passages(corpus, doc_id: str, min_chars: int = 30) -> pd.DataFrame:
    """Later verbatim copies of passages of ≥ ``min_chars`` characters in one document's normalised
    text (:func:`analysis.repeats.find_repeats`), each located: ``paragraph`` and ``first_paragraph``
    (1-based paragraph numbers of the copy and of the earlier occurrence), ``section`` (the
    copy's section label), then ``length``, ``text`` and the character offsets.  ``attrs``:
    ``n_chars`` (the text's length) and ``share`` (characters in later copies / all characters)."""
    from .repeats import find_repeats
    from .structure import section_label
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
    """The terms :func:`analysis.pipeline.prepare` learned from ``corpus``'s documents (cached
    TSV, read back; see :func:`analysis.learn.learned_table`), best score first, with a ``target``
    count column left to the caller, and the TSV's path (set ``keep`` to ``no`` there to veto)."""
    if corpus.learned is not None:  # the table prepare() used
        table, path = corpus.learned
    else:
        from .learn import learned_table
        from .lexicon import Lexicon
        from .pipeline import STUDY_LEARN
        table, path = learned_table(list(corpus.docs["text"]), Lexicon.load(), **STUDY_LEARN)
    table = table.sort_values(["score", "term"], ascending=[False, True], kind="stable").reset_index(drop=True)
    return table, path


def lr_text(row) -> str:
    """Log Ratio as printed beside a count: '≥+6.1' where the reference count is 0 (Hardie's 0.5
    substitution makes it a lower bound), '≤−2.0' where the target count is 0, else '+1.3'."""
    bound = {"lower bound": "≥", "upper bound": "≤"}.get(getattr(row, "lr_bound", "") or "", "")
    return f"{bound}{row.log_ratio:+.1f}".replace("-", "−")


def plot_key_terms(table: pd.DataFrame, n: int = 15, *, ax=None, title: str | None = None, target_label: str = "target",
                   reference_label: str = "reference", alpha: float = 0.05, min_units: int = 2):
    """Log Ratio with its paragraph-bootstrap interval for the terms the keyness rule calls key
    (:func:`analysis.keyness.key_terms`: p_adj < ``alpha``, interval excluding 0, ≥ ``min_units``
    paragraphs for over-use): ``n`` over-used (top) and ``n`` under-used (bottom).  Each row is
    annotated with Log Ratio (≥/≤ where it is a bound), G², the counts target/reference and the
    paragraphs of the target using the term (¶).  Colours: Tol's muted palette (colour-blind safe)."""
    from matplotlib.lines import Line2D
    from matplotlib.transforms import blended_transform_factory

    from .keyness import key_terms
    from .plots import MUTED, PAGE_WIDTH, _axes, _legend_below
    over = key_terms(table, n, alpha=alpha, min_units=min_units)
    under = key_terms(table, n, alpha=alpha, min_units=min_units, direction="under")
    rows = pd.concat([under.iloc[::-1], over.iloc[::-1]], ignore_index=True)  # bottom to top
    ax = _axes(ax, (PAGE_WIDTH - 0.3, 0.27 * max(len(rows), 2) + 1.6))
    ax.set_title(title or "Key terms", fontsize=10)
    if rows.empty:
        ax.text(0.5, 0.5, f"no term is key (p_adj < {alpha}, bootstrap interval excluding 0, ≥ {min_units} paragraphs)",
                ha="center", va="center", transform=ax.transAxes, fontsize=9)
        ax.set_axis_off()
        return ax
    y = np.arange(len(rows))
    colors = [MUTED[6] if g > 0 else MUTED[0] for g in rows["g2"]]
    lr, low, high = rows["log_ratio"].to_numpy(float), rows["lr_ci_low"].to_numpy(float), rows["lr_ci_high"].to_numpy(float)
    finite = np.r_[lr, low[np.isfinite(low)], high[np.isfinite(high)], 0.0]
    lo_edge, hi_edge = float(finite.min()), float(finite.max())
    span = hi_edge - lo_edge or 1.0
    left = lo_edge - 0.05 * span
    # An interval that is unbounded (a resample without the term: Log Ratio −∞) runs to the axis edge.
    ax.hlines(y, np.where(np.isfinite(low), np.minimum(low, lr), left), np.where(np.isfinite(high), np.maximum(high, lr), hi_edge),
              color=colors, lw=2.2, alpha=0.55)
    ax.scatter(lr, y, color=colors, zorder=3, s=22)
    ax.set_yticks(y, rows["term"], fontsize=8.5)
    ax.axvline(0, color="#333333", lw=0.8)
    ax.set_xlim(left, hi_edge + 0.05 * span)
    column = blended_transform_factory(ax.transAxes, ax.transData)  # annotations in a column right of the plot

    def _ci(value: float) -> str:
        return ("−∞" if value < 0 else "+∞") if not np.isfinite(value) else f"{value:+.1f}".replace("-", "−")
    for yi, r in zip(y, rows.itertuples()):
        note = (f"{lr_text(r)} [{_ci(r.lr_ci_low)}, {_ci(r.lr_ci_high)}] · G² {abs(r.g2):.1f} · "
                f"{r.n_target}/{r.n_reference} · {int(r.n_units_target)} ¶")
        ax.text(1.02, yi, note, transform=column, va="center", ha="left", fontsize=7.5, color="#333333", clip_on=False)
    ax.set_xlabel("Log Ratio (log2 of the rate ratio) with its 95% paragraph-bootstrap interval", fontsize=8.5)
    ax.tick_params(axis="x", labelsize=8)
    handles = [Line2D([], [], color=MUTED[6], marker="o", lw=2, label=f"more frequent in {target_label} ({len(over)})"),
               Line2D([], [], color=MUTED[0], marker="o", lw=2, label=f"more frequent in {reference_label} ({len(under)})")]
    _legend_below(ax, handles, ncols=2, fontsize=7.5)
    return ax


def plot_family_keyness(table: pd.DataFrame, *, ax=None, title: str | None = None, alpha: float = 0.05):
    """One bar per dictionary category (:func:`analysis.dictionary.category_keyness`): Log Ratio of the
    pooled family, darker where p_adj < ``alpha``; annotated with G², the counts target/reference
    and the family's rank among single terms.  Tol's muted palette."""
    from matplotlib.patches import Patch

    from .plots import MUTED, PAGE_WIDTH, _axes, _legend_below
    rows = table.iloc[::-1].reset_index(drop=True)
    ax = _axes(ax, (PAGE_WIDTH - 0.3, 0.4 * len(rows) + 1.8))
    sig = rows["p_adj"].to_numpy() < alpha
    colors = [(MUTED[6] if g > 0 else MUTED[0]) if s else "#DDDDDD" for g, s in zip(rows["g2"], sig)]
    y = np.arange(len(rows))
    ax.barh(y, rows["log_ratio"], color=colors)
    ax.set_yticks(y, rows["category"], fontsize=9)
    ax.axvline(0, color="#333333", lw=0.8)
    lo, hi = min(0.0, rows["log_ratio"].min()), max(0.0, rows["log_ratio"].max())
    span = (hi - lo) or 1.0
    ax.set_xlim(lo - 0.05 * span, hi + 1.1 * span)
    for yi, r in zip(y, rows.itertuples()):
        rank = f" · rank {r.rank_among_terms}/{r.n_terms}" if hasattr(r, "rank_among_terms") else ""
        ax.text(max(r.log_ratio, 0) + 0.03 * span, yi, f"G² {r.g2:+.1f} · {r.n_target}/{r.n_reference} · p_adj {r.p_adj:.2g}{rank}",
                va="center", ha="left", fontsize=7.5, color="#333333")
    ax.set_xlabel("Log Ratio of the pooled family (log2 of the rate ratio)", fontsize=8.5)
    _legend_below(ax, ncols=3, fontsize=7.5, handles=[Patch(color=MUTED[6], label="over-used, p_adj < %g" % alpha),
                       Patch(color=MUTED[0], label="under-used, p_adj < %g" % alpha),
                       Patch(color="#DDDDDD", label="not significant")])
    ax.set_title(title or "Term families", fontsize=10)
    return ax


def save_table(table: pd.DataFrame, name: str, *, folder=None) -> dict:
    """Write a table without a chart as ``folder/name.csv`` (default folder: the project's figures/),
    atomically (:func:`analysis.export.write_table`), so prose about it can be checked against it."""
    from pathlib import Path

    from . import config
    from .export import write_table
    name = output_name(name, "table name")
    folder = Path(folder) if folder is not None else config.FIGURES_DIR
    folder.mkdir(parents=True, exist_ok=True)
    return write_table(table, folder / name, ("csv",))
