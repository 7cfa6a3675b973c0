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


def renamed(**old_to_new: str):
    """Accept an argument's old name for one release: ``@renamed(keep="token_filter")`` maps ``keep=`` to
    ``token_filter=`` with a ``DeprecationWarning``; giving both is an error naming them."""
    import functools

    def decorate(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            for old, new in old_to_new.items():
                if old in kwargs:
                    if new in kwargs:
                        from ..errors import InputError
                        raise InputError(f"{func.__name__}: give {new}= only ({old}= is its old name)")
                    warnings.warn(f"{func.__name__}: {old}= is now {new}=; the old name goes in the next release",
                                  DeprecationWarning, stacklevel=2)
                    kwargs[new] = kwargs.pop(old)
            return func(*args, **kwargs)
        return wrapper
    return decorate
