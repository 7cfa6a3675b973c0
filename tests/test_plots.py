"""Plots: what they drew (bars, labels, gaps, fonts), never pixels; save_figure; no missing glyphs."""

from __future__ import annotations

import math
import warnings

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib import font_manager
from PIL import Image, ImageDraw, ImageFont

from analysis.viz.save import save_figure
from analysis.viz.fonts import cjk_font_path, setup_matplotlib
from analysis.counts.frequency import term_frequency
from analysis.stats.keyness import keyness
from analysis.viz.corpus import plot_document_lengths, plot_section_lengths
from analysis.viz.frequency import plot_comparison_cloud, plot_rate_comparison, plot_top_terms, plot_wordcloud
from analysis.viz.keyness import plot_keyness
from analysis.viz.style import MUTED, OTHER_FILL, PAGE_WIDTH, TARGET_COLOR, is_intermittent
from analysis.viz.topics import plot_heatmap, plot_topic_mix, plot_topic_words
from analysis.viz.trends import plot_first_appearance, plot_similarity, plot_trend_panels
from analysis.tokens.segment import segmented_documents
from analysis.stats.trends import term_trends

matplotlib.use("agg")


@pytest.fixture(scope="module")
def docs(speech_paragraphs, gwr_paragraphs):
    return segmented_documents(pd.concat([speech_paragraphs, gwr_paragraphs], ignore_index=True))


@pytest.fixture(autouse=True)
def no_missing_glyphs():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    glyphs = [str(w.message) for w in caught if "Glyph" in str(w.message) or "missing from" in str(w.message)]
    assert not glyphs, glyphs


def test_cjk_font_is_used_for_chinese_labels(docs):
    family = setup_matplotlib()
    ax = plot_top_terms(term_frequency(docs[docs["doc_id"] == "speech2025"]), 10)
    ax.figure.canvas.draw()
    labels = ax.get_yticklabels()
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in t.get_text()) for t in labels)
    for label in labels:
        assert font_manager.findfont(label.get_fontproperties()) == str(cjk_font_path())
    assert family in matplotlib.rcParams["font.sans-serif"][0]


def test_cjk_font_has_distinct_glyphs():
    """Tofu boxes would render every ideograph the same: render a few and compare."""
    font = ImageFont.truetype(str(cjk_font_path()), 48)
    images = []
    for ch in "法治两确":
        img = Image.new("L", (64, 64), 255)
        ImageDraw.Draw(img).text((4, 0), ch, font=font, fill=0)
        images.append(np.asarray(img))
    assert all((im < 128).sum() > 50 for im in images)
    assert len({im.tobytes() for im in images}) == 4


def test_top_terms_bars_match_table(docs):
    freq = term_frequency(docs[docs["doc_id"] == "speech2025"])
    ax = plot_top_terms(freq, 12)
    bars = ax.patches
    top = freq.head(12)
    assert [t.get_text() for t in ax.get_yticklabels()] == list(top["term"])[::-1]
    assert np.allclose([b.get_width() for b in bars], top["per_10k"].to_numpy()[::-1])
    assert "per 10,000 tokens" in ax.get_xlabel()


def test_keyness_plot_draws_over_and_under_used(docs):
    table = keyness(docs, "speech2025", docs["year"].between(2015, 2024).fillna(False).to_numpy(dtype=bool) & (docs["collection"] == "gwr").to_numpy(),
                    min_count=3)
    ax = plot_keyness(table, 10)
    sig = table[table["p_adj"] < 0.05]
    n_over, n_under = min(10, (sig["g2"] > 0).sum()), min(10, (sig["g2"] < 0).sum())
    bars = ax.patches
    assert len(bars) == n_over + n_under
    widths = np.array([b.get_width() for b in bars])
    assert (widths > 0).sum() == n_over and (widths < 0).sum() == n_under
    red = matplotlib.colors.to_rgba(TARGET_COLOR)
    assert all(b.get_facecolor() == red for b in bars if b.get_width() > 0)
    assert ax.get_yticklabels()[-1].get_text() == sig.iloc[0]["term"]  # strongest at the top


def test_trend_panels_leave_gaps(docs):
    trends = term_trends(docs, ["改革", "高质量发展"], target="speech2025")
    axes = plot_trend_panels(trends, ncols=2)
    line = axes[0].get_lines()[0]
    x, y = line.get_xdata(), line.get_ydata()
    assert np.isnan(y[list(x).index(2020.0)])  # no report in 2020: a break in the line
    ref = docs[docs["collection"] == "gwr"]
    counts = [sum(toks.count(t) for toks in ref["tokens"]) for t in ("改革", "高质量发展")]
    speech = docs.set_index("doc_id").loc["speech2025", "tokens"]
    assert [ax.get_title() for ax in axes] == [f"改革  ({counts[0]:,} / {speech.count('改革')})",
                                               f"高质量发展  ({counts[1]:,} / {speech.count('高质量发展')})"]
    assert axes[0].figure.get_figwidth() <= PAGE_WIDTH


def test_trend_panels_draw_one_or_two_occurrences_as_points(docs):
    trends = term_trends(docs, ["法律服务"], target="speech2025")
    ax = plot_trend_panels(trends, ncols=1)[0]
    ref = trends[trends["series"] == "reference"].set_index("year")
    few = ref[(ref["count"] >= 1) & (ref["count"] <= 2)].index.astype(float)
    assert len(few) > 0
    line, filled, open_points = ax.get_lines()[:3]
    xs, ys = list(line.get_xdata()), line.get_ydata()
    assert all(np.isnan(ys[xs.index(y)]) for y in few)  # not joined into the line
    assert sorted(open_points.get_xdata()) == sorted(few) and open_points.get_markerfacecolor() == "white"


def test_intermittent_series_are_joined(cpc, segmenter):
    from analysis.tokens.segment import segmented_documents
    cdocs = segmented_documents(segmenter.segment(cpc))
    assert is_intermittent(cdocs["year"]) and not is_intermittent(pd.Series(range(2000, 2025)))
    trends = term_trends(cdocs, ["社会主义"])
    line = plot_trend_panels(trends, ncols=1)[0].get_lines()[0]
    years = sorted(cdocs["year"].dropna().astype(int).unique())
    assert list(line.get_xdata()) == [float(y) for y in years]  # only years with a report, joined


def test_rate_comparison_draws_zero_apart_and_legend_below(docs):
    table = keyness(docs, "speech2025", docs["year"].between(2015, 2024).fillna(False).to_numpy(dtype=bool)
                    & (docs["collection"] == "gwr").to_numpy(), min_target=1)
    rows = table.head(20)
    assert (rows["n_reference"] == 0).any()
    ax = plot_rate_comparison(rows, target_label="speech2025", reference_label="GWR 2015–2024")
    labels = [t.get_text() for t in ax.get_xticklabels()]
    zero_at = ax.get_xticks()[labels.index("0")]
    assert zero_at < rows.loc[rows["per_10k_reference"] > 0, "per_10k_reference"].min()
    hollow = ax.collections[-1]
    assert np.allclose(hollow.get_offsets()[:, 0], zero_at)
    assert len(hollow.get_offsets()) == (rows["n_reference"] == 0).sum()
    ax.figure.canvas.draw()
    legend = ax.get_legend().get_window_extent()
    assert legend.y1 < ax.get_window_extent().y0  # under the axes, not over the data


def test_keyness_plot_says_when_nothing_is_significant(docs):
    table = keyness(docs, "speech2025", min_count=3).assign(p_adj=1.0)
    ax = plot_keyness(table)
    assert not ax.patches and any("no term is significant" in t.get_text() for t in ax.texts)


def test_comparison_cloud_has_a_legend_with_counts(docs):
    table = keyness(docs, "speech2025", min_count=3)
    ax = plot_comparison_cloud(table, n=10, target_label="speech2025", reference_label="GWR")
    sig = table[table["p_adj"] < 0.05]
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert texts[0] == f"over-used in speech2025: {min(10, (sig['g2'] > 0).sum())} of {(sig['g2'] > 0).sum()} significant"
    assert texts[1].startswith("under-used (more frequent in GWR)")


def test_first_appearance_axis_and_labels():
    first = pd.DataFrame({"term": ["甲", "乙", "丙"], "first_year": pd.array([2014, 2019, pd.NA], dtype="Int64"),
                          "last_year": pd.array([2024, 2019, pd.NA], dtype="Int64"), "n_years": [9, 1, 0],
                          "total_count": [20, 1, 0]})
    ax = plot_first_appearance(first, target_year=2025, target_label="speech2025")
    assert ax.get_xlim()[1] <= 2027
    texts = [t.get_text() for t in ax.texts]
    assert "2019 · 1 year" in texts and "2014 · 9 years" in texts
    assert "speech2025 (2025)" in [t.get_text() for t in ax.get_legend().get_texts()]


def test_similarity_explains_the_labelled_years():
    sims = pd.DataFrame({"doc_id": [f"d{y}" for y in range(2010, 2020)], "year": range(2010, 2020),
                         "cosine": np.linspace(0.1, 0.3, 10)})
    ax = plot_similarity(sims, target_year=2020, target_label="t2020")
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "the 3 most similar: 2019, 2018, 2017" in legend and "t2020 (2020)" in legend
    assert not ax.texts  # adjacent years: named in the legend, not stacked on the chart
    spread = sims.assign(cosine=[0.3, 0.1, 0.1, 0.1, 0.1, 0.29, 0.1, 0.1, 0.1, 0.28])
    ax = plot_similarity(spread)
    assert sorted(t.get_text() for t in ax.texts) == ["2010", "2015", "2019"]


def test_topic_mix_palette_groups_small_topics():
    labels = [f"topic{i}" for i in range(12)]
    shares = np.arange(12, 0, -1, dtype=float)
    mix = pd.DataFrame({"group": "a", "topic": range(12), "label": labels, "share": shares / shares.sum()})
    ax = plot_topic_mix(mix, "group")
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == labels[:9] + ["other topics"]
    colors = [matplotlib.colors.to_hex(p.get_facecolor()).upper() for p in ax.patches]
    assert colors[:9] == MUTED and colors[9] == OTHER_FILL.upper()
    assert sum(p.get_width() for p in ax.patches) == pytest.approx(1.0)


def test_topic_words_fit_a_page():
    weights = pd.DataFrame([(k, f"t{k}", r + 1, f"词{k}{r}", 1 / (r + 1)) for k in range(20) for r in range(8)],
                           columns=["topic", "label", "rank", "term", "weight"])
    axes = plot_topic_words(weights, ncols=4)
    assert len(axes) == 20 and axes[0].figure.get_figwidth() <= PAGE_WIDTH


def test_heatmap_draws_missing_as_gap():
    matrix = pd.DataFrame([[1.0, np.nan], [3.0, 4.0]], index=["甲", "乙"], columns=["2019", "2020"])
    ax = plot_heatmap(matrix)
    data = ax.images[0].get_array()
    assert data.mask[0, 1] and not data.mask[1, 1]


def test_document_lengths_marks_gaps(gwr, speech):
    table = pd.concat([gwr, speech]).assign(characters=lambda d: d["text"].str.len())
    ax = plot_document_lengths(table)
    spans = [p for p in ax.patches if p.get_width() == pytest.approx(1.0) and p.get_facecolor()[:3] == matplotlib.colors.to_rgb("#eeeeee")]
    expected_gaps = {y for y in range(1954, 2026)} - set(gwr["year"])
    assert len(spans) == len(expected_gaps) == 20


def test_wordcloud_uses_the_cjk_font(docs):
    ax = plot_wordcloud(term_frequency(docs[docs["doc_id"] == "speech2025"]), n=30)
    assert ax.images and ax.images[0].get_array().shape[2] == 3


def test_wordcloud_draws_only_words_legible_at_report_size(docs):
    """No word under 6 pt when the figure is printed 16 cm wide: the smallest are left out, and the
    title counts the words drawn (the most frequent first)."""
    from analysis.viz.frequency import min_cloud_pixels
    assert min_cloud_pixels(1500) == math.ceil(6 / 72 * 2.54 / (0.9 * 16) * 1500) == 23
    freq = term_frequency(docs[docs["doc_id"] == "speech2025"])
    ax = plot_wordcloud(freq, n=80)
    top = freq.sort_values("count", ascending=False)["term"].head(80).tolist()
    drawn = ax.cloud_terms
    assert 0 < len(drawn) < 80 and sorted(drawn) == sorted(top[:len(drawn)])  # a prefix of the ranking, ties aside
    assert ax.get_title().startswith(f"{len(drawn)} most frequent terms")


def test_save_figure_writes_png_svg_and_table(tmp_path, docs):
    freq = term_frequency(docs[docs["doc_id"] == "speech2025"]).head(5)
    ax = plot_top_terms(freq, 5)
    paths = save_figure(ax.figure, "top_terms_test", freq, folder=tmp_path)
    assert set(paths) == {"png", "svg", "csv"} and all(p.stat().st_size > 0 for p in paths.values())
    assert Image.open(paths["png"]).size[0] > 500
    svg = paths["svg"].read_text(encoding="utf-8")
    assert "<path" in svg and "<text" not in svg  # text drawn as glyph paths: survives without the font
    assert pd.read_csv(paths["csv"])["term"].tolist() == freq["term"].tolist()
    with pytest.raises(ValueError, match="figure name"):
        save_figure(ax.figure, "fig 3?", folder=tmp_path)


def test_section_lengths_fall_back_to_top_level_parts():
    rows = [("", "", 50)] + [(f"{'一二三'[i]}、部分", f"{'一二三'[i]}、部分 > （{k}）小节{k}", 10 + k) for i in range(3) for k in range(15)]
    paragraphs = pd.DataFrame(rows, columns=["section", "section_path", "n_chars"])
    ax = plot_section_lengths(paragraphs, max_bars=30)  # 1 + 45 bars would not fit a page
    assert len(ax.patches) == 4 and ax.get_title().endswith("(top-level parts)")
    assert sorted(p.get_width() for p in ax.patches)[-1] == sum(10 + k for k in range(15))
    detailed = plot_section_lengths(paragraphs, max_bars=60)
    assert len(detailed.patches) == 46 and detailed.figure.get_figheight() <= 9.0


def test_every_chart_returns_the_axes_it_drew_on(docs):
    """Single-panel charts (an ``ax`` parameter) draw on the Axes given and return it; multi-panel ones
    (a ``fig`` parameter) draw on the figure given and return the array of its panels, as their docstrings say."""
    import inspect

    import matplotlib.pyplot as plt

    import analysis.viz as viz
    charts = {n: getattr(viz, n) for n in viz.__all__ if n.startswith("plot_")}
    params = {n: inspect.signature(f).parameters for n, f in charts.items()}
    single = {n for n, p in params.items() if "ax" in p}
    multi = {n for n, p in params.items() if "fig" in p}
    assert single | multi == set(charts) and not single & multi, (single, multi)
    assert all("array of" in " ".join(charts[n].__doc__.split()) for n in multi), multi

    freq = term_frequency(docs[docs["doc_id"] == "speech2025"])
    reference = (docs["collection"] == "gwr").to_numpy() & docs["year"].between(2015, 2024).fillna(False).to_numpy(dtype=bool)
    table = keyness(docs, "speech2025", reference, min_count=3)
    trend = term_trends(docs, ["改革"], target="speech2025")
    first = pd.DataFrame({"term": ["甲", "乙"], "first_year": pd.array([2014, 2019], dtype="Int64"),
                          "last_year": pd.array([2024, 2019], dtype="Int64"), "n_years": [9, 1], "total_count": [20, 1]})
    sims = pd.DataFrame({"doc_id": [f"d{y}" for y in range(2010, 2020)], "year": range(2010, 2020),
                         "cosine": np.linspace(0.1, 0.3, 10)})
    mix = pd.DataFrame({"group": "a", "topic": range(3), "label": ["x", "y", "z"], "share": [0.5, 0.3, 0.2]})
    inputs = {"plot_top_terms": (freq, 10), "plot_wordcloud": (freq,), "plot_keyness": (table, 5),
              "plot_comparison_cloud": (table,), "plot_rate_comparison": (table.head(6),), "plot_term_trend": (trend,),
              "plot_first_appearance": (first,), "plot_similarity": (sims,), "plot_topic_mix": (mix, "group"),
              "plot_heatmap": (pd.DataFrame([[1.0, 2.0]], index=["甲"], columns=["2019", "2020"]),)}
    for name, args in inputs.items():
        fig, ax = plt.subplots()
        assert charts[name](*args, ax=ax) is ax, name
        plt.close(fig)

    fig = plt.figure()
    panels = charts["plot_trend_panels"](term_trends(docs, ["改革", "发展"], target="speech2025"), ncols=2, fig=fig)
    assert isinstance(panels, np.ndarray) and len(panels) == 2 and all(ax.figure is fig for ax in panels)
    plt.close(fig)


def test_the_old_charts_path_warns_and_gives_the_same_functions():
    import importlib
    import sys

    import analysis.viz as viz
    from analysis.viz.style import MUTED as muted
    sys.modules.pop("analysis.viz.charts", None)
    with pytest.warns(DeprecationWarning, match="analysis.viz.charts has been split"):
        old = importlib.import_module("analysis.viz.charts")
    assert old.plot_keyness is viz.plot_keyness and old.plot_topic_mix is viz.plot_topic_mix and old.MUTED is muted
