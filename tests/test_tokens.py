"""The token layer: one unfiltered stream, a named filter applied when counting, nested term counts
(hand-counted passages, boundary traps), the safe cache, the ``analysis count`` command."""

from __future__ import annotations

import subprocess
import sys
import warnings
from collections import Counter

import numpy as np
import pytest

from analysis.tokens.cache import SegmentCache, Segments
from analysis.errors import CacheWarning
from analysis.lexicon.terms import Lexicon
from analysis.tokens.pipeline import prepare
from analysis.tokens.segment import Segmenter
from analysis.tokens.nesting import Nesting, TokenFilter, boundaries, count_terms

# Hand-counted: each passage with the counts a reader finds by reading it.  Traps: 法治 never
# counts inside 依法治国 / 依法治市 (依法|治…: no boundary between 依 and 法); 中国 not inside
# 发展中国家 (发展|中|国家).  Issue 19: a word inside a compound the dictionary holds whole counts,
# so 治国 counts inside 依法治国 (依法|治国; was 0) and 发展 inside 发展中国家 (was 0).
PASSAGES = [
    ("推进全面依法治国，坚持依法治国、依法执政。",
     {"依法治国": 2, "全面依法治国": 1, "法治": 0, "治国": 2, "全面": 1, "依法执政": 1}),
    ("法治政府建设和法治社会建设；推动高质量发展，发展是第一要务。",
     {"法治": 2, "法治政府": 1, "政府": 1, "发展": 2, "高质量发展": 1, "高质量": 1, "建设": 2}),
    ("坚持以习近平新时代中国特色社会主义思想为指导，走中国特色社会主义道路，帮助发展中国家。",
     {"中国特色社会主义": 2, "习近平新时代中国特色社会主义思想": 1, "新时代": 1, "中国": 2, "发展": 1,
      "社会主义": 2, "思想": 1}),
    ("深入推进全面依法治市，增强“四个意识”、坚定“四个自信”。",
     {"法治": 0, "依法治市": 1, "四个意识": 1, "四个": 2, "意识": 1, "自信": 1, "四个意识、坚定": 0}),
]


@pytest.fixture(scope="module")
def seg():
    return Segmenter(cache=False)


def _streams(seg, text):
    return [seg.cut(text)]


@pytest.mark.parametrize("text,expected", PASSAGES, ids=[p[0][:8] for p in PASSAGES])
def test_nested_counts_match_hand_counts(seg, text, expected):
    table = count_terms(_streams(seg, text), list(expected), seg.nesting)
    assert dict(zip(table["term"], table["count"])) == expected


def test_without_nesting_only_tokens_and_runs_count(seg):
    text = PASSAGES[1][0]
    table = count_terms(_streams(seg, text), ["发展", "法治政府建设", "高质量发展"], None)
    counts = dict(zip(table["term"], table["count"]))
    assert counts["发展"] == 1  # the free-standing one; the other sits inside 高质量发展
    assert counts["高质量发展"] == 1


def test_a_run_of_tokens_counts_across_token_boundaries_but_not_inside_a_word(seg):
    stream = seg.cut("要加强党的建设，党的建设是根本。发展中国家")
    table = count_terms([stream], ["党的建设", "的建", "中国"], seg.nesting)
    assert dict(zip(table["term"], table["count"])) == {"党的建设": 2, "的建": 0, "中国": 0}


def test_boundaries_are_token_edges_and_inner_edges(seg):
    stream = ["推动", "高质量发展", "。"]
    assert boundaries(stream) == {0, 2, 7, 8}
    assert boundaries(stream, seg.nesting) == {0, 2, 3, 5, 7, 8}  # 高|质量|发展 (issue 19: was 高质量|发展)


def test_nesting_units_and_expand():
    nest = Nesting(lambda t: {"全面依法治国": ["全面", "依法治国"],
                              "习近平新时代中国特色社会主义思想": ["习近平", "新", "时代", "中国", "特色", "社会主义", "思想"]}
                   .get(t, [t]), terms={"中国特色社会主义", "新时代", "依法治国"})
    # issue 19: inside a token, jieba's base dictionary reads 依法治国 as 依法|治国 (it was kept whole)
    assert nest.units("全面依法治国") == ("全面", "依法", "依法治国", "治国")
    units = nest.units("习近平新时代中国特色社会主义思想")
    assert "中国特色社会主义" in units and "新时代" in units and "中国" in units
    assert nest.units("依法治国") == ("依法", "治国")
    assert nest.expand(["坚持", "全面依法治国"], keep=lambda t: len(t) > 1) == ["坚持", "全面依法治国", "全面", "依法",
                                                                              "依法治国", "治国"]


def test_filter_is_named_validated_and_protects_terms():
    f = TokenFilter("standard")
    assert f.name == "stopwords=standard, min_chars=2, numbers=no, punct=no"
    assert f.apply(["我们", "要", "坚持", "，", "2025", "十四", "两个确立"]) == ["坚持", "两个确立"]
    assert TokenFilter("standard").protect(["十四五"]).apply(["十四五", "十四"]) == ["十四五"]
    assert TokenFilter("none", min_chars=1, numbers=True, punct=True).apply(["2025", "年", "，"]) == ["2025", "年", "，"]
    assert TokenFilter(["坚持"]).apply(["坚持", "发展"]) == ["发展"]
    assert "custom (1 words)" in TokenFilter(["坚持"]).name
    assert TokenFilter("standard") == TokenFilter("standard") and TokenFilter("standard") != TokenFilter("genre")
    with pytest.raises(ValueError, match="unknown stopword list 'standrd'"):
        TokenFilter("standrd")
    with pytest.raises(ValueError, match="min_chars"):
        TokenFilter("standard", min_chars=0)


def test_stream_keeps_every_character_and_filter_only_selects(speech, tmp_path):
    table = Segmenter(cache=tmp_path).segment(speech)
    assert all("".join(s) == t for s, t in zip(table["stream"], table["text"]))
    for stream, tokens in zip(table["stream"], table["tokens"]):
        it = iter(stream)
        assert all(tok in it for tok in tokens)  # tokens are a subsequence of the stream
    assert table.attrs["filter"] == "stopwords=standard, min_chars=2, numbers=no, punct=no"


@pytest.fixture(scope="module")
def corpus():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return prepare()


def test_one_filter_one_total(corpus):
    """The same filter gives the same totals however the corpus was made; another filter is
    applied without re-segmenting and says so."""
    speech = corpus.documents.set_index("doc_id").loc["speech2025"]
    assert corpus.documents.attrs["filter"] == corpus.filter.name
    again = corpus.with_filter(TokenFilter("standard")).documents.set_index("doc_id")
    assert again.loc["speech2025", "n_tokens"] == speech["n_tokens"]
    genre = corpus.with_filter(TokenFilter("genre"))
    assert genre.documents.attrs["filter"].startswith("stopwords=genre")
    assert genre.documents.set_index("doc_id").loc["speech2025", "n_tokens"] < speech["n_tokens"]
    assert genre.paragraphs["stream"] is corpus.paragraphs["stream"] or genre.paragraphs["stream"].equals(corpus.paragraphs["stream"])
    # the total is the count of stream tokens the filter keeps, recomputed independently
    stream = [t for s in corpus.paragraphs.loc[corpus.paragraphs["doc_id"] == "speech2025", "stream"] for t in s]
    assert speech["n_tokens"] == sum(corpus.filter.keep(t) for t in stream)


def test_nested_counts_on_the_speech(corpus):
    """发展 occurs 7 times in the speech's text, 2 of them as a token of its own."""
    text = corpus.text_of("speech2025")
    counts = corpus.count(["发展", "中国特色社会主义", "法治"]).loc["speech2025"]
    assert text.count("发展") == counts["发展"] == 7
    assert counts["中国特色社会主义"] == text.count("中国特色社会主义")
    assert counts["法治"] < text.count("法治")  # the 依法治… occurrences do not count
    plain = Counter(corpus.documents.set_index("doc_id").loc["speech2025", "tokens"])
    nested = Counter(corpus.nested_documents().set_index("doc_id").loc["speech2025", "tokens"])
    assert plain["发展"] == 2 and nested["发展"] == 7


def test_cli_count_prints_csv(tmp_path):
    path = tmp_path / "t.txt"
    path.write_text(PASSAGES[0][0] + "\n" + PASSAGES[1][0] + "\n", encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "analysis", "count", str(path), "依法治国", "法治", "发展"],
                         capture_output=True, text=True, check=True).stdout
    assert out.splitlines() == ["term,count", "依法治国,2", "法治,2", "发展,2"]
    piped = subprocess.run([sys.executable, "-m", "analysis", "count", "-", "高质量发展", "发展", "--no-nested"],
                           input=PASSAGES[1][0], capture_output=True, text=True, check=True).stdout
    assert piped.splitlines() == ["term,count", "高质量发展,1", "发展,1"]


# ------------------------------------------------------------------ the cache
def _value(seg):
    return Segments.from_processed(seg.process("一、总结\n坚持依法治国，推动高质量发展。\n"))


def test_cache_round_trip_and_atomic(tmp_path, seg):
    cache = SegmentCache(tmp_path)
    raw = seg.process("一、总结\n坚持依法治国，推动高质量发展。\n")
    key = seg.key("x")
    cache.put(key, Segments.from_processed(raw))
    back = cache.get(key)
    assert back.streams() == raw["tokens"]
    assert back.paragraph_paths() == [tuple(p) for p in raw["section_path"]]
    assert back.heading.tolist() == raw["is_heading"] and back.levels() == raw["level"]
    assert bytes(back.text).decode() == "".join(raw["text"])
    assert back.n_docs == 1 and back.boilerplate.tolist() == [raw["boilerplate_chars"]]
    assert [p.name for p in tmp_path.rglob("*")] and not list(tmp_path.rglob("*.part"))


def test_segments_concat_is_the_documents_in_order(seg):
    from analysis.tokens.cache import decode, encode
    texts = ["一、总结\n坚持依法治国，推动高质量发展。\n", "", "（一）加强党的建设\n推动高质量发展，坚持依法治国。"]
    processed = [seg.process(t) for t in texts]
    joined = Segments.concat([Segments.from_processed(p) for p in processed])
    back = decode(encode(joined, "ab" * 32), "ab" * 32)
    for value in (joined, back):
        assert value.n_docs == 3 and value.doc_ends.tolist() == [2, 2, 4]
        assert value.streams() == [s for p in processed for s in p["tokens"]]
        assert value.paragraph_paths() == [tuple(q) for p in processed for q in p["section_path"]]
        assert bytes(value.text).decode() == "".join(t for p in processed for t in p["text"])
        assert len(value.types) == len(set(value.types))  # one vocabulary: 坚持, 依法治国… once


@pytest.mark.parametrize("payload", ["truncated", "foreign_key", "garbage", "planted_pickle", "object_array",
                                     "forged_text", "forged_ends"])
def test_bad_cache_files_are_named_and_never_executed(tmp_path, seg, payload):
    import pickle
    cache = SegmentCache(tmp_path / "c")
    key = seg.key("y")
    cache.put(key, _value(seg))
    path = cache.path(key)
    marker = tmp_path / "executed"

    class Planted:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    if payload == "truncated":
        path.write_bytes(path.read_bytes()[:200])
    elif payload == "foreign_key":
        cache.put(key, _value(seg))
        other = SegmentCache(tmp_path / "d")
        other.put("ab" * 32, _value(seg))
        path.write_bytes(other.path("ab" * 32).read_bytes())
    elif payload in ("forged_text", "forged_ends"):  # a valid checksum over contents that do not agree
        from analysis.tokens.cache import encode
        value = _value(seg)
        if payload == "forged_text":
            value.text = value.text[:-1] + b"\xff"
        else:
            value.ends = value.ends[::-1].copy()
        path.write_bytes(encode(value, key))
    elif payload == "garbage":
        path.write_bytes(b"\x00\x01garbage")
    elif payload == "planted_pickle":
        path.write_bytes(pickle.dumps(Planted()))
    elif payload == "object_array":
        with open(path, "wb") as fh:
            np.savez(fh, meta=np.array([Planted()], dtype=object))
    with pytest.warns(CacheWarning, match=str(path.name)):
        assert cache.get(key) is None
    assert not marker.exists()
    assert not path.exists()  # removed, to be recomputed


def test_two_processes_share_one_cache(tmp_path, speech):
    code = ("import sys; from analysis.tokens.segment import Segmenter; from analysis.corpus import load_speech; "
            "d = load_speech(); t = Segmenter(cache=sys.argv[1]).segment(d); print(int(t['n_tokens'].sum()))")
    procs = [subprocess.Popen([sys.executable, "-c", code, str(tmp_path)], stdout=subprocess.PIPE, text=True)
             for _ in range(2)]
    outs = [p.communicate(timeout=120)[0].strip() for p in procs]
    assert all(p.returncode == 0 for p in procs)
    assert outs[0] == outs[1] and int(outs[0]) > 500
    assert len(list(tmp_path.rglob("*.seg"))) == 1 and not list(tmp_path.rglob("*.part"))


def test_lexicon_terms_survive_every_filter(seg):
    lex = Lexicon.load()
    assert "十四五" in lex.terms
    assert "十四五" in seg.tokens("编制“十四五”规划")


def test_keyness_on_nested_documents_keeps_token_totals(corpus):
    """With nested units counted, 发展 has its 7 occurrences in the speech and the totals stay the
    token totals, so it is no longer the one 'significantly under-used' term."""
    from analysis.stats.keyness import keyness
    ref = corpus.select(collection="gwr", years=(2015, 2024))
    target = corpus.select(doc_ids="speech2025")
    plain = keyness(corpus.documents, target, ref, min_target=0, min_count=3, n_boot=50).set_index("term")
    nested = keyness(corpus.nested_documents(), target, ref, min_target=0, min_count=3, n_boot=50).set_index("term")
    tokens = corpus.documents.set_index("doc_id")["n_tokens"]
    assert plain["total_target"].iloc[0] == nested["total_target"].iloc[0] == tokens["speech2025"]
    assert nested["total_reference"].iloc[0] == tokens[corpus.documents.loc[ref, "doc_id"]].sum()
    assert plain.loc["发展", "n_target"] == 2 and nested.loc["发展", "n_target"] == 7
    assert nested.loc["发展", "n_reference"] == int(corpus.count(["发展"]).loc[corpus.documents.loc[ref, "doc_id"], "发展"].sum())


def test_cli_count_empty_term_is_one_line_error():
    out = subprocess.run([sys.executable, "-m", "analysis", "count", "-", ""], input="法治", capture_output=True,
                         text=True)
    assert out.returncode == 2
    assert out.stderr.strip() == "error: give at least one non-empty term to count"


def test_prepare_keeps_an_empty_lexicon(speech):
    corpus = prepare(speech, lexicon=Lexicon.load(builtin=False), learn=False, cache=False)
    assert len(corpus.segmenter.lexicon) == 0
    assert "习近平新时代中国特色社会主义思想" not in {t for s in corpus.paragraphs["stream"] for t in s}
