"""Level and register apart from content (issue 19, item 3).

A municipal speech set against national reports over-uses 全市 and 市委 because of who speaks,
and 同志们, 始终 and 更加 because of the kind of meeting, not because of what it is about.  This
module sorts a term into one of three kinds by rules fixed in advance, the same for every target:

* ``level`` — words that name an administrative level or its organs by their form: 全/本/各 +
  国/省/市/县/区/乡/镇 (全市, 本省, 各地), a level + 委/政府/人大/政协/纪委/级 (市委, 省政府,
  县级), 党中央 and 中央;
* ``register`` — the genre's salutations, collective addressees and hortatory words: the genre
  list shipped with the package (``stopwords_genre.txt``: 同志们, 进一步, 始终, 更加 …) and the
  forms of address 广大 + 干警/干部/党员/群众/职工 … (广大干警, 广大党员干部);
* ``content`` — everything else.

:func:`term_kind` decides one term; :func:`kinds` a column of them.  The rules are patterns on
the word's form and a list written for the genre, so they can be checked and argued with; a
researcher passes their own ``level``/``register`` sets to change them.
"""

from __future__ import annotations

import re
from typing import Iterable

import pandas as pd

KINDS = ("level", "register", "content")

LEVEL_UNITS = "国省市县区州盟旗乡镇村"
LEVEL = re.compile(
    rf"^(?:[全本各][{LEVEL_UNITS}地]|[省市县区州乡镇](?:委|政府|人大|政协|纪委|委员会|级)|党中央|中央|地市|市县|省市|省区市)$")
ADDRESS = re.compile(r"^(?:广大|全体)(?:干警|民警|干部|党员|党员干部|干部职工|群众|职工|官兵|青年|代表)$")


def term_kind(term: str, *, level: Iterable[str] = (), register: Iterable[str] | None = None) -> str:
    """``"level"``, ``"register"`` or ``"content"`` for one term (see the module docstring); ``level`` adds
    words to the level rule, ``register`` replaces the genre list."""
    from .terms import genre_stopwords
    if LEVEL.match(term) or term in set(level):
        return "level"
    words = genre_stopwords() if register is None else frozenset(register)
    if term in words or ADDRESS.match(term):
        return "register"
    return "content"


def kinds(terms: Iterable[str], **options) -> pd.Series:
    """:func:`term_kind` of each term, as a Series aligned with ``terms``."""
    terms = list(terms)
    return pd.Series([term_kind(t, **options) for t in terms], index=range(len(terms)), dtype=object)
