"""Charts drawn from the package's tables.

Every function takes a table a statistic returned and an optional ``ax`` (or ``fig`` for
multi-panel charts), draws, and returns the Axes.  None of them saves anything: use
:func:`analysis.figures.save_figure`.  Rates are per 10,000 tokens; the target (the speech)
is drawn in :data:`TARGET_COLOR`, the reference in :data:`REFERENCE_COLOR`.
"""

from __future__ import annotations

import math
from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import ListedColormap
from matplotlib.patches import Patch

from .fonts import cjk_font_path, setup_matplotlib

TARGET_COLOR = "#c0392b"
REFERENCE_COLOR = "#2c7fb8"
OTHER_COLOR = "#7a7a7a"
GAP_COLOR = "#eeeeee"
PALETTE = ["#2c7fb8", "#c0392b", "#31a354", "#756bb1", "#e6550d", "#636363", "#d6616b", "#3182bd",
           "#8c6d31", "#17becf", "#bcbd22", "#9467bd"]


def _axes(ax=None, figsize=(8, 5)):
    setup_matplotlib()
    if ax is None:
        _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def add_caption(fig, text: str, *, fontsize: float = 8.5) -> None:
    """A source / reference-period note under the figure."""
    fig.text(0.01, -0.01, text, ha="left", va="top", fontsize=fontsize, color="#555555", wrap=True)


# ------------------------------------------------------------------ corpus overview

def plot_document_lengths(docs: pd.DataFrame, *, value: str = "characters", ax=None, title: str | None = None):
    """Length of each document by year: Government Work Reports as bars, Congress reports
    as stems, the speech as a star; years inside the span of the bar series (``series``
    collection) without a document of it are shaded as gaps."""
    ax = _axes(ax, (11, 4.5))
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
              "speech": ("star", TARGET_COLOR, "the speech 讲话 (2025)")}
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
    handles, _ = ax.get_legend_handles_labels()
    if gaps:
        handles.append(Patch(color=GAP_COLOR, label="no Government Work Report that year"))
    ax.set_xlim(min(years) - 1, max(years) + 1)
    ax.set_ylabel(f"length (thousand {value})")
    ax.set_xlabel("year")
    ax.legend(handles=handles, frameon=False, loc="upper left", ncols=2, fontsize=9)
    ax.set_title(title or "Documents in the corpus, by year and length")
    return ax


def plot_section_lengths(paragraphs: pd.DataFrame, *, ax=None, title: str | None = None):
    """Characters in each section and subsection of one document (a paragraph table), coloured by
    top-level section, in reading order."""
    from .structure import section_label
    ax = _axes(ax, (9, 5))
    body = paragraphs.assign(part=paragraphs["section_path"].map(
        lambda p: " > ".join(section_label(s) for s in p.split(" > ")[:2]) if p else "（开场）"))
    sizes = body.groupby("part", sort=False)["n_chars"].sum()
    tops = [p.split(" > ")[0] for p in sizes.index]
    colors = {t: PALETTE[i % len(PALETTE)] for i, t in enumerate(dict.fromkeys(tops))}
    labels = [p.split(" > ")[-1] if " > " in p else p for p in sizes.index]
    y = np.arange(len(sizes))[::-1]
    ax.barh(y, sizes.to_numpy(), color=[colors[t] for t in tops])
    ax.set_yticks(y, [("└ " if " > " in p else "") + l for p, l in zip(sizes.index, labels)])
    ax.legend(handles=[Patch(color=c, label=t) for t, c in colors.items()], frameon=False, loc="lower right",
              fontsize=9, title="top-level section")
    ax.set_xlabel("characters (normalised text)")
    ax.set_title(title or "Sections of the speech")
    return ax


# ------------------------------------------------------------------ frequency

def plot_top_terms(freq: pd.DataFrame, n: int = 20, *, value: str = "per_10k", ax=None, color: str = TARGET_COLOR,
                   xlabel: str = "occurrences per 10,000 tokens (raw count at bar end)", title: str | None = None):
    """Horizontal bars of the ``n`` top-ranked terms of a one-group table (:func:`term_frequency`, or
    :func:`tfidf` with ``value="tfidf"``), the raw count at the end of each bar."""
    ax = _axes(ax, (7, 0.32 * n + 1.5))
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
    ax = _axes(ax, (8, 0.34 * len(table) + 1.5))
    t = table.iloc[::-1].reset_index(drop=True)
    floor = 0.05
    tgt = t["per_10k_target"].clip(lower=floor)
    ref = t["per_10k_reference"].clip(lower=floor)
    y = np.arange(len(t))
    ax.hlines(y, np.minimum(tgt, ref), np.maximum(tgt, ref), color="#bbbbbb", lw=2, zorder=1)
    ax.scatter(ref, y, color=REFERENCE_COLOR, s=40, zorder=2, label=reference_label)
    ax.scatter(tgt, y, color=TARGET_COLOR, s=40, zorder=3, label=target_label)
    zero = t["per_10k_reference"] == 0
    if zero.any():
        ax.scatter(ref[zero], y[zero], facecolor="white", edgecolor=REFERENCE_COLOR, s=40, zorder=4,
                   label=f"{reference_label}: absent (drawn at {floor})")
    ax.set_yticks(y, t["term"])
    ax.set_xscale("log")
    ax.set_xlabel("occurrences per 10,000 tokens (log scale)")
    ax.legend(frameon=False, loc="lower right", fontsize=9)
    ax.set_title(title or "Rates in the target and the reference")
    return ax


# ------------------------------------------------------------------ keyness

def plot_keyness(table: pd.DataFrame, n: int = 15, *, ax=None, target_label: str = "speech",
                 reference_label: str = "reference", alpha: float = 0.05, title: str | None = None):
    """Diverging bars of signed G²: the ``n`` most over-used terms (target colour, right) and the
    ``n`` most under-used (reference colour, left), significant after correction (``p_adj < alpha``).
    Each bar is annotated with its Log Ratio (effect size) and raw counts target/reference."""
    sig = table[table["p_adj"] < alpha] if "p_adj" in table else table
    over = sig[sig["g2"] > 0].nlargest(n, "g2")
    under = sig[sig["g2"] < 0].nsmallest(n, "g2")
    rows = pd.concat([under, over.iloc[::-1]])  # bottom to top: most under-used … most over-used
    ax = _axes(ax, (9, 0.32 * len(rows) + 1.8))
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
    ax.legend(handles=[Patch(color=TARGET_COLOR, label=f"more frequent in {target_label}"),
                       Patch(color=REFERENCE_COLOR, label=f"more frequent in {reference_label}")],
              frameon=False, loc="lower right", fontsize=9)
    ax.set_title(title or "Key terms")
    return ax


# ------------------------------------------------------------------ word clouds

def _wordcloud(frequencies: dict[str, float], color_func=None, width=1000, height=600, seed=0):
    from wordcloud import WordCloud
    cloud = WordCloud(font_path=str(cjk_font_path()), width=width, height=height, background_color="white",
                      random_state=seed, prefer_horizontal=0.95, collocations=False, color_func=color_func,
                      max_words=len(frequencies), relative_scaling=0.5)
    return cloud.generate_from_frequencies(frequencies)


def plot_wordcloud(freq: pd.DataFrame | pd.Series, *, n: int = 80, ax=None, colormap: str = "Reds", seed: int = 0,
                   title: str | None = None):
    """Word cloud of the ``n`` most frequent terms (a frequency table with ``term, count`` or a Series)."""
    ax = _axes(ax, (10, 6))
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
    ax = _axes(ax, (10, 6))
    sig = table[table["p_adj"] < alpha]
    over, under = sig[sig["g2"] > 0].nlargest(n, "g2"), sig[sig["g2"] < 0].nsmallest(n, "g2")
    weights = {**dict(zip(over["term"], over["g2"])), **dict(zip(under["term"], -under["g2"]))}
    side = {**{t: TARGET_COLOR for t in over["term"]}, **{t: REFERENCE_COLOR for t in under["term"]}}
    ax.imshow(_wordcloud(weights, lambda word, **_: side[word], seed=seed), interpolation="bilinear")
    ax.set_axis_off()
    ax.set_title(title or f"Key terms: {target_label} (red) vs {reference_label} (blue), size ∝ |G²|")
    return ax


# ------------------------------------------------------------------ change over time

def plot_trend_panels(trends: pd.DataFrame, *, ncols: int = 3, fig=None, sharey: bool = False, title: str | None = None):
    """Small multiples, one panel per term: the rate per 10,000 tokens per year of the reference
    series (years without a document are gaps in the line) and the target's rate as a star."""
    setup_matplotlib()
    terms = list(dict.fromkeys(trends["term"]))
    nrows = math.ceil(len(terms) / ncols)
    if fig is None:
        fig = plt.figure(figsize=(4.2 * ncols, 2.7 * nrows + 0.6), layout="constrained")
    axes = fig.subplots(nrows, ncols, sharex=True, sharey=sharey, squeeze=False).ravel()
    ref = trends[trends["series"] == "reference"]
    tgt = trends[trends["series"] != "reference"]
    for ax, term in zip(axes, terms):
        r = ref[ref["term"] == term].sort_values("year")
        ax.plot(r["year"].astype(float), r["per_10k"].astype(float), color=REFERENCE_COLOR, lw=1.4)
        ax.plot(r["year"].astype(float), r["per_10k"].astype(float), ".", color=REFERENCE_COLOR, ms=3)
        t = tgt[tgt["term"] == term]
        ref_max = float(np.nanmax(r["per_10k"].astype(float).to_numpy(na_value=np.nan))) if r["per_10k"].notna().any() else 0.0
        if len(t):
            x, value = float(t["year"].iloc[0]) + 0.6, float(t["per_10k"].iloc[0])
            if not sharey and ref_max > 0 and value > 2.5 * ref_max:
                # The target would flatten the series: cap the axis, pin the star to the top, print its value.
                top = 1.35 * ref_max
                ax.set_ylim(-0.04 * top, top)
                ax.plot(x, 0.93 * top, "*", color=TARGET_COLOR, ms=13, mec="white", clip_on=False)
                ax.annotate(f"{value:.0f} ↑", (x, 0.93 * top), textcoords="offset points", xytext=(-9, 0), ha="right",
                            va="center", fontsize=8.5, color=TARGET_COLOR)
            else:
                ax.plot(x, value, "*", color=TARGET_COLOR, ms=13, mec="white")
        ax.set_title(term, fontsize=12)
        ax.grid(axis="y", color="#eeeeee")
    for ax in axes[len(terms):]:
        ax.set_visible(False)
    for ax in axes[::ncols]:
        ax.set_ylabel("per 10,000 tokens")
    if title:
        fig.suptitle(title)
    return axes[: len(terms)]


def plot_first_appearance(first: pd.DataFrame, *, ax=None, target_year: int | None = None, title: str | None = None):
    """For each term, the span from its first to its last year in the reference series (dot at
    the first year); terms never seen in the reference are listed as such."""
    first = first.sort_values("first_year", na_position="last").reset_index(drop=True).iloc[::-1]
    ax = _axes(ax, (8, 0.36 * len(first) + 1.5))
    y = np.arange(len(first))
    seen = first["first_year"].notna().to_numpy()
    lo = int(first["first_year"].min()) if seen.any() else (target_year or 2000) - 10
    hi = int(max(first["last_year"].max() if seen.any() else lo, target_year or lo))
    ax.hlines(y[seen], first["first_year"][seen].astype(float), first["last_year"][seen].astype(float),
              color=REFERENCE_COLOR, lw=3, alpha=0.5)
    ax.plot(first["first_year"][seen].astype(float), y[seen], "o", color=REFERENCE_COLOR, label="first year in the reference")
    for yi in y[~seen]:
        ax.text(lo, yi, "not in the reference series", va="center", fontsize=9, color=TARGET_COLOR)
    label_x = hi + 1.5
    for yi, row in zip(y[seen], first[seen].itertuples()):
        ax.text(label_x, yi, f"{int(row.first_year)} · {int(row.n_years)} yrs", va="center", fontsize=8.5)
    if target_year:
        ax.axvline(target_year, color=TARGET_COLOR, ls="--", lw=1, label=f"the speech ({target_year})")
    ax.set_yticks(y, first["term"])
    ax.set_ylim(-0.7, len(first) - 0.3)
    ax.set_xlim(lo - 2, hi + 8)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_xlabel("year")
    ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=9)
    ax.set_title(title or "First appearance in the reference series")
    return ax


def plot_similarity(sim: pd.DataFrame, *, ax=None, label_top: int = 3, title: str | None = None):
    """Cosine similarity of the target to each year's document (columns ``year, cosine``); years
    without a document are gaps; the most similar years are labelled."""
    ax = _axes(ax, (10, 4))
    s = sim.dropna(subset=["year"]).sort_values("year")
    full = pd.Series(np.nan, index=range(int(s["year"].min()), int(s["year"].max()) + 1))
    full.loc[s["year"].astype(int).to_numpy()] = s["cosine"].to_numpy()
    ax.plot(full.index, full.to_numpy(), color=REFERENCE_COLOR, lw=1.5)
    ax.plot(s["year"], s["cosine"], "o", color=REFERENCE_COLOR, ms=3.5)
    for row in s.nlargest(label_top, "cosine").itertuples():
        ax.annotate(str(int(row.year)), (row.year, row.cosine), textcoords="offset points", xytext=(0, 6),
                    ha="center", fontsize=9, color=TARGET_COLOR)
    ax.set_xlabel("year of the Government Work Report")
    ax.set_ylabel("cosine similarity (TF-IDF)")
    ax.set_ylim(0, None)
    ax.grid(axis="y", color="#eeeeee")
    ax.set_title(title or "Similarity of the speech to each year's report")
    return ax


# ------------------------------------------------------------------ matrices and topics

def plot_heatmap(matrix: pd.DataFrame, *, ax=None, cmap: str = "Reds", cbar_label: str = "", fmt: str | None = "{:.0f}",
                 title: str | None = None, xtick_step: int = 1, vmax: float | None = None):
    """Heatmap of a rows × columns table; missing values drawn as light grey (gaps), not zero.
    ``vmax`` caps the colour scale (cells above it take the darkest colour; the colour bar says so)."""
    ax = _axes(ax, (max(6, 0.45 * matrix.shape[1] + 3), max(3, 0.4 * matrix.shape[0] + 1.5)))
    data = matrix.to_numpy(dtype=float)
    cm = plt.get_cmap(cmap).copy()
    cm.set_bad(GAP_COLOR)
    im = ax.imshow(np.ma.masked_invalid(data), cmap=cm, aspect="auto", vmin=0 if np.nanmin(data) >= 0 else None, vmax=vmax)
    ax.set_yticks(range(matrix.shape[0]), matrix.index)
    cols = list(matrix.columns)
    ticks = list(range(0, len(cols), xtick_step))
    ax.set_xticks(ticks, [cols[i] for i in ticks], rotation=90 if xtick_step > 1 or len(cols) > 12 else 0)
    if fmt and data.size <= 400:
        vmax = np.nanmax(data) if np.isfinite(data).any() else 1
        for (i, j), v in np.ndenumerate(data):
            if np.isfinite(v):
                ax.text(j, i, fmt.format(v), ha="center", va="center", fontsize=8,
                        color="white" if v > 0.6 * vmax else "#222222")
    capped = vmax is not None and np.nanmax(data) > vmax
    bar = ax.figure.colorbar(im, ax=ax, shrink=0.8, extend="max" if capped else "neither")
    bar.set_label(cbar_label + (f" (scale capped at {vmax:.0f})" if capped else ""))
    ax.spines[:].set_visible(False)
    ax.set_title(title or "")
    return ax


def plot_k_selection(table: pd.DataFrame, *, fig=None, title: str | None = None):
    """Two panels: mean NPMI coherence (± sd over seeds) and stability against K, one line per
    method; the recommended model circled."""
    setup_matplotlib()
    if fig is None:
        fig = plt.figure(figsize=(10, 4), layout="constrained")
    ax1, ax2 = fig.subplots(1, 2)
    for i, (method, part) in enumerate(table.groupby("method", sort=False)):
        color = PALETTE[i]
        ax1.errorbar(part["k"], part["coherence"], yerr=part["coherence_sd"], marker="o", color=color,
                     label=method.upper(), capsize=3)
        ax2.plot(part["k"], part["stability"], marker="o", color=color, label=method.upper())
    best = table[table["recommended"]]
    ax1.scatter(best["k"], best["coherence"], s=260, facecolor="none", edgecolor=TARGET_COLOR, lw=2, label="recommended", zorder=5)
    ax2.scatter(best["k"], best["stability"], s=260, facecolor="none", edgecolor=TARGET_COLOR, lw=2, zorder=5)
    ax1.set(xlabel="number of topics K", ylabel="coherence (NPMI, window 10)", title="Coherence")
    ax2.set(xlabel="number of topics K", ylabel="stability (matched top-word Jaccard)", title="Stability across seeds", ylim=(0, 1.02))
    ax1.legend(frameon=False, fontsize=9)
    for ax in (ax1, ax2):
        ax.grid(color="#eeeeee")
    if title:
        fig.suptitle(title)
    return np.array([ax1, ax2])


def plot_topic_words(weights: pd.DataFrame, *, n: int = 8, ncols: int = 4, fig=None, title: str | None = None):
    """One small panel per topic with its top words (weight within the topic)."""
    setup_matplotlib()
    topics = sorted(weights["topic"].unique())
    nrows = math.ceil(len(topics) / ncols)
    if fig is None:
        fig = plt.figure(figsize=(3.4 * ncols, 2.5 * nrows + 0.5), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax, k in zip(axes, topics):
        part = weights[(weights["topic"] == k) & (weights["rank"] <= n)].sort_values("rank").iloc[::-1]
        ax.barh(part["term"], part["weight"], color=PALETTE[k % len(PALETTE)])
        ax.set_title(f"{k}: {part['label'].iloc[0]}", fontsize=11)
        ax.tick_params(axis="x", labelsize=7)
        ax.tick_params(axis="y", labelsize=10)
    for ax in axes[len(topics):]:
        ax.set_visible(False)
    if title:
        fig.suptitle(title)
    return axes[: len(topics)]


def plot_topic_mix(mix: pd.DataFrame, by: str, *, ax=None, title: str | None = None, order: Sequence[str] | None = None):
    """Stacked horizontal bars: the share of each topic in each ``by`` group (a :func:`topic_mix` table)."""
    wide = mix.pivot_table(index=by, columns="label", values="share", sort=False)
    if order is not None:
        wide = wide.reindex(order)
    labels = list(dict.fromkeys(mix.sort_values("topic")["label"]))
    wide = wide[labels].iloc[::-1]
    ax = _axes(ax, (10, 0.6 * len(wide) + 2.2))
    left = np.zeros(len(wide))
    cmap = ListedColormap(PALETTE) if len(labels) <= len(PALETTE) else plt.get_cmap("tab20")
    for i, label in enumerate(labels):
        vals = wide[label].fillna(0).to_numpy()
        ax.barh(wide.index, vals, left=left, color=cmap(i % cmap.N), label=label, edgecolor="white", lw=0.5)
        for y, (l, v) in enumerate(zip(left, vals)):
            if v >= 0.08:
                ax.text(l + v / 2, y, f"{v:.0%}", ha="center", va="center", fontsize=8, color="#111111")
        left += vals
    ax.set_xlim(0, 1)
    ax.set_xlabel("share of the text (paragraph topic proportions weighted by length)")
    ax.legend(frameon=False, bbox_to_anchor=(1.0, 1.0), loc="upper left", fontsize=9)
    ax.set_title(title or "Topic mix")
    return ax
