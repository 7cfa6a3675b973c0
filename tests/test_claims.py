"""Claims checked against every collection, and which key terms survive the checks."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.stats.claims import first_appearance_all, keyness_survival
from analysis.errors import InputError
from analysis.stats.tfidf import tfidf
from analysis.stats.keyness import keyness
from analysis.tokens.segment import segmented_documents


@pytest.fixture(scope="module")
def all_paragraphs(speech_paragraphs, gwr_paragraphs, cpc, segmenter):
    return pd.concat([speech_paragraphs, gwr_paragraphs, segmenter.segment(cpc)], ignore_index=True)


def test_first_appearance_in_every_collection(all_paragraphs):
    table = first_appearance_all(all_paragraphs, ["十四五", "三会一课", "两个确立", "四个意识"], count="text")
    rows = table.set_index(["term", "collection"])
    # 三会一课: never in a Government Work Report, but in the 19th Congress report (2017)
    assert rows.loc[("三会一课", "gwr"), "n_docs"] == 0 and pd.isna(rows.loc[("三会一课", "gwr"), "first_year"])
    assert rows.loc[("三会一课", "cpc"), "first_year"] == 2017 and rows.loc[("三会一课", "cpc"), "first_doc"] == "cpc19"
    assert not rows.loc[("三会一课", "cpc"), "first_year_uncertain"]  # the 18th Congress report (2012) is there
    # 十四五: first in the 2021 report, but there is no 2020 report in the corpus
    row = rows.loc[("十四五", "gwr")]
    assert row.first_year == 2021 and row.first_year_uncertain and row.previous_year_in_corpus == 2019
    assert "2020" in row.reason
    # 两个确立: 2022, and the 2021 report is there and does not use it
    gwr2021 = "\n".join(all_paragraphs.loc[all_paragraphs["doc_id"] == "gwr2021", "text"])
    assert rows.loc[("两个确立", "gwr"), "first_year"] == 2022 and "两个确立" not in gwr2021
    assert not rows.loc[("两个确立", "gwr"), "first_year_uncertain"]
    # counts agree with str.contains over the documents of each collection
    gwr_texts = all_paragraphs[all_paragraphs["collection"] == "gwr"].groupby("doc_id")["text"].agg("\n".join)
    assert rows.loc[("四个意识", "gwr"), "n_docs"] == gwr_texts.str.contains("四个意识").sum()
    assert set(table["collection"]) == {"speech", "gwr", "cpc"}


def test_first_appearance_first_year_of_collection_is_uncertain():
    docs = pd.DataFrame({"doc_id": ["a", "b", "c"], "collection": "x", "year": pd.array([2000, 2001, 2003], dtype="Int64"),
                         "tokens": [["甲"], ["乙"], ["乙", "丙"]]})
    rows = first_appearance_all(docs, ["甲", "乙", "丙"]).set_index("term")
    assert rows.loc["甲", "first_year_uncertain"] and "first year" in rows.loc["甲", "reason"]
    assert not rows.loc["乙", "first_year_uncertain"]
    assert rows.loc["丙", "first_year_uncertain"] and rows.loc["丙", "previous_year_in_corpus"] == 2001
    with pytest.raises(InputError):
        first_appearance_all(docs, [])


def test_tfidf_exclude_ubiquitous():
    docs = pd.DataFrame({"doc_id": ["a", "b", "c"], "tokens": [["共", "共", "共", "甲"], ["共", "乙"], ["共", "丙", "丙"]]})
    everything = tfidf(docs, n=None)
    assert everything[everything["group"] == "a"].iloc[0]["term"] == "共"  # idf 1, not 0: frequency wins
    assert everything.loc[everything["term"] == "共", "ubiquitous"].all()
    distinct = tfidf(docs, n=None, exclude_ubiquitous=True)
    assert "共" not in set(distinct["term"]) and distinct[distinct["group"] == "a"].iloc[0]["term"] == "甲"
    assert distinct["scheme"].str.endswith("terms in every group excluded").all()


def test_keyness_survival_on_the_speech(all_paragraphs, segmenter):
    years = all_paragraphs["year"]
    reference = sorted(all_paragraphs.loc[(all_paragraphs["collection"] == "gwr") & years.between(2015, 2024), "doc_id"].unique())
    paras = all_paragraphs[all_paragraphs["doc_id"].isin(reference + ["speech2025"])]
    table = keyness_survival(paras, "speech2025", reference, segmenter, min_count=3).set_index("term")
    # the rows are the significant over-used terms, asymptotic G² with BH, as notebook 03 computes them
    base = keyness(segmented_documents(paras), "speech2025", reference, exact=False, min_target=0, min_count=3)
    assert set(table.index) == set(base.loc[(base["p_adj"] < 0.05) & (base["g2"] > 0), "term"]) and len(table) > 20
    assert table.attrs["n_chars_removed"] == 129
    assert table.loc["司法行政工作", "all"] and table.loc["司法行政工作", "n_target_dedup"] == 12
    # 政法工作: four uses in the text, one of them in the later copy of a repeated passage
    text = "\n".join(paras.loc[paras["doc_id"] == "speech2025", "text"])
    assert table.loc["政法工作", "n_target"] == text.count("政法工作") == 4 and table.loc["政法工作", "n_target_dedup"] == 3
    assert not table["repeats"].all()
    assert not table.loc["法律援助", "dispersion"] and table.loc["法律援助", "n_units_target"] == 1
    assert (table["bootstrap"] == (table["lr_ci_low"] > 0)).all()
    assert (table["all"] <= table["is_key"]).all()
    assert table["all"].sum() < table["fisher"].sum() < len(table)
