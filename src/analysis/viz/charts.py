"""Charts drawn from the package's tables.

Every function takes a table a statistic returned and an optional ``ax`` (or ``fig`` for
multi-panel charts), draws, and returns the Axes.  None of them saves anything: use
:func:`analysis.figures.save_figure`.  Rates are per 10,000 tokens; the target (the speech)
is drawn in :data:`TARGET_COLOR`, the reference in :data:`REFERENCE_COLOR`.
"""

from __future__ import annotations

import math
import unicodedata
from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.patches import Patch
from matplotlib.ticker import NullFormatter
from matplotlib.transforms import offset_copy

from .fonts import cjk_font_path, setup_matplotlib

TARGET_COLOR = "#c0392b"
REFERENCE_COLOR = "#2c7fb8"
OTHER_COLOR = "#7a7a7a"
GAP_COLOR = "#eeeeee"
#: Categorical colours, colour-blind safe: Okabe & Ito (2008), "Color Universal Design", without black.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442"]
#: Paul Tol's "muted" qualitative scheme (https://personal.sron.nl/~pault/), nine colours,
#: colour-blind safe; more categories than this are grouped into "other" (:data:`OTHER_FILL`).
MUTED = ["#332288", "#88CCEE", "#44AA99", "#117733", "#999933", "#DDCC77", "#CC6677", "#882255", "#AA4499"]
OTHER_FILL = "#DDDDDD"
#: Widest figure, in inches: a page of text (8.5 × 11 in less margins) at 300 dpi.
PAGE_WIDTH = 7.5
MEASURE_NAMES = {"g2": "G²", "chi2": "χ²", "log_ratio": "Log Ratio"}


def _axes(ax=None, figsize=(PAGE_WIDTH, 4.5)):
    setup_matplotlib()
    if ax is None:
        _, ax = plt.subplots(figsize=(min(figsize[0], PAGE_WIDTH), figsize[1]), layout="constrained")
    return ax


def _legend_below(ax, handles=None, *, ncols: int = 3, fontsize: float = 8.5):
    """The legend under the Axes, below the x label: outside the data and clear of the title.
    (A figure-level "outside" legend is not used: ``savefig(bbox_inches="tight")`` re-runs the
    layout on the enlarged box and moves it onto the caption.)"""
    handles = handles if handles is not None else ax.get_legend_handles_labels()[0]
    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    box = ax.get_window_extent(renderer)
    lowest = min([box.y0] + [t.get_window_extent(renderer).y0 for t in [ax.xaxis.label, *ax.get_xticklabels()]
                             if t.get_visible() and t.get_text()])
    # Anchored in points below the axes' bottom edge: stays clear of the x label when the layout
    # later shrinks the axes to make room for the legend itself.
    below = (box.y0 - lowest) * 72 / fig.dpi + 3
    anchor = offset_copy(ax.transAxes, fig=fig, y=-below, units="points")
    return ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0), bbox_transform=anchor,
                     ncols=ncols, frameon=False, fontsize=fontsize)


def is_intermittent(years: pd.Series) -> bool:
    """True when documents come at intervals (Congress reports, every ~5 years): fewer than half of
    the years of the span have one.  Such a series is drawn as connected points; an annual series
    keeps its missing years as gaps in the line."""
    have = pd.Series(years).dropna().astype(int)
    if len(have) < 2:
        return False
    return have.nunique() < 0.5 * (have.max() - have.min() + 1)


def add_caption(fig, text: str, *, fontsize: float = 8.5) -> None:
    """A source / reference-period note under the figure, below everything already drawn (a legend
    placed under the axes included: the layout is run first to know where the figure ends)."""
    fig.canvas.draw()
    bottom = fig.get_tightbbox(fig.canvas.get_renderer()).y0 / fig.get_figheight()
    # Wrapped here, to the figure's width, rather than by matplotlib (whose wrapping is not seen by a
    # tight bounding box, so a long first line could be cut at the right edge of the saved file).
    fig.text(0.01, min(-0.01, bottom - 0.01), wrap_text(text, fig.get_figwidth() * 0.97, fontsize), ha="left",
             va="top", fontsize=fontsize, color="#555555")


def _display_width(word: str) -> float:
    """Width of ``word`` in ems: a wide (CJK) character 1, anything else about half."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.52 for ch in word)


def wrap_text(text: str, width_in: float, fontsize: float) -> str:
    """``text`` broken into lines that fit ``width_in`` inches at ``fontsize`` points (greedy, at spaces)."""
    budget = width_in * 72 / fontsize
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}" if line else word
            if line and _display_width(candidate) > budget:
                lines.append(line)
                candidate = word
            line = candidate
        lines.append(line)
    return "\n".join(lines)


# ------------------------------------------------------------------ corpus overview

def plot_document_lengths(docs: pd.DataFrame, *, value: str = "characters", ax=None, title: str | None = None,
                          target: str | None = None):
    """Length of each document by year: Government Work Reports as bars, Congress reports
    as stems, the speech as a star; years inside the span of the bar series (``series``
    collection) without a document of it in the corpus are shaded as gaps.  ``target`` (a
    doc_id) is ringed in the target colour."""
    ax = _axes(ax, (PAGE_WIDTH, 3.8))
    docs = docs[docs["year"].notna()].copy()
    docs["year"] = docs["year"].astype(int)
    scale = 1000
    years = range(docs["year"].min(), docs["year"].max() + 1)
    series = docs[docs["collection"] == "gwr"]["year"]
    gaps = [y for y in range(series.min(), series.max() + 1) if y not in set(series)] if len(series) else []
    for y in gaps:
        ax.axvspan(y - 0.5, y + 0.5, color=GAP_COLOR, zorder=0, lw=0)
    styles = {"gwr": ("bar", REFERENCE_COLOR, "Government Work Report 政府工作报告"),
              "cpc": ("stem", OTHER_COLOR, "CPC Congress report 党代会报告"),
              "speech": ("star", TARGET_COLOR, "speech 讲话")}
    for collection, part in docs.groupby("collection", sort=False):
        kind, color, label = styles.get(collection, ("stem", PALETTE[4], collection))
        values = part[value] / scale
        if kind == "bar":
            ax.bar(part["year"], values, width=0.8, color=color, label=label, zorder=2)
        elif kind == "stem":
            ax.vlines(part["year"], 0, values, color=color, lw=1.2, zorder=3)
            ax.plot(part["year"], values, "o", color=color, ms=5, label=label, zorder=3)
        else:
            ax.plot(part["year"], values, "*", color=color, ms=16, label=label, zorder=4, mec="white")
    if target is not None and (docs["doc_id"] == target).any():
        row = docs[docs["doc_id"] == target].iloc[0]
        ax.plot(row["year"], row[value] / scale, "o", ms=13, mfc="none", mec=TARGET_COLOR, mew=2, zorder=5,
                label=f"target: {target}")
    handles, _ = ax.get_legend_handles_labels()
    if gaps:
        handles.append(Patch(color=GAP_COLOR, label="no Government Work Report in the corpus"))
    ax.set_xlim(min(years) - 1, max(years) + 1)
    ax.set_ylabel(f"length (thousand {value})")
    ax.set_xlabel("year")
    _legend_below(ax, handles, ncols=3, fontsize=8)
    ax.set_title(title or "Documents in the corpus, by year and length")
    return ax


def plot_section_lengths(paragraphs: pd.DataFrame, *, ax=None, title: str | None = None, max_bars: int = 30):
    """Characters in each section and subsection of one document (a paragraph table), coloured by
    top-level section, in reading order.  With more than ``max_bars`` bars only the top-level
    sections are drawn (a long report has dozens of subsections: the chart must fit a page); with
    more top-level sections than colours, one colour (the labels name them)."""
    from ..text.structure import section_label
    def part_of(path: str, depth: int) -> str:
        return " > ".join(section_label(s) for s in path.split(" > ")[:depth]) if path else "（开场）"
    sizes = paragraphs.groupby(paragraphs["section_path"].map(lambda p: part_of(p, 2)), sort=False)["n_chars"].sum()
    aggregated = len(sizes) > max_bars
    if aggregated:
        sizes = paragraphs.groupby(paragraphs["section_path"].map(lambda p: part_of(p, 1)), sort=False)["n_chars"].sum()
    ax = _axes(ax, (PAGE_WIDTH, min(9.0, max(3.0, 0.22 * len(sizes) + 1.8))))
    tops = [p.split(" > ")[0] for p in sizes.index]
    distinct = list(dict.fromkeys(tops))
    colored = len(distinct) <= len(PALETTE)
    colors = {t: PALETTE[i % len(PALETTE)] if colored else REFERENCE_COLOR for i, t in enumerate(distinct)}
    labels = [p.split(" > ")[-1] if " > " in p else p for p in sizes.index]
    y = np.arange(len(sizes))[::-1]
    ax.barh(y, sizes.to_numpy(), color=[colors[t] for t in tops])
    ax.set_yticks(y, [("└ " if " > " in p else "") + l for p, l in zip(sizes.index, labels)],
                  fontsize=10 if len(sizes) <= 20 else 8)
    ax.set_xlabel("characters (normalised text)")
    if colored and len(distinct) < len(sizes):
        _legend_below(ax, [Patch(color=c, label=t) for t, c in colors.items()], ncols=2)
    ax.set_title((title or "Sections of the document") + (" (top-level parts)" if aggregated else ""))
    return ax


# ------------------------------------------------------------------ frequency

def plot_top_terms(freq: pd.DataFrame, n: int = 20, *, value: str = "per_10k", ax=None, color: str = TARGET_COLOR,
                   xlabel: str = "occurrences per 10,000 tokens (raw count at bar end)", title: str | None = None):
    """Horizontal bars of the ``n`` top-ranked terms of a one-group table (:func:`term_frequency`, or
    :func:`tfidf` with ``value="tfidf"``), the raw count at the end of each bar."""
    ax = _axes(ax, (6.5, 0.28 * n + 1.4))
    top = freq.sort_values("rank").head(n).iloc[::-1]
    bars = ax.barh(top["term"], top[value], color=color)
    for bar, count in zip(bars, top["count"]):
        ax.text(bar.get_width(), bar.get_y() + bar.get_height() / 2, f" {count}", va="center", fontsize=8.5, color="#333333")
    ax.set_xlabel(xlabel)
    ax.set_title(title or f"Top {n} terms")
    ax.margins(x=0.12)
    return ax


def plot_rate_comparison(table: pd.DataFrame, *, ax=None, target_label: str = "speech", reference_label: str = "reference",
                         title: str | None = None):
    """Dumbbell chart: each term's rate in the target and in the reference (columns
    ``term, per_10k_target, per_10k_reference`` as in a keyness table), on a log scale."""
    ax = _axes(ax, (PAGE_WIDTH, 0.3 * len(table) + 1.8))
    t = table.iloc[::-1].reset_index(drop=True)
    rates = pd.concat([t["per_10k_target"], t["per_10k_reference"]])
    positive = rates[rates > 0]
    # A log axis has no zero: zeros sit on their own tick labelled "0", half a decade left of the
    # smallest rate, and the axis is marked as broken there (no value is invented).
    low = 10 ** np.floor(np.log10(positive.min())) if len(positive) else 0.1
    zero_at = low / 3
    tgt = t["per_10k_target"].where(t["per_10k_target"] > 0, zero_at)
    ref = t["per_10k_reference"].where(t["per_10k_reference"] > 0, zero_at)
    y = np.arange(len(t))
    ax.hlines(y, np.minimum(tgt, ref), np.maximum(tgt, ref), color="#bbbbbb", lw=2, zorder=1)
    ax.scatter(ref, y, color=REFERENCE_COLOR, s=36, zorder=2, label=reference_label)
    ax.scatter(tgt, y, color=TARGET_COLOR, s=36, zorder=3, label=target_label)
    zero = (t["per_10k_reference"] == 0).to_numpy()
    if zero.any():
        ax.scatter(ref[zero], y[zero], facecolor="white", edgecolor=REFERENCE_COLOR, s=36, zorder=4,
                   label="absent from the reference (0)")
    ax.set_yticks(y, t["term"])
    ax.set_xscale("log")
    ax.set_xlim(zero_at / 1.6, None)
    high = 10 ** np.ceil(np.log10(positive.max())) if len(positive) else 10
    decades = [10.0 ** k for k in range(int(np.log10(low)), int(np.log10(high)) + 1)]
    ax.set_xlim(zero_at / 1.6, high)
    ax.xaxis.set_minor_formatter(NullFormatter())
    if (rates == 0).any():
        ax.axvspan(zero_at / 1.6, zero_at * 1.6, color="#f4f4f4", zorder=0, lw=0)
        ax.plot([zero_at * 1.75], [0], marker=(2, 0, -60), transform=ax.get_xaxis_transform(), ms=9, color="#333333",
                clip_on=False)
        ax.set_xticks([zero_at, *decades], ["0", *[f"{v:g}" for v in decades]])
        ax.set_xlabel("occurrences per 10,000 tokens (log scale; 0 drawn apart at the left)")
    else:
        ax.set_xlim(low, high)
        ax.set_xticks(decades, [f"{v:g}" for v in decades])
        ax.set_xlabel("occurrences per 10,000 tokens (log scale)")
    _legend_below(ax)
    ax.set_title(title or "Rates in the target and the reference")
    return ax


# ------------------------------------------------------------------ keyness

def plot_keyness(table: pd.DataFrame, n: int = 15, *, ax=None, target_label: str = "speech",
                 reference_label: str = "reference", alpha: float = 0.05, title: str | None = None):
    """Diverging bars of signed G²: the ``n`` most over-used terms (target colour, right) and the
    ``n`` most under-used (reference colour, left), significant after correction (``p_adj < alpha``).
    Each bar is annotated with its Log Ratio (effect size) and raw counts target/reference."""
    sig = table[table["p_adj"] < alpha] if "p_adj" in table else table
    over = sig[sig["g2"] > 0].sort_values(["g2", "term"], ascending=[False, True], kind="stable").head(n)
    under = sig[sig["g2"] < 0].sort_values(["g2", "term"], kind="stable").head(n)
    rows = pd.concat([under, over.iloc[::-1]])  # bottom to top: most under-used … most over-used
    ax = _axes(ax, (PAGE_WIDTH, 0.28 * len(rows) + 1.8))
    if rows.empty:
        ax.text(0.5, 0.5, f"no term is significant at p_adj < {alpha}", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        ax.set_title(title or "Key terms")
        return ax
    colors = [TARGET_COLOR if g > 0 else REFERENCE_COLOR for g in rows["g2"]]
    y = np.arange(len(rows))
    ax.barh(y, rows["g2"], color=colors)
    ax.set_yticks(y, rows["term"])
    span = over["g2"].max() if len(over) else 1
    under_span = -under["g2"].min() if len(under) else 0
    for yi, row in zip(y, rows.itertuples()):
        note = f" LR {row.log_ratio:+.1f} · {row.n_target}/{row.n_reference}"
        # Over-used: note after the bar's end; under-used: note right of zero, where the row is empty.
        ax.text((row.g2 if row.g2 > 0 else 0) + 0.01 * span, yi, note, va="center", ha="left", fontsize=8, color="#333333")
    ax.axvline(0, color="#333333", lw=0.8)
    ax.set_xlim(-1.1 * under_span if len(under) else 0, 1.45 * max(span, under_span))
    ax.set_xlabel("signed log-likelihood G² (+ over-used in the target, − under-used)")
    _legend_below(ax, [Patch(color=TARGET_COLOR, label=f"more frequent in {target_label} ({len(over)} shown)"),
                       Patch(color=REFERENCE_COLOR, label=f"more frequent in {reference_label} ({len(under)} shown)")],
                  ncols=1)
    ax.set_title(title or "Key terms")
    return ax


# ------------------------------------------------------------------ word clouds

#: Pixels of white space around each word, so neighbours never read as one compound.
CLOUD_MARGIN = 40


def _wordcloud(frequencies: dict[str, float], color_func=None, width=1500, height=900, seed=0):
    from wordcloud import WordCloud
    cloud = WordCloud(font_path=str(cjk_font_path()), width=width, height=height, background_color="white",
                      random_state=seed, prefer_horizontal=1.0, collocations=False, color_func=color_func,
                      max_words=len(frequencies), relative_scaling=0.5, margin=CLOUD_MARGIN)
    return cloud.generate_from_frequencies(frequencies)


def plot_wordcloud(freq: pd.DataFrame | pd.Series, *, n: int = 80, ax=None, colormap: str = "Reds", seed: int = 0,
                   title: str | None = None):
    """Word cloud of the ``n`` most frequent terms (a frequency table with ``term, count`` or a Series)."""
    ax = _axes(ax, (PAGE_WIDTH, 4.8))
    if isinstance(freq, pd.DataFrame):
        freq = freq.set_index("term")["count"]
    top = freq.sort_values(ascending=False).head(n)
    cmap = plt.get_cmap(colormap)
    ranks = {t: i / max(len(top) - 1, 1) for i, t in enumerate(top.index)}
    color = lambda word, **_: tuple(int(255 * c) for c in cmap(0.95 - 0.5 * ranks.get(word, 1))[:3])  # noqa: E731
    ax.imshow(_wordcloud(top.to_dict(), color, seed=seed), interpolation="bilinear")
    ax.set_axis_off()
    ax.set_title(title or f"{n} most frequent terms (size ∝ count)")
    return ax


def plot_comparison_cloud(table: pd.DataFrame, *, n: int = 40, ax=None, alpha: float = 0.05, seed: int = 0,
                          target_label: str = "speech", reference_label: str = "reference", title: str | None = None):
    """Comparison cloud from a keyness table: over-used terms in the target colour, under-used in
    the reference colour, size proportional to |G²|."""
    ax = _axes(ax, (PAGE_WIDTH, 5.0))
    sig = table[table["p_adj"] < alpha]
    over = sig[sig["g2"] > 0].sort_values(["g2", "term"], ascending=[False, True], kind="stable").head(n)
    under = sig[sig["g2"] < 0].sort_values(["g2", "term"], kind="stable").head(n)
    weights = {**dict(zip(over["term"], over["g2"])), **dict(zip(under["term"], -under["g2"]))}
    side = {**{t: TARGET_COLOR for t in over["term"]}, **{t: REFERENCE_COLOR for t in under["term"]}}
    if weights:
        ax.imshow(_wordcloud(weights, lambda word, **_: side[word], seed=seed), interpolation="bilinear")
    else:
        ax.text(0.5, 0.5, f"no term is significant at p_adj < {alpha}", ha="center", va="center", transform=ax.transAxes)
    ax.set_axis_off()
    n_over, n_under = int((sig["g2"] > 0).sum()), int((sig["g2"] < 0).sum())
    _legend_below(ax, [Patch(color=TARGET_COLOR, label=f"over-used in {target_label}: {len(over)} of {n_over} significant"),
                       Patch(color=REFERENCE_COLOR, label=f"under-used (more frequent in {reference_label}): "
                                                          f"{len(under)} of {n_under} significant")], ncols=1)
    ax.set_title(title or f"Key terms of {target_label} against {reference_label}, size ∝ |G²|")
    return ax


# ------------------------------------------------------------------ change over time

#: Years with this many occurrences or fewer are drawn as points, not joined into the line:
#: a single occurrence in a short report would otherwise read as a spike of "use".
SPARSE_COUNT = 2


def _draw_series(ax, r: pd.DataFrame, color: str = REFERENCE_COLOR) -> None:
    """One term's reference series on ``ax``, rate per 10,000 tokens per year.

    Years with more than SPARSE_COUNT occurrences are filled points, joined by a line where
    consecutive documents both are; years with 1–SPARSE_COUNT occurrences are open points, never
    joined (one mention in a short report is not a spike of use); years with documents but no
    occurrence are small grey ticks on zero; years without a document in the corpus are left out
    (an annual series shows them as breaks; a series published at intervals, such as the
    Congress reports, is joined across them)."""
    r = r.sort_values("year")
    x = r["year"].astype(float).to_numpy()
    rate = r["per_10k"].astype(float).to_numpy(na_value=np.nan)
    count = r["count"].astype(float).to_numpy(na_value=np.nan)
    if is_intermittent(r.loc[r["count"].notna(), "year"]):
        keep = ~np.isnan(rate)
        x, rate, count = x[keep], rate[keep], count[keep]
    many = count > SPARSE_COUNT
    few = (count >= 1) & (count <= SPARSE_COUNT)
    none = count == 0
    ax.plot(x, np.where(many, rate, np.nan), color=color, lw=1.3)
    ax.plot(x[many], rate[many], "o", color=color, ms=3)
    ax.plot(x[few], rate[few], "o", mfc="white", mec=color, ms=4, mew=1)
    ax.plot(x[none], rate[none], "|", color="#aaaaaa", ms=4)


def plot_trend_panels(trends: pd.DataFrame, *, ncols: int = 3, fig=None, sharey: bool = False, title: str | None = None,
                      target_label: str | None = None):
    """Small multiples, one panel per term: the rate per 10,000 tokens per year of the reference
    series (see :func:`_draw_series` for gaps and sparse years), the target's rate as a star, and
    in each panel's title the raw counts (reference total / target)."""
    setup_matplotlib()
    terms = list(dict.fromkeys(trends["term"]))
    nrows = math.ceil(len(terms) / ncols)
    if fig is None:
        fig = plt.figure(figsize=(PAGE_WIDTH, 1.9 * nrows + 0.9), layout="constrained")
    axes = fig.subplots(nrows, ncols, sharex=True, sharey=sharey, squeeze=False).ravel()
    ref = trends[trends["series"] == "reference"]
    tgt = trends[trends["series"] != "reference"]
    for ax, term in zip(axes, terms):
        r = ref[ref["term"] == term]
        _draw_series(ax, r)
        t = tgt[tgt["term"] == term]
        ref_max = float(np.nanmax(r["per_10k"].astype(float).to_numpy(na_value=np.nan))) if r["per_10k"].notna().any() else 0.0
        head = f"{term}  ({int(r['count'].fillna(0).sum()):,}"
        if len(t):
            x, value = float(t["year"].iloc[0]) + 0.6, float(t["per_10k"].iloc[0])
            head += f" / {int(t['count'].iloc[0])}"
            if not sharey and ref_max > 0 and value > 2.5 * ref_max:
                # The target would flatten the series: cap the axis, pin the star to the top, print its value.
                top = 1.35 * ref_max
                ax.set_ylim(-0.04 * top, top)
                ax.plot(x, 0.93 * top, "*", color=TARGET_COLOR, ms=11, mec="white", clip_on=False)
                ax.annotate(f"{value:.0f} ↑", (x, 0.93 * top), textcoords="offset points", xytext=(-8, 0), ha="right",
                            va="center", fontsize=7.5, color=TARGET_COLOR)
            else:
                ax.plot(x, value, "*", color=TARGET_COLOR, ms=11, mec="white")
        ax.set_title(head + ")", fontsize=9.5)
        ax.grid(axis="y", color="#eeeeee")
        ax.tick_params(labelsize=7.5)
    for ax in axes[len(terms):]:
        ax.set_visible(False)
    for ax in axes[::ncols]:
        ax.set_ylabel("per 10,000 tokens", fontsize=8)
    handles = [plt.Line2D([], [], color=REFERENCE_COLOR, marker="o", ms=3, lw=1.3,
                          label=f"reference, year with > {SPARSE_COUNT} occurrences"),
               plt.Line2D([], [], color=REFERENCE_COLOR, marker="o", mfc="white", ms=4, lw=0,
                          label=f"1–{SPARSE_COUNT} occurrences"),
               plt.Line2D([], [], color="#aaaaaa", marker="|", ms=5, lw=0, label="none (document without the term)")]
    if len(tgt):
        handles.append(plt.Line2D([], [], color=TARGET_COLOR, marker="*", ms=10, lw=0, mec="white",
                                  label=target_label or str(tgt["series"].iloc[0])))
    # The title goes in the legend's title: a suptitle and an "outside" figure legend overlap.
    head = (title + "\n" if title else "") + "panel title: term (occurrences in the reference / in the target)"
    fig.legend(handles=handles, loc="outside upper center", ncols=4, frameon=False, fontsize=7.5, title=head,
               title_fontproperties={"size": 10})
    return axes[: len(terms)]


def plot_term_trend(trends: pd.DataFrame, *, ax=None, target_label: str | None = None, title: str | None = None):
    """One term's trend (a :func:`term_trends` table for one term): rate per year, counts as labels."""
    ax = _axes(ax, (PAGE_WIDTH, 3.2))
    ref = trends[trends["series"] == "reference"]
    tgt = trends[trends["series"] != "reference"]
    _draw_series(ax, ref)
    for row in ref[ref["count"].fillna(0) > 0].itertuples():
        ax.annotate(str(int(row.count)), (row.year, float(row.per_10k)), textcoords="offset points", xytext=(0, 4),
                    ha="center", fontsize=6.5, color="#555555")
    if len(tgt):
        row = tgt.iloc[0]
        ax.plot(float(row["year"]) + 0.6, float(row["per_10k"]), "*", color=TARGET_COLOR, ms=13, mec="white",
                label=f"{target_label or row['series']}: {int(row['count'])} occurrence(s)")
        ax.legend(frameon=False, fontsize=8, loc="upper left")
    ax.set_ylabel("per 10,000 tokens")
    ax.set_xlabel("year (numbers: raw count in that year's documents)")
    ax.grid(axis="y", color="#eeeeee")
    ax.set_title(title or str(trends["term"].iloc[0]), fontsize=11)
    return ax


def plot_first_appearance(first: pd.DataFrame, *, ax=None, target_year: int | None = None, title: str | None = None,
                          target_label: str = "target", reference_label: str = "the reference series"):
    """For each term, the span from its first to its last year in the reference series (dot at
    the first year), labelled in a column right of the axes with the first year and the number of
    years using it; terms never seen in the reference are listed as such."""
    first = first.sort_values(["first_year", "term"], na_position="last").reset_index(drop=True).iloc[::-1]
    ax = _axes(ax, (PAGE_WIDTH, 0.32 * len(first) + 1.6))
    y = np.arange(len(first))
    seen = first["first_year"].notna().to_numpy()
    lo = int(first["first_year"].min()) if seen.any() else (target_year or 2000) - 10
    hi = int(max(first["last_year"].max() if seen.any() else lo, target_year or lo))
    ax.hlines(y[seen], first["first_year"][seen].astype(float), first["last_year"][seen].astype(float),
              color=REFERENCE_COLOR, lw=3, alpha=0.5)
    uncertain = (first["first_year_uncertain"].fillna(False).to_numpy(dtype=bool) if "first_year_uncertain" in first
                 else np.zeros(len(first), bool))
    sure = seen & ~uncertain
    ax.plot(first["first_year"][sure].astype(float), y[sure], "o", color=REFERENCE_COLOR, label=f"first year in {reference_label}")
    if (seen & uncertain).any():
        ax.plot(first["first_year"][seen & uncertain].astype(float), y[seen & uncertain], "o", mfc="white",
                mec=REFERENCE_COLOR, mew=1.5, label="first year uncertain (?): the year before is not in the corpus")
    for yi in y[~seen]:
        ax.text(lo, yi, f"not in {reference_label}", va="center", fontsize=8.5, color="#555555")
    label_axis = ax.get_yaxis_transform()  # x in axes fraction, y in data
    for yi, row, doubt in zip(y[seen], first[seen].itertuples(), uncertain[seen]):
        n = int(row.n_years)
        ax.text(1.02, yi, f"{int(row.first_year)}{'?' if doubt else ''} · {n} year{'s' if n != 1 else ''}",
                va="center", fontsize=8, transform=label_axis, clip_on=False)
    ax.text(1.02, len(first) - 0.4, "first · years used", fontsize=7.5, color="#555555", transform=label_axis, va="bottom")
    if target_year:
        ax.axvline(target_year, color=TARGET_COLOR, ls="--", lw=1, label=f"{target_label} ({target_year})")
    ax.set_yticks(y, first["term"])
    ax.set_ylim(-0.7, len(first) - 0.3)
    ax.set_xlim(lo - 1.5, hi + 1.5)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_xlabel("year")
    _legend_below(ax, ncols=2)
    ax.set_title(title or "First appearance in the reference series", pad=16)
    return ax


def plot_similarity(sim: pd.DataFrame, *, ax=None, label_top: int = 3, title: str | None = None,
                    xlabel: str = "year of the reference document", target_year: int | None = None,
                    target_label: str = "target"):
    """Cosine similarity of the target to each year's document (columns ``year, cosine``); years
    without a document are gaps (bridged for a series published at intervals); the ``label_top``
    most similar documents are ringed and labelled with their year, as the legend says."""
    ax = _axes(ax, (PAGE_WIDTH, 3.4))
    s = sim.dropna(subset=["year"]).sort_values("year")
    by_year = s.groupby(s["year"].astype(int))["cosine"].max()
    if is_intermittent(s["year"]):
        ax.plot(by_year.index, by_year.to_numpy(), color=REFERENCE_COLOR, lw=1.3)
    else:
        full = pd.Series(np.nan, index=range(int(by_year.index.min()), int(by_year.index.max()) + 1))
        full.loc[by_year.index] = by_year.to_numpy()
        ax.plot(full.index, full.to_numpy(), color=REFERENCE_COLOR, lw=1.3)
    ax.plot(s["year"].astype(float), s["cosine"], "o", color=REFERENCE_COLOR, ms=3, label="one reference document")
    top = s.sort_values(["cosine", "year"], ascending=[False, True]).head(label_top)
    years = ", ".join(str(int(y)) for y in top["year"])
    ax.plot(top["year"].astype(float), top["cosine"], "o", ms=8, mfc="none", mec=TARGET_COLOR, mew=1.5,
            label=f"the {len(top)} most similar: {years}")
    ymax = float(s["cosine"].max())
    # Years on the chart only when the ringed points are far enough apart for labels not to collide.
    spread = np.diff(np.sort(top["year"].astype(float).to_numpy()))
    if len(top) and (spread >= 4).all():
        for row in top.itertuples():
            ax.annotate(str(int(row.year)), (row.year, row.cosine), textcoords="offset points", xytext=(0, 9),
                        ha="center", va="bottom", fontsize=8, color=TARGET_COLOR,
                        bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none"))
    if target_year:
        ax.axvline(target_year, color=TARGET_COLOR, ls="--", lw=1, label=f"{target_label} ({target_year})")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("cosine similarity (TF-IDF)")
    ax.set_ylim(0, ymax * 1.25)
    ax.grid(axis="y", color="#eeeeee")
    _legend_below(ax, ncols=3, fontsize=8)
    ax.set_title(title or "Similarity of the target to each reference document")
    return ax


# ------------------------------------------------------------------ matrices and topics

def plot_heatmap(matrix: pd.DataFrame, *, ax=None, cmap: str = "Reds", cbar_label: str = "", fmt: str | None = "{:.0f}",
                 title: str | None = None, xtick_step: int = 1, vmax: float | None = None,
                 annot: pd.DataFrame | None = None, figsize: tuple[float, float] | None = None):
    """Heatmap of a rows × columns table; missing values drawn as light grey (gaps), not zero.
    ``vmax`` caps the colour scale (cells above it take the darkest colour; the colour bar says so).
    ``annot`` (same shape, strings) replaces the cell labels, e.g. raw counts over a rate colour."""
    size = figsize or (min(PAGE_WIDTH, max(5, 1.1 * matrix.shape[1] + 3)), max(2.8, 0.3 * matrix.shape[0] + 1.5))
    ax = _axes(ax, size)
    data = matrix.to_numpy(dtype=float)
    cm = plt.get_cmap(cmap).copy()
    cm.set_bad(GAP_COLOR)
    im = ax.imshow(np.ma.masked_invalid(data), cmap=cm, aspect="auto", vmin=0 if np.nanmin(data) >= 0 else None, vmax=vmax)
    ax.set_yticks(range(matrix.shape[0]), matrix.index)
    cols = list(matrix.columns)
    ticks = list(range(0, len(cols), xtick_step))
    ax.set_xticks(ticks, [cols[i] for i in ticks], rotation=90 if xtick_step > 1 or len(cols) > 12 else 0)
    if (fmt or annot is not None) and data.size <= 900:
        top = vmax or (np.nanmax(data) if np.isfinite(data).any() else 1)
        labels = annot.reindex(index=matrix.index, columns=matrix.columns).to_numpy() if annot is not None else None
        for (i, j), v in np.ndenumerate(data):
            if np.isfinite(v):
                text = str(labels[i, j]) if labels is not None else fmt.format(v)
                ax.text(j, i, text, ha="center", va="center", fontsize=7.5 if data.size <= 300 else 6,
                        color="white" if v > 0.6 * top else "#222222")
    capped = vmax is not None and np.nanmax(data) > vmax
    bar = ax.figure.colorbar(im, ax=ax, shrink=0.8, extend="max" if capped else "neither")
    bar.set_label(cbar_label + (f" (scale capped at {vmax:.0f})" if capped else ""), fontsize=8.5)
    ax.spines[:].set_visible(False)
    ax.set_title(title or "")
    return ax


def plot_k_selection(table: pd.DataFrame, *, fig=None, title: str | None = None):
    """Two panels: mean NPMI coherence (± sd over seeds) and stability against K, one line per
    method; the recommended model circled."""
    setup_matplotlib()
    if fig is None:
        fig = plt.figure(figsize=(PAGE_WIDTH, 3.3), layout="constrained")
    ax1, ax2 = fig.subplots(1, 2)
    for i, (method, part) in enumerate(table.groupby("method", sort=False)):
        color = PALETTE[i]
        ax1.errorbar(part["k"], part["coherence"], yerr=part["coherence_sd"], marker="o", color=color,
                     label=method.upper(), capsize=3)
        ax2.plot(part["k"], part["stability"], marker="o", color=color, label=method.upper())
    best = table[table["recommended"]]
    ax1.scatter(best["k"], best["coherence"], s=200, facecolor="none", edgecolor=TARGET_COLOR, lw=2, label="recommended", zorder=5)
    ax2.scatter(best["k"], best["stability"], s=200, facecolor="none", edgecolor=TARGET_COLOR, lw=2, zorder=5)
    ax1.set(xlabel="number of topics K", ylabel="coherence (NPMI, window 10)", title="Coherence")
    ax2.set(xlabel="number of topics K", ylabel="stability (matched top-word Jaccard)", title="Stability across seeds", ylim=(0, 1.02))
    ax1.legend(frameon=False, fontsize=8.5)
    for ax in (ax1, ax2):
        ax.set_xticks(sorted(table["k"].unique()))  # the K values tried, nothing between
        ax.grid(color="#eeeeee")
        ax.title.set_fontsize(11)
        ax.xaxis.label.set_fontsize(9)
        ax.yaxis.label.set_fontsize(9)
    if title:
        fig.suptitle(title)
    return np.array([ax1, ax2])


def plot_topic_words(weights: pd.DataFrame, *, n: int = 8, ncols: int = 4, fig=None, title: str | None = None):
    """One small panel per topic with its top words (weight within the topic); sized for a page
    (:data:`PAGE_WIDTH` wide)."""
    setup_matplotlib()
    topics = sorted(weights["topic"].unique())
    nrows = math.ceil(len(topics) / ncols)
    if fig is None:
        fig = plt.figure(figsize=(PAGE_WIDTH, (0.16 * n + 0.45) * nrows + 0.5), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax, k in zip(axes, topics):
        part = weights[(weights["topic"] == k) & (weights["rank"] <= n)].sort_values("rank").iloc[::-1]
        ax.barh(part["term"], part["weight"], color=REFERENCE_COLOR)
        ax.set_title(f"{k}: {part['label'].iloc[0]}", fontsize=8.5)
        ax.tick_params(axis="x", labelsize=6)
        ax.tick_params(axis="y", labelsize=7.5, pad=1)
        ax.xaxis.get_major_locator().set_params(nbins=3)
    for ax in axes[len(topics):]:
        ax.set_visible(False)
    if title:
        fig.suptitle(title, fontsize=11)
    return axes[: len(topics)]


def group_small_topics(mix: pd.DataFrame, by: str, *, keep: int = len(MUTED), other: str = "other topics") -> pd.DataFrame:
    """Keep the ``keep`` topics with the largest mean share over the ``by`` groups; add the rest
    up as ``other`` (topic number -1).  Shares still sum to 1 within each group."""
    mean = mix.groupby("label")["share"].mean().sort_values(ascending=False)
    if len(mean) <= keep:
        return mix
    kept = set(mean.index[:keep])
    small = mix[~mix["label"].isin(kept)]
    rest = small.groupby(by, sort=False)["share"].sum().reset_index().assign(label=other, topic=-1)
    return pd.concat([mix[mix["label"].isin(kept)], rest], ignore_index=True)


def plot_topic_mix(mix: pd.DataFrame, by: str, *, ax=None, title: str | None = None, order: Sequence[str] | None = None,
                   keep: int = len(MUTED)):
    """Stacked horizontal bars: the share of each topic in each ``by`` group (a :func:`topic_mix`
    table), in Tol's colour-blind-safe muted palette; beyond its nine colours the topics with the
    smallest mean share are grouped as "other topics" (grey)."""
    mix = group_small_topics(mix, by, keep=keep)
    wide = mix.pivot_table(index=by, columns="label", values="share", sort=False, aggfunc="sum")
    if order is not None:
        wide = wide.reindex(order)
    named = mix[mix["topic"] >= 0].sort_values("topic")
    labels = list(dict.fromkeys(named["label"])) + [l for l in dict.fromkeys(mix.loc[mix["topic"] < 0, "label"])]
    wide = wide[labels].iloc[::-1]
    ax = _axes(ax, (PAGE_WIDTH, 0.42 * len(wide) + 2.4))
    left = np.zeros(len(wide))
    for i, label in enumerate(labels):
        color = OTHER_FILL if label not in set(named["label"]) else MUTED[i % len(MUTED)]
        vals = wide[label].fillna(0).to_numpy()
        ax.barh(wide.index, vals, left=left, color=color, label=label, edgecolor="white", lw=0.5)
        dark = color in ("#332288", "#117733", "#882255", "#AA4499")
        for y, (l, v) in enumerate(zip(left, vals)):
            if v >= 0.08:
                ax.text(l + v / 2, y, f"{v:.0%}", ha="center", va="center", fontsize=7.5,
                        color="white" if dark else "#111111")
        left += vals
    ax.set_xlim(0, 1)
    ax.tick_params(axis="y", labelsize=8.5)
    ax.set_xlabel("share of the text (paragraph topic proportions weighted by length)", fontsize=9)
    ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(0, -0.14), ncols=4, fontsize=8)
    ax.set_title(title or "Topic mix", fontsize=11)
    return ax
