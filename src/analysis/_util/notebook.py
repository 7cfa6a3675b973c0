"""Whether the code runs in a Jupyter kernel: the one test the package makes before it shows a
progress bar (:mod:`analysis._util.progress`) or a chart inline (:func:`analysis.viz.save.show_figure`).
"""

from __future__ import annotations

import sys


def in_notebook() -> bool:
    """True inside a Jupyter kernel (JupyterLab, nbclient, papermill); False in a terminal IPython or plain Python.
    IPython is not imported for the question: a process that has not loaded it runs no kernel."""
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    shell = ipython.get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None
