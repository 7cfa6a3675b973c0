"""Moved to :mod:`analysis.stats.like_for_like`; this alias warns and goes in the next release."""

from analysis._util.moved import moved

moved(__name__, "analysis.stats.like_for_like")
