"""Moved to :mod:`analysis.stats.collocations`; this alias warns and goes in the next release."""

from analysis._util.moved import moved

moved(__name__, "analysis.stats.collocations")
