"""Bad, awkward and hostile input, tried as a new user would: every case either works or fails with
the package's own error naming the file and the problem, and nothing is lost, left behind or executed.

Sections: corpus loaders · document identity · command line (run as a subprocess) · fetch and
manifests · saved topic models and the segment cache (planted pickles, truncation, two processes,
a process killed mid-write) · statistics · notebook parameter values.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import signal
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.corpus import (Resource, decode_bytes, ensure_unique_ids, fetch, fetch_all, load_corpus, load_csv,
                             load_folder, load_jsonl, load_manifest, read_text)
from analysis.corpus.fetch import FetchAllError
from analysis.errors import (AnalysisError, CacheError, CacheWarning, ChecksumError, CorpusError, CorpusWarning,
                             DecodingError, InputError, ManifestError)
from analysis.stats.keyness import keyness
from analysis.tokens.pipeline import SegmentedCorpus, prepare
from analysis.topics.model import TopicModel, fit_cached

SIMPLIFIED = "坚持以习近平新时代中国特色社会主义思想为指导，全面贯彻党的二十大精神。"
ENV = {k: v for k, v in os.environ.items() if k != "ANALYSIS_CORPUS_MIRROR"}


def quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CorpusWarning)
        return fn(*args, **kwargs)


# ---------------------------------------------------------------- decoding: valid UTF-8 is UTF-8

@pytest.mark.parametrize("text", [
    "马克思·恩格斯著作选读（第一卷）。",          # middle dot
    "①坚持党的领导；②坚持人民至上；③坚持自我革命。",  # circled digits
    "新时代新征程🇨🇳，奋斗🚀！",                      # emoji
    "Marx & Engels, 1848: the Manifesto.",            # ASCII only
], ids=["middle-dot", "circled-digits", "emoji", "ascii"])
def test_valid_utf8_is_accepted_whatever_it_contains(tmp_path, text):
    path = tmp_path / "doc_2020.txt"
    path.write_text(text, encoding="utf-8")
    assert read_text(path) == text
    docs = load_folder(tmp_path)
    assert docs.loc[0, "text"] == text and docs.loc[0, "encoding"] == "utf-8"


@pytest.mark.parametrize("given,written", [("utf-8", "utf-8"), ("utf8", "utf-8"), ("UTF-8-sig", "utf-8-sig"),
                                           ("utf-8", "utf-8-sig"), ("gbk", "gbk"), ("GB18030", "gb18030"),
                                           ("big5", "big5")])
def test_an_explicit_encoding_always_wins(tmp_path, given, written):
    text = {"big5": "我們不得不經常改換中央所在地。", "gbk": SIMPLIFIED, "gb18030": SIMPLIFIED}.get(written, "马克思·恩格斯①🚀")
    path = tmp_path / "a_2020.txt"
    path.write_bytes(text.encode(written))
    assert read_text(path, encoding=given) == text  # a UTF-8 byte-order mark is dropped
    assert load_folder(tmp_path, encoding=given).loc[0, "text"] == text


def test_unknown_encoding_name_is_named(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text(SIMPLIFIED, encoding="utf-8")
    with pytest.raises(DecodingError, match=r"a.txt: unknown encoding 'klingon'"):
        read_text(path, encoding="klingon")


def test_wrong_explicit_encoding_names_file_and_byte(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes(SIMPLIFIED.encode("gb18030"))
    with pytest.raises(DecodingError, match=r"a.txt: not valid utf-8 at byte 0 .*encoding"):
        read_text(path, encoding="utf-8")


def test_utf16_without_bom_is_refused_not_read_as_nul_riddled_text(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes("abc 2020".encode("utf-16-le"))  # valid UTF-8 bytes, but every other one is NUL
    with pytest.raises(DecodingError, match=r"a.txt: contains NUL characters.*UTF-16"):
        read_text(path)
    assert read_text(path, encoding="utf-16-le") == "abc 2020"


def test_gb18030_is_detected_and_big5_is_not_mistaken_for_it():
    assert decode_bytes(SIMPLIFIED.encode("gb18030")) == (SIMPLIFIED, "gb18030")
    numbered = "马克思·恩格斯：①坚持党的领导；②坚持人民至上；Ⅲ、坚持改革。"
    assert decode_bytes(numbered.encode("gbk")) == (numbered, "gb18030")
    assert decode_bytes("我們不得不經常改換中央所在地".encode("big5"))[1] == "big5"


@pytest.mark.parametrize("make,expected", [
    (lambda p: p.mkdir(), "is a folder, not a file"),
    (lambda p: None, "no such file"),
], ids=["folder", "missing"])
def test_read_text_on_a_folder_or_missing_file(tmp_path, make, expected):
    path = tmp_path / "x.txt"
    make(path)
    with pytest.raises(CorpusError, match=f"x.txt: {expected}"):
        read_text(path)


# ---------------------------------------------------------------- CSV and JSON Lines values, with file and line

def test_csv_document_of_200000_characters(tmp_path):
    text = ("坚持党的全面领导。" * 25000)[:200000]
    path = tmp_path / "long.csv"
    pd.DataFrame({"doc_id": ["long"], "year": [2020], "text": [text]}).to_csv(path, index=False)
    docs = load_csv(path)
    assert len(docs.loc[0, "text"]) == 200000 and docs.loc[0, "text"] == text


@pytest.mark.parametrize("content,message", [
    ("doc_id,year,text\na,2020,好\nb,2020年,好\n", r"bad.csv, line 3: year '2020年' is not a year"),
    # the line number counts the line break inside the quoted field above it
    ("doc_id,year,text\na,2020,\"两行\n文字\"\nb,20x0,好\n", r"bad.csv, line 4: year '20x0'"),
    ("doc_id,year,text\na,99999,好\n", r"bad.csv, line 2: year '99999'"),
    ("doc_id,year,text\na,2020,好,多余\n", r"bad.csv, line 2: 4 fields but the header has 3"),
    ("doc_id,year,text\na,2020\n", r"bad.csv, line 2: 2 fields but the header has 3"),
    ("doc_id,year,text\na,2020,好\na,2021,好\n",
     r"bad.csv: doc_id values must be unique; 'a' is used by .*line 2 and .*line 3"),
    ("doc_id,year,text\n\t,2020,好\n", r"bad.csv, line 2: doc_id '\\t' is empty"),
    ("", r"bad.csv: empty, or no header line"),
    ("year,body\n2010,好\n", r"bad.csv, line 2: no text field 'text'"),
], ids=["year-with-suffix", "line-after-quoted-break", "year-out-of-range", "extra-field", "missing-field",
        "repeated-id", "blank-id", "empty-file", "no-text-column"])
def test_bad_csv_values_name_file_and_line(tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CorpusError, match=message):
        load_csv(path)


@pytest.mark.parametrize("lines,message", [
    ([{"text": "好", "year": 2020}, {"text": "好", "year": [2020]}], r"bad.jsonl, line 2: year \[2020\] is not a year"),
    ([{"text": "好", "year": True}], r"bad.jsonl, line 1: year True is not a year"),
    ([{"text": 12345, "year": 2020}], r"bad.jsonl, line 1: the text is int 12345, not text"),
    ([{"text": "好", "title": {"a": 1}}], r"bad.jsonl, line 1: title is dict"),
    (["[1, 2]"], r"bad.jsonl, line 1: a JSON list, not an object"),
    (["{\"text\": \"好\"", ], r"bad.jsonl, line 1: not valid JSON"),
], ids=["year-list", "year-bool", "text-number", "title-object", "array-line", "broken-json"])
def test_bad_jsonl_values_name_file_and_line(tmp_path, lines, message):
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(x if isinstance(x, str) else json.dumps(x, ensure_ascii=False) for x in lines) + "\n",
                    encoding="utf-8")
    with pytest.raises(CorpusError, match=message):
        load_jsonl(path)


def test_jsonl_null_text_is_kept_as_an_empty_document_and_reported(tmp_path):
    path = tmp_path / "ok.jsonl"
    path.write_text('{"doc_id": "a", "text": null, "year": "2020"}\n{"doc_id": "b", "text": "好", "year": 2021.0}\n',
                    encoding="utf-8")
    with pytest.warns(CorpusWarning, match=r"1 empty document\(s\).*\['a'\]"):
        docs = load_jsonl(path)
    assert list(docs["doc_id"]) == ["a", "b"] and list(docs["year"]) == [2020, 2021] and docs.loc[0, "text"] == ""


@pytest.mark.parametrize("filename", ["../secret.txt", "/etc/passwd", "sub/a.txt"])
def test_metadata_filename_outside_the_folder_is_refused(tmp_path, filename):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "a_2020.txt").write_text(SIMPLIFIED, encoding="utf-8")
    (tmp_path / "secret.txt").write_text("秘密", encoding="utf-8")
    (folder / "metadata.csv").write_text(f"filename,year\n{filename},2020\n", encoding="utf-8")
    with pytest.raises(CorpusError, match=r"metadata.csv, line 2: filename .* must be the plain name of a file"):
        load_folder(folder)
    assert (tmp_path / "secret.txt").read_text(encoding="utf-8") == "秘密"


def test_metadata_bad_year_names_the_metadata_line(tmp_path):
    (tmp_path / "a.txt").write_text(SIMPLIFIED, encoding="utf-8")
    (tmp_path / "metadata.csv").write_text("filename,year\na.txt,二〇二〇\n", encoding="utf-8")
    with pytest.raises(CorpusError, match=r"metadata.csv, line 2: year '二〇二〇' is not a year"):
        load_folder(tmp_path)


def test_symlink_out_of_the_folder_is_refused(tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (tmp_path / "outside.txt").write_text(SIMPLIFIED, encoding="utf-8")
    (folder / "link_2020.txt").symlink_to(tmp_path / "outside.txt")
    with pytest.raises(CorpusError, match=r"link_2020.txt: points outside"):
        load_folder(folder)


# ---------------------------------------------------------------- document identity

@pytest.fixture
def two_folders(tmp_path):
    for name, text in (("A", "甲文。"), ("B", "乙文。")):
        (tmp_path / name).mkdir()
        (tmp_path / name / "r_2020.txt").write_text(text, encoding="utf-8")
    return pd.concat([load_corpus(tmp_path / "A"), load_corpus(tmp_path / "B")])


def test_combined_corpora_with_one_id_are_refused_naming_both_sources(two_folders):
    with pytest.raises(InputError,
                       match=r"doc_id 'r_2020' is used by 2 documents \(.*A/r_2020.txt and .*B/r_2020.txt\)"):
        ensure_unique_ids(two_folders)


def test_prepare_refuses_rather_than_merging_two_documents(two_folders):
    with pytest.raises(InputError, match="r_2020"):
        prepare(two_folders)


def test_repeated_ids_made_unique_on_request_keep_every_text(two_folders):
    docs = pd.concat([two_folders, two_folders.iloc[[0]]])
    with pytest.warns(CorpusWarning, match=r"r_2020 -> r_2020~2, r_2020 -> r_2020~3"):
        fixed = ensure_unique_ids(docs, on_duplicate="suffix")
    assert list(fixed["doc_id"]) == ["r_2020", "r_2020~2", "r_2020~3"]
    assert list(fixed["text"]) == ["甲文。", "乙文。", "甲文。"]
    assert ensure_unique_ids(fixed) is fixed  # already unique: unchanged
    with pytest.raises(InputError, match="on_duplicate='merge'"):
        ensure_unique_ids(docs, on_duplicate="merge")


# ---------------------------------------------------------------- the command line, as a user runs it

def run_cli(*args, stdin: bytes | None = None, env=None, timeout=60):
    return subprocess.run([sys.executable, "-m", "analysis", *map(str, args)], input=stdin, capture_output=True,
                          env=env or ENV, timeout=timeout)


def one_error_line(result) -> str:
    err = result.stderr.decode("utf-8")
    assert result.returncode == 2, err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    return lines[0]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli")
    (root / "gb.txt").write_bytes(("坚持党的领导。\n\n" + SIMPLIFIED + "\n").encode("gb18030"))
    (root / "binary.txt").write_bytes(b"\x80\xff\x81\xfe\xa0" * 10)
    (root / "bad.csv").write_text("doc_id,year,text\na,2020,好\nb,2020年,好\n", encoding="utf-8")
    (root / "long.txt").write_text(("坚持党的全面领导。\n\n" * 3000), encoding="utf-8")
    (root / "folder").mkdir()
    return root


@pytest.mark.parametrize("args,expected", [
    (["segment", "{root}/missing.txt"], "error: {root}/missing.txt: no such file"),
    (["segment", "{root}/folder"], "error: {root}/folder: is a folder, not a file"),
    (["segment", "{root}/binary.txt"], "error: {root}/binary.txt: cannot decode as any of utf-8, gb18030, big5"),
    (["segment", "{root}/gb.txt", "--encoding", "nonsense"], "error: {root}/gb.txt: unknown encoding 'nonsense'"),
    (["segment", "{root}/gb.txt", "--encoding", "utf-8"], "error: {root}/gb.txt: not valid utf-8 at byte 0"),
    (["segment", "{root}/gb.txt", "--backend", "spacy"], "error: analysis segment: argument --backend: invalid choice"),
    (["lexicon", "check", "--years", "2015-20x5"],
     "error: analysis lexicon check: argument --years: '2015-20x5' is not a year range"),
    (["lexicon", "check", "--years", "2025-2015"],
     "error: analysis lexicon check: argument --years: '2025-2015': the first year is after the last"),
    (["bench", "--repeat", "-1"], "error: analysis bench: argument --repeat: '-1' is not a whole number of at least 1"),
    (["corpus", "info", "{root}/bad.csv"], "error: {root}/bad.csv, line 3: year '2020年' is not a year"),
    (["corpus", "info", "{root}/missing.jsonl"], "error: {root}/missing.jsonl: no such file or folder"),
], ids=["missing-file", "folder", "undecodable", "unknown-encoding", "wrong-encoding", "bad-backend", "bad-years",
        "reversed-years", "bad-repeat", "bad-csv-year", "missing-corpus"])
def test_cli_failure_is_one_line_naming_the_file(files, args, expected):
    line = one_error_line(run_cli(*[a.format(root=files) for a in args]))
    assert line.startswith(expected.format(root=files))


def test_cli_segments_a_gb18030_file_and_stdin_through_the_same_decoder(files):
    from_file = run_cli("segment", files / "gb.txt")
    from_stdin = run_cli("segment", "-", stdin=(files / "gb.txt").read_bytes())
    assert from_file.returncode == 0 and from_stdin.returncode == 0
    assert from_file.stdout == from_stdin.stdout
    first = from_file.stdout.decode("utf-8").splitlines()[0]
    assert " " in first and "".join(first.split()).startswith("坚持党的领导")  # decoded right, then segmented


def test_cli_closed_pipe_ends_quietly(files):
    proc = subprocess.Popen([sys.executable, "-m", "analysis", "segment", str(files / "long.txt")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV)
    first = proc.stdout.readline()
    proc.stdout.close()  # what `| head -1` does
    err = proc.stderr.read().decode("utf-8")
    proc.wait(timeout=60)
    assert first.decode("utf-8").startswith("坚持")
    assert "Traceback" not in err and "error" not in err.lower()
    assert proc.returncode == 141


def test_cli_a_genuine_bug_keeps_its_traceback(monkeypatch):
    import analysis.cli as cli

    def buggy(args):
        raise ValueError("a bug in the package, not in the user's input")
    monkeypatch.setattr(cli, "_bench", buggy)
    with pytest.raises(ValueError, match="a bug in the package"):
        cli.main(["bench"])


def _project(tmp_path, collections: dict[str, bytes | None]) -> tuple[Path, Path]:
    """A project folder with a manifest of small collections and a mirror holding those whose bytes are given."""
    project, mirror = tmp_path / "project", tmp_path / "mirror"
    (project / "corpus").mkdir(parents=True)
    mirror.mkdir()
    manifest = {"collections": {}}
    for name, payload in collections.items():
        manifest["collections"][name] = {"filename": f"{name}.jsonl", "url": f"http://127.0.0.1:9/{name}.jsonl",
                                         "sha256": hashlib.sha256(payload or b"").hexdigest()}
        if payload is not None:
            (mirror / f"{name}.jsonl").write_bytes(payload)
    (project / "corpus" / "reference.json").write_text(json.dumps(manifest), encoding="utf-8")
    return project, mirror


def test_cli_fetch_tries_every_collection_and_names_the_failing_one(tmp_path):
    project, mirror = _project(tmp_path, {"first": b"one", "missing": None, "last": b"three"})
    result = run_cli("corpus", "fetch", "--mirror", mirror, env={**ENV, "ANALYSIS_PROJECT_DIR": str(project)})
    line = one_error_line(result)
    assert line.startswith("error: 1 of 3 collection(s) not fetched (missing) - missing: mirror folder")
    out = result.stdout.decode("utf-8")
    assert "first:" in out and "last:" in out and "missing" not in out
    assert sorted(p.name for p in (project / "corpus" / "cache").iterdir()) == ["first.jsonl", "last.jsonl"]


# ---------------------------------------------------------------- fetch and manifests: nothing outside corpus/cache

@pytest.mark.parametrize("filename", ["../../victim.txt", "/tmp/victim.txt", "sub/x.jsonl", "..", ".hidden"])
def test_manifest_filename_outside_its_folder_is_refused(tmp_path, filename):
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    manifest = tmp_path / "corpus" / "reference.json"
    manifest.parent.mkdir()
    manifest.write_text(json.dumps({"collections": {"x": {"filename": filename, "url": "http://127.0.0.1:9/x",
                                                          "sha256": "0" * 64}}}), encoding="utf-8")
    with pytest.raises(ManifestError, match=r"reference.json, collection 'x': filename .* must be a plain file name"):
        load_manifest(manifest)
    with pytest.raises(ManifestError, match="must be a plain file name"):  # a Resource made by hand, too
        fetch(Resource("x", filename, "http://127.0.0.1:9/x", "0" * 64), tmp_path / "corpus" / "cache", mirror=tmp_path)
    assert victim.read_text(encoding="utf-8") == "keep me"
    assert not (tmp_path / "corpus" / "cache").exists()


@pytest.mark.parametrize("content,message", [
    ("{not json", "not a manifest"),
    ('{"collections": {"x": {"filename": "x.jsonl", "url": "u", "sha256": "abc"}}}', "sha256 'abc' is not 64"),
    ('{"collections": {"x": {"filename": "x.jsonl"}}}', "needs string fields filename, url and sha256"),
], ids=["not-json", "short-sha", "missing-fields"])
def test_malformed_manifest_is_named(tmp_path, content, message):
    path = tmp_path / "reference.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ManifestError, match=f"reference.json.*{message}"):
        load_manifest(path)


def test_fetch_all_collects_every_failure(tmp_path):
    project, mirror = _project(tmp_path, {"good": b"good", "gone": None, "bad": None})
    (mirror / "bad.jsonl").write_bytes(b"not the pinned bytes")
    with pytest.raises(FetchAllError, match=r"2 of 3 collection\(s\) not fetched \(gone, bad\)") as info:
        fetch_all(tmp_path / "cache", mirror=mirror, manifest=project / "corpus" / "reference.json")
    assert list(info.value.fetched) == ["good"] and isinstance(info.value.failed["bad"], ChecksumError)
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == ["good.jsonl"]  # the bad copy was not kept


# ---------------------------------------------------------------- saved topic models: no pickle, recomputed when bad

WORDS = [f"词{i}" for i in range(40)]


def tiny_docs(seed=0, n=60):
    rs = np.random.RandomState(seed)
    return [list(rs.choice(WORDS[:20] if i % 2 else WORDS[20:], 25)) for i in range(n)]


def tiny_model(method="nmf"):
    return TopicModel(method, 3, min_df=1, max_df=1.0, max_iter=200 if method == "nmf" else 10)


@pytest.mark.parametrize("method", ["nmf", "lda"])
def test_saved_model_transforms_identically(tmp_path, method):
    docs = tiny_docs()
    model = tiny_model(method).fit(docs).set_labels({0: "甲"})
    loaded = TopicModel.load(model.save(tmp_path / "m.npz"))
    np.testing.assert_array_equal(loaded.transform(docs), model.transform(docs))
    assert loaded.labels_ == model.labels_ and loaded.provenance_ == model.provenance_
    assert loaded.get_params() == model.get_params() and list(loaded.terms_) == list(model.terms_)
    assert [p.name for p in tmp_path.iterdir()] == ["m.npz"]


class Plant:
    """Unpickling this creates a marker file: the proof that a loader executed a planted pickle."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def _truncated(path, marker):
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _foreign(path, marker):
    np.save(path.with_suffix(".tmp.npy"), np.arange(10))
    os.replace(path.with_suffix(".tmp.npy"), path)


def _planted_pickle(path, marker):
    path.write_bytes(pickle.dumps(Plant(marker)))


def _planted_pickle_in_npz(path, marker):
    with open(path, "wb") as fh:
        np.savez(fh, header=np.array([Plant(marker)], dtype=object))


def _tampered(path, marker):
    with np.load(path) as npz:
        arrays = {k: npz[k] for k in npz.files}
    arrays["model.components_"] = arrays["model.components_"] * 2
    with open(path, "wb") as fh:
        np.savez(fh, **arrays)


def _other_version(path, marker):
    with np.load(path) as npz:
        arrays = {k: npz[k] for k in npz.files}
    header = json.loads(str(arrays["header"]))
    header["version"] = 99
    arrays["header"] = np.array(json.dumps(header))
    with open(path, "wb") as fh:
        np.savez(fh, **arrays)


@pytest.mark.parametrize("damage,message", [
    (_truncated, "not a saved TopicModel"), (_foreign, "not a saved TopicModel"),
    (_planted_pickle, "not a saved TopicModel"), (_planted_pickle_in_npz, "not a saved TopicModel"),
    (_tampered, "do not match the sha256"), (_other_version, "another version"),
], ids=["truncated", "foreign-npy", "planted-pickle", "planted-pickle-in-npz", "tampered-array", "other-version"])
def test_bad_model_file_is_named_never_executed_and_recomputed(tmp_path, damage, message):
    docs, marker = tiny_docs(), tmp_path / "EXECUTED"
    first = fit_cached(tiny_model(), docs, tmp_path / "models")
    (path,) = (tmp_path / "models").glob("topics-*.npz")
    damage(path, marker)
    with pytest.raises(CacheError, match=f"{path.name}: .*{message}"):
        TopicModel.load(path)
    with pytest.warns(CacheWarning, match=f"{path.name}: .*{message}.*fitting it again"):
        again = fit_cached(tiny_model(), docs, tmp_path / "models")
    assert not marker.exists()
    np.testing.assert_array_equal(again.components_, first.components_)
    np.testing.assert_array_equal(TopicModel.load(path).components_, first.components_)  # the file was repaired
    assert sorted(p.name for p in (tmp_path / "models").iterdir()) == [path.name]


SAVE_LOAD_LOOP = """
import sys, numpy as np
sys.path.insert(0, {tests!r})
from test_bad_inputs import tiny_docs, tiny_model
from analysis.topics.model import TopicModel
docs = tiny_docs()
model = tiny_model().fit(docs)
expected = model.transform(docs)
for i in range({n}):
    model.save({path!r})
    assert np.array_equal(TopicModel.load({path!r}).transform(docs), expected)
print("ok", {n})
"""


def test_two_processes_saving_and_loading_one_model_file(tmp_path):
    path = tmp_path / "shared.npz"
    code = SAVE_LOAD_LOOP.format(tests=str(Path(__file__).parent), n=20, path=str(path))
    procs = [subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV)
             for _ in range(2)]
    results = [(p.communicate(timeout=120), p.returncode) for p in procs]
    for (out, err), code_ in results:
        assert code_ == 0 and out.decode().strip() == "ok 20", err.decode()
    assert [p.name for p in tmp_path.iterdir()] == ["shared.npz"]


KILLED_SAVE = """
import sys, time, numpy as np
sys.path.insert(0, {tests!r})
from test_bad_inputs import tiny_docs, tiny_model
model = tiny_model().fit(tiny_docs())
model.save({path!r})                     # a complete earlier version
real_savez = np.savez
def stuck_savez(fh, **arrays):           # the next save: bytes written, then the process is killed
    real_savez(fh, **arrays)
    fh.flush()
    print("mid-write", flush=True)
    time.sleep(120)
np.savez = stuck_savez
model.set_labels(["new", "labels", "here"]).save({path!r})
"""


def test_process_killed_mid_save_then_rerun(tmp_path):
    path = tmp_path / "model.npz"
    code = KILLED_SAVE.format(tests=str(Path(__file__).parent), path=str(path))
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, env=ENV)
    try:
        assert proc.stdout.readline() == b"mid-write\n"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    parts = [p for p in tmp_path.iterdir() if p.name.endswith(".part")]
    assert len(parts) == 1 and parts[0].name.startswith(f".model.npz.{proc.pid}.")  # the killed save's temp file
    assert TopicModel.load(path).labels_ != ["new", "labels", "here"]  # the earlier version, whole
    tiny_model().fit(tiny_docs()).save(path)  # the re-run: its save removes the dead process's .part
    assert [p.name for p in tmp_path.iterdir()] == ["model.npz"]
    assert TopicModel.load(path).get_params() == tiny_model().get_params()


def test_segment_cache_never_executes_a_planted_pickle(tmp_path):
    from analysis.tokens.cache import SegmentCache
    cache, marker = SegmentCache(tmp_path / "seg"), tmp_path / "EXECUTED"
    key = hashlib.sha256(b"x").hexdigest()
    cache.path(key).parent.mkdir(parents=True)
    cache.path(key).write_bytes(pickle.dumps(Plant(marker)))
    with pytest.warns(CacheWarning, match=f"{cache.path(key).name}: unreadable segment cache file"):
        assert cache.get(key) is None
    assert not marker.exists() and not cache.path(key).exists()


# ---------------------------------------------------------------- statistics inputs

@pytest.fixture
def documents():
    return pd.DataFrame({"doc_id": ["speech", "r2019", "r2020"], "collection": ["speech", "gwr", "gwr"],
                         "year": pd.array([2025, 2019, 2020], dtype="Int64"),
                         "tokens": [["改革", "法治", "法治"], ["改革", "发展"], ["发展", "稳定", "改革"]]}
                        ).assign(n_tokens=lambda d: d["tokens"].map(len))


@pytest.mark.parametrize("target,reference,message", [
    ("speech2025", None, r"target names unknown document\(s\): \['speech2025'\]"),
    (["speech", "r2019", "r2020"], None, "target cannot be all the documents"),
    ("speech", [], "reference selects no documents"),
    ("speech", ["speech", "r2019"], r"reference contains target document\(s\) \['speech'\]"),
    ("speech", np.array([True, False]), "reference mask has 2 entries for 3 documents"),
], ids=["unknown-target", "all-documents", "empty-reference", "overlap", "short-mask"])
def test_keyness_refuses_nonsensical_targets(documents, target, reference, message):
    with pytest.raises(InputError, match=message):
        keyness(documents, target, reference)


def test_keyness_counts_on_a_valid_small_case(documents):
    table = keyness(documents, "speech").set_index("term")
    assert table.loc["法治", ["n_target", "n_reference"]].tolist() == [2, 0]
    assert table.loc["改革", ["n_target", "n_reference"]].tolist() == [1, 2]


# ---------------------------------------------------------------- notebook parameter values (papermill -p ...)

@pytest.fixture
def corpus(documents):
    return SegmentedCorpus(docs=documents, paragraphs=documents, documents=documents, segmenter=None)


@pytest.mark.parametrize("years,expected", [((2019, 2020), ["r2019", "r2020"]), ([2019, 2020], ["r2019", "r2020"]),
                                            ((2020, 2020), ["r2020"])], ids=["tuple", "list-from-yaml", "one-year"])
def test_reference_years_as_a_notebook_passes_them(corpus, years, expected):
    mask = corpus.select(collection="gwr", years=years)
    assert corpus.documents.loc[mask, "doc_id"].tolist() == expected


def test_reference_years_with_no_documents(corpus):
    with pytest.raises(InputError, match=r"no documents with collection='gwr', years=\(2030, 2040\)"):
        corpus.select(collection="gwr", years=(2030, 2040))


@pytest.mark.parametrize("n_topics,message", [(1, "at least 2"), ("5", "must be an integer"), (500, "too few documents")],
                         ids=["one-topic", "string-from-cli", "more-than-documents"])
def test_topic_count_parameter(n_topics, message):
    with pytest.raises(InputError, match=message):
        TopicModel("nmf", n_topics, min_df=1, max_df=1.0).fit(tiny_docs())


def test_measure_parameter(documents):
    with pytest.raises(InputError, match="unknown measure 'G2'"):
        keyness(documents, "speech", measure="G2")


def test_every_error_is_the_package_s_own():
    for cls in (CorpusError, DecodingError, ManifestError, CacheError, InputError, FetchAllError):
        assert issubclass(cls, AnalysisError)


def test_stale_part_files_are_told_apart_from_live_and_foreign_ones(tmp_path):
    from analysis._util.atomic import remove_stale_parts
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    names = {f".data.jsonl.{dead.stdout.strip()}.k2j4.part": "removed (its process is gone)",
             ".data.jsonl.k2j4x9.part": "removed (written before pids were recorded)",
             f".data.jsonl.{os.getpid()}.k2j4.part": "kept (a live process is writing it)",
             ".data.jsonl.bak.12.k2j4.part": "kept (the temporary file of data.jsonl.bak)"}
    for name in names:
        (tmp_path / name).write_bytes(b"half")
    removed = {p.name for p in remove_stale_parts(tmp_path / "data.jsonl")}
    assert removed == {n for n, fate in names.items() if fate.startswith("removed")}
    assert {p.name for p in tmp_path.iterdir()} == {n for n, fate in names.items() if fate.startswith("kept")}


@pytest.mark.parametrize("cache", [False, True])
def test_segment_names_a_document_without_text_or_with_invalid_unicode(tmp_path, cache):
    from analysis.corpus import load_speech
    from analysis.tokens.segment import Segmenter
    speech = load_speech()
    seg = Segmenter(cache=tmp_path if cache else False)
    missing = pd.concat([speech, speech.assign(doc_id="blank2020", text=None)], ignore_index=True)
    with pytest.raises(InputError, match=r"1 document\(s\) have no text \('blank2020'\)"):
        seg.segment(missing)
    broken = pd.concat([speech, speech.assign(doc_id="escaped")], ignore_index=True).astype({"text": object})
    broken.loc[1, "text"] = "第一段\udc80。"  # as decoding with errors="surrogateescape" leaves it
    with pytest.raises(InputError, match=r"document 'escaped': its text is not valid Unicode \(surrogates not allowed "
                                         r"at character 3\)"):
        seg.segment(broken)
    with pytest.raises(InputError, match="document 'escaped': its text is not valid Unicode"):
        prepare(broken, cache=False)  # before learning terms from it
    assert not list(tmp_path.rglob("*.part"))
