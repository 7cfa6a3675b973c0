"""Save a figure with the table behind it: ``name.png`` (viewing), ``name.svg`` (reports,
text as paths so Chinese survives), ``name.csv`` (the data drawn), all under one name that
says what the figure shows (``keyness_speech2025_vs_gwr2015-2024``), never ``fig3``.
"""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from . import config

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")


def save_figure(fig, name: str, table: pd.DataFrame | None = None, *, folder: Path | str | None = None,
                formats: tuple[str, ...] = ("png", "svg"), close: bool = True) -> dict[str, Path]:
    """Write ``fig`` as ``folder/name.{png,svg}`` and ``table`` as ``folder/name.csv``; return the paths."""
    if not NAME.match(name):
        raise ValueError(f"figure name {name!r}: use letters, digits, '-', '_' and '.' (a name that says what it shows)")
    folder = Path(folder) if folder is not None else config.FIGURES_DIR
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for fmt in formats:
        paths[fmt] = folder / f"{name}.{fmt}"
        # No timestamp in the file: the same data give the same bytes (the ids are salted in fonts.setup_matplotlib).
        fig.savefig(paths[fmt], format=fmt, metadata={"Title": name, "Date": None} if fmt == "svg" else None)
    if table is not None:
        paths["csv"] = folder / f"{name}.csv"
        table.to_csv(paths["csv"], index=False, encoding="utf-8")
    if close:
        plt.close(fig)
    return paths
