"""Numbered formulations (提法) such as 两个确立, 四个意识, 三会一课, 四风: find them, expand them, track them.

Found three ways (``found_by``):

``lexicon``  a term of the lexicon's ``numbered`` category occurs in the text;
``pattern``  a token shaped like a numbered formulation: numeral + 个 + 2-4 characters
             (``四个自信``), or two or three numeral-led parts (``三会一课``, ``两学一做``, ``一带一路``);
``quoted``   a short quoted expression opening with a numeral (``“四风”``, ``“十四五”``, ``“一老一小”``).

Counts are taken in the normalised text (not in tokens), so they do not depend on how the
segmenter cut the formulation.  Members come from the lexicon where it lists them.
"""

from __future__ import annotations

import re
from typing import Iterable, Sequence

import pandas as pd

from .errors import InputError
from .lexicon import Lexicon
from .trends import trend_table

NUMERALS = "一二两三四五六七八九十百千"
TOKEN_PATTERNS = (
    re.compile(rf"^[{NUMERALS}]+个[\u4e00-\u9fff]{{2,4}}$"),
    re.compile(rf"^(?:[{NUMERALS}][\u4e00-\u9fff]{{1,2}}){{2,3}}$"),
)
QUOTED = re.compile(rf"[“\"「]([{NUMERALS}][\u4e00-\u9fff]{{1,6}})[”\"」]")
# Token shapes that match the patterns but are ordinary words.
NOT_FORMULATIONS = frozenset({"一个个", "一次次", "三三两两", "一五一十", "十之八九", "一心一意", "一点一滴",
                              "一朝一夕", "一言一行", "一举一动", "千家万户", "千方百计", "百花齐放", "百家争鸣"})


def find_formulations(text: str, tokens: Iterable[str] = (), lexicon: Lexicon | None = None) -> pd.DataFrame:
    """Numbered formulations in one normalised text (and its tokens).

    Columns: ``formulation, count, found_by`` (comma-separated), ``category``, ``members``
    (``;``-separated, from the lexicon), ``n_members``; most frequent first.
    """
    lex = lexicon if lexicon is not None else Lexicon.load()
    found: dict[str, set[str]] = {}
    for term in lex.category("numbered"):
        if term in text:
            found.setdefault(term, set()).add("lexicon")
    for tok in set(tokens):
        if tok not in NOT_FORMULATIONS and any(p.match(tok) for p in TOKEN_PATTERNS):
            found.setdefault(tok, set()).add("pattern")
    for match in QUOTED.finditer(text):
        found.setdefault(match.group(1), set()).add("quoted")
    cats = lex.categories
    rows = [(f, text.count(f), ",".join(sorted(how)), cats.get(f, ""), ";".join(lex.members(f)), len(lex.members(f)))
            for f, how in found.items()]
    table = pd.DataFrame(rows, columns=["formulation", "count", "found_by", "category", "members", "n_members"])
    return table.sort_values(["count", "formulation"], ascending=[False, True]).reset_index(drop=True)


def expand_members(formulations: pd.DataFrame, text: str | None = None) -> pd.DataFrame:
    """One row per (formulation, member) for formulations whose members are known,
    with the member's count in ``text`` when given."""
    rows = []
    for f, members in zip(formulations["formulation"], formulations["members"]):
        for m in filter(None, members.split(";")):
            rows.append((f, m, text.count(m) if text is not None else pd.NA))
    return pd.DataFrame(rows, columns=["formulation", "member", "count"])


def formulation_trends(paragraphs: pd.DataFrame, formulations: Sequence[str], *, target=None,
                       years: Sequence[int] | None = None) -> pd.DataFrame:
    """Count of each formulation per year (trend-table contract: ``term, year, count,
    total_tokens, per_10k, n_docs, series``), counted in each document's normalised text.

    ``paragraphs`` is a segmented paragraph table (texts and token counts per paragraph).
    """
    formulations = list(dict.fromkeys(formulations))
    if not formulations:
        raise InputError("no formulations given")
    grouped = paragraphs.groupby("doc_id", sort=False)
    docs = pd.DataFrame({"year": grouped["year"].first(), "n_tokens": grouped["n_tokens"].sum(),
                         "text": grouped["text"].agg("\n".join)}).reset_index()
    counts = pd.DataFrame({f: docs["text"].str.count(re.escape(f)) for f in formulations})
    return trend_table(counts, docs, target=target, years=years)
