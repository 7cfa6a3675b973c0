"""PDF, Word and web-page documents: read to text by every loader, page furniture counted out,
titles and stated dates taken from the documents, bad files refused with one clear error.

The files are made here by the real libraries (matplotlib writes the PDFs with a CJK font
embedded, python-docx the Word files) and read back by pypdf, python-docx and trafilatura."""

from __future__ import annotations

import subprocess
import sys

import matplotlib
import pytest

matplotlib.use("agg")

from analysis.corpus import iter_corpus, load_corpus, read_document  # noqa: E402
from analysis.errors import CorpusError  # noqa: E402
from analysis.text.normalise import normalise  # noqa: E402

HEADER = "某某市司法局文件"
PAGES = [  # each page's body lines as a PDF lays them out: a sentence wrapped at the line width
    ["在全市司法行政政治工作会议上的讲话", "（2025年2月18日）", "同志们：",
     "今天召开全市司法行政政治工作会议，主要任务是深入学习贯彻党的二十", "大精神，部署今年的工作。"],
    ["一、关于政治建设", "坚持以习近平新时代中国特色社会主义思想为指导，全面加强党的政治建",
     "设，推动司法行政工作高质量发展。"],
    ["二、关于队伍建设", "2024年，全市新增人民调解员326名，公共法律服务实现全覆盖，群众满意",
     "度持续提升。"],
]


def make_pdf(path, pages=PAGES, header=HEADER, footer="- {n} -", text=True):
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_pdf import PdfPages

    from analysis.viz.fonts import setup_matplotlib
    setup_matplotlib()
    with plt.rc_context({"pdf.fonttype": 42}), PdfPages(path) as pdf:
        for n, lines in enumerate(pages, 1):
            fig = plt.figure(figsize=(8.27, 11.69))
            if text:
                if header:
                    fig.text(0.1, 0.95, header, fontsize=10)
                for i, line in enumerate(lines):
                    fig.text(0.1, 0.88 - i * 0.03, line, fontsize=12)
                if footer:
                    fig.text(0.5, 0.04, footer.format(n=n), fontsize=10, ha="center")
            else:  # a scan: the page is a picture
                fig.figimage([[0.2, 0.8], [0.8, 0.2]], xo=50, yo=50)
            pdf.savefig(fig)
            plt.close(fig)
    return path


def make_docx(path, title=None):
    import docx
    document = docx.Document()
    if title:
        document.core_properties.title = title
    document.add_heading("在全市司法行政政治工作会议上的讲话", 0)
    document.add_paragraph("（2025年2月18日）")
    document.add_paragraph("同志们：")
    document.add_heading("一、关于政治建设", 1)
    document.add_paragraph("坚持以习近平新时代中国特色社会主义思想为指导。")
    table = document.add_table(rows=2, cols=2)
    for (r, c), value in {(0, 0): "项目", (0, 1): "数量", (1, 0): "人民调解", (1, 1): "326"}.items():
        table.cell(r, c).text = value
    document.add_paragraph("二是加强队伍建设。")
    document.save(path)
    return path


GOV_PAGE = """<!DOCTYPE html><html><head><meta charset="gb2312">
<title>在全市司法行政政治工作会议上的讲话_某某市司法局</title>
<meta name="PubDate" content="2025-02-20 10:00"><script>var tracker = "统计代码不要";</script></head><body>
<div class="nav"><a href="/">首页</a> | <a href="/xxgk">信息公开</a> | <a href="/zwdt">政务动态</a> | <a href="/hdjl">互动交流</a></div>
<div class="crumb">当前位置：首页 &gt; 政务动态 &gt; 工作要闻</div>
<div class="article"><h1>在全市司法行政政治工作会议上的讲话</h1>
<div class="info">发布时间：2025-02-20 来源：市司法局 字号：【大】【中】【小】</div>
<p>同志们：</p>
<p>今天召开全市司法行政政治工作会议，主要任务是深入学习贯彻党的二十大和二十届二中、三中全会精神，总结2024年工作，部署2025年任务。</p>
<p>一、关于政治建设</p>
<p>坚持以习近平新时代中国特色社会主义思想为指导，全面加强党的政治建设，推动司法行政工作高质量发展，为建设更高水平的法治城市提供坚强保障。</p>
<p>二、关于队伍建设</p>
<p>要锻造忠诚干净担当的司法行政铁军，持续深化全面从严管党治警，一体推进不敢腐、不能腐、不想腐。</p>
<div class="tools">【打印本页】 【关闭窗口】</div></div>
<div class="footer">版权所有：某某市司法局 地址：某某路1号 备案号：某ICP备12345678号</div>
</body></html>"""
BODY = ["同志们：", "一、关于政治建设", "二、关于队伍建设", "一体推进不敢腐、不能腐、不想腐。",
        "今天召开全市司法行政政治工作会议，主要任务是深入学习贯彻党的二十大和二十届二中、三中全会精神"]
FURNITURE = ["首页", "当前位置", "信息公开", "打印本页", "关闭窗口", "版权所有", "备案号", "统计代码", "字号"]


# ---------------------------------------------------------------------------- PDF
def test_pdf_text_without_running_header_and_page_numbers(tmp_path):
    doc = read_document(make_pdf(tmp_path / "speech.pdf"))
    assert doc.kind == "pdf" and doc.pages == 3
    assert doc.text.split("\n") == [line for page in PAGES for line in page]  # every body line, in order
    assert doc.removed == [HEADER, "- 1 -", HEADER, "- 2 -", HEADER, "- 3 -"]
    assert doc.removed_chars == 3 * len(HEADER) + 3 * 5
    assert doc.date == "2025-02-18" and doc.year == 2025
    # the line breaks of the page are repaired by the normalisation, as for a .txt file
    text = normalise(doc.text).text
    assert "深入学习贯彻党的二十大精神" in text and "全面加强党的政治建设" in text and "群众满意度持续提升" in text


def test_pdf_page_numbers_in_other_styles_and_a_first_line_that_only_looks_like_one(tmp_path):
    pages = [["2024年，全市新增人民调解员326名。", "正文第一页。"], ["326", "正文第二页。"], ["正文第三页。"]]
    doc = read_document(make_pdf(tmp_path / "a.pdf", pages, header=None, footer="第{n}页 / 共3页"))
    assert doc.removed == ["第1页 / 共3页", "326", "第2页 / 共3页", "第3页 / 共3页"]  # a number alone at an edge
    assert doc.text.split("\n") == ["2024年，全市新增人民调解员326名。", "正文第一页。", "正文第二页。", "正文第三页。"]


def test_a_line_repeated_on_fewer_than_half_the_pages_is_text(tmp_path):
    pages = [["同一句话。", "甲。"], ["乙。"], ["丙。"], ["丁。"], ["同一句话。", "戊。"]]  # 2 of 5 pages
    doc = read_document(make_pdf(tmp_path / "a.pdf", pages, header=None, footer=None))
    assert doc.removed == [] and doc.text.count("同一句话。") == 2


def test_scanned_pdf_is_one_clear_error(tmp_path):
    path = make_pdf(tmp_path / "scan.pdf", text=False)
    with pytest.raises(CorpusError, match=r"scan\.pdf: a PDF of 3 page\(s\) with no text layer .*OCR"):
        read_document(path)


@pytest.mark.parametrize("content", [b"", b"%PDF-1.7\nnot really", b"\x00\xff" * 100])
def test_broken_pdf_names_the_file(tmp_path, content):
    path = tmp_path / "broken.pdf"
    path.write_bytes(content)
    with pytest.raises(CorpusError, match=r"broken\.pdf: "):
        read_document(path)


# ---------------------------------------------------------------------------- Word
def test_docx_paragraphs_headings_and_tables_in_order(tmp_path):
    doc = read_document(make_docx(tmp_path / "speech.docx"))
    assert doc.kind == "docx"
    assert doc.text.split("\n") == ["在全市司法行政政治工作会议上的讲话", "（2025年2月18日）", "同志们：", "一、关于政治建设",
                                    "坚持以习近平新时代中国特色社会主义思想为指导。", "项目 数量", "人民调解 326",
                                    "二是加强队伍建设。"]
    assert doc.title == "在全市司法行政政治工作会议上的讲话" and doc.date == "2025-02-18"
    assert read_document(make_docx(tmp_path / "b.docx", title="局长讲话")).title == "局长讲话"  # the Title property first


@pytest.mark.parametrize("name,content,message", [
    ("empty.docx", b"", "not a readable Word .docx file"),
    ("zip.docx", b"PK\x05\x06" + b"\x00" * 18, "not a readable Word .docx file"),
    ("old.doc", b"\xd0\xcf\x11\xe0", "legacy Word .doc file; save it as .docx"),
])
def test_broken_word_files_name_the_file(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(CorpusError, match=rf"{name.replace('.', '[.]')}: .*{message}"):
        read_document(path)


# ---------------------------------------------------------------------------- web pages
def test_saved_government_page_main_text_only(tmp_path):
    path = tmp_path / "page.html"
    path.write_bytes(GOV_PAGE.encode("gb18030"))
    doc = read_document(path)
    assert doc.kind == "html" and doc.encoding == "gb18030"
    assert all(line in doc.text for line in BODY)
    assert not [word for word in FURNITURE if word in doc.text]
    assert doc.title == "在全市司法行政政治工作会议上的讲话" and doc.date == "2025-02-20"


def test_page_tool_lines_are_dropped_and_counted(tmp_path):
    page = GOV_PAGE.replace('<div class="tools">', '<p>【打印本页】 【关闭窗口】</p><div class="tools">')
    path = tmp_path / "page.htm"
    path.write_text(page.replace("gb2312", "utf-8"), encoding="utf-8")
    doc = read_document(path)
    assert "打印本页" not in doc.text and all(line in doc.text for line in BODY)
    assert doc.removed_chars == sum(len(line) for line in doc.removed) and all("打印本页" in r or "关闭" in r for r in doc.removed)


def test_a_page_without_text_is_one_clear_error(tmp_path):
    path = tmp_path / "frame.html"
    path.write_text("<html><head><title>x</title><script>load()</script></head><body><div id='app'></div></body></html>",
                    encoding="utf-8")
    with pytest.raises(CorpusError, match=r"frame\.html: no main text found in the web page"):
        read_document(path)


# ---------------------------------------------------------------------------- loaders, the store and the CLI
def _mixed_folder(tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    make_pdf(folder / "bureau_speech.pdf")
    make_docx(folder / "bureau_2023.docx")
    (folder / "news.html").write_bytes(GOV_PAGE.encode("gb18030"))
    (folder / "notes_2022.txt").write_text("坚持全面从严治党。", encoding="utf-8")
    return folder


def test_a_folder_of_pdf_word_web_and_text_files_is_one_corpus(tmp_path):
    docs = load_corpus(_mixed_folder(tmp_path)).set_index("doc_id")
    assert sorted(docs.index) == ["bureau_2023", "bureau_speech", "news", "notes_2022"]
    # the year the document states comes before the one in its file name; a .txt keeps its name's
    assert docs.loc["bureau_speech", "year"] == 2025 and docs.loc["bureau_2023", "year"] == 2025
    assert docs.loc["news", "year"] == 2025 and docs.loc["notes_2022", "year"] == 2022
    assert docs.loc["news", "title"] == "在全市司法行政政治工作会议上的讲话"
    assert docs.loc["notes_2022", "title"] == "notes_2022"
    assert docs.loc["bureau_speech", "format"] == "pdf" and docs.loc["bureau_speech", "removed_chars"] == 39
    assert docs.loc["bureau_speech", "text"] == read_document(tmp_path / "reports" / "bureau_speech.pdf").text


def test_a_metadata_row_overrides_what_the_document_states(tmp_path):
    folder = _mixed_folder(tmp_path)
    (folder / "metadata.csv").write_text("filename,year,title\nbureau_speech.pdf,2024,我的标题\n", encoding="utf-8")
    docs = load_corpus(folder).set_index("doc_id")
    assert docs.loc["bureau_speech", "year"] == 2024 and docs.loc["bureau_speech", "title"] == "我的标题"


def test_one_document_is_a_corpus_of_one(tmp_path):
    docs = load_corpus(make_pdf(tmp_path / "speech.pdf"))
    assert list(docs["doc_id"]) == ["speech"] and docs.loc[0, "year"] == 2025


def test_index_reads_pdf_and_word_documents_again_in_its_workers(tmp_path):
    from analysis.store import index
    folder = _mixed_folder(tmp_path)
    result = index(folder, tmp_path / "store", progress=False, n_jobs=1)
    assert result.indexed == 4
    stored = result.store.documents().set_index("doc_id")
    assert stored.loc["bureau_speech", "n_chars"] == len(read_document(folder / "bureau_speech.pdf").text)
    assert [d.record["doc_id"] for d in iter_corpus(folder)] == ["bureau_2023", "bureau_speech", "news", "notes_2022"]


def test_cli_segment_reads_a_pdf(tmp_path):
    path = make_pdf(tmp_path / "speech.pdf")
    out = subprocess.run([sys.executable, "-m", "analysis", "segment", str(path)], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "习近平新时代中国特色社会主义思想" in out.stdout.split() and HEADER not in out.stdout
    bad = tmp_path / "scan.pdf"
    make_pdf(bad, text=False)
    out = subprocess.run([sys.executable, "-m", "analysis", "segment", str(bad)], capture_output=True, text=True)
    assert out.returncode != 0 and "scan.pdf: a PDF of 3 page(s) with no text layer" in out.stderr
    assert "Traceback" not in out.stderr


def _wrapped(paragraph: str, width: int) -> list[str]:
    """A paragraph as a PDF lays it out: lines of ``width`` full-width cells (Latin letters and digits half)."""
    lines, line, used = [], "", 0
    for ch in paragraph:
        cells = 1 if ch.isascii() and (ch.isalnum() or ch == " ") else 2
        if used + cells > 2 * width:
            lines.append(line)
            line, used = "", 0
        line, used = line + ch, used + cells
    return lines + [line]


@pytest.mark.parametrize("width", [38, 40])
def test_the_speech_as_a_pdf_reads_back_to_its_paragraphs(tmp_path, speech, width):
    """The real speech laid out on pages (running header, page numbers): read and normalised, it gives
    the paragraphs of the .txt.  (A heading that fills its whole line is joined to the next paragraph:
    the normalisation cannot tell it from a wrapped line; at these widths none does.)"""
    paragraphs = normalise(speech.loc[0, "text"]).text.split("\n")
    lines = [line for p in paragraphs for line in _wrapped(p, width)]
    pages = [lines[i:i + 28] for i in range(0, len(lines), 28)]
    doc = read_document(make_pdf(tmp_path / "speech.pdf", pages))
    assert len(doc.removed) == 2 * len(pages)
    assert normalise(doc.text).text.split("\n") == paragraphs
