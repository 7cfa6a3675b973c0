"""One reader per format: ``load_corpus`` and ``analysis index`` read a user's corpus through the same
readers and checks (the same documents, or the same error), and a folder's loader drops nothing
silently (real files in tmp_path, real jieba, the real command line)."""

from __future__ import annotations

import codecs
import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from analysis.corpus import document_texts, iter_corpus, load_corpus, load_folder, read_text
from analysis.errors import CorpusError, CorpusWarning, InputError
from analysis.tokens.segment import Segmenter
from analysis.store import index

TEXT = "坚持以习近平新时代中国特色社会主义思想为指导，全面贯彻党的二十大精神。"
OTHER = "深化改革开放，推动高质量发展。"


def jsonl(*rows) -> str:
    return "".join((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in rows)


def quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CorpusWarning)
        return fn(*args, **kwargs)


# Each case: the corpus path (relative to tmp_path) and its files as {relative path: bytes}.
GOOD = {"doc_id": "a", "year": 2020, "title": "甲", "text": TEXT}
CASES = {
    "year-negative": ("c.jsonl", {"c.jsonl": jsonl(GOOD, {"text": OTHER, "year": -5}).encode()}),
    "year-3000": ("c.jsonl", {"c.jsonl": jsonl({"text": TEXT, "year": 3000}).encode()}),
    "year-minus-300-csv": ("c.csv", {"c.csv": f"doc_id,year,text\na,-300,{TEXT}\n".encode()}),
    "year-with-suffix": ("c.jsonl", {"c.jsonl": jsonl(GOOD, {"doc_id": "b", "text": OTHER, "year": "2020年"}).encode()}),
    "year-fraction": ("c.jsonl", {"c.jsonl": jsonl({"text": TEXT, "year": 2020.7}).encode()}),
    "year-whole-float-and-string": ("c.jsonl", {"c.jsonl": jsonl({"text": TEXT, "year": 2021.0},
                                                                  {"text": OTHER, "year": " 2022 "}).encode()}),
    "text-is-a-list": ("c.jsonl", {"c.jsonl": jsonl({"text": [TEXT], "year": 2020}).encode()}),
    "line-is-a-number": ("c.jsonl", {"c.jsonl": jsonl(GOOD, "123").encode()}),
    "not-json": ("c.jsonl", {"c.jsonl": jsonl(GOOD, "{\"text\": ").encode()}),
    "utf8-bom": ("c.jsonl", {"c.jsonl": codecs.BOM_UTF8 + jsonl(GOOD, {"doc_id": "b", "text": OTHER}).encode()}),
    "cr-only": ("c.jsonl", {"c.jsonl": jsonl(GOOD, {"doc_id": "b", "text": OTHER, "year": 2021}).replace("\n", "\r").encode()}),
    "crlf-and-blank-lines": ("c.jsonl", {"c.jsonl": ("\r\n\r\n" + jsonl(GOOD, {"doc_id": "b", "text": OTHER})
                                                     .replace("\n", "\r\n") + "  \n").encode()}),
    "gb18030": ("c.jsonl", {"c.jsonl": jsonl(GOOD, {"doc_id": "b", "text": OTHER}).encode("gb18030")}),
    "utf16-bom": ("c.jsonl", {"c.jsonl": jsonl(GOOD, {"doc_id": "b", "text": OTHER}).encode("utf-16")}),
    "not-utf8-nor-chinese": ("c.jsonl", {"c.jsonl": b'{"text": "\xff\xfe\xfd\x80"}\n'}),
    "null-text": ("c.jsonl", {"c.jsonl": jsonl({"doc_id": "a", "text": None, "year": 2020}, GOOD | {"doc_id": "b"}).encode()}),
    "no-text-field": ("c.jsonl", {"c.jsonl": jsonl(GOOD, {"body": TEXT}).encode()}),
    "repeated-ids": ("c.jsonl", {"c.jsonl": jsonl(GOOD, {"doc_id": "b", "text": OTHER}, GOOD | {"text": OTHER},
                                                  {"doc_id": "b", "text": "三"}).encode()}),
    "empty-collection-and-number-title": ("c.jsonl", {"c.jsonl": jsonl(GOOD | {"collection": "", "title": 7}).encode()}),
    "empty-file": ("c.jsonl", {"c.jsonl": b"\n\n"}),
    "csv-good": ("c.csv", {"c.csv": f"doc_id,year,title,text\na,2020,甲,{TEXT}\nb,,乙,\"{OTHER}\n第二行\"\n".encode()}),
    "csv-repeated-ids": ("c.csv", {"c.csv": f"doc_id,text\na,{TEXT}\na,{OTHER}\n".encode()}),
    "folder-good": ("f", {"f/a_2020.txt": TEXT.encode(), "f/b.TXT": codecs.BOM_UTF8 + OTHER.encode(),
                          "f/c_2021.txt": (TEXT + "\r\n" + OTHER).encode("gb18030")}),
    "folder-metadata": ("f", {"f/a.txt": TEXT.encode(), "f/b_2019.txt": OTHER.encode(),
                              "f/metadata.csv": "filename,doc_id,year,title\na.txt,first,2018,甲\n".encode()}),
    "folder-metadata-bad-year": ("f", {"f/a.txt": TEXT.encode(),
                                       "f/metadata.csv": "filename,year\na.txt,2020.7\n".encode()}),
    "folder-metadata-repeated-id": ("f", {"f/a.txt": TEXT.encode(), "f/b.txt": OTHER.encode(),
                                          "f/metadata.csv": "filename,doc_id\na.txt,b\n".encode()}),
    "folder-empty": ("f", {"f/notes.md": b"# notes"}),
}


@pytest.fixture(scope="module")
def seg():
    return Segmenter(cache=False)


def make(tmp_path: Path, files: dict[str, bytes]) -> None:
    for name, data in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(data)


@pytest.mark.parametrize("case", list(CASES))
def test_load_corpus_and_index_accept_and_refuse_the_same_inputs(tmp_path, seg, case):
    corpus, files = CASES[case]
    make(tmp_path, files)
    path = tmp_path / corpus
    try:
        expected = quiet(load_corpus, path)
    except CorpusError as exc:
        with pytest.raises(CorpusError) as caught:
            quiet(index, path, tmp_path / "store", segmenter=seg, n_jobs=1, progress=False)
        assert str(caught.value) == str(exc)
        return
    store = quiet(index, path, tmp_path / "store", segmenter=seg, n_jobs=1, progress=False).store
    docs = store.documents()
    assert docs["doc_id"].tolist() == expected["doc_id"].tolist()
    assert docs["collection"].tolist() == expected["collection"].tolist()
    assert docs["title"].tolist() == expected["title"].tolist()
    assert docs["year"].astype("Int64").tolist() == expected["year"].tolist()
    # the store keeps no text, but its key is the sha256 of the text the worker read again
    assert docs["key"].tolist() == [seg.key(t) for t in expected["text"]]
    assert docs["n_chars"].tolist() == expected["text"].str.len().tolist()


def test_the_battery_holds_both_outcomes(tmp_path):
    """The cases above are not all accepted or all refused: each side of the comparison is exercised."""
    outcomes = {}
    for case, (corpus, files) in CASES.items():
        make(tmp_path / case, files)
        try:
            quiet(load_corpus, tmp_path / case / corpus)
            outcomes[case] = "ok"
        except CorpusError as exc:
            outcomes[case] = str(exc)
    assert outcomes["utf8-bom"] == outcomes["cr-only"] == outcomes["gb18030"] == outcomes["utf16-bom"] == "ok"
    assert outcomes["folder-good"] == outcomes["null-text"] == outcomes["csv-good"] == "ok"
    assert "line 2: year -5 is not a year" in outcomes["year-negative"]
    assert "line 1: year 3000 is not a year" in outcomes["year-3000"]
    assert "c.csv, line 2: year '-300' is not a year" in outcomes["year-minus-300-csv"]
    assert "line 2: year '2020年' is not a year" in outcomes["year-with-suffix"]
    assert "line 1: year 2020.7 is not a year" in outcomes["year-fraction"]
    assert "line 1: the text is list" in outcomes["text-is-a-list"]
    assert "line 2: a JSON int, not an object" in outcomes["line-is-a-number"]
    assert "metadata.csv, line 2: year '2020.7' is not a year" in outcomes["folder-metadata-bad-year"]
    assert outcomes["repeated-ids"].endswith("c.jsonl: doc_id values must be unique; 'a' is used by "
                                             f"{tmp_path / 'repeated-ids' / 'c.jsonl'}, line 1 and "
                                             f"{tmp_path / 'repeated-ids' / 'c.jsonl'}, line 3 (2 repeated id(s) in all)")
    assert "no documents found" in outcomes["empty-file"]


def test_jsonl_text_is_decoded_as_read_text_decodes_the_whole_file(tmp_path):
    """Line by line (with byte ranges) or whole, every line is the line read_text gives."""
    for name, data in [("bom", codecs.BOM_UTF8 + jsonl(GOOD).encode()),
                       ("cr", jsonl(GOOD, GOOD | {"doc_id": "b"}).replace("\n", "\r").encode()),
                       ("gb", jsonl(GOOD, {"doc_id": "b", "text": OTHER + "\r\n"}).encode("gb18030")),
                       ("big5", jsonl({"doc_id": "t", "text": "堅持黨的全面領導，深化改革開放。"}).encode("big5")),
                       ("u16", jsonl(GOOD).encode("utf-16"))]:
        path = tmp_path / f"{name}.jsonl"
        path.write_bytes(data)
        lines = [line for line in read_text(path).split("\n") if line.strip()]
        docs = quiet(list, iter_corpus(path))
        assert [d.record["text"] for d in docs] == [json.loads(line)["text"] for line in lines]
        again = list(document_texts(d.locator or ("text", d.record["text"]) for d in docs))
        assert again == [d.record["text"] for d in docs]
        if name != "u16":  # a byte range to read again; UTF-16 has none (read whole, documented)
            assert all(d.locator[0] == "jsonl" for d in docs)
        else:
            assert all(d.locator is None for d in docs)


def test_a_long_crlf_jsonl_is_split_right_across_read_blocks(tmp_path):
    """"\\r\\n" straddling a read block is one line end (a 1 MiB block whose last byte is the "\\r"; blocks
    of 7 and 8 bytes over lines of every length), and a 3 MB line is one line."""
    from analysis.corpus.decode import _byte_lines

    def jsonl_bytes(rows):
        return "\r\n".join(json.dumps(r, ensure_ascii=False) for r in rows).encode()

    edge = len(jsonl_bytes([{"doc_id": "d0", "text": ""}]))
    rows = [{"doc_id": "d0", "text": "x" * ((1 << 20) - 1 - edge)},  # its "\r" is the first block's last byte
            {"doc_id": "d1", "text": "改革" * 500_000},                # 3 MB
            *({"doc_id": f"s{i}", "text": "改革" * i} for i in range(1, 41))]
    data = jsonl_bytes(rows)
    assert data[(1 << 20) - 1:(1 << 20) + 1] == b"\r\n"
    path = tmp_path / "long.jsonl"
    path.write_bytes(data)
    short = jsonl_bytes(rows[2:])
    (tmp_path / "short.jsonl").write_bytes(short)
    for file, content, blocks in ((path, data, (1 << 20,)), (tmp_path / "short.jsonl", short, (7, 8))):
        with open(file, "rb") as fh:
            for block in blocks:
                lines = list(_byte_lines(fh, 0, block))
                assert [raw for _, raw in lines] == content.split(b"\r\n")
                assert all(content[start:start + len(raw)] == raw for start, raw in lines)
    docs = quiet(list, iter_corpus(path))
    assert [d.record["doc_id"] for d in docs] == [r["doc_id"] for r in rows]
    assert list(document_texts(d.locator for d in docs)) == [r["text"] for r in rows]


def test_index_keeps_no_text_of_a_jsonl_or_a_folder(tmp_path, seg):
    from analysis.store import corpus_refs
    (tmp_path / "c.jsonl").write_text(jsonl(GOOD, {"doc_id": "b", "text": OTHER}), encoding="utf-8")
    (tmp_path / "f").mkdir()
    (tmp_path / "f" / "a.txt").write_text(TEXT, encoding="utf-8")
    for corpus in (tmp_path / "c.jsonl", tmp_path / "f"):
        refs = list(quiet(corpus_refs, corpus, seg))
        assert refs and all(ref.source[0] != "text" and TEXT not in ref.source for ref in refs)


def test_a_changed_jsonl_line_is_named_when_read_again(tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_text(jsonl(GOOD, {"doc_id": "b", "text": OTHER}), encoding="utf-8")
    docs = quiet(list, iter_corpus(path))
    path.write_text(jsonl({"doc_id": "b", "text": OTHER}), encoding="utf-8")
    with pytest.raises(CorpusError, match=r"c.jsonl, line 2: changed since it was first read"):
        list(document_texts(d.locator for d in docs))


def test_index_of_a_folder_with_a_bom_file_reads_it_again(tmp_path, seg):
    """The worker decodes the file with the user's option, not the detected name 'utf-8 (BOM)'."""
    (tmp_path / "f").mkdir()
    (tmp_path / "f" / "a_2020.txt").write_bytes(codecs.BOM_UTF8 + TEXT.encode())
    docs = index(tmp_path / "f", tmp_path / "s", segmenter=seg, n_jobs=1, progress=False).store.documents()
    assert docs["doc_id"].tolist() == ["a_2020"] and docs["n_chars"].tolist() == [len(TEXT)]
    assert docs["year"].tolist() == [2020]


def test_index_warns_as_load_corpus_does(tmp_path, seg):
    path = tmp_path / "c.jsonl"
    path.write_text(jsonl({"doc_id": "a", "text": None}, {"doc_id": "b", "text": TEXT, "year": 2020},
                          {"doc_id": "c", "text": TEXT, "year": 2021}), encoding="utf-8")
    with pytest.warns(CorpusWarning) as loaded:
        load_corpus(path)
    with pytest.warns(CorpusWarning) as indexed:
        index(path, tmp_path / "s", segmenter=seg, n_jobs=1, progress=False)
    messages = [str(w.message) for w in loaded]
    assert messages == [str(w.message) for w in indexed if issubclass(w.category, CorpusWarning)]
    assert any("1 empty document(s)" in m for m in messages) and any("c = b" in m for m in messages)


def test_unknown_option_for_the_format_is_named(tmp_path, seg):
    (tmp_path / "f").mkdir()
    (tmp_path / "f" / "a.txt").write_text(TEXT, encoding="utf-8")
    with pytest.raises(InputError, match=r"a folder takes no option text"):
        index(tmp_path / "f", tmp_path / "s", segmenter=seg, n_jobs=1, progress=False, text="content")


# ---------------------------------------------------------------- a folder: nothing dropped silently
def test_folder_reads_txt_in_any_case_and_names_everything_it_leaves_out(tmp_path):
    folder = tmp_path / "mine"
    (folder / "drafts").mkdir(parents=True)
    (folder / "drafts" / "old.txt").write_text(OTHER, encoding="utf-8")
    (folder / "a_2020.txt").write_text(TEXT, encoding="utf-8")
    (folder / "B_2021.TXT").write_text(OTHER, encoding="utf-8")
    (folder / "a_2020.txt~").write_text(TEXT, encoding="utf-8")
    (folder / ".a_2020.txt.swp").write_bytes(b"\x00swap")
    (folder / "._a_2020.txt").write_bytes(b"\x00\x05\x16\x07")
    (folder / "notes.odt").write_bytes(b"PK\x03\x04")
    (folder / "metadata.csv").write_text("filename,title\na_2020.txt,甲\n", encoding="utf-8")
    with pytest.warns(CorpusWarning) as caught:
        docs = load_folder(folder)
    assert docs["doc_id"].tolist() == ["B_2021", "a_2020"] and docs["year"].tolist() == [2021, 2020]
    left_out = [str(w.message) for w in caught if "left out" in str(w.message)]
    assert len(left_out) == 1
    message = left_out[0]
    assert message.startswith(f"{folder}: left out 5 item(s) that are not *.txt/*.pdf/*.docx/*.html/*.htm documents")
    for name in (".a_2020.txt.swp (hidden)", "._a_2020.txt (hidden)", "a_2020.txt~", "drafts/ (a folder)",
                 "notes.odt"):
        assert name in message
    assert "metadata.csv" not in message


def test_folder_lists_the_first_ten_left_out_and_counts_the_rest(tmp_path):
    (tmp_path / "a_2020.txt").write_text(TEXT, encoding="utf-8")
    for i in range(13):
        (tmp_path / f"scan{i:02d}.tif").write_bytes(b"II*\x00")
    with pytest.warns(CorpusWarning, match=r"left out 13 item\(s\).*scan09.tif and 3 more$"):
        load_folder(tmp_path)


def test_folder_with_no_txt_file_says_what_it_has(tmp_path):
    (tmp_path / "report.doc").write_bytes(b"\xd0\xcf")
    (tmp_path / "sub").mkdir()
    with pytest.raises(CorpusError, match=r"no \*.txt/\*.pdf/\*.docx/\*.html/\*.htm files .*it has only report.doc, sub/ \(a folder\)"):
        load_folder(tmp_path)


@pytest.mark.skipif(sys.platform == "darwin", reason="macOS file systems refuse names that are not UTF-8")
def test_a_file_name_that_is_not_utf8_says_to_rename_it(tmp_path, seg):
    name = os.fsdecode("报告_2020.txt".encode("gb18030"))
    (tmp_path / name).write_text(TEXT, encoding="utf-8")
    expected = r"the file name '\\x.*_2020.txt' is not valid UTF-8 \(as GB18030 it reads '报告_2020.txt'\); rename"
    with pytest.raises(CorpusError, match=expected):
        load_folder(tmp_path)
    with pytest.raises(CorpusError, match=expected):
        index(tmp_path, tmp_path / "s", segmenter=seg, n_jobs=1, progress=False)
    result = subprocess.run([sys.executable, "-m", "analysis", "corpus", "info", str(tmp_path)],
                            capture_output=True, text=True, env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1 and "rename the file to a UTF-8 name" in result.stderr


def test_cli_index_refuses_a_bad_year_in_one_line_as_corpus_info_does(tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_text(jsonl(GOOD, {"doc_id": "b", "text": OTHER, "year": 3000}), encoding="utf-8")
    outputs = []
    for args in (["corpus", "info", str(path)], ["index", str(path), "--out", str(tmp_path / "s"), "--quiet"]):
        result = subprocess.run([sys.executable, "-m", "analysis", *args], capture_output=True, text=True)
        assert result.returncode == 2 and "Traceback" not in result.stderr
        outputs.append(result.stderr)
    assert outputs[0] == outputs[1] == f"error: {path}, line 2: year 3000 is not a year; give a whole number such " \
                                       f"as 2020 (at most 2100), or leave it empty\n"
    assert not (tmp_path / "s" / "documents").exists()


@pytest.mark.parametrize("codec", ["rot13", "base64", "zlib", "hex"])
def test_a_codec_that_is_not_a_text_encoding_is_refused_naming_the_file(tmp_path, codec):
    """Found by the fuzzer: codecs.lookup knows rot13, base64 … but they do not decode bytes to text."""
    from analysis.corpus import read_text
    from analysis.errors import DecodingError
    path = tmp_path / "a.txt"
    path.write_text("坚持全面从严治党。", encoding="utf-8")
    with pytest.raises(DecodingError, match=rf"a.txt: '{codec}' is not a text encoding"):
        read_text(path, codec)
    run = subprocess.run([sys.executable, "-m", "analysis", "segment", str(path), "--encoding", codec],
                         capture_output=True, text=True)
    assert run.returncode == 2 and run.stderr.count("\n") == 1 and "Traceback" not in run.stderr
    assert run.stderr.startswith(f"error: {path}: '{codec}' is not a text encoding")
