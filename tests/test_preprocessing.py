"""Normalisation: each step alone, and the conservation property on every real text."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.text.normalise import (ASCII_TO_FULLWIDTH, ascii_punct_to_fullwidth, fullwidth_alnum_to_ascii,
                                    join_hard_wraps, normalise, remove_spaces_near_cjk, remove_zero_width,
                                    strip_licence_footer, strip_title_block, traditional_to_simplified)


def test_ascii_punctuation_next_to_chinese_becomes_fullwidth():
    assert ascii_punct_to_fullwidth("同志们:今天,我们(一)开会;好吗?好!") == "同志们：今天，我们（一）开会；好吗？好！"
    assert ascii_punct_to_fullwidth("增长1,000亿元, 10:30 a,b") == "增长1,000亿元，10:30 a,b"


def test_spaces_between_cjk_and_digits_and_inside_names_go():
    assert remove_spaces_near_cjk("系统 2025 年度") == "系统2025年度"
    assert remove_spaces_near_cjk("国务院总理　李　强") == "国务院总理李强"
    assert remove_spaces_near_cjk("COVID 19 and GDP") == "COVID 19 and GDP"


def test_zero_width_and_fullwidth_digits():
    assert remove_zero_width("\u200b各位代表：\u200d") == "各位代表："
    assert fullwidth_alnum_to_ascii("１９８４年ＧＤＰ，") == "1984年GDP，"


def test_traditional_becomes_simplified_and_is_counted(gwr):
    assert traditional_to_simplified("我們學習會議經濟發展") == "我们学习会议经济发展"
    norm = normalise("我們學習，我们学习。")
    assert norm.text == "我们学习，我们学习。" and norm.simplified_chars == 3  # 們 學 習
    assert normalise("我們", simplify=False).text == "我們"
    y1954 = normalise(gwr.set_index("doc_id").loc["gwr1954", "text"])
    assert y1954.simplified_chars > 5000 and "我们第一届全国人民代表大会" in y1954.text
    assert normalise(gwr.set_index("doc_id").loc["gwr2025", "text"]).simplified_chars == 0


def test_hard_wraps_joined_without_spaces_paragraphs_kept():
    wrapped = ("一、总结成绩，认清形势，切实增强做好新时代司法行政工\n作的责任感使命感\n"
               "去年，全市司法行政系统在市委、市政府的坚强领导和省司\n法厅的有力指导下，取得了新进展。\n"
               "（一）坚持党的绝对领导，司法行政机关政治属性更加彰显。\n")
    assert join_hard_wraps(wrapped).split("\n") == [
        "一、总结成绩，认清形势，切实增强做好新时代司法行政工作的责任感使命感",
        "去年，全市司法行政系统在市委、市政府的坚强领导和省司法厅的有力指导下，取得了新进展。",
        "（一）坚持党的绝对领导，司法行政机关政治属性更加彰显。"]


def test_blank_line_layout_joins_lines_inside_blocks():
    assert join_hard_wraps("政府工作报\n告\n\n\n各位代表：\n\n现在，我代表国务院。") == "政府工作报告\n各位代表：\n现在，我代表国务院。"


def test_speech_paragraphs(speech):
    norm = normalise(speech.loc[0, "text"])
    paras = norm.text.split("\n")
    assert paras[0] == "同志们："
    assert paras[1].startswith("今天，我们召开全市司法行政系统2025年度政治工作会议，主要任务是：")
    assert "一、总结成绩，认清形势，切实增强做好新时代司法行政工作的责任感使命感" in paras
    assert not re.search(r"[\u4e00-\u9fff][,:]|[,:][\u4e00-\u9fff]", norm.text)
    assert not re.search(r"\d [\u4e00-\u9fff]|[\u4e00-\u9fff] \d", norm.text)
    assert set(norm.boilerplate) == {"title_block"}
    assert "2025\n年度政治工作会议上的讲话" in norm.boilerplate["title_block"]


def test_licence_footer_and_title_block(gwr, cpc):
    for text in list(gwr["text"]) + list(cpc["text"]):
        body, footer = strip_licence_footer(text)
        if footer:
            assert re.search("公有领域|公有領域|Public domain", footer) and body + footer != body
    n_with_footer = sum(bool(strip_licence_footer(t)[1]) for t in gwr["text"])
    assert n_with_footer == 52
    text = gwr.set_index("doc_id").loc["gwr2024", "text"]
    kept, head = strip_title_block(strip_licence_footer(text)[0])
    assert "李　强" in head and kept.lstrip().startswith("各位代表")


def _conserved(raw: str) -> tuple[str, str]:
    """Both sides of the conservation property, as comparable strings."""
    norm = normalise(raw)
    expected = traditional_to_simplified(fullwidth_alnum_to_ascii(remove_zero_width(raw)))
    for removed in norm.boilerplate.values():
        assert removed in expected
        expected = expected.replace(removed, "", 1)
    # Compare without whitespace, and with full-width punctuation folded back to ASCII:
    # the only other change allowed is the ASCII → full-width mapping.
    fold = {ord(v): k for k, v in ASCII_TO_FULLWIDTH.items()}
    return re.sub(r"\s", "", expected).translate(fold), re.sub(r"\s", "", norm.text).translate(fold)


def test_every_character_survives_in_order_real_texts(speech, gwr, cpc):
    total_boilerplate = 0
    for raw in list(speech["text"]) + list(gwr["text"]) + list(cpc["text"]):
        expected, got = _conserved(raw)
        assert expected == got
        total_boilerplate += normalise(raw).boilerplate_chars
    assert total_boilerplate > 0


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("中国特色，。：,:;?!() 　\n\t12ab年") + ["\u200b", "１", "Ａ"]), max_size=200))
def test_every_character_survives_in_order_generated(raw):
    expected, got = _conserved(raw)
    assert expected == got


@pytest.mark.parametrize("step", [ascii_punct_to_fullwidth, remove_spaces_near_cjk, join_hard_wraps])
def test_steps_are_idempotent(step, speech):
    once = step(normalise(speech.loc[0, "text"]).text)
    assert step(once) == once


def _every_step(raw: str):
    """normalise() as its steps composed, none skipped (the reference for its fast path)."""
    from analysis.text.normalise import DEFAULT_STEPS, DEFAULT_STRIPPERS, make_pipeline, remove_control_chars
    text, control = remove_control_chars(raw)
    text = traditional_to_simplified(fullwidth_alnum_to_ascii(text).replace("\r\n", "\n").replace("\r", "\n"))
    for strip in DEFAULT_STRIPPERS.values():
        text, _ = strip(text)
    return make_pipeline(*DEFAULT_STEPS)(text), control


AWKWARD = ["\t", " ", "\u3000", "\xa0", "\u2009", ",", "(", ")", "!", "１２", "ＡＢｃ", "\u200b", "\x0b", "\u2028",
           "\r\n", "\r", "abc def", "中文", "。\n", "\ufeff", "\x85", "\U000e0041", "2025 年", "\n\n"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(AWKWARD), max_size=40).map("".join))
def test_skipped_steps_change_nothing_generated(raw):
    """normalise() skips a step when the text has none of the characters it changes; the result is
    what running every step gives, also for spaces, tabs, controls and full-width letters mixed."""
    got = normalise(raw)
    assert (got.text, got.control_chars) == _every_step(raw)


def test_skipped_steps_change_nothing_real_texts(speech, gwr, cpc):
    for raw in list(speech["text"]) + list(gwr["text"]) + list(cpc["text"]):
        got = normalise(raw)
        assert (got.text, got.control_chars) == _every_step(raw)


def test_char_classes_name_what_each_step_changes():
    from analysis.text.normalise import _CONTROL, _FULLWIDTH, _HSPACE, _PUNCT, char_classes
    assert char_classes("") == 0 and char_classes("中国特色社会主义") == 0
    assert char_classes("中\u200b国") == _CONTROL
    assert char_classes("１号") == _FULLWIDTH
    assert char_classes("李\u3000强") == _HSPACE and char_classes("a\tb") == _HSPACE
    assert char_classes("好,的") == _PUNCT
    assert char_classes("Ａ\u2028 (") == _CONTROL | _FULLWIDTH | _HSPACE | _PUNCT
