"""Paths and run-wide settings, built from the package's own location.

Every path the package uses is derived here, never from the working directory
(cookiecutter-data-science's ``config.py``).  Two environment variables let a
researcher move things without editing code:

``ANALYSIS_PROJECT_DIR``
    The project folder (holding ``corpus/`` and ``figures/``).  Defaults to the
    checkout this package was installed from (``pip install -e .``).
``ANALYSIS_CORPUS_MIRROR``
    A local folder holding copies of the reference collections; when set, it
    replaces the network (see :mod:`analysis.corpus.fetch`).
``ANALYSIS_CACHE_DIR``
    Where segmentation results are cached (default ``PROJECT_DIR/.cache``).
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = PACKAGE_DIR / "data"  # files shipped inside the package (lexicon, stopwords)


def _project_dir() -> Path:
    env = os.environ.get("ANALYSIS_PROJECT_DIR")
    if env:
        return Path(env).expanduser().resolve()
    checkout = PACKAGE_DIR.parents[1]  # src/analysis -> project root
    if (checkout / "corpus").is_dir():
        return checkout
    return Path.cwd()


PROJECT_DIR = _project_dir()
CORPUS_DIR = PROJECT_DIR / "corpus"
SPEECH_DIR = CORPUS_DIR / "speech"
REFERENCE_MANIFEST = CORPUS_DIR / "reference.json"
DOWNLOAD_DIR = CORPUS_DIR / "cache"  # git-ignored
FIGURES_DIR = PROJECT_DIR / "figures"
CACHE_DIR = Path(os.environ.get("ANALYSIS_CACHE_DIR", PROJECT_DIR / ".cache")).expanduser()

MIRROR_ENV = "ANALYSIS_CORPUS_MIRROR"

# The on-disk store's defaults (analysis.store), here so that the command line can show them
# without importing the store (and scikit-learn with it).
STORE_CHUNK_CHARS = 2_000_000  # characters of text per chunk: bounds a worker's memory
STORE_ENGINES = ("local", "dask")


def corpus_mirror() -> Path | None:
    """The local mirror folder named by ``ANALYSIS_CORPUS_MIRROR``, if any."""
    value = os.environ.get(MIRROR_ENV)
    return Path(value).expanduser() if value else None
