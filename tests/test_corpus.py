"""Corpus layer: fetch against a real local HTTP server, every user-corpus format and encoding, bad input."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import http.server
import json
import os
import signal
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path

import pandas as pd
import pytest

from analysis.cli import main as cli
from analysis.corpus import (Resource, decode_bytes, fetch, load_corpus, load_csv, load_folder, load_gwr,
                             load_jsonl, load_manifest, npc_session_year)
from analysis.errors import ChecksumError, CorpusError, CorpusWarning, DecodingError, FetchError, MirrorError

TEXT = "坚持以习近平新时代中国特色社会主义思想为指导，全面贯彻党的二十大精神。\n我們不得不經常改換中央所在地。"
SIMPLIFIED = "坚持以习近平新时代中国特色社会主义思想为指导，全面贯彻党的二十大精神。"
TRADITIONAL = "我們不得不經常改換中央所在地，這使我們的工作受到了嚴重損失。"


# ---------------------------------------------------------------- fetch

class FaultyHandler(http.server.SimpleHTTPRequestHandler):
    """Serves files; ``server.faults[path]`` makes a request misbehave:
    ``"stall"`` (headers and 10 bytes, then silence), ``"fail-once"`` (HTTP 503 the first time),
    ``"drop-once"`` (connection closed mid-body the first time)."""

    def log_message(self, *args):
        pass

    def do_GET(self):
        hits = self.server.hits
        hits[self.path] = hits.get(self.path, 0) + 1
        fault = self.server.faults.get(self.path)
        if fault == "fail-once" and hits[self.path] == 1:
            self.send_error(503, "try again")
            return
        if fault in ("stall", "drop-once") and (fault == "stall" or hits[self.path] == 1):
            body = (self.server.root / self.path.lstrip("/")).read_bytes()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[:10])
            self.wfile.flush()
            if fault == "stall":
                self.server.stop.wait(30)
            return
        super().do_GET()


@contextlib.contextmanager
def serve(root, faults=None):
    """A real HTTP server on 127.0.0.1 serving ``root``; yields ``(base_url, server)``."""
    handler = functools.partial(FaultyHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.root, server.faults, server.hits, server.stop = Path(root), dict(faults or {}), {}, threading.Event()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", server
    finally:
        server.stop.set()
        server.shutdown()
        server.server_close()


@pytest.fixture
def http_root(tmp_path):
    """A real HTTP server on 127.0.0.1 serving tmp_path/www."""
    root = tmp_path / "www"
    root.mkdir()
    with serve(root) as (url, _):
        yield root, url


def _resource(base_url: str, payload: bytes, name="data.jsonl") -> Resource:
    return Resource(name="test", filename=name, url=f"{base_url}/{name}", sha256=hashlib.sha256(payload).hexdigest())


def test_fetch_downloads_and_verifies(http_root, tmp_path, monkeypatch):
    monkeypatch.delenv("ANALYSIS_CORPUS_MIRROR", raising=False)
    root, url = http_root
    payload = TEXT.encode("utf-8") * 1000
    (root / "data.jsonl").write_bytes(payload)
    dest = tmp_path / "cache"
    path = fetch(_resource(url, payload), dest)
    assert path.read_bytes() == payload
    assert sorted(p.name for p in dest.iterdir()) == ["data.jsonl"]  # no temporary file left
    (root / "data.jsonl").unlink()  # a verified copy is reused without the network
    assert fetch(_resource(url, payload), dest) == path


def test_fetch_rejects_corrupt_download_and_keeps_nothing(http_root, tmp_path, monkeypatch):
    monkeypatch.delenv("ANALYSIS_CORPUS_MIRROR", raising=False)
    root, url = http_root
    good = TEXT.encode("utf-8")
    (root / "data.jsonl").write_bytes(good[:-3] + b"xyz")
    dest = tmp_path / "cache"
    with pytest.raises(ChecksumError, match="data.jsonl.*expected.*not kept"):
        fetch(_resource(url, good), dest)
    assert list(dest.iterdir()) == []


def test_fetch_replaces_a_corrupt_local_copy(http_root, tmp_path, monkeypatch):
    monkeypatch.delenv("ANALYSIS_CORPUS_MIRROR", raising=False)
    root, url = http_root
    good = TEXT.encode("utf-8")
    (root / "data.jsonl").write_bytes(good)
    dest = tmp_path / "cache"
    dest.mkdir()
    (dest / "data.jsonl").write_bytes(b"truncated")
    assert fetch(_resource(url, good), dest).read_bytes() == good


def test_fetch_without_network_or_mirror_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.delenv("ANALYSIS_CORPUS_MIRROR", raising=False)
    res = Resource(name="x", filename="x.jsonl", url="http://127.0.0.1:9/x.jsonl", sha256="0" * 64)
    with pytest.raises(FetchError, match="could not download x.jsonl.*2 attempt.*--mirror"):
        fetch(res, tmp_path, timeout=5, retries=1, backoff=0.01)
    assert list(tmp_path.iterdir()) == []


def test_fetch_gives_up_on_a_stalled_server_at_the_deadline(tmp_path, monkeypatch):
    monkeypatch.delenv("ANALYSIS_CORPUS_MIRROR", raising=False)
    payload = TEXT.encode("utf-8") * 100
    (tmp_path / "data.jsonl").write_bytes(payload)
    with serve(tmp_path, {"/data.jsonl": "stall"}) as (url, server):
        start = time.monotonic()
        with pytest.raises(FetchError, match=r"data.jsonl.*[23] attempt.*timed out.*deadline of 1\.5 s passed"):
            fetch(_resource(url, payload), tmp_path / "cache", timeout=0.5, deadline=1.5, retries=5, backoff=0.01)
        elapsed = time.monotonic() - start
    assert 1.4 < elapsed < 4  # stopped near the deadline, not after 5 retries or the 30 s stall
    assert list((tmp_path / "cache").iterdir()) == []  # no .part left behind


@pytest.mark.parametrize("fault", ["fail-once", "drop-once"])
def test_fetch_retries_a_failed_download(tmp_path, monkeypatch, fault):
    monkeypatch.delenv("ANALYSIS_CORPUS_MIRROR", raising=False)
    payload = TEXT.encode("utf-8") * 100
    (tmp_path / "data.jsonl").write_bytes(payload)
    with serve(tmp_path, {"/data.jsonl": fault}) as (url, server):
        path = fetch(_resource(url, payload), tmp_path / "cache", timeout=2, retries=2, backoff=0.01)
        assert server.hits["/data.jsonl"] == 2
    assert path.read_bytes() == payload and sorted(p.name for p in path.parent.iterdir()) == ["data.jsonl"]


def test_fetch_does_not_retry_a_missing_file(tmp_path, monkeypatch):
    monkeypatch.delenv("ANALYSIS_CORPUS_MIRROR", raising=False)
    with serve(tmp_path) as (url, server):
        with pytest.raises(FetchError, match=r"nothing.jsonl.*1 attempt.*HTTP 404"):
            fetch(_resource(url, b"x", name="nothing.jsonl"), tmp_path / "cache", retries=3, backoff=0.01)
        assert server.hits["/nothing.jsonl"] == 1


def test_killed_download_leaves_a_part_file_that_the_next_run_removes(tmp_path):
    payload = TEXT.encode("utf-8") * 100
    (tmp_path / "data.jsonl").write_bytes(payload)
    dest = tmp_path / "cache"
    env = {k: v for k, v in os.environ.items() if k != "ANALYSIS_CORPUS_MIRROR"}
    with serve(tmp_path, {"/data.jsonl": "stall"}) as (url, server):
        res = _resource(url, payload)
        code = (f"from analysis.corpus import Resource, fetch\n"
                f"fetch(Resource(**{res.__dict__!r}), {str(dest)!r}, timeout=60, deadline=60)")
        proc = subprocess.Popen([sys.executable, "-c", code], env=env)
        try:
            for _ in range(200):
                if server.hits.get("/data.jsonl") and list(dest.glob(".data.jsonl.*.part")):
                    break  # mid-download: 10 bytes sent, the rest stalled
                time.sleep(0.05)
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        parts = list(dest.glob(".data.jsonl.*.part"))
        assert len(parts) == 1  # the killed run's half file
        server.faults.clear()
        path = fetch(res, dest, mirror=tmp_path)  # the next run (here from a mirror folder)
    assert path.read_bytes() == payload
    assert sorted(p.name for p in dest.iterdir()) == ["data.jsonl"]


def test_fetch_from_mirror_folder(tmp_path):
    payload = TEXT.encode("utf-8")
    mirror = tmp_path / "mirror" / "reference"
    mirror.mkdir(parents=True)
    (mirror / "data.jsonl").write_bytes(payload)
    res = Resource(name="t", filename="data.jsonl", url="http://127.0.0.1:9/unused", sha256=hashlib.sha256(payload).hexdigest())
    assert fetch(res, tmp_path / "cache", mirror=tmp_path / "mirror").read_bytes() == payload


def test_mirror_missing_file_is_named(tmp_path):
    (tmp_path / "mirror").mkdir()
    res = Resource(name="t", filename="missing.jsonl", url="http://127.0.0.1:9/unused", sha256="0" * 64)
    with pytest.raises(MirrorError, match="has no missing.jsonl"):
        fetch(res, tmp_path / "cache", mirror=tmp_path / "mirror")


def test_mirror_with_wrong_file_is_a_checksum_error(tmp_path):
    (tmp_path / "mirror").mkdir()
    (tmp_path / "mirror" / "data.jsonl").write_bytes(b"not the published file")
    res = Resource(name="t", filename="data.jsonl", url="u", sha256="0" * 64)
    with pytest.raises(ChecksumError):
        fetch(res, tmp_path / "cache", mirror=tmp_path / "mirror")
    assert not (tmp_path / "cache" / "data.jsonl").exists()


def test_manifest_pins_commit_and_checksums():
    manifest = load_manifest()
    assert set(manifest) == {"gwr", "cpc"}
    for res in manifest.values():
        assert "99bc4b01d11c2b884a83ecc8f966d97e17cd450e" in res.url
        assert len(res.sha256) == 64 and res.licence


# ---------------------------------------------------------------- the study corpus

def test_government_work_reports(gwr):
    assert len(gwr) == 52
    years = set(gwr["year"])
    assert min(years) == 1954 and max(years) == 2025 and len(years) == 52
    for gap in (1961, 1962, 1963, 1965, 1974, 1976, 1977, 1989, 1990, 1991, 1996, 2020):
        assert gap not in years
    assert gwr["doc_id"].is_unique and gwr["duplicate_of"].isna().all()


def test_resolutions_are_excluded_and_counted(monkeypatch):
    from analysis.corpus import reference
    monkeypatch.setattr(reference, "_WARNED_RESOLUTIONS", set())   # earlier tests may have loaded it
    with pytest.warns(CorpusWarning, match="left out 20 NPC resolutions"):
        load_gwr()
    with warnings.catch_warnings(record=True) as again:             # said once per file and process
        warnings.simplefilter("always")
        assert len(load_gwr()) == 52
    assert not [w for w in again if "NPC resolutions" in str(w.message)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        both = load_gwr(include_resolutions=True)
    resolutions = both[both["genre"] == "resolution"]
    assert len(resolutions) == 20 and resolutions["year"].notna().all()
    assert "npc-resolution2025" in set(resolutions["doc_id"])


def test_npc_session_year():
    assert npc_session_year("第十四届全国人民代表大会第三次会议关于政府工作报告的决议") == 2025
    assert npc_session_year("第十三届全国人民代表大会第三次会议关于政府工作报告的决议") == 2020
    assert npc_session_year("第二届全国人民代表大会第三次会议关于政府工作报告的决议") == 1962


def test_congress_reports_have_years(cpc):
    assert len(cpc) == 16
    by_congress = dict(zip(cpc["congress"], cpc["year"]))
    assert by_congress[20] == 2022 and by_congress[18] == 2012 and by_congress[1] == 1921
    assert {"cpc01a", "cpc01b", "cpc20"} <= set(cpc["doc_id"])


def test_speech_metadata(speech):
    row = speech.iloc[0]
    assert (row.doc_id, row.collection, row.year) == ("speech2025", "speech", 2025)
    assert "党组书记" in row.speaker_role and row.text.startswith("市司法局党组书记")


def test_cli_corpus_info(capsys):
    assert cli(["corpus", "info"]) == 0
    out = capsys.readouterr().out
    assert "speech2025" in out and "gwr1954" in out and "gwr2025" in out and "cpc20" in out
    gwr_line = next(line for line in out.splitlines() if line.split()[:1] == ["gwr"])
    assert gwr_line.split()[1:5] == ["52", "52", "1954", "2025"]


# ---------------------------------------------------------------- a researcher's own corpus

@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk", "big5"])
def test_folder_encodings(tmp_path, encoding):
    text = TRADITIONAL if encoding == "big5" else SIMPLIFIED
    (tmp_path / "report_2019.txt").write_bytes((text + "\r\n第二段。\r\n").encode(encoding))
    docs = load_folder(tmp_path)
    assert docs.loc[0, "text"] == text + "\n第二段。\n"  # decoded exactly, CRLF → LF
    assert docs.loc[0, "year"] == 2019
    assert docs.loc[0, "encoding"].startswith({"utf-8-sig": "utf-8", "gbk": "gb18030"}.get(encoding, encoding))


def test_folder_metadata_csv(tmp_path):
    (tmp_path / "a.txt").write_text(SIMPLIFIED, encoding="utf-8")
    (tmp_path / "b_2001.txt").write_text(TRADITIONAL, encoding="utf-8")
    (tmp_path / "metadata.csv").write_text("filename,doc_id,year,title,speaker\na.txt,speechA,2024,讲话甲,书记\n",
                                           encoding="utf-8")
    docs = load_corpus(tmp_path)
    assert list(docs["doc_id"]) == ["speechA", "b_2001"]
    assert list(docs["year"]) == [2024, 2001]
    assert docs.loc[0, "speaker"] == "书记" and docs.loc[0, "title"] == "讲话甲"


def test_metadata_listing_a_missing_file_is_an_error(tmp_path):
    (tmp_path / "a_2020.txt").write_text(SIMPLIFIED, encoding="utf-8")
    (tmp_path / "metadata.csv").write_text("filename,year\nnope.txt,2020\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="nope.txt"):
        load_folder(tmp_path)


def test_jsonl_with_field_mapping(tmp_path):
    path = tmp_path / "mine.jsonl"
    rows = [{"body": SIMPLIFIED, "yr": "2018", "name": "甲", "id": "d1", "extra": 1},
            {"body": TRADITIONAL, "yr": 2019, "name": "乙", "id": "d2", "extra": 2}]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    docs = load_corpus(path, text="body", year="yr", title="name", doc_id="id")
    assert list(docs["doc_id"]) == ["d1", "d2"] and list(docs["year"]) == [2018, 2019]
    assert list(docs["title"]) == ["甲", "乙"] and list(docs["extra"]) == [1, 2]
    assert docs.loc[1, "text"] == TRADITIONAL


def test_jsonl_bad_line_is_named(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"text": "好"}\n{not json\n', encoding="utf-8")
    with pytest.raises(CorpusError, match=r"bad.jsonl, line 2"):
        load_jsonl(path)


def test_csv_with_text_column_in_gbk(tmp_path):
    path = tmp_path / "mine.csv"
    path.write_bytes(f"year,content\r\n2010,{SIMPLIFIED}\r\n2011,第二篇。\r\n".encode("gbk"))
    docs = load_csv(path, text="content")
    assert list(docs["text"]) == [SIMPLIFIED, "第二篇。"] and list(docs["year"]) == [2010, 2011]


def test_unknown_text_column_is_named(tmp_path):
    path = tmp_path / "mine.csv"
    path.write_text("year,body\n2010,好\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="no text field 'text'"):
        load_csv(path)


def test_undecodable_file_names_file_and_encodings(tmp_path):
    path = tmp_path / "broken_2020.txt"
    path.write_bytes(b"\x80\xff\x81\xfe\xa0")  # invalid in UTF-8, GB18030 and Big5
    with pytest.raises(DecodingError, match=r"broken_2020.txt.*utf-8, gb18030, big5"):
        load_folder(tmp_path)


def test_big5_is_not_silently_read_as_gb18030():
    data = TRADITIONAL.encode("big5")
    text, encoding = decode_bytes(data)
    assert (text, encoding) == (TRADITIONAL, "big5")


def test_empty_yearless_and_duplicate_documents_are_reported_not_dropped(tmp_path):
    (tmp_path / "a_2020.txt").write_text(SIMPLIFIED, encoding="utf-8")
    (tmp_path / "b_2021.txt").write_text(SIMPLIFIED, encoding="utf-8")
    (tmp_path / "empty_2022.txt").write_bytes(b"")
    (tmp_path / "undated.txt").write_text(TRADITIONAL, encoding="utf-8")
    with pytest.warns(CorpusWarning) as record:
        docs = load_folder(tmp_path)
    messages = " | ".join(str(w.message) for w in record)
    assert "1 empty document(s)" in messages and "empty_2022" in messages
    assert "without a year" in messages and "undated" in messages
    assert "duplicate" in messages and "b_2021 = a_2020" in messages
    assert len(docs) == 4
    assert docs.set_index("doc_id").loc["b_2021", "duplicate_of"] == "a_2020"
    assert pd.isna(docs.set_index("doc_id").loc["undated", "year"])


def test_unknown_format_and_missing_path(tmp_path):
    with pytest.raises(CorpusError, match="no such file"):
        load_corpus(tmp_path / "nothing.csv")
    (tmp_path / "x.xyz").write_bytes(b"")
    with pytest.raises(CorpusError, match="unknown corpus format"):
        load_corpus(tmp_path / "x.xyz")


def test_cli_info_on_own_corpus(tmp_path, capsys):
    (tmp_path / "a_2020.txt").write_text(SIMPLIFIED, encoding="utf-8")
    (tmp_path / "b_2021.txt").write_bytes(TRADITIONAL.encode("big5"))
    assert cli(["corpus", "info", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "a_2020" in out and "2021" in out and str(len(TRADITIONAL)) in out
