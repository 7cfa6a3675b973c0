"""Misused API calls, as a new user makes them: every one is the package's own InputError naming the
function, the argument and what it got — never a TypeError from inside pandas, never a silent
wrong result.  Also: one term-counting rule for the API and the command line, files written with
the umask's mode, and figure names made from any document id.

Sections: targets and references · counts and levels · years · columns · token inputs ·
counting terms (API = CLI) · file modes · figure names and notebook parameters.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from analysis._util import check as _check  # noqa: E402
from analysis.errors import InputError  # noqa: E402
from analysis.viz.export import write_table  # noqa: E402
from analysis.viz.save import figure_name, save_figure  # noqa: E402
from analysis.counts.frequency import term_frequency, top_terms  # noqa: E402
from analysis.stats.keyness import key_terms, keyness  # noqa: E402
from analysis.tokens.pipeline import SegmentedCorpus  # noqa: E402
from analysis.stats.like_for_like import select_documents  # noqa: E402
from analysis.study.display import save_and_show, save_table  # noqa: E402
from analysis.study.params import output_name, resolve  # noqa: E402
from analysis.stats.tfidf import tfidf  # noqa: E402
from analysis.tokens.nesting import count_terms  # noqa: E402
from analysis.topics.model import TopicModel  # noqa: E402
from analysis.stats.trends import term_trends  # noqa: E402

SRC = Path(__file__).resolve().parents[1] / "src"


@pytest.fixture
def docs():
    return pd.DataFrame({"doc_id": ["speech", "r2019", "r2020", "r2021"], "collection": ["speech", "gwr", "gwr", "gwr"],
                         "year": pd.array([2025, 2019, 2020, 2021], dtype="Int64"),
                         "tokens": [["改革", "法治", "法治"], ["改革", "发展"], ["发展", "稳定", "改革"], ["法治", "发展"]]}
                        ).assign(n_tokens=lambda d: d["tokens"].map(len))


@pytest.fixture
def corpus(docs):
    return SegmentedCorpus(docs=docs, paragraphs=docs, documents=docs, segmenter=None)


# ---------------------------------------------------------------- targets and references

SELECTOR = "must be a doc_id, a list of doc_ids, a boolean mask or a callable"


@pytest.mark.parametrize("target,message", [
    (None, rf"keyness: target {SELECTOR}, got None"),
    (2025, rf"keyness: target {SELECTOR}, got 2025"),
    (3.5, rf"keyness: target {SELECTOR}, got 3.5"),
    (True, rf"keyness: target {SELECTOR}, got True"),
    (np.array([1, 0, 0, 0]), r"an integer array of 0 and 1 is ambiguous: pass a boolean mask"),
    ([1, 0, 0, 0], r"an integer array of 0 and 1 is ambiguous"),
    (["speech", 7], r"7 is not a doc_id \(doc_ids are strings\)"),
    (lambda d: None, rf"keyness: target {SELECTOR}, got None"),
], ids=["none", "int", "float", "bool", "int-01-array", "int-01-list", "mixed-list", "callable-returning-none"])
def test_keyness_target_of_the_wrong_kind(docs, target, message):
    with pytest.raises(InputError, match=message):
        keyness(docs, target)


def test_keyness_reference_of_the_wrong_kind_is_named_as_reference(docs):
    with pytest.raises(InputError, match=rf"keyness: reference {SELECTOR}, got 2019"):
        keyness(docs, "speech", 2019)


@pytest.mark.parametrize("target", [np.array([True, False, False, False]), [True, False, False, False],
                                    pd.array([True, False, pd.NA, False], dtype="boolean"), "speech", ["speech"],
                                    ("speech",), {"speech"}, lambda d: d["doc_id"] == "speech"],
                         ids=["bool-array", "bool-list", "nullable-boolean", "id", "id-list", "id-tuple", "id-set",
                              "callable"])
def test_every_accepted_target_gives_the_same_table(docs, target):
    expected = keyness(docs, "speech")
    pd.testing.assert_frame_equal(keyness(docs, target), expected)


# ---------------------------------------------------------------- counts and levels

@pytest.mark.parametrize("options,message", [
    ({"n_boot": -1}, r"keyness: n_boot must be an integer ≥ 1, got -1"),
    ({"n_boot": 2.5}, r"keyness: n_boot must be an integer ≥ 1, got 2.5"),
    ({"alpha": 2}, r"keyness: alpha must be a number between 0 and 1 \(exclusive\), got 2"),
    ({"alpha": 0}, r"keyness: alpha must be a number between 0 and 1"),
    ({"alpha": "0.05"}, r"keyness: alpha must be a number between 0 and 1 \(exclusive\), got '0.05'"),
    ({"min_count": 0}, r"keyness: min_count must be an integer ≥ 1, got 0"),
    ({"min_target": -1}, r"keyness: min_target must be an integer ≥ 0, got -1"),
    ({"random_state": "0"}, r"keyness: random_state must be an integer, got '0'"),
    ({"ngram_range": (2, 1)}, r"keyness: ngram_range must be a \(min_n, max_n\) pair of integers"),
    ({"ngram_range": 2}, r"keyness: ngram_range must be a \(min_n, max_n\) pair"),
    ({"correction": "bonferroni"}, r"keyness: correction must be one of \('bh', None\), got 'bonferroni'"),
], ids=["n_boot-negative", "n_boot-float", "alpha-2", "alpha-0", "alpha-string", "min_count-0", "min_target-negative",
        "random_state-string", "ngram-reversed", "ngram-int", "correction"])
def test_keyness_options_out_of_range(docs, options, message):
    with pytest.raises(InputError, match=message):
        keyness(docs, "speech", **options)


def test_key_terms_and_top_terms_counts(docs):
    table = keyness(docs, "speech")
    with pytest.raises(InputError, match=r"key_terms: n must be an integer ≥ 0, got -3"):
        key_terms(table, -3)
    with pytest.raises(InputError, match=r"key_terms: alpha must be a number between 0 and 1"):
        key_terms(table, alpha=1.5)
    with pytest.raises(InputError, match=r"top_terms: n must be an integer ≥ 0, got '10'"):
        top_terms(term_frequency(docs), "10")


# ---------------------------------------------------------------- years: one parser

@pytest.mark.parametrize("years", ["2019-2020", "2019–2020", (2019, 2020), [2019, 2020], "[2019, 2020]", "2019:2020"])
def test_select_reads_years_like_the_notebook_parameters(corpus, years):
    assert corpus.documents.loc[corpus.select(collection="gwr", years=years), "doc_id"].tolist() == ["r2019", "r2020"]
    assert select_documents(corpus.documents, years=years).sum() == 2


def test_select_one_year_and_bad_years(corpus):
    assert corpus.documents.loc[corpus.select(years=2021), "doc_id"].tolist() == ["r2021"]
    assert corpus.documents.loc[corpus.select(years="2021"), "doc_id"].tolist() == ["r2021"]
    with pytest.raises(InputError, match=r"select: years '2021-2019': the first year 2021 is after the last 2019"):
        corpus.select(years="2021-2019")
    with pytest.raises(InputError, match=r"select: years 'recent': give two years"):
        corpus.select(years="recent")
    with pytest.raises(InputError, match=r"select: years 2020.5: give two years"):
        corpus.select(years=2020.5)
    with pytest.raises(InputError, match=r"no documents with collection='gwr', years=\(2030, 2040\)"):
        corpus.select(collection="gwr", years="2030-2040")
    with pytest.raises(InputError, match=r"select: doc_ids .* got 5"):
        corpus.select(doc_ids=5)


def test_the_study_and_the_api_share_the_years_parser():
    from analysis.study.params import parse_years
    for value in ("2015-2024", "2015–2024", (2015, 2024), "[2015, 2024]"):
        assert parse_years(value) == _check.years(value) == (2015, 2024)


def test_trend_years_as_a_string_a_span_or_a_list(docs):
    as_range = term_trends(docs, ["发展"], target="speech", years=range(2019, 2022))
    for years in ("2019-2021", "2019–2021", (2019, 2021)):
        pd.testing.assert_frame_equal(term_trends(docs, ["发展"], target="speech", years=years), as_range)
    assert term_trends(docs, ["发展"], years=[2019, 2021])["year"].tolist() == [2019, 2021]  # a list: those years
    with pytest.raises(InputError, match=r"no reference documents in the years 2030-2040"):
        term_trends(docs, ["发展"], years="2030-2040")
    with pytest.raises(InputError, match=r"term_trends: years '2021-2015': the first year 2021 is after the last 2015"):
        term_trends(docs, ["发展"], years="2021-2015")
    with pytest.raises(InputError, match=r"term_trends: target must be a doc_id"):
        term_trends(docs, ["发展"], target=2025)


# ---------------------------------------------------------------- by= columns

def test_unknown_by_column_lists_the_valid_ones(docs):
    with pytest.raises(InputError, match=r"tfidf: by must be a column of the table or None, got 'nonexistent'; "
                                          r"columns: doc_id, collection, year, tokens, n_tokens"):
        tfidf(docs, by="nonexistent")
    with pytest.raises(InputError, match=r"term_frequency: by must be a column .* got 'yaer'; columns: doc_id"):
        term_frequency(docs, by="yaer")
    assert set(tfidf(docs, by="collection")["group"]) == {"speech", "gwr"}  # a real column still works


# ---------------------------------------------------------------- token inputs

def test_topic_model_refuses_strings_for_token_lists():
    texts = ["发展 改革 创新", "法治 建设 稳定"] * 5
    with pytest.raises(InputError, match=r"TopicModel.fit: token_lists\[0\] must be a list of tokens, not a string, "
                                          r"got '发展 改革 创新'; segment the text first"):
        TopicModel("nmf", 2, min_df=1, max_df=1.0).fit(texts)
    with pytest.raises(InputError, match=r"TopicModel.fit: token_lists must be a list of token lists, got '发展"):
        TopicModel("nmf", 2, min_df=1, max_df=1.0).fit("发展 改革")
    with pytest.raises(InputError, match=r"TopicModel: min_df must be a document count"):
        TopicModel("nmf", 2, min_df=0).fit([t.split() for t in texts])


def test_strings_instead_of_tokens_elsewhere(docs):
    with pytest.raises(InputError, match=r"build_dtm: tokens\[0\] must be a list of tokens, not a string"):
        keyness(docs.assign(tokens=[" ".join(t) for t in docs["tokens"]]), "speech")
    with pytest.raises(InputError, match=r"count_terms: streams\[0\] must be a list of tokens, not a string"):
        count_terms(["新质 生产力"], ["新质生产力"])
    with pytest.raises(InputError, match=r"build_dtm: the documents table has no 'tokens' column"):
        term_frequency(docs.drop(columns="tokens"))


# ---------------------------------------------------------------- counting terms: the API counts as the CLI

TEXT = ("我们要加快发展新质生产力。新质生产力是创新起主导作用的先进生产力。\n"
        "培育新质生产力，发展新质生产力！中国,加油。中国式现代化。")
TERMS = ["新质 生产力", "新质\u3000生产力", "中国,", "生产力", "發展", "中国式现代化。"]


@pytest.fixture(scope="module")
def cli_segmenter():
    from analysis.lexicon.terms import Lexicon
    from analysis.tokens.segment import Segmenter
    return Segmenter(Lexicon.load(), backend="rjieba", stopwords="none", cache=False)  # as `analysis count --no-learn`


def _cli_count(terms):
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    return subprocess.run([sys.executable, "-m", "analysis", "count", "-", "--no-learn", *terms], input=TEXT,
                          capture_output=True, text=True, env=env, timeout=300)


def test_api_and_cli_count_terms_the_same(cli_segmenter):
    from analysis.text.normalise import normalise
    from analysis.text.structure import split_paragraphs
    out = _cli_count(TERMS)
    assert out.returncode == 0, out.stderr
    cli = dict(line.rsplit(",", 1) for line in out.stdout.strip().splitlines()[1:])
    streams = [cli_segmenter.cut(p) for p in split_paragraphs(normalise(TEXT).text)]
    api = count_terms(streams, TERMS, cli_segmenter.nesting)
    assert dict(zip(api["term"], api["count"].astype(str))) == cli
    counts = api.set_index("term")["count"]
    assert counts["新质生产力"] == 4 and counts["生产力"] == 5 and counts["中国，"] == 1 and counts["发展"] == 2
    assert counts["中国式现代化。"] == 1
    assert len(api) == 5  # 新质 生产力 and 新质　生产力 are one term once normalised


def test_api_and_cli_refuse_an_empty_term_alike(cli_segmenter):
    out = _cli_count(["生产力", " "])
    assert out.returncode == 2 and out.stderr.strip() == "error: give at least one non-empty term to count"
    with pytest.raises(InputError, match="^give at least one non-empty term to count$"):
        count_terms([cli_segmenter.cut("新质生产力")], ["生产力", " "])


# ---------------------------------------------------------------- file modes follow the umask

@pytest.fixture(params=[0o022, 0o002, 0o077], ids=["022", "002", "077"])
def umask(request):
    old = os.umask(request.param)
    yield request.param
    os.umask(old)


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_figures_tables_and_models_have_the_mode_open_would_give(tmp_path, umask):
    expected = 0o666 & ~umask
    ordinary = tmp_path / "ordinary.txt"
    ordinary.write_text("x")
    assert _mode(ordinary) == expected  # what an ordinary open(path, "w") gives
    fig, ax = plt.subplots()
    ax.plot([1, 2], [3, 4])
    saved = save_figure(fig, "mode_test", pd.DataFrame({"x": [1]}), folder=tmp_path, show=False)
    assert {fmt: _mode(p) for fmt, p in saved.items()} == {"png": expected, "svg": expected, "csv": expected}
    tables = write_table(pd.DataFrame({"term": ["法治"], "n": [3]}), tmp_path / "table", ("csv", "tex"))
    assert [_mode(p) for p in tables.values()] == [expected, expected]
    model = TopicModel("nmf", 2, min_df=1, max_df=1.0, max_iter=50).fit([["发展", "改革"], ["法治", "稳定"]] * 3)
    assert _mode(model.save(tmp_path / "model.npz")) == expected
    assert not list(tmp_path.glob(".*.part"))


def test_a_private_file_stays_0600(tmp_path, umask):
    from analysis._util.atomic import atomic_write
    assert _mode(atomic_write(tmp_path / "key", lambda fh: fh.write(b"k"), private=True)) == 0o600


# ---------------------------------------------------------------- figure names from any document id

@pytest.mark.parametrize("text,name", [("keyness_讲话2024_vs_gwr2015-2024", "keyness_讲话2024_vs_gwr2015-2024"),
                                       ("keyness_my speech_vs_gwr2023", "keyness_my-speech_vs_gwr2023"),
                                       ("top_terms_讲话（2024）", "top_terms_讲话-2024-"),
                                       ("rates_gwr2019_vs_gwr2009-2018", "rates_gwr2019_vs_gwr2009-2018")])
def test_figure_names_keep_chinese_and_map_the_rest(text, name):
    assert figure_name(text) == output_name(text) == name


@pytest.mark.parametrize("text", ["a/b", "..", "x_.._y", "", "   ", "a\\b"])
def test_figure_names_that_would_leave_the_folder_are_refused(text):
    with pytest.raises(InputError, match="figure name"):
        figure_name(text)


@pytest.fixture
def own_corpus():
    ids = ["讲话2024", "my speech", "a/b", "..", "gwr2022", "gwr2023"]
    documents = pd.DataFrame({"doc_id": ids, "collection": ["mine"] * 4 + ["gwr"] * 2,
                              "year": pd.array([2024] * 4 + [2022, 2023], dtype="Int64"),
                              "tokens": [["发展", "改革"]] * 6}).assign(n_tokens=2)
    return SegmentedCorpus(docs=documents, paragraphs=documents, documents=documents, segmenter=None)


@pytest.mark.parametrize("target,stem", [("讲话2024", "keyness_讲话2024_vs_gwr2022-2023"),
                                         ("my speech", "keyness_my-speech_vs_gwr2022-2023")])
def test_a_notebook_saves_figures_of_a_chinese_or_spaced_target(tmp_path, own_corpus, target, stem):
    study = resolve(own_corpus, target=target)
    assert study.reference_ids == ("gwr2022", "gwr2023")
    fig, ax = plt.subplots()
    ax.bar(["a"], [1])
    save_and_show(fig, f"keyness_{study.target}_vs_{study.slug}", pd.DataFrame({"term": ["发展"]}), folder=tmp_path)
    save_table(pd.DataFrame({"term": ["发展"]}), f"survival_{study.target}", folder=tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [f"{stem}.png", f"{stem}.svg", f"{stem}.csv", f"survival_{stem.split('_')[1]}.csv"])


@pytest.mark.parametrize("target", ["a/b", ".."])
def test_a_target_that_cannot_name_a_file_is_refused_before_any_computation(own_corpus, target):
    with pytest.raises(InputError, match=rf"TARGET {target!r}: contains a path separator or '\.\.'.*"
                                         r"the notebooks name their figures and tables after it"):
        resolve(own_corpus, target=target)


def test_a_reference_collection_that_cannot_name_a_file_is_refused(own_corpus):
    documents = own_corpus.documents.assign(collection=["mine"] * 4 + ["g/w"] * 2)
    odd = SegmentedCorpus(docs=documents, paragraphs=documents, documents=documents, segmenter=None)
    with pytest.raises(InputError, match=r"the figure names of TARGET and REFERENCE_COLLECTION"):
        resolve(odd, target="讲话2024", reference_collection="g/w")


def test_prepare_and_count_refuse_what_is_not_a_table_or_terms(corpus):
    from analysis.tokens.pipeline import prepare
    with pytest.raises(InputError, match=r"prepare: docs must be a documents table .* got 'corpus.csv'; read files "
                                          r"with analysis.corpus.load_corpus\(path\) first"):
        prepare("corpus.csv", learn=False)
    with pytest.raises(InputError, match=r"SegmentedCorpus.count: by must be a column of the table, got 'yaer'"):
        corpus.count(["发展"], by="yaer")
    with pytest.raises(InputError, match=r"SegmentedCorpus.count: terms must be strings, got 2025"):
        corpus.count(["发展", 2025])
