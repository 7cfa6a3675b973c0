"""Command line: ``analysis corpus fetch|info``, ``analysis segment``, ``analysis count``, ``analysis lexicon check``,
``analysis bench``, and the on-disk store's ``analysis index`` and ``analysis keyness``."""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from pathlib import Path


def _corpus_fetch(args) -> int:
    from .corpus.fetch import FetchAllError, fetch_all
    try:
        fetched, failure = fetch_all(mirror=args.mirror, force=args.force), None
    except FetchAllError as exc:  # the others were still fetched: say so, then fail naming the rest
        fetched, failure = exc.fetched, exc
    for name, path in fetched.items():
        print(f"{name}: {path} (sha256 verified)")
    if failure is not None:
        raise failure
    return 0


def _read_corpus(path: str | None):
    """The corpus at ``path`` (the study corpus without one), every warning of its loading printed as a
    ``note:`` line (each one, even when it repeats)."""
    from .corpus import load_corpus, load_default_corpus
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        docs = load_corpus(path) if path else load_default_corpus()
    for w in caught:
        print(f"note: {w.message}", file=sys.stderr)
    return docs


def _corpus_info(args) -> int:
    import pandas as pd

    from .corpus import describe_corpus, list_documents
    docs = _read_corpus(args.path)
    with pd.option_context("display.max_rows", None, "display.width", 200, "display.max_colwidth", 60):
        print(describe_corpus(docs).to_string(index=False))
        if not args.summary:
            print()
            print(list_documents(docs).to_string(index=False))
    return 0


def _add_corpus_check(corpus) -> None:
    """``analysis corpus check [PATH]``: CSV rows ``doc_id,flag,detail`` for every document that is
    truncated, a stub, incomplete or a duplicate (:func:`analysis.corpus.checks.check_documents`)."""
    def run(args) -> int:
        from .corpus.checks import check_documents
        docs = _read_corpus(args.path)
        check_documents(docs).to_csv(sys.stdout, index=False, lineterminator="\n")
        return 0
    check = corpus.add_parser("check", help="documents that are truncated, stubs, incomplete or duplicates "
                              "(CSV: doc_id,flag,detail)")
    check.add_argument("path", nargs="?", help="your own corpus (folder, .jsonl or .csv); default: the study corpus")
    check.set_defaults(func=run)


def _read_input(file: str, encoding: str | None = None) -> str:
    """The text of ``file`` (``-``: standard input), read as the loaders read it: a text file decoded
    (:func:`analysis.corpus.read_text`), a PDF, Word file or web page extracted
    (:func:`analysis.corpus.documents.read_document`)."""
    from .corpus import decode_bytes, read_document
    if file == "-":
        return decode_bytes(sys.stdin.buffer.read(), "<standard input>", encoding)[0]
    return read_document(file, encoding).text  # (any other suffix: a text file)


def _text_segmenter(args, paragraphs: list[str]):
    """The segmenter for one input text: the lexicon (plus ``--lexicon`` files) and, unless
    ``--no-learn``, the terms learned from the text itself (its paragraphs as documents)."""
    from .lexicon.terms import Lexicon
    from .tokens.segment import Segmenter
    lexicon = Lexicon.load(extra=args.lexicon or [])
    if not args.no_learn and len(paragraphs) > 1:
        from .tokens.learn import learned_lexicon
        from .tokens.pipeline import STUDY_LEARN
        lexicon = lexicon + learned_lexicon(paragraphs, lexicon, **STUDY_LEARN)
    return Segmenter(lexicon, backend=args.backend, stopwords=getattr(args, "stopwords", "none"), cache=False)


def _paragraphs(args) -> list[str]:
    from .text.normalise import normalise
    from .text.structure import split_paragraphs
    return split_paragraphs(normalise(_read_input(args.file, args.encoding)).text)


def _segment(args) -> int:
    paragraphs = _paragraphs(args)
    seg = _text_segmenter(args, paragraphs)
    for para in paragraphs:
        print(" ".join(seg.tokens(para)))
    return 0


def _count(args) -> int:
    from .tokens.nesting import count_terms
    paragraphs = _paragraphs(args)
    seg = _text_segmenter(args, paragraphs)
    table = count_terms([seg.cut(p) for p in paragraphs], args.terms, None if args.no_nested else seg.nesting)
    table.to_csv(sys.stdout, index=False, lineterminator="\n")
    return 0


def _lexicon_check(args) -> int:
    from .tokens.segment import lexicon_check
    from .corpus import load_corpus, load_default_corpus
    docs = load_corpus(args.path) if args.path else load_default_corpus()
    if args.collection:
        docs = docs[docs["collection"] == args.collection]
    if args.years:
        docs = docs[docs["year"].between(*args.years).fillna(False).astype(bool)]
    if docs.empty:
        print("error: no documents match", file=sys.stderr)
        return 2
    table = lexicon_check(docs["text"])
    print(f"{len(docs)} documents; {len(table)} lexicon terms occur, {int((table['broken'] > 0).sum())} of them broken "
          f"somewhere ({int(table['broken'].sum())} of {int(table['occurrences'].sum())} occurrences)")
    broken = table[table["broken"] > 0]
    print(broken.to_string(index=False) if len(broken) else "every lexicon term found in the corpus is kept whole")
    return 0


def _bench(args) -> int:
    from .bench.segmentation import run_benchmark
    run_benchmark(repeat=args.repeat)
    return 0


def _cli_index(args) -> int:
    from .store.build import index
    from .tokens.segment import Segmenter
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fields = {k: v for k, v in (("text", args.text_field), ("year", args.year_field),
                                    ("collection", args.collection)) if v}
        segmenter = None
        if args.lexicon:
            from .lexicon.terms import Lexicon
            segmenter = Segmenter(Lexicon.load(extra=args.lexicon), cache=False)
        result = index(args.corpus, args.out, engine=args.engine, scheduler=args.scheduler, n_jobs=args.jobs,
                       chunk_chars=args.chunk_chars, segmenter=segmenter, progress=not args.quiet,
                       overwrite=args.overwrite, **fields)
    for w in caught:
        if issubclass(w.category, UserWarning):
            print(f"note: {w.message}")
    print(f"{result.store}: indexed {result.indexed} documents ({result.chars:,} characters) in "
          f"{result.parts} parts, skipped {result.skipped} already indexed, {result.seconds:.1f} s")
    return 0


def _cli_keyness(args) -> int:
    from ._util.atomic import atomic_write
    from ._util.check import years
    from .store.store import Store
    store = Store(args.store)
    reference = store.select(collection=args.collection, years=years(args.years, "--years"), exclude=args.target)
    table = store.keyness(args.target, reference, measure=args.measure)
    out = Path(args.out)
    atomic_write(out, lambda fh: table.to_csv(fh, index=False), clean_stale=False)
    print(f"{out}: {len(table)} terms, {args.target} against {int(reference.sum())} documents "
          f"({table.attrs['filter']})")
    return 0


def add_store_commands(subparsers) -> None:
    """``analysis index`` and ``analysis keyness``: the on-disk store's commands (called by :func:`build_parser`)."""
    from .config import STORE_CHUNK_CHARS as CHUNK_CHARS, STORE_ENGINES as ENGINES
    idx = subparsers.add_parser("index", help="segment a corpus in chunks into an on-disk Parquet store")
    idx.add_argument("corpus", nargs="?", help="folder of .txt, .jsonl or .csv (default: the study corpus)")
    idx.add_argument("--out", required=True, help="store folder (created, or extended: indexed documents are skipped)")
    idx.add_argument("--engine", choices=ENGINES, default="local", help="local processes or a Dask cluster")
    idx.add_argument("--scheduler", help="Dask scheduler address, e.g. tcp://10.0.0.5:8786 (default: a LocalCluster)")
    idx.add_argument("--chunk-chars", type=int, default=CHUNK_CHARS, help="characters per chunk (bounds memory)")
    idx.add_argument("--jobs", type=int, help="worker processes (default: all cores; dask LocalCluster: 2)")
    idx.add_argument("--text-field", help="JSON Lines / CSV field holding the text (default: text)")
    idx.add_argument("--year-field", help="JSON Lines / CSV field holding the year (default: year)")
    idx.add_argument("--collection", help="collection name for documents without one (default: the file name)")
    idx.add_argument("--lexicon", action="append", metavar="TSV",
                     help="extra lexicon file (term, category, …), e.g. learned terms; repeatable")
    idx.add_argument("--overwrite", action="store_true",
                     help="delete the store first (default: keep it and add only documents not yet indexed)")
    idx.add_argument("--quiet", action="store_true", help="no progress bar")
    idx.set_defaults(func=_cli_index)

    key = subparsers.add_parser("keyness", help="keyness of a document against a reference, from a store")
    key.add_argument("store", help="a store made by `analysis index`")
    key.add_argument("--target", required=True, help="doc_id of the target document")
    key.add_argument("--collection", help="reference collection (default: every other document)")
    key.add_argument("--years", help="reference years, e.g. 2015-2024")
    key.add_argument("--measure", choices=["g2", "chi2"], default="g2")
    key.add_argument("--out", required=True, help="CSV file to write")
    key.set_defaults(func=_cli_keyness)


class _Parser(argparse.ArgumentParser):
    """argparse, but a bad command line is one line ``error: ...`` and exit status 2."""

    def error(self, message: str):
        self.exit(2, f"error: {self.prog}: {message} (see {self.prog} --help)\n")


def year_range(value: str) -> tuple[int, int]:
    """``2015-2025`` or ``2020`` → ``(first, last)``, read by the package's one years parser."""
    from ._util.check import years
    from .errors import InputError
    try:
        span = years(value, "--years")
    except InputError as exc:
        span = "after" if "is after the last" in str(exc) else None
    if span == "after":
        raise argparse.ArgumentTypeError(f"{value!r}: the first year is after the last")
    if span is None:
        raise argparse.ArgumentTypeError(f"{value!r} is not a year range such as 2015-2025 or 2020")
    return span


def positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number of at least 1")
    return number


def _text_options(parser) -> None:
    """Options shared by the commands that read one text (segment, count)."""
    parser.add_argument("--encoding", help="the file's encoding when detection guesses wrong (e.g. gbk, big5)")
    parser.add_argument("--backend", choices=["jieba", "rjieba"], default="rjieba")
    parser.add_argument("--lexicon", action="append", metavar="TSV",
                        help="extra lexicon file (term, category, …; or one term a line), repeatable")
    parser.add_argument("--no-learn", action="store_true",
                        help="do not learn multiword terms from the text itself (learned terms stay whole by default)")


def build_parser() -> argparse.ArgumentParser:
    """The command-line parser; a new command is one ``sub.add_parser(...)`` with ``set_defaults(func=...)``."""
    parser = _Parser(prog="analysis", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    corpus = sub.add_parser("corpus", help="obtain and describe corpora").add_subparsers(dest="action", required=True)
    fetch = corpus.add_parser("fetch", help="download (or copy from a mirror) and verify the reference collections")
    fetch.add_argument("--mirror", type=Path, help="local folder with the files (default: $ANALYSIS_CORPUS_MIRROR)")
    fetch.add_argument("--force", action="store_true", help="fetch again even if a verified copy exists")
    fetch.set_defaults(func=_corpus_fetch)
    info = corpus.add_parser("info", help="documents, years and characters per collection")
    info.add_argument("path", nargs="?", help="your own corpus (folder of .txt/.pdf/.docx/.html, one such document, "
                      ".jsonl or .csv); default: the study corpus")
    info.add_argument("--summary", action="store_true", help="only the table per collection, not every document")
    info.set_defaults(func=_corpus_info)
    _add_corpus_check(corpus)

    seg = sub.add_parser("segment", help="print a text normalised and segmented, one paragraph per line")
    seg.add_argument("file", help="text file (UTF-8, GB18030/GBK or Big5), PDF, Word .docx or web page, or - for standard input")
    seg.add_argument("--stopwords", choices=["none", "standard", "genre"], default="none")
    _text_options(seg)
    seg.set_defaults(func=_segment)

    count = sub.add_parser("count", help="how often terms occur in a text (CSV: term,count), nested occurrences included")
    count.add_argument("file", help="text file, or - for standard input")
    count.add_argument("terms", nargs="+", metavar="TERM", help="terms to count (as tokens, runs of tokens or "
                       "inside a longer formulation; never across a word boundary)")
    count.add_argument("--no-nested", action="store_true", help="count only whole tokens and runs of tokens")
    _text_options(count)
    count.set_defaults(func=_count)

    lex = sub.add_parser("lexicon", help="the political lexicon").add_subparsers(dest="action", required=True)
    check = lex.add_parser("check", help="lexicon terms the segmenter still breaks, with their frequency")
    check.add_argument("path", nargs="?", help="corpus to check (default: the study corpus)")
    check.add_argument("--years", type=year_range, help="year range such as 2015-2025")
    check.add_argument("--collection", help="only this collection (e.g. gwr, cpc, speech)")
    check.set_defaults(func=_lexicon_check)

    bench = sub.add_parser("bench", help="segmentation speed against plain jieba")
    bench.add_argument("--repeat", type=positive_int, default=3)
    bench.set_defaults(func=_bench)
    add_store_commands(sub)
    return parser


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2


def main(argv: list[str] | None = None) -> int:
    """Run a command.  A problem with the user's input or files ends in one line
    ``error: <file>: <what is wrong and what to do>`` on stderr and exit status 2; a
    closed pipe (``analysis segment f | head -1``) ends quietly.  Anything else is a
    bug and keeps its traceback."""
    args = build_parser().parse_args(argv)
    from .errors import AnalysisError, CacheWarning, CorpusWarning
    shown = warnings.showwarning

    def note(message, category, *rest, **kwargs):  # the package's warnings: one line each, as the errors are
        if issubclass(category, (CorpusWarning, CacheWarning)):
            print(f"note: {message}", file=sys.stderr)
        else:
            shown(message, category, *rest, **kwargs)

    warnings.showwarning = note
    try:
        status = args.func(args)
        sys.stdout.flush()
        return status
    except BrokenPipeError:
        # the reader went away: send the rest of the output nowhere and stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141  # 128 + SIGPIPE, as a tool killed by the closed pipe would report
    except AnalysisError as exc:
        return _fail(str(exc))
    except UnicodeEncodeError as exc:
        return _fail(f"cannot write the output in {exc.encoding}; set PYTHONIOENCODING=utf-8 (or a UTF-8 locale)")
    except UnicodeDecodeError as exc:
        return _fail(f"{exc}; pass --encoding or convert the file to UTF-8")
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        return _fail(f"{where}{exc.strerror or exc}")
    finally:
        warnings.showwarning = shown
