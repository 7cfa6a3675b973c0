"""Chinese numerals as used in headings, session numbers and formulations (一 … 九十九)."""

from __future__ import annotations

DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
          "六": 6, "七": 7, "八": 8, "九": 9}
CHARS = "〇零一二两三四五六七八九十"


def cn_to_int(text: str) -> int:
    """Convert a Chinese numeral below 100 (``十四`` → 14, ``二十`` → 20) or ASCII digits.

    >>> cn_to_int("二十"), cn_to_int("十四"), cn_to_int("3")
    (20, 14, 3)
    """
    text = text.strip()
    if text.isdigit():
        return int(text)
    if not text or any(ch not in CHARS for ch in text):
        raise ValueError(f"not a Chinese numeral below 100: {text!r}")
    if "十" not in text:
        value = 0
        for ch in text:
            value = value * 10 + DIGITS[ch]
        return value
    tens, _, units = text.partition("十")
    return (DIGITS[tens] if tens else 1) * 10 + (DIGITS[units] if units else 0)
