"""Split in the redesign (issue 18) into :mod:`.params`, :mod:`.wording`, :mod:`.display`,
:mod:`.corpus` and :mod:`.explorer` (its charts and the figure display into :mod:`analysis.viz`);
this alias warns and goes in the next release."""

import warnings

warnings.warn("analysis.study.study has been split: import from analysis.study (or analysis.viz for its charts); "
              "the old path goes in the next release", DeprecationWarning, stacklevel=2)

from analysis.study.corpus import learned_terms, links_in_repeats, load_study_corpus, repeated_passages  # noqa: E402
from analysis.study.display import save_and_show, save_table  # noqa: E402
from analysis.study.explorer import explore_term  # noqa: E402
from analysis.study.params import (DEFAULT_COLLECTION, StudyParams, output_name, parse_name, parse_years,  # noqa: E402
                                   resolve, valid_ids_message)
from analysis.study.wording import (COLLECTION_NAMES, ORDINALS, capitalise, collection_name,  # noqa: E402
                                    document_name, filter_note, gap_years, lr_text, ordinal, term_list, year_ranges)
from analysis.viz.keyness import plot_family_keyness, plot_key_terms  # noqa: E402
from analysis.viz.save import figure_texts, show_figure  # noqa: E402
