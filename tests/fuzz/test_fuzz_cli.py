"""Fuzzing the commands that read a file: each exits 0, or 2 with one line ``error: ...`` (see fuzzlib).

In this process (``analysis.cli.main``) for volume, plus a few real subprocess runs."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings

import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis import config
from analysis.corpus import load_corpus
from analysis.errors import AnalysisError

from fuzzlib import (ROOT_SRC, build_folder, check_cli, csv_bytes, examples, file_bytes, folder_specs,
                     jsonl_bytes, learned_bytes, lexicon_bytes, run_cli, sandbox, texts, watched)

pytestmark = pytest.mark.fuzz

PARAGRAPHS = st.lists(texts, min_size=0, max_size=5).map(lambda ps: "\n\n".join(ps))
ENCODING_OPT = st.one_of(st.just([]), st.just([]), st.sampled_from(["utf-8", "gbk", "gb18030", "big5", "utf-16",
                                                                      "latin-1", "nonsense", "", "rot13"]).map(lambda e: ["--encoding", e]))
TEXT_OPTIONS = st.tuples(ENCODING_OPT, st.sampled_from([[], ["--backend", "jieba"]]),
                         st.sampled_from([["--no-learn"], ["--no-learn"], []]))
CORPORA = st.one_of(
    st.tuples(st.just("mine.jsonl"), jsonl_bytes()),
    st.tuples(st.sampled_from(["mine.csv", "MINE.CSV"]), csv_bytes()),
    st.tuples(st.just("folder"), folder_specs()),
    st.tuples(st.sampled_from(["mine.txt", "mine.json", "missing.jsonl"]), file_bytes(texts)),
)


def _text_file(case, data: bytes, where: str) -> str:
    """The FILE argument: a file (odd names too), a folder, a missing file or ``-`` (standard input)."""
    if where == "-":
        return "-"
    if where == "folder":
        return str(case.inp)
    path = case.inp / where
    if where != "missing.txt":
        path.write_bytes(data)
    return str(path) if not where.startswith("-") else where  # a leading dash: argparse sees an option


def _corpus(case, name: str, payload) -> str:
    if name == "folder":
        return str(build_folder(case, payload)[0])
    path = case.inp / name
    if name != "missing.jsonl":
        path.write_bytes(payload)
    return str(path)


def _lexicon_opts(case, lexicons) -> list[str]:
    argv = []
    for i, data in enumerate(lexicons):
        path = case.inp / f"lex_{i}.tsv"
        path.write_bytes(data)
        argv += ["--lexicon", str(path)]
    return argv


FILE_WHERE = st.sampled_from(["a_2020.txt"] * 5 + ["报告 全文.TXT", "-", "folder", "missing.txt", "-dash.txt"])
TEXT_BYTES = file_bytes(PARAGRAPHS)


@examples(0.03)
@given(data=TEXT_BYTES, where=FILE_WHERE, options=TEXT_OPTIONS, lexicons=st.lists(lexicon_bytes(), max_size=1),
       stopwords=st.sampled_from([[], ["--stopwords", "genre"]]), planted=st.one_of(st.none(), learned_bytes()))
def test_cli_segment(base, data, where, options, lexicons, stopwords, planted):
    """``planted``: a learned-terms table (edited by hand, or damaged) already in the cache folder,
    which learning reads for the researcher's vetoes."""
    with sandbox(base) as case:
        if planted is not None:
            (config.CACHE_DIR / "learned").mkdir(parents=True)
            (config.CACHE_DIR / "learned" / "learned_0000000000000000.tsv").write_bytes(planted)
        argv = ["segment", _text_file(case, data, where), *sum(options, []), *_lexicon_opts(case, lexicons), *stopwords]
        with watched(case):
            result = run_cli(argv, stdin=data)
        check_cli(*result)


@examples(0.03)
@given(data=TEXT_BYTES, where=FILE_WHERE, options=TEXT_OPTIONS,
       terms=st.lists(st.one_of(texts, st.sampled_from(["党的领导", "依法治国", " ", "-x", "--no-nested"])), min_size=1,
                      max_size=3),
       nested=st.sampled_from([[], ["--no-nested"]]))
def test_cli_count(base, data, where, options, terms, nested):
    with sandbox(base) as case:
        argv = ["count", _text_file(case, data, where), *terms, *sum(options, []), *nested]
        with watched(case):
            result = run_cli(argv, stdin=data)
        check_cli(*result)


@examples(0.03)
@given(corpus=CORPORA)
def test_cli_corpus_info(base, corpus):
    with sandbox(base) as case:
        argv = ["corpus", "info", _corpus(case, *corpus)]
        with watched(case):
            result = run_cli(argv)
        check_cli(*result)


@examples(0.015)
@given(corpus=CORPORA, years=st.sampled_from([[], ["--years", "2015-2025"], ["--years", "2020"], ["--years", "3000"]]),
       collection=st.sampled_from([[], ["--collection", "mine"], ["--collection", "nothing"]]))
def test_cli_lexicon_check(base, corpus, years, collection):
    with sandbox(base) as case:
        argv = ["lexicon", "check", _corpus(case, *corpus), *years, *collection]
        with watched(case):
            result = run_cli(argv)
        check_cli(*result)


@examples(0.015)
@given(corpus=CORPORA, fields=st.tuples(
           st.sampled_from([[], ["--text-field", "本文"], ["--text-field", "year"]]),
           st.sampled_from([[], ["--year-field", "title"]]), st.sampled_from([[], ["--collection", "c"]])),
       lexicons=st.lists(lexicon_bytes(), max_size=1), existing=st.sampled_from(["none", "user folder", "index twice"]),
       target=st.one_of(st.sampled_from(["a", "b", "doc0001", "mine", "nothing"]), texts),
       reference=st.tuples(st.sampled_from([[], ["--years", "2015-2025"], ["--years", "x"]]),
                           st.sampled_from([[], ["--collection", "mine"]]),
                           st.sampled_from([[], ["--measure", "chi2"]])))
def test_cli_index_then_keyness(base, corpus, fields, lexicons, existing, target, reference):
    with sandbox(base) as case:
        store = case.out / "store"
        if existing == "user folder":  # a folder of the user's, not a store: --overwrite must not delete it
            store.mkdir()
            (store / "keep.txt").write_text("用户的文件", encoding="utf-8")
        path = _corpus(case, *corpus)
        argv = ["index", path, "--out", str(store), "--jobs", "1", "--quiet", *sum(fields, []),
                *_lexicon_opts(case, lexicons)]
        if existing == "user folder":
            argv.append("--overwrite")
        with watched(case):
            result = run_cli(argv)
            check_cli(*result)
            if result[0] == 0 and existing != "user folder":  # index accepts only what the loaders accept
                options = {k: v for k, v in zip(("text", "year", "collection"), [f[1] if f else None for f in fields])
                           if v is not None}
                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        load_corpus(path, **options)
                except AnalysisError as exc:  # an empty corpus makes an empty store: said, not silent
                    assert "no documents found" in str(exc), f"analysis index accepted a corpus load_corpus rejects: {exc}"
            if existing == "index twice" and result[0] == 0:
                check_cli(*run_cli(argv))
            result = run_cli(["keyness", str(store), "--target", target, "--out", str(case.out / "key.csv"),
                              *sum(reference, [])])
            check_cli(*result)
        if existing == "user folder":
            assert (store / "keep.txt").read_text(encoding="utf-8") == "用户的文件", "index deleted a user's file"


COMMANDS = st.sampled_from([["segment", "{file}"], ["count", "{file}", "党"], ["corpus", "info", "{corpus}"],
                            ["lexicon", "check", "{corpus}"], ["index", "{corpus}", "--out", "{out}", "--quiet"]])


@examples(0.002)
@given(command=COMMANDS, data=TEXT_BYTES, corpus=CORPORA)
def test_cli_subprocess(base, command, data, corpus):
    """A few real runs of ``python -m analysis``: the same property, for the real process (its
    stderr, exit status and encoding of output)."""
    with sandbox(base) as case:
        path = case.inp / "doc_2020.txt"
        path.write_bytes(data)
        values = {"file": str(path), "corpus": _corpus(case, *corpus), "out": str(case.out / "store")}
        argv = [part.format(**values) for part in command]
        env = {**os.environ, "PYTHONPATH": str(ROOT_SRC), "ANALYSIS_CACHE_DIR": str(case.out / "cache")}
        proc = subprocess.run([sys.executable, "-m", "analysis", *argv], cwd=case.root, env=env,
                              capture_output=True, stdin=subprocess.DEVNULL, timeout=120)
        check_cli(proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace"))
