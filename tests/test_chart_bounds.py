"""Charts that cannot mislead (issue 19, item 7): an infinite interval end is an arrowhead at the axis edge, never a
bar across the axis; a year between gaps is a marker, not an invisible line of one point."""

import matplotlib

matplotlib.use("agg")

import numpy as np
import pandas as pd
import matplotlib.pyplot as plt

from analysis.viz.keyness import interval_geometry, plot_key_terms
from analysis.viz.network import isolated, plot_category_trends


def test_interval_geometry_draws_no_bar_for_an_interval_at_minus_infinity():
    lr = np.array([3.0, -5.8, 2.0, -1.0])
    low = np.array([1.0, -np.inf, -np.inf, -2.0])
    high = np.array([4.0, -np.inf, 3.5, np.inf])
    left, right, lines, open_ends = interval_geometry(lr, low, high)
    assert left < -5.8 and right > 4.0
    assert tuple(lines[0]) == (1.0, 4.0)                    # finite: as it is
    assert lines[1, 0] == lines[1, 1] == left               # [−∞, −∞]: nothing drawn but the arrowhead
    assert tuple(lines[2]) == (left, 3.5)                   # open to the left, up to its finite end
    assert tuple(lines[3]) == (-2.0, right)                 # open to the right
    assert open_ends["left"].tolist() == [False, True, True, False]
    assert open_ends["right"].tolist() == [False, False, False, True]
    # no drawn segment spans the whole axis
    assert ((lines[:, 1] - lines[:, 0]) < (right - left)).all()


def _key_table():
    return pd.DataFrame({
        "term": ["甲乙", "丙丁", "戊己", "庚辛"],
        "n_target": [12, 0, 4, 0], "n_reference": [10, 300, 5, 250],
        "g2": [40.0, -30.0, 15.0, -25.0], "p_adj": [1e-6, 1e-4, 1e-3, 1e-3],
        "log_ratio": [3.0, -5.8, 2.5, -5.5], "lr_ci_low": [1.5, -np.inf, -np.inf, -np.inf],
        "lr_ci_high": [4.0, -np.inf, 3.5, -np.inf], "lr_bound": ["", "", "", ""],
        "n_units_target": [6, 0, 3, 0], "is_key": [True, True, True, True],
    })


def test_plot_key_terms_marks_open_ends_and_keeps_every_bar_inside_the_axis():
    ax = plot_key_terms(_key_table(), 10, min_units=2)
    x0, x1 = ax.get_xlim()
    segments = [seg for coll in ax.collections if hasattr(coll, "get_segments") for seg in coll.get_segments()]
    assert segments and all(abs(s[1][0] - s[0][0]) < (x1 - x0) * 0.999 for s in segments)
    markers = [coll for coll in ax.collections if not hasattr(coll, "get_segments")]
    offsets = np.concatenate([m.get_offsets() for m in markers])
    # one arrowhead at the left edge for each [−∞, −∞] row (under-used, never in the target's paragraphs); 戊己,
    # whose interval reaches −∞, is not key and not drawn
    assert np.isclose(offsets[:, 0], x0).sum() == 2
    assert [t.get_text() for t in ax.get_yticklabels()] == ["庚辛", "丙丁", "甲乙"]
    plt.close(ax.figure)


def test_isolated_years_between_gaps_get_a_marker():
    years = np.array([1960, 1961, 1962, 1964, 1966, 1975, 1978, 1979], dtype=float)
    rate = np.array([1.0, 2.0, np.nan, 3.0, 0.5, 4.0, 1.0, 1.0])
    assert isolated(years, rate).tolist() == [False, False, False, True, True, True, False, False]
    trends = pd.DataFrame({"category": "rule_of_law", "series": "reference", "year": years, "per_10k": rate})
    ax = plot_category_trends(trends)
    dots = [line for line in ax.get_lines() if line.get_marker() == "o" and len(line.get_xdata())]
    assert sorted(float(v) for d in dots for v in d.get_xdata()) == [1964.0, 1966.0, 1975.0]
    plt.close(ax.figure)


def test_explorer_reports_no_log_ratio_for_a_term_neither_side_uses_and_a_bound_for_one_zero():
    import warnings
    from analysis.study import explore_term, load_study_corpus
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        corpus = load_study_corpus()
    none = explore_term(corpus, "全面依法治市", target="speech2025")  # in the text, never one token (opt-in term)
    row = none["keyness"].iloc[0]
    assert row["n_target"] == 0 and row["n_reference"] == 0 and np.isnan(row["log_ratio"])
    assert "no rate, G² or Log Ratio" in none["summary"] and "Log Ratio +" not in none["summary"]
    assert none["n_kwic"] == corpus.text_of("speech2025").count("全面依法治市")
    one = explore_term(corpus, "司法行政工作", target="speech2025")
    assert one["keyness"].iloc[0]["n_reference"] == 0 and "Log Ratio ≥+" in one["summary"]


def test_network_caption_says_how_many_nodes_it_drew_and_which_are_missing():
    import warnings
    from analysis.study import key_term_network, load_study_corpus, resolve
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        corpus = load_study_corpus()
        study = resolve(corpus, target="speech2025")
    net = key_term_network(corpus, study)
    fig = net.plot()
    caption = " ".join(t.get_text() for t in fig.texts)
    drawn = net.graph.number_of_nodes()
    assert f"drawn: the {drawn} of the {len(net.terms)} with a link at the threshold" in caption
    missing = [t for t in net.terms if t not in set(net.graph.nodes)]
    assert drawn < len(net.terms) and all(t in caption for t in missing[:10])
    plt.close(fig)
