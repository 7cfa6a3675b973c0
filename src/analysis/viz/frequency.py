"""Charts of how often terms occur: top terms, the target's and the reference's rates side by side,
word clouds (of one document's frequencies, and the comparison cloud of a keyness table).

Like every chart of :mod:`analysis.viz`: take the table, draw on ``ax`` (new Axes if none), return
the Axes; nothing is saved.  Rates are per 10,000 tokens.
"""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.patches import Patch
from matplotlib.ticker import NullFormatter

from .fonts import cjk_font_path
from .style import MIN_TEXT_PT, PAGE_WIDTH, REFERENCE_COLOR, REPORT_WIDTH_CM, TARGET_COLOR, axes, legend_below


def plot_top_terms(freq: pd.DataFrame, n: int = 20, *, value: str = "per_10k", ax=None, color: str = TARGET_COLOR,
                   xlabel: str = "occurrences per 10,000 tokens (raw count at bar end)", title: str | None = None):
    """Horizontal bars of the ``n`` top-ranked terms of a one-group table (:func:`term_frequency`, or
    :func:`tfidf` with ``value="tfidf"``), the raw count at the end of each bar."""
    ax = axes(ax, (6.5, 0.28 * n + 1.4))
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
    ax = axes(ax, (PAGE_WIDTH, 0.3 * len(table) + 1.8))
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
    legend_below(ax)
    ax.set_title(title or "Rates in the target and the reference")
    return ax


# ------------------------------------------------------------------ word clouds

#: Pixels of white space around each word, so neighbours never read as one compound.
CLOUD_MARGIN = 40


def min_cloud_pixels(width: int) -> int:
    """The smallest font, in pixels of a ``width``-pixel cloud drawn across the page, that prints at
    :data:`~analysis.viz.style.MIN_TEXT_PT` when the figure is :data:`~analysis.viz.style.REPORT_WIDTH_CM`
    wide (the image spans about 90% of the figure's width)."""
    return math.ceil(MIN_TEXT_PT / 72 * 2.54 / (0.9 * REPORT_WIDTH_CM) * width)


def _wordcloud(frequencies: dict[str, float], color_func=None, width=1500, height=900, seed=0):
    """The cloud of ``frequencies`` (largest first); a word that would be smaller than
    :func:`min_cloud_pixels` is not drawn, nor any after it (``cloud.layout_`` holds those drawn)."""
    from wordcloud import WordCloud
    cloud = WordCloud(font_path=str(cjk_font_path()), width=width, height=height, background_color="white",
                      random_state=seed, prefer_horizontal=1.0, collocations=False, color_func=color_func,
                      max_words=len(frequencies), relative_scaling=0.5, margin=CLOUD_MARGIN,
                      min_font_size=min_cloud_pixels(width))
    return cloud.generate_from_frequencies(frequencies)


def plot_wordcloud(freq: pd.DataFrame | pd.Series, *, n: int = 80, ax=None, colormap: str = "Reds", seed: int = 0,
                   title: str | None = None):
    """Word cloud of the ``n`` most frequent terms (a frequency table with ``term, count`` or a Series),
    as many of them as stay legible in a report (:func:`min_cloud_pixels`): the terms drawn are
    ``ax.cloud_terms`` (most frequent first), and ``{n}`` in ``title`` becomes how many they are."""
    ax = axes(ax, (PAGE_WIDTH, 4.8))
    if isinstance(freq, pd.DataFrame):
        freq = freq.set_index("term")["count"]
    top = freq.sort_values(ascending=False).head(n)
    cmap = plt.get_cmap(colormap)
    ranks = {t: i / max(len(top) - 1, 1) for i, t in enumerate(top.index)}
    color = lambda word, **_: tuple(int(255 * c) for c in cmap(0.95 - 0.5 * ranks.get(word, 1))[:3])  # noqa: E731
    cloud = _wordcloud(top.to_dict(), color, seed=seed)
    ax.imshow(cloud, interpolation="bilinear")
    ax.cloud_terms = [word for (word, _), *_ in cloud.layout_]
    ax.set_axis_off()
    ax.set_title((title or "{n} most frequent terms (size ∝ count)").replace("{n}", str(len(ax.cloud_terms))))
    return ax


def plot_comparison_cloud(table: pd.DataFrame, *, n: int = 40, ax=None, alpha: float = 0.05, seed: int = 0,
                          target_label: str = "speech", reference_label: str = "reference", title: str | None = None):
    """Comparison cloud from a keyness table: over-used terms in the target colour, under-used in
    the reference colour, size proportional to |G²|; the ``n`` strongest of each side, as many as stay
    legible in a report (``ax.cloud_terms``; the legend counts those drawn)."""
    ax = axes(ax, (PAGE_WIDTH, 5.0))
    sig = table[table["p_adj"] < alpha]
    over = sig[sig["g2"] > 0].sort_values(["g2", "term"], ascending=[False, True], kind="stable").head(n)
    under = sig[sig["g2"] < 0].sort_values(["g2", "term"], kind="stable").head(n)
    weights = {**dict(zip(over["term"], over["g2"])), **dict(zip(under["term"], -under["g2"]))}
    side = {**{t: TARGET_COLOR for t in over["term"]}, **{t: REFERENCE_COLOR for t in under["term"]}}
    drawn: list[str] = []
    if weights:
        cloud = _wordcloud(weights, lambda word, **_: side[word], seed=seed)
        ax.imshow(cloud, interpolation="bilinear")
        drawn = [word for (word, _), *_ in cloud.layout_]  # (the smallest may not stay legible: left out)
    else:
        ax.text(0.5, 0.5, f"no term is significant at p_adj < {alpha}", ha="center", va="center", transform=ax.transAxes)
    ax.set_axis_off()
    ax.cloud_terms = drawn
    n_over, n_under = int((sig["g2"] > 0).sum()), int((sig["g2"] < 0).sum())
    shown_over, shown_under = sum(side[w] == TARGET_COLOR for w in drawn), sum(side[w] == REFERENCE_COLOR for w in drawn)
    legend_below(ax, [Patch(color=TARGET_COLOR, label=f"over-used in {target_label}: {shown_over} of {n_over} significant"),
                       Patch(color=REFERENCE_COLOR, label=f"under-used (more frequent in {reference_label}): "
                                                          f"{shown_under} of {n_under} significant")], ncols=1)
    ax.set_title(title or f"Key terms of {target_label} against {reference_label}, size ∝ |G²|")
    return ax
