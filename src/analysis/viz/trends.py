"""Charts of change over time: small multiples of term trends, one term's trend, first appearances
in the reference series, the target's similarity to each year's document, and the key-term trend
panels of notebook 4.

Single-panel charts draw on ``ax`` (new Axes if none) and return the Axes; the small multiples
(:func:`plot_trend_panels`, :func:`plot_key_term_trends`) return the array of their panels' Axes.
Nothing is saved.
"""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from .fonts import setup_matplotlib
from .style import PAGE_WIDTH, REFERENCE_COLOR, TARGET_COLOR, axes, is_intermittent, legend_below


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
    in each panel's title the raw counts (reference total / target).  Multi-panel: draws on ``fig``
    (a new figure if none) and returns the array of the panels' Axes, one per term."""
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
    ax = axes(ax, (PAGE_WIDTH, 3.2))
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
    ax = axes(ax, (PAGE_WIDTH, 0.32 * len(first) + 1.6))
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
    legend_below(ax, ncols=2)
    ax.set_title(title or "First appearance in the reference series", pad=16)
    return ax


def plot_similarity(sim: pd.DataFrame, *, ax=None, label_top: int = 3, title: str | None = None,
                    xlabel: str = "year of the reference document", target_year: int | None = None,
                    target_label: str = "target"):
    """Cosine similarity of the target to each year's document (columns ``year, cosine``); years
    without a document are gaps (bridged for a series published at intervals); the ``label_top``
    most similar documents are ringed and labelled with their year, as the legend says."""
    ax = axes(ax, (PAGE_WIDTH, 3.4))
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
    legend_below(ax, ncols=3, fontsize=8)
    ax.set_title(title or "Similarity of the target to each reference document")
    return ax


def plot_key_term_trends(trends: pd.DataFrame, n_docs: pd.Series, n_documents: int, few: int, *, ncols: int = 3,
                         title: str | None = None, target_label: str | None = None, fig=None):
    """:func:`plot_trend_panels` of ``trends`` (on ``fig``, a new figure if none), each panel labelled top left
    "in N of ``n_documents`` documents" from ``n_docs`` (term → reference documents using it),
    followed by " · rare" where N ≤ ``few``.  Returns the array of the panels' Axes, one per term."""
    axes = plot_trend_panels(trends, ncols=ncols, fig=fig, title=title, target_label=target_label)
    for ax in axes:
        term = ax.get_title().split("(")[0].strip()
        if term in n_docs:
            n = int(n_docs[term])
            ax.text(0.02, 0.97, f"in {n} of {n_documents} documents" + (" · rare" if n <= few else ""),
                    transform=ax.transAxes, ha="left", va="top", fontsize=7.5, color="#333333",
                    bbox=dict(fc="white", ec="none", alpha=0.8, pad=1))
    return axes
