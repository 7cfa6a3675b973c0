"""Charts: each draws a statistic's table onto Axes (``charts``, ``network``); fonts for Chinese;
``save_figure`` writes a figure with the table behind it.
"""

from .charts import (is_intermittent, add_caption, wrap_text, plot_document_lengths, plot_section_lengths,
                     plot_top_terms, plot_rate_comparison, plot_keyness, plot_wordcloud,
                     plot_comparison_cloud, plot_trend_panels, plot_term_trend, plot_first_appearance,
                     plot_similarity, plot_heatmap, plot_k_selection, plot_topic_words, group_small_topics,
                     plot_topic_mix)
from .export import (write_table)
from .fonts import (FontNotFound, cjk_font_path, setup_matplotlib)
from .network import (network_layout, plot_network, plot_collocates, plot_category_trends)
from .save import (check_name, figure_name, SavedFigure, png_size, default_tables, save_figure)

__all__ = ["is_intermittent", "add_caption", "wrap_text", "plot_document_lengths", "plot_section_lengths",
    "plot_top_terms", "plot_rate_comparison", "plot_keyness", "plot_wordcloud", "plot_comparison_cloud",
    "plot_trend_panels", "plot_term_trend", "plot_first_appearance", "plot_similarity", "plot_heatmap",
    "plot_k_selection", "plot_topic_words", "group_small_topics", "plot_topic_mix", "write_table",
    "FontNotFound", "cjk_font_path", "setup_matplotlib", "network_layout", "plot_network", "plot_collocates",
    "plot_category_trends", "check_name", "figure_name", "SavedFigure", "png_size", "default_tables",
    "save_figure"]
