"""Charts of matrices and topic models: heatmaps, the choice of K, each topic's top words, the topic
mix of groups of text, and how well a model sees each document.

Single-panel charts draw on ``ax`` (new Axes if none) and return the Axes; the multi-panel ones
(:func:`plot_k_selection`, :func:`plot_topic_words`, :func:`plot_model_fit`) draw on ``fig`` and
return the array of their panels' Axes.  Nothing is saved.
"""

from __future__ import annotations

import math
from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ..errors import InputError
from .fonts import setup_matplotlib
from .style import GAP_COLOR, MUTED, OTHER_FILL, PAGE_WIDTH, PALETTE, REFERENCE_COLOR, TARGET_COLOR, axes


def plot_heatmap(matrix: pd.DataFrame, *, ax=None, cmap: str = "Reds", cbar_label: str = "", fmt: str | None = "{:.0f}",
                 title: str | None = None, xtick_step: int = 1, vmax: float | None = None,
                 annot: pd.DataFrame | None = None, figsize: tuple[float, float] | None = None):
    """Heatmap of a rows × columns table; missing values drawn as light grey (gaps), not zero.
    ``vmax`` caps the colour scale (cells above it take the darkest colour; the colour bar says so).
    ``annot`` (same shape, strings) replaces the cell labels, e.g. raw counts over a rate colour."""
    size = figsize or (min(PAGE_WIDTH, max(5, 1.1 * matrix.shape[1] + 3)), max(2.8, 0.3 * matrix.shape[0] + 1.5))
    ax = axes(ax, size)
    data = matrix.to_numpy(dtype=float)
    cm = plt.get_cmap(cmap).with_extremes(bad=GAP_COLOR)
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
    method; the recommended model circled.  Draws on ``fig`` (a new figure if none) and returns the
    array of its two Axes."""
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
    (:data:`PAGE_WIDTH` wide).  Draws on ``fig`` (a new figure if none) and returns the array of the
    panels' Axes, one per topic."""
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
    ax = axes(ax, (PAGE_WIDTH, 0.42 * len(wide) + 2.4))
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


SERIES_COLOR = "#332288"  # the reference documents, one point per year (Tol's muted indigo)


def plot_model_fit(fit: pd.DataFrame, *, reference_label: str, target_label: str, fig=None,
                   title: str | None = None) -> np.ndarray:
    """Two panels against the year: each document's out-of-vocabulary share and mean reconstruction
    error (a :func:`analysis.study.topic_study.model_fit` table: ``year, oov_share,
    reconstruction_error, series``, where ``series`` is ``"reference"`` or the target's id); the
    reference documents as a line, the target as a star.  Draws on ``fig`` (a new figure if none) and
    returns the array of its two Axes."""
    for col in ("year", "oov_share", "reconstruction_error", "series"):
        if col not in fit:
            raise InputError(f"the model-fit table has no {col!r} column")
    setup_matplotlib()
    if fig is None:
        fig = plt.figure(figsize=(PAGE_WIDTH, 3.2), layout="constrained")
    axes = fig.subplots(1, 2)
    ref = fit[fit["series"] == "reference"].sort_values("year")
    tgt = fit[fit["series"] != "reference"]
    for ax, col, label in zip(axes, ["oov_share", "reconstruction_error"], ["out-of-vocabulary share", "reconstruction error (mean)"]):
        ax.plot(ref["year"], ref[col], "o-", color=SERIES_COLOR, ms=3, lw=1, label=reference_label)
        ax.plot(tgt["year"], tgt[col], "*", color=TARGET_COLOR, ms=14, mec="white", label=target_label)
        ax.set_title(label, fontsize=10)
        ax.set_xlabel("year")
        ax.set_ylim(0, max(1e-9, fit[col].max()) * 1.1)
    axes[0].yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
    axes[0].legend(frameon=False, fontsize=8)
    if title:
        fig.suptitle(title, fontsize=11)
    return axes
