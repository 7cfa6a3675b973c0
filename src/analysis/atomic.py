"""Moved to :mod:`analysis._util.atomic`; this alias warns and goes in the next release."""

from analysis._util.moved import moved

moved(__name__, "analysis._util.atomic")
