"""Paragraphs, sentences and sections by the heading levels of Chinese official documents.

Levels, outermost first (:data:`HEADING_LEVELS`)::

    1  一、 二、 …            numbered parts
    2  （一） (一) …          subsections
    3  1.  2、 …              items
    4  （1） (1) …            sub-items
    5  一要… 二要… / 一是… / 第一，…   enumerated directives

A heading that opens a paragraph and runs on into prose (``（一）坚持党的绝对领导，……更加彰显。我们始终……``)
is split: its first sentence is the heading, the rest a paragraph of that section,
which may itself open with a directive (``……新作为。一要坚定不移……``).
Every paragraph carries its section path, so any statistic can be computed per section.
These are the package's one set of heading patterns: :data:`HEADING_START`, by which
:func:`analysis.text.normalise.join_hard_wraps` keeps headings on their own lines, is made of them.
The table of a corpus's paragraphs is :func:`analysis.text.paragraphs.paragraph_table`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from .numerals import ORDINAL_CHARS as CN_NUM

HEADING_LEVELS: tuple[tuple[int, re.Pattern], ...] = (
    (1, re.compile(rf"^[{CN_NUM}]+、")),
    (2, re.compile(rf"^[（(][{CN_NUM}]+[）)]")),
    (3, re.compile(r"^\d{1,2}[.．、](?!\d)")),
    (4, re.compile(r"^[（(]\d{1,2}[）)]")),
    (5, re.compile(rf"^(?:[{CN_NUM}]+(?:要|是)(?![\u4e00-\u9fff]?[、，,])|第[{CN_NUM}]+[，,、：:])")),
)
# A line that starts a heading of any level, leading spaces allowed: join_hard_wraps never joins it to the line before.
HEADING_START = re.compile(r"^\s*(?:" + "|".join(p.pattern.removeprefix("^") for _, p in HEADING_LEVELS) + ")")
MAX_HEADING_CHARS = 80
SENTENCE = re.compile(r"[^。！？!?…]*(?:[。！？!?]+|…+)[”’」』）)]*|[^。！？!?…]+$")


def split_paragraphs(text: str) -> list[str]:
    """Paragraphs of a normalised text (one per line)."""
    return [p for p in (ln.strip() for ln in text.split("\n")) if p]


def split_sentences(paragraph: str) -> list[str]:
    """Sentences ending in 。！？ (or …), closing quotes kept with their sentence."""
    return [s.strip() for s in SENTENCE.findall(paragraph) if s.strip()]


def heading_level(paragraph: str) -> int | None:
    """The heading level a paragraph opens with, or None."""
    for level, pattern in HEADING_LEVELS:
        if pattern.match(paragraph):
            return level
    return None


@dataclass(frozen=True)
class Paragraph:
    """A paragraph with its place in the document's sections."""

    index: int
    text: str
    section_path: tuple[str, ...]
    is_heading: bool = False
    level: int | None = None


def _split_heading(paragraph: str) -> tuple[str, str]:
    """Split a paragraph opening with a heading marker into (heading, rest)."""
    sentences = split_sentences(paragraph)
    if len(sentences) <= 1:
        return paragraph, ""
    head = sentences[0]
    return head, paragraph[len(head):].strip() if paragraph.startswith(head) else ""


def parse_paragraphs(text: str) -> list[Paragraph]:
    """Paragraphs of a normalised text with section paths (headings are paragraphs too)."""
    out: list[Paragraph] = []
    stack: list[tuple[int, str]] = []  # (level, heading)
    path: tuple[str, ...] = ()          # the headings of the stack, made again when it changes
    queue = split_paragraphs(text)[::-1]  # popped from the end: the next paragraph is last
    while queue:
        para = queue.pop()
        level = heading_level(para) if HEADING_START.match(para) else None
        if level is not None:
            head, rest = _split_heading(para)
            if len(head) <= MAX_HEADING_CHARS:
                while stack and stack[-1][0] >= level:
                    stack.pop()
                stack.append((level, head))
                path = tuple(h for _, h in stack)
                out.append(Paragraph(len(out), head, path, True, level))
                if rest:
                    queue.append(rest)
                continue
        out.append(Paragraph(len(out), para, path))
    return out


def section_label(heading: str, width: int = 14) -> str:
    """A short label for charts: the heading cut at its first comma or at ``width`` characters."""
    head = re.split(r"[，。；：]", heading, maxsplit=1)[0]
    return head if len(head) <= width else head[: width - 1] + "…"


def outline(text: str) -> pd.DataFrame:
    """The headings of a normalised text: ``level``, ``heading``, ``paragraph`` index."""
    return pd.DataFrame([(p.level, p.text, p.index) for p in parse_paragraphs(text) if p.is_heading],
                        columns=["level", "heading", "paragraph"])
