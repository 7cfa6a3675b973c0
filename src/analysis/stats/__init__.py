"""Statistics on counts: TF-IDF, keyness, diachronic trends, collocations, similarity, concordance,
repeats, numbered formulations, first appearances and survival of key terms, dictionary categories,
like-for-like references.  Each returns a tidy table with its counts beside the statistic.
"""

from .claims import (first_appearance_all, keyness_survival)
from .collocations import (split_sentences, collocates, collocations, cooccurrence, cooccurrence_graph)
from .concordance import (kwic)
from .dictionary import (Dictionary, filter_name, as_keep, Source, source, token_units, default_nesting,
                         UnitCounts, count_unit, lookup, lookup_terms, category_keyness, category_trends)
from .formulations import (formulation_shape, find_formulations, expand_members, formulation_trends)
from .keyness import (g2_statistic, chi2_statistic, log_ratio, expected_min, fisher_exact_p, dispersion,
                      bootstrap_log_ratio, is_key, keyness, keyness_from_dtm, key_terms)
from .like_for_like import (matching_paragraphs, like_for_like)
from .logodds import (log_odds, log_odds_table)
from .permutation import (length_strata, permutation_test, permutation_keyness, Resolution,
                          bootstrap_resolution)
from .repeats import (find_repeats, Deduplicated, drop_repeats, dedupe_units)
from .similarity import (cross_similarity, similarity_to)
from .tfidf import (tfidf_matrix, tfidf, tfidf_from_dtm)
from .trends import (trend_table, term_trends, first_appearance)

__all__ = ["first_appearance_all", "keyness_survival", "split_sentences", "collocates", "collocations",
    "cooccurrence", "cooccurrence_graph", "kwic", "Dictionary", "filter_name", "as_keep", "Source", "source",
    "token_units", "default_nesting", "UnitCounts", "count_unit", "lookup", "lookup_terms",
    "category_keyness", "category_trends", "formulation_shape", "find_formulations", "expand_members",
    "formulation_trends", "g2_statistic", "chi2_statistic", "log_ratio", "expected_min", "fisher_exact_p",
    "dispersion", "bootstrap_log_ratio", "is_key", "keyness", "keyness_from_dtm", "key_terms",
    "matching_paragraphs", "like_for_like", "log_odds", "log_odds_table", "length_strata", "permutation_test",
    "permutation_keyness", "Resolution", "bootstrap_resolution", "find_repeats", "Deduplicated",
    "drop_repeats", "dedupe_units", "cross_similarity", "similarity_to", "tfidf_matrix", "tfidf",
    "tfidf_from_dtm", "trend_table", "term_trends", "first_appearance"]
