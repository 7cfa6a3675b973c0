"""Charts of keyness: the diverging G² bars of the most over- and under-used terms, the key terms'
Log Ratio with their bootstrap intervals, and the pooled keyness of dictionary families.

Like every chart of :mod:`analysis.viz`: take the table, draw on ``ax`` (new Axes if none), return
the Axes; nothing is saved.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.transforms import blended_transform_factory

from ..lexicon.terms import category_label
from .style import MUTED, PAGE_WIDTH, REFERENCE_COLOR, TARGET_COLOR, axes, legend_below, lr_text


def plot_keyness(table: pd.DataFrame, n: int = 15, *, ax=None, target_label: str = "speech",
                 reference_label: str = "reference", alpha: float = 0.05, title: str | None = None):
    """Diverging bars of signed G²: the ``n`` most over-used terms (target colour, right) and the
    ``n`` most under-used (reference colour, left), significant after correction (``p_adj < alpha``).
    Each bar is annotated with its Log Ratio (effect size) and raw counts target/reference."""
    sig = table[table["p_adj"] < alpha] if "p_adj" in table else table
    over = sig[sig["g2"] > 0].sort_values(["g2", "term"], ascending=[False, True], kind="stable").head(n)
    under = sig[sig["g2"] < 0].sort_values(["g2", "term"], kind="stable").head(n)
    rows = pd.concat([under, over.iloc[::-1]])  # bottom to top: most under-used … most over-used
    ax = axes(ax, (PAGE_WIDTH, 0.28 * len(rows) + 1.8))
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
    legend_below(ax, [Patch(color=TARGET_COLOR, label=f"more frequent in {target_label} ({len(over)} shown)"),
                       Patch(color=REFERENCE_COLOR, label=f"more frequent in {reference_label} ({len(under)} shown)")],
                  ncols=1)
    ax.set_title(title or "Key terms")
    return ax


def plot_key_terms(table: pd.DataFrame, n: int = 15, *, ax=None, title: str | None = None, target_label: str = "target",
                   reference_label: str = "reference", alpha: float = 0.05, min_units: int = 2):
    """Log Ratio with its paragraph-bootstrap interval for the terms the keyness rule calls key
    (:func:`analysis.stats.keyness.key_terms`: p_adj < ``alpha``, interval excluding 0, ≥ ``min_units``
    paragraphs for over-use): ``n`` over-used (top) and ``n`` under-used (bottom).  Each row is
    annotated with Log Ratio (≥/≤ where it is a bound), G², the counts target/reference and the
    paragraphs of the target using the term (¶).  Colours: Tol's muted palette (colour-blind safe)."""
    from ..stats.keyness import key_terms
    over = key_terms(table, n, alpha=alpha, min_units=min_units)
    under = key_terms(table, n, alpha=alpha, min_units=min_units, direction="under")
    rows = pd.concat([under.iloc[::-1], over.iloc[::-1]], ignore_index=True)  # bottom to top
    ax = axes(ax, (PAGE_WIDTH - 0.3, 0.27 * max(len(rows), 2) + 1.6))
    ax.set_title(title or "Key terms", fontsize=10)
    if rows.empty:
        ax.text(0.5, 0.5, f"no term is key (p_adj < {alpha}, bootstrap interval excluding 0, ≥ {min_units} paragraphs)",
                ha="center", va="center", transform=ax.transAxes, fontsize=9)
        ax.set_axis_off()
        return ax
    y = np.arange(len(rows))
    colors = [MUTED[6] if g > 0 else MUTED[0] for g in rows["g2"]]
    lr, low, high = rows["log_ratio"].to_numpy(float), rows["lr_ci_low"].to_numpy(float), rows["lr_ci_high"].to_numpy(float)
    left, right, lines, open_ends = interval_geometry(lr, low, high)
    ax.hlines(y, lines[:, 0], lines[:, 1], color=colors, lw=2.2, alpha=0.55)
    # An unbounded end (a resample without the term: Log Ratio −∞) is an open end, an arrowhead at the axis
    # edge — never a bar across the axis; a point or interval entirely at ±∞ is the arrowhead alone.
    palette = np.array(colors, dtype=object)
    for side, marker, x in (("left", "<", left), ("right", ">", right)):
        at = open_ends[side]
        if at.any():
            ax.scatter(np.full(at.sum(), x), y[at], marker=marker, color=palette[at].tolist(), s=30, zorder=3, clip_on=False)
    point = np.isfinite(lr)
    ax.scatter(lr[point], y[point], color=palette[point].tolist(), zorder=3, s=22)
    ax.set_yticks(y, rows["term"], fontsize=8.5)
    ax.axvline(0, color="#333333", lw=0.8)
    ax.set_xlim(left, right)
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
    legend_below(ax, handles, ncols=2, fontsize=7.5)
    return ax


def interval_geometry(lr, low, high, margin: float = 0.05):
    """Where :func:`plot_key_terms` draws each row: the axis limits ``(left, right)``, each interval's drawn segment
    (an ``n × 2`` array, finite ends as they are, an infinite end at the axis edge it points to, a segment
    entirely at ±∞ of length 0 at that edge) and ``open_ends`` (``{"left": mask, "right": mask}``: rows with an
    arrowhead for an unbounded end or an infinite Log Ratio)."""
    lr, low, high = (np.asarray(v, dtype=float) for v in (lr, low, high))
    finite = np.r_[lr[np.isfinite(lr)], low[np.isfinite(low)], high[np.isfinite(high)], 0.0]
    lo_edge, hi_edge = float(finite.min()), float(finite.max())
    span = hi_edge - lo_edge or 1.0
    left, right = lo_edge - margin * span, hi_edge + margin * span

    def place(v):
        return np.where(np.isfinite(v), v, np.where(v > 0, right, left))
    a, b = place(np.fmin(low, lr)), place(np.fmax(high, lr))
    a, b = np.where(np.isnan(a), place(lr), a), np.where(np.isnan(b), place(lr), b)
    at_infinity = np.isinf(low) & np.isinf(high) & (np.sign(low) == np.sign(high))  # [−∞, −∞]: no interval to draw
    a, b = np.where(at_infinity, place(low), a), np.where(at_infinity, place(low), b)
    lines = np.c_[np.minimum(a, b), np.maximum(a, b)]
    open_ends = {"left": (low == -np.inf) | (lr == -np.inf) | (high == -np.inf),
                 "right": (high == np.inf) | (lr == np.inf) | (low == np.inf)}
    return left, right, lines, open_ends


def plot_family_keyness(table: pd.DataFrame, *, ax=None, title: str | None = None, alpha: float = 0.05):
    """One bar per dictionary category (:func:`analysis.stats.dictionary.category_keyness`): Log Ratio of the
    pooled family, darker where p_adj < ``alpha``; annotated with G², the counts target/reference
    and the family's rank among single terms.  Tol's muted palette."""
    rows = table.iloc[::-1].reset_index(drop=True)
    ax = axes(ax, (PAGE_WIDTH - 0.3, 0.4 * len(rows) + 1.8))
    sig = rows["p_adj"].to_numpy() < alpha
    colors = [(MUTED[6] if g > 0 else MUTED[0]) if s else "#DDDDDD" for g, s in zip(rows["g2"], sig)]
    y = np.arange(len(rows))
    ax.barh(y, rows["log_ratio"], color=colors)
    ax.set_yticks(y, [category_label(c) for c in rows["category"]], fontsize=9)
    ax.axvline(0, color="#333333", lw=0.8)
    lo, hi = min(0.0, rows["log_ratio"].min()), max(0.0, rows["log_ratio"].max())
    span = (hi - lo) or 1.0
    ax.set_xlim(lo - 0.05 * span, hi + 1.1 * span)
    for yi, r in zip(y, rows.itertuples()):
        rank = f" · rank {r.rank_among_terms}/{r.n_terms}" if hasattr(r, "rank_among_terms") else ""
        ax.text(max(r.log_ratio, 0) + 0.03 * span, yi, f"G² {r.g2:+.1f} · {r.n_target}/{r.n_reference} · p_adj {r.p_adj:.2g}{rank}",
                va="center", ha="left", fontsize=7.5, color="#333333")
    ax.set_xlabel("Log Ratio of the pooled family (log2 of the rate ratio)", fontsize=8.5)
    legend_below(ax, ncols=3, fontsize=7.5, handles=[Patch(color=MUTED[6], label="over-used, p_adj < %g" % alpha),
                       Patch(color=MUTED[0], label="under-used, p_adj < %g" % alpha),
                       Patch(color="#DDDDDD", label="not significant")])
    ax.set_title(title or "Term families", fontsize=10)
    return ax
