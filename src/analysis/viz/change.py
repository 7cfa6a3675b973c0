"""Charts of notebook 4 (what is new and what persists) that add to the small multiples of
:mod:`analysis.viz.charts`: key-term trend panels that each say in how many reference documents
their term occurs.  Same conventions: take the tables, draw, return the Axes; nothing is saved.
"""

from __future__ import annotations

import pandas as pd

from .charts import plot_trend_panels


def plot_key_term_trends(trends: pd.DataFrame, n_docs: pd.Series, n_documents: int, few: int, *, ncols: int = 3,
                         title: str | None = None, target_label: str | None = None):
    """:func:`analysis.viz.charts.plot_trend_panels` of ``trends``, each panel labelled top left
    "in N of ``n_documents`` documents" from ``n_docs`` (term → reference documents using it),
    followed by " · rare" where N ≤ ``few``.  Returns the axes."""
    axes = plot_trend_panels(trends, ncols=ncols, title=title, target_label=target_label)
    for ax in axes:
        term = ax.get_title().split("(")[0].strip()
        if term in n_docs:
            n = int(n_docs[term])
            ax.text(0.02, 0.97, f"in {n} of {n_documents} documents" + (" · rare" if n <= few else ""),
                    transform=ax.transAxes, ha="left", va="top", fontsize=7.5, color="#333333",
                    bbox=dict(fc="white", ec="none", alpha=0.8, pad=1))
    return axes
