"""Save a figure with the table behind it: ``name.png`` (viewing), ``name.svg`` (reports, text as
paths so Chinese survives), ``name.csv`` (the data drawn; optionally also ``.xlsx`` and ``.tex``),
all under one name that says what the figure shows (``keyness_speech2025_vs_gwr2015-2024``), never
``fig3`` (Wilson et al. 2017, "Good enough practices in scientific computing", 4f).

In a notebook the saved chart is also shown in the cell (the notebook is its first reader), by
:func:`show_figure`, the package's one way an image reaches a notebook: the PNG just written (what
the reader sees is the file, whatever matplotlib backend the kernel has) or the figure rendered at
a given dpi, with the figure's words (:func:`figure_texts`) in the output's metadata.  What was
written comes back as :class:`Saved` (paths by format), from figures and tables alike.  Every file
is written atomically (:func:`analysis._util.atomic.atomic_write`).
"""

from __future__ import annotations

import os
import re
import struct
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from .. import config
from .._util.atomic import atomic_write
from ..errors import InputError
from .export import TABLE_FORMATS, write_table
from .._util.notebook import in_notebook

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # as analysis.preprocessing.CJK
NAME = re.compile(f"^[A-Za-z0-9{CJK}][A-Za-z0-9_.\\-{CJK}]*$")
NOT_IN_NAME = re.compile(f"[^A-Za-z0-9_.\\-{CJK}]")
SEPARATORS = ("/", "\\", os.sep) + ((os.altsep,) if os.altsep else ())
TABLES_ENV = "ANALYSIS_TABLES"  # e.g. "csv,xlsx,tex": the table formats when save_figure is not told


def check_name(name, what: str = "figure name") -> str:
    """``name`` if it can name output files: Chinese characters, ASCII letters and digits, then also
    ``_ . -``; no path separator, no ``..``.  Else an :class:`InputError` (a ValueError)."""
    if not isinstance(name, str) or not NAME.match(name) or ".." in name:
        raise InputError(f"{what} {name!r}: use letters (Chinese or ASCII), digits, '-', '_' and '.', "
                         f"no '..' (a name that says what it shows)")
    return name


def figure_name(text, what: str = "figure name") -> str:
    """A file name made from ``text`` (a name built from a document id, such as
    ``keyness_讲话 2024_vs_gwr2015-2024``): Chinese characters and ``[A-Za-z0-9_.-]`` kept, every
    other character (spaces, punctuation) mapped to ``-``.  A path separator, ``..`` or an empty
    name is an :class:`InputError`, never a path outside the folder."""
    if not isinstance(text, str) or not text.strip():
        raise InputError(f"{what} {text!r}: empty; give a name that says what the figure shows")
    if any(sep in text for sep in SEPARATORS) or ".." in text:
        raise InputError(f"{what} {text!r}: contains a path separator or '..'; a file name cannot")
    return check_name(NOT_IN_NAME.sub("-", text.strip()), what)


class Saved(dict):
    """The paths written under one name, by format (``saved["png"]``, ``saved["csv"]``), with a short
    repr: a notebook cell ending in ``save_figure(...)`` shows the chart and one line saying where it
    went.  :func:`save_figure` and :func:`analysis.study.display.save_table` both return one."""

    def __init__(self, name: str, folder: Path, paths: dict[str, Path]):
        super().__init__(paths)
        self.name = name
        self.folder = folder

    @property
    def png_size(self) -> tuple[int, int] | None:
        """(width, height) in pixels, read from the PNG header; None without a PNG."""
        return png_size(self["png"]) if "png" in self else None

    def __repr__(self) -> str:
        return f"saved {self.name}.{{{','.join(self)}}} in {self.folder}"

    def _repr_pretty_(self, printer, cycle) -> None:  # IPython's text display
        printer.text(repr(self))


SavedFigure = Saved  # its former name


def png_size(path: Path | str) -> tuple[int, int]:
    """(width, height) of a PNG file from its IHDR chunk; ValueError naming the file if it is no PNG."""
    head = Path(path).read_bytes()[:24]
    if head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        raise ValueError(f"{path}: not a PNG file")
    return struct.unpack(">II", head[16:24])


def default_tables() -> tuple[str, ...]:
    """Table formats from ``ANALYSIS_TABLES`` (comma-separated), else CSV only."""
    value = os.environ.get(TABLES_ENV, "").strip()
    return tuple(f.strip() for f in value.split(",") if f.strip()) if value else ("csv",)


def figure_texts(fig) -> list[str]:
    """Every non-empty text of ``fig``: titles, axis labels, tick labels, legends, annotations, caption
    (line breaks read as spaces: captions are wrapped at spaces to the figure's width)."""
    from matplotlib.text import Text
    return [t.get_text().replace("\n", " ") for t in fig.findobj(Text) if t.get_text().strip()]


def _display(fig, *, name: str | None = None, files: dict[str, Path] | None = None, dpi: int = 120) -> None:
    """Display ``fig`` in the running notebook: its PNG file in ``files`` (at its 2x size: savefig.dpi
    200 = 2x figure.dpi), else its SVG file there, else (no files) the figure rendered as a PNG at
    ``dpi``.  The figure's words (titles, labels, legend, caption) travel with the output, so that a
    reader or a test can check what it says without reading pixels."""
    import io

    from IPython.display import SVG, Image, display
    metadata = {"analysis": {"name": name, "texts": figure_texts(fig)}}
    files = files or {}
    if "png" in files:
        display(Image(filename=str(files["png"]), retina=True), metadata=metadata)
        return
    if "svg" in files:
        display(SVG(filename=str(files["svg"])), metadata=metadata)
        return
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    display(Image(data=buffer.getvalue(), format="png"), metadata=metadata)


def show_figure(fig, *, dpi: int = 120, name: str | None = None) -> None:
    """Show ``fig`` inline as a PNG rendered at ``dpi`` when running in a notebook kernel (any
    matplotlib backend), then close it."""
    if in_notebook():
        _display(fig, name=name, dpi=dpi)
    plt.close(fig)


def save_figure(fig, name: str, table: pd.DataFrame | None = None, *, folder: Path | str | None = None,
                formats: tuple[str, ...] = ("png", "svg"), tables: tuple[str, ...] | None = None,
                close: bool = True, show: bool | None = None, dpi: int | None = None) -> Saved:
    """Write ``fig`` as ``folder/name.{png,svg}`` and ``table`` as ``folder/name.csv``; return the paths.

    ``tables``: the table formats, any of ``("csv", "xlsx", "tex")``; default ``$ANALYSIS_TABLES``
    or CSV only (Excel files are not byte-identical run to run, and figures/ regenerates byte for byte).
    ``show``: display the saved chart in the notebook cell (:func:`show_figure`'s display); default:
    when running in a Jupyter kernel.  ``dpi``: show the figure rendered at this resolution rather
    than the PNG file written (or the SVG file, when no PNG is).
    ``close``: close the figure afterwards, so it is neither shown twice nor kept in memory.
    """
    check_name(name)
    tables = default_tables() if tables is None else tuple(tables)
    if bad := [t for t in tables if t not in TABLE_FORMATS]:
        raise InputError(f"figure {name}: table format(s) {bad}; choose from {TABLE_FORMATS}")
    folder = Path(folder) if folder is not None else config.FIGURES_DIR
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for fmt in formats:
        # No timestamp in the file: the same data give the same bytes (the ids are salted in fonts.setup_matplotlib).
        metadata = {"Title": name, "Date": None} if fmt == "svg" else None
        paths[fmt] = atomic_write(folder / f"{name}.{fmt}", lambda fh, fmt=fmt, md=metadata: fig.savefig(fh, format=fmt, metadata=md))
    if table is not None:
        paths.update(write_table(table, folder / name, tables))
    saved = Saved(name, folder, paths)
    if show if show is not None else in_notebook():
        _display(fig, name=name, files=None if dpi is not None else saved, dpi=dpi or 120)
    if close:
        plt.close(fig)
    return saved
