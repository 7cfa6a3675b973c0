"""What a notebook writes and shows: a chart saved with the table behind it and shown inline
(:func:`save_and_show`), a table without a chart (:func:`save_table`), both under a file name made
from the document ids (:func:`analysis.study.params.output_name`) and both returning
:class:`analysis.viz.save.Saved` (the paths by format).

The display itself is :func:`analysis.viz.save.show_figure`'s, the package's one way an image
reaches a notebook (with the figure's words, :func:`analysis.viz.save.figure_texts`, in its metadata).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from .params import output_name

if TYPE_CHECKING:
    from ..viz.save import Saved


def figures_folder(folder, target: str) -> Path:
    """Where a notebook run writes its charts and tables: ``folder`` when one is given (``make
    figures`` gives the project's ``figures/``), else ``build/figures/<target>/`` of the project, so
    that a run from JupyterLab, for any target, never writes among the committed figures."""
    from .. import config
    return Path(folder) if folder is not None else config.PROJECT_DIR / "build" / "figures" / output_name(target)


def save_and_show(fig, name: str, table: pd.DataFrame | None = None, *, folder=None, dpi: int = 120) -> Saved:
    """Save ``fig`` with :func:`analysis.viz.save.save_figure` (PNG, SVG and the table as CSV) and,
    in a notebook kernel, show it inline as a PNG (rendered at ``dpi``, whatever the matplotlib
    backend: papermill runs headless with ``agg``); then close it.  Returns the paths.  ``name`` may
    hold a document id as it is (``keyness_讲话 2024_vs_…``): it is made a file name by :func:`output_name`."""
    from ..viz.save import save_figure  # matplotlib: imported when a chart is saved
    return save_figure(fig, output_name(name), table, folder=folder, dpi=dpi)


def save_table(table: pd.DataFrame, name: str, *, folder=None) -> Saved:
    """Write a table without a chart as ``folder/name.csv`` (default folder: the project's figures/),
    atomically (:func:`analysis.viz.export.write_table`), so prose about it can be checked against it."""
    from .. import config
    from ..viz.export import write_table
    from ..viz.save import Saved
    name = output_name(name, "table name")
    folder = Path(folder) if folder is not None else config.FIGURES_DIR
    folder.mkdir(parents=True, exist_ok=True)
    return Saved(name, folder, write_table(table, folder / name, ("csv",)))
