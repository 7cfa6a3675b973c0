"""Split in the redesign (issue 18) into :mod:`.style` (colours, Axes, legend, captions) and one
module per chart family (:mod:`.corpus`, :mod:`.frequency`, :mod:`.keyness`, :mod:`.trends`,
:mod:`.topics`); this alias warns and goes in the next release."""

import warnings

warnings.warn("analysis.viz.charts has been split: import from analysis.viz (colours and helpers: "
              "analysis.viz.style); the old path goes in the next release", DeprecationWarning, stacklevel=2)

from analysis.viz.corpus import plot_document_lengths, plot_section_lengths  # noqa: E402
from analysis.viz.frequency import (CLOUD_MARGIN, plot_comparison_cloud, plot_rate_comparison,  # noqa: E402
                                    plot_top_terms, plot_wordcloud)
from analysis.viz.keyness import plot_keyness  # noqa: E402
from analysis.viz.style import (GAP_COLOR, MEASURE_NAMES, MUTED, OTHER_COLOR, OTHER_FILL, PAGE_WIDTH,  # noqa: E402
                                PALETTE, REFERENCE_COLOR, TARGET_COLOR, add_caption, is_intermittent, wrap_text)
from analysis.viz.topics import (group_small_topics, plot_heatmap, plot_k_selection, plot_topic_mix,  # noqa: E402
                                 plot_topic_words)
from analysis.viz.trends import (SPARSE_COUNT, plot_first_appearance, plot_similarity, plot_term_trend,  # noqa: E402
                                 plot_trend_panels)
