"""Lexicon: the curated political lexicon and stopwords (``terms``) and n-gram statistics for
phrase discovery (``phrases``).
"""

from .phrases import (is_word, NgramStats, flatten, ngram_stats, discover_phrases)
from .terms import (Lexicon, CATEGORY_LABELS, category_label, standard_stopwords, genre_stopwords, stopword_list)

__all__ = ["is_word", "NgramStats", "flatten", "ngram_stats", "discover_phrases", "Lexicon", "CATEGORY_LABELS", "category_label",
    "standard_stopwords", "genre_stopwords", "stopword_list"]
