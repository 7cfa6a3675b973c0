"""Charts of co-occurrence networks, collocates and dictionary categories.

Same conventions as :mod:`analysis.plots`: each function takes the table (or graph) a statistic
returned and an optional ``ax``, draws, and returns the Axes; none saves anything (use
:func:`analysis.figures.save_figure`).  Chinese renders through :func:`analysis.fonts.setup_matplotlib`.
"""

from __future__ import annotations

import numpy as np
import matplotlib.pyplot as plt
import pandas as pd

from .fonts import setup_matplotlib

NODE_COLOR = "#c0392b"      # the speech's colour in analysis.plots (TARGET_COLOR)
EDGE_COLOR = "#7a7a7a"
REFERENCE_COLOR = "#2c7fb8"
PALETTE = ["#2c7fb8", "#c0392b", "#31a354", "#756bb1", "#e6550d", "#636363", "#d6616b", "#3182bd"]


def _axes(ax=None, figsize=(7, 6)):
    setup_matplotlib()
    if ax is None:
        _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def network_layout(graph, *, seed: int = 7, weight: str | None = "count", k: float | None = None,
                   iterations: int = 200) -> dict:
    """Deterministic spring layout (Fruchterman–Reingold, ``networkx.spring_layout``) of ``graph``:
    the same graph and seed give the same positions.  Nodes are laid out in sorted order so that
    the order in which edges were added does not matter."""
    import networkx as nx
    ordered = nx.Graph()
    ordered.add_nodes_from(sorted(graph.nodes(data=True)))
    ordered.add_edges_from(sorted((min(u, v), max(u, v), d) for u, v, d in graph.edges(data=True)))
    if k is None:
        k = 2.2 / np.sqrt(max(len(ordered), 1))
    return nx.spring_layout(ordered, seed=seed, weight=weight, k=k, iterations=iterations)


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
                # push along the axis of least overlap, half each
                shift = np.array([0.0, (dy / 2 + 0.5) * (1 if cb[1] >= ca[1] else -1)]) if dy < dx else \
                    np.array([(dx / 2 + 0.5) * (1 if cb[0] >= ca[0] else -1), 0.0])
                for text, sgn in ((texts[i], -1), (texts[j], 1)):
                    x, y = ax.transData.transform(text.get_position())
                    text.set_position(to_data.transform((x + sgn * shift[0], y + sgn * shift[1])))
                boxes[i] = texts[i].get_window_extent(renderer).padded(pad)
                boxes[j] = texts[j].get_window_extent(renderer).padded(pad)
                moved = True
        if not moved:
            return


def plot_network(graph, *, ax=None, seed: int = 7, weight: str = "count", node_color: str = NODE_COLOR,
                 label_size: float = 9.5, max_node_size: float = 900, k: float | None = None,
                 title: str | None = None, caption: str | None = None):
    """Draw a co-occurrence graph (:func:`analysis.collocations.cooccurrence_graph`).

    Node area ∝ the term's count (node attribute ``count``), edge width and shade ∝ the edge's
    ``weight`` attribute; a seeded spring layout, so the same graph draws the same picture.
    Labels sit on the nodes with a white halo and are nudged apart where they would overlap.
    Legible at 7 in wide, 300 dpi.
    """
    import networkx as nx
    ax = _axes(ax, (7, 6))
    if len(graph) == 0:
        ax.text(0.5, 0.5, "no edges at this threshold", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return ax
    pos = network_layout(graph, seed=seed, weight=weight, k=k)
    nodes = sorted(graph.nodes)
    counts = np.array([graph.nodes[n].get("count", 1) for n in nodes], float)
    sizes = 60 + (max_node_size - 60) * np.sqrt(counts / counts.max())
    edges = sorted((min(u, v), max(u, v)) for u, v in graph.edges)
    w = np.array([graph.edges[e].get(weight, 1) for e in edges], float)
    scale = (w - w.min()) / (w.max() - w.min()) if len(w) and w.max() > w.min() else np.ones(len(w))
    nx.draw_networkx_edges(graph, pos, edgelist=edges, ax=ax, width=0.6 + 4.4 * scale,
                           edge_color=[plt.get_cmap("Greys")(0.3 + 0.5 * s) for s in scale])
    nx.draw_networkx_nodes(graph, pos, nodelist=nodes, ax=ax, node_size=sizes, node_color=node_color,
                           alpha=0.85, linewidths=0.8, edgecolors="white")
    xs = np.array([pos[n][0] for n in nodes])
    ys = np.array([pos[n][1] for n in nodes])
    pad_x, pad_y = 0.12 * (np.ptp(xs) or 1), 0.08 * (np.ptp(ys) or 1)
    ax.set_xlim(xs.min() - pad_x, xs.max() + pad_x)
    ax.set_ylim(ys.min() - pad_y, ys.max() + pad_y)
    texts = [ax.text(pos[n][0], pos[n][1], n, ha="center", va="center", fontsize=label_size, color="#111111",
                     bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.75), zorder=5)
             for n in nodes]
    _spread_labels(ax, texts, pos)
    ax.set_axis_off()
    ax.set_title(title or "Co-occurrence network")
    if caption:
        ax.text(0, -0.02, caption, transform=ax.transAxes, ha="left", va="top", fontsize=8, color="#555555", wrap=True)
    return ax


def plot_collocates(table: pd.DataFrame, n: int = 15, *, value: str = "log_dice", ax=None, color: str = NODE_COLOR,
                    title: str | None = None):
    """Horizontal bars of the ``n`` top collocates of a :func:`analysis.collocations.collocates` table
    by ``value``, with the co-occurrence count and G² at each bar's end."""
    top = table.sort_values(value, ascending=False).head(n).iloc[::-1]
    ax = _axes(ax, (7, 0.32 * len(top) + 1.5))
    bars = ax.barh(top["collocate"], top[value], color=color)
    for bar, o, g in zip(bars, top["n_with_node"], top["g2"]):
        ax.text(bar.get_width(), bar.get_y() + bar.get_height() / 2, f" {o} · G² {g:.1f}", va="center", fontsize=8.5,
                color="#333333")
    node = "/".join(table.attrs.get("node", []))
    ax.set_xlabel(f"{value} (co-occurrences · G² at bar end)")
    ax.set_title(title or f"Collocates of {node} (±{table.attrs.get('window', '?')} tokens)")
    ax.margins(x=0.18)
    return ax


def plot_category_trends(trends: pd.DataFrame, *, ax=None, categories=None, title: str | None = None):
    """Rate per 10,000 tokens of each dictionary category by year (lines; gaps where no document),
    the target series (the speech) as stars in the same colour at its year.  Takes
    :func:`analysis.dictionary.category_trends`."""
    ax = _axes(ax, (9, 4.8))
    categories = list(dict.fromkeys(trends["category"])) if categories is None else list(categories)
    for i, cat in enumerate(categories):
        color = PALETTE[i % len(PALETTE)]
        part = trends[trends["category"] == cat]
        ref = part[part["series"] == "reference"].sort_values("year")
        ax.plot(ref["year"].astype(float), ref["per_10k"].astype(float), color=color, lw=1.6, label=cat)
        tgt = part[part["series"] != "reference"]
        if len(tgt):
            ax.plot(tgt["year"].astype(float), tgt["per_10k"].astype(float), "*", color=color, ms=15, mec="white",
                    zorder=4)
    ax.plot([], [], "*", color="#555555", ms=12, label="the speech (star)")
    ax.set_xlabel("year")
    ax.set_ylabel("occurrences per 10,000 tokens")
    ax.legend(frameon=False, fontsize=9, ncols=2)
    filt = trends.attrs.get("filter")
    ax.set_title(title or "Dictionary categories by year")
    if filt:
        ax.text(0, -0.14, f"filter: {filt}; count: {trends.attrs.get('count', 'tokens')}", transform=ax.transAxes,
                fontsize=7.5, color="#555555", va="top")
    return ax
