"""Is each document the whole document?  Checks that say when it is not.

A text that loads cleanly can still be the wrong text: an excerpt that stops mid-sentence, a
Wikisource disambiguation page saved in place of the report it names, a speech that announces
three parts and holds one and a half, a second copy of another document.  The checks read the
normalised text (:func:`analysis.text.normalise`) and its sections (:mod:`analysis.text.structure`)::

    truncated   ends inside a sentence: the last paragraph of the body (footnotes, headings,
                signature and date lines set aside) does not end with 。！？… (closing quotes
                and brackets allowed after it)
    stub        a disambiguation, versions or redirect page (可以指：, 消歧义, 的版本包括：, 重定向
                near its start), or below :data:`STUB_SHARE` of its collection's median length
    incomplete  announces more parts (下面，我讲三个方面意见 / 分为五个部分 / 以下几点) before its first
                top-level heading than it has top-level headings 一、二、…
    duplicate   the same normalised text as another document

>>> rows = check_documents(docs)               # doc_id, flag, detail: one row per finding
>>> describe_flags(rows, "speech2025")
'an excerpt: ends inside a sentence (…学习习近平总书记最新重要讲话和); announces three parts and has parts 一 and 二'

``analysis corpus check [PATH]`` prints the same rows as CSV.  The checks never change a text.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict

import pandas as pd

from .._util import check
from ..errors import InputError
from ..text.normalise import normalise
from ..text.numerals import cn_to_int
from ..text.structure import Paragraph, parse_paragraphs, split_sentences

FLAGS = ("truncated", "stub", "incomplete", "duplicate")
COLUMNS = ["doc_id", "flag", "detail"]

# A sentence ends with one of these, optionally followed by closing quotes and brackets.
SENTENCE_END = "。！？!?…"
CLOSING = "”’」』）)》〉】\"'"
QUOTED = 15  # characters of the ending a `truncated` detail quotes

# Footnotes and notes after the body: a notes heading, numbered notes, Wikisource's "↑" back-links
# (the note's text follows on the next line).
NOTES_HEADING = re.compile(r"^(?:注|注释|註|附注|脚注|字库未存字注释|参考文献)[：:]?$")
NOTE_LINE = re.compile(r"^(?:↑|[＠@※]|[①-⑳]|[\[［〔]\d{1,3}[\]］〕])")
# Lines that close a document without being a sentence: a date line, a signature (a name or an
# office: short, no punctuation), an unnumbered heading such as 结束语.
DATE_LINE = re.compile(r"^[（(]?[^，。；！？]{0,16}?(?:\d{4}|[〇○零一二三四五六七八九]{4})\s*年\s*"
                       r"[\d〇○零一二三四五六七八九十]{1,3}\s*月(?:\s*[\d〇○零一二三四五六七八九十]{1,3}\s*日)?[）)]?$")
SIGNATURE_CHARS = 25
PUNCTUATION = re.compile(r"[，。；：、！？,;:!?…]")

# Disambiguation, versions and redirect pages (Wikisource), looked for near the start of a page.
STUB_PHRASE = re.compile(r"消歧义|消歧義|重定向|(?:可以指|可能指|可指|可以是|的版本包括|版本包括)\s*[：:]")
STUB_HEAD = 200       # characters from the start where the phrase must stand
STUB_SHARE = 0.05     # a document below this share of its collection's median length is a stub

# An announcement of the parts that follow: 下面，我讲三个方面意见 / 讲两点意见 / 以下四个问题 /
# 分为五个部分 / 以下几点.  Only paragraphs before the first top-level heading are read (the
# first :data:`OPENING` paragraphs when there is none): inside a part, 抓好以下五个方面工作 counts
# subsections, not parts.
NUMBER = r"[一二两三四五六七八九十]{1,3}|\d{1,2}|几"
ANNOUNCEMENT = re.compile(rf"(?:讲|谈|以下|如下)(?P<a>{NUMBER})个?(?:方面|点|问题|部分)|分(?:为|成)?(?P<b>{NUMBER})个?部分")
OPENING = 5
QUOTE_BEFORE, QUOTE_AFTER = 20, 6  # characters of the announcing sentence quoted around the announcement
WORDS = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
         "sixteen seventeen eighteen nineteen twenty").split()


def _documents(docs) -> pd.DataFrame:
    if not isinstance(docs, pd.DataFrame) or not {"doc_id", "text"} <= set(docs.columns):
        raise check.fail("check_documents", "docs", "a documents table (a DataFrame with doc_id and text columns)",
                         docs, "load one with load_corpus(path) or load_default_corpus()")
    return docs


def _quote(text: str, n: int = QUOTED) -> str:
    return text if len(text) <= n else "…" + text[-n:]


# ------------------------------------------------------------------ truncated

def _is_closing_line(p: Paragraph) -> bool:
    """A heading (levels 1-4: 一、 （一） 1. （1）), a date line or a signature: a line a document may end
    with that is not a sentence."""
    text = p.text
    if p.is_heading and (p.level or 0) <= 4:
        return True
    if len(text) <= 30 and DATE_LINE.match(text):
        return True
    return len(text) <= SIGNATURE_CHARS and not PUNCTUATION.search(text)


def body_end(paragraphs: list[Paragraph]) -> Paragraph | None:
    """The paragraph the body ends with: trailing notes (a notes heading and what follows it, ``①…``,
    ``↑`` back-links and their text) and closing lines (:func:`_is_closing_line`) set aside."""
    end = len(paragraphs)
    while end and (NOTE_LINE.match(paragraphs[end - 1].text) or NOTES_HEADING.match(paragraphs[end - 1].text)
                   or (end > 1 and paragraphs[end - 2].text == "↑")):
        end -= 1
    while end and _is_closing_line(paragraphs[end - 1]):
        end -= 1
    return paragraphs[end - 1] if end else None


def ends_inside_sentence(paragraphs: list[Paragraph]) -> str | None:
    """The end of the body's last paragraph (its last :data:`QUOTED` characters) when it does not end a
    sentence, else None."""
    last = body_end(paragraphs)
    if last is None:
        return None
    text = last.text.rstrip().rstrip(CLOSING).rstrip()
    if not text or text[-1] in SENTENCE_END:
        return None
    return _quote(last.text.rstrip())


# ------------------------------------------------------------------ incomplete

def announced_parts(paragraphs: list[Paragraph]) -> tuple[int | None, str] | None:
    """``(number of parts, the announcing words)`` from the opening (before the first top-level heading),
    the number None for 几 (several); None when nothing is announced."""
    first = next((p.index for p in paragraphs if p.is_heading and p.level == 1), None)
    opening = paragraphs[:first] if first is not None else paragraphs[:OPENING]
    for p in opening:
        for sentence in split_sentences(p.text):
            match = ANNOUNCEMENT.search(sentence)
            if not match:
                continue
            number = match.group("a") or match.group("b")
            count = None if number == "几" else cn_to_int(number)
            if count == 1:
                continue
            quote = sentence.rstrip("。！？!?…")
            start, end = max(0, match.start() - QUOTE_BEFORE), match.end() + QUOTE_AFTER
            return count, ("…" if start else "") + quote[start:end] + ("…" if end < len(quote) else "")
    return None


def top_level_parts(paragraphs: list[Paragraph]) -> list[str]:
    """The numerals of the top-level headings (一、 二、 …), each once, in the order they first appear."""
    seen: list[str] = []
    for p in paragraphs:
        if p.is_heading and p.level == 1:
            numeral = re.match(r"[一二三四五六七八九十]+", p.text).group()
            if numeral not in seen:
                seen.append(numeral)
    return seen


def missing_parts(paragraphs: list[Paragraph]) -> str | None:
    """``announces 3 parts (下面，我讲三个方面意见), has 2 (一, 二)`` when the document announces more
    parts than it has top-level headings, else None."""
    announced = announced_parts(paragraphs)
    if announced is None:
        return None
    count, words = announced
    parts = top_level_parts(paragraphs)
    if len(parts) >= (count or 2):
        return None
    said = f"{count} parts" if count else "several parts"
    return f"announces {said} ({words}), has {len(parts)}" + (f" ({', '.join(parts)})" if parts else "")


# ------------------------------------------------------------------ the checks

def check_documents(docs: pd.DataFrame) -> pd.DataFrame:
    """One row per finding: ``doc_id, flag, detail``, documents in table order, flags in the order of
    :data:`FLAGS` (see the module docstring).  No row: nothing found.  A stub found by its phrase
    (a disambiguation page) is not also checked for its ending or its parts."""
    docs = _documents(docs)
    ids = docs["doc_id"].astype(str).tolist()
    texts = [normalise(t if isinstance(t, str) else "").text for t in docs["text"]]
    collections = docs["collection"].astype(str).tolist() if "collection" in docs else [""] * len(docs)
    lengths = [len(t) for t in texts]
    medians = pd.Series(lengths).groupby(collections).median()
    digests = [hashlib.sha256(t.encode("utf-8", "surrogatepass")).digest() if t.strip() else None for t in texts]
    same_text: dict[bytes, list[str]] = defaultdict(list)
    for doc_id, digest in zip(ids, digests):
        if digest is not None:
            same_text[digest].append(doc_id)
    rows = []
    for doc_id, collection, text, n, digest in zip(ids, collections, texts, lengths, digests):
        paragraphs = parse_paragraphs(text)
        phrase = STUB_PHRASE.search(text[:STUB_HEAD])
        median = medians[collection]
        found = {}
        if phrase is not None or n < STUB_SHARE * median:
            why = f"a disambiguation or redirect page ({phrase.group()}); " if phrase else ""
            of = f"the {collection} median" if collection else "the median"
            found["stub"] = f"{why}{n:,} characters" + (f", {n / median:.1%} of {of} ({median:,.0f})" if median else "")
        if phrase is None:
            ending = ends_inside_sentence(paragraphs)
            found["truncated"] = ending and f"ends inside a sentence ({ending})"
            found["incomplete"] = missing_parts(paragraphs)
        others = [d for d in same_text.get(digest, []) if d != doc_id]
        if others:
            found["duplicate"] = f"the same text as {', '.join(others)}"
        rows += [(doc_id, flag, found[flag]) for flag in FLAGS if found.get(flag)]
    return pd.DataFrame(rows, columns=COLUMNS)


def flags_of(docs: pd.DataFrame, doc_id: str) -> list[str]:
    """The flags :func:`check_documents` gives one document of ``docs`` (``[]``: none); the whole table
    is checked, as a stub is short for its collection and a duplicate is a copy of another document."""
    docs = _documents(docs)
    ids = docs["doc_id"].astype(str)
    if doc_id not in set(ids):
        raise InputError(f"flags_of: no document {doc_id!r} in the table ({len(ids)} documents)")
    rows = check_documents(docs)
    return rows.loc[rows["doc_id"] == doc_id, "flag"].tolist()


def _number(n: int) -> str:
    return WORDS[n] if 0 <= n < len(WORDS) else str(n)


def _parts_sentence(detail: str) -> str:
    """``announces 3 parts (…), has 2 (一, 二)`` → ``announces three parts and has parts 一 and 二``."""
    match = re.fullmatch(r"announces (\d+|several) parts \(.*\), has (\d+)(?: \((.*)\))?", detail)
    if not match:
        return detail
    said = match.group(1) if match.group(1) == "several" else _number(int(match.group(1)))
    parts = match.group(3).split(", ") if match.group(3) else []
    has = ("no numbered part" if not parts else f"only part {parts[0]}" if len(parts) == 1
           else "parts " + ", ".join(parts[:-1]) + " and " + parts[-1])
    return f"announces {said} parts and has {has}"


def describe_flags(rows: pd.DataFrame, doc_id: str) -> str:
    """The sentence a notebook shows about one document's flags (``rows`` from :func:`check_documents`):
    ``an excerpt: ends inside a sentence (…讲话和); announces three parts and has parts 一 and 二``."""
    if not isinstance(rows, pd.DataFrame) or list(rows.columns) != COLUMNS:
        raise check.fail("describe_flags", "rows", "the table check_documents returns (doc_id, flag, detail)", rows)
    mine = dict(zip(*(rows.loc[rows["doc_id"].astype(str) == str(doc_id), c] for c in ("flag", "detail"))))
    if not mine:
        return "no check flags it"
    said = []
    if "stub" in mine:
        said.append(f"not the document itself: {mine['stub']}")
    excerpt = [mine["truncated"]] if "truncated" in mine else []
    if "incomplete" in mine:
        excerpt.append(_parts_sentence(mine["incomplete"]))
    if excerpt:
        said.append("an excerpt: " + "; ".join(excerpt))
    if "duplicate" in mine:
        said.append(f"a duplicate: {mine['duplicate']}")
    return "; ".join(said)
