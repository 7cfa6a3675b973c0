"""Document checks (analysis.corpus.checks, ``analysis corpus check``): truncated, stub, incomplete and
duplicate documents, on the study corpus and on documents the tests make from it."""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys

import pandas as pd
import pytest

from analysis.corpus.checks import check_documents, describe_flags, flags_of
from analysis.errors import InputError
from analysis.text.normalise import normalise, strip_licence_footer


@pytest.fixture(scope="module")
def study(speech, gwr, cpc):
    return pd.concat([speech, gwr, cpc], ignore_index=True)


@pytest.fixture(scope="module")
def study_rows(study):
    return check_documents(study)


@pytest.fixture(scope="module")
def reports(gwr):
    """Five real Government Work Reports as loaded, less their Wikisource licence footer (so that what a
    test appends is the document's end).  Not normalised: the checks normalise, and normalising twice
    joins paragraphs."""
    docs = gwr[gwr["year"] >= 2019][["doc_id", "collection", "text"]].head(5).reset_index(drop=True)
    return docs.assign(text=[strip_licence_footer(t)[0] for t in docs["text"]])


def with_text(docs: pd.DataFrame, doc_id: str, text: str, collection: str | None = None) -> pd.DataFrame:
    """``docs`` plus (or with its text replaced by) one document."""
    row = {"doc_id": doc_id, "collection": collection or docs["collection"].iloc[0], "text": text}
    return pd.concat([docs[docs["doc_id"] != doc_id], pd.DataFrame([row])], ignore_index=True)


def rows_of(rows: pd.DataFrame, doc_id: str) -> dict[str, str]:
    return dict(zip(*(rows.loc[rows["doc_id"] == doc_id, c] for c in ("flag", "detail"))))


# ------------------------------------------------------------------ the study corpus

def test_study_corpus_flags_the_speech_and_cpc07_and_no_full_report(study_rows):
    assert list(study_rows.columns) == ["doc_id", "flag", "detail"]
    assert study_rows[["doc_id", "flag"]].values.tolist() == [
        ["speech2025", "truncated"], ["speech2025", "incomplete"], ["cpc07", "stub"]]
    speech = rows_of(study_rows, "speech2025")
    assert speech["truncated"] == "ends inside a sentence (…学习习近平总书记最新重要讲话和)"
    assert speech["incomplete"] == "announces 3 parts (下面，我讲三个方面意见), has 2 (一, 二)"
    stub = rows_of(study_rows, "cpc07")["stub"]
    assert stub.startswith("a disambiguation or redirect page (的版本包括：); 67 characters, 0.2% of the cpc median (")


def test_describe_flags_gives_the_notebook_sentence(study_rows):
    assert describe_flags(study_rows, "speech2025") == (
        "an excerpt: ends inside a sentence (…学习习近平总书记最新重要讲话和); announces three parts and has parts 一 and 二")
    assert describe_flags(study_rows, "cpc07").startswith(
        "not the document itself: a disambiguation or redirect page (的版本包括：); 67 characters")
    assert describe_flags(study_rows, "gwr2019") == "no check flags it"


def test_flags_of(study):
    assert flags_of(study, "speech2025") == ["truncated", "incomplete"]
    assert flags_of(study, "cpc07") == ["stub"]
    assert flags_of(study, "gwr1956") == []  # its body ends with ！, then notes on missing glyphs
    assert flags_of(study, "cpc12") == []    # ends with ！, then 注： and numbered references
    with pytest.raises(InputError, match="no document 'gwr1996'"):
        flags_of(study, "gwr1996")


# ------------------------------------------------------------------ documents the tests make

def test_a_report_cut_mid_sentence_is_truncated(reports):
    text = reports["text"].iloc[3]
    paragraph = max(text.split("\n"), key=len)
    cut = text.index(paragraph) + paragraph.index("，", len(paragraph) // 2) + 6
    assert text[cut - 1] not in "，。！？"
    docs = with_text(reports, "cut", text[:cut])
    rows = check_documents(docs)
    assert rows["doc_id"].tolist() == ["cut"]
    assert rows_of(rows, "cut") == {"truncated": f"ends inside a sentence (…{normalise(text[:cut]).text[-15:]})"}
    assert check_documents(reports).empty  # the same reports, whole, are not flagged


def test_a_disambiguation_page_and_a_fragment_are_stubs(reports):
    page = "政府工作报告（消歧义）\n政府工作报告可能指：\n国务院每年向全国人民代表大会所作的报告；\n地方各级人民政府向本级人大所作的报告。"
    assert 55 <= len(normalise(page).text) <= 65
    fragment = reports["text"].iloc[0][:400].rsplit("。", 1)[0] + "。"
    docs = with_text(with_text(reports, "page", page), "fragment", fragment)
    rows = check_documents(docs)
    page_rows, fragment_rows = rows_of(rows, "page"), rows_of(rows, "fragment")
    assert list(page_rows) == ["stub"]  # a disambiguation page is not also checked for its ending
    assert page_rows["stub"].startswith(f"a disambiguation or redirect page (消歧义); {len(normalise(page).text)} characters")
    median = pd.Series([len(t) for t in docs["text"].map(lambda t: normalise(t).text)]).median()
    n = len(normalise(fragment).text)
    assert fragment_rows == {"stub": f"{n:,} characters, {n / median:.1%} of the gwr median "
                                     f"({median:,.0f})"}
    assert set(rows["doc_id"]) == {"page", "fragment"}


def test_a_short_document_of_a_short_collection_is_not_a_stub(reports):
    notes = pd.DataFrame({"doc_id": ["n1", "n2", "n3"], "collection": "notes",
                          "text": ["今天开会。", "明天继续开会，讨论预算。", "会议结束。"]})
    assert check_documents(pd.concat([reports, notes], ignore_index=True)).empty


def test_copies_are_duplicates_naming_each_other(reports):
    original = reports["doc_id"].iloc[2]
    text = reports["text"].iloc[2]
    exact = with_text(reports, "copy", text)
    rows = check_documents(exact)
    assert rows_of(rows, "copy") == {"duplicate": f"the same text as {original}"}
    assert rows_of(rows, original) == {"duplicate": "the same text as copy"}
    # the same text with indented lines and full-width digits is still the same normalised text
    respaced = re.sub(r"\n(?=\S)", "\n\u3000\u3000", text).replace("2", "２")
    assert respaced != text
    rows = check_documents(with_text(reports, "respaced", respaced))
    assert rows_of(rows, "respaced") == {"duplicate": f"the same text as {original}"}
    assert describe_flags(rows, "respaced") == f"a duplicate: the same text as {original}"


def speech_text(announced: str | None, parts: str) -> str:
    announcement = f"下面，我讲{announced}个方面意见。" if announced else "下面，我讲几句。"
    return ("同志们：\n今天，我们召开全市工作会议，总结去年工作，部署今年任务。" + announcement + "\n"
            + "".join(f"{h}、关于第{h}项工作\n第{h}项工作要抓紧抓实，务求实效。这一部分要抓好以下五个方面工作，扎实推进。\n"
                      for h in parts))


def test_a_speech_announcing_four_parts_with_three_is_incomplete(reports):
    rows = check_documents(with_text(reports, "talk", speech_text("四", "一二三"), "speech"))
    assert rows_of(rows, "talk") == {"incomplete": "announces 4 parts (下面，我讲四个方面意见), has 3 (一, 二, 三)"}
    assert describe_flags(rows, "talk") == "an excerpt: announces four parts and has parts 一, 二 and 三"
    # announced and held: nothing; 以下五个方面 inside a part counts subsections, not parts
    assert check_documents(with_text(reports, "talk", speech_text("四", "一二三四"), "speech")).empty
    assert check_documents(with_text(reports, "talk", speech_text("三", "一二三"), "speech")).empty
    assert check_documents(with_text(reports, "talk", speech_text(None, "一二三"), "speech")).empty


def test_several_parts_announced_and_one_held():
    text = "同志们：\n下面，我着重讲以下几点意见。\n一、关于学习\n要认真学习，学深悟透。\n"
    rows = check_documents(pd.DataFrame({"doc_id": ["t"], "collection": "c", "text": [text]}))
    assert rows_of(rows, "t") == {"incomplete": "announces several parts (下面，我着重讲以下几点意见), has 1 (一)"}
    assert describe_flags(rows, "t") == "an excerpt: announces several parts and has only part 一"


ENDINGS_THAT_END = {
    "closing quote": "正如大家所说：“只要坚持下去，就一定能够成功。”",
    "closing quote and bracket": "我们要记住这句话（“实干兴邦。”）",
    "thanks": "让我们携手并进，共创美好未来！\n谢谢大家！",
    "date line": "为全面完成今年各项任务而努力奋斗！\n2025年3月5日",
    "date in brackets": "为全面完成今年各项任务而努力奋斗！\n（二〇二五年三月五日）",
    "signature": "为全面完成今年各项任务而努力奋斗！\n中华人民共和国国务院\n国务院总理 李强\n2025年3月5日",
    "footnotes": "为全面完成今年各项任务而努力奋斗！\n注：\n①毛泽东：《论持久战》，《毛泽东选集》第2卷，第440页\n②同上，第450页",
    "wikisource notes": "为全面完成今年各项任务而努力奋斗！\n↑\n音译，俄文为“Koy”\n↑\n原文无货币单位",
    "ellipsis": "路漫漫其修远兮……",
    "heading last": "为全面完成今年各项任务而努力奋斗！\n结束语",
}
ENDINGS_CUT = {
    "mid-sentence": ("我们要坚持稳中求进工作总基调，完整准确全面贯彻新发展", "…坚持稳中求进工作总基调，完整准确全面贯彻新发展"),
    "colon before a list": ("今年要重点做好以下工作：", "今年要重点做好以下工作："),
    "signature after a cut": ("我们要坚持稳中求进工作总基调，完整准确全面贯彻\n国务院总理 李强",
                              "…坚持稳中求进工作总基调，完整准确全面贯彻"),
    "comma": ("各位代表，", "各位代表，"),
}


def as_paragraphs(lines: str) -> str:
    """Lines appended as paragraphs of a Wikisource page (blank lines between them)."""
    return "\n\n" + lines.replace("\n", "\n\n")


@pytest.mark.parametrize("name", ENDINGS_THAT_END)
def test_endings_that_end_a_document(reports, name):
    text = reports["text"].iloc[0] + as_paragraphs(ENDINGS_THAT_END[name])
    assert check_documents(with_text(reports, "mine", text)).empty


@pytest.mark.parametrize("name", ENDINGS_CUT)
def test_endings_inside_a_sentence(reports, name):
    ending, quote = ENDINGS_CUT[name]
    quote = quote if len(quote) <= 15 else "…" + quote[-15:]
    rows = check_documents(with_text(reports, "mine", reports["text"].iloc[0] + as_paragraphs(ending)))
    assert rows_of(rows, "mine") == {"truncated": f"ends inside a sentence ({quote})"}


def test_empty_document_is_a_stub_and_nothing_else(reports):
    rows = check_documents(with_text(reports, "empty", ""))
    assert rows_of(rows, "empty") == {"stub": rows_of(rows, "empty")["stub"]}
    assert rows_of(rows, "empty")["stub"].startswith("0 characters, 0.0% of the gwr median")


def test_bad_arguments_are_input_errors(study_rows):
    with pytest.raises(InputError, match="check_documents: docs must be a documents table"):
        check_documents(["一段文字。"])
    with pytest.raises(InputError, match="check_documents: docs must be a documents table"):
        check_documents(pd.DataFrame({"body": ["一段文字。"]}))
    with pytest.raises(InputError, match="describe_flags: rows must be the table check_documents returns"):
        describe_flags(study_rows[["doc_id", "flag"]], "speech2025")


# ------------------------------------------------------------------ the command line

def run_cli(*args, timeout=120):
    return subprocess.run([sys.executable, "-m", "analysis", "corpus", "check", *map(str, args)],
                          capture_output=True, text=True, encoding="utf-8", timeout=timeout)


def test_cli_checks_a_folder(tmp_path, reports):
    folder = tmp_path / "mine"
    folder.mkdir()
    for doc_id, text in zip(reports["doc_id"][:4], reports["text"][:4]):
        (folder / f"{doc_id}.txt").write_text(text, encoding="utf-8")
    (folder / "cut.txt").write_text(reports["text"].iloc[0][:3000].rstrip("。\n") + "和", encoding="utf-8")
    (folder / "copy.txt").write_text(reports["text"].iloc[1], encoding="gb18030")
    done = run_cli(folder)
    assert done.returncode == 0, done.stderr
    rows = list(csv.reader(io.StringIO(done.stdout)))
    second = reports["doc_id"].iloc[1]
    assert rows[0] == ["doc_id", "flag", "detail"]
    assert [r[:2] for r in rows[1:]] == [["copy", "duplicate"], ["cut", "truncated"], [second, "duplicate"]]
    assert rows[1][2] == f"the same text as {second}"
    assert "note:" in done.stderr and "duplicate" in done.stderr  # the loader's warning, not a traceback


def test_cli_study_corpus():
    done = run_cli()
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[:3] == [
        "doc_id,flag,detail", "speech2025,truncated,ends inside a sentence (…学习习近平总书记最新重要讲话和)",
        'speech2025,incomplete,"announces 3 parts (下面，我讲三个方面意见), has 2 (一, 二)"']
    assert done.stdout.splitlines()[3].startswith('cpc07,stub,"a disambiguation or redirect page (的版本包括：)')
    assert len(done.stdout.splitlines()) == 4


def test_cli_bad_corpus_is_one_line_exit_2(tmp_path):
    done = run_cli(tmp_path / "nowhere")
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == f"error: {tmp_path / 'nowhere'}: no such file or folder\n"
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "一段文字。"}\n{"text": \n', encoding="utf-8")
    done = run_cli(bad)
    assert done.returncode == 2 and done.stderr.startswith(f"error: {bad}, line 2: not valid JSON")
    assert "Traceback" not in done.stderr and len(done.stderr.splitlines()) == 1


def test_the_study_states_the_target_s_flags_and_leaves_stubs_out_of_the_reference(study_corpus):
    """Every notebook's first paragraph is StudyParams.describe(): it says the speech is an excerpt, and a
    Congress-report study leaves the 67-character cpc07 page out of its reference, saying so."""
    import warnings

    from analysis.errors import CorpusWarning
    from analysis.study.params import resolve
    speech = resolve(study_corpus, target="speech2025")
    assert speech.target_note.startswith("an excerpt: ends inside a sentence (…学习习近平总书记最新重要讲话和)")
    assert "announces three parts and has parts 一 and 二" in speech.describe()
    assert resolve(study_corpus, target="gwr2019").target_note == ""
    with pytest.warns(CorpusWarning, match="cpc07"):
        cpc = resolve(study_corpus, target="cpc20", mode="trend")
    assert cpc.stubs == ("cpc07",) and "cpc07" not in cpc.reference_ids
    assert "Left out as stubs" in cpc.describe()
    with warnings.catch_warnings():
        warnings.simplefilter("error", CorpusWarning)
        resolve(study_corpus, target="gwr2019")  # no stub among the reports: no warning
