"""One place that finds a CJK font and configures matplotlib and wordcloud with it.

Order: a CJK font the system already has (Noto Sans CJK SC, Source Han Sans SC, …), else
the SIL Open Font Licence Noto Sans CJK SC that the ``mplfonts`` package ships (only that
file of ``mplfonts`` is used).  wordcloud ignores matplotlib's settings and needs the file
path (:func:`cjk_font_path`).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import matplotlib as mpl
from matplotlib import font_manager

SYSTEM_FAMILIES = ("Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans SC", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei")
MPLFONTS_FILE = "NotoSansCJKsc-Regular.otf"  # SIL OFL 1.1


class FontNotFound(RuntimeError):
    pass


@lru_cache(maxsize=1)
def cjk_font_path() -> Path:
    """Path of the CJK font used for every chart and word cloud."""
    for family in SYSTEM_FAMILIES:
        try:
            path = font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
        except ValueError:
            continue
        return Path(path)
    try:
        import mplfonts
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise FontNotFound("no CJK font found: install a Noto Sans CJK font or the mplfonts package") from exc
    path = Path(mplfonts.__file__).parent / "fonts" / MPLFONTS_FILE
    if not path.is_file():
        raise FontNotFound(f"mplfonts is installed but {path} is missing")
    return path


@lru_cache(maxsize=1)
def setup_matplotlib() -> str:
    """Register the CJK font and make it matplotlib's default; return its family name.

    SVG output keeps text as paths (``svg.fonttype = "path"``), so Chinese survives in any viewer.
    """
    path = cjk_font_path()
    font_manager.fontManager.addfont(str(path))
    family = font_manager.FontProperties(fname=str(path)).get_name()
    mpl.rcParams.update({
        "font.family": "sans-serif",
        "font.sans-serif": [family, "DejaVu Sans"],
        "axes.unicode_minus": False,  # the CJK font has no U+2212 minus in every build
        "svg.fonttype": "path",
        "svg.hashsalt": "analysis",  # reproducible element ids in SVG output
        "figure.dpi": 100,
        "savefig.dpi": 300,
        "savefig.bbox": "tight",
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.titlesize": 13,
        "axes.labelsize": 11,
        "xtick.labelsize": 10,
        "ytick.labelsize": 10,
    })
    return family
