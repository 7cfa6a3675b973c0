"""The study's rules and the notebooks' steps: parameters (any document as target, its reference:
``params``), the words of titles and prose (``wording``), the study corpus and what is read off it
(``corpus``), the steps each notebook calls (``overview``, ``vocabulary``, ``distinctive`` and its
segmentation check ``robustness``,
``change``, ``topic_study``), the term explorer (``explorer``), and what a notebook saves and
shows (``display``).
"""

from .change import (describe_references, KeyTermTrends, key_term_terms, key_term_trends, FirstUseElsewhere,
                     first_use_elsewhere, NumberedFormulations, numbered_formulations, CategoryFamilies,
                     category_families, KeyTermNetwork, key_term_network, ClosestDocuments, closest_documents)
from .corpus import (load_study_corpus, links_in_repeats, repeated_passages, learned_terms)
from .display import (figures_folder, save_and_show, save_table)
from .distinctive import (KeyTerms, key_terms, Survival, survival, LikeForLike, like_for_like, Families,
                          families, Nested, nested, Tfidf, tfidf, by_section_intro, BySection, by_section)
from .robustness import (Sensitivity, sensitivity, ShortText, short_text)
from .explorer import (TermReport, TermExplorer, explore_term)
from .overview import (DocumentLengths, document_lengths, SectionLengths, section_lengths,
                       normalisation_report, Repeats, repeats, LearnedTerms, learned)
from .params import (parse_years, parse_name, StudyParams, valid_ids_message, output_name, resolve)
from .topic_study import (TopicData, topic_paragraphs, KChoice, choose_k, TopicFit, fit_topics, ModelFit,
                          model_fit, TopicPrevalence, prevalence_by_year, TargetMix, target_mix)
from .vocabulary import (TopTerms, top_terms_step, RateComparison, rate_comparison)
from .wording import (ordinal, collection_name, document_name, capitalise, gap_years, year_ranges, term_list,
                      filter_note)

__all__ = ["describe_references", "KeyTermTrends", "key_term_terms", "key_term_trends", "FirstUseElsewhere",
    "first_use_elsewhere", "NumberedFormulations", "numbered_formulations", "CategoryFamilies",
    "category_families", "KeyTermNetwork", "key_term_network", "ClosestDocuments", "closest_documents",
    "load_study_corpus", "links_in_repeats", "repeated_passages", "learned_terms", "figures_folder", "save_and_show",
    "save_table", "KeyTerms", "key_terms", "Survival", "survival", "LikeForLike", "like_for_like", "Families",
    "families", "Sensitivity", "sensitivity", "ShortText", "short_text", "Nested", "nested", "Tfidf", "tfidf", "by_section_intro", "BySection", "by_section",
    "TermReport", "TermExplorer", "explore_term", "DocumentLengths", "document_lengths", "SectionLengths",
    "section_lengths", "normalisation_report", "Repeats", "repeats", "LearnedTerms", "learned", "parse_years",
    "parse_name", "StudyParams", "valid_ids_message", "output_name", "resolve", "TopicData",
    "topic_paragraphs", "KChoice", "choose_k", "TopicFit", "fit_topics", "ModelFit", "model_fit",
    "TopicPrevalence", "prevalence_by_year", "TargetMix", "target_mix", "TopTerms", "top_terms_step",
    "RateComparison", "rate_comparison", "ordinal", "collection_name", "document_name", "capitalise",
    "gap_years", "year_ranges", "term_list", "filter_note"]
