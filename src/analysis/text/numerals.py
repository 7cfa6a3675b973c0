"""Chinese numerals, once: the characters each use allows, on which every pattern of the package that
matches Chinese numerals builds, and :func:`cn_to_int`, the one parser (一 … 九十九).  Headings and
ordinals (``二、``, ``（三）``, ``第十四届``: :data:`ORDINAL_CHARS`), counts (``两学一做``, ``三个``:
:data:`DIGIT_CHARS`), and any number written in characters (``一百四十``, ``三千万``: :data:`NUMERAL_CHARS`).
"""

from __future__ import annotations

from ..errors import InputError

DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
          "六": 6, "七": 7, "八": 8, "九": 9}
DIGIT_CHARS = "一二两三四五六七八九"                       # 1-9; 两 is 2 before a classifier
ORDINAL_CHARS = "一二三四五六七八九十"                     # headings and ordinals: no 两, no zero
NUMERAL_CHARS = "〇零" + DIGIT_CHARS + "十百千万亿"        # any number written in characters
CHARS = "〇零" + DIGIT_CHARS + "十"                        # what cn_to_int reads


def cn_to_int(text: str) -> int:
    """Convert a Chinese numeral below 100 (``十四`` → 14, ``二十`` → 20), digits read one by one
    (``二〇二五`` → 2025) or ASCII digits.  Anything else is an :class:`InputError` naming it.

    >>> cn_to_int("二十"), cn_to_int("十四"), cn_to_int("3")
    (20, 14, 3)
    """
    text = text.strip()
    if text.isdecimal():
        return int(text)
    if not text or any(ch not in CHARS for ch in text):
        raise InputError(f"not a Chinese numeral below 100: {text!r}")
    if "十" not in text:
        value = 0
        for ch in text:
            value = value * 10 + DIGITS[ch]
        return value
    tens, _, units = text.partition("十")
    if len(tens) > 1 or len(units) > 1 or "十" in units or tens in ("〇", "零"):
        raise InputError(f"not a Chinese numeral below 100: {text!r} "
                         f"(tens and units are one digit each: 十四, 二十, 九十九)")
    return (DIGITS[tens] if tens else 1) * 10 + (DIGITS[units] if units else 0)
