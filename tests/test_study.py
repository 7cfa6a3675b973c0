"""Study parameters: parsing what papermill passes, the reference rules on the real corpus (target
never in its reference, nor its own collection's later documents), labels, and the term explorer
checked against counts made directly on the texts."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest

from analysis.corpus.readers import documents_frame
from analysis.errors import InputError
from analysis.tokens.pipeline import prepare
from analysis.study.display import save_and_show
from analysis.study.explorer import explore_term
from analysis.study.params import StudyParams, parse_years, resolve
from analysis.study.wording import gap_years, ordinal, term_list, year_ranges

matplotlib.use("agg")


@pytest.fixture(scope="module")
def corpus():
    return prepare(stopwords="standard")


def ids_where(corpus, collection, lo, hi):
    d = corpus.documents
    years = d["year"].astype("Float64")
    return sorted(d.loc[(d["collection"] == collection) & (years >= lo) & (years <= hi), "doc_id"])


# ------------------------------------------------------------------ parsing

@pytest.mark.parametrize("value", ["[2010, 2020]", "(2010, 2020)", "2010-2020", "2010–2020", "2010:2020", "2010, 2020",
                                   " 2010 - 2020 ", (2010, 2020), [2010, 2020], ["2010", "2020"], np.array([2010, 2020])])
def test_parse_years_accepts_what_papermill_passes(value):
    assert parse_years(value) == (2010, 2020)


@pytest.mark.parametrize("value", [None, "None", "none", "", "null"])
def test_parse_years_none_means_default(value):
    assert parse_years(value) is None


def test_parse_years_single_year_and_errors():
    assert parse_years(2015) == (2015, 2015) and parse_years("2015") == (2015, 2015)
    with pytest.raises(InputError, match="first year 2020 is after the last 2010"):
        parse_years("2020-2010")
    with pytest.raises(InputError, match="give two years"):
        parse_years("last decade")
    with pytest.raises(InputError, match="give two years"):
        parse_years([2010, 2015, 2020])


# ------------------------------------------------------------------ the reference rules

def test_speech_defaults_to_gwr_of_the_ten_years_before(corpus):
    study = resolve(corpus)
    assert study.target == "speech2025" and study.reference_collection == "gwr" and study.is_speech
    assert sorted(study.reference_ids) == ids_where(corpus, "gwr", 2015, 2024)
    assert len(study.reference_ids) == 9  # 2020 is not in the corpus
    assert study.reference_years == (2015, 2024) and study.slug == "gwr2015-2024"
    assert study.target_mask.sum() == 1 and not (study.target_mask & study.reference_mask).any()
    assert study.label == "the speech (speech2025)"
    assert study.reference_label == "Government Work Reports 2015–2024 (9 documents)"


def test_report_against_earlier_reports(corpus):
    study = resolve(corpus, target="gwr2019")
    assert sorted(study.reference_ids) == ids_where(corpus, "gwr", 2009, 2018)
    assert study.reference_years == (2009, 2018) and study.slug == "gwr2009-2018"
    assert study.label == "the 2019 Government Work Report (gwr2019)" and not study.is_speech
    trend = resolve(corpus, target="gwr2019", mode="trend")
    assert sorted(trend.reference_ids) == ids_where(corpus, "gwr", 1954, 2018)
    assert "speech2025" not in trend.reference_ids and "gwr2019" not in trend.reference_ids


def test_congress_report_against_earlier_congress_reports(corpus):
    study = resolve(corpus, target="cpc20")
    assert study.reference_collection == "cpc"
    assert list(study.reference_ids) == ["cpc18", "cpc19"]  # 2012 and 2017: the ten years before 2022
    assert study.name == "the report to the 20th CPC Congress (2022)"
    trend = resolve(corpus, target="cpc20", mode="trend")
    # every earlier Congress report but the stub cpc07 (a 67-character versions page, `analysis corpus check`)
    assert trend.stubs == ("cpc07",)
    assert sorted(trend.reference_ids) == [i for i in ids_where(corpus, "cpc", 1900, 2021) if i != "cpc07"]
    assert len(trend.reference_ids) == 14


def test_target_and_later_own_collection_never_in_reference(corpus):
    study = resolve(corpus, target="gwr2019", reference_years="[2010, 2025]")
    assert max(corpus.documents.set_index("doc_id").loc[list(study.reference_ids), "year"]) == 2018
    assert set(study.excluded) == {"gwr2019", "gwr2021", "gwr2022", "gwr2023", "gwr2024", "gwr2025"}
    assert study.slug == "gwr2010-2018"
    # Another collection may follow the target when asked for explicitly (it is not the target's series).
    other = resolve(corpus, target="speech2025", reference_collection="cpc", mode="trend")
    assert "cpc20" in other.reference_ids and "speech2025" not in other.reference_ids
    for target in ("speech2025", "gwr2019", "cpc20", "gwr2025", "cpc19"):
        for mode in ("keyness", "trend"):
            s = resolve(corpus, target=target, mode=mode)
            ref = corpus.documents[s.reference_mask]
            assert target not in set(ref["doc_id"])
            own_later = ref[(ref["collection"] == s.target_collection) & (ref["year"] > s.target_year)]
            assert own_later.empty, (target, mode)


def test_errors_name_what_is_valid(corpus):
    with pytest.raises(InputError, match=r"unknown TARGET 'cpc99'; valid ids \(69\): speech: speech2025; gwr: gwr1954") as err:
        resolve(corpus, target="cpc99")
    assert "cpc20" in str(err.value)
    with pytest.raises(InputError, match="unknown REFERENCE_COLLECTION 'npc'; collections: speech, gwr, cpc"):
        resolve(corpus, target="gwr2019", reference_collection="npc")
    with pytest.raises(InputError, match="gwr1954 .1954. has no earlier gwr document"):
        resolve(corpus, target="gwr1954")
    with pytest.raises(InputError, match="no reference documents for gwr2019"):
        resolve(corpus, target="gwr2019", reference_years="2020-2024")
    with pytest.raises(InputError, match="TARGET is required"):
        resolve(corpus, target="None")


def test_papermill_strings_resolve_like_values(corpus):
    a = resolve(corpus, target=" 'gwr2019' ", reference_collection="None", reference_years="2010-2015")
    b = resolve(corpus, target="gwr2019", reference_collection=None, reference_years=(2010, 2015))
    assert a.reference_ids == b.reference_ids and a.slug == b.slug == "gwr2010-2015"


def test_a_users_corpus():
    docs = documents_frame([
        {"doc_id": "a2020", "year": 2020, "title": "甲", "text": "我们要坚持改革开放。\n发展是第一要务。"},
        {"doc_id": "a2021", "year": 2021, "title": "乙", "text": "坚持改革，推动发展。"},
        {"doc_id": "a2022", "year": 2022, "title": "丙", "text": "坚持党的领导，深化改革。"},
        {"doc_id": "b2021", "year": 2021, "title": "丁", "text": "法律服务要优质高效。"},
    ], "mine", "test")
    docs.loc[docs["doc_id"] == "b2021", "collection"] = "other"
    mine = prepare(docs)
    study = resolve(mine, target="a2022")
    assert study.reference_collection == "mine" and list(study.reference_ids) == ["a2020", "a2021"]
    assert study.label == "the document 丙 (2022) (a2022)" and study.reference_label == "mine documents 2020–2021 (2 documents)"
    # Alone in its collection and no "gwr" to fall back on: the error says what to give.
    with pytest.raises(InputError, match="b2021 .2021. has no earlier other document; give REFERENCE_COLLECTION"):
        resolve(mine, target="b2021")
    across = resolve(mine, target="b2021", reference_collection="mine")
    assert list(across.reference_ids) == ["a2020"]  # the years before 2021 only
    assert list(resolve(mine, target="b2021", reference_collection="mine", reference_years="2020-2022").reference_ids) == [
        "a2020", "a2021", "a2022"]  # another collection may follow the target when asked for


def test_labels_and_helpers():
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 20, 21, 22)] == ["1st", "2nd", "3rd", "4th", "11th", "12th",
                                                                         "13th", "20th", "21st", "22nd"]
    assert year_ranges([1961, 1962, 1963, 1966, 1989, 1990]) == "1961–1963, 1966, 1989–1990"
    assert gap_years(pd.Series([2017, 2018, 2019, 2021])) == [2020]
    assert term_list(["甲", "乙", "丙"]) == "甲, 乙 and 丙" and term_list([]) == "none" and term_list(["甲"], 3) == "甲"


# ------------------------------------------------------------------ explorer

def test_explore_term_counts_match_the_texts(corpus):
    study = resolve(corpus)
    result = explore_term(corpus, "司法行政工作", study, max_lines=None)
    docs = corpus.documents.set_index("doc_id")
    row = result["keyness"].iloc[0]
    assert row["n_target"] == docs.loc["speech2025", "tokens"].count("司法行政工作") == 14
    assert row["n_reference"] == sum(docs.loc[i, "tokens"].count("司法行政工作") for i in study.reference_ids)
    trend = resolve(corpus, mode="trend")
    series = result["trend"][result["trend"]["series"] == "reference"]
    assert series["count"].sum() == sum(docs.loc[i, "tokens"].count("司法行政工作") for i in trend.reference_ids)
    assert series.loc[series["year"] == 2020, "count"].isna().all()  # no report in the corpus: a gap
    paras = corpus.paragraphs
    in_scope = paras[paras["doc_id"].isin(set(trend.reference_ids) | {"speech2025"})]
    assert result["n_kwic"] == sum(t.count("司法行政工作") for t in in_scope["text"]) == len(result["kwic"])
    assert (result["kwic"]["doc_id"].iloc[:14] == "speech2025").all()  # the target's lines first
    assert set(result["kwic"]["section_label"]) >= {"（开场）"}
    assert result["figure"] is not None and "14 occurrence(s)" in result["summary"]
    matplotlib.pyplot.close(result["figure"])


def test_explore_term_not_a_token(corpus):
    result = explore_term(corpus, "司法行", "speech2025", max_lines=5)  # a substring, never a token
    assert result["trend"] is None and result["figure"] is None
    assert result["keyness"]["n_target"].iloc[0] == 0 and pd.isna(result["keyness"]["p_adj"].iloc[0])
    assert result["n_kwic"] >= 14 and len(result["kwic"]) == 5
    assert "not a token" in result["summary"]
    with pytest.raises(InputError, match="needs a term"):
        explore_term(corpus, "  ", "speech2025")


def test_save_and_show_outside_a_kernel_saves_and_closes(tmp_path):
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots()
    ax.plot([1, 2], [3, 4])
    paths = save_and_show(fig, "line_test", pd.DataFrame({"x": [1, 2]}), folder=tmp_path)
    assert {"png", "svg", "csv"} <= set(paths) and all(p.stat().st_size > 0 for p in paths.values())
    assert not plt.fignum_exists(fig.number)


def test_study_params_is_frozen(corpus):
    study = resolve(corpus)
    assert isinstance(study, StudyParams)
    with pytest.raises(AttributeError):
        study.target = "gwr2019"


def test_load_study_corpus_adds_a_users_documents(tmp_path, corpus):
    import json
    text = corpus.text_of("speech2025")
    path = tmp_path / "bureau.jsonl"
    rows = [{"doc_id": "bureau2024", "year": 2024, "title": "甲", "text": text[:1200]},
            {"doc_id": "bureau2025", "year": 2025, "title": "乙", "text": text[1200:]}]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    from analysis.study.corpus import load_study_corpus
    mine = load_study_corpus(path, stopwords="standard")
    assert set(mine.documents["doc_id"]) == set(corpus.documents["doc_id"]) | {"bureau2024", "bureau2025"}
    own = resolve(mine, target="bureau2025")  # default: its own collection, the earlier document
    assert own.reference_collection == "bureau" and list(own.reference_ids) == ["bureau2024"]
    against = resolve(mine, target="bureau2025", reference_collection="gwr")
    assert sorted(against.reference_ids) == ids_where(corpus, "gwr", 2015, 2024)
    clash = tmp_path / "clash.jsonl"
    clash.write_text(json.dumps({"doc_id": "gwr2019", "year": 2019, "text": "重复的编号。"}, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(InputError, match=r"doc_id\(s\) already used by the study corpus: \['gwr2019'\]"):
        load_study_corpus(clash)


def test_save_table_returns_what_save_figure_returns(tmp_path):
    import matplotlib.pyplot as plt

    from analysis.study.display import save_table
    from analysis.viz.save import Saved
    table = pd.DataFrame({"term": ["发展"], "n": [3]})
    saved = save_table(table, "terms_讲话 2024", folder=tmp_path)
    fig, ax = plt.subplots()
    ax.plot([1, 2], [3, 4])
    shown = save_and_show(fig, "line_test", table, folder=tmp_path)
    assert type(saved) is type(shown) is Saved
    assert saved == {"csv": tmp_path / "terms_讲话-2024.csv"} and saved.name == "terms_讲话-2024"
    assert pd.read_csv(saved["csv"]).equals(table)
    assert repr(saved) == f"saved terms_讲话-2024.{{csv}} in {tmp_path}"
    assert repr(shown) == f"saved line_test.{{png,svg,csv}} in {tmp_path}"


def test_save_and_show_in_a_kernel_shows_one_image_with_its_words(tmp_path):
    """A real Jupyter kernel (nbclient), headless agg as papermill has: one image per chart, rendered at the
    dpi asked, carrying the figure's name and words; the figure closed."""
    import base64
    import io
    import os

    import nbformat
    from nbclient import NotebookClient
    from PIL import Image
    code = ["import matplotlib.pyplot as plt, pandas as pd\n"
            "from analysis.study import save_and_show\n"
            "fig, ax = plt.subplots(figsize=(3, 2)); ax.plot([2015, 2025], [1, 4]); ax.set_title('趋势')\n"
            f"save_and_show(fig, 'trend 讲话', pd.DataFrame({{'year': [2015, 2025]}}), folder={str(tmp_path)!r}, dpi=50)",
            "print(plt.get_fignums())"]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in code])
    NotebookClient(nb, kernel_name="python3", timeout=120, resources={"metadata": {"path": str(tmp_path)}},
                   ).execute(env={**os.environ, "MPLBACKEND": "agg"})
    outputs = nb.cells[0].outputs
    images = [o for o in outputs if o.output_type == "display_data" and "image/png" in o.data]
    assert len(images) == 1, outputs
    assert images[0].metadata["analysis"]["name"] == "trend-讲话"
    assert "趋势" in images[0].metadata["analysis"]["texts"]
    assert Image.open(io.BytesIO(base64.b64decode(images[0].data["image/png"]))).size == (150, 100)  # not the file
    assert (tmp_path / "trend-讲话.png").exists() and (tmp_path / "trend-讲话.csv").exists()
    assert nb.cells[1].outputs[0].text == "[]\n"


def test_the_old_study_path_warns_and_gives_the_same_functions():
    import importlib
    import sys

    import analysis.study as study
    from analysis.viz.save import figure_texts
    sys.modules.pop("analysis.study.study", None)
    with pytest.warns(DeprecationWarning, match="analysis.study.study has been split"):
        old = importlib.import_module("analysis.study.study")
    assert old.resolve is study.resolve and old.save_and_show is study.save_and_show
    assert old.figure_texts is figure_texts and old.explore_term is study.explore_term


def test_a_reference_of_fewer_than_five_documents_is_warned_of_and_said(corpus):
    """cpc16's default reference holds the two earlier Congress reports of its ten-year window (the series
    lacks the 2nd, 4th-6th and 8th): the study warns, and its first paragraph calls the key terms candidates."""
    import warnings

    from analysis.errors import CorpusWarning
    from analysis.study.params import MIN_REFERENCE_DOCS
    with pytest.warns(CorpusWarning, match=r"has \d document\(s\) .*fewer than 5") as caught:
        small = resolve(corpus, target="cpc16")
    n = small.n_reference
    assert 0 < n < MIN_REFERENCE_DOCS == 5
    assert any(f"has {n} document(s) ({', '.join(small.reference_ids)})" in str(w.message) for w in caught)
    assert f"**A small reference** ({n} documents, fewer than 5)" in small.describe()
    with warnings.catch_warnings():  # ten reports before gwr2019: no such warning, no such sentence
        warnings.simplefilter("error", CorpusWarning)
        large = resolve(corpus, target="gwr2019")
    assert large.n_reference >= 5 and "small reference" not in large.describe()
    # exactly at the threshold: five documents are enough
    five = resolve(corpus, target="gwr2019", reference_years="2014-2018")
    assert five.n_reference == 5 and "small reference" not in five.describe()
    with pytest.warns(CorpusWarning, match="has 4 document"):
        assert resolve(corpus, target="gwr2019", reference_years="2015-2018").n_reference == 4


def test_a_notebook_run_without_figures_dir_writes_under_build_never_among_the_committed_figures(tmp_path):
    """FIGURES_DIR None (a run from JupyterLab) → build/figures/<target>/; make figures passes figures/."""
    import importlib.util
    import json

    from analysis import config
    from analysis.study import figures_folder, output_name
    assert figures_folder(None, "speech2025") == config.PROJECT_DIR / "build" / "figures" / "speech2025"
    assert figures_folder(None, "讲话 2024") == config.PROJECT_DIR / "build" / "figures" / output_name("讲话 2024")
    assert figures_folder("elsewhere", "speech2025") == Path("elsewhere")
    for nb in sorted((config.PROJECT_DIR / "notebooks").glob("0*.ipynb")):
        source = "\n".join("".join(c["source"]) for c in json.loads(nb.read_text(encoding="utf-8"))["cells"])
        if "folder=FIGURES_DIR" in source:  # it saves charts or tables: the folder is resolved before any is saved
            setup = source.index("FIGURES_DIR = figures_folder(FIGURES_DIR, study.target)")
            assert setup < source.index("folder=FIGURES_DIR"), nb.name
    spec = importlib.util.spec_from_file_location("run_all", config.PROJECT_DIR / "notebooks" / "run_all.py")
    run_all = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(run_all)
    given = []
    run_all._execute = lambda nb, executed, params, kernel: given.append(params) or 0.0  # what each kernel gets
    run_all.run_all(["01"], executed=tmp_path)
    run_all.run_all(["01"], executed=tmp_path, figures=tmp_path / "mine")
    assert [p["FIGURES_DIR"] for p in given] == [str(config.PROJECT_DIR / "figures"), str(tmp_path / "mine")]
