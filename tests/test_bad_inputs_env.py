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
from analysis.lexicon.terms import Lexicon
from analysis.text.normalise import CONTROL, normalise, normalise_corpus, remove_control_chars
from analysis.tokens.segment import Segmenter

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

from analysis.tokens.learn import TSV_COLUMNS, learned_table, load_learned, save_learned  # noqa: E402

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
    ("term\tcategory\n新词\tmine\ta\tb\tc\td\n", r"bad.tsv: entry 1 \(line 2\) has 6 tab-separated columns"),
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


# ---------------------------------------------------------------- cache folders that cannot be written or read

import analysis.tokens.cache  # noqa: E402
from analysis.tokens.cache import SegmentCache, Segments, encode  # noqa: E402

TEXTS = ["一、总结\n坚持依法治国，推动高质量发展。", "（一）加强党的建设\n推动高质量发展，坚持依法治国。",
         "各位代表：\n全面深化改革开放，坚持新发展理念。"]


def _uncached() -> pd.DataFrame:
    return _segmenter().segment(_docs(*TEXTS))


def _segment_warning_free(folder) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return Segmenter(cache=folder).segment(_docs(*TEXTS))


def _cache_warnings(record) -> list[str]:
    return [str(w.message) for w in record if issubclass(w.category, CacheWarning)]


def test_a_file_where_the_cache_folder_should_be_gives_one_warning_and_the_same_results(tmp_path):
    folder = tmp_path / "segments"
    folder.write_bytes(b"not a folder")
    with pytest.warns(CacheWarning) as record:
        table = Segmenter(cache=folder).segment(_docs(*TEXTS))
    (message,) = _cache_warnings(record)
    assert message.startswith(f"{folder}: the segment cache folder cannot be read") and "going on without it" in message
    assert table.equals(_uncached())
    assert folder.read_bytes() == b"not a folder" and sorted(tmp_path.iterdir()) == [folder]


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS, errno.EACCES])
def test_a_full_or_read_only_cache_folder_gives_one_warning_and_the_same_results(tmp_path, monkeypatch, code):
    def failing_write(path, write, **kwargs):  # what the kernel answers on a full / read-only / forbidden folder
        raise OSError(code, os.strerror(code), str(path))

    monkeypatch.setattr(analysis.tokens.cache, "atomic_write", failing_write)
    with pytest.warns(CacheWarning) as record:
        table = Segmenter(cache=tmp_path / "segments").segment(_docs(*TEXTS))
    (message,) = _cache_warnings(record)
    assert message == (f"{tmp_path / 'segments'}: the segment cache folder cannot be written ({os.strerror(code)}); "
                       f"going on without it (same results, computed again)")
    assert table.equals(_uncached())


def test_an_entry_that_cannot_be_read_gives_one_warning_and_the_same_results(tmp_path):
    folder = tmp_path / "segments"
    first = _segment_warning_free(folder)
    entries = sorted(folder.rglob("*.seg")) + sorted(folder.rglob("*.corpus"))
    assert len(entries) == len(TEXTS) + 1
    for entry in entries:  # a folder in place of every entry: reading it fails (EISDIR) even for root
        entry.unlink()
        entry.mkdir()
    with pytest.warns(CacheWarning) as record:
        again = Segmenter(cache=folder).segment(_docs(*TEXTS))
    (message,) = _cache_warnings(record)
    assert message.startswith(f"{folder}: the segment cache folder cannot be read (Is a directory)")
    assert again.equals(first) and first.equals(_uncached())
    assert all(e.is_dir() for e in entries)  # nothing of the user's deleted


def test_a_learned_terms_cache_that_cannot_be_written_gives_one_warning_and_the_same_table(tmp_path):
    from test_phrases import toy_docs
    writable, blocked = tmp_path / "learned", tmp_path / "blocked"
    blocked.write_bytes(b"")
    expected, path = learned_table(toy_docs(), Lexicon.load(), cache_dir=writable)
    assert path.is_file() and len(expected) > 0
    with pytest.warns(CacheWarning) as record:
        table, _ = learned_table(toy_docs(), Lexicon.load(), cache_dir=blocked)
    (message,) = _cache_warnings(record)
    assert message.startswith(f"{blocked}: cannot write to the learned-terms cache folder")
    pd.testing.assert_frame_equal(table, expected)


KILLED_SEGMENTATION = """
import sys, time
import analysis.tokens.cache
from analysis.tokens.segment import Segmenter
sys.path.insert(0, {tests!r})
from test_bad_inputs_env import TEXTS, _docs
real, calls = analysis.tokens.cache.atomic_write, []
def stuck(path, write, **kwargs):       # the third entry: half its bytes written, then the process is killed
    calls.append(path)
    if len(calls) < 3:
        return real(path, write, **kwargs)
    def half(fh):
        import io
        buf = io.BytesIO(); write(buf); fh.write(buf.getvalue()[: len(buf.getvalue()) // 2]); fh.flush()
        print("mid-write", flush=True)
        time.sleep(120)
    return real(path, half, **kwargs)
analysis.tokens.cache.atomic_write = stuck
Segmenter(cache={folder!r}).segment(_docs(*TEXTS))
"""


def test_killed_during_the_first_segmentation_then_rerun(tmp_path):
    folder = tmp_path / "segments"
    code = KILLED_SEGMENTATION.format(tests=str(Path(__file__).parent), folder=str(folder))
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, env=ENV)
    try:
        assert proc.stdout.readline() == b"mid-write\n"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    parts = list(folder.rglob("*.part"))
    assert len(parts) == 1 and f".{proc.pid}." in parts[0].name and len(list(folder.rglob("*.seg"))) == 2
    rerun = _segment_warning_free(folder)  # the two whole entries are read, no warning; the third is made
    assert rerun.equals(_uncached())
    assert not list(folder.rglob("*.part")) and len(list(folder.rglob("*.seg"))) == 3
    assert _segment_warning_free(folder).equals(rerun)


# ---------------------------------------------------------------- a tampered segment-cache entry

def _one_entry(tmp_path):
    cache = SegmentCache(tmp_path / "segments")
    seg = _segmenter()
    value = Segments.from_processed(seg.process(TEXTS[0]))
    key = seg.key(TEXTS[0])
    return cache, key, value, cache.put(key, value)


def _forged(value: Segments) -> Segments:
    """The same entry with 发展 counted once more: the first token of the last paragraph repeated."""
    forged = Segments(**{**value.__dict__})
    forged.ids = value.ids.copy()
    forged.ids[-2] = forged.ids[-3]
    return forged


def test_a_forged_entry_without_the_key_is_named_and_recomputed(tmp_path):
    folder = tmp_path / "segments"
    first = _segment_warning_free(folder)
    seg = _segmenter()
    entry = SegmentCache(folder).path(seg.key(TEXTS[0]))
    value = analysis.tokens.cache.decode(entry.read_bytes(), seg.key(TEXTS[0]), SegmentCache(folder).secret)
    for corpus in folder.glob("corpora/*.corpus"):
        corpus.unlink()  # so that the document entries are read
    entry.write_bytes(encode(_forged(value), seg.key(TEXTS[0])))  # valid in every way but the HMAC
    with pytest.warns(CacheWarning, match=rf"{entry.name}: unreadable segment cache file \(ValueError: its HMAC "
                                          r"does not verify"):
        again = Segmenter(cache=folder).segment(_docs(*TEXTS))
    assert again.equals(first)
    assert _segment_warning_free(folder).equals(first)  # rewritten


@pytest.mark.parametrize("damage", ["flip_a_byte", "truncate", "append"])
def test_damaged_entries_are_named_and_recomputed(tmp_path, damage):
    cache, key, value, path = _one_entry(tmp_path)
    data = bytearray(path.read_bytes())
    if damage == "flip_a_byte":
        data[len(data) // 2] ^= 1
    elif damage == "truncate":
        data = data[:-1]
    else:
        data += b"\0"
    path.write_bytes(bytes(data))
    with pytest.warns(CacheWarning, match=rf"{path.name}: unreadable segment cache file"):
        assert SegmentCache(cache.folder).get(key) is None
    assert not path.exists()


def test_what_the_key_does_and_does_not_protect(tmp_path):
    cache, key, value, path = _one_entry(tmp_path)
    keyfile = cache.folder / ".key"
    assert len(keyfile.read_bytes()) == 32 and keyfile.stat().st_mode & 0o777 == 0o600
    assert SegmentCache(cache.folder).get(key).streams() == value.streams()
    other = SegmentCache(tmp_path / "other")
    other.put(key, value)
    assert other.secret != cache.secret  # each folder its own key: another folder's entry does not verify
    # Not protected: whoever can read the key (the same user) can forge an entry that is accepted.
    path.write_bytes(encode(_forged(value), key, keyfile.read_bytes()))
    assert SegmentCache(cache.folder).get(key).streams() != value.streams()


def test_an_entry_of_the_earlier_format_is_simply_not_found_then_overwritten(tmp_path):
    cache, key, value, path = _one_entry(tmp_path)
    path.write_bytes(b"ANSEG4\n" + path.read_bytes()[len(b"ANSEG5\n"):])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert cache.get(key) is None
        cache.put(key, value)
        assert cache.get(key).streams() == value.streams()


def test_two_caches_made_at_once_agree_on_one_key(tmp_path):
    code = ("import sys; from analysis.tokens.cache import SegmentCache; "
            "sys.stdout.write(SegmentCache(sys.argv[1]).secret.hex())")
    procs = [subprocess.Popen([sys.executable, "-c", code, str(tmp_path / "segments")], stdout=subprocess.PIPE,
                              env=ENV) for _ in range(4)]
    keys = {p.communicate(timeout=60)[0] for p in procs}
    assert len(keys) == 1 and bytes.fromhex(keys.pop().decode()) == (tmp_path / "segments" / ".key").read_bytes()
    assert [p.name for p in (tmp_path / "segments").iterdir()] == [".key"]


@pytest.mark.parametrize("header", ["term\tkeep\tkeep\tscore", "term\tkeep\tscore\tscore", "term\tkeep\tterm"])
def test_a_learned_terms_table_with_a_repeated_column_is_named(tmp_path, header):
    """Found by the fuzzer: a header naming a column twice (a spreadsheet's copy-paste) was a pandas traceback."""
    from analysis.tokens.learn import load_learned
    path = tmp_path / "learned.tsv"
    path.write_text(header + "\n" + "\t".join(["发展"] + ["yes"] * (header.count("\t"))) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"learned.tsv, line 1: column\(s\) .* appear more than once"):
        load_learned(path)
