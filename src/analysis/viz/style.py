"""The charts' common look: colours, page width, measure names, the Axes and legend every chart
starts from and places, captions and the text wrapping they need.

Every chart module of :mod:`analysis.viz` draws with these, so the study's figures share one look:
the target (the speech) in :data:`TARGET_COLOR`, the reference in :data:`REFERENCE_COLOR`, no
figure wider than :data:`PAGE_WIDTH`, the legend below the Axes (:func:`legend_below`) and the
source note under everything (:func:`add_caption`).
"""

from __future__ import annotations

import unicodedata

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.transforms import offset_copy

from .fonts import setup_matplotlib

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
# Legible in a report: every text at least MIN_TEXT_PT points when the figure is printed
# REPORT_WIDTH_CM wide (a page's text width).
REPORT_WIDTH_CM = 16.0
MIN_TEXT_PT = 6.0
MEASURE_NAMES = {"g2": "G²", "chi2": "χ²", "log_ratio": "Log Ratio"}


def axes(ax=None, figsize=(PAGE_WIDTH, 4.5)):
    """``ax``, or new Axes of ``figsize`` (no wider than :data:`PAGE_WIDTH`) on a constrained-layout figure,
    with the package's fonts set up: the first line of every single-panel chart."""
    setup_matplotlib()
    if ax is None:
        _, ax = plt.subplots(figsize=(min(figsize[0], PAGE_WIDTH), figsize[1]), layout="constrained")
    return ax


def legend_below(ax, handles=None, *, ncols: int = 3, fontsize: float = 8.5):
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
    fig.draw_without_rendering()  # the layout and every artist's place, without painting pixels
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


def lr_text(row) -> str:
    """Log Ratio as printed beside a count: '≥+6.1' where the reference count is 0 (Hardie's 0.5
    substitution makes it a lower bound), '≤−2.0' where the target count is 0, else '+1.3'."""
    bound = {"lower bound": "≥", "upper bound": "≤"}.get(getattr(row, "lr_bound", "") or "", "")
    return f"{bound}{row.log_ratio:+.1f}".replace("-", "−")
