"""Counts: document-term matrices from segmented documents and term frequencies per 10,000 tokens.
"""

from .dtm import (identity, NgramAnalyzer, DTM, rank_within_groups, build_dtm)
from .frequency import (term_frequency, frequency_from_dtm, top_terms)

__all__ = ["identity", "NgramAnalyzer", "DTM", "rank_within_groups", "build_dtm", "term_frequency",
    "frequency_from_dtm", "top_terms"]
