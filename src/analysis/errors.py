"""Exceptions and warnings raised by the package.

Every error names the file (or document) and what is wrong with it, and says
what to do where there is something to do.
"""


class AnalysisError(Exception):
    """Base class for the package's errors."""


class CorpusError(AnalysisError):
    """A corpus file cannot be read or does not have the expected form."""


class DecodingError(CorpusError):
    """A text file is in none of the encodings tried."""


class FetchError(CorpusError):
    """A reference collection could not be obtained."""


class ChecksumError(FetchError):
    """A downloaded or mirrored file does not have the published sha256."""


class MirrorError(FetchError):
    """The local mirror folder lacks a file it was asked for."""


class ManifestError(FetchError):
    """A manifest (``corpus/reference.json``) is malformed or names a file outside its folder."""


class CacheError(AnalysisError):
    """A saved model or cache file cannot be used: truncated, corrupt, foreign or another format version."""


class InputError(AnalysisError, ValueError):
    """An argument makes no sense for the data (empty target, unknown term, ...)."""


class CorpusWarning(UserWarning):
    """Something in a corpus was kept but needs the researcher's attention."""


class CacheWarning(UserWarning):
    """A cache file could not be used (corrupt, truncated or foreign); it is recomputed."""
