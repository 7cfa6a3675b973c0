"""Bad input at the door and faults of the environment (issue 17, items 3, 4, 8).

Sections: control and format characters in texts · user-editable TSV files in any encoding a
spreadsheet saves · cache folders that cannot be written or read · a tampered segment-cache entry.
"""

from __future__ import annotations

import codecs
import errno
import os
import signal
import subprocess
import sys
import unicodedata
import warnings
from functools import lru_cache
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.corpus import decode_bytes, read_text
from analysis.errors import CacheWarning, CorpusError, DecodingError, InputError
from analysis.lexicon import Lexicon
from analysis.preprocessing import CONTROL, normalise, normalise_corpus, remove_control_chars
from analysis.segment import Segmenter

ENV = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}
HYGIENE = ("Cc", "Cf", "Zl", "Zp")


# ---------------------------------------------------------------- control and format characters

PLANTED = ("发展\x1f是第一要务，\x00坚持\x0b发展\u2028不动摇。\x0c"
           "高质量\u00ad发展\x85\u200e\u202a\u202e\u2066\u2069\ufeff。\u2029\x7f\x9f\u200b")
CLEAN = "发展是第一要务，坚持\n发展\n不动摇。\n高质量发展\n。\n"  # by hand: 17 characters out, 5 line ends


def test_the_control_class_is_every_cc_cf_zl_zp_character():
    import re
    pattern = re.compile(f"[{CONTROL}]")
    chars = [chr(c) for c in range(sys.maxunicode + 1)]
    wanted = {c for c in chars if unicodedata.category(c) in HYGIENE} - set("\n\r\t")
    assert {c for c in chars if pattern.fullmatch(c)} == wanted


def test_control_characters_are_removed_or_made_line_ends_and_counted():
    text, n = remove_control_chars("a\tb\x1fc\u2028d\x0be\u00adf\r\n")
    assert (text, n) == ("a bc\nd\nef\r\n", 4)  # the tab is a space, \r\n stays a line end: neither counted
    norm = normalise(PLANTED)
    assert norm.text == normalise(CLEAN).text == "发展是第一要务，坚持发展不动摇。高质量发展。"
    assert norm.control_chars == 17 and normalise(CLEAN).control_chars == 0
    table = normalise_corpus(pd.DataFrame({"text": [PLANTED, "发展。"]}))
    assert table["control_chars"].tolist() == [norm.control_chars, 0]


def test_planted_separators_do_not_change_tokens_or_counts():
    seg = _segmenter()
    planted = _docs(PLANTED).pipe(seg.segment)
    assert planted["stream"].tolist() == _docs(CLEAN).pipe(seg.segment)["stream"].tolist()
    assert planted["stream"].tolist() == [["发展", "是", "第一", "要务", "，", "坚持", "发展", "不", "动摇", "。",
                                           "高质量发展", "。"]]  # by hand: nothing shifted, the final 。 kept


def test_cli_count_equals_a_hand_count_with_planted_separators(tmp_path):
    path = tmp_path / "planted.txt"
    path.write_text(PLANTED.replace("\x00", ""), encoding="utf-8")  # a NUL is refused by the decoder
    for source, stdin in ((str(path), None), ("-", path.read_bytes())):
        out = subprocess.run([sys.executable, "-m", "analysis", "count", source, "发展", "不动摇", "--no-learn"],
                             input=stdin, capture_output=True, env=ENV, timeout=120)
        assert out.returncode == 0, out.stderr.decode()
        assert out.stdout.decode().splitlines() == ["term,count", "发展,3", "不动摇,1"]


@lru_cache(maxsize=1)
def _segmenter() -> Segmenter:
    return Segmenter(cache=False)


def _docs(*texts: str) -> pd.DataFrame:
    return pd.DataFrame({"doc_id": [f"d{i}" for i in range(len(texts))], "collection": "mine", "year": 2025,
                         "title": "", "source": "", "text": list(texts)})


ANY_CHAR = st.characters(blacklist_categories=("Cs",))  # lone surrogates are refused before segmentation
HOSTILE = st.sampled_from([chr(c) for c in range(sys.maxunicode + 1)
                           if unicodedata.category(chr(c)) in (*HYGIENE, "Zs")])


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.one_of(ANY_CHAR, HOSTILE, st.sampled_from(list("发展中国，。\n"))), max_size=80))
def test_no_token_holds_a_control_format_or_separator_character(text):
    table = _segmenter().segment(_docs(text))
    for stream, tokens in zip(table["stream"], table["tokens"]):
        for token in stream:
            cats = {unicodedata.category(c) for c in token}
            assert not cats & set(HYGIENE), repr(token)
            assert "Zs" not in cats or cats == {"Zs"}, repr(token)  # a space is a token of its own
        for token in tokens:
            assert not {unicodedata.category(c) for c in token} & {*HYGIENE, "Zs"}, repr(token)
