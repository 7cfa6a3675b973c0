"""Plots: what they drew (bars, labels, gaps, fonts), never pixels; save_figure; no missing glyphs."""

from __future__ import annotations

import warnings

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib import font_manager
from PIL import Image, ImageDraw, ImageFont

from analysis.figures import save_figure
from analysis.fonts import cjk_font_path, setup_matplotlib
from analysis.frequency import term_frequency
from analysis.keyness import keyness
from analysis.plots import (TARGET_COLOR, plot_document_lengths, plot_heatmap, plot_keyness, plot_top_terms,
                            plot_trend_panels, plot_wordcloud)
from analysis.segment import segmented_documents
from analysis.trends import term_trends

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
    assert [ax.get_title() for ax in axes] == ["改革", "高质量发展"]


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
