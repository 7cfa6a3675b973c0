"""The study's rules: notebook parameters (any document as target, its reference), labels and wording,
the term explorer, and the notebook display helpers.
"""

from .study import (ordinal, collection_name, parse_years, parse_name, document_name, capitalise, StudyParams,
                    valid_ids_message, output_name, resolve, gap_years, year_ranges, explore_term,
                    save_and_show, show_figure, figure_texts, term_list, load_study_corpus, links_in_repeats,
                    filter_note, repeated_passages, learned_terms, lr_text, plot_key_terms,
                    plot_family_keyness, save_table)

__all__ = ["ordinal", "collection_name", "parse_years", "parse_name", "document_name", "capitalise",
    "StudyParams", "valid_ids_message", "output_name", "resolve", "gap_years", "year_ranges", "explore_term",
    "save_and_show", "show_figure", "figure_texts", "term_list", "load_study_corpus", "links_in_repeats",
    "filter_note", "repeated_passages", "learned_terms", "lr_text", "plot_key_terms", "plot_family_keyness",
    "save_table"]
