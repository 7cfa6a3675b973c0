"""Text: normalisation (PDF damage, full-width punctuation, boilerplate removed and counted), the section
structure of official documents, Chinese numerals.
"""

from .normalise import (remove_control_chars, remove_zero_width, fullwidth_alnum_to_ascii,
                        traditional_to_simplified, ascii_punct_to_fullwidth, remove_spaces_near_cjk,
                        join_hard_wraps, tidy_lines, strip_licence_footer, strip_title_block, make_pipeline,
                        Normalised, changed_chars, normalise, normalise_corpus)
from .numerals import (cn_to_int)
from .paragraphs import (paragraph_table)
from .structure import (split_paragraphs, split_sentences, heading_level, Paragraph, parse_paragraphs,
                        section_label, outline)

__all__ = ["remove_control_chars", "remove_zero_width", "fullwidth_alnum_to_ascii",
    "traditional_to_simplified", "ascii_punct_to_fullwidth", "remove_spaces_near_cjk", "join_hard_wraps",
    "tidy_lines", "strip_licence_footer", "strip_title_block", "make_pipeline", "Normalised", "changed_chars",
    "normalise", "normalise_corpus", "cn_to_int", "paragraph_table", "split_paragraphs", "split_sentences",
    "heading_level", "Paragraph", "parse_paragraphs", "section_label", "outline"]
