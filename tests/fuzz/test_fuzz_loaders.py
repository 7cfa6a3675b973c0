"""Fuzzing the loaders: every generated input loads or raises the package's own error (see fuzzlib)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.corpus import decode_bytes, load_corpus, load_csv, load_folder, load_jsonl, load_manifest, read_text
from analysis.corpus.decode import decode_file
from analysis.tokens.learn import load_learned
from analysis.lexicon.terms import Lexicon

from fuzzlib import (ENCODINGS, call_api, check_texts, csv_bytes, examples, file_bytes, folder_specs, build_folder,
                     jsonl_bytes, learned_bytes, lexicon_bytes, manifest_bytes, sandbox, texts, watched)

pytestmark = pytest.mark.fuzz
# Odd encoding names for the decoding functions; the loaders get real ones, so that a bug of the names
# (reported by test_decode_bytes and test_read_text) does not hide the loaders' own.
ENCODING_ARG = st.one_of(st.none(), st.none(), st.sampled_from(ENCODINGS + ["big5hkscs", "ascii", "nonsense", "",
                                                                            "utf-32", "rot13", "base64", "hex"]))
LOADER_ENCODING = st.one_of(st.none(), st.none(), st.sampled_from(ENCODINGS + ["ascii", "nonsense"]))


@examples(0.18)
@given(data=file_bytes(texts), encoding=ENCODING_ARG)
def test_decode_bytes(data, encoding):
    result = call_api(decode_bytes, data, "fuzz.txt", encoding)
    if result is not None:
        text, enc = result
        assert isinstance(text, str) and isinstance(enc, str)
        assert "\r" not in text
        check_texts([text], [data])


@examples(0.06)
@given(data=file_bytes(texts), encoding=ENCODING_ARG, name=st.sampled_from(["a.txt", "报告 2020.txt", "-x.txt", ".h"]))
def test_read_text(base, data, encoding, name):
    with sandbox(base) as case:
        path = case.inp / name
        path.write_bytes(data)
        with watched(case):
            text = call_api(read_text, path, encoding)
            both = call_api(decode_file, path, encoding)
        assert (text is None) == (both is None)
        if text is not None:
            assert text == both[0]
            check_texts([text], [data])


def _check_docs(docs, inputs):
    if docs is not None:
        assert len(docs) > 0
        assert docs["doc_id"].is_unique
        check_texts(docs["text"].tolist() + docs["title"].tolist(), inputs)


@examples(0.15)
@given(data=jsonl_bytes(), encoding=LOADER_ENCODING, options=st.fixed_dictionaries({}, optional={
    "text": st.sampled_from(["text", "本文", "year"]), "year": st.sampled_from(["year", None, "text"]),
    "doc_id": st.sampled_from(["doc_id", None, "title"]), "title": st.sampled_from(["title", None])}))
def test_load_jsonl(base, data, encoding, options):
    with sandbox(base) as case:
        path = case.inp / "mine.jsonl"
        path.write_bytes(data)
        with watched(case):
            docs = call_api(load_jsonl, path, encoding=encoding, **options)
            via_corpus = call_api(load_corpus, path, encoding=encoding, **options)
        _check_docs(docs, [data])
        assert (docs is None) == (via_corpus is None)
        if docs is not None:  # one document per line that is not blank: nothing dropped
            lines = decode_bytes(data, "mine.jsonl", encoding)[0].split("\n")
            assert len(docs) == sum(1 for line in lines if line.strip())


@examples(0.15)
@given(data=csv_bytes(), encoding=LOADER_ENCODING, options=st.fixed_dictionaries({}, optional={
    "text": st.sampled_from(["text", "本文", "year"]), "year": st.sampled_from(["year", None, "text"]),
    "doc_id": st.sampled_from(["doc_id", None, "title"])}), suffix=st.sampled_from([".csv", ".CSV"]))
def test_load_csv(base, data, encoding, options, suffix):
    with sandbox(base) as case:
        path = case.inp / f"mine{suffix}"
        path.write_bytes(data)
        with watched(case):
            docs = call_api(load_csv, path, encoding=encoding, **options)
            via_corpus = call_api(load_corpus, path, encoding=encoding, **options)
        _check_docs(docs, [data])
        assert (docs is None) == (via_corpus is None)


@examples(0.10)
@given(entries=folder_specs(), encoding=st.one_of(st.none(), st.sampled_from(["utf-8", "gb18030", "big5"])))
def test_load_folder(base, entries, encoding):
    with sandbox(base) as case:
        folder, contents = build_folder(case, entries)
        with watched(case):
            docs = call_api(load_folder, folder, encoding=encoding)
            via_corpus = call_api(load_corpus, folder, encoding=encoding)
        _check_docs(docs, contents)
        assert (docs is None) == (via_corpus is None)
        if docs is not None:
            outside = str(case.outside)
            assert not any("外面的文件" in t for t in docs["text"]), f"read a file outside the folder ({outside})"


@examples(0.08)
@given(files=st.lists(lexicon_bytes(), min_size=1, max_size=2), builtin=st.booleans())
def test_lexicon_load(base, files, builtin):
    with sandbox(base) as case:
        paths = []
        for i, data in enumerate(files):
            paths.append(case.inp / f"terms_{i}.tsv")
            paths[-1].write_bytes(data)
        with watched(case):
            lex = call_api(Lexicon.load, extra=paths, builtin=builtin)
        if lex is not None:
            terms = list(lex.table["term"])
            assert all(isinstance(t, str) and t and t == t.strip() for t in terms)
            check_texts(terms, files)


@examples(0.08)
@given(data=learned_bytes(), veto=st.one_of(st.none(), lexicon_bytes()))
def test_load_learned(base, data, veto):
    with sandbox(base) as case:
        path = case.inp / "learned_0123456789abcdef.tsv"
        path.write_bytes(data)
        veto_path = None
        if veto is not None:
            veto_path = case.inp / "veto.txt"
            veto_path.write_bytes(veto)
        with watched(case):
            table = call_api(load_learned, path, veto=veto_path)
        if table is not None:
            assert set(table["keep"]) <= {"yes", "no"}
            check_texts(table["term"].astype(str).tolist(), [data])


@examples(0.08)
@given(data=manifest_bytes())
def test_load_manifest(base, data):
    with sandbox(base) as case:
        path = case.inp / "reference.json"
        path.write_bytes(data)
        with watched(case):
            resources = call_api(load_manifest, path)
        if resources is not None:
            for name, res in resources.items():
                assert res.name == name
                assert res.filename and "/" not in res.filename and not res.filename.startswith(".")
                assert all(isinstance(getattr(res, f), str) for f in ("filename", "url", "sha256", "title",
                                                                         "licence", "format"))
