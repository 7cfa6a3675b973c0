"""Bad and hostile input for the on-disk store (issue 17): the store deletes only what it wrote,
never follows a link out of its folder, refuses folders and manifests that are not its own, names
a damaged part file in every read and repairs it on a re-run (real jieba, real files in tmp_path,
the command line as a real subprocess where it matters).

Every case compares the folder's files (names and bytes) before and after: nothing of the user's
is deleted or changed.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from analysis.cli import main
from analysis.errors import CorpusError
from analysis.store import Store, add_filter, index
from analysis.store.files import MANIFEST
from analysis.tokens.nesting import TokenFilter

SENTENCES = [
    "坚持以习近平新时代中国特色社会主义思想为指导，全面贯彻党的二十大精神。",
    "推动高质量发展，加快建设现代化产业体系，全面深化改革开放。",
    "坚持全面依法治国，推进法治中国建设，维护社会公平正义。",
    "加强生态文明建设，推动绿色低碳发展，建设美丽中国。",
    "保障和改善民生，办好人民满意的教育，实施健康中国战略。",
    "坚持党的全面领导，全面从严治党，推进党的自我革命。",
]
CHUNK = 150  # characters: several parts for the small corpus


def write_corpus(folder: Path, n: int = 6) -> Path:
    """``n`` short documents ``doc_<year>.txt``, each a few of the sentences (different mixes)."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        text = "\n".join(SENTENCES[(i + k) % len(SENTENCES)] for k in range(1 + i % 4))
        (folder / f"doc_{2000 + i}.txt").write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return write_corpus(tmp_path_factory.mktemp("corpus") / "speeches")


@pytest.fixture(scope="module")
def clean(corpus, tmp_path_factory, segmenter):
    """The corpus indexed once, untouched: what every repaired store must equal."""
    return index(corpus, tmp_path_factory.mktemp("clean") / "store", segmenter=segmenter, n_jobs=1,
                 chunk_chars=CHUNK, progress=False).store


def build(corpus, root, segmenter, **options):
    return index(corpus, root, **{"segmenter": segmenter, "n_jobs": 1, "chunk_chars": CHUNK, "progress": False,
                                  **options})


def snapshot(folder: Path) -> dict:
    """Every entry under ``folder`` (not following links): relative path → bytes, link target or 'dir'."""
    out = {}
    for path in sorted(folder.rglob("*")):
        key = str(path.relative_to(folder))
        out[key] = (f"-> {os.readlink(path)}" if path.is_symlink() else "dir" if path.is_dir()
                    else path.read_bytes())
    return out


def store_content(store: Store) -> tuple:
    """What a store holds, independent of run order: documents, every count, the vocabulary."""
    docs = store.documents().drop(columns="part")
    fkey = store.filter_key()
    counts = pd.concat([pq.read_table(store._file("counts", p, fkey)).to_pandas() for p in store.parts],
                       ignore_index=True).astype({"term": str}).sort_values(["doc_id", "term"]).reset_index(drop=True)
    return docs, counts, store.vocabulary()


def assert_same_store(store: Store, expected: Store) -> None:
    for got, want in zip(store_content(store), store_content(expected)):
        pd.testing.assert_frame_equal(got, want)
    pd.testing.assert_frame_equal(store.keyness("doc_2003"), expected.keyness("doc_2003"))


def run_cli(*args, timeout=120):
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}
    return subprocess.run([sys.executable, "-m", "analysis", *map(str, args)], capture_output=True, env=env,
                          timeout=timeout)


def one_error_line(result) -> str:
    err = result.stderr.decode("utf-8")
    assert result.returncode == 2, err
    assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err, err
    return err


def cli_error(capsys, *args) -> str:
    """``analysis.cli.main(args)`` in this process: exit 2 and one line ``error: …``."""
    assert main([str(a) for a in args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1, err
    return err


# ------------------------------------------------------------------ folders that are not a store
@pytest.mark.parametrize("overwrite", [False, True], ids=["extend", "overwrite"])
def test_a_project_folder_with_a_documents_subfolder_is_refused_untouched(corpus, tmp_path, segmenter, overwrite):
    project = tmp_path / "project"
    (project / "documents").mkdir(parents=True)
    (project / "documents" / "letter.txt").write_text("用户的文件", encoding="utf-8")
    (project / "documents" / "part-0123456789abcdef0123.parquet").write_bytes(b"a user's file with a store-like name")
    (project / "tokens").mkdir()
    (project / "tokens" / "notes.md").write_text("# notes", encoding="utf-8")
    before = snapshot(project)
    with pytest.raises(CorpusError, match="not a store .*not empty; refusing") as err:
        build(corpus, project, segmenter, overwrite=overwrite)
    assert str(project) in str(err.value)
    assert snapshot(project) == before


def test_cli_index_into_a_project_folder_is_one_error_line(corpus, tmp_path):
    project = tmp_path / "project"
    (project / "documents").mkdir(parents=True)
    (project / "documents" / "letter.txt").write_text("用户的文件", encoding="utf-8")
    before = snapshot(project)
    for extra in ([], ["--overwrite"]):
        err = one_error_line(run_cli("index", corpus, "--out", project, "--jobs", "1", "--quiet", *extra))
        assert str(project) in err and "not a store" in err
        assert snapshot(project) == before


def test_a_run_killed_before_its_first_manifest_resumes(corpus, tmp_path, segmenter, clean):
    """A folder holding only a temporary of the store's first manifest is the store's own leftover."""
    root = tmp_path / "store"
    root.mkdir()
    (root / f".{MANIFEST}.999999.ab12cd.part").write_bytes(b'{"format": "analysis.st')
    result = build(corpus, root, segmenter)
    assert result.indexed == 6 and not list(root.glob(".*"))
    assert_same_store(result.store, clean)


def test_out_that_is_a_file_is_refused(corpus, tmp_path, capsys):
    out = tmp_path / "store.txt"
    out.write_text("keep", encoding="utf-8")
    err = cli_error(capsys, "index", corpus, "--out", out, "--jobs", "1", "--quiet", "--overwrite")
    assert str(out) in err and "not a folder" in err
    assert out.read_text(encoding="utf-8") == "keep"


@pytest.mark.parametrize("overwrite", [False, True], ids=["extend", "overwrite"])
def test_a_foreign_manifest_json_is_refused_untouched(corpus, tmp_path, segmenter, overwrite, capsys):
    """A web app's manifest.json is not the store's: nothing is deleted, with or without --overwrite."""
    app = tmp_path / "webapp"
    app.mkdir()
    (app / MANIFEST).write_text(json.dumps({"name": "app", "icons": [], "start_url": "/"}), encoding="utf-8")
    (app / "index.html").write_text("<html></html>", encoding="utf-8")
    (app / "documents").mkdir()
    (app / "documents" / "about.html").write_text("<p>about</p>", encoding="utf-8")
    before = snapshot(app)
    with pytest.raises(CorpusError, match="not a store manifest") as err:
        build(corpus, app, segmenter, overwrite=overwrite)
    assert str(app / MANIFEST) in str(err.value)
    with pytest.raises(CorpusError, match="not a store manifest"):
        Store(app)
    err = cli_error(capsys, "keyness", app, "--target", "doc_2003", "--out", tmp_path / "k.csv")
    assert str(app / MANIFEST) in err
    assert snapshot(app) == before and not (tmp_path / "k.csv").exists()


@pytest.mark.parametrize("manifest,message", [
    ({"format": "analysis.store/2", "parts": {}}, "store format 'analysis.store/2', this version reads"),
    ({"format": "analysis.store/1", "parts": {}}, r"store manifest without \['segmenter', 'filters'"),
    ([1, 2, 3], "not a store manifest"),
    ("{not json", "not a readable store manifest"),
], ids=["future-format", "missing-keys", "not-an-object", "not-json"])
def test_a_manifest_of_another_format_is_refused_by_name(corpus, tmp_path, segmenter, manifest, message):
    root = tmp_path / "store"
    root.mkdir()
    (root / MANIFEST).write_text(manifest if isinstance(manifest, str) else json.dumps(manifest), encoding="utf-8")
    (root / "documents").mkdir()
    (root / "documents" / "part-0123456789abcdef0123.parquet").write_bytes(b"from the other version")
    before = snapshot(root)
    for overwrite in (False, True):
        with pytest.raises(CorpusError, match=message) as err:
            build(corpus, root, segmenter, overwrite=overwrite)
        assert str(root / MANIFEST) in str(err.value)
    with pytest.raises(CorpusError, match=message):
        Store(root)
    assert snapshot(root) == before


# ------------------------------------------------------------------ a store holding a user's files
def test_rerun_deletes_only_the_stores_uncommitted_files(corpus, tmp_path, segmenter, clean):
    root = tmp_path / "store"
    store = build(corpus, root, segmenter).store
    user = {"notes.txt": "我的笔记", "documents/letter.txt": "信",
            "documents/part-0123456789abcdef0123.parquet.bak": "备份", "tokens/my.parquet": "mine",
            "counts/README": "readme", "counts/mine/part-0123456789abcdef0123.parquet": "x",
            "vocabulary/terms.csv": "term\n", "documents/.hidden": "h"}
    for name, text in user.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    # the store's own leftovers of a killed run: an uncommitted part file and temporaries
    stray = ["documents/part-fedcba9876543210fedc.parquet",
             "tokens/.part-fedcba9876543210fedc.parquet.999999.ab12cd.part",
             f"counts/{store.filter_key()}/.part-fedcba9876543210fedc.parquet.999999.zz.part",
             f"vocabulary/.{store.filter_key()}.parquet.999999.q1.part", ".manifest.json.999999.r2.part"]
    for name in stray:
        (root / name).write_bytes(b"half")
    result = build(corpus, root, segmenter)
    assert result.indexed == 0 and result.skipped == 6
    for name, text in user.items():
        assert (root / name).read_text(encoding="utf-8") == text, name
    assert not any((root / name).exists() for name in stray)
    assert_same_store(result.store, clean)


def test_overwrite_deletes_only_what_the_store_wrote(corpus, tmp_path, segmenter, clean):
    root = tmp_path / "store"
    build(corpus, root, segmenter, filters=[TokenFilter("none", min_chars=1, numbers=True)])
    add_filter(root, TokenFilter("genre"), n_jobs=1)
    (root / "notes.txt").write_text("保留", encoding="utf-8")
    (root / "documents" / "letter.txt").write_text("信", encoding="utf-8")
    user = {k: v for k, v in snapshot(root).items() if k in ("notes.txt", "documents/letter.txt")}
    own = [k for k in snapshot(root) if k.endswith(".parquet")]
    assert len(own) > 6
    with pytest.warns(UserWarning, match=r"kept 2 file\(s\) the store did not write: documents/letter.txt, notes.txt"):
        result = build(corpus, root, segmenter, overwrite=True)
    after = snapshot(root)
    assert {k: after[k] for k in user} == user
    # only the new store's files beside them: the old filters' counts and vocabularies are gone
    assert sorted(os.listdir(root / "counts")) == [result.store.filter_key()]
    assert sorted(os.listdir(root / "vocabulary")) == [f"{result.store.filter_key()}.parquet"]
    assert_same_store(result.store, clean)


def test_overwrite_of_a_store_of_only_its_own_files_removes_them_all(corpus, tmp_path, segmenter):
    root = tmp_path / "store"
    build(corpus, root, segmenter)
    first = snapshot(root)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        build(corpus, root, segmenter, overwrite=True, chunk_chars=10_000)
    assert not [w for w in caught if "did not write" in str(w.message)]  # nothing kept, nothing to warn about
    assert len(Store(root).parts) == 1 and len(list((root / "documents").iterdir())) == 1
    assert set(snapshot(root)) != set(first)


# ------------------------------------------------------------------ symbolic links
def test_a_symlinked_tokens_folder_is_refused(corpus, tmp_path, segmenter):
    root = tmp_path / "store"
    build(corpus, root, segmenter)
    outside = tmp_path / "elsewhere"
    (root / "tokens").rename(outside)
    (outside / "part-fedcba9876543210fedc.parquet").write_bytes(b"outside the store: must survive")
    (outside / ".part-fedcba9876543210fedc.parquet.999999.x.part").write_bytes(b"also")
    (root / "tokens").symlink_to(outside, target_is_directory=True)
    before, outside_before = snapshot(root), snapshot(outside)
    for overwrite in (False, True):
        with pytest.raises(CorpusError, match="symbolic link inside the store") as err:
            build(corpus, root, segmenter, overwrite=overwrite)
        assert str(root / "tokens") in str(err.value)
    with pytest.raises(CorpusError, match="leads out of the store") as err:
        list(Store(root).iter_paragraphs())
    assert str(root / "tokens") in str(err.value)
    assert snapshot(root) == before and snapshot(outside) == outside_before


def test_a_symlinked_part_file_pointing_outside_is_refused(corpus, tmp_path, segmenter, capsys):
    root = tmp_path / "store"
    store = build(corpus, root, segmenter).store
    part = store.parts[0]
    secret = tmp_path / "secret.parquet"
    (root / "documents" / f"{part}.parquet").rename(secret)
    (root / "documents" / f"{part}.parquet").symlink_to(secret)
    stray = root / "counts" / store.filter_key() / "part-fedcba9876543210fedc.parquet"
    stray.symlink_to(tmp_path / "user-data.parquet")
    (tmp_path / "user-data.parquet").write_bytes(b"user data")
    before, secret_bytes = snapshot(root), secret.read_bytes()
    with pytest.raises(CorpusError, match="symbolic link inside the store") as err:
        build(corpus, root, segmenter)
    assert f"{part}.parquet" in str(err.value) or str(stray) in str(err.value)
    with pytest.raises(CorpusError, match="leads out of the store"):
        Store(root).documents()
    err = cli_error(capsys, "keyness", root, "--target", "doc_2003", "--out", tmp_path / "k.csv")
    assert f"{part}.parquet" in err
    assert snapshot(root) == before and secret.read_bytes() == secret_bytes
    assert (tmp_path / "user-data.parquet").read_bytes() == b"user data"


# ------------------------------------------------------------------ names read from the manifest
@pytest.mark.parametrize("name", ["../x", "../../outside", "/etc/passwd", "part-zz", "part-0123456789ABCDEF0123",
                                  "part-0123456789abcdef0123/../../x", ""])
def test_part_names_in_the_manifest_are_checked(corpus, tmp_path, segmenter, name, capsys):
    root = tmp_path / "store"
    build(corpus, root, segmenter)
    manifest = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
    first = next(iter(manifest["parts"]))
    manifest["parts"][name] = manifest["parts"].pop(first)
    (root / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    before = snapshot(root)
    for attempt in (lambda: Store(root), lambda: build(corpus, root, segmenter),
                    lambda: build(corpus, root, segmenter, overwrite=True),
                    lambda: add_filter(root, TokenFilter("genre"))):
        with pytest.raises(CorpusError, match="part name .* is not one the store makes") as err:
            attempt()
        assert str(root / MANIFEST) in str(err.value) and repr(name) in str(err.value)
    err = cli_error(capsys, "keyness", root, "--target", "doc_2003", "--out", tmp_path / "k.csv")
    assert str(root / MANIFEST) in err
    assert snapshot(root) == before


@pytest.mark.parametrize("key", ["../../x", "ab/cd", "0123456789abcdef/..", "default"])
def test_filter_keys_in_the_manifest_are_checked(corpus, tmp_path, segmenter, key):
    root = tmp_path / "store"
    build(corpus, root, segmenter)
    manifest = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
    manifest["filters"][key] = manifest["filters"].pop(manifest["default_filter"])
    manifest["default_filter"] = key
    (root / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    before = snapshot(root)
    for attempt in (lambda: Store(root), lambda: build(corpus, root, segmenter),
                    lambda: build(corpus, root, segmenter, overwrite=True)):
        with pytest.raises(CorpusError, match="filter key .* is not one the store makes") as err:
            attempt()
        assert str(root / MANIFEST) in str(err.value)
    assert snapshot(root) == before


# ------------------------------------------------------------------ damaged parts: named, then repaired
def _damage(path: Path, how: str) -> None:
    if how == "truncated":
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    elif how == "zero-byte":
        path.write_bytes(b"")
    elif how == "missing":
        path.unlink()
    elif how == "wrong-schema":
        pq.write_table(pa.table({"something": ["else"]}), path)


@pytest.mark.parametrize("kind", ["tokens", "documents", "counts"])
@pytest.mark.parametrize("how", ["truncated", "zero-byte", "missing", "wrong-schema"])
def test_a_damaged_part_is_named_and_repaired_by_index(corpus, tmp_path, segmenter, clean, kind, how):
    root = tmp_path / "store"
    store = build(corpus, root, segmenter).store
    (root / "notes.txt").write_text("保留", encoding="utf-8")
    part = store.parts[1]
    target = store.documents().loc[lambda d: d["part"] == part, "doc_id"].iloc[0]  # a document of the part
    path = store._file(kind, part, store.filter_key() if kind == "counts" else None)
    _damage(path, how)
    reads = {"documents": lambda s: s.documents(), "keyness": lambda s: s.keyness("doc_2003"),
             "paragraphs": lambda s: list(s.iter_paragraphs()), "tfidf": lambda s: s.tfidf(),
             "trends": lambda s: s.term_trends(["建设"]), "frequency": lambda s: s.term_frequency(),
             "units": lambda s: s.keyness(target, units="paragraphs")}
    touches = {"documents": list(reads), "counts": ["keyness", "tfidf", "trends", "frequency", "units"],
               "tokens": ["paragraphs", "units"]}  # every read that opens a file of this kind
    for what in touches[kind]:
        read = reads[what]
        with pytest.raises(CorpusError, match=r"damaged \(.+\); run `analysis index CORPUS --out") as err:
            read(Store(root))
        assert str(path) in str(err.value) and str(root) in str(err.value), what
    with pytest.warns(UserWarning, match=f"1 damaged part.*{part}"):
        result = build(corpus, root, segmenter)
    assert result.indexed == store.manifest["parts"][part]["n_docs"] and result.skipped == 6 - result.indexed
    assert result.store.parts == clean.parts  # the part is back in its place
    assert_same_store(result.store, clean)
    assert (root / "notes.txt").read_text(encoding="utf-8") == "保留"
    again = build(corpus, root, segmenter)  # and now it is whole: nothing to do
    assert again.indexed == 0 and again.skipped == 6


def test_a_damaged_vocabulary_is_named_and_counted_again(corpus, tmp_path, segmenter, clean):
    root = tmp_path / "store"
    store = build(corpus, root, segmenter).store
    path = root / "vocabulary" / f"{store.filter_key()}.parquet"
    _damage(path, "truncated")
    with pytest.raises(CorpusError, match="damaged") as err:
        Store(root).vocabulary()
    assert str(path) in str(err.value)
    result = build(corpus, root, segmenter)
    assert result.indexed == 0
    assert_same_store(result.store, clean)


def test_cli_keyness_on_a_damaged_store_is_one_error_line(corpus, tmp_path, segmenter):
    root = tmp_path / "store"
    store = build(corpus, root, segmenter).store
    path = store._file("counts", store.parts[0], store.filter_key())
    _damage(path, "truncated")
    out = tmp_path / "keyness.csv"
    err = one_error_line(run_cli("keyness", root, "--target", "doc_2003", "--out", out))
    assert str(path) in err and "damaged" in err and "analysis index" in err
    assert not out.exists()
    # the command line repairs it, and then keyness works
    repaired = run_cli("index", corpus, "--out", root, "--jobs", "1", "--quiet", "--chunk-chars", CHUNK)
    assert repaired.returncode == 0, repaired.stderr.decode()
    assert "damaged part" in repaired.stdout.decode()
    assert main(["keyness", str(root), "--target", "doc_2003", "--out", str(out)]) == 0
    assert len(pd.read_csv(out)) > 0


# ------------------------------------------------------------------ kill -9 in the middle of an index
KILL_SCRIPT = """
import sys
from analysis.store import index
index(sys.argv[1], sys.argv[2], n_jobs=1, chunk_chars=1, progress=False)
"""


def test_kill_9_mid_index_then_rerun_gives_the_same_store(tmp_path, segmenter):
    corpus = write_corpus(tmp_path / "many", n=60)
    complete = index(corpus, tmp_path / "complete", segmenter=segmenter, n_jobs=1, chunk_chars=1, progress=False).store
    root = tmp_path / "killed"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}
    proc = subprocess.Popen([sys.executable, "-c", KILL_SCRIPT, str(corpus), str(root)], env=env)
    deadline = time.monotonic() + 120
    committed = 0
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            committed = len(json.loads((root / MANIFEST).read_text(encoding="utf-8"))["parts"])
        except (OSError, ValueError):
            committed = 0
        if committed >= 3:
            os.kill(proc.pid, signal.SIGKILL)
            break
        time.sleep(0.005)
    assert proc.wait(timeout=60) == -signal.SIGKILL, "the index run finished before it could be killed"
    left = len(json.loads((root / MANIFEST).read_text(encoding="utf-8"))["parts"])
    assert 3 <= left < 60
    (root / "notes.txt").write_text("保留", encoding="utf-8")
    (root / "documents" / "letter.txt").write_text("信", encoding="utf-8")
    resumed = index(corpus, root, segmenter=segmenter, n_jobs=1, chunk_chars=1, progress=False)
    assert resumed.skipped == left and resumed.indexed == 60 - left
    assert resumed.store.parts == complete.parts
    assert_same_store(resumed.store, complete)
    assert (root / "notes.txt").read_text(encoding="utf-8") == "保留"
    assert (root / "documents" / "letter.txt").read_text(encoding="utf-8") == "信"
    assert not [p for p in root.rglob(".*") if p.is_file()]  # no temporaries left
