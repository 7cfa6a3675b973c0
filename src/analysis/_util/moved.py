"""Old import paths of moved modules: ``analysis.keyness`` is now ``analysis.stats.keyness``.

Each old module file calls :func:`moved`, which warns once (``DeprecationWarning``, pointing at the
importing line) and makes the old name the new module itself, so ``from analysis.keyness import
keyness`` keeps working for one release and both names share one module object (one state).
"""

from __future__ import annotations

import importlib
import sys
import warnings


def moved(old: str, new: str) -> None:
    warnings.warn(f"{old} has moved to {new} (or import from analysis); the old path goes in the next release",
                  DeprecationWarning, stacklevel=3)
    sys.modules[old] = importlib.import_module(new)
