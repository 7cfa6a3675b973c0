"""Write a table as CSV, Excel or LaTeX, atomically, under one name.

- ``csv``: UTF-8, no index — what the charts are regenerated from, byte-identical run to run.
- ``xlsx``: one sheet (openpyxl), for readers who open tables in a spreadsheet.  Not byte-identical
  run to run (the file records when it was written), which is why figures/ writes only CSV by default.
- ``tex``: ``DataFrame.to_latex`` — a booktabs ``tabular`` to ``\\input`` into a paper's ``table``
  environment (needs ``\\usepackage{booktabs}``; Chinese cells need XeLaTeX with ``xeCJK`` or ``ctex``).
  LaTeX special characters in headers and cells are escaped.

Every file is written to a unique temporary name in the target folder and renamed into place
(``os.replace``), so a reader never sees half a file.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

import pandas as pd

TABLE_FORMATS = ("csv", "xlsx", "tex")
XLSX_MAX_ROWS = 1_048_576 - 1  # one row for the header


def atomic_write(path: Path | str, write: Callable[[Path], object]) -> Path:
    """Call ``write(tmp)`` on a unique temporary path beside ``path``, then rename it to ``path``."""
    path = Path(path)
    # The temporary name keeps the extension: pandas chooses the Excel writer by it.
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=f".part{path.suffix}", dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _write_csv(table: pd.DataFrame, tmp: Path) -> None:
    table.to_csv(tmp, index=False, encoding="utf-8")


def _write_xlsx(table: pd.DataFrame, tmp: Path, sheet: str) -> None:
    if len(table) > XLSX_MAX_ROWS:
        raise ValueError(f"{len(table):,} rows do not fit in one Excel sheet (at most {XLSX_MAX_ROWS:,})")
    table.to_excel(tmp, index=False, sheet_name=sheet[:31], engine="openpyxl")  # Excel caps sheet names at 31


def _write_tex(table: pd.DataFrame, tmp: Path) -> None:
    tmp.write_text(table.to_latex(index=False, escape=True), encoding="utf-8")


def write_table(table: pd.DataFrame, stem: Path | str, formats: Iterable[str] = ("csv",)) -> dict[str, Path]:
    """Write ``table`` as ``stem.csv`` / ``stem.xlsx`` / ``stem.tex`` for each of ``formats``; return the paths."""
    stem = Path(stem)
    formats = tuple(formats)
    unknown = [f for f in formats if f not in TABLE_FORMATS]
    if unknown:
        raise ValueError(f"table format(s) {unknown} for {stem.name}: choose from {TABLE_FORMATS}")
    writers = {"csv": _write_csv, "xlsx": lambda t, tmp: _write_xlsx(t, tmp, stem.name), "tex": _write_tex}
    paths = {}
    for fmt in formats:
        path = stem.with_name(f"{stem.name}.{fmt}")
        try:
            atomic_write(path, lambda tmp, fmt=fmt: writers[fmt](table, tmp))
        except (ValueError, ImportError) as exc:
            raise type(exc)(f"{path}: {exc}") from exc
        paths[fmt] = path
    return paths
