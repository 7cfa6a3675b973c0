"""Numbered formulations (提法) such as 两个确立, 四个意识, 三会一课, 四风: find them, expand them, track them.

A numbered formulation is a fixed political expression built on numerals that abbreviates a
set of items or names a numbered plan: numeral + classifier + political phrase (四个意识,
八项规定, 三大攻坚战, 十四个坚持), numeral-led parts (三会一课, 两学一做, 一国两制, 五位一体), a
five-year-plan number (十四五), or a numeral with a one-character abbreviation (四风, 三农).
It is not any numeral phrase: quantities (三十二个, 一百四十多个), percentages (百分之九十五),
years (一九四九年, 九二共识), idioms (五湖四海) and "one/a" (一把手, 一批, 一些) are not.

Candidates are found three ways (``found_by``) and kept only when their shape fits
(:func:`formulation_shape`):

``lexicon``  a term of the lexicon's ``numbered`` category occurs in the text (kept as is);
``pattern``  a token of a strict shape: numeral-led parts, a plan number, or a count (2–19,
             not 一) + 个/项/大/条/种/座/类 + a non-generic head of 2–5 characters;
``quoted``   a short quoted expression opening with a numeral, of any of those shapes, or a
             count (二 … 十九, not 一) + 1–5 characters that are not a time unit
             (“四风”, “三保”, “十条”, “四下基层”);
``counted``  (only with ``counted=True``, lower precision) a numeral+classifier token followed
             by a 2–4 character token (五项 原则 → 五项原则, 两大 奇迹 → 两大奇迹).

Precision and recall on a hand-labelled sample (314 candidates from the speech, gwr2018,
gwr2024, cpc19, cpc20: ``tests/data/formulations_labelled.tsv``) are recomputed by the tests.
Counts are taken in the normalised text (not in tokens), so they do not depend on how the
segmenter cut the formulation.  Members come from the lexicon where it lists them.
"""

from __future__ import annotations

import re
from typing import Iterable, Sequence

import pandas as pd

from .._util import check
from ..errors import InputError
from ..lexicon.terms import Lexicon
from ..text.numerals import DIGIT_CHARS
from .trends import trend_table

DIGIT = DIGIT_CHARS
NUMERALS = DIGIT + "十百千"
COUNT = rf"(?:[{DIGIT}]?十[{DIGIT}]?|[{DIGIT}])"          # 1–99 written in characters
COUNT_NOT_ONE = rf"(?:[{DIGIT}]?十[{DIGIT}]?|[二两三四五六七八九])"
CLASSIFIERS = "个项大条种座类"
NOT_AFTER_NUMERAL = NUMERALS + "〇零万亿个多余几来年月日天周岁点分之倍号次批些"
HAN = r"[\u4e00-\u9fff]"
SHAPES = {
    "plan": re.compile(rf"^十[{DIGIT}]五$"),
    "parts": re.compile(rf"^(?:[{DIGIT}十][^{NOT_AFTER_NUMERAL}\W\d]{{1,2}}){{2,3}}$"),
    "counted": re.compile(rf"^{COUNT_NOT_ONE}[{CLASSIFIERS}]({HAN}{{2,5}})$"),
    "steps": re.compile(r"^[两三四五]步走$"),
}
QUOTED_SHAPES = {
    "counted_one": re.compile(rf"^一[{CLASSIFIERS}]({HAN}{{2,5}})$"),
    "abbreviation": re.compile(rf"^{COUNT_NOT_ONE}([^{NOT_AFTER_NUMERAL}\W\d]{HAN}{{0,4}})$"),
}
TOKEN_PATTERNS = tuple(SHAPES.values())
QUOTED = re.compile(rf"[“\"「]([{NUMERALS}]{HAN}{{1,6}})[”\"」]")
# counted pairs: a count of 2–20 and a classifier (not 十六大, 二十大: Congress ordinals)
COUNTED_PAIR = re.compile(rf"^(?:十[{DIGIT}]?|二十|[二两三四五六七八九])[{CLASSIFIERS}]$")
CONGRESS = re.compile(rf"^(?:[{DIGIT}]十[{DIGIT}]?|十[{DIGIT}])大$")
# Heads that make "count + classifier + head" a description, not a formulation (三个方面, 两个阶段).
GENERIC_HEADS = frozenset({"方面", "阶段", "问题", "目标", "国家", "地方", "地区", "领域", "部门", "企业", "城市", "省份",
                           "百分点", "小时", "层次", "环节", "时期", "部分", "主粮", "世纪", "月份", "季度", "年度"})
# Shapes of formulations that are ordinary words or idioms (chengyu).
NOT_FORMULATIONS = frozenset({"一个个", "一次次", "三三两两", "一五一十", "十之八九", "一心一意", "一点一滴",
                              "一朝一夕", "一言一行", "一举一动", "千家万户", "千方百计", "百花齐放", "百家争鸣",
                              "五湖四海", "四面八方", "五花八门", "七嘴八舌", "三番五次", "三令五申", "一清二楚",
                              "一穷二白", "九牛一毛", "十全十美", "七上八下", "三心二意", "一草一木", "一针一线",
                              "一丝一毫", "一砖一瓦", "一山一水", "一年一度", "一年四季", "四通八达", "七零八落",
                              "一波三折", "一唱一和", "一张一弛", "一知半解", "一模一样", "两全其美", "三五成群",
                              "一来二去", "一干二净", "一分为二", "八仙过海", "六神无主", "九九归一", "一以贯之"})


def formulation_shape(candidate: str, *, quoted: bool = False) -> str | None:
    """The shape that makes ``candidate`` a numbered formulation ("plan", "parts", "counted",
    "steps"; quoted also "counted_one", "abbreviation"), or None.  Idioms and generic heads
    (三个方面) are refused."""
    if candidate in NOT_FORMULATIONS or CONGRESS.match(candidate):
        return None
    shapes = {**SHAPES, **QUOTED_SHAPES} if quoted else SHAPES
    for name, pattern in shapes.items():
        match = pattern.match(candidate)
        if match is None:
            continue
        head = match.group(1) if pattern.groups else ""
        if name in ("counted", "counted_one") and head in GENERIC_HEADS:
            continue
        return name
    return None


def find_formulations(text: str, tokens: Iterable[str] = (), lexicon: Lexicon | None = None, *,
                      counted: bool = False) -> pd.DataFrame:
    """Numbered formulations in one normalised text (and its tokens, in order: the filtered
    ``tokens`` or the unfiltered ``stream`` of its paragraphs give the same result on the
    labelled sample).

    Columns: ``formulation, count, found_by`` (comma-separated), ``shape`` (see
    :func:`formulation_shape`; "lexicon" for lexicon terms of no listed shape), ``category``,
    ``members`` (``;``-separated, from the lexicon), ``n_members``; most frequent first.
    ``counted=True`` adds numeral+classifier token pairs (lower precision; see the module docstring).
    """
    lex = lexicon if lexicon is not None else Lexicon.load()
    tokens = list(tokens)
    found: dict[str, set[str]] = {}
    shapes: dict[str, str] = {}
    for term in lex.category("numbered"):
        if term in text:
            found.setdefault(term, set()).add("lexicon")
            shapes[term] = formulation_shape(term, quoted=True) or "lexicon"
    for tok in set(tokens):
        shape = formulation_shape(tok)
        if shape:
            found.setdefault(tok, set()).add("pattern")
            shapes.setdefault(tok, shape)
    for match in QUOTED.finditer(text):
        shape = formulation_shape(match.group(1), quoted=True)
        if shape:
            found.setdefault(match.group(1), set()).add("quoted")
            shapes.setdefault(match.group(1), shape)
    if counted:
        for candidate in _counted_pairs(text, tokens, found):
            found.setdefault(candidate, set()).add("counted")
            shapes.setdefault(candidate, "counted")
    cats = lex.categories
    rows = [(f, text.count(f), ",".join(sorted(how)), shapes[f], cats.get(f, ""), ";".join(lex.members(f)),
             len(lex.members(f))) for f, how in found.items()]
    table = pd.DataFrame(rows, columns=["formulation", "count", "found_by", "shape", "category", "members", "n_members"])
    return table.sort_values(["count", "formulation"], ascending=[False, True]).reset_index(drop=True)


def _counted_pairs(text: str, tokens: Sequence[str], found: dict) -> list[str]:
    """numeral+classifier token + the next token, where the two are adjacent in the text, the head is
    not adjectival (…性) and the pair is not the start of a formulation found otherwise (三个区分 of
    三个区分开来)."""
    out = []
    for first, second in zip(tokens, tokens[1:]):
        candidate = first + second
        if (not COUNTED_PAIR.match(first) or (first.endswith("大") and CONGRESS.match(first)) or second.endswith("性")
                or candidate not in text or formulation_shape(candidate) != "counted"):
            continue
        if any(f != candidate and f.startswith(candidate) for f in found):
            continue
        out.append(candidate)
    return out


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
    formulations = list(dict.fromkeys(check.terms(formulations, "formulations", "formulation_trends")))
    if not formulations:
        raise InputError("no formulations given")
    grouped = paragraphs.groupby("doc_id", sort=False)
    docs = pd.DataFrame({"year": grouped["year"].first(), "n_tokens": grouped["n_tokens"].sum(),
                         "text": grouped["text"].agg("\n".join)}).reset_index()
    counts = pd.DataFrame({f: docs["text"].str.count(re.escape(f)) for f in formulations})
    return trend_table(counts, docs, target=target, years=years, func="formulation_trends")
