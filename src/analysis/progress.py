"""Progress bars for steps that take more than a few seconds (tqdm; a widget in JupyterLab).

``ANALYSIS_PROGRESS=0`` turns them off everywhere; ``disable=None`` lets tqdm decide (no bar
when the output is not a terminal or a notebook).
"""

from __future__ import annotations

import os


def progress_bar(iterable=None, *, desc: str = "", total=None, disable: bool | None = None, **kwargs):
    """A tqdm bar over ``iterable`` (or a manual one with ``total``), written to stderr."""
    from tqdm.auto import tqdm
    if os.environ.get("ANALYSIS_PROGRESS", "").strip() in ("0", "no", "false", "off"):
        disable = True
    return tqdm(iterable, desc=desc, total=total, disable=disable, leave=False, **kwargs)
