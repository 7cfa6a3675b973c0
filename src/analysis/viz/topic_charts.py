"""Charts of how well a topic model sees each document (notebook 5).

Like :mod:`analysis.viz.charts`: each function takes the table a step returned, draws, and
returns the Axes; nothing is saved here.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ..errors import InputError
from .charts import PAGE_WIDTH, TARGET_COLOR
from .fonts import setup_matplotlib

SERIES_COLOR = "#332288"  # the reference documents, one point per year (Tol's muted indigo)


def plot_model_fit(fit: pd.DataFrame, *, reference_label: str, target_label: str, fig=None,
                   title: str | None = None) -> np.ndarray:
    """Two panels against the year: each document's out-of-vocabulary share and mean reconstruction
    error (a :func:`analysis.study.topic_study.model_fit` table: ``year, oov_share,
    reconstruction_error, series``, where ``series`` is ``"reference"`` or the target's id); the
    reference documents as a line, the target as a star."""
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
