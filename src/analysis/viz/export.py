"""Write a table as CSV, Excel or LaTeX, atomically, under one name.

- ``csv``: UTF-8, no index — what the charts are regenerated from, byte-identical run to run.
- ``xlsx``: one sheet (openpyxl), for readers who open tables in a spreadsheet.  Not byte-identical
  run to run (the file records when it was written), which is why figures/ writes only CSV by default.
- ``tex``: ``DataFrame.to_latex`` — a booktabs ``tabular`` to ``\\input`` into a paper's ``table``
  environment (needs ``\\usepackage{booktabs}``; Chinese cells need XeLaTeX with ``xeCJK`` or ``ctex``).
  LaTeX special characters in headers and cells are escaped.

Every file is written through :func:`analysis.atomic.atomic_write` (a unique temporary file
beside the target, renamed into place), so a reader never sees half a file.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from .._util.atomic import atomic_write
from ..errors import InputError

TABLE_FORMATS = ("csv", "xlsx", "tex")
XLSX_MAX_ROWS = 1_048_576 - 1  # one row for the header


def _write_csv(table: pd.DataFrame, fh) -> None:
    table.to_csv(fh, index=False, encoding="utf-8")


def _write_xlsx(table: pd.DataFrame, fh, sheet: str) -> None:
    if len(table) > XLSX_MAX_ROWS:
        raise InputError(f"{len(table):,} rows do not fit in one Excel sheet (at most {XLSX_MAX_ROWS:,})")
    table.to_excel(fh, index=False, sheet_name=sheet[:31], engine="openpyxl")  # Excel caps sheet names at 31


def _write_tex(table: pd.DataFrame, fh) -> None:
    fh.write(table.to_latex(index=False, escape=True).encode("utf-8"))


def write_table(table: pd.DataFrame, stem: Path | str, formats: Iterable[str] = ("csv",)) -> dict[str, Path]:
    """Write ``table`` as ``stem.csv`` / ``stem.xlsx`` / ``stem.tex`` for each of ``formats``; return the paths."""
    stem = Path(stem)
    formats = tuple(formats)
    unknown = [f for f in formats if f not in TABLE_FORMATS]
    if unknown:
        raise InputError(f"table format(s) {unknown} for {stem.name}: choose from {TABLE_FORMATS}")
    writers = {"csv": _write_csv, "xlsx": lambda t, fh: _write_xlsx(t, fh, stem.name), "tex": _write_tex}
    paths = {}
    for fmt in formats:
        path = stem.with_name(f"{stem.name}.{fmt}")
        try:
            atomic_write(path, lambda fh, fmt=fmt: writers[fmt](table, fh))
        except (ValueError, ImportError) as exc:
            raise type(exc)(f"{path}: {exc}") from exc
        paths[fmt] = path
    return paths
