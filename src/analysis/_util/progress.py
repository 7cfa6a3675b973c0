"""Progress bars for the steps that take more than a few seconds, one helper for the whole package.

``progress(iterable, desc=..., total=...)`` (also named ``progress_bar``) wraps
``tqdm.auto.tqdm``: a widget in JupyterLab (ipywidgets), a text bar on a terminal, nothing in a
log file or under CI.  Whether a bar is shown:

- ``ANALYSIS_PROGRESS=0`` (or ``false``/``no``/``off``) hides every bar, whatever the caller asked;
- ``disable=True``/``False`` from the caller decides next;
- otherwise (``disable=None``) a bar is shown when ``ANALYSIS_PROGRESS`` is set to anything
  else, in a Jupyter kernel (a notebook, or one executed by papermill; tqdm alone would hide it
  there, the kernel's stderr being no terminal), or when standard error is a terminal.

Bars go to standard error and are removed when done (``leave=False``) unless asked otherwise,
so printed results stay readable.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable

from .notebook import in_notebook

ENV = "ANALYSIS_PROGRESS"
_OFF = {"0", "false", "no", "off"}


def _env() -> str:
    return os.environ.get(ENV, "").strip().lower()


def enabled() -> bool:
    """Whether bars are shown by default here (see the module docstring for the rule)."""
    if value := _env():
        return value not in _OFF
    if in_notebook():
        return True
    stream = sys.stderr
    return stream is not None and hasattr(stream, "isatty") and stream.isatty()


def progress(iterable: Iterable | None = None, desc: str | None = None, total: int | None = None,
             disable: bool | None = None, **kwargs):
    """A ``tqdm.auto`` bar over ``iterable`` (or a manual one with ``total``, used as ``bar.update(n)``).

    ``disable=None`` decides by :func:`enabled`; ``True``/``False`` force it, except that
    ``ANALYSIS_PROGRESS=0`` always hides it.  Further keyword arguments go to tqdm
    (``unit="doc"``, ``leave=True``, ...).
    """
    from tqdm.auto import tqdm
    if _env() in _OFF:
        disable = True
    elif disable is None:
        disable = not enabled()
    kwargs.setdefault("leave", False)
    kwargs.setdefault("dynamic_ncols", True)
    return tqdm(iterable, desc=desc, total=total, disable=disable, **kwargs)


progress_bar = progress  # the name segment/parallel use
