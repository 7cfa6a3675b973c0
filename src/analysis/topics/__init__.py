"""Topic models: NMF/LDA with coherence, stability and K selection (``model``, ``selection``); streaming NMF over a
store (``streaming``).
"""

from .model import (corpus_hash, make_vectorizer, check_n_topics, top_words, TopicModel, fit_cached,
                    document_topics, topic_prevalence, topic_mix, representative_paragraphs, oov_share,
                    reconstruction_error)
from .selection import (WindowCounts, npmi_coherence, stability, select_k, recommend_k, mark_recommended,
                        coherence_ties)
from .streaming import (store_filter, sample_paragraphs, StreamingNMF, transform_paragraphs,
                        write_paragraph_topics)

__all__ = ["corpus_hash", "make_vectorizer", "check_n_topics", "top_words", "TopicModel", "fit_cached",
    "npmi_coherence", "stability", "select_k", "recommend_k", "mark_recommended", "document_topics",
    "topic_prevalence", "topic_mix", "representative_paragraphs", "oov_share", "reconstruction_error",
    "coherence_ties", "WindowCounts", "store_filter", "sample_paragraphs", "StreamingNMF", "transform_paragraphs",
    "write_paragraph_topics"]
