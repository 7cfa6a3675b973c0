"""Learn the multiword terms of the corpus being analysed, for segmentation to keep whole.

The curated lexicon (:mod:`analysis.lexicon`) is closed: a term nobody listed is broken by
jieba (``减税/降费``, ``安全/生产``, ``稳/外贸``, ``互联网/+``).  :func:`learn_terms` finds such
terms in the texts themselves, from the statistics of :func:`analysis.phrases.ngram_stats`
(PMI, branching entropy over tokens and characters, the dominant neighbour), and keeps a
candidate when it is

1. frequent: seen ``min_count`` times in at least ``min_docs`` documents;
2. cohesive: its weakest internal joint has normalised PMI of at least ``min_npmi``;
3. free outside: left and right branching entropy (over tokens and over characters) of at
   least ``min_entropy`` bits;
4. maximal: not a fragment of a longer unit that it nearly always sits in;
5. clean at the edges: no stopword or function word (adverb, pronoun, preposition,
   conjunction, particle, time or locality word, classifier) at either end, no hortatory
   verb of the genre at the start, no particle or conjunction inside, not a predicate
   (verb + object, or ending in a verb without a noun before it) unless coined;
6. new: not already a lexicon term, and not vetoed by the researcher.

Every threshold is an argument of :func:`learn_terms`, documented there with the reason for
its default.  Learned terms are written to a reviewable TSV (:func:`save_learned`), with a
``keep`` column a researcher sets to ``no`` to veto a term; :func:`learned_lexicon` learns
once per corpus (cached by the sha256 of the texts, the lexicon and the thresholds) and
returns the kept terms as a :class:`~analysis.lexicon.Lexicon` for the segmenter::

    learned = learned_lexicon(docs["text"], Lexicon.load())
    seg = Segmenter(Lexicon.load(extra=[learned]))

Measured (``make lexicon-eval``; 30% of the lexicon's testable terms left out, learned back
from the study corpus): 37 of the 43 left-out terms that occur five times or more come back
whole (recall 0.86; 27 of the 33 that jieba splits, 0.82, against 1 without learning), but
only 55 of 100 sampled learned terms are genuine terms by hand judgement (precision 0.55): the
rest are mostly free combinations as cohesive as terms (优化营商环境, 资源消耗, 广大侨胞).
A stricter setting trades recall for precision (0.66 / 0.76); review the TSV before relying
on the learned terms.

References: Church & Hanks (1990) for PMI; Bouma (2009) for normalised PMI; Harris (1955)
and Jin & Tanaka-Ishii (2006) for branching entropy as a word-boundary signal; Frantzi,
Ananiadou & Mima (2000, C-value) for preferring the maximal term over its nested fragments.
"""

from __future__ import annotations

import csv
import hashlib
import json
import warnings
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from .. import config
from .._util.atomic import atomic_write
from ..corpus.readers import read_text
from ..errors import CacheWarning, InputError
from ..lexicon.terms import Lexicon, genre_stopwords, standard_stopwords
from ..lexicon.phrases import JOINERS, ngram_stats
from ..text.normalise import normalise
from ..text.structure import split_paragraphs

LEARN_VERSION = "4"  # bump when the learning rule changes: invalidates cached tables
COLUMNS = ["term", "count", "n_docs", "pmi", "left_entropy", "right_entropy", "score", "tokens", "example"]
EXTRA_COLUMNS = ["npmi", "bound", "left_char_entropy", "right_char_entropy"]
TSV_COLUMNS = ["term", "keep", "score", "count", "n_docs", "pmi", "npmi", "bound", "left_entropy", "right_entropy",
               "left_char_entropy", "right_char_entropy", "tokens", "example"]
VETO_FILE_NAME = "veto.txt"

# jieba part-of-speech tags (ICTCLAS set) that cannot open or close a term: adverbs, pronouns,
# prepositions, conjunctions, particles, time and locality words, classifiers, interjections,
# onomatopoeia, modal particles, non-words.
EDGE_TAGS = frozenset({"d", "ad", "vd", "r", "rr", "rz", "p", "c", "u", "uj", "ul", "uv", "uz", "ug", "ud",
                       "t", "tg", "f", "q", "e", "o", "y", "x", "zg"})
INNER_TAGS = frozenset({"c", "u", "uj", "ul", "uv", "uz", "ug", "ud", "p", "y", "e", "d", "vd", "ad", "r", "rr", "rz"})
NOUN_TAGS = frozenset({"n", "nr", "ns", "nt", "nz", "ng", "nrt", "nrfg", "j", "i", "l"})
NOMINAL_TAGS = frozenset({"n", "nr", "ns", "nt", "nz", "ng", "nrt", "nrfg", "j", "vn", "an", "i", "l"})
# Semantically light head nouns (泛义名词): X问题, X影响, X方面 name an aspect of X, not a new concept.
GENERIC_HEADS = frozenset("""问题 影响 方面 目标 任务 现象 程度 水平 能力 活力 作用 情况 领域 形式 措施 条件 方式 过程
    基础 环节 重点 成绩 成效 成就 局面 态势 趋势 势头 步伐 力度 办法 意见 要求 内容 工作者 进程 状况 进展 动力
    步骤 效益""".split())
# ``党的`` is part of the party's fixed formulations (党的二十大, 党的全面领导): the only particle let inside.
INNER_ALLOWED = frozenset({("党", "的")})

DEFAULTS = {"min_count": 5, "min_docs": 2, "min_npmi": 0.4, "min_pmi": 0.0, "min_entropy": 1.0,
            "fragment_share": 0.8, "min_bound": 0.5, "max_n": 4, "min_chars": 3}


@lru_cache(maxsize=1)
def _tagger():
    import rjieba
    return rjieba.Jieba()


@lru_cache(maxsize=200_000)
def _edge_tags(token: str) -> tuple[str, str]:
    """jieba's tag of the first and of the last piece of ``token`` (the base dictionary's tag)."""
    pairs = _tagger().tag(token, False)
    return (pairs[0][1], pairs[-1][1]) if pairs else ("x", "x")


def paragraph_tokens(texts: Iterable[str], lexicon: Lexicon | None = None) -> list[list[list[str]]]:
    """Unfiltered tokens of each text, paragraph by paragraph (normalised, then ``Segmenter.cut``)."""
    from .segment import Segmenter
    seg = Segmenter(lexicon if lexicon is not None else Lexicon.load(), cache=False)
    return [[seg.cut(p) for p in split_paragraphs(normalise(t).text)] for t in texts]


def _is_texts(items: Sequence) -> bool:
    return all(isinstance(x, str) for x in items)


def learn_terms(texts_or_token_docs: Iterable[str] | Iterable[Sequence[str]], *, lexicon: Lexicon | None = None,
                min_count: int = DEFAULTS["min_count"], min_docs: int = DEFAULTS["min_docs"],
                min_npmi: float = DEFAULTS["min_npmi"], min_pmi: float = DEFAULTS["min_pmi"],
                min_entropy: float = DEFAULTS["min_entropy"], fragment_share: float = DEFAULTS["fragment_share"],
                min_bound: float = DEFAULTS["min_bound"], max_n: int = DEFAULTS["max_n"],
                min_chars: int = DEFAULTS["min_chars"], stopwords: Iterable[str] | None = None,
                veto: Iterable[str] = (), free_context: bool = True) -> pd.DataFrame:
    """Multiword terms of a corpus, best first.

    ``texts_or_token_docs``: raw texts (normalised, split into paragraphs and cut here with
    the lexicon's segmenter) or documents already cut into unfiltered tokens (a list of
    tokens, or a list of paragraphs each a list of tokens).  Each item is one document.

    Thresholds (defaults chosen on the study corpus: Government Work Reports 1954-2025,
    Congress reports, the speech; ``python -m analysis.tokens.learn_eval`` prints the recall and
    precision they give, and those of a stricter and a looser setting):

    ``min_count=5``
        Occurrences.  Below five, association scores rest on too few events to be told from
        chance (Church & Hanks 1990 leave out pairs seen fewer than five times for this reason).
    ``min_docs=2``
        Documents it occurs in.  A term of a discourse recurs across texts; an n-gram repeated
        inside one report is mostly that report's topic phrase.  Pass 1 for a single text.
    ``min_npmi=0.4``
        Normalised PMI at the weakest internal joint, ``pmi / -log2 p(n-gram)`` (Bouma 2009):
        1 when the parts never occur apart, 0 when independent.  Unlike PMI it does not grow
        with the corpus, so one threshold serves a speech and seventy years of reports.  Free
        combinations of frequent words score about 0.3 (持续推进 0.34, 国际市场 0.39);
        安全生产 0.49, 减税降费 0.87.  (Values slightly above 1 occur on tiny corpora, where
        n-grams of different orders have different totals.)
    ``min_pmi=0``
        Optional floor on plain PMI in bits (off by default).
    ``min_entropy=1.0``
        Bits of branching entropy on each side, over neighbouring tokens and over neighbouring
        characters alike (a punctuation mark or the paragraph's edge counts as a new context
        each time: the unit cannot extend over it).  Below one bit a single neighbour dominates:
        the candidate is part of something longer or bound to one construction.
    ``fragment_share=0.8``
        A candidate that one neighbouring word accompanies in this share of its occurrences
        is a fragment of a longer unit (家庭联产承包 of ...责任制, 链长制 of 数字链长制); the
        longer unit is a candidate of its own (the nesting rule of C-value, Frantzi et al. 2000).
    ``min_bound=0.5``
        A candidate ending in a verb or adjective without a noun or numeral before it
        (协调配合, 显著提升) is a predicate, not a term, unless it is a coined slogan: one of
        its tokens spends at least this share of its occurrences inside the candidate (降费 in
        减税降费).  The same exemption lifts the verb + object rule (揭榜挂帅).
    ``max_n=4``
        Tokens per candidate.  Longer formulations are built by the segmenter from lexicon
        and learned terms.
    ``min_chars=3``
        Characters.  Two one-character tokens that form a word are nearly always in jieba's
        dictionary already.
    ``stopwords``
        Words that cannot open or close a term; default the stopwords-iso list, plus, at the
        start only, the genre list of hortatory verbs (加强, 推进, 坚持 ...: 加强X is a
        directive about X, not a term).
    ``veto``
        Terms never to return.
    ``free_context=True``
        Words of two characters or more that cannot open a term (``stopwords`` and the genre
        list) count as a boundary just before a candidate, and those that cannot close one just
        after it, in the
        entropies and the fragment share: 习近平强军思想, nine times in ten after 贯彻, is
        not a fragment of 贯彻习近平强军思想.

    Part-of-speech rules (jieba's base-dictionary tags of the edge tokens): no function word
    at either edge (:data:`EDGE_TAGS`), no adverb, pronoun, particle or conjunction inside
    (:data:`INNER_TAGS`, except ``党的``), no semantically light head noun at the end
    (:data:`GENERIC_HEADS`: X问题, X方面; a one-character stopword may close a numbered
    formulation: 十三五, 党的十九大), no quantity (a numeral at the end unless the
    candidate starts with one: 十三五 yes, 连续四年 no), no verb + object predicate
    (采取切实措施, 运用经济手段), and the predicate rule of ``min_bound``.

    Returns ``term, count, n_docs, pmi, left_entropy, right_entropy, score, tokens, example``
    and ``npmi, bound, left_char_entropy, right_char_entropy``; ``score = pmi *
    min(left_entropy, right_entropy)``; ``tokens`` is how the segmenter (with ``lexicon``)
    splits the term; sorted by score, then count, then term (deterministic).
    """
    items = list(texts_or_token_docs)
    lex = lexicon if lexicon is not None else Lexicon.load()
    token_docs = paragraph_tokens(items, lex) if items and _is_texts(items) else items
    stop_end = frozenset(stopwords) if stopwords is not None else standard_stopwords()
    stop_start = stop_end | (genre_stopwords() if stopwords is None else frozenset())
    # Only words of two characters or more: a one-character stopword is often part of a word
    # that jieba split (可/支配/收入, 三/大革命运动).
    free_before = {w for w in stop_start if len(w) > 1} if free_context else ()
    free_after = {w for w in stop_end if len(w) > 1} if free_context else ()
    stats = ngram_stats(token_docs, max_n=max_n, min_count=min_count, free_before=free_before,
                        free_after=free_after)
    table = stats.table
    vetoed = frozenset(veto)

    tokens = table["tokens"].str.split(" ")
    passes = ((table["count"] >= min_count) & (table["n_docs"] >= min_docs)
              & (table["phrase"].str.len() >= min_chars) & (table["pmi"] >= min_pmi) & (table["npmi"] >= min_npmi)
              & (table[["left_entropy", "right_entropy", "left_char_entropy", "right_char_entropy"]].min(axis=1)
                 >= min_entropy)
              & ~table["phrase"].isin(lex.terms) & ~table["phrase"].isin(vetoed)
              & pd.Series([_clean(t, b, stop_start, stop_end, min_bound)
                           for t, b in zip(tokens, table["bound"])], index=table.index, dtype=bool))
    table = table[passes.to_numpy()].copy()
    table = _drop_fragments(table, fragment_share)
    table["score"] = table["pmi"] * np.minimum(table["left_entropy"], table["right_entropy"])
    table["example"] = [stats.example(int(f), int(n)) for f, n in zip(table["first"], table["n"])]
    table = (table.rename(columns={"phrase": "term"})
             .sort_values(["score", "count", "term"], ascending=[False, False, True], kind="stable")
             .drop_duplicates("term").reset_index(drop=True))
    return table[COLUMNS + EXTRA_COLUMNS]


def _clean(tokens: list[str], bound: float, stop_start: frozenset, stop_end: frozenset, min_bound: float) -> bool:
    """The part-of-speech and stopword rules of :func:`learn_terms` (see there)."""
    first, last = tokens[0], tokens[-1]
    numbered = len(tokens) > 1 and len(last) == 1 and _edge_tags(tokens[-2])[1] == "m"  # 十三/五, 十九/大
    if first in stop_start or (last in stop_end and not numbered) or last in GENERIC_HEADS:
        return False
    head, tail = _edge_tags(first)[0], _edge_tags(last)[1]
    if last in JOINERS:  # 互联网+: the + closes a name
        tail = "n"
    if head in EDGE_TAGS or tail in EDGE_TAGS:
        return False
    if tail == "m" and head != "m":  # a quantity (连续四年, 三十亿元); numbered formulations start with one
        return False
    # A predicate (显著提升, 协调配合): a verb or adjective at the end needs a noun or a numeral
    # before it (行政执法, 中华民族伟大复兴, 四个自信), or a part that hardly occurs outside it
    # (a coined slogan: 降费 in 减税降费).
    if tail not in NOMINAL_TAGS and tail != "m" and head not in NOUN_TAGS | {"m"} and bound < min_bound:
        return False
    if tail == "a" and head in NOUN_TAGS and bound < min_bound and not numbered:  # a clause: 开局良好, 成果丰硕
        return False
    # Verb + object (采取切实措施, 改善人民生活); 脱贫攻坚 (verb + verbal noun, two tokens) stays, and so
    # does a coined term whose rarest part hardly occurs outside it (揭榜挂帅).
    if bound < min_bound and len(first) >= 2 and (
            (head == "v" and (tail in NOUN_TAGS or (tail in NOMINAL_TAGS and len(tokens) > 2)))
            or (head == "vn" and tail in NOUN_TAGS and len(tokens) > 2)):  # 运用经济手段, 管理国家事务
        return False
    for prev, tok in zip(tokens[:-2], tokens[1:-1]):
        if (prev, tok) in INNER_ALLOWED:
            continue
        if _edge_tags(tok)[0] in INNER_TAGS or (len(tok) == 1 and tok in stop_end):
            return False
    return True


def _drop_fragments(table: pd.DataFrame, share: float) -> pd.DataFrame:
    """Drop a candidate that one neighbouring word accompanies in ``share`` of its occurrences or more.

    Such a candidate is a fragment of a longer unit (家庭联产承包 of 家庭联产承包责任制), or bound to one
    construction; its extension, when it is a term, is a candidate in its own right.
    """
    left = (table["left_top"] != "") & (table["left_top_share"] >= share)
    right = (table["right_top"] != "") & (table["right_top_share"] >= share)
    return table[~(left | right).to_numpy()]


# ---------------------------------------------------------------- the reviewable table


def save_learned(table: pd.DataFrame, path: Path | str, *, params: dict | None = None) -> Path:
    """Write learned terms as a TSV a researcher can review (set ``keep`` to ``no`` to veto a term).

    Adds ``keep = yes`` when the table has no ``keep`` column.  ``params`` (the thresholds
    and the corpus fingerprint) are written as ``#`` comment lines at the top.  Atomic: a
    unique temporary file in the same folder, then renamed.
    """
    path = Path(path)
    _write_atomic(path, learned_tsv(table, params=params))
    return path


def learned_tsv(table: pd.DataFrame, *, params: dict | None = None) -> str:
    """The text :func:`save_learned` writes (UTF-8, ``\\n`` line ends)."""
    out = table.copy()
    if "keep" not in out.columns:
        out["keep"] = "yes"
    for col in TSV_COLUMNS:
        if col not in out.columns:
            out[col] = ""
    out = out[TSV_COLUMNS]
    for col in ("term", "tokens", "example"):
        out[col] = out[col].astype(str).str.replace(r"[\t\r\n]", " ", regex=True)
    header = ["# Learned terms (analysis.learn). Set keep to 'no' to veto a term: it is then never used again,",
              "# even after re-learning, as long as this file stays in its folder (or the term is in veto.txt)."]
    header += [f"# {k}: {v}" for k, v in (params or {}).items()]
    body = out.to_csv(sep="\t", index=False, float_format="%.4f", lineterminator="\n")
    return "\n".join(header) + "\n" + body


def load_learned(path: Path | str, veto: Iterable[str] | Path | str | None = None) -> pd.DataFrame:
    """Read a learned-terms TSV; terms in ``veto`` (a list, or a file with one term a line) get ``keep = no``.

    The file is decoded as every text file is (:func:`analysis.corpus.read_text`: UTF-8 with
    or without a byte-order mark, UTF-16/32 with one, GB18030), so a table re-saved from a
    spreadsheet reads back: CRLF line ends, quoted fields and trailing empty columns are fine.
    Raises :class:`~analysis.errors.InputError` naming the file and line when the header or a
    column is missing, a row has another number of fields than the header, or ``keep`` is not
    yes/no (a file that cannot be read or decoded: :class:`~analysis.errors.CorpusError`).
    """
    path = Path(path)
    return parse_learned(read_text(path), path, veto)


def _tsv_rows(text: str) -> list[tuple[int, list[str]]]:
    """``(line number, fields)`` of each line that is not blank or a ``#`` comment; fields as a
    spreadsheet writes them (quoted when they hold a tab or a quote), trailing empty ones dropped."""
    rows = []
    for number, line in enumerate(text.split("\n"), 1):
        if line.startswith("#") or line.startswith('"#') or not line.strip("\t\r "):
            continue
        fields = next(csv.reader([line.rstrip("\r")], delimiter="\t", quotechar='"'))
        while fields and not fields[-1].strip():
            fields.pop()
        rows.append((number, fields))
    return rows


def parse_learned(text: str, path: Path | str, veto: Iterable[str] | Path | str | None = None) -> pd.DataFrame:
    """The table of a learned-terms TSV's ``text`` (see :func:`load_learned`; ``path`` names it in errors)."""
    rows = _tsv_rows(text)
    if not rows:
        raise InputError(f"{path}: no header line (expected columns {', '.join(TSV_COLUMNS)})")
    header_line, header = rows[0]
    header = [h.strip() for h in header]
    repeated = sorted({h for h in header if header.count(h) > 1})
    if repeated:
        raise InputError(f"{path}, line {header_line}: column(s) {', '.join(map(repr, repeated))} appear more than "
                         f"once in the header; each column must be named once")
    missing = [c for c in ("term", "keep") if c not in header]
    if missing:
        raise InputError(f"{path}, line {header_line}: missing column(s) {', '.join(missing)} in the header "
                         f"(expected columns {', '.join(TSV_COLUMNS)})")
    bad = [n for n, r in rows[1:] if len(r) > len(header)]
    if bad:
        raise InputError(f"{path}: line(s) {bad[:5]} of the table have more than the {len(header)} "
                         f"tab-separated fields of the header")
    body = [(n, r + [""] * (len(header) - len(r))) for n, r in rows[1:]]  # trailing empty cells were dropped
    table = pd.DataFrame([r for _, r in body], columns=header)
    table["keep"] = table["keep"].str.strip().str.lower()
    wrong = [(n, k) for (n, _), k in zip(body, table["keep"]) if k not in ("yes", "no")]
    if wrong:
        raise InputError(f"{path}: column keep must be yes or no, found {sorted({k for _, k in wrong})} "
                         f"on line(s) {[n for n, _ in wrong][:5]}")
    for col in ("score", "pmi", "npmi", "bound", "left_entropy", "right_entropy", "left_char_entropy",
                "right_char_entropy"):
        if col in table:
            table[col] = pd.to_numeric(table[col], errors="coerce")
    for col in ("count", "n_docs"):
        if col in table:
            table[col] = pd.to_numeric(table[col], errors="coerce").astype("Int64")
    vetoed = read_veto(veto)
    table.loc[table["term"].isin(vetoed), "keep"] = "no"
    return table


def read_veto(veto: Iterable[str] | Path | str | None) -> frozenset[str]:
    """Vetoed terms: a list of terms, or a file with one term a line (``#`` comments; a missing file is empty)."""
    if veto is None:
        return frozenset()
    if isinstance(veto, (str, Path)):
        path = Path(veto)
        if not path.is_file():
            return frozenset()
        return frozenset(fields[0].strip() for _, fields in _tsv_rows(read_text(path)) if fields)
    return frozenset(veto)


def _write_atomic(path: Path, text: str) -> None:
    atomic_write(path, lambda fh: fh.write(text.encode("utf-8")))


# ---------------------------------------------------------------- learned once per corpus, cached


def corpus_key(texts: Sequence[str], lexicon: Lexicon, params: dict) -> str:
    """sha256 of the texts, the lexicon's fingerprint, the thresholds and :data:`LEARN_VERSION`."""
    digest = hashlib.sha256()
    digest.update(json.dumps({"version": LEARN_VERSION, "lexicon": lexicon.fingerprint,
                              "params": params}, sort_keys=True).encode())
    for text in texts:
        digest.update(hashlib.sha256(text.encode("utf-8")).digest())
    return digest.hexdigest()


def vetoed_terms(cache_dir: Path | str, veto: Iterable[str] | Path | str | None = None) -> frozenset[str]:
    """Every veto in force: ``veto``, ``cache_dir/veto.txt`` and ``keep = no`` rows of any learned TSV there."""
    cache_dir = Path(cache_dir)
    out = set(read_veto(veto)) | set(read_veto(cache_dir / VETO_FILE_NAME))
    for path in sorted(cache_dir.glob("learned_*.tsv")) if cache_dir.is_dir() else ():
        table = load_learned(path)
        out |= set(table.loc[table["keep"] == "no", "term"])
    return frozenset(out)


def learned_table(texts: Iterable[str], lexicon: Lexicon | None = None, *, cache_dir: Path | str | None = None,
                  veto: Iterable[str] | Path | str | None = None, **params) -> tuple[pd.DataFrame, Path]:
    """The learned-terms table of ``texts`` (read from the cache when there), and its TSV path.

    A cache folder that cannot be written (full, read-only, a file in its place) is named in
    one :class:`~analysis.errors.CacheWarning` and the table is returned as if read back from
    the file (the same values), which then does not exist."""
    texts = list(texts)
    lex = lexicon if lexicon is not None else Lexicon.load()
    settings = {**DEFAULTS, **params}
    cache_dir = Path(cache_dir) if cache_dir is not None else config.CACHE_DIR / "learned"
    key = corpus_key(texts, lex, settings)
    path = cache_dir / f"learned_{key[:16]}.tsv"
    vetoed = vetoed_terms(cache_dir, veto)
    if path.is_file():
        return load_learned(path, veto=vetoed), path
    table = learn_terms(texts, lexicon=lex, **settings)
    table.insert(1, "keep", np.where(table["term"].isin(vetoed), "no", "yes"))
    text = learned_tsv(table, params={"corpus_sha256": key, "documents": len(texts), **settings,
                                      "version": LEARN_VERSION})
    try:
        _write_atomic(path, text)
    except OSError as exc:
        warnings.warn(f"{cache_dir}: cannot write to the learned-terms cache folder ({exc.strerror or exc}); "
                      f"going on without it (the terms are learned again next time)", CacheWarning, stacklevel=2)
    return parse_learned(text, path, veto=vetoed), path


def learned_lexicon(docs_texts: Iterable[str], lexicon: Lexicon | None = None, *,
                    cache_dir: Path | str | None = None, veto: Iterable[str] | Path | str | None = None,
                    **params) -> Lexicon:
    """The kept learned terms of ``docs_texts`` as a lexicon (category ``learned``), learned once and cached.

    The table is stored as ``cache_dir/learned_<sha256[:16]>.tsv`` (default ``CACHE_DIR/learned``),
    keyed by the texts, ``lexicon`` and the thresholds (``params``, see :func:`learn_terms`).
    Vetoes come from ``veto``, ``cache_dir/veto.txt`` and every ``keep = no`` in the folder's
    tables, so a veto survives re-learning on changed texts.  Use it with
    ``Segmenter(Lexicon.load(extra=[learned]))``.
    """
    table, _ = learned_table(docs_texts, lexicon, cache_dir=cache_dir, veto=veto, **params)
    return as_lexicon(table)


def as_lexicon(table: pd.DataFrame) -> Lexicon:
    """The kept terms (``keep`` = yes) of a learned-terms table as a lexicon (category ``learned``)."""
    return Lexicon.from_terms(table.loc[table["keep"] == "yes", "term"].tolist(), category="learned")
