"""Moved to :mod:`analysis.text.structure`; this alias warns and goes in the next release."""

from analysis._util.moved import moved

moved(__name__, "analysis.text.structure")
