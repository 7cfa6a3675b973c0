"""Collocates, multiword collocations and co-occurrence networks against hand counts and scipy."""

from __future__ import annotations

import math
import random
from collections import Counter
from itertools import product

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2_contingency

from analysis.stats.collocations import collocates, collocations, cooccurrence, cooccurrence_graph
from analysis.errors import InputError

# Two documents: X = paragraphs Q1, Q2; Y = paragraph Q3.  Unfiltered tokens.
Q1 = ["甲甲", "乙乙", "法治", "丙丙", "，", "丁丁", "法治", "乙乙"]
Q2 = ["乙乙", "丙丙", "戊戊", "甲甲"]
Q3 = ["法治", "的", "甲甲", "丙丙", "丙丙", "乙乙"]


class MinTwoChars:
    name = "min_chars=2"

    def keep(self, token):
        return len(token) >= 2


KEEP = MinTwoChars()


@pytest.fixture
def docs():
    return pd.DataFrame({"doc_id": ["X", "X", "Y"], "paragraph": [0, 1, 0], "tokens": [Q1, Q2, Q3]})


def scipy_g2(table):
    return chi2_contingency(np.array(table), lambda_="log-likelihood", correction=False)[0]


# ---------------------------------------------------------------- collocates of a node

def test_collocates_hand_counted_window(docs):
    t = collocates(docs, "法治", window=2, token_filter=KEEP, min_count=1).set_index("collocate")
    # Q1: nodes at 2 and 6, span = {0,1,3,4,5,7} (4 is the padded ，): 甲甲 乙乙 丙丙 丁丁 乙乙
    # Q3: node at 0, span = {1,2}: 的 (padding) and 甲甲; 丙丙 at distance 3 is outside
    # Q2 has no node; Q1's last 乙乙 does not reach into Q2 (no crossing of paragraphs)
    assert t["n_with_node"].to_dict() == {"甲甲": 2, "乙乙": 2, "丙丙": 1, "丁丁": 1}
    assert (t["n_node"] == 3).all() and (t["n_span"] == 6).all()
    assert (t["n_total"] == 13).all()            # kept tokens other than the node
    assert t["n_collocate"].to_dict() == {"甲甲": 3, "乙乙": 4, "丙丙": 4, "丁丁": 1}
    assert t.attrs["filter"] == "min_chars=2" and t.attrs["window"] == 2 and t.attrs["padding"] is True


def test_collocate_statistics_match_scipy(docs):
    t = collocates(docs, "法治", window=2, token_filter=KEEP, min_count=1).set_index("collocate")
    r = t.loc["乙乙"]            # O = 2 in a span of 6; 4 of 13 tokens are 乙乙
    assert r["expected"] == pytest.approx(6 * 4 / 13)
    assert r["pmi"] == pytest.approx(math.log2(2 / (6 * 4 / 13)))
    assert r["log_dice"] == pytest.approx(14 + math.log2(2 * 2 / (3 + 4)))
    assert abs(r["g2"]) == pytest.approx(scipy_g2([[2, 4 - 2], [6 - 2, 13 - 6 - (4 - 2)]]))
    assert r["g2"] > 0
    d = t.loc["丙丙"]            # O = 1 < E = 6·4/13: repelled, negative G²
    assert d["g2"] == pytest.approx(-scipy_g2([[1, 3], [5, 4]]))
    g = t.loc["丁丁"]
    assert g["p"] == pytest.approx(chi2_contingency(np.array([[1, 0], [5, 7]]), lambda_="log-likelihood",
                                                    correction=False)[1])
    assert list(t["rank"]) == list(range(1, len(t) + 1))
    assert t["g2"].is_monotonic_decreasing


def test_window_policy_padding_and_paragraphs(docs):
    no_pad = collocates(docs, "法治", window=2, token_filter=KEEP, min_count=1, padding=False).set_index("collocate")
    # without padding the removed 的 frees a slot: 丙丙 (Q3, third kept token) enters the window
    assert no_pad["n_with_node"].to_dict() == {"甲甲": 2, "乙乙": 2, "丙丙": 2, "丁丁": 1}
    assert (no_pad["n_span"] == 7).all()
    crossing = collocates(docs, "法治", window=2, token_filter=KEEP, min_count=1, cross_paragraphs=True).set_index("collocate")
    assert crossing.loc["乙乙", "n_with_node"] == 3      # Q2's first 乙乙 is two positions after Q1's last node
    assert (crossing["n_span"] == 7).all()
    assert set(collocates(docs, "法治", window=2, token_filter=KEEP, min_count=2)["collocate"]) == {"甲甲", "乙乙"}


def test_collocates_errors(docs):
    with pytest.raises(InputError, match="does not occur"):
        collocates(docs, "没有", token_filter=KEEP)
    with pytest.raises(InputError, match="window"):
        collocates(docs, "法治", window=0)


# ---------------------------------------------------------------- multiword collocations

def test_bigram_lambda_z_pmi_g2_hand_counted(docs):
    t = collocations(docs, size=2, min_count=1, token_filter=KEEP).set_index("collocation")
    # eligible bigrams (no padded token inside): Q1 5, Q2 3, Q3 3 → M = 11
    assert t.attrs["n_ngrams"] == 11
    r = t.loc["法治 乙乙"]
    # n11 = 1; 法治 first in 2 bigrams; 乙乙 second in 3 → n10 = 1, n01 = 2, n00 = 7
    assert r["count"] == 1 and r["length"] == 2
    assert r["lambda"] == pytest.approx(math.log(1.5 * 7.5 / (1.5 * 2.5)))
    assert r["z"] == pytest.approx(math.log(3) / math.sqrt(1 / 1.5 + 1 / 1.5 + 1 / 2.5 + 1 / 7.5))
    assert r["pmi"] == pytest.approx(math.log2(1 * 11 / (2 * 3)))
    assert r["g2"] == pytest.approx(scipy_g2([[1, 1], [2, 7]]))
    assert "丙丙 丁丁" not in t.index            # the padded ， between them breaks the bigram
    assert t["z"].is_monotonic_decreasing


def _brute_force_table(streams, gram):
    size = len(gram)
    n = Counter()
    for toks in streams:
        for i in range(len(toks) - size + 1):
            window = toks[i:i + size]
            n[tuple(int(w == g) for w, g in zip(window, gram))] += 1
    return n


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_trigram_lambda_equals_brute_force_table(seed):
    rng = random.Random(seed)
    streams = [[rng.choice("ABCD") for _ in range(rng.randint(3, 40))] for _ in range(12)]
    t = collocations(streams, size=3, min_count=2)
    assert len(t)
    for r in t.to_dict("records"):
        gram = tuple(r["collocation"].split(" "))
        n = _brute_force_table(streams, gram)
        lam = sum((-1) ** (3 - sum(c)) * math.log(n[c] + 0.5) for c in product((0, 1), repeat=3))
        z = lam / math.sqrt(sum(1 / (n[c] + 0.5) for c in product((0, 1), repeat=3)))
        assert r["count"] == n[(1, 1, 1)]
        assert r["lambda"] == pytest.approx(lam) and r["z"] == pytest.approx(z)
        m = sum(n.values())
        p = [sum(v for c, v in n.items() if c[k]) / m for k in range(3)]
        e = {c: m * np.prod([pk if b else 1 - pk for pk, b in zip(p, c)]) for c in product((0, 1), repeat=3)}
        assert r["g2"] == pytest.approx(2 * sum(n[c] * math.log(n[c] / e[c]) for c in e if n[c]))


# ---------------------------------------------------------------- co-occurrence and the graph

def test_paragraph_cooccurrence_hand_counted(docs):
    e = cooccurrence(docs, ["法治", "乙乙", "丁丁"], unit="paragraph", token_filter=KEEP)
    edges = {(s, t): r for s, t, r in zip(e["source"], e["target"], e.itertuples())}
    assert set(edges) == {("法治", "乙乙"), ("法治", "丁丁"), ("乙乙", "丁丁")}
    a = edges[("法治", "乙乙")]          # Q1 and Q3 hold both; 法治 in 2 of 3 paragraphs, 乙乙 in 3
    assert (a.count, a.n_source, a.n_target, a.n_total) == (2, 2, 3, 3)
    assert a.pmi == pytest.approx(0.0)
    b = edges[("法治", "丁丁")]
    assert b.count == 1 and b.pmi == pytest.approx(math.log2(1.5))
    assert b.npmi == pytest.approx(math.log2(1.5) / math.log2(3))
    assert (a.freq_source, a.freq_target) == (3, 4)


def test_window_cooccurrence_hand_counted(docs):
    e = cooccurrence(docs, ["法治", "乙乙", "丁丁"], unit="window", window=2, token_filter=KEEP)
    edges = {(s, t): r for s, t, r in zip(e["source"], e["target"], e.itertuples())}
    # pairs ≤ 2 apart: Q1 (乙乙1, 法治2), (丁丁5, 法治6), (丁丁5, 乙乙7), (法治6, 乙乙7); Q3's pair is 5 apart
    assert {k: r.count for k, r in edges.items()} == {("法治", "乙乙"): 2, ("法治", "丁丁"): 1, ("乙乙", "丁丁"): 1}
    a = edges[("法治", "乙乙")]
    # co-occurrence slots (kept neighbours within 2, padding counted as a position but not a neighbour):
    # all tokens 18 + 10 + 12 = 40; 法治 3 + 2 + 1 = 6; 乙乙 3 + 2 + 2 + 2 = 9
    assert (a.n_source, a.n_target, a.n_total) == (6, 9, 40)
    assert a.expected == pytest.approx(6 * 9 / 40)
    assert a.pmi == pytest.approx(math.log2(2 / (6 * 9 / 40)))
    assert a.npmi == pytest.approx(math.log2(2 / (6 * 9 / 40)) / -math.log2(2 / 40))
    assert e.attrs["unit"] == "window" and e.attrs["filter"] == "min_chars=2"


def test_graph_from_edges(docs):
    e = cooccurrence(docs, ["法治", "乙乙", "丁丁", "没有"], unit="window", window=2, token_filter=KEEP)
    assert e.attrs["missing"] == ["没有"]
    g = cooccurrence_graph(e, min_count=2)
    assert set(g.nodes) == {"法治", "乙乙"} and g.number_of_edges() == 1
    assert g.nodes["法治"]["count"] == 3 and g.nodes["乙乙"]["count"] == 4
    assert g.edges["法治", "乙乙"]["count"] == 2
    g_all = cooccurrence_graph(e, min_count=1, isolates=True)
    assert set(g_all.nodes) == {"法治", "乙乙", "丁丁"} and g_all.number_of_edges() == 3


def test_plot_network_labels_in_cjk_font_without_overlap(docs):
    import matplotlib
    matplotlib.use("agg")
    from matplotlib import font_manager
    from analysis.viz.fonts import cjk_font_path
    from analysis.viz.network import network_layout, plot_network
    g = cooccurrence_graph(cooccurrence(docs, ["法治", "乙乙", "丁丁", "甲甲", "丙丙"], unit="paragraph", token_filter=KEEP),
                           min_count=1)
    ax = plot_network(g)
    labels = [t for t in ax.texts if t.get_text() in g.nodes]
    assert sorted(t.get_text() for t in labels) == sorted(g.nodes)
    family = font_manager.FontProperties(fname=str(cjk_font_path())).get_name()
    assert all(family in t.get_fontfamily() or t.get_fontname() == family for t in labels)
    renderer = ax.figure.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in labels]
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])
    first, second = network_layout(g, seed=3), network_layout(g, seed=3)
    assert all(np.allclose(first[n], second[n]) for n in g.nodes)


# ---------------------------------------------------------------- the speech (real data)

def test_speech_paragraph_cooccurrence_equals_plain_count(speech):
    from analysis.text.normalise import normalise
    from analysis.tokens.segment import Segmenter
    from analysis.text.structure import split_paragraphs
    seg = Segmenter(cache=False)
    paragraphs = [seg.cut(p) for p in split_paragraphs(normalise(speech["text"].iloc[0]).text)]
    terms = ["司法行政工作", "法律服务", "学习", "政治", "党建"]
    e = cooccurrence([paragraphs], terms, unit="paragraph", token_filter=seg)
    sets = [set(p) for p in paragraphs]
    for r in e.itertuples():
        assert r.count == sum(1 for s in sets if r.source in s and r.target in s)
        assert r.n_total == len(paragraphs)
    assert e["count"].max() >= 2
    t = collocates([paragraphs], "司法行政工作", window=5, token_filter=seg, min_count=1)
    assert (t["n_with_node"] <= t["n_collocate"]).all()
    assert t["n_node"].iloc[0] == sum(p.count("司法行政工作") for p in paragraphs)
