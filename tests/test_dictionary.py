"""Dictionaries: hand-counted categories and members, family keyness against scipy, trends with gaps,
and on the speech a category count equal to an independent count of its members."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2_contingency

from analysis.stats.dictionary import Dictionary, category_keyness, category_trends, lookup, lookup_terms, token_units
from analysis.errors import InputError
from analysis.lexicon.terms import Lexicon
from analysis.tokens.nesting import Nesting, count_terms

# Three paragraphs, unfiltered tokens (their concatenation is the paragraph's text).
P1 = ["坚持", "全面依法治国", "，", "建设", "法治政府", "和", "法治社会", "。"]
P2 = ["推进", "依法", "治国", "，", "法治", "保障", "有力", "。"]   # 法治 across 依法|治国 is not 法治
P3 = ["法治政府", "建设", "取得", "成效", "，", "坚持", "法治", "。"]
P4 = ["司法", "行政", "工作", "。"]
SUBWORDS = {"全面依法治国": ["全面", "依法治国"], "法治政府": ["法治", "政府"], "法治社会": ["法治", "社会"]}


class MinTwoChars:
    """A filter object like analysis.tokens.TokenFilter: .keep and .name."""

    name = "min_chars=2"

    def keep(self, token: str) -> bool:
        return len(token) >= 2


NESTING = Nesting(lambda token: SUBWORDS.get(token, [token]))


KEEP = MinTwoChars()
DICT = Dictionary.from_dict({"rol": ["全面依法治国", "依法治国", "法治政府", "法治社会", "法治"],
                             "party": ["坚持", "建设"], "glob": ["法治*"]}, name="toy")


@pytest.fixture
def units():
    return pd.DataFrame({"doc_id": ["A", "A", "B", "C"], "year": pd.array([2020, 2020, 2021, 2023], dtype="Int64"),
                         "section": ["一", "二", "一", "一"], "paragraph": [0, 1, 0, 0], "tokens": [P1, P2, P3, P4]})


def row(table, group, category):
    hit = table[(table["group"] == group) & (table["category"] == category)]
    assert len(hit) == 1
    return hit.iloc[0]


# ---------------------------------------------------------------- building dictionaries

def test_dictionary_from_lexicon_has_its_categories():
    lex = Lexicon.load()
    d = Dictionary.from_lexicon(lex)
    assert set(d.categories) == {"theory", "party_building", "numbered", "rule_of_law", "economy_policy"}
    assert set(d.members("rule_of_law")) == set(lex.category("rule_of_law"))
    rol = Dictionary.from_lexicon(lex, ["rule_of_law"])
    assert rol.categories == ["rule_of_law"]
    with pytest.raises(InputError, match="no category"):
        Dictionary.from_lexicon(lex, ["nonsense"])


def test_dictionary_read_tsv(tmp_path):
    path = tmp_path / "mine.tsv"
    path.write_text("# my families\nterm\tcategory\n法治*\trol\n依法治国\trol\n坚持\tparty\n\n", encoding="utf-8")
    d = Dictionary.read(path)
    assert d.name == "mine"
    assert d.members("rol") == ("法治*", "依法治国") and d.members("party") == ("坚持",)
    bad = tmp_path / "bad.tsv"
    bad.write_text("法治\trol\n依法治国\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.tsv, line 2"):
        Dictionary.read(bad)


def test_glob_patterns_match_whole_tokens():
    d = Dictionary.from_dict({"a": ["法治*"], "b": ["法治??"], "c": ["*治国"]})
    assert d.token_categories("法治") == ("a",)
    assert d.token_categories("法治政府") == ("a", "b")
    assert d.token_categories("法治化营商环境") == ("a",)
    assert d.token_categories("依法治国") == ("c",)        # 法治* is anchored: not inside 依法治国
    assert d.token_categories("治国") == ("c",)            # * matches the empty string
    assert d.token_categories("法") == ()


def test_empty_members_are_errors():
    with pytest.raises(InputError, match="no members"):
        Dictionary.from_dict({"x": []})
    with pytest.raises(InputError, match="whitespace"):
        Dictionary.from_dict({"x": ["法 治"]})


# ---------------------------------------------------------------- lookup, hand-counted

def test_lookup_tokens_mode_by_document(units):
    t = lookup(units, DICT, token_filter=KEEP)
    assert t.attrs["filter"] == "min_chars=2" and t.attrs["count"] == "tokens"
    # kept tokens: P1 5 (，和。 dropped), P2 6, P3 6, P4 3
    assert row(t, "A", "rol")["total_tokens"] == 11 and row(t, "B", "rol")["total_tokens"] == 6
    a = row(t, "A", "rol")
    assert a["count"] == 4              # 全面依法治国, 法治政府, 法治社会 | 法治 (依法|治国 are two other tokens)
    assert a["members"] == "全面依法治国 1; 法治 1; 法治政府 1; 法治社会 1"
    assert a["n_terms_matched"] == 4
    assert a["per_10k"] == pytest.approx(4 / 11 * 10_000)
    assert row(t, "B", "rol")["count"] == 2 and row(t, "B", "rol")["members"] == "法治 1; 法治政府 1"
    assert row(t, "A", "party")["count"] == 2 and row(t, "B", "party")["count"] == 2
    assert row(t, "A", "glob")["count"] == 3 and row(t, "A", "glob")["members"] == "法治 1; 法治政府 1; 法治社会 1"
    c = row(t, "C", "rol")
    assert c["count"] == 0 and c["members"] == "" and c["per_10k"] == 0     # zeros are rows too
    assert len(t) == 3 * 3


def test_lookup_by_a_column(units):
    t = lookup(units, DICT, by="section", token_filter=KEEP)
    assert list(t["group"].unique()) == ["一", "二"]
    one = row(t, "一", "rol")      # P1, P3, P4
    assert (one["count"], one["total_tokens"], one["n_docs"]) == (3 + 2 + 0, 5 + 6 + 3, 3)
    assert row(t, "二", "rol")["count"] == 1


def test_lookup_nested_mode(units):
    t = lookup(units, DICT, token_filter=KEEP, count="nested", nesting=NESTING)
    a = row(t, "A", "rol")
    # P1: 全面依法治国 ⊃ 依法治国 (全面|依法治国), 法治政府 ⊃ 法治, 法治社会 ⊃ 法治; 法治 inside 依法治国 is not a word
    # P2: 依法|治国 is a run of tokens = 依法治国; 法治 the token.  Outermost spans: 3 + 2.
    assert a["count"] == 5
    assert a["members"] == "法治 3; 依法治国 2; 全面依法治国 1; 法治政府 1; 法治社会 1"
    b = row(t, "B", "rol")
    assert b["count"] == 2 and b["members"] == "法治 2; 法治政府 1"
    assert row(t, "A", "glob")["count"] == 3           # globs still match whole tokens
    assert a["total_tokens"] == 11                      # the filter decides the totals in both modes


def test_nested_default_uses_the_base_dictionary():
    t = lookup([[["全面依法治国"]]], Dictionary.from_dict({"x": ["依法治国", "法治"]}), count="nested")
    assert t.loc[0, "count"] == 1 and t.loc[0, "members"] == "依法治国 1"


def test_lookup_terms_members_add_up_in_tokens_mode(units):
    terms = lookup_terms(units, DICT, token_filter=KEEP)
    cats = lookup(units, DICT, token_filter=KEEP)
    summed = terms.groupby(["group", "category"])["count"].sum()
    for r in cats[cats["count"] > 0].itertuples():
        assert summed[(r.group, r.category)] == r.count
    a = terms[(terms["group"] == "A") & (terms["category"] == "rol")]
    assert list(a["term"]) == ["全面依法治国", "法治", "法治政府", "法治社会"]
    assert a["share"].sum() == pytest.approx(1.0)


def test_plain_lists_are_accepted():
    t = lookup([[P1, P2], [P3]], DICT, token_filter=KEEP)
    assert set(t["group"]) == {"0", "1"} and row(t, "0", "rol")["count"] == 4
    assert token_units({"x": P1}).loc[0, "tokens"] == P1
    assert t.attrs["filter"] == "min_chars=2"


def test_a_filter_without_a_name_is_recorded_by_repr(units):
    t = lookup(units, DICT, token_filter=len)
    assert "len" in t.attrs["filter"]
    with pytest.raises(InputError, match="count mode"):
        lookup(units, DICT, count="fuzzy")


# ---------------------------------------------------------------- family keyness against scipy

def scipy_g2(table):
    return chi2_contingency(np.array(table), lambda_="log-likelihood", correction=False)[0]


def test_category_keyness_matches_scipy(units):
    k = category_keyness(units, DICT, "A", ["B"], token_filter=KEEP).set_index("category")
    rol = k.loc["rol"]
    # target A: 4 of 11 kept tokens; reference B: 2 of 6
    assert (rol["n_target"], rol["n_reference"], rol["total_target"], rol["total_reference"]) == (4, 2, 11, 6)
    assert rol["g2"] == pytest.approx(scipy_g2([[4, 2], [7, 4]]))
    assert rol["g2"] > 0
    assert rol["log_ratio"] == pytest.approx(math.log2((4 / 11) / (2 / 6)))
    party = k.loc["party"]            # 2/11 < 2/6: under-used, negative sign
    assert party["g2"] == pytest.approx(-scipy_g2([[2, 2], [9, 4]]))
    assert rol["members_target"] == "全面依法治国 1; 法治 1; 法治政府 1; 法治社会 1"
    # rank among terms: the seven tokens only in A (1 vs 0) have a larger G² than the family's 4 vs 2
    assert scipy_g2([[1, 0], [10, 6]]) > rol["g2"]
    assert rol["rank_among_terms"] == 8
    assert k.attrs["filter"] == "min_chars=2"


def test_category_keyness_rejects_overlap(units):
    with pytest.raises(InputError, match="disjoint"):
        category_keyness(units, DICT, "A", ["A", "B"], token_filter=KEEP)


# ---------------------------------------------------------------- trends with gaps

def test_category_trends_gaps_zeros_and_target(units):
    tr = category_trends(units, DICT, target="A", token_filter=KEEP)
    rol = tr[tr["category"] == "rol"].set_index(["series", "year"])
    assert list(tr.columns[:7]) == ["category", "year", "count", "total_tokens", "per_10k", "n_docs", "series"]
    assert rol.loc[("reference", 2021), "count"] == 2 and rol.loc[("reference", 2021), "total_tokens"] == 6
    assert pd.isna(rol.loc[("reference", 2022), "count"]) and rol.loc[("reference", 2022), "n_docs"] == 0   # a gap
    assert rol.loc[("reference", 2023), "count"] == 0 and rol.loc[("reference", 2023), "per_10k"] == 0      # a zero
    assert rol.loc[("A", 2020), "count"] == 4 and rol.loc[("A", 2020), "total_tokens"] == 11
    assert rol.loc[("A", 2020), "members"] == "全面依法治国 1; 法治 1; 法治政府 1; 法治社会 1"
    assert rol.loc[("reference", 2021), "members"] == "法治 1; 法治政府 1"
    assert tr.attrs["filter"] == "min_chars=2"


# ---------------------------------------------------------------- the speech (real data, real jieba)

@pytest.fixture(scope="module")
def speech_units(speech):
    from analysis.text.normalise import normalise
    from analysis.tokens.segment import Segmenter
    from analysis.text.structure import split_paragraphs
    seg = Segmenter(cache=False)
    paragraphs = split_paragraphs(normalise(speech["text"].iloc[0]).text)
    tokens = [seg.cut(p) for p in paragraphs]
    assert all("".join(t) == p for t, p in zip(tokens, paragraphs))
    return pd.DataFrame({"doc_id": speech["doc_id"].iloc[0], "paragraph": range(len(tokens)), "tokens": tokens}), seg


def test_speech_category_equals_independent_member_count(speech_units):
    units, seg = speech_units
    d = Dictionary.from_lexicon(categories=["rule_of_law", "party_building"])
    table = lookup(units, d, token_filter=seg)
    kept = [t for toks in units["tokens"] for t in toks if seg.keep(t)]
    plain = Counter(kept)
    for cat in d.categories:
        r = table[table["category"] == cat].iloc[0]
        expected = sum(plain[m] for m in d.members(cat))
        assert r["count"] == expected > 10
        assert r["total_tokens"] == len(kept)
        listed = dict((m.rsplit(" ", 1)[0], int(m.rsplit(" ", 1)[1])) for m in r["members"].split("; "))
        assert listed == {m: plain[m] for m in d.members(cat) if plain[m]}


def test_speech_nested_counts_every_word_occurrence(speech_units):
    units, seg = speech_units
    text = "".join(t for toks in units["tokens"] for t in toks)
    d = Dictionary.from_dict({"x": ["司法行政"]})
    nested = lookup(units, d, token_filter=seg, count="nested").iloc[0]
    tokens_only = lookup(units, d, token_filter=seg).iloc[0]
    # 司法行政 is a word wherever it occurs in the speech: as a token or inside 司法行政工作/系统/机关
    assert nested["count"] == text.count("司法行政") > tokens_only["count"]


def test_plot_category_trends_draws_each_category_and_the_target(units):
    import matplotlib
    matplotlib.use("agg")
    from analysis.viz.network import plot_category_trends
    tr = category_trends(units, DICT, target="A", token_filter=KEEP)
    ax = plot_category_trends(tr, target_label="the speech")
    labels = [line.get_label() for line in ax.get_lines()]
    assert [lab for lab in labels if not lab.startswith("_")] == ["rol", "party", "glob", "the speech (star)",
                                                                  "a year between gaps (dot)"]
    rol_dots = [line for line in ax.get_lines() if line.get_marker() == "o" and line.get_color() == ax.get_lines()[0].get_color()]
    assert [list(d.get_xdata()) for d in rol_dots if len(d.get_xdata())] == [[2021.0, 2023.0]]  # both sides of the 2022 gap
    stars = [line for line in ax.get_lines() if line.get_marker() == "*" and len(line.get_xdata())]
    assert len(stars) == 3 and all(list(s.get_xdata()) == [2020.0] for s in stars)
    rol_line = ax.get_lines()[0]
    assert list(rol_line.get_xdata()) == [2021.0, 2022.0, 2023.0]
    assert np.isnan(rol_line.get_ydata()[1])                     # the 2022 gap stays a gap
    assert ax.get_yscale() == "symlog"
    assert any("min_chars=2" in t.get_text() for t in ax.texts)   # the chart says which filter made it


def test_a_token_matched_twice_in_one_category_counts_once(units):
    d = Dictionary.from_dict({"a": ["法治*", "法治政府"], "b": ["法治政府"]})
    for mode in ("tokens", "nested"):
        t = lookup([[P1]], d, token_filter=KEEP, count=mode, nesting=NESTING)
        assert row(t, "0", "a")["count"] == 2          # 法治政府 (glob and literal: one span), 法治社会
        assert row(t, "0", "b")["count"] == 1                               # one term in two categories: both count
    t = lookup([[P1]], d, token_filter=KEEP)
    assert row(t, "0", "a")["members"] == "法治政府 1; 法治社会 1"


def test_reference_by_callable_with_missing_years(units):
    units.loc[3, "year"] = pd.NA
    k = category_keyness(units, DICT, "A", lambda d: d.year.between(2021, 2024), token_filter=KEEP).set_index("category")
    assert k.loc["rol", "total_reference"] == 6        # B only: C has no year


def test_paragraph_table_stream_and_its_filter_are_the_defaults(speech_paragraphs, segmenter):
    """The segmenter's paragraph table: the stream is read, the filter behind ``tokens`` is the default,
    so totals agree with every table built from ``tokens``; nested counts agree with count_terms."""
    d = Dictionary.from_lexicon(categories=["rule_of_law"])
    t = lookup(speech_paragraphs, d)
    assert t.loc[0, "total_tokens"] == speech_paragraphs["n_tokens"].sum()
    assert t.attrs["filter"] == speech_paragraphs.attrs["filter"] == segmenter.filter.name
    plain = Counter(tok for toks in speech_paragraphs["tokens"] for tok in toks)
    assert t.loc[0, "count"] == sum(plain[m] for m in d.members("rule_of_law"))
    nested = lookup_terms(speech_paragraphs, d, count="nested", nesting=segmenter.nesting)
    reference = count_terms(speech_paragraphs["stream"], d.members("rule_of_law"), segmenter.nesting).set_index("term")
    assert dict(zip(nested["term"], nested["count"])) == {m: n for m, n in reference["count"].items() if n}
    assert nested["count"].sum() > t.loc[0, "count"]      # 司法行政 inside 司法行政工作 …


def test_a_segmented_corpus_brings_its_filter_and_nesting(speech, segmenter):
    from analysis.tokens.pipeline import prepare
    corpus = prepare(speech, segmenter)
    d = Dictionary.from_lexicon(categories=["rule_of_law"])
    t = lookup(corpus, d, count="nested")
    assert t.attrs["filter"] == corpus.filter.name
    assert t.loc[0, "total_tokens"] == corpus.documents["n_tokens"].sum()
    counted = corpus.count(d.members("rule_of_law"))          # the corpus' own nested count, per member
    members = lookup_terms(corpus, d, count="nested")
    assert dict(zip(members["term"], members["count"])) == {m: n for m, n in counted.sum().items() if n}
