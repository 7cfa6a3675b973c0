"""The lexicon: categories, members, researcher's own files, stopword lists; phrase discovery."""

import pytest

from analysis.lexicon.terms import Lexicon, genre_stopwords, standard_stopwords, stopword_list
from analysis.lexicon.phrases import discover_phrases


def test_builtin_lexicon_categories_and_members():
    lex = Lexicon.load()
    assert set(lex.table["category"]) == {"theory", "party_building", "numbered", "rule_of_law", "economy_policy"}
    assert lex.members("四个意识") == ["政治意识", "大局意识", "核心意识", "看齐意识"]
    assert len(lex.members("两个确立")) == 2 and lex.members("全面从严治党") == []
    assert lex.table["term"].is_unique and len(lex) > 150


def test_own_lexicon_file(tmp_path):
    path = tmp_path / "mine.tsv"
    path.write_text("term\tcategory\tmembers\tnote\n# comment\n一站式服务\tlocal\t\t\n三个不\tnumbered\t不甲;不乙;不丙\t\n",
                    encoding="utf-8")
    lex = Lexicon.load([path])
    assert "一站式服务" in lex and lex.categories["一站式服务"] == "local"
    assert lex.members("三个不") == ["不甲", "不乙", "不丙"]
    assert lex.fingerprint != Lexicon.load().fingerprint
    plain = tmp_path / "plain.txt"
    plain.write_text("甲乙丙\n", encoding="utf-8")
    assert Lexicon.read(plain).categories == {"甲乙丙": "user"}


def test_lexicons_compare_by_terms():
    assert Lexicon.load() == Lexicon.load() and len({Lexicon.load(), Lexicon.load()}) == 1
    assert Lexicon.load() != Lexicon.load([Lexicon.from_terms(["新词语"])])


def test_bad_lexicon_entry_is_named(tmp_path):
    path = tmp_path / "bad.tsv"
    path.write_text("两个 确立\tnumbered\n", encoding="utf-8")
    with pytest.raises(ValueError, match="bad.tsv: entry 1"):
        Lexicon.read(path)


def test_stopword_lists():
    assert len(standard_stopwords()) == 794 and "的" in standard_stopwords()
    assert {"同志们", "进一步", "切实"} <= genre_stopwords()
    assert stopword_list("genre") == standard_stopwords() | genre_stopwords()
    assert stopword_list("none") == frozenset() and stopword_list(["甲"]) == {"甲"}
    with pytest.raises(ValueError, match="unknown stopword list"):
        stopword_list("english")


def test_phrase_discovery_recovers_planted_phrase():
    import random
    rng = random.Random(0)
    filler = ["经济", "发展", "社会", "建设", "改革", "人民", "国家", "政策", "服务", "管理"]
    docs = []
    for _ in range(300):
        doc = [rng.choice(filler) for _ in range(12)]
        doc.insert(rng.randrange(12), "自贸")
        doc.insert(doc.index("自贸") + 1, "试验区")
        docs.append(doc)
    table = discover_phrases(docs, min_count=5, top=5)
    assert table.iloc[0]["phrase"] == "自贸试验区"
    assert table.iloc[0]["count"] == 300
    assert {"pmi", "left_entropy", "right_entropy", "score"} <= set(table.columns)


def test_category_labels_read_as_words_in_charts_and_prose():
    from analysis.lexicon import CATEGORY_LABELS, Lexicon, category_label
    assert set(CATEGORY_LABELS) == set(Lexicon.load().table["category"])  # every shipped category has one
    assert category_label("rule_of_law") == "rule of law" and category_label("party_building") == "Party building"
    assert category_label("my_own_theme") == "my own theme"  # a user's own category
    assert not [label for label in CATEGORY_LABELS.values() if "_" in label]
