"""analysis: computational text analysis of Chinese political discourse.

The researcher's API is one import::

    from analysis import load_corpus, prepare, TokenFilter, keyness, key_terms, term_trends, plot_keyness

The stages, in the order data flows through them (each a subpackage with its own ``__init__``)::

    corpus   obtain, verify, load and select texts: fetch + sha256, readers, reference collections, select
    text     normalise (PDF damage, punctuation, boilerplate counted), structure (sections), numerals
    lexicon  the political lexicon and stopwords; n-gram statistics
    tokens   segmentation (cache, workers), TokenFilter, nested counts, learned terms, prepare()
    counts   document-term matrices, term frequency per 10,000 tokens
    stats    tfidf, keyness, trends, collocations, similarity, concordance, repeats, formulations, claims,
             dictionary categories, like-for-like references
    topics   NMF/LDA topic models, coherence, stability, K selection; streaming NMF over a store
    store    the on-disk Parquet store for corpora larger than memory (local or Dask)
    viz      charts drawn from those tables; fonts; save_figure
    study    the study's parameters and wording, the term explorer, notebook display

Names are imported when first used, so ``import analysis`` (and the command line) stays fast.
"""

from __future__ import annotations

import importlib
import sys
import types

__version__ = "0.1.0"

_API = {
    "analysis.corpus": ["load_corpus", "load_default_corpus", "load_folder", "load_jsonl", "load_csv", "load_gwr",
                        "load_cpc", "load_speech", "read_text", "fetch", "fetch_all", "ensure_unique_ids",
                        "describe_corpus", "list_documents", "check_documents"],
    "analysis.text": ["normalise", "split_paragraphs", "split_sentences", "outline"],
    "analysis.lexicon": ["Lexicon"],
    "analysis.tokens": ["Segmenter", "TokenFilter", "Nesting", "count_terms", "prepare", "SegmentedCorpus",
                        "learn_terms", "segmented_documents"],
    "analysis.counts": ["build_dtm", "term_frequency"],
    "analysis.stats": ["tfidf", "keyness", "key_terms", "term_trends", "first_appearance", "find_formulations",
                       "formulation_trends", "similarity_to", "kwic", "find_repeats", "collocates",
                       "Dictionary", "category_keyness", "category_trends", "like_for_like", "keyness_survival",
                       "first_appearance_all", "log_odds_table", "permutation_keyness"],
    "analysis.topics": ["TopicModel", "select_k", "npmi_coherence", "topic_prevalence", "document_topics"],
    "analysis.store": ["index", "open_store", "Store"],
    "analysis.viz": ["save_figure", "plot_keyness", "plot_top_terms", "plot_wordcloud", "plot_term_trend",
                     "plot_trend_panels", "plot_similarity", "plot_first_appearance", "plot_network"],
    "analysis.errors": ["AnalysisError", "CorpusError", "InputError", "CacheError", "CorpusWarning", "CacheWarning"],
}
_WHERE = {name: module for module, names in _API.items() for name in names}
__all__ = sorted(_WHERE)


def __getattr__(name: str):
    if name in _WHERE:
        value = getattr(importlib.import_module(_WHERE[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'analysis' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))


class _Package(types.ModuleType):
    """Importing an old module path (``analysis.keyness``, kept for one release) sets that name on the
    package; an API function of the same name must not be hidden by the module."""

    def __setattr__(self, name: str, value) -> None:
        if isinstance(value, types.ModuleType) and name in _WHERE and value.__name__ != _WHERE[name]:
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
