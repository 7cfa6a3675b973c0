"""Charts of the corpus itself: the documents by year and length, the sections of one document.

Like every chart of :mod:`analysis.viz`: take the table, draw on ``ax`` (new Axes if none), return
the Axes; nothing is saved (use :func:`analysis.viz.save.save_figure`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.patches import Patch

from .style import GAP_COLOR, OTHER_COLOR, PAGE_WIDTH, PALETTE, REFERENCE_COLOR, TARGET_COLOR, axes, legend_below


def plot_document_lengths(docs: pd.DataFrame, *, value: str = "characters", ax=None, title: str | None = None,
                          target: str | None = None):
    """Length of each document by year: Government Work Reports as bars, Congress reports
    as stems, the speech as a star; years inside the span of the bar series (``series``
    collection) without a document of it in the corpus are shaded as gaps.  ``target`` (a
    doc_id) is ringed in the target colour."""
    ax = axes(ax, (PAGE_WIDTH, 3.8))
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
    legend_below(ax, handles, ncols=3, fontsize=8)
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
    ax = axes(ax, (PAGE_WIDTH, min(9.0, max(3.0, 0.22 * len(sizes) + 1.8))))
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
        legend_below(ax, [Patch(color=c, label=t) for t, c in colors.items()], ncols=2)
    ax.set_title((title or "Sections of the document") + (" (top-level parts)" if aggregated else ""))
    return ax
