"""Command line: ``analysis corpus fetch|info``, ``analysis segment``, ``analysis count``, ``analysis lexicon check``, ``analysis bench``."""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import pandas as pd

from .store import add_store_commands


def _corpus_fetch(args) -> int:
    from .corpus import fetch_all
    for name, path in fetch_all(mirror=args.mirror, force=args.force).items():
        print(f"{name}: {path} (sha256 verified)")
    return 0


def _corpus_info(args) -> int:
    from .corpus import describe_corpus, list_documents, load_corpus, load_default_corpus
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        docs = load_corpus(args.path) if args.path else load_default_corpus()
    for w in caught:
        print(f"note: {w.message}", file=sys.stderr)
    with pd.option_context("display.max_rows", None, "display.width", 200, "display.max_colwidth", 60):
        print(describe_corpus(docs).to_string(index=False))
        print()
        print(list_documents(docs).to_string(index=False))
    return 0


def _segment(args) -> int:
    from .segment import Segmenter
    from .preprocessing import normalise
    from .structure import split_paragraphs
    text = sys.stdin.read() if args.file == "-" else Path(args.file).read_text(encoding="utf-8")
    seg = Segmenter(backend=args.backend, stopwords=args.stopwords, cache=False)
    for para in split_paragraphs(normalise(text).text):
        print(" ".join(seg.tokens(para)))
    return 0


def _count(args) -> int:
    from .preprocessing import normalise
    from .segment import Segmenter
    from .structure import split_paragraphs
    from .tokens import count_terms
    text = sys.stdin.read() if args.file == "-" else Path(args.file).read_text(encoding="utf-8")
    seg = Segmenter(backend=args.backend, cache=False)
    streams = [seg.cut(p) for p in split_paragraphs(normalise(text).text)]
    terms = [normalise(t).text.strip() for t in args.terms]
    table = count_terms(streams, terms, None if args.no_nested else seg.nesting)
    table.to_csv(sys.stdout, index=False, lineterminator="\n")
    return 0


def _lexicon_check(args) -> int:
    from .segment import lexicon_check
    from .corpus import load_corpus, load_default_corpus
    docs = load_corpus(args.path) if args.path else load_default_corpus()
    if args.collection:
        docs = docs[docs["collection"] == args.collection]
    if args.years:
        lo, _, hi = args.years.partition("-")
        docs = docs[docs["year"].between(int(lo), int(hi or lo)).fillna(False).astype(bool)]
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
    from .bench import run_benchmark
    run_benchmark(repeat=args.repeat)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="analysis", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    corpus = sub.add_parser("corpus", help="obtain and describe corpora").add_subparsers(dest="action", required=True)
    fetch = corpus.add_parser("fetch", help="download (or copy from a mirror) and verify the reference collections")
    fetch.add_argument("--mirror", type=Path, help="local folder with the files (default: $ANALYSIS_CORPUS_MIRROR)")
    fetch.add_argument("--force", action="store_true", help="fetch again even if a verified copy exists")
    fetch.set_defaults(func=_corpus_fetch)
    info = corpus.add_parser("info", help="documents, years and characters per collection")
    info.add_argument("path", nargs="?", help="your own corpus (folder, .jsonl or .csv); default: the study corpus")
    info.set_defaults(func=_corpus_info)

    seg = sub.add_parser("segment", help="print a text normalised and segmented, one paragraph per line")
    seg.add_argument("file", help="UTF-8 text file, or - for standard input")
    seg.add_argument("--backend", choices=["jieba", "rjieba"], default="rjieba")
    seg.add_argument("--stopwords", choices=["none", "standard", "genre"], default="none")
    seg.set_defaults(func=_segment)

    count = sub.add_parser("count", help="how often terms occur in a text (CSV: term,count), nested occurrences included")
    count.add_argument("file", help="text file, or - for standard input")
    count.add_argument("terms", nargs="+", metavar="TERM", help="terms to count (as tokens, runs of tokens or "
                       "inside a longer formulation; never across a word boundary)")
    count.add_argument("--backend", choices=["jieba", "rjieba"], default="rjieba")
    count.add_argument("--no-nested", action="store_true", help="count only whole tokens and runs of tokens")
    count.set_defaults(func=_count)

    lex = sub.add_parser("lexicon", help="the political lexicon").add_subparsers(dest="action", required=True)
    check = lex.add_parser("check", help="lexicon terms the segmenter still breaks, with their frequency")
    check.add_argument("path", nargs="?", help="corpus to check (default: the study corpus)")
    check.add_argument("--years", help="year range such as 2015-2025")
    check.add_argument("--collection", help="only this collection (e.g. gwr, cpc, speech)")
    check.set_defaults(func=_lexicon_check)

    bench = sub.add_parser("bench", help="segmentation speed against plain jieba")
    bench.add_argument("--repeat", type=int, default=3)
    bench.set_defaults(func=_bench)
    add_store_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from .errors import AnalysisError
    try:
        return args.func(args)
    except AnalysisError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
