"""Sections, paragraphs and sentences by the heading levels of Chinese official documents."""

from analysis.text.normalise import normalise
from analysis.text.paragraphs import paragraph_table
from analysis.text.structure import heading_level, outline, parse_paragraphs, section_label, split_sentences


def test_heading_levels():
    assert heading_level("一、总结成绩") == 1
    assert heading_level("（三）坚持人民至上") == 2 and heading_level("(三)坚持") == 2
    assert heading_level("1.加强党的建设") == 3 and heading_level("1.39万亿斤") is None
    assert heading_level("（2）推进改革") == 4
    assert heading_level("二要持之以恒强化理论武装。") == 5 and heading_level("一是加大宏观调控力度。") == 5
    assert heading_level("第一，坚持党的领导。") == 5
    assert heading_level("我们始终把党的政治建设摆在首位") is None


def test_speech_structure(speech):
    text = normalise(speech.loc[0, "text"]).text
    top = outline(text)
    level1 = top[top["level"] == 1]["heading"].tolist()
    assert [h[:6] for h in level1] == ["一、总结成绩", "二、明确目标"]
    level2 = top[top["level"] == 2]["heading"].str[:3].tolist()
    assert level2 == ["（一）", "（二）", "（三）", "（四）", "（一）"]
    directives = top[top["level"] == 5]["heading"].tolist()
    assert directives == ["一要坚定不移加强党的政治建设。", "二要持之以恒强化理论武装。"]
    paras = parse_paragraphs(text)
    body = next(p for p in paras if p.text.startswith("要始终坚持把党的政治建设摆在首位"))
    assert [section_label(s) for s in body.section_path] == ["二、明确目标", "（一）聚焦政治引领", "一要坚定不移加强党的政治建设"]


def test_gwr_parts(gwr):
    text = normalise(gwr.set_index("doc_id").loc["gwr2024", "text"]).text
    parts = outline(text).query("level == 1")["heading"].tolist()
    assert parts == ["一、2023年工作回顾", "二、2024年经济社会发展总体要求和政策取向", "三、2024年政府工作任务"]


def test_paragraph_table_sections(speech):
    table = paragraph_table(speech)
    assert table["paragraph"].tolist() == list(range(len(table)))
    assert (table.loc[table["is_heading"], "level"].notna()).all()
    first_section = table[table["section"].str.startswith("一、")]
    assert len(first_section) == 10 and first_section["text"].str.len().sum() > 1500
    # paragraphs before the first heading belong to no section
    assert table.loc[0, "section"] == "" and table.loc[0, "text"] == "同志们："


def test_sentences():
    assert split_sentences("他说：“好。”我们走！还有吗？没有……最后") == ["他说：“好。”", "我们走！", "还有吗？", "没有……", "最后"]
