"""Segmentation: lexicon categories kept whole in real corpus sentences, filter rule, backends, cache."""

from __future__ import annotations

import hashlib

import pandas as pd
import pytest

from analysis.cli import main as cli
from analysis.lexicon.terms import Lexicon
from analysis.tokens.segment import Segmenter, document_tokens, lexicon_check

# Real sentences from the corpus, with a formulation of each lexicon category that plain jieba breaks.
SENTENCES = {
    "theory": ("坚持以习近平新时代中国特色社会主义思想为指导，深入学习贯彻习近平法治思想", "习近平新时代中国特色社会主义思想"),
    "party_building": ("二要持之以恒强化理论武装。", "理论武装"),
    "numbered": ("引导广大干警深刻领悟“两个确立”的决定性意义，坚决做到“两个维护”", "两个确立"),
    "rule_of_law": ("我们扎实推进法治社会建设，加强法治宣传教育，深化基层依法治理", "法治宣传教育"),
    "economy_policy": ("推动全面依法治市和司法行政工作高质量发展", "高质量发展"),
}


@pytest.mark.parametrize("category", sorted(SENTENCES))
@pytest.mark.parametrize("backend", ["jieba", "rjieba"])
def test_each_category_kept_whole_in_real_sentences(category, backend, speech, segmenter):
    sentence, term = SENTENCES[category]
    assert sentence in speech.loc[0, "text"].replace("\n", "").replace(",", "，")
    assert segmenter.lexicon.categories[term] == category
    seg = Segmenter(backend=backend, cache=False)
    assert term in seg.cut(sentence)
    plain = Segmenter(Lexicon.load(builtin=False), backend=backend, cache=False)
    assert term not in plain.cut(sentence)  # what the lexicon fixes


def test_the_opt_in_list_keeps_the_targets_own_wording_whole(speech):
    """Terms only the speech attests are not in the default lexicon (jieba breaks them) and come out whole with
    the opt-in list (analysis.lexicon.provenance.OPT_IN_FILE)."""
    from analysis.lexicon.provenance import OPT_IN_FILE
    sentence = "认真落实“三会一课”、民主生活会、组织生活会、民主评议党员等制度"
    assert sentence in speech.loc[0, "text"].replace("\n", "")
    default, opted = Segmenter(cache=False), Segmenter(Lexicon.load(extra=[OPT_IN_FILE]), cache=False)
    for term in ("民主生活会", "组织生活会", "民主评议党员"):
        assert term not in default.cut(sentence) and term in opted.cut(sentence), term
    assert "三会一课" in default.cut(sentence)  # attested in the reports (cpc19), so in the default lexicon


def test_filter_rule():
    seg = Segmenter(cache=False, stopwords="standard")
    tokens = seg.tokens("2025年，我们要坚持“两个确立”，增长5.2%，十四个的人！")
    assert "两个确立" in tokens and "坚持" in tokens
    assert not {"2025", "5.2%", "，", "“", "年", "的", "我们", "十四"} & set(tokens)
    keep_all = Segmenter(cache=False, stopwords="none", min_chars=1, keep_numbers=True, keep_punct=True)
    assert "".join(keep_all.tokens("2025年，我们要坚持。")) == "2025年，我们要坚持。"


def test_genre_stopwords_are_optional():
    text = "同志们，要进一步切实加强法律援助工作"
    standard = Segmenter(cache=False, stopwords="standard").tokens(text)
    genre = Segmenter(cache=False, stopwords="genre").tokens(text)
    assert "进一步" in standard and "同志" in standard
    assert "进一步" not in genre and "同志" not in genre and "法律援助" in genre


def test_pos_tags_align_with_tokens(speech):
    table = Segmenter(cache=False, pos=True).segment(speech)
    for toks, tags in zip(table["tokens"], table["tags"]):
        assert len(toks) == len(tags)
    assert "nz" in table["tags"].iloc[5]  # lexicon terms carry the lexicon's tag


def test_cut_preserves_every_character(speech):
    seg = Segmenter(cache=False)
    text = speech.loc[0, "text"]
    assert "".join(seg.cut(text)) == text


def test_backends_agree_on_real_documents(speech, gwr):
    docs = [speech.loc[0, "text"]] + list(gwr[gwr["year"] >= 2019]["text"])
    jieba_seg, rjieba_seg = Segmenter(backend="jieba", cache=False), Segmenter(backend="rjieba", cache=False)
    differing = sum(jieba_seg.cut(t) != rjieba_seg.cut(t) for t in docs)
    assert differing <= 1, f"{differing} of {len(docs)} documents segment differently"


def test_segment_table(speech_paragraphs):
    t = speech_paragraphs
    assert list(t.columns[:5]) == ["doc_id", "collection", "year", "paragraph", "text"]
    assert (t["n_tokens"] == t["tokens"].map(len)).all()
    doc = document_tokens(t)
    assert list(doc.index) == ["speech2025"] and len(doc.iloc[0]) == t["n_tokens"].sum()
    assert doc.iloc[0].count("司法行政") + doc.iloc[0].count("司法行政工作") > 10


def test_cache_reuses_and_invalidates(speech, gwr, tmp_path):
    docs = gwr[gwr["year"] >= 2022]
    files = lambda: sorted(p.name for p in tmp_path.rglob("*.seg"))  # noqa: E731
    first = Segmenter(cache=tmp_path).segment(docs)
    assert len(files()) == len(docs)
    before = {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*.seg")}
    again = Segmenter(cache=tmp_path).segment(docs)
    assert again.equals(first)
    assert {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*.seg")} == before  # nothing rewritten
    # the assembled corpus is one more file, and a re-run reads it alone
    corpora = list(tmp_path.rglob("*.corpus"))
    assert len(corpora) == 1
    # the filter is applied when counting: another filter reads the same cache files
    loose = Segmenter(cache=tmp_path, min_chars=1, stopwords="none").segment(docs)
    assert len(files()) == len(docs)
    assert loose["stream"].equals(first["stream"]) and loose["n_tokens"].sum() > first["n_tokens"].sum()
    # any option that changes the stream re-segments
    Segmenter(cache=tmp_path, backend="jieba").segment(docs)
    assert len(files()) == 2 * len(docs)
    extra = Lexicon.load([Lexicon.from_terms(["减税降费"])])
    changed = Segmenter(extra, cache=tmp_path).segment(docs)
    assert len(files()) == 3 * len(docs)
    assert not changed["tokens"].equals(first["tokens"])
    # a changed text re-segments that document only
    edited = docs.copy()
    edited.iloc[0, edited.columns.get_loc("text")] += "\n新增一段。"
    Segmenter(cache=tmp_path).segment(edited)
    assert len(files()) == 3 * len(docs) + 1
    assert not list(tmp_path.rglob("*.part"))  # no temporary file left behind


def test_rerun_reads_the_assembled_corpus_alone(gwr, tmp_path):
    docs = gwr[gwr["year"] >= 2023]
    first = Segmenter(cache=tmp_path).segment(docs)
    for path in tmp_path.rglob("*.seg"):
        path.unlink()
    assert Segmenter(cache=tmp_path).segment(docs).equals(first)
    assert not list(tmp_path.rglob("*.seg"))  # nothing segmented again: one file read, nothing merged
    assert Segmenter(cache=tmp_path).segment(docs.iloc[::-1]).equals(  # another order is another corpus
        pd.concat([first[first["doc_id"] == d] for d in docs["doc_id"][::-1]], ignore_index=True))


def test_corrupt_corpus_entry_is_named_and_rebuilt_from_the_documents(gwr, tmp_path):
    from analysis.errors import CacheWarning
    docs = gwr[gwr["year"] >= 2023]
    first = Segmenter(cache=tmp_path).segment(docs)
    (entry,) = tmp_path.rglob("*.corpus")
    entry.write_bytes(entry.read_bytes()[:-10])
    before = {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*.seg")}
    with pytest.warns(CacheWarning, match=rf"{entry.name}: unreadable segment cache file"):
        assert Segmenter(cache=tmp_path).segment(docs).equals(first)
    assert {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*.seg")} == before  # documents read, not redone
    assert Segmenter(cache=tmp_path).segment(docs).equals(first)


def test_corpus_entries_are_pruned_least_recently_used_first(gwr, tmp_path, monkeypatch):
    import analysis.tokens.cache
    monkeypatch.setattr(analysis.tokens.cache, "CORPUS_ENTRIES", 2)
    docs = gwr[gwr["year"] >= 2021].reset_index(drop=True)
    subsets = [docs.iloc[[0, 1]], docs.iloc[[1, 2]], docs.iloc[[0, 2]]]
    for subset in subsets[:2]:
        Segmenter(cache=tmp_path).segment(subset)
    oldest = {p.name for p in tmp_path.rglob("*.corpus")}
    Segmenter(cache=tmp_path).segment(subsets[0])  # used again: now the most recent
    Segmenter(cache=tmp_path).segment(subsets[2])
    kept = {p.name for p in tmp_path.rglob("*.corpus")}
    assert len(oldest) == 2 and len(kept) == 2 and len(kept & oldest) == 1
    seg = Segmenter(cache=tmp_path)
    first_key = hashlib.sha256("\n".join(seg.keys(subsets[0]["text"])).encode()).hexdigest()
    assert f"{first_key}.corpus" in kept


def test_corrupt_cache_file_is_named_and_recomputed(speech, tmp_path):
    from analysis.errors import CacheWarning
    first = Segmenter(cache=tmp_path).segment(speech)
    for path in tmp_path.rglob("*.seg"):
        path.write_bytes(b"garbage")
    with pytest.warns(CacheWarning, match=r"\.seg: unreadable segment cache file"):
        assert Segmenter(cache=tmp_path).segment(speech).equals(first)
    assert Segmenter(cache=tmp_path).segment(speech).equals(first)  # rewritten: no warning needed now


def test_lexicon_check_on_speech(speech):
    table = lexicon_check(speech["text"])
    assert set(table.columns) == {"term", "category", "occurrences", "broken", "share_broken", "example"}
    row = table.set_index("term").loc["两个维护"]
    assert row.occurrences == speech.loc[0, "text"].replace("\n", "").count("两个维护") == 3
    assert table["broken"].sum() == 0


def test_lexicon_check_finds_breaks():
    seg = Segmenter(Lexicon.from_terms(["改革开放"]) + Lexicon.from_terms(["深化改革"]), cache=False)
    table = lexicon_check(["要深化改革开放。改革开放以来。"], seg).set_index("term")
    assert table.loc["改革开放", "occurrences"] == 2 and table.loc["改革开放", "broken"] == 1
    assert table.loc["改革开放", "example"] == "深化改革/开放"


def test_cli_segment(tmp_path, capsys):
    path = tmp_path / "s.txt"
    path.write_text("同志们:\n要增强“四个意识”、坚定“四个自信”。\n", encoding="utf-8")
    assert cli(["segment", str(path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == ["同志", "增强 四个意识 坚定 四个自信"]


def test_cli_segment_reads_stdin():
    import subprocess
    import sys
    out = subprocess.run([sys.executable, "-m", "analysis", "segment", "-"], input="深化“放管服”改革,推进依法行政。\n",
                         capture_output=True, text=True, check=True).stdout
    assert out.splitlines() == ["深化 放管服 改革 推进 依法行政"]


def test_cli_lexicon_check(capsys):
    assert cli(["lexicon", "check", "--collection", "speech"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("1 documents;") and "kept whole" in out


def test_benchmark_helpers_run(speech):
    from analysis.bench.segmentation import backend_differences, machine_parallelism
    differing_docs, differing_tokens, total = backend_differences(speech)
    assert differing_docs == 0 and differing_tokens == 0 and total > 1000
    assert machine_parallelism(20_000) > 0


def test_segmenter_pickles_without_its_engines(speech):
    import pickle  # in memory only, as worker processes receive it; nothing on disk is a pickle
    seg = Segmenter(backend="jieba", cache=False, pos=True)
    seg.tag("坚持党的领导")  # builds both engines
    clone = pickle.loads(pickle.dumps(seg))
    assert "_engine" not in clone.__dict__ and "_posseg" not in clone.__dict__
    assert clone.fingerprint == seg.fingerprint and clone.tag("坚持党的领导") == seg.tag("坚持党的领导")


def test_unguarded_user_script_runs_once(tmp_path):
    """A script without ``if __name__ == "__main__":`` that segments in parallel runs once, not
    once per worker process (loky does not re-import ``__main__``)."""
    import os
    import subprocess
    import sys
    script = tmp_path / "study.py"
    script.write_text("import warnings\nwarnings.simplefilter('ignore')\nprint('SCRIPT RUN', flush=True)\n"
                      "from analysis.tokens.pipeline import prepare\nfrom analysis.tokens.segment import Segmenter\n"
                      "c = prepare(segmenter=Segmenter(n_jobs=2))\nprint('tokens', c.documents['n_tokens'].sum())\n",
                      encoding="utf-8")
    env = {**os.environ, "ANALYSIS_CACHE_DIR": str(tmp_path / "cache")}
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=300,
                         cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.count("SCRIPT RUN") == 1
    assert "Warning" not in out.stderr


@pytest.mark.parametrize("cache", [False, True])
def test_no_documents_and_empty_texts(speech, tmp_path, cache):
    seg = Segmenter(cache=tmp_path if cache else False)
    whole = seg.segment(speech)
    none = seg.segment(speech.iloc[:0])
    assert none.empty and list(none.columns) == list(whole.columns)
    with_empty = pd.concat([speech.assign(doc_id="blank", text=""), speech], ignore_index=True)
    for _ in range(2):  # segmented, then (with a cache) read back
        table = seg.segment(with_empty)
        assert set(table["doc_id"]) == {"speech2025"}  # an empty text has no paragraphs
        assert table.reset_index(drop=True).equals(whole)
