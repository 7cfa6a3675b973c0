"""Documents as researchers have them: PDF, Word (.docx) and saved web pages (.html, .htm), read to
plain text beside .txt files, by every loader and command that takes a file or a folder.

:func:`read_document` gives an :class:`Extracted` text: the text (one paragraph or visual line per
line, for :func:`analysis.text.normalise` to repair the line breaks as it does for .txt), the
document's own title and stated date when it has them, and every piece of text it dropped, counted
(``removed``: page numbers, running headers and footers, a web page's tool bars).

- **PDF** (pypdf): the text layer page by page.  A line at the top or bottom of a page is a
  running header or footer when the same line (digits aside) stands there on at least half the
  pages (and on two or more); a line there that is only a page number (``- 3 -``, ``第3页``,
  ``3/12``, ``Page 3 of 12``) goes on any page.  A PDF with pages but no text layer (a scan) is
  one error that says so; an encrypted PDF that opens with no password is read.
- **Word** (python-docx): the paragraphs and table rows of the body in document order (a table
  row's cells joined by a space), headings as paragraphs; the title is the document's *Title*
  property, or its first Title/Heading paragraph.  Only .docx: a legacy .doc is an error saying
  to save it as .docx.
- **Web page** (trafilatura): the main text without menus, breadcrumbs, scripts and footers, and
  the page's title and date from its metadata; lines that are only a page tool
  (:data:`PAGE_TOOLS`: ``打印本页``, ``关闭窗口``, ``字号：大 中 小``, ``分享到``…) go too.

The date is the one the document states (a web page's metadata; a date such as ``2025年2月18日``
within the first lines of a PDF or Word text), never a file's creation time.
"""

from __future__ import annotations

import math
import re
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import CorpusError
from .decode import _file_error, decode_bytes, decode_file

DOCUMENT_SUFFIXES = (".txt", ".pdf", ".docx", ".html", ".htm")  # a folder's documents
READ_SUFFIXES = DOCUMENT_SUFFIXES + (".doc",)  # what one file given by name is read as (a .doc: an error saying what to do)

EDGE_LINES = 2         # lines at the top and at the bottom of a page where headers and footers stand
RUNNING_SHARE = 0.5    # on at least this share of the pages (and on two or more): a running line
DATE_WITHIN = 300      # characters at the head of a PDF or Word text searched for a stated date

PAGE_NUMBER = re.compile(r"^[-—–－·•\s]*(?:第\s*)?\d{1,4}\s*页?(?:\s*[/／]\s*(?:共\s*)?\d{1,4}\s*页?)?[-—–－·•\s]*$"
                         r"|^(?:page|p\.)\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?$", re.IGNORECASE)
# A web page's tool bars: a line made only of these words (between brackets, bars and spaces) is dropped.
PAGE_TOOLS = frozenset({"打印本页", "打印", "打印文章", "关闭窗口", "关闭", "返回顶部", "返回", "收藏", "纠错", "分享到",
                        "分享", "扫一扫在手机打开当前页", "字号", "大", "中", "小", "默认", "保存", "下载"})
_TOOL_SEPARATORS = re.compile(r"[\s【】\[\]（）()|｜/:：·•]+")
STATED_DATE = re.compile(r"(?<!\d)((?:19|20)\d\d)\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")


@dataclass
class Extracted:
    """A document read to text: ``kind`` (``pdf``, ``docx``, ``html``, ``txt``), its title and
    stated date (``YYYY-MM-DD``) when it has them, the ``encoding`` of a text file or web page,
    and the lines dropped as page furniture (``removed``; :attr:`removed_chars` counts them)."""

    text: str
    kind: str
    title: str | None = None
    date: str | None = None
    encoding: str | None = None
    pages: int | None = None
    removed: list[str] = field(default_factory=list)

    @property
    def removed_chars(self) -> int:
        return sum(len(line) for line in self.removed)

    @property
    def year(self) -> int | None:
        return int(self.date[:4]) if self.date else None


def read_document(path: Path | str, encoding: str | None = None) -> Extracted:
    """The text of one document file, by its suffix (see the module's notes); ``encoding`` is for a
    .txt file or a web page (default: detected, as :func:`analysis.corpus.read_text` does)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        return _pdf(path)
    if suffix == ".docx":
        return _docx(path)
    if suffix in (".html", ".htm"):
        return _html(path, encoding)
    if suffix == ".doc":
        raise CorpusError(f"{path}: a legacy Word .doc file; save it as .docx (Word, LibreOffice: "
                          f"`soffice --headless --convert-to docx {path.name}`) and read that")
    text, enc = decode_file(path, encoding)
    return Extracted(text, "txt", encoding=enc)


def stated_date(text: str, within: int = DATE_WITHIN) -> str | None:
    """The first date written out in full (``2025年2月18日``) in the head of ``text``, as ``YYYY-MM-DD``."""
    for match in STATED_DATE.finditer(text[:within]):
        year, month, day = (int(g) for g in match.groups())
        if 1 <= month <= 12 and 1 <= day <= 31:
            return f"{year:04d}-{month:02d}-{day:02d}"
    return None


# ---------------------------------------------------------------------------- PDF
def _running_lines(pages: list[list[str]]) -> set[tuple[str, str]]:
    """``(edge, key)`` of the lines that stand at the top or bottom of enough pages to be running
    headers or footers (key: the line without spaces, its digits as ``#``)."""
    counts: Counter = Counter()
    for lines in pages:
        for edge, part in (("top", lines[:EDGE_LINES]), ("bottom", lines[-EDGE_LINES:])):
            counts.update({(edge, _key(line)) for line in part})
    needed = max(2, math.ceil(len(pages) * RUNNING_SHARE))
    return {key for key, n in counts.items() if n >= needed}


def _key(line: str) -> str:
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", line))


def _strip_page_furniture(pages: list[list[str]]) -> tuple[list[list[str]], list[str]]:
    running = _running_lines(pages) if len(pages) >= 2 else set()
    kept_pages, removed = [], []
    for lines in pages:
        n = len(lines)
        kept = []
        for i, line in enumerate(lines):
            edges = [edge for edge, inside in (("top", i < EDGE_LINES), ("bottom", i >= n - EDGE_LINES)) if inside]
            if edges and (PAGE_NUMBER.match(line) or any((edge, _key(line)) in running for edge in edges)):
                removed.append(line)
            else:
                kept.append(line)
        kept_pages.append(kept)
    return kept_pages, removed


def _pdf(path: Path) -> Extracted:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError
    try:
        reader = PdfReader(path)
        if reader.is_encrypted and not reader.decrypt(""):
            raise CorpusError(f"{path}: an encrypted PDF that needs a password; save an unencrypted copy")
        meta_title = (reader.metadata or {}).get("/Title") if reader.metadata else None
        pages = [(page.extract_text() or "") for page in reader.pages]
    except CorpusError:
        raise
    except OSError as exc:
        raise _file_error(path, exc) from None
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
        raise CorpusError(f"{path}: not a readable PDF ({type(exc).__name__}: {exc})") from None
    if not pages:
        raise CorpusError(f"{path}: a PDF with no pages")
    if not any(p.strip() for p in pages):
        raise CorpusError(f"{path}: a PDF of {len(pages)} page(s) with no text layer (a scan or images "
                          f"only); run OCR on it first (e.g. `ocrmypdf -l chi_sim in.pdf out.pdf`) and read the result")
    lines = [[ln.strip() for ln in page.splitlines() if ln.strip()] for page in pages]
    kept, removed = _strip_page_furniture(lines)
    text = "\n".join(line for page in kept for line in page)
    title = _pdf_title(str(meta_title) if meta_title else None)
    return Extracted(text, "pdf", title=title, date=stated_date(text), pages=len(pages), removed=removed)


def _pdf_title(title: str | None) -> str | None:
    """A PDF's Title property, unless it is empty or a converter's placeholder (``Microsoft Word - a.doc``)."""
    if not title or not title.strip():
        return None
    title = re.sub(r"^Microsoft (?:Word|PowerPoint) - ", "", title.strip())
    return None if re.fullmatch(r"(?i)untitled|无标题|.*\.(?:docx?|wps|pdf)", title) else title


# ---------------------------------------------------------------------------- Word
def _docx(path: Path) -> Extracted:
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    try:
        document = docx.Document(str(path))
    except OSError as exc:
        raise _file_error(path, exc) from None
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise CorpusError(f"{path}: not a readable Word .docx file ({type(exc).__name__}: {exc})") from None
    lines, heading = [], None
    for block in document.iter_inner_content():
        if hasattr(block, "rows"):  # a table: one line per row
            for row in block.rows:
                cells = [c.text.strip() for c in row.cells]
                line = " ".join(dict.fromkeys(c for c in cells if c))  # merged cells repeat their text
                if line:
                    lines.append(line)
            continue
        text = block.text.strip()
        if not text:
            continue
        style = (block.style.name if block.style is not None else "") or ""
        if heading is None and re.match(r"(?i)title|heading|标题", style):
            heading = text
        lines.extend(ln.strip() for ln in text.splitlines() if ln.strip())  # (a soft line break)
    text = "\n".join(lines)
    title = (document.core_properties.title or "").strip() or heading
    return Extracted(text, "docx", title=title, date=stated_date(text))


# ---------------------------------------------------------------------------- web pages
def _html(path: Path, encoding: str | None) -> Extracted:
    import trafilatura
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise _file_error(path, exc) from None
    html, enc = decode_bytes(raw, str(path), encoding) if encoding else _html_text(raw, path)
    result = trafilatura.bare_extraction(html, include_comments=False, include_tables=True,
                                         include_images=False, with_metadata=True, deduplicate=False)
    text = (getattr(result, "text", None) if result is not None else None) or ""
    lines, removed = [], []
    for line in (ln.strip() for ln in text.splitlines()):
        if not line:
            continue
        (removed if _is_page_tool(line) else lines).append(line)
    if not lines:
        raise CorpusError(f"{path}: no main text found in the web page (is it a saved page with its text, "
                          f"not a frame or a page built by scripts?)")
    title = getattr(result, "title", None) or None
    date = getattr(result, "date", None) or None
    return Extracted("\n".join(lines), "html", title=title, date=date if date and re.match(r"\d{4}-\d\d-\d\d$", date)
                     else None, encoding=enc, removed=removed)


def _is_page_tool(line: str) -> bool:
    words = [w for w in _TOOL_SEPARATORS.split(line) if w]
    return bool(words) and all(w in PAGE_TOOLS for w in words)


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_\-]+)""", re.IGNORECASE)


def _html_text(raw: bytes, path: Path) -> tuple[str, str]:
    """A web page's text: in the charset its ``<meta>`` declares, else detected as a text file is."""
    declared = _META_CHARSET.search(raw[:4096])
    if declared:
        import codecs
        try:
            name = codecs.lookup(declared.group(1).decode("ascii")).name
            name = "gb18030" if name in ("gb2312", "gbk") else name  # (a superset: what pages labelled so hold)
            return raw.decode(name), name
        except (LookupError, UnicodeDecodeError):
            pass
    return decode_bytes(raw, str(path), None)
