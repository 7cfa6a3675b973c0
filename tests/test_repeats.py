"""Verbatim repeated passages: planted repeats, near-repeats that must not match, and the speech."""

from __future__ import annotations

import pytest

from analysis.errors import InputError
from analysis.text.normalise import normalise
from analysis.stats.repeats import dedupe_units, drop_repeats, find_repeats

PASSAGE = "以习近平新时代中国特色社会主义思想为指导，深入学习贯彻党的二十大精神，"   # 35 characters
NEAR = "以习近平新时代中国特色社会主义思想为指引，深入学习贯彻党的二十大精神，"      # one character differs


def test_planted_repeat_found_exactly_once():
    text = "今天召开会议。" + PASSAGE + "总结工作。部署任务，" + PASSAGE + "完。"
    table = find_repeats(text, min_chars=30)
    assert len(table) == 1
    row = table.iloc[0]
    assert row.text == PASSAGE and row.length == len(PASSAGE) == row.end - row.start
    assert text[row.start:row.end] == text[row.first_start:row.first_start + row.length] == PASSAGE
    assert row.first_start == len("今天召开会议。")


def test_maximal_not_every_window():
    # the copy shares one more character on each side than the passage itself: reported as one longer repeat
    text = "甲" + PASSAGE + "乙。中间文字不同。甲" + PASSAGE + "乙"
    table = find_repeats(text, min_chars=30)
    assert table["text"].tolist() == ["甲" + PASSAGE + "乙"]


def test_near_repeat_does_not_match():
    text = PASSAGE + "中间的话。" + NEAR
    assert find_repeats(text, min_chars=30).empty
    # each half of the near-repeat is shorter than 30 characters, and the halves are found at a lower threshold
    assert not find_repeats(text, min_chars=15).empty


def test_three_copies_and_drop():
    text = PASSAGE + "一。" + PASSAGE + "二。" + PASSAGE
    table = find_repeats(text, min_chars=30)
    # the second copy repeats the first; the third, with the "。" before it, repeats "。" + the second
    assert table[["start", "end", "first_start"]].values.tolist() == [[37, 72, 0], [73, 109, 36]]
    for row in table.itertuples():
        assert text[row.start:row.end] == text[row.first_start:row.first_start + row.length]
    deduped = drop_repeats(text, min_chars=30)
    assert deduped.text == PASSAGE + "一。二" and deduped.n_removed == 2 * len(PASSAGE) + 1
    assert deduped.share_removed == pytest.approx((2 * len(PASSAGE) + 1) / len(text))
    assert deduped.text.count(PASSAGE) == 1


def test_no_repeats_and_bad_threshold():
    assert find_repeats("短文本", 30).empty and drop_repeats("短文本").n_removed == 0
    with pytest.raises(InputError):
        find_repeats("文本", 0)


def test_the_speech(speech):
    """The speech repeats its guiding-idea sentence and its closing goal clause word for word."""
    text = normalise(speech["text"].iloc[0]).text
    table = find_repeats(text, min_chars=30)
    assert table["text"].tolist() == [
        "以习近平新时代中国特色社会主义思想为指导，深入学习贯彻党的二十大和二十届二中、三中全会精神，"
        "全面贯彻落实习近平总书记对政法工作、司法行政工作的重要指示精神，",
        "推动全面依法治市和司法行政工作高质量发展，为奋力谱写中国式现代化新篇章提供优质法律服务和坚强法治保障。"]
    assert table["length"].tolist() == [78, 51]
    for row in table.itertuples():
        assert text.count(row.text) == 2 and row.first_start < row.start
    assert drop_repeats(text, 30).n_removed == 129


def test_dedupe_units_resegments(speech_paragraphs, segmenter):
    deduped = dedupe_units(speech_paragraphs, segmenter, min_chars=30)
    assert deduped["n_chars_removed"].sum() == 129
    assert speech_paragraphs["n_chars"].sum() - deduped["n_chars"].sum() == 129
    before = [t for toks in speech_paragraphs["tokens"] for t in toks]
    after = [t for toks in deduped["tokens"] for t in toks]
    assert before.count("习近平新时代中国特色社会主义思想") - after.count("习近平新时代中国特色社会主义思想") == 1
    assert after.count("司法行政工作") == before.count("司法行政工作") - 2
    changed = deduped["n_chars_removed"] > 0
    for text, tokens in zip(deduped.loc[changed, "text"], deduped.loc[changed, "tokens"]):
        assert tokens == segmenter.tokens(text)
    assert set(deduped.attrs["repeats"]["doc_id"]) == {"speech2025"}
    with pytest.raises(InputError, match="text"):
        dedupe_units(speech_paragraphs.drop(columns="text"), segmenter)
