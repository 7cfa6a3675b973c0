"""Decode a text file: every text the package reads goes through :func:`read_text` (the loaders,
``analysis segment``, ``analysis count``).

Decoding is strict: an explicit ``encoding`` always wins; otherwise a byte-order mark decides, valid
UTF-8 is UTF-8 whatever characters it holds, and only bytes that are not UTF-8 are tried as the legacy
Chinese encodings GB18030 (a superset of GBK and GB2312) and Big5.  Several legacy encodings can decode
the same bytes without error (Big5 bytes are usually valid GB18030, as mojibake), so among those the one
whose result looks most like Chinese text wins.  A file no encoding decodes is an error naming the file
and the encodings tried; nothing is ever decoded with replacement characters.  A file can also be read
line by line (:func:`_line_codec`, :func:`_byte_lines`), each line decoding to the same text as inside
the whole file.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path
from typing import BinaryIO, Iterator

from ..errors import CorpusError, DecodingError

ENCODINGS = ("utf-8", "gb18030", "big5")


PLAUSIBLE = ((0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0x3000, 0x303F), (0xFF00, 0xFFEF), (0x2010, 0x2027),
             (0x00B7, 0x00B7), (0x2150, 0x218F), (0x2460, 0x24FF), (0xFE30, 0xFE4F), (0x0000, 0x007F))
IMPLAUSIBLE = re.compile("[^" + "".join(f"\\u{lo:04x}-\\u{hi:04x}" for lo, hi in PLAUSIBLE) + "]")


def _plausibility(text: str) -> float:
    """Share of characters that belong in Chinese prose (:data:`PLAUSIBLE`): ASCII, CJK ideographs, CJK and full-width
    punctuation, the middle dot (马克思·恩格斯), Roman and circled numerals (Ⅲ, ①).  Mojibake
    from a wrong legacy codec scores low: kana, Cyrillic, box drawing and private-use characters.
    Used only to choose among legacy encodings; valid UTF-8 never gets here."""
    if not text:
        return 1.0
    return 1 - len(IMPLAUSIBLE.findall(text)) / len(text)


def _codec(encoding: str, source: str) -> str:
    """The canonical codec name of ``encoding``; an unknown name is an error naming ``source``."""
    try:
        info = codecs.lookup(encoding)
    except (LookupError, TypeError, ValueError):
        info = None
    if info is None:
        raise DecodingError(f"{source}: unknown encoding {encoding!r}; use e.g. 'utf-8', 'gb18030' or 'big5'")
    if not getattr(info, "_is_text_encoding", True):  # rot13, base64, zlib …: codecs, not text encodings
        raise DecodingError(f"{source}: {encoding!r} is not a text encoding; use e.g. 'utf-8', 'gb18030' or 'big5'")
    return info.name


def _decode_error(source: str, enc: str, exc: UnicodeDecodeError) -> DecodingError:
    return DecodingError(f"{source}: not valid {enc} at byte {exc.start} ({exc.reason}); "
                         f"pass the file's encoding (encoding=... / --encoding) or convert it to UTF-8")


def decode_bytes(data: bytes, source: str = "<bytes>", encoding: str | None = None) -> tuple[str, str]:
    """Decode ``data``; return ``(text, encoding)``.  Line ends become ``\\n``.

    An explicit ``encoding`` always wins (a UTF-8 byte-order mark is dropped when it is
    UTF-8).  Otherwise: a byte-order mark decides; valid UTF-8 is UTF-8, whatever it
    contains; only bytes that are not UTF-8 are tried as GB18030 and Big5, and the
    decoding that looks most like Chinese text wins (:func:`_plausibility`).
    ``source`` names the file in errors.
    """
    if encoding is not None:
        enc = _codec(encoding, source)
        if enc == "utf-8" and data.startswith(codecs.BOM_UTF8):
            enc = "utf-8-sig"
        try:
            text = data.decode(enc)
        except UnicodeDecodeError as exc:
            raise _decode_error(source, encoding, exc) from None
    else:
        text, enc = _detect(data, source)
    if "\x00" in text:
        raise DecodingError(f"{source}: contains NUL characters, so it is not a text file in {enc} "
                            f"(UTF-16 without a byte-order mark, or a binary file?); "
                            f"pass encoding=... or convert it to UTF-8")
    if enc == "utf-8-sig":
        enc = "utf-8 (BOM)"
    return text.replace("\r\n", "\n").replace("\r", "\n"), enc


def _detect(data: bytes, source: str) -> tuple[str, str]:
    if data.startswith(codecs.BOM_UTF8):
        candidates: tuple[str, ...] = ("utf-8-sig",)
    elif data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):  # before UTF-16: FF FE 00 00 starts FF FE
        candidates = ("utf-32",)
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ("utf-16",)
    else:
        candidates = ENCODINGS
    decoded: list[tuple[str, str]] = []
    for enc in candidates:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError as exc:
            if len(candidates) == 1:
                raise _decode_error(source, enc, exc) from None
            continue
        if enc in ("utf-8", "utf-8-sig", "utf-16", "utf-32"):  # valid Unicode is never accidental: take it
            return text, enc
        decoded.append((text, enc))
    if not decoded:
        raise DecodingError(f"{source}: cannot decode as any of {', '.join(candidates)} "
                            f"(pass encoding=... or convert the file to UTF-8)")
    text, enc = max(decoded, key=lambda pair: _plausibility(pair[0]))
    if _plausibility(text) < 0.9:
        raise DecodingError(
            f"{source}: is not UTF-8, and as {enc} {1 - _plausibility(text):.0%} of its characters are not "
            f"Chinese text (tried {', '.join(candidates)}); pass encoding=... explicitly or convert it to UTF-8")
    return text, enc


def _file_error(path: Path, exc: OSError) -> CorpusError:
    """A file that cannot be opened or read, named, with what to do."""
    if isinstance(exc, FileNotFoundError):
        return CorpusError(f"{path}: no such file")
    if isinstance(exc, IsADirectoryError):
        return CorpusError(f"{path}: is a folder, not a file; give one text file "
                           f"(a folder is a corpus: load_corpus, `analysis corpus info`)")
    if isinstance(exc, PermissionError):
        return CorpusError(f"{path}: permission denied; make the file readable")
    return CorpusError(f"{path}: cannot be read ({exc.strerror or exc})")


def decode_file(path: Path | str, encoding: str | None = None) -> tuple[str, str]:
    """Read and decode a text file as :func:`decode_bytes` does; return ``(text, encoding)``.

    A missing file, a folder or an unreadable file is a :class:`CorpusError` naming it.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _file_error(path, exc) from None
    return decode_bytes(data, str(path), encoding)


def read_text(path: Path | str, encoding: str | None = None) -> str:
    """The text of a file, decoded as described in :func:`decode_bytes` (line ends ``\\n``).

    The one way every entry point (loaders, ``analysis segment``, ``analysis count``) reads text.
    """
    return decode_file(path, encoding)[0]


# Codecs in which a line of a file decodes alone to the same text as inside the whole file: no
# state, and the bytes of "\r" and "\n" are never part of another character.
LINE_SAFE = frozenset({"utf-8", "gb18030", "gbk", "gb2312", "big5", "big5hkscs", "cp950", "ascii", "iso8859-1",
                       "cp1252"})
LINE_END = re.compile(rb"\r\n|\r|\n")


def _line_codec(path: Path, encoding: str | None) -> tuple[str | None, int]:
    """``(codec, skip)``: decoding each line of ``path`` (after ``skip`` bytes of a UTF-8 byte-order mark)
    with ``codec`` gives the lines of ``read_text(path, encoding)``; ``(None, 0)`` when the file must
    be decoded whole (UTF-16, stateful encodings).  A UTF-8 file is checked as it streams; a file that is
    not UTF-8 is decoded whole once (:func:`decode_file`: its errors, or the legacy encoding it detects)."""
    codec = "utf-8" if encoding is None else _codec(encoding, str(path))
    codec = "utf-8" if codec == "utf-8-sig" else codec
    if codec not in LINE_SAFE:
        return None, 0
    try:
        with open(path, "rb") as fh:
            skip = 3 if codec == "utf-8" and fh.read(3) == codecs.BOM_UTF8 else 0
            fh.seek(skip)
            decoder = codecs.getincrementaldecoder(codec)()
            clean = True
            while clean and (block := fh.read(1 << 20)):
                clean = "\x00" not in decoder.decode(block)
            if clean:
                decoder.decode(b"", final=True)
                return codec, skip
    except OSError as exc:
        raise _file_error(path, exc) from None
    except UnicodeDecodeError:
        pass
    enc = decode_file(path, encoding)[1]  # raises what read_text raises, or names the legacy encoding
    try:
        name = codecs.lookup(enc).name
    except LookupError:
        return None, 0
    return (name, 0) if name in LINE_SAFE and name != codec else (None, 0)


def _line_ends(data: bytes) -> Iterator[tuple[int, int]]:
    """``(start, end)`` of each line end in ``data``: by ``bytes.find`` when there is no ``\r``
    (most files; a regular expression scans bytes ten times slower)."""
    if b"\r" in data:
        yield from ((m.start(), m.end()) for m in LINE_END.finditer(data))
        return
    pos = data.find(b"\n")
    while pos >= 0:
        yield pos, pos + 1
        pos = data.find(b"\n", pos + 1)


def _byte_lines(fh: BinaryIO, start: int = 0, block: int = 1 << 20) -> Iterator[tuple[int, bytes]]:
    """``(offset, line)`` of each line of a binary file from ``start``, split as :func:`decode_bytes`
    splits text (``\\r\\n``, ``\\r`` or ``\\n``; line ends not included).  Read a block at a time."""
    fh.seek(start)
    parts: list[bytes] = []
    offset = start
    while data := fh.read(block):
        while data.endswith(b"\r"):  # a "\r\n" split between two blocks is one line end
            more = fh.read(1)
            if not more:
                break
            data += more
        pos = 0
        for end, after in _line_ends(data):
            parts.append(data[pos:end])
            yield start, b"".join(parts)
            parts, pos = [], after
            start = offset + pos
        parts.append(data[pos:])
        offset += len(data)
    yield start, b"".join(parts)
