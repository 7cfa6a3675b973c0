"""Chinese numerals and heading patterns, each defined once (analysis.text.numerals, analysis.text.structure):
the parser reads what the patterns match, and normalisation keeps apart exactly the headings structure sees."""

import pytest

from analysis.corpus import npc_session_year
from analysis.errors import InputError
from analysis.text import cn_to_int, heading_level, join_hard_wraps


@pytest.mark.parametrize("text, value", [
    ("一", 1), ("两", 2), ("十", 10), ("十四", 14), ("二十", 20), ("二十一", 21), ("九十九", 99),
    ("〇", 0), ("二〇二五", 2025), (" 十二 ", 12), ("3", 3), ("１４", 14),
])
def test_cn_to_int_reads_numerals(text, value):
    assert cn_to_int(text) == value


@pytest.mark.parametrize("text", ["", "百", "一百", "十十", "一二十", "二十三十", "十二三", "〇十", "²", "三个"])
def test_cn_to_int_refuses_what_is_not_a_numeral_below_100(text):
    with pytest.raises(InputError, match="not a Chinese numeral below 100") as info:
        cn_to_int(text)
    assert repr(text.strip()) in str(info.value)
    assert isinstance(info.value, ValueError)  # what it raised before, for callers catching ValueError


@pytest.mark.parametrize("numeral, value", [("一", 1), ("九", 9), ("十", 10), ("十四", 14), ("二十", 20), ("九十九", 99)])
def test_every_heading_numeral_is_one_the_parser_reads(numeral, value):
    assert heading_level(f"{numeral}、总结成绩") == 1
    assert heading_level(f"（{numeral}）坚持人民至上") == 2
    assert heading_level(f"{numeral}是加大宏观调控力度。") == 5
    assert heading_level(f"第{numeral}，坚持党的领导。") == 5
    assert cn_to_int(numeral) == value


def test_session_numbers_are_read_by_the_same_numerals():
    assert npc_session_year("第十四届全国人民代表大会第二次会议") == 2024
    assert npc_session_year("第十两届全国人民代表大会第二次会议") is None  # 两 is a count, never an ordinal


FILL = "我们始终坚持以人民为中心的发展思想不断推进改革开放"  # 24 characters: a full line of the page


@pytest.mark.parametrize("heading, level", [
    ("一、总结成绩", 1), ("二十、明确目标", 1), ("（三）坚持人民至上", 2), ("(三)坚持人民至上", 2),
    ("1.加强党的建设", 3), ("12、推进改革", 3), ("（2）推进改革", 4), ("二要持之以恒强化理论武装", 5),
    ("一是加大宏观调控力度", 5), ("第一，坚持党的领导", 5),
])
def test_hard_wraps_break_before_exactly_the_headings_structure_sees(heading, level):
    line = (heading + FILL)[:len(FILL)]  # as wide as the other lines: only the heading marker can break it
    text = "\n".join([FILL, FILL, line, FILL, FILL])
    paragraphs = join_hard_wraps(text).split("\n")
    assert paragraphs == [FILL * 2, line + FILL * 2]
    assert [heading_level(p) for p in paragraphs] == [None, level]


@pytest.mark.parametrize("line", ["1.39万亿斤粮食产量稳定在高位我们始终坚持以人民", "十两、不是标题的一行字我们始终坚持以人民为中心"])
def test_hard_wraps_join_a_line_that_only_looks_like_a_heading(line):
    line = line[:len(FILL)]
    assert heading_level(line) is None
    assert join_hard_wraps("\n".join([FILL, FILL, line, FILL, FILL])) == FILL * 2 + line + FILL * 2
