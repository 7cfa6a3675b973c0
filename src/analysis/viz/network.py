"""Charts of co-occurrence networks, collocates and dictionary categories.

Same conventions as :mod:`analysis.viz`: each function takes the table (or graph) a statistic
returned and an optional ``ax``, draws, and returns the Axes; none saves anything (use
:func:`analysis.viz.save.save_figure`).  Chinese renders through :func:`analysis.viz.fonts.setup_matplotlib`.
"""

from __future__ import annotations

import numpy as np
import matplotlib.pyplot as plt
import pandas as pd

from ..lexicon.terms import category_label
from .style import MUTED, PAGE_WIDTH, TARGET_COLOR as NODE_COLOR, axes


def network_layout(graph, *, seed: int = 7, weight: str | None = "count", k: float | None = None,
                   iterations: int = 200) -> dict:
    """Deterministic layout: a seeded spring layout (Fruchterman–Reingold, ``networkx.spring_layout``)
    of each connected component, the largest on the left and the others packed in columns beside
    it, each given room in proportion to its size to the power 0.75 (a plain spring layout of a disconnected graph
    pushes the components to the corners and crowds the main one).  Nodes are laid out in sorted
    order, so the order in which edges were added does not matter."""
    import networkx as nx
    ordered = nx.Graph()
    ordered.add_nodes_from(sorted(graph.nodes(data=True)))
    ordered.add_edges_from(sorted((min(u, v), max(u, v), d) for u, v, d in graph.edges(data=True)))
    components = sorted((sorted(c) for c in nx.connected_components(ordered)), key=lambda c: (-len(c), c[0]))
    pos: dict = {}
    x0, column_width, y = 0.0, 0.0, 0.0
    main_height = None
    for i, nodes in enumerate(components):
        sub = ordered.subgraph(nodes)
        size = len(nodes) ** 0.75  # room grows faster than the square root: big components need space for labels
        if len(nodes) == 1:
            local = {nodes[0]: np.zeros(2)}
        else:
            kk = k if k is not None else 2.5 / np.sqrt(len(nodes))
            start = nx.kamada_kawai_layout(sub, weight=None)  # even spacing by path length, deterministic
            local = nx.spring_layout(sub, pos=start, seed=seed, weight=weight, k=kk, iterations=iterations)
            local = nx.rescale_layout_dict(local, scale=1.0)
        half = 0.5 * size
        if i == 0:
            main_height = 2 * half
            centre = np.array([half, 0.0])
            x0, y = 2 * half + 0.6, main_height / 2
        else:
            if y - 2 * half < -main_height / 2 - 1e-9 and column_width:
                x0, y, column_width = x0 + column_width + 0.4, main_height / 2, 0.0
            centre = np.array([x0 + half, y - half])
            y -= 2 * half + 0.4
            column_width = max(column_width, 2 * half)
        for n, xy in local.items():
            pos[n] = centre + half * np.asarray(xy)
    return pos


def _spread_labels(ax, texts, pos: dict, *, steps: int = 200, pad: float = 2.0) -> None:
    """Move overlapping labels apart (in display space) until none overlaps another, or ``steps`` rounds."""
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    to_data = ax.transData.inverted()
    for _ in range(steps):
        boxes = [t.get_window_extent(renderer).expanded(1.0, 1.0).padded(pad) for t in texts]
        moved = False
        for i in range(len(texts)):
            for j in range(i + 1, len(texts)):
                a, b = boxes[i], boxes[j]
                if not a.overlaps(b):
                    continue
                dx = min(a.x1, b.x1) - max(a.x0, b.x0)
                dy = min(a.y1, b.y1) - max(a.y0, b.y0)
                ca, cb = np.array([(a.x0 + a.x1) / 2, (a.y0 + a.y1) / 2]), np.array([(b.x0 + b.x1) / 2, (b.y0 + b.y1) / 2])
                # push apart along the line between the centres, by enough to clear the overlap, half each
                direction = cb - ca
                norm = np.hypot(*direction)
                direction = direction / norm if norm > 1e-6 else np.array([0.0, 1.0])
                need = min(dx / max(abs(direction[0]), 1e-6), dy / max(abs(direction[1]), 1e-6))
                shift = direction * (need / 2 + 0.5)
                for text, sgn in ((texts[i], -1), (texts[j], 1)):
                    x, y = ax.transData.transform(text.get_position())
                    text.set_position(to_data.transform((x + sgn * shift[0], y + sgn * shift[1])))
                boxes[i] = texts[i].get_window_extent(renderer).padded(pad)
                boxes[j] = texts[j].get_window_extent(renderer).padded(pad)
                moved = True
        if not moved:
            return


def plot_network(graph, *, ax=None, seed: int = 7, weight: str = "count", layout_weight: str | None = None,
                 node_color: str = NODE_COLOR, label_size: float = 9.5, max_node_size: float = 900,
                 k: float | None = None, title: str | None = None, caption: str | None = None):
    """Draw a co-occurrence graph (:func:`analysis.stats.collocations.cooccurrence_graph`).

    Node area ∝ the term's count (node attribute ``count``), edge width and shade ∝ the edge's
    ``weight`` attribute.  A seeded layout (:func:`network_layout`; ``layout_weight`` is the edge
    attribute that pulls nodes together there, default none), so the same graph draws the same
    picture.  Labels sit on their nodes with a white halo; where two labels would overlap, the
    labels and their nodes are moved apart.  Legible at 7 in wide, 300 dpi.
    """
    import networkx as nx
    ax = axes(ax, (7, 6))
    ax.set_axis_off()
    ax.set_title(title or "Co-occurrence network")
    if len(graph) == 0:
        ax.text(0.5, 0.5, "no edges at this threshold", ha="center", va="center", transform=ax.transAxes)
        return ax
    nodes = sorted(graph.nodes)
    pos = network_layout(graph, seed=seed, weight=layout_weight, k=k)
    _fit_limits(ax, pos)
    texts = {n: ax.text(*pos[n], n, ha="center", va="center", fontsize=label_size, color="#111111",
                        bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.75), zorder=5)
             for n in nodes}
    for _ in range(4):  # labels apart, nodes follow their labels, limits refitted
        _spread_labels(ax, [texts[n] for n in nodes], pos)
        pos = {n: np.asarray(texts[n].get_position(), float) for n in nodes}
        if not _fit_limits(ax, pos):
            break
    counts = np.array([graph.nodes[n].get("count", 1) for n in nodes], float)
    sizes = 60 + (max_node_size - 60) * np.sqrt(counts / counts.max())
    edges = sorted((min(u, v), max(u, v)) for u, v in graph.edges)
    w = np.array([graph.edges[e].get(weight, 1) for e in edges], float)
    scale = (w - w.min()) / (w.max() - w.min()) if len(w) and w.max() > w.min() else np.zeros(len(w))
    nx.draw_networkx_edges(graph, pos, edgelist=edges, ax=ax, width=0.8 + 4.2 * scale,
                           edge_color=[plt.get_cmap("Greys")(0.35 + 0.5 * v) for v in scale])
    nx.draw_networkx_nodes(graph, pos, nodelist=nodes, ax=ax, node_size=sizes, node_color=node_color,
                           alpha=0.85, linewidths=0.8, edgecolors="white")
    if caption:
        ax.text(0, -0.02, caption, transform=ax.transAxes, ha="left", va="top", fontsize=8, color="#555555", wrap=True)
    return ax


def _fit_limits(ax, pos: dict, *, margin: float = 0.1) -> bool:
    """Set the limits around ``pos`` with a margin; return whether they changed."""
    xy = np.array(list(pos.values()), float)
    span = np.ptp(xy, axis=0)
    span[span == 0] = 1.0
    lo, hi = xy.min(axis=0) - margin * span, xy.max(axis=0) + margin * span
    old = np.array([ax.get_xlim(), ax.get_ylim()])
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(lo[1], hi[1])
    return not np.allclose(old, [[lo[0], hi[0]], [lo[1], hi[1]]], rtol=0.02)


def plot_collocates(table: pd.DataFrame, n: int = 15, *, value: str = "log_dice", ax=None, color: str = NODE_COLOR,
                    title: str | None = None):
    """Horizontal bars of the ``n`` top collocates of a :func:`analysis.stats.collocations.collocates` table
    by ``value``, with the co-occurrence count and G² at each bar's end."""
    top = table.sort_values(value, ascending=False).head(n).iloc[::-1]
    ax = axes(ax, (7, 0.32 * len(top) + 1.5))
    bars = ax.barh(top["collocate"], top[value], color=color)
    for bar, o, g in zip(bars, top["n_with_node"], top["g2"]):
        ax.text(bar.get_width(), bar.get_y() + bar.get_height() / 2, f" {o} · G² {g:.1f}", va="center", fontsize=8.5,
                color="#333333")
    node = "/".join(table.attrs.get("node", []))
    ax.set_xlabel(f"{value} (co-occurrences · G² at bar end)")
    ax.set_title(title or f"Collocates of {node} (±{table.attrs.get('window', '?')} tokens)")
    ax.margins(x=0.18)
    return ax


def isolated(x, values) -> np.ndarray:
    """Which points of a yearly series a line cannot show: a value whose previous and next year (one year apart) are
    missing or absent, as 1964 and 1975 between the gaps of the Government Work Reports."""
    x, values = np.asarray(x, dtype=float), np.asarray(values, dtype=float)
    present = {float(year) for year, v in zip(x, values) if np.isfinite(v)}
    return np.array([np.isfinite(v) and (year - 1) not in present and (year + 1) not in present
                     for year, v in zip(x, values)], dtype=bool)


def plot_category_trends(trends: pd.DataFrame, *, ax=None, categories=None, scale: str = "symlog",
                         title: str | None = None, target_label: str = "target", palette=None,
                         filter_line: bool = True):
    """Rate per 10,000 tokens of each dictionary category by year (lines; gaps where no document),
    the target series as stars in the same colour at its year (named ``target_label`` in the
    legend); colours from ``palette`` (default Paul Tol's colour-blind-safe muted set).  Takes
    :func:`analysis.stats.dictionary.category_trends`.  ``scale="symlog"`` (default: logarithmic above 1
    per 10,000, linear below, so zeros stay on the chart) keeps a short text with rates a hundred
    times the reports' from flattening them; ``"linear"`` for a plain axis.  ``filter_line``: the
    filter and count under the axis (off where a caption states them)."""
    palette = list(palette or MUTED)
    ax = axes(ax, (PAGE_WIDTH, 4.8))
    categories = list(dict.fromkeys(trends["category"])) if categories is None else list(categories)
    any_alone = False
    for i, cat in enumerate(categories):
        color = palette[i % len(palette)]
        part = trends[trends["category"] == cat]
        ref = part[part["series"] == "reference"].sort_values("year")
        x, rate = ref["year"].astype(float).to_numpy(), ref["per_10k"].astype(float).to_numpy(na_value=np.nan)
        ax.plot(x, rate, color=color, lw=1.6, label=category_label(cat))
        alone = isolated(x, rate)  # a year between gaps has no line to either side: a marker shows it
        ax.plot(x[alone], rate[alone], "o", color=color, ms=4, zorder=3)
        any_alone |= bool(alone.any())
        tgt = part[part["series"] != "reference"]
        if len(tgt):
            ax.plot(tgt["year"].astype(float), tgt["per_10k"].astype(float), "*", color=color, ms=15, mec="white",
                    zorder=4)
    ax.plot([], [], "*", color="#555555", ms=12, label=f"{target_label} (star)")
    if any_alone:
        ax.plot([], [], "o", color="#555555", ms=4, lw=0, label="a year between gaps (dot)")
    ax.set_xlabel("year")
    if scale == "symlog":
        from matplotlib.ticker import FuncFormatter
        ax.set_yscale("symlog", linthresh=1.0)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        ax.set_ylabel("occurrences per 10,000 tokens\n(log scale above 1)")
    else:
        ax.set_ylabel("occurrences per 10,000 tokens")
    ax.legend(frameon=False, fontsize=8.5, ncols=2)
    filt = trends.attrs.get("filter") if filter_line else None
    ax.set_title(title or "Dictionary categories by year")
    if filt:
        ax.text(0, -0.14, f"filter: {filt}; count: {trends.attrs.get('count', 'tokens')}", transform=ax.transAxes,
                fontsize=7.5, color="#555555", va="top")
    return ax
