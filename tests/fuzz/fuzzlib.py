"""The fuzzing harness: generated files in a sandbox, the property every reader must keep, and the strategies.

The property (issue 17, item 9): every input either loads, or raises the package's own
:class:`analysis.errors.AnalysisError`; a command exits 0, or exits 2 with exactly one stderr line
``error: ...`` and no traceback.  Nothing is written outside the example's own output folder (an
audit hook watches every open-for-writing, rename, removal and mkdir while the reader runs) and
the input files are left as they were; a loaded text holds U+FFFD only when the input did.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import hashlib
import io
import json
import os
import shutil
import sys
import tempfile
import warnings
from pathlib import Path

from hypothesis import settings
from hypothesis import strategies as st

import analysis
from analysis import config
from analysis.errors import AnalysisError

ROOT_SRC = Path(analysis.__file__).resolve().parents[1]  # the src/ folder of the package under test

# ---------------------------------------------------------------------------- budget

def examples(share: float):
    """``@settings`` for one property: ``share`` of the loaded profile's ``max_examples`` (the
    ``fuzz`` profile's 10,000 is the whole run's budget, split between the properties)."""
    return settings(max_examples=max(2, round(settings.default.max_examples * share)))


# ---------------------------------------------------------------------------- the sandbox and its watch

_WATCH: dict = {"allowed": None, "writes": []}
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
_PATH_EVENTS = {"os.remove": (0,), "os.rmdir": (0,), "os.mkdir": (0,), "os.rename": (0, 1), "os.truncate": (0,),
                "shutil.rmtree": (0,), "os.symlink": (1,), "os.link": (1,), "os.chmod": (0,), "os.utime": (0,)}


def _is_allowed(path) -> bool:
    if isinstance(path, int) or path is None:
        return True  # a file descriptor: its open was checked
    path = os.fsdecode(path)
    full = Path(os.path.abspath(path))
    if str(full) == os.devnull or "__pycache__" in full.parts:
        return True
    return any(full.is_relative_to(root) for root in _WATCH["allowed"])


def _audit(event: str, args) -> None:
    if _WATCH["allowed"] is None:
        return
    if event == "open":
        path, mode, flags = args
        writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
            mode is None and isinstance(flags, int) and flags & _WRITE_FLAGS)
        if writing and not _is_allowed(path):
            _WATCH["writes"].append(f"open({path!r}, {mode or flags})")
    elif event in _PATH_EVENTS:
        for i in _PATH_EVENTS[event]:
            if i < len(args) and not _is_allowed(args[i]):
                _WATCH["writes"].append(f"{event}({args[i]!r})")


sys.addaudithook(_audit)


def _snapshot(folder: Path) -> dict[str, str]:
    """Every entry under ``folder`` (symbolic links not followed) with a hash of what it holds."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            if p.is_symlink():
                out[str(p)] = "link:" + os.readlink(p)
            elif p.is_file():
                out[str(p)] = hashlib.sha256(p.read_bytes()).hexdigest()
            else:
                out[str(p)] = "dir"
    return out


class Case:
    """One example's folder: ``inp`` (the generated input), ``out`` (where the command may write),
    ``outside`` (files beside the input that symbolic links may point to)."""

    def __init__(self, base: Path):
        self.root = Path(tempfile.mkdtemp(prefix="case-", dir=base))
        self.inp, self.out, self.outside = self.root / "in", self.root / "out", self.root / "outside"
        for d in (self.inp, self.out, self.outside):
            d.mkdir()
        (self.outside / "secret_2020.txt").write_text("外面的文件，不属于语料。", encoding="utf-8")


@contextlib.contextmanager
def sandbox(base: Path):
    """A fresh :class:`Case`, the working directory and the package's cache folder inside it."""
    case = Case(base)
    old_cwd, old_cache = os.getcwd(), config.CACHE_DIR
    os.chdir(case.root)
    config.CACHE_DIR = case.out / "cache"
    try:
        yield case
    finally:
        os.chdir(old_cwd)
        config.CACHE_DIR = old_cache
        shutil.rmtree(case.root, ignore_errors=True)


@contextlib.contextmanager
def watched(case: Case):
    """Run the reader; afterwards fail if it wrote outside ``case.out`` or changed the input."""
    before = _snapshot(case.inp), _snapshot(case.outside)
    _WATCH["allowed"], _WATCH["writes"] = (case.out.resolve(), case.out), []
    try:
        yield
    finally:
        writes, _WATCH["allowed"] = _WATCH["writes"], None
    assert not writes, f"wrote outside its output folder: {writes[:5]}"
    assert (_snapshot(case.inp), _snapshot(case.outside)) == before, "the input files were changed"


# ---------------------------------------------------------------------------- the property

def had_replacement(data: bytes) -> bool:
    """Whether U+FFFD is in ``data`` in any encoding the readers accept."""
    return any(mark in data for mark in (b"\xef\xbf\xbd", b"\xfd\xff", b"\xff\xfd", b"\x841\xa47"))


def call_api(fn, *args, **kwargs):
    """``fn(*args, **kwargs)``: its result, or ``None`` when it raised the package's own error.
    Any other exception propagates (the property fails with its traceback)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return fn(*args, **kwargs)
        except AnalysisError as exc:
            assert str(exc).strip(), f"{type(exc).__name__} with an empty message"
            return None


def check_texts(texts, inputs: list[bytes]) -> None:
    if any(had_replacement(b) for b in inputs):
        return
    bad = [t[:60] for t in texts if "\ufffd" in str(t)]
    assert not bad, f"U+FFFD in a loaded text though no input held one: {bad[:3]}"


class _Stdin:
    def __init__(self, data: bytes):
        self.buffer = io.BytesIO(data)


def run_cli(argv: list[str], stdin: bytes = b"") -> tuple[int, str, str]:
    """``analysis.cli.main(argv)`` in this process: ``(status, stdout, stderr)``.  An exception
    other than SystemExit propagates (it would be a traceback)."""
    from analysis.cli import main
    out, err = io.StringIO(), io.StringIO()
    old_stdin = sys.stdin
    sys.stdin = _Stdin(stdin)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                status = main(argv)
            except SystemExit as exc:
                status = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    finally:
        sys.stdin = old_stdin
    return status, out.getvalue(), err.getvalue()


def check_cli(status: int, stdout: str, stderr: str) -> None:
    """Exit 0, or exit 2 with exactly one line ``error: ...`` on stderr (after any one-line ``note: ...`` of the
    package's warnings: a folder's skipped files, a cache that cannot be written); never a traceback."""
    assert "Traceback" not in stderr, stderr[-2000:]
    if status == 0:
        return
    lines = [line for line in stderr.splitlines() if not line.startswith("note: ")]
    assert status == 2, f"exit status {status}; stderr: {stderr[-500:]!r}"
    assert len(lines) == 1 and lines[0].startswith("error: "), f"stderr is not one 'error: ' line: {stderr[-800:]!r}"


# ---------------------------------------------------------------------------- strategies: text and bytes

ENCODINGS = ["utf-8", "utf-8-sig", "gb18030", "big5", "utf-16", "utf-16-le", "utf-16-be", "latin-1", "gbk"]
HAN = "坚持党的领导全面依法治国新时代中国特色社会主义思想为指导贯彻二十大精神人民至上自我革命發展臺灣"
PUNCT = "，。：；！？（）《》“”、·…—①Ⅲ　１Ａ"
CONTROL = "".join(map(chr, range(0x00, 0x20))) + "\x7f\x85\u2028\u2029\ufeff\u200b\ufffd"

chars = st.one_of(
    st.sampled_from(HAN), st.sampled_from(PUNCT), st.sampled_from(CONTROL), st.sampled_from("ab Z09,\"'\t\n\r\\{}[]"),
    st.characters(codec="utf-8"),
)
texts = st.text(chars, max_size=80)


@st.composite
def encoded(draw, text=texts):
    """``text`` encoded in one of :data:`ENCODINGS` (characters the encoding lacks become ``?``)."""
    value = draw(text)
    enc = draw(st.sampled_from(ENCODINGS))
    return value.encode(enc, errors="replace")


def line_ends(lines: list[str], draw) -> str:
    sep = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    return sep.join(lines) + draw(st.sampled_from(["", sep, sep + sep]))


def file_bytes(text_strategy):
    """Bytes of a text file: random bytes, or ``text_strategy`` encoded, with a trailing garbage sometimes."""
    return st.one_of(
        st.binary(max_size=200),
        st.builds(lambda s, enc, tail: s.encode(enc, errors="replace") + tail,
                  text_strategy, st.sampled_from(ENCODINGS),
                  st.one_of(st.just(b""), st.just(b""), st.binary(max_size=8))),
    )


# ---------------------------------------------------------------------------- strategies: values in records

YEARS = st.sampled_from(["2020年", 2020.7, -5, 3000, "", None, 2020, "2020", " 2021 ", 2019.0, True, "二〇二〇", "２０２０",
                         "1e3", float("nan"), 10**30, "-0", 0, "2020-01-01"])
scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20), st.floats(allow_nan=True), texts,
                    st.just("x" * 200_000))
json_values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                            st.dictionaries(st.text(max_size=5), inner, max_size=3)),
                           max_leaves=5)
FIELDS = ["text", "year", "title", "doc_id", "collection", "source", "filename", "encoding", "duplicate_of", "本文"]


@st.composite
def records(draw):
    keys = draw(st.lists(st.sampled_from(FIELDS), max_size=6, unique=True))
    if draw(st.booleans()) and "text" not in keys:
        keys.append("text")
    rec = {}
    for k in keys:
        if k == "year":
            rec[k] = draw(st.one_of(YEARS, json_values))
        elif k == "doc_id":
            rec[k] = draw(st.one_of(st.sampled_from(["a", "a", "b", " a ", "", "x\ty", "1", 1, 1.0, None]), json_values))
        elif k == "text":
            rec[k] = draw(st.one_of(texts, texts, json_values))
        else:
            rec[k] = draw(json_values)
    return rec


def _json_line(rec, ascii_only: bool) -> str:
    try:
        return json.dumps(rec, ensure_ascii=ascii_only)
    except ValueError:
        return json.dumps(rec, ensure_ascii=ascii_only, allow_nan=True)


@st.composite
def jsonl_bytes(draw):
    lines = []
    for rec in draw(st.lists(records(), max_size=6)):
        kind = draw(st.integers(0, 9))
        if kind == 0:
            lines.append(draw(st.sampled_from(["", "   ", "\t", "[1, 2]", "null", "\"text\"", "{", "{\"text\": \"a\"} x",
                                               "{\"text\": \"a\", \"text\": 1}", "NaN", "\x00"])))
        else:
            lines.append(_json_line(rec, draw(st.booleans())))
    body = line_ends(lines, draw)
    if draw(st.integers(0, 5)) == 0:
        body += draw(texts)
    enc = draw(st.sampled_from(["utf-8"] * 6 + ENCODINGS))
    data = body.encode(enc, errors="replace")
    if draw(st.integers(0, 7)) == 0:
        data += draw(st.binary(max_size=8))
    return data


CELLS = st.one_of(texts, st.sampled_from(["2020年", "2020.7", "-5", "3000", "", "null", "a", "a", "2020", "\"", "x,y",
                                          "多\n行", "x" * 200_000, "=1+1", "\x00"]))


@st.composite
def csv_text(draw, columns=FIELDS):
    """A CSV file as text: a header (sometimes with duplicate, empty or odd names) and rows that
    sometimes have too many or too few fields, written with the csv module or raw."""
    header = draw(st.lists(st.one_of(st.sampled_from(columns), st.sampled_from(["", " text ", "Text", "a,b"])),
                           max_size=6))
    rows = [header]
    for _ in range(draw(st.integers(0, 5))):
        n = len(header) + draw(st.sampled_from([0, 0, 0, 0, -1, 1]))
        rows.append([draw(CELLS) for _ in range(max(n, 0))])
    sep = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    if draw(st.integers(0, 4)) == 0:  # raw: no quoting at all
        body = sep.join(",".join(r) for r in rows)
    else:
        buf = io.StringIO()
        csv.writer(buf, lineterminator=sep,
                   quoting=draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONNUMERIC]))).writerows(rows)
        body = buf.getvalue()
    body += draw(st.sampled_from(["", sep, sep * 3, "\"unterminated", ",,,"]))
    return body


def csv_bytes(columns=FIELDS):
    return st.builds(lambda text, enc, tail: text.encode(enc, errors="replace") + tail, csv_text(columns),
                     st.sampled_from(["utf-8"] * 6 + ENCODINGS), st.one_of(st.just(b""), st.just(b""), st.binary(max_size=6)))


# ---------------------------------------------------------------------------- strategies: folders

STEMS = st.one_of(
    st.sampled_from(["gwr_2019", "r_2020", "-rf", "--help", " lead space", "trail space ", "报告2021", "政府工作报告_2018",
                     ".hidden", "a b", "中文 名", "x" * 200, "2020", "a.b", "metadata", "-"]),
    st.text(st.sampled_from("ab-_. 中文2019"), min_size=1, max_size=12),
)
EXTS = st.sampled_from([".txt", ".txt", ".txt", ".TXT", ".Txt", ".md", "", ".txt.bak", ".csv"])


@st.composite
def folder_specs(draw):
    """A list of entries ``(kind, name, payload)`` to build in a corpus folder."""
    entries, names = [], set()
    for _ in range(draw(st.integers(0, 6))):
        name = (draw(STEMS) + draw(EXTS)).replace("/", "_")
        if name in names or name in (".", "..") or len(name.encode()) > 250:
            continue
        names.add(name)
        kind = draw(st.sampled_from(["file"] * 6 + ["dir", "link_in", "link_out", "link_dangling", "link_dir"]))
        entries.append((kind, name, draw(file_bytes(texts)) if kind == "file" else b""))
    if draw(st.booleans()):
        listed = sorted(names) + ["missing.txt", "../secret_2020.txt", "sub/x.txt", ""]
        meta = draw(csv_text(columns=["filename", "year", "doc_id", "title", "collection", "text", "source"]))
        if listed and draw(st.booleans()):  # a well-formed metadata.csv naming real and odd files
            rows = [["filename", "year", "doc_id"]] + [
                [draw(st.sampled_from(listed)), str(draw(YEARS)), draw(st.sampled_from(["a", "b", "", "x y"]))]
                for _ in range(draw(st.integers(1, 4)))]
            meta = "\n".join(",".join('"' + c.replace('"', '""') + '"' for c in r) for r in rows) + "\n"
        entries.append(("file", "metadata.csv", meta.encode(draw(st.sampled_from(["utf-8", "utf-8-sig", "gb18030"])),
                                                            errors="replace")))
    return entries


def build_folder(case: Case, entries) -> tuple[Path, list[bytes]]:
    folder = case.inp / "语料 corpus"  # a folder name with a space and CJK characters
    folder.mkdir()
    contents = []
    for kind, name, payload in entries:
        path = folder / name
        if path.exists() or path.is_symlink():
            continue
        if kind == "file":
            path.write_bytes(payload)
            contents.append(payload)
        elif kind == "dir":
            path.mkdir()
            (path / "inner_2020.txt").write_text("子目录里的文件。", encoding="utf-8")
        elif kind == "link_in":
            target = folder / "target_2021.txt"
            if not target.exists():
                target.write_text("链接的目标。", encoding="utf-8")
            path.symlink_to(target.name)
        elif kind == "link_out":
            path.symlink_to(case.outside / "secret_2020.txt")
        elif kind == "link_dangling":
            path.symlink_to("no_such_file.txt")
        elif kind == "link_dir":
            path.symlink_to(case.outside, target_is_directory=True)
    contents.append("链接的目标。子目录里的文件。".encode())
    return folder, contents


# ---------------------------------------------------------------------------- strategies: lexicon, learned terms, manifest

@st.composite
def lexicon_bytes(draw):
    lines = []
    if draw(st.booleans()):
        lines.append(draw(st.sampled_from(["term\tcategory\tmembers\tnote", "term", "# comment", "TERM\tcategory"])))
    for _ in range(draw(st.integers(0, 6))):
        kind = draw(st.integers(0, 5))
        if kind == 0:
            lines.append(draw(texts))
        else:
            fields = [draw(st.one_of(st.sampled_from(["新质生产力", "全过程人民民主", "两个确立", " 空格 ", "", "a b"]), texts))]
            fields += [draw(st.one_of(st.sampled_from(["theory", "", "user", "numbered"]), texts))
                       for _ in range(draw(st.integers(0, 5)))]
            lines.append("\t".join(fields))
    body = line_ends(lines, draw)
    return body.encode(draw(st.sampled_from(["utf-8"] * 4 + ENCODINGS)), errors="replace")


LEARNED_COLUMNS = ["term", "keep", "score", "count", "n_docs", "pmi", "npmi", "bound", "left_entropy", "right_entropy",
                   "tokens", "example"]


@st.composite
def learned_bytes(draw):
    lines = draw(st.lists(st.sampled_from(["# Learned terms", "# corpus_sha256: abc", "#"]), max_size=2))
    header = draw(st.one_of(st.just(LEARNED_COLUMNS),
                            st.lists(st.sampled_from(LEARNED_COLUMNS + ["", "term", "extra"]), max_size=8)))
    lines.append("\t".join(header))
    for _ in range(draw(st.integers(0, 5))):
        n = len(header) + draw(st.sampled_from([0, 0, 0, -1, 1]))
        cells = [draw(st.one_of(st.sampled_from(["yes", "no", "YES", " No ", "maybe", "", "1.5", "nan", "inf", "-3",
                                                 "1e400", "99999999999999999999", "新质生产力", "a b"]), texts))
                 for _ in range(max(n, 0))]
        lines.append("\t".join(cells))
    body = line_ends(lines, draw)
    return body.encode(draw(st.sampled_from(["utf-8"] * 4 + ENCODINGS)), errors="replace")


SHA = "0" * 64


@st.composite
def manifest_bytes(draw):
    kind = draw(st.integers(0, 9))
    if kind == 0:
        return draw(st.binary(max_size=100))
    if kind == 1:
        return _json_line(draw(json_values), True).encode()
    specs = {}
    for _ in range(draw(st.integers(0, 3))):
        name = draw(st.one_of(st.sampled_from(["gwr", "cpc", ""]), st.text(max_size=5)))
        spec = {"filename": draw(st.one_of(st.sampled_from(["gwr.jsonl", "../x", "/etc/passwd", ".hidden", "a\\b", "",
                                                            "报告.jsonl", "a/b"]), json_values)),
                "url": draw(st.one_of(st.just("https://example.org/x"), json_values)),
                "sha256": draw(st.one_of(st.sampled_from([SHA, SHA.upper(), SHA[:63], ""]), json_values))}
        for key in draw(st.lists(st.sampled_from(["title", "licence", "format", "name", "unknown", "filename"]),
                                 max_size=3)):
            spec[key] = draw(json_values)
        if draw(st.integers(0, 3)) == 0:
            spec.pop(draw(st.sampled_from(["filename", "url", "sha256"])))
        specs[name] = spec if draw(st.integers(0, 7)) else draw(json_values)
    data = {"collections": specs if draw(st.integers(0, 7)) else draw(json_values)}
    if draw(st.integers(0, 5)) == 0:
        data = draw(st.one_of(json_values, st.just([data])))
    body = _json_line(data, draw(st.booleans()))
    return body.encode(draw(st.sampled_from(["utf-8"] * 4 + ENCODINGS)), errors="replace")
