"""The on-disk store: the same statistics as in memory, identical stores from both engines,
resume after a kill, and re-runs that segment nothing twice (real corpus, real jieba)."""

from __future__ import annotations

import json
import warnings
from collections import Counter

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from analysis.cli import main
from analysis.errors import CorpusError
from analysis.counts.frequency import term_frequency
from analysis.stats.tfidf import tfidf
from analysis.stats.keyness import keyness
from analysis.tokens.pipeline import prepare
from analysis.text.normalise import normalise
from analysis.tokens.segment import Segmenter
from analysis.text.structure import parse_paragraphs
from analysis.store import Store, add_filter, default_filter, index
from analysis.store.files import MANIFEST
from analysis.topics.streaming import StreamingNMF, transform_paragraphs
from analysis.tokens.nesting import TokenFilter
from analysis.stats.trends import term_trends

CHUNK = 20_000  # characters: several parts even for a small corpus


@pytest.fixture(scope="module")
def study(tmp_path_factory, segmenter):
    """The study corpus indexed into a store, and the same corpus prepared in memory."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        corpus = prepare(segmenter=segmenter)
    root = tmp_path_factory.mktemp("study") / "store"
    index(corpus.docs, root, segmenter=segmenter, n_jobs=1, chunk_chars=400_000, progress=False)
    return Store(root), corpus


@pytest.fixture(scope="module")
def small_corpus(speech, gwr):
    """10× the speech and three reports, each copy with its own doc_id (about 110,000 characters)."""
    reports = gwr[gwr["year"].between(2023, 2025)]
    return pd.concat([speech.assign(doc_id=f"speech-{i}") for i in range(10)] + [reports], ignore_index=True)


def _counts(store: Store) -> pd.DataFrame:
    """Every (doc_id, term, count) triple of a store, sorted: the store's content, engine-independent."""
    fkey = store.filter_key()
    frames = [pq.read_table(store._file("counts", p, fkey)).to_pandas() for p in store.parts]
    table = pd.concat(frames, ignore_index=True)
    table["term"] = table["term"].astype(str)
    return table.sort_values(["doc_id", "term"]).reset_index(drop=True)


def _tokens(store: Store) -> pd.DataFrame:
    frame = pd.concat(store.iter_paragraphs(columns=("doc_id", "paragraph", "section_path", "tokens")),
                      ignore_index=True)
    frame["tokens"] = frame["tokens"].map(tuple)
    return frame.sort_values(["doc_id", "paragraph"]).reset_index(drop=True)


# ------------------------------------------------------------------ statistics equal the in-memory ones
def test_store_keyness_equals_in_memory_keyness(study):
    store, corpus = study
    expected = keyness(corpus.documents, "speech2025", corpus.select(collection="gwr", years=(2015, 2024)))
    table = store.keyness("speech2025", store.select(collection="gwr", years=(2015, 2024)))
    assert list(table.columns) == list(expected.columns)
    pd.testing.assert_frame_equal(table, expected, check_exact=False, rtol=1e-9, atol=1e-12)
    assert table.attrs["target"] == ["speech2025"] and table.attrs["n_reference_docs"] == expected.attrs["n_reference_docs"]
    assert table["total_target"].iloc[0] == corpus.documents.set_index("doc_id").loc["speech2025", "n_tokens"]


def test_store_keyness_with_paragraph_units_equals_in_memory(study):
    """Dispersion and the unit bootstrap over the speech's paragraphs, read from the store."""
    store, corpus = study
    expected = keyness(corpus.documents, "speech2025", corpus.select(collection="gwr", years=(2015, 2024)),
                       units=corpus.paragraphs, n_boot=200)
    table = store.keyness("speech2025", store.select(collection="gwr", years=(2015, 2024)), units="paragraphs",
                          n_boot=200)
    assert expected["dp"].notna().all()
    pd.testing.assert_frame_equal(table, expected, check_exact=False, rtol=1e-9, atol=1e-12)


def test_cli_keyness_writes_the_same_table(study, tmp_path):
    store, corpus = study
    out = tmp_path / "keyness.csv"
    assert main(["keyness", str(store.root), "--target", "speech2025", "--collection", "gwr",
                 "--years", "2015-2024", "--out", str(out)]) == 0
    written = pd.read_csv(out)
    expected = keyness(corpus.documents, "speech2025", corpus.select(collection="gwr", years=(2015, 2024)))
    assert list(written.columns) == list(expected.columns)
    assert written["term"].tolist() == expected["term"].tolist()
    for col in ("n_target", "n_reference", "g2", "chi2", "log_ratio", "p", "p_adj", "ref_docs", "first_year_ref"):
        np.testing.assert_allclose(written[col].to_numpy(float), expected[col].to_numpy(float, na_value=np.nan),
                                   rtol=1e-9, equal_nan=True)


def test_store_frequency_tfidf_and_trends_equal_in_memory(study):
    store, corpus = study
    docs = corpus.documents
    freq = store.term_frequency(store.select(collection="gwr"), by="year")
    freq.attrs = {}
    pd.testing.assert_frame_equal(freq, term_frequency(docs[docs["collection"] == "gwr"], by="year"), check_dtype=False)
    weights = store.tfidf(by="collection", n=30, exclude_ubiquitous=True)
    weights.attrs = {}
    pd.testing.assert_frame_equal(weights, tfidf(docs, by="collection", n=30, exclude_ubiquitous=True),
                                  check_dtype=False)
    terms = ["全面依法治国", "高质量发展", "改革"]
    pd.testing.assert_frame_equal(store.term_trends(terms, target="speech2025"), term_trends(docs, terms, target="speech2025"))


def test_the_package_s_statistics_take_a_store_as_they_take_a_table(study):
    """One function and one name per statistic: keyness(store, ...) is Store.keyness, and so on."""
    import analysis
    store, corpus = study
    ref = store.select(collection="gwr", years=(2015, 2024))
    pd.testing.assert_frame_equal(analysis.keyness(store, "speech2025", ref), store.keyness("speech2025", ref))
    pd.testing.assert_frame_equal(analysis.tfidf(store, by="collection", n=5), store.tfidf(by="collection", n=5))
    pd.testing.assert_frame_equal(analysis.term_frequency(store, by="year"), store.term_frequency(by="year"))
    terms = ["全面依法治国", "改革"]
    pd.testing.assert_frame_equal(analysis.term_trends(store, terms), store.term_trends(terms))
    with pytest.warns(DeprecationWarning, match="term_trends"):
        pd.testing.assert_frame_equal(store.trends(terms), store.term_trends(terms))


def test_counts_match_the_stored_streams(study, segmenter):
    """Streams are whole (their concatenation is the normalised paragraph), counts are the filter's."""
    store, corpus = study
    paras = pd.concat(store.iter_paragraphs(["speech2025"]), ignore_index=True)
    text = normalise(corpus.docs.set_index("doc_id").loc["speech2025", "text"]).text
    assert ["".join(t) for t in paras["tokens"]] == [p.text for p in parse_paragraphs(text)]
    token_filter = default_filter(segmenter)
    expected = Counter(t for toks in paras["tokens"] for t in token_filter.apply(toks))
    counts = _counts(store)
    got = counts[counts["doc_id"] == "speech2025"].set_index("term")["count"].to_dict()
    assert got == dict(expected)
    docs = store.documents().set_index("doc_id")
    assert docs.loc["speech2025", "n_tokens"] == sum(map(len, paras["tokens"]))


# ------------------------------------------------------------------ engines
def test_local_and_dask_engines_give_identical_stores(small_corpus, segmenter, tmp_path):
    stores = {}
    for engine in ("local", "dask"):
        result = index(small_corpus, tmp_path / engine, engine=engine, n_jobs=2, segmenter=segmenter,
                       chunk_chars=CHUNK, progress=False)
        assert result.indexed == len(small_corpus) and result.parts > 2
        stores[engine] = result.store
    local, dask = stores["local"], stores["dask"]
    assert local.parts == dask.parts
    pd.testing.assert_frame_equal(_counts(local), _counts(dask))
    pd.testing.assert_frame_equal(local.vocabulary(), dask.vocabulary())
    pd.testing.assert_frame_equal(local.documents(), dask.documents())
    pd.testing.assert_frame_equal(_tokens(local), _tokens(dask))
    # Ten copies of the speech: ten identical count vectors, flagged as duplicates of the first.
    counts = _counts(local)
    speech = [counts[counts["doc_id"] == f"speech-{i}"][["term", "count"]].reset_index(drop=True) for i in range(10)]
    assert all(s.equals(speech[0]) for s in speech[1:]) and len(speech[0]) > 100
    vocab = local.vocabulary().set_index("term")
    assert vocab["count"].sum() == counts["count"].sum()
    assert (local.documents()["duplicate_of"] == "speech-0").sum() == 9


# ------------------------------------------------------------------ resume and skip
class CountingSegmenter(Segmenter):
    """A real segmenter that counts the documents it segments (in this process: n_jobs=1)."""

    calls = 0

    def process(self, raw_text: str) -> dict:
        type(self).calls += 1
        return super().process(raw_text)


def test_resume_after_a_kill_gives_the_same_store(small_corpus, segmenter, tmp_path):
    complete = index(small_corpus, tmp_path / "complete", n_jobs=1, segmenter=segmenter, chunk_chars=CHUNK,
                     progress=False).store
    root = tmp_path / "killed"
    index(small_corpus, root, n_jobs=1, segmenter=segmenter, chunk_chars=CHUNK, progress=False)
    # Simulate a kill: the last part never committed (manifest entry gone), one of its files
    # half-written, a temporary file left behind.
    manifest = json.loads((root / MANIFEST).read_text())
    lost = Store(root).parts[-1]
    lost_docs = manifest["parts"].pop(lost)["n_docs"]
    (root / MANIFEST).write_text(json.dumps(manifest))
    tokens_file = root / "tokens" / f"{lost}.parquet"
    tokens_file.write_bytes(tokens_file.read_bytes()[:100])
    (root / "documents" / f".{lost}.parquet.x.tmp").write_bytes(b"partial")
    with pytest.raises(Exception):
        pq.read_table(tokens_file)

    counting = CountingSegmenter(cache=False)
    CountingSegmenter.calls = 0
    resumed = index(small_corpus, root, n_jobs=1, segmenter=counting, chunk_chars=CHUNK, progress=False)
    assert resumed.indexed == lost_docs == CountingSegmenter.calls
    assert resumed.skipped == len(small_corpus) - lost_docs
    store = resumed.store
    pd.testing.assert_frame_equal(_counts(store), _counts(complete))
    pd.testing.assert_frame_equal(store.vocabulary(), complete.vocabulary())
    pd.testing.assert_frame_equal(_tokens(store), _tokens(complete))
    assert not list((root / "documents").glob(".*"))


def test_rerun_skips_indexed_documents(speech, gwr, tmp_path):
    counting = CountingSegmenter(cache=False)
    docs = pd.concat([speech, gwr[gwr["year"].between(2019, 2022)]], ignore_index=True)
    n = len(docs)
    CountingSegmenter.calls = 0
    first = index(docs, tmp_path / "s", n_jobs=1, segmenter=counting, progress=False)
    assert CountingSegmenter.calls == first.indexed == n
    second = index(docs, tmp_path / "s", n_jobs=1, segmenter=counting, progress=False)
    assert CountingSegmenter.calls == n and second.indexed == 0 and second.skipped == n
    more = pd.concat([docs, gwr[gwr["year"] == 2023]], ignore_index=True)
    third = index(more, tmp_path / "s", n_jobs=1, segmenter=counting, progress=False)
    assert CountingSegmenter.calls == n + 1 and third.indexed == 1 and third.skipped == n
    assert third.store.documents()["doc_id"].tolist() == more["doc_id"].tolist()
    # the vocabulary was extended by the new part only, and equals one counted from scratch
    scratch = index(more, tmp_path / "scratch", n_jobs=1, segmenter=counting, progress=False).store
    pd.testing.assert_frame_equal(third.store.vocabulary(), scratch.vocabulary())
    CountingSegmenter.calls = n + 1
    changed = more.copy()
    changed.loc[0, "text"] += "新增一句。"
    with pytest.raises(CorpusError, match="speech2025.*differs"):
        index(changed, tmp_path / "s", n_jobs=1, segmenter=counting, progress=False)
    fresh = index(changed, tmp_path / "s", n_jobs=1, segmenter=counting, progress=False, overwrite=True)
    assert fresh.indexed == n + 1 and fresh.skipped == 0
    other = tmp_path / "not-a-store"
    other.mkdir()
    (other / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(CorpusError, match="refusing to delete"):
        index(docs, other, n_jobs=1, segmenter=counting, progress=False, overwrite=True)
    assert (other / "notes.txt").read_text(encoding="utf-8") == "keep me"


def test_jsonl_corpus_streams_with_its_own_ids(gwr, tmp_path, segmenter):
    path = tmp_path / "reports.jsonl"
    rows = gwr[gwr["year"] >= 2021]
    path.write_text("".join(json.dumps({"id": d, "content": t, "year": int(y)}, ensure_ascii=False) + "\n"
                            for d, t, y in zip(rows["doc_id"], rows["text"], rows["year"])), encoding="utf-8")
    store = index(path, tmp_path / "j", segmenter=segmenter, n_jobs=1, progress=False,
                  text="content", doc_id="id").store
    docs = store.documents()
    assert docs["doc_id"].tolist() == rows["doc_id"].tolist()
    assert docs["collection"].unique().tolist() == ["reports"]
    assert docs["n_chars"].tolist() == rows["text"].str.len().tolist()
    # the command line gives the same store
    assert main(["index", str(path), "--out", str(tmp_path / "cli"), "--jobs", "1", "--quiet",
                 "--text-field", "content"]) == 0
    cli = Store(tmp_path / "cli")
    assert len(cli.documents()) == len(rows) and cli.documents()["doc_id"].str.startswith("doc").all()
    pd.testing.assert_frame_equal(cli.vocabulary(), store.vocabulary())


# ------------------------------------------------------------------ topics at scale
def test_streaming_nmf_fits_by_minibatch_and_transforms_every_paragraph(study):
    store, corpus = study
    params = dict(sample=2_000, batch_rows=1_024, random_state=0)
    model = StreamingNMF(5, **params).fit(store)
    again = StreamingNMF(5, **params).fit(store)
    np.testing.assert_allclose(model.components_, again.components_)  # seeded: reproducible
    assert model.components_.shape == (5, len(model.terms_)) and model.n_paragraphs_ == len(corpus.paragraphs)
    frames = list(transform_paragraphs(store, model, batch_rows=1_500))
    assert len(frames) > 1
    table = pd.concat(frames, ignore_index=True)
    assert len(table) == store.documents()["n_paragraphs"].sum() == len(corpus.paragraphs)
    # Each batch's paragraphs, with their tokens from memory (batch by batch: NMF's transform
    # solves a batch jointly), get the same weights.
    memory = corpus.paragraphs.set_index(["doc_id", "paragraph"])["tokens"]
    for frame in frames:
        tokens = memory.loc[list(zip(frame["doc_id"], frame["paragraph"]))]
        np.testing.assert_allclose(frame[[f"topic_{k}" for k in range(5)]].to_numpy(), model.transform(tokens),
                                   rtol=1e-9, atol=1e-12)
    assert (table["topic"] >= -1).all() and (table.loc[table["topic"] >= 0, "weight"] > 0).all()


def test_add_filter_counts_the_stored_streams_like_indexing_does(small_corpus, gwr, segmenter, tmp_path):
    """Counts for a second filter made later from the stored streams equal counts made while indexing."""
    other = TokenFilter("none", min_chars=1, numbers=True)
    direct = index(small_corpus, tmp_path / "direct", n_jobs=1, segmenter=segmenter, chunk_chars=CHUNK,
                   filters=[other], progress=False).store
    later = index(small_corpus, tmp_path / "later", n_jobs=1, segmenter=segmenter, chunk_chars=CHUNK,
                  progress=False).store
    CountingSegmenter.calls = 0
    later = add_filter(later.root, other, n_jobs=2)
    assert later.filter_name(other) == direct.filter_name() == other.name
    fkey = later.filter_key(other)
    for part in later.parts:
        a = pq.read_table(later._file("counts", part, fkey)).to_pandas()
        b = pq.read_table(direct._file("counts", part, fkey)).to_pandas()
        pd.testing.assert_frame_equal(a.astype({"term": str}), b.astype({"term": str}))
    pd.testing.assert_frame_equal(later.vocabulary(other), direct.vocabulary())
    # the default filter's counts are untouched, and the new filter keeps single characters
    assert len(later.vocabulary()) < len(later.vocabulary(other))
    assert "的" in set(later.vocabulary(other)["term"]) and "的" not in set(later.vocabulary()["term"])
    # documents indexed afterwards are counted for the added filter too
    more = pd.concat([small_corpus, gwr[gwr["year"] == 2022]], ignore_index=True)
    grown = index(more, later.root, n_jobs=1, segmenter=segmenter, chunk_chars=CHUNK, progress=False)
    assert grown.indexed == 1
    direct = index(more, tmp_path / "direct", n_jobs=1, segmenter=segmenter, chunk_chars=CHUNK, filters=[other],
                   progress=False).store
    pd.testing.assert_frame_equal(grown.store.vocabulary(other), direct.vocabulary())


def test_folder_corpus_and_extra_lexicon_from_the_command_line(speech, tmp_path):
    """A folder is read with load_folder's rules (metadata.csv); --lexicon adds terms that then count whole."""
    from analysis import config
    lexicon = tmp_path / "extra.tsv"
    lexicon.write_text("term\tcategory\tmembers\tnote\n政治工作会议\tuser\t\t\n", encoding="utf-8")
    assert main(["index", str(config.SPEECH_DIR), "--out", str(tmp_path / "s"), "--jobs", "1", "--quiet",
                 "--lexicon", str(lexicon)]) == 0
    store = Store(tmp_path / "s")
    docs = store.documents()
    assert docs[["doc_id", "collection", "title"]].values.tolist() == speech[["doc_id", "collection", "title"]].values.tolist()
    assert docs["year"].tolist() == speech["year"].tolist()
    vocab = store.vocabulary().set_index("term")["count"]
    assert vocab["政治工作会议"] == normalise(speech["text"].iloc[0]).text.count("政治工作会议") >= 1


def test_a_store_of_the_study_corpus_counts_what_the_notebooks_count(study_corpus, tmp_path):
    """index(None) segments the study corpus as prepare() does, learned terms included: the speech has
    the notebooks' token count and its keyness table is theirs."""
    store = index(None, tmp_path / "store", progress=False).store
    assert len(study_corpus.learned[0]) > 0  # the study learns terms: without them the counts would differ
    expected = keyness(study_corpus.documents, "speech2025", study_corpus.select(collection="gwr", years=(2015, 2024)))
    table = store.keyness("speech2025", store.select(collection="gwr", years=(2015, 2024)))
    pd.testing.assert_frame_equal(table, expected, check_exact=False, rtol=1e-9, atol=1e-12)
    assert table["total_target"].iloc[0] == study_corpus.documents.set_index("doc_id").loc["speech2025", "n_tokens"]
