"""Level and register apart from content (issue 19, item 3): fixed rules on the word's form and the genre list."""

import re
import warnings

import pytest

from analysis.lexicon.register import kinds, term_kind
from analysis.study import distinctive, load_study_corpus, resolve


@pytest.mark.parametrize("term,kind", [
    ("全市", "level"), ("全省", "level"), ("全国", "level"), ("市委", "level"), ("省委", "level"), ("县级", "level"),
    ("省政府", "level"), ("党中央", "level"), ("各地", "level"), ("本市", "level"),
    ("同志们", "register"), ("广大干警", "register"), ("广大党员干部", "register"), ("始终", "register"),
    ("更加", "register"), ("进一步", "register"),
    ("学习", "content"), ("法治", "content"), ("司法行政工作", "content"), ("全国人大常委会", "content"),
    ("市场化", "content"), ("国家", "content"), ("省略", "content"),
])
def test_term_kind_by_form_and_genre_list(term, kind):
    assert term_kind(term) == kind


def test_own_lists_extend_or_replace_the_rules():
    assert term_kind("州府", level=["州府"]) == "level"
    assert term_kind("始终", register=[]) == "content" and term_kind("广大干警", register=[]) == "register"
    assert kinds(["全市", "学习"]).tolist() == ["level", "content"]


@pytest.mark.parametrize("target", ["speech2025", "gwr2019"])
def test_key_terms_carry_their_kind_and_the_prose_says_the_table(target):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        corpus = load_study_corpus()
        study = resolve(corpus, target=target)
    key = distinctive.key_terms(corpus, study, n_boot=200)
    assert (key.table["kind"] == [term_kind(t) for t in key.table["term"]]).all()
    by_kind = key.by_kind().set_index("kind")
    assert by_kind["n_key_over"].sum() == len(key.over)
    text = key.describe_kinds()
    m = re.search(r"Of the (\d+) over-used key terms, (\d+) names? .*? and (\d+) belongs? to", text)
    assert m and [int(g) for g in m.groups()] == [len(key.over), by_kind.loc["level", "n_key_over"],
                                                  by_kind.loc["register", "n_key_over"]], text
    for term in key.over.loc[key.over["kind"] == "level", "term"]:
        assert term in text
    assert "speech" not in text or target == "speech2025"
