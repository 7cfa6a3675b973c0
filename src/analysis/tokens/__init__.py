"""Tokens: segmentation into unfiltered token streams (jieba/rjieba with the lexicon and learned terms; a
checked on-disk cache; worker processes), the counting-time TokenFilter, nested term counts, and
``prepare()``, which takes a corpus from texts to a SegmentedCorpus.
"""

from .cache import (pack, split_vocab, split_at, unpack, corpus_vocabulary, Segments, OldFormat, encode,
                    decode, SegmentCache)
from .learn import (paragraph_tokens, learn_terms, save_learned, learned_tsv, load_learned, parse_learned,
                    read_veto, corpus_key, vetoed_terms, learned_table, learned_lexicon, as_lexicon)
from .learn_eval import (EvalResult, candidate_terms, leave_out, wholeness, sample_terms, read_labels,
                         evaluate)
from .nesting import (TokenFilter, Nesting, boundaries, count_in_stream, term_starts, normalise_term,
                      counted_terms, count_terms, term_matrix)
from .pipeline import (SegmentedCorpus, prepare)
from .segment import (Segmenter, paragraph_texts, check_texts, apply_filter, document_tokens,
                      segmented_documents, section_documents, segment_corpus, lexicon_check)
from .workers import (balanced_chunks, process_texts)

__all__ = ["pack", "split_vocab", "split_at", "unpack", "corpus_vocabulary", "Segments", "OldFormat",
    "encode", "decode", "SegmentCache", "paragraph_tokens", "learn_terms", "save_learned", "learned_tsv",
    "load_learned", "parse_learned", "read_veto", "corpus_key", "vetoed_terms", "learned_table",
    "learned_lexicon", "as_lexicon", "EvalResult", "candidate_terms", "leave_out", "wholeness",
    "sample_terms", "read_labels", "evaluate", "TokenFilter", "Nesting", "boundaries", "count_in_stream",
    "term_starts", "normalise_term", "counted_terms", "count_terms", "term_matrix", "SegmentedCorpus",
    "prepare", "Segmenter", "paragraph_texts", "check_texts", "apply_filter", "document_tokens",
    "segmented_documents", "section_documents", "segment_corpus", "lexicon_check", "balanced_chunks",
    "process_texts"]
