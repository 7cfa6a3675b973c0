"""Charts: each draws a statistic's table onto Axes, one module per family (``corpus``, ``frequency``,
``keyness``, ``trends``, ``topics``, ``network``) in one look (``style``: colours, Axes, legend,
captions); fonts for Chinese; ``save_figure`` writes a figure with the table behind it and
``show_figure`` is the one way a chart is shown in a notebook.
"""

from .corpus import (plot_document_lengths, plot_section_lengths)
from .export import (write_table)
from .fonts import (FontNotFound, cjk_font_path, setup_matplotlib)
from .frequency import (plot_top_terms, plot_rate_comparison, plot_wordcloud, plot_comparison_cloud)
from .keyness import (plot_keyness, plot_key_terms, plot_family_keyness)
from .network import (network_layout, plot_network, plot_collocates, plot_category_trends)
from .save import (check_name, figure_name, Saved, png_size, default_tables, figure_texts, show_figure,
                   save_figure)
from .style import (axes, legend_below, is_intermittent, add_caption, wrap_text, lr_text)
from .topics import (plot_heatmap, plot_k_selection, plot_topic_words, group_small_topics, plot_topic_mix,
                     plot_model_fit)
from .trends import (plot_trend_panels, plot_term_trend, plot_first_appearance, plot_similarity,
                     plot_key_term_trends)

__all__ = ["plot_document_lengths", "plot_section_lengths", "write_table", "FontNotFound", "cjk_font_path",
    "setup_matplotlib", "plot_top_terms", "plot_rate_comparison", "plot_wordcloud", "plot_comparison_cloud",
    "plot_keyness", "plot_key_terms", "plot_family_keyness", "network_layout", "plot_network",
    "plot_collocates", "plot_category_trends", "check_name", "figure_name", "Saved", "png_size",
    "default_tables", "figure_texts", "show_figure", "save_figure", "axes", "legend_below", "is_intermittent",
    "add_caption", "wrap_text", "lr_text", "plot_heatmap", "plot_k_selection", "plot_topic_words",
    "group_small_topics", "plot_topic_mix", "plot_model_fit", "plot_trend_panels", "plot_term_trend",
    "plot_first_appearance", "plot_similarity", "plot_key_term_trends"]
