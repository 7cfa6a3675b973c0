"""Phrase statistics and learned terms: small literal texts, the reviewable TSV and its cache, the real reports."""

from __future__ import annotations

import math
import os
from collections import Counter, defaultdict

import pandas as pd
import pytest

from analysis.tokens.learn import (learn_terms, learned_lexicon, learned_table, load_learned, paragraph_tokens,
                            save_learned)
from analysis.lexicon.terms import Lexicon
from analysis.tokens.learn_eval import candidate_terms, leave_out, read_labels, sample_terms, wholeness
from analysis.lexicon.phrases import ngram_stats
from analysis.tokens.segment import Segmenter

# Ten sentences of report prose and six contexts for a planted term: three documents, each with
# ten prose sentences and three sentences holding the term, so the term occurs 9 times in 3 documents.
PROSE = [
    "今年经济运行总体平稳，就业形势保持稳定，居民收入持续增长。",
    "我们坚持创新驱动，科技投入不断加大，一批重大工程顺利建成。",
    "农业生产再获丰收，粮食产量创历史新高，农村面貌明显改善。",
    "对外开放迈出新步伐，进出口贸易稳中有进，利用外资规模扩大。",
    "生态环境质量持续好转，主要污染物排放量继续下降。",
    "教育、医疗、养老等民生保障水平进一步提高。",
    "政府自身建设全面加强，依法行政能力不断提升。",
    "各地区各部门认真落实党中央决策部署，攻坚克难，真抓实干。",
    "城乡区域发展协调性增强，新型城镇化稳步推进。",
    "文化事业繁荣发展，公共文化服务体系更加健全。",
]
CONTEXTS = [
    "{}在全省推开，产业链韧性明显增强。",
    "推行{}，由主要负责同志牵头协调重点产业。",
    "各地探索{}，企业反映的困难得到及时解决。",
    "实施{}以来，龙头企业带动作用更加突出。",
    "总结{}经验，完善产业链供应链协同机制。",
    "落实{}，稳住制造业基本盘。",
]
TERM = "数字链长制"  # not in jieba's dictionary nor in the lexicon: 数字/链长/制


def toy_docs(term: str = TERM, extra: str = "") -> list[str]:
    docs = []
    for d in range(3):
        lines = [PROSE[(3 * d + i) % len(PROSE)] for i in range(10)]
        lines += [CONTEXTS[(2 * d + k) % len(CONTEXTS)].format(term) for k in (0, 1, 3)]
        docs.append("\n".join(lines) + extra)
    return docs


# ---------------------------------------------------------------- statistics against a naive count


def naive_stats(docs: list[list[str]], n: int) -> dict:
    """Counts, PMI (min over splits, per-order totals) and token branching entropies, by brute force."""
    grams = {k: Counter() for k in range(1, n + 1)}
    left, right = defaultdict(Counter), defaultdict(Counter)
    for doc in docs:
        for k in range(1, n + 1):
            for i in range(len(doc) - k + 1):
                gram = tuple(doc[i:i + k])
                grams[k][gram] += 1
                if k == n:
                    left[gram][doc[i - 1] if i > 0 else f"<edge{id(doc)}-{i}>"] += 1
                    right[gram][doc[i + k] if i + k < len(doc) else f"<edge{id(doc)}-{i}>"] += 1
    totals = {k: sum(c.values()) for k, c in grams.items()}

    def entropy(counter):
        total = sum(counter.values())
        return -sum(c / total * math.log2(c / total) for c in counter.values())

    out = {}
    for gram, count in grams[n].items():
        pmi = min(math.log2(count / totals[n]) - math.log2(grams[k][gram[:k]] / totals[k])
                  - math.log2(grams[n - k][gram[k:]] / totals[n - k]) for k in range(1, n))
        out["".join(gram)] = (count, pmi, entropy(left[gram]), entropy(right[gram]))
    return out


def test_ngram_stats_match_a_naive_count():
    docs = [["甲", "乙", "丙", "甲", "乙", "丁", "甲", "乙", "丙"], ["戊", "甲", "乙", "丙", "己", "甲", "乙"]]
    table = ngram_stats(docs, max_n=3, min_count=1).table.set_index("phrase")
    for n in (2, 3):
        expected = naive_stats(docs, n)
        for phrase, (count, pmi, hl, hr) in expected.items():
            row = table.loc[phrase]
            assert row["count"] == count
            assert row["pmi"] == pytest.approx(pmi)
            assert row["left_entropy"] == pytest.approx(hl) and row["right_entropy"] == pytest.approx(hr)
    assert table.loc["甲乙", "count"] == 5 and table.loc["甲乙", "n_docs"] == 2
    assert table.loc["甲乙", "right_top"] == "丙" and table.loc["甲乙", "right_top_share"] == pytest.approx(3 / 5)


def test_punctuation_and_digits_break_candidates_and_plus_joins():
    docs = [["互联网", "+", "政务", "，", "2025", "年", "互联网", "+", "，"]]
    phrases = set(ngram_stats(docs, max_n=3, min_count=1).table["phrase"])
    assert "互联网+" in phrases and "互联网+政务" in phrases
    assert not any("，" in p or "2025" in p for p in phrases)
    assert "+政务" not in phrases  # a joiner does not open a candidate
    assert ngram_stats([["甲"]], max_n=6, min_count=1).table.empty and ngram_stats([], min_count=1).table.empty


# ---------------------------------------------------------------- learning on small literal texts


def test_repeated_unseen_term_is_learned_whole():
    docs = toy_docs()
    assert TERM not in Segmenter(cache=False).cut(docs[0])  # jieba and the lexicon break it
    table = learn_terms(docs, lexicon=Lexicon.load())
    row = table.set_index("term").loc[TERM]
    # 9 occurrences, but jieba cuts one 数字/链长/制在 (制在全省推开): 8 are seen as the token run.
    assert row["count"] == 8 and row["n_docs"] == 3 and row["tokens"] == "数字 链长 制"
    assert "【数字链长制】" in row["example"]
    seg = Segmenter(Lexicon.load(extra=[Lexicon.from_terms(table["term"], "learned")]), cache=False)
    assert seg.cut(docs[0]).count(TERM) == 3  # the 制在 occurrence included


def test_fragment_of_a_longer_stable_term_is_not_learned():
    terms = set(learn_terms(toy_docs(), lexicon=Lexicon.load())["term"])
    assert TERM in terms
    assert "链长制" not in terms and "数字链长" not in terms  # always inside 数字链长制


def test_thresholds_are_applied():
    docs = toy_docs()
    assert TERM not in set(learn_terms(docs, lexicon=Lexicon.load(), min_count=9)["term"])  # 8 occurrences
    assert TERM not in set(learn_terms(docs, lexicon=Lexicon.load(), min_docs=4)["term"])  # 3 documents
    assert TERM not in set(learn_terms(docs, lexicon=Lexicon.load([Lexicon.from_terms([TERM])]))["term"])
    assert TERM not in set(learn_terms(docs, lexicon=Lexicon.load(), veto=[TERM])["term"])


def test_learning_is_deterministic_and_accepts_tokens():
    docs = toy_docs()
    a = learn_terms(docs, lexicon=Lexicon.load())
    b = learn_terms(paragraph_tokens(docs, Lexicon.load()), lexicon=Lexicon.load())
    pd.testing.assert_frame_equal(a, b)
    assert list(a.columns[:9]) == ["term", "count", "n_docs", "pmi", "left_entropy", "right_entropy", "score",
                                   "tokens", "example"]


# ---------------------------------------------------------------- the reviewable TSV and the cache


def test_tsv_round_trips(tmp_path):
    table = learn_terms(toy_docs(), lexicon=Lexicon.load())
    path = save_learned(table, tmp_path / "learned.tsv", params={"min_count": 5})
    back = load_learned(path)
    assert list(back["term"]) == list(table["term"]) and set(back["keep"]) == {"yes"}
    assert back["count"].tolist() == table["count"].tolist()
    assert back["pmi"].tolist() == pytest.approx(table["pmi"].tolist(), abs=1e-4)
    assert back["tokens"].tolist() == table["tokens"].tolist()
    assert "# min_count: 5" in path.read_text(encoding="utf-8")
    assert not [p for p in tmp_path.iterdir() if p.name != "learned.tsv"]  # no temporary file left


def test_bad_keep_value_is_named(tmp_path):
    path = tmp_path / "learned.tsv"
    path.write_text("term\tkeep\n新词\tmaybe\n", encoding="utf-8")
    with pytest.raises(ValueError, match="learned.tsv: column keep must be yes or no"):
        load_learned(path)


def test_cache_is_used_then_invalidated_when_texts_change(tmp_path):
    docs = toy_docs()
    lex = learned_lexicon(docs, Lexicon.load(), cache_dir=tmp_path)
    assert TERM in lex and set(lex.table["category"]) == {"learned"}
    (path,) = tmp_path.glob("learned_*.tsv")
    # The second call reads the file: a row added by hand is returned.
    text = path.read_text(encoding="utf-8")
    header = [ln for ln in text.splitlines() if ln.startswith("term\t")][0].split("\t")
    row = {c: "" for c in header} | {"term": "手加词语", "keep": "yes"}
    path.write_text(text + "\t".join(row[c] for c in header) + "\n", encoding="utf-8")
    mtime = os.stat(path).st_mtime_ns
    assert "手加词语" in learned_lexicon(docs, Lexicon.load(), cache_dir=tmp_path)
    assert os.stat(path).st_mtime_ns == mtime
    # Changed texts (or thresholds) are learned again, into a new file.
    other = learned_lexicon(toy_docs(extra="\n社会大局保持稳定。"), Lexicon.load(), cache_dir=tmp_path)
    assert "手加词语" not in other and TERM in other
    learned_lexicon(docs, Lexicon.load(), cache_dir=tmp_path, min_count=6)
    assert len(list(tmp_path.glob("learned_*.tsv"))) == 3


def test_vetoed_term_stays_out_after_relearning(tmp_path):
    docs = toy_docs()
    table, path = learned_table(docs, Lexicon.load(), cache_dir=tmp_path)
    table.loc[table["term"] == TERM, "keep"] = "no"  # the researcher's veto, written back to the file
    save_learned(table, path)
    assert TERM not in learned_lexicon(docs, Lexicon.load(), cache_dir=tmp_path)
    changed = toy_docs(extra="\n社会大局保持稳定。")
    relearned, new_path = learned_table(changed, Lexicon.load(), cache_dir=tmp_path)
    assert new_path != path
    assert relearned.set_index("term").loc[TERM, "keep"] == "no"  # listed for review, still vetoed
    assert TERM not in learned_lexicon(changed, Lexicon.load(), cache_dir=tmp_path)
    # A veto file beside the tables works too.
    other = tmp_path / "other"
    other.mkdir()
    (other / "veto.txt").write_text(f"# vetoed\n{TERM}\n", encoding="utf-8")
    assert TERM not in learned_lexicon(docs, Lexicon.load(), cache_dir=other)


# ---------------------------------------------------------------- the real reports


@pytest.fixture(scope="module")
def gwr_recent(gwr):
    return gwr[gwr["year"].between(2015, 2025)]


def test_terms_of_recent_reports_are_learned_and_kept_whole(gwr_recent, tmp_path):
    learned = learned_lexicon(gwr_recent["text"], Lexicon.load(), cache_dir=tmp_path)
    seg = Segmenter(lexicon=Lexicon.load(extra=[learned]), cache=False)
    plain = Segmenter(cache=False)
    for term in ("减税降费", "安全生产", "稳外贸", "互联网+"):
        assert term in learned, term
        doc = next(t for t in gwr_recent["text"] if term in t)
        sentence = next(s for s in doc.replace("\n", "。").split("。") if term in s)
        assert term not in plain.cut(sentence)  # broken without learning
        assert term in seg.cut(sentence), (term, seg.cut(sentence))


def test_leave_out_helpers():
    lex = Lexicon.load()
    removed, reduced = leave_out(lex)
    assert removed == leave_out(lex)[0]  # fixed seed
    testable = candidate_terms(lex)
    assert len(removed) == round(0.3 * testable["testable"].sum()) and not set(removed) & reduced.terms
    assert set(removed) <= set(testable.loc[testable["testable"], "term"])
    assert len(reduced) + len(removed) == len(lex)
    counts = wholeness([["减税", "降费", "，", "减税降费"], ["减税降费政策"]], ["减税降费"]).iloc[0]
    assert counts["occurrences"] == 3 and counts["whole"] == 2  # inside a longer token counts as whole
    assert sample_terms(["丙", "甲", "乙"], size=2) == sample_terms(["乙", "丙", "甲"], size=2)
    labels = read_labels()
    assert len(labels) >= 50 and set(labels["label"]) == {"yes", "no"} and labels["term"].is_unique


def test_prepare_keeps_the_learned_table_it_segmented_with(gwr):
    from analysis.tokens.pipeline import prepare
    from analysis.study.corpus import learned_terms
    corpus = prepare(gwr[gwr["year"] >= 2021], learn={"min_count": 5, "min_npmi": 0.5}, cache=False)
    table, path = learned_terms(corpus)
    kept = set(table.loc[table["keep"] == "yes", "term"])
    assert kept and kept <= corpus.segmenter.lexicon.terms
    assert "# min_count: 5" in path.read_text(encoding="utf-8")  # these thresholds, not the study's defaults
    assert corpus.with_filter(corpus.filter).learned is corpus.learned
