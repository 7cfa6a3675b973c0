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


# ---------------------------------------------------------------- user-editable TSV files, as a spreadsheet saves them

from analysis.learn import TSV_COLUMNS, learned_table, load_learned, save_learned  # noqa: E402

SPREADSHEET_ENCODINGS = {
    "utf-8": lambda t: t.encode("utf-8"),
    "utf-8-bom": lambda t: codecs.BOM_UTF8 + t.encode("utf-8"),
    "utf-16-le-bom": lambda t: codecs.BOM_UTF16_LE + t.encode("utf-16-le"),
    "utf-16-be-bom": lambda t: codecs.BOM_UTF16_BE + t.encode("utf-16-be"),
    "utf-32-le-bom": lambda t: codecs.BOM_UTF32_LE + t.encode("utf-32-le"),
    "gb18030": lambda t: t.encode("gb18030"),
}


def _learned(tmp_path) -> Path:
    table = pd.DataFrame({"term": ["减税降费", "安全生产", "稳外贸"], "count": [12, 9, 7], "n_docs": [3, 2, 2],
                          "pmi": [9.5, 7.25, 6.125], "tokens": ["减税 降费", "安全 生产", "稳 外贸"],
                          "example": ["实施减税降费政策", '他说"安全生产"', "稳外贸稳外资"]})
    return save_learned(table, tmp_path / "learned.tsv", params={"min_count": 5})


def _as_spreadsheet(text: str) -> str:
    """What a spreadsheet saves: CRLF, every field of a row quoted, a trailing empty column on each row."""
    rows = []
    for line in text.split("\n"):
        if not line or line.startswith("#"):
            rows.append(line)
            continue
        import csv
        import io
        (fields,) = csv.reader(io.StringIO(line), delimiter="\t")
        rows.append("\t".join('"' + f.replace('"', '""') + '"' for f in fields) + "\t")
    return "\r\n".join(rows)


@pytest.mark.parametrize("encoding", SPREADSHEET_ENCODINGS)
def test_learned_terms_tsv_re_saved_by_a_spreadsheet_reads_back(tmp_path, encoding):
    path = _learned(tmp_path)
    expected = load_learned(path)
    assert expected["example"].tolist()[1] == '他说"安全生产"'  # a quoted field, unquoted on reading
    edited = _as_spreadsheet(path.read_text(encoding="utf-8").replace("稳外贸\tyes", "稳外贸\tno"))
    path.write_bytes(SPREADSHEET_ENCODINGS[encoding](edited))
    back = load_learned(path)
    assert back["keep"].tolist() == ["yes", "yes", "no"]
    pd.testing.assert_frame_equal(back.drop(columns="keep"), expected.drop(columns="keep"))


@pytest.mark.parametrize("encoding", SPREADSHEET_ENCODINGS)
def test_lexicon_tsv_in_any_encoding_a_spreadsheet_saves(tmp_path, encoding):
    text = '# my terms\r\nterm\tcategory\tmembers\tnote\t\r\n新质生产力\teconomy\t\t"a ""new"" term"\t\r\n揭榜挂帅\t\t\t\r\n'
    path = tmp_path / "mine.tsv"
    path.write_bytes(SPREADSHEET_ENCODINGS[encoding](text))
    table = Lexicon.read(path).table
    assert table[["term", "category", "note"]].values.tolist() == [["新质生产力", "economy", 'a "new" term'],
                                                                   ["揭榜挂帅", "user", ""]]
    assert "新质生产力" in Lexicon.load(extra=[path])


@pytest.mark.parametrize("content,message", [
    ("# only comments\n", r"learned.tsv: no header line"),
    ("term\tcount\n新词\t3\n", r"learned.tsv, line 1: missing column\(s\) keep"),
    ("# c\nterm\tkeep\n新词\tyes\n旧词\tyes\textra\n", r"learned.tsv: line\(s\) \[4\] of the table have more than"),
    ("# c\nterm\tkeep\n新词\tyes\n\n旧词\tmaybe\n", r"learned.tsv: column keep must be yes or no, found \['maybe'\] on line\(s\) \[5\]"),
    ("term\tkeep\n旧词\t\n", r"learned.tsv: column keep must be yes or no, found \[''\] on line\(s\) \[2\]"),
])
def test_malformed_learned_terms_tsv_names_file_and_line(tmp_path, content, message):
    path = tmp_path / "learned.tsv"
    path.write_bytes(content.replace("\n", "\r\n").encode("utf-16"))
    with pytest.raises(InputError, match=message):
        load_learned(path)


@pytest.mark.parametrize("content,message", [
    ("term\tcategory\n新词\tmine\ta\tb\tc\n", r"bad.tsv: entry 1 \(line 2\) has 5 tab-separated columns"),
    ("# c\n新词\n\n两个 确立\tnumbered\n", r"bad.tsv: entry 2 \(line 4\) has an empty term or whitespace"),
])
def test_malformed_lexicon_tsv_names_file_entry_and_line(tmp_path, content, message):
    path = tmp_path / "bad.tsv"
    path.write_bytes(codecs.BOM_UTF8 + content.encode("utf-8"))
    with pytest.raises(InputError, match=message):
        Lexicon.read(path)


def test_a_tsv_in_utf16_without_bom_is_refused_naming_the_file(tmp_path):
    path = tmp_path / "learned.tsv"
    path.write_bytes("term\tkeep\n新词\tyes\n".encode("utf-16-le"))
    for read in (load_learned, Lexicon.read):
        with pytest.raises(DecodingError, match="learned.tsv: "):
            read(path)


def test_cli_reads_a_utf16_lexicon_and_names_a_bad_one(tmp_path):
    text, lexicon = tmp_path / "t.txt", tmp_path / "lex.tsv"
    text.write_text("坚持新质生产力。发展新质生产力。", encoding="utf-8")
    lexicon.write_bytes("term\r\n新质生产力\r\n".encode("utf-16"))
    run = [sys.executable, "-m", "analysis", "count", str(text), "新质生产力", "--no-learn", "--lexicon", str(lexicon)]
    out = subprocess.run(run, capture_output=True, env=ENV, timeout=120)
    assert out.returncode == 0 and out.stdout.decode().splitlines() == ["term,count", "新质生产力,2"], out.stderr
    lexicon.write_bytes("term\r\n新质 生产力\r\n".encode("utf-16"))
    out = subprocess.run(run, capture_output=True, env=ENV, timeout=120)
    err = out.stderr.decode()
    assert out.returncode == 2 and "Traceback" not in err
    assert err.strip().splitlines() == [f"error: {lexicon}: entry 1 (line 2) has an empty term or whitespace inside "
                                        f"it: '新质 生产力'"]
