"""Text normalisation: small composable functions, each doing one thing and testable alone.

Texts stay unchanged after loading; :func:`normalise` returns a *new* text with
PDF-extraction damage undone, Traditional characters converted to Simplified and
page boilerplate removed, and says what it removed and converted (:class:`Normalised`).
Nothing else is dropped: every character of the input survives in order except
whitespace, control and format characters (:func:`remove_control_chars`, counted in
``Normalised.control_chars``), the named mappings
(:data:`ASCII_TO_FULLWIDTH`, full-width letters and digits to ASCII, Traditional to
Simplified with OpenCC's ``t2s``) and the boilerplate listed in ``Normalised.boilerplate``.
(`tests/test_preprocessing.py` checks this conservation property.)

The output has one paragraph per line.

>>> normalise("同志们:\\n今天,我们召开 2025 年度会议。").text
'同志们：\\n今天，我们召开2025年度会议。'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache, reduce
from typing import Callable

from .structure import HEADING_START

# ---------------------------------------------------------------- character classes
CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CJK_PUNCT = r"\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65\u2018-\u201f\u2026\u2014"
HSPACE = r"[ \t\u00a0\u3000\u2002-\u200a\u202f\u205f]"
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
# Characters that end a line without being "\n" (vertical tab, form feed, the information
# separators Python's ``str.splitlines`` breaks at, next line, line and paragraph separators).
LINE_BREAKS = "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"

# Every control (Cc: C0 and C1), format (Cf: zero-width, bidi, soft hyphen, BOM, tags …), line
# and paragraph separator (Zl, Zp) character of Unicode 15 except "\n", "\r" (line ends) and
# "\t" (made a space); tests/test_bad_inputs_env.py checks it against ``unicodedata``.
CONTROL = (r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2"
           r"\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd"
           r"\U000110cd\U00013430-\U00013438\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001"
           r"\U000e0020-\U000e007f")

# ASCII punctuation that stands for full-width punctuation when it touches Chinese text.
ASCII_TO_FULLWIDTH = {",": "，", ":": "：", ";": "；", "?": "？", "!": "！", "(": "（", ")": "）"}


# ---------------------------------------------------------------- single steps (str -> str)


_ZERO_WIDTH_RE = re.compile(f"[{ZERO_WIDTH}]")
_FULLWIDTH_ALNUM_RE = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")
_CONTROL_RE = re.compile(f"[{CONTROL}]")


def remove_control_chars(text: str) -> tuple[str, int]:
    """Control and format characters out; return ``(text, how many were removed or mapped)``.

    A line or paragraph separator (:data:`LINE_BREAKS`, U+2028/2029) becomes ``\n``; every other
    control (C0, C1) and format character (zero-width spaces and joiners, bidi marks and
    embeddings U+200E/200F, U+202A-202E, U+2066-2069, the soft hyphen U+00AD, a BOM U+FEFF …)
    is removed.  A tab becomes a space (not counted: it is whitespace, like a space).  None of
    them can then become a token or part of one.
    """
    if "\t" in text:
        text = text.replace("\t", " ")
    if not _CONTROL_RE.search(text):
        return text, 0
    return _CONTROL_RE.subn(lambda m: "\n" if m.group() in LINE_BREAKS else "", text)


def remove_zero_width(text: str) -> str:
    """Delete zero-width spaces, joiners and byte-order marks (invisible format characters)."""
    return _ZERO_WIDTH_RE.sub("", text)


def fullwidth_alnum_to_ascii(text: str) -> str:
    """Full-width digits and Latin letters become ASCII (``１９８４`` → ``1984``); punctuation is untouched."""
    return _FULLWIDTH_ALNUM_RE.sub(lambda m: chr(ord(m.group()) - 0xFEE0), text)


_CJK_CHAR = re.compile(f"[{CJK}{CJK_PUNCT}]")
_PUNCT_WITH_SPACES = re.compile(f"{HSPACE}*([,:;?!()]){HSPACE}*")
_HSPACE_RUN = re.compile(f"{HSPACE}+")
_ASCII_PUNCT = re.compile(f"[{re.escape(''.join(ASCII_TO_FULLWIDTH))}]")


def _touches_cjk(match: re.Match) -> bool:
    text, start, end = match.string, match.start(), match.end()
    return bool((start > 0 and _CJK_CHAR.match(text, start - 1)) or (end < len(text) and _CJK_CHAR.match(text, end)))


@lru_cache(maxsize=1)
def _t2s():
    import opencc
    return opencc.OpenCC("t2s")


def traditional_to_simplified(text: str) -> str:
    """Traditional characters become Simplified (OpenCC ``t2s``; one character for one, so
    ``我們學習`` → ``我们学习``).  The 1954 Government Work Report and early Congress reports are
    in Traditional characters: without this, their words would never match today's."""
    return _t2s().convert(text)


def ascii_punct_to_fullwidth(text: str) -> str:
    """ASCII ``, : ; ? ! ( )`` next to a Chinese character become full-width (``,`` → ``，``).

    Punctuation between digits or Latin letters (``1,000``, ``10:30``) is left alone.
    """
    if not _ASCII_PUNCT.search(text):  # most texts have none: skip the slower search with spaces
        return text
    return _PUNCT_WITH_SPACES.sub(
        lambda m: ASCII_TO_FULLWIDTH[m.group(1)] if _touches_cjk(m) else m.group(), text)


def remove_spaces_near_cjk(text: str) -> str:
    """Spaces touching a Chinese character go: ``2025 年`` → ``2025年``, ``李　强`` → ``李强``.

    Spaces between Latin words or numbers stay (``COVID 19``).
    """
    return _HSPACE_RUN.sub(lambda m: "" if _touches_cjk(m) else m.group(), text)


def _display_width(line: str) -> int:
    # ASCII letters, digits and spaces are half-width on a PDF page; everything else full-width.
    return sum(1 if ch.isascii() and (ch.isalnum() or ch == " ") else 2 for ch in line)


def _join(left: str, right: str) -> str:
    # No space between CJK; one space between two Latin words broken across lines.
    if left and right and left[-1].isascii() and left[-1].isalnum() and right[0].isascii() and right[0].isalnum():
        return left + " " + right
    return left + right


def join_hard_wraps(text: str, *, tolerance: int = 6) -> str:
    """Join lines broken inside paragraphs; return one paragraph per line.

    Two layouts are recognised:

    * blank-line separated paragraphs (the reference collections): lines inside a
      block are joined, blank lines separate paragraphs;
    * PDF text hard-wrapped at a fixed width with no blank lines (the speech): a line
      that fills the page width continues on the next line; a line shorter than the
      wrap width by more than ``tolerance`` half-width cells ends its paragraph, and a
      line opening with a heading marker (``一、``, ``（一）``, ``二要``…) starts one.
    """
    lines = [ln.strip() for ln in text.split("\n")]
    if any(not ln for ln in lines[1:-1]) and "\n\n" in text.strip("\n"):
        blocks, current = [], []
        for ln in lines:
            if ln:
                current.append(ln)
            elif current:
                blocks.append(reduce(_join, current))
                current = []
        if current:
            blocks.append(reduce(_join, current))
        return "\n".join(blocks)

    content = [ln for ln in lines if ln]
    if len(content) < 3:
        return "\n".join(content)
    widths = sorted(_display_width(ln) for ln in content)
    wrap_width = widths[int(0.75 * (len(widths) - 1))]
    paragraphs: list[str] = []
    current = ""
    for ln in content:
        if current and HEADING_START.match(ln):
            paragraphs.append(current)
            current = ""
        current = _join(current, ln)
        if _display_width(ln) < wrap_width - tolerance:
            paragraphs.append(current)
            current = ""
    if current:
        paragraphs.append(current)
    return "\n".join(paragraphs)


def tidy_lines(text: str) -> str:
    """Strip each line, drop empty lines: one paragraph per line."""
    return "\n".join(ln.strip() for ln in text.split("\n") if ln.strip())


# ---------------------------------------------------------------- boilerplate (str -> (kept, removed))

_LICENCE_START = re.compile(r"\n\s*\n\s*(?=(?:本作品|这部作品|這部作品|本作品来自))")
_LICENCE_MARK = re.compile(r"公有领域|公有領域|Public domain|public domain")


def strip_licence_footer(text: str) -> tuple[str, str]:
    """Remove the Wikisource licence footer (``本作品……属于公有领域……Public domain``) that ends a page.

    The footer starts, after blank lines, with ``本作品`` or ``这部作品`` and carries a
    public-domain mark; a text without one is returned unchanged.
    """
    for match in reversed(list(_LICENCE_START.finditer(text))):
        tail = text[match.end():]
        if _LICENCE_MARK.search(tail):
            return text[:match.start()], tail
    return text, ""


_SALUTATION = re.compile(r"^\s*(?:各位代表|同志们|代表们|各位委员)[:：！!，,]?\s*$", re.M)


def strip_title_block(text: str, *, max_chars: int = 300) -> tuple[str, str]:
    """Remove a title block (title, date line, speaker) printed before the opening salutation.

    Only when a salutation line (``各位代表：``, ``同志们：``…) stands within the first
    ``max_chars`` characters is what precedes it taken as the title block.
    """
    match = _SALUTATION.search(text[: max_chars + 20])
    if not match or match.start() == 0 or match.start() > max_chars:
        return text, ""
    head = text[: match.start()]
    if not head.strip():
        return text, ""
    return text[match.start():], head


# ---------------------------------------------------------------- pipeline

Step = Callable[[str], str]
Stripper = Callable[[str], "tuple[str, str]"]


def make_pipeline(*steps: Step) -> Step:
    """Compose text functions left to right (textacy's ``preprocessing.make_pipeline``)."""
    return lambda text: reduce(lambda acc, step: step(acc), steps, text)


DEFAULT_STRIPPERS: dict[str, Stripper] = {
    "licence_footer": strip_licence_footer,
    "title_block": strip_title_block,
}
DEFAULT_STEPS: tuple[Step, ...] = (
    join_hard_wraps,
    ascii_punct_to_fullwidth,
    remove_spaces_near_cjk,
    tidy_lines,
)


@dataclass
class Normalised:
    """A normalised text, the boilerplate removed from it (by kind), how many characters
    were converted from Traditional to Simplified, and how many control and format characters
    were removed or made line ends (:func:`remove_control_chars`)."""

    text: str
    boilerplate: dict[str, str] = field(default_factory=dict)
    simplified_chars: int = 0
    control_chars: int = 0

    @property
    def boilerplate_chars(self) -> int:
        """Non-whitespace characters removed as boilerplate."""
        return sum(len(re.sub(r"\s", "", s)) for s in self.boilerplate.values())


def changed_chars(before: str, after: str) -> int:
    """How many characters differ between two texts, position by position (up to the shorter)."""
    import numpy as np
    n = min(len(before), len(after))
    a, b = (np.frombuffer(t[:n].encode("utf-32-le", "surrogatepass"), dtype="<u4") for t in (before, after))
    return int(np.count_nonzero(a != b))


# Classes of characters some steps act on, as bit flags: a text with none of a step's class is
# left as it is by that step, so :func:`normalise` skips it (one table look-up per character for
# all classes, where each step's regular expression scans the whole text: 4 ms, not 35, per
# million characters).
_CONTROL, _FULLWIDTH, _HSPACE, _PUNCT = 1, 2, 4, 8
# Default steps skipped when the raw text has none of their class: no step before them makes one
# (join_hard_wraps puts a space only between two Latin letters or digits, which stays).
_SKIPPABLE: dict[Step, int] = {ascii_punct_to_fullwidth: _PUNCT, remove_spaces_near_cjk: _HSPACE}


@lru_cache(maxsize=1)
def _class_table():
    """Each code point's classes: built once per process from the steps' own patterns."""
    import numpy as np
    every = np.arange(0x110000, dtype="<u4").tobytes().decode("utf-32-le", "surrogatepass")
    table = np.zeros(0x110000, np.uint8)
    for flag, pattern in ((_CONTROL, _CONTROL_RE), (_FULLWIDTH, _FULLWIDTH_ALNUM_RE),
                          (_HSPACE, re.compile(HSPACE)), (_PUNCT, _ASCII_PUNCT)):
        table[[m.start() for m in pattern.finditer(every)]] |= flag
    return table


def char_classes(text: str) -> int:
    """The classes of characters in ``text`` (bit flags ``_CONTROL | _FULLWIDTH | _HSPACE | _PUNCT``)."""
    import numpy as np
    if not text:
        return 0
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")
    return int(np.bitwise_or.reduce(_class_table()[codes]))


def normalise(text: str, *, strip_boilerplate: bool = True, simplify: bool = True,
              strippers: dict[str, Stripper] | None = None,
              steps: tuple[Step, ...] = DEFAULT_STEPS) -> Normalised:
    """Normalise one text: control and format characters, full-width alphanumerics, Traditional →
    Simplified (unless ``simplify=False``), boilerplate, then ``steps``.  Steps that would leave the
    text as it is (it has none of the characters they change) are skipped."""
    classes = char_classes(text)
    control_chars = 0
    if classes & _CONTROL or "\t" in text:  # (a tab becomes a space)
        text, control_chars = remove_control_chars(text)
    if classes & _FULLWIDTH:
        text = fullwidth_alnum_to_ascii(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if steps == DEFAULT_STEPS:
        steps = tuple(step for step in steps if step not in _SKIPPABLE or _SKIPPABLE[step] & classes)
    simplified_chars = 0
    if simplify:
        converted = traditional_to_simplified(text)
        if converted != text:
            simplified_chars = changed_chars(text, converted)
            text = converted
    removed: dict[str, str] = {}
    if strip_boilerplate:
        for kind, strip in (strippers or DEFAULT_STRIPPERS).items():
            text, cut = strip(text)
            if cut:
                removed[kind] = cut
    return Normalised(make_pipeline(*steps)(text), removed, simplified_chars, control_chars)


def normalise_corpus(docs, **options):
    """Add ``clean_text``, ``boilerplate_chars``, ``simplified_chars`` and ``control_chars`` columns
    to a document table (a copy)."""
    results = [normalise(t, **options) for t in docs["text"]]
    return docs.assign(clean_text=[r.text for r in results],
                       boilerplate_chars=[r.boilerplate_chars for r in results],
                       simplified_chars=[r.simplified_chars for r in results],
                       control_chars=[r.control_chars for r in results])
