"""Like-for-like references: paragraphs selected by the vocabulary of a subject."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.errors import InputError
from analysis.tokens.segment import Segmenter
from analysis.stats.like_for_like import like_for_like, matching_paragraphs


@pytest.fixture(scope="module")
def paragraphs():
    docs = pd.DataFrame({"doc_id": ["a", "b"], "collection": ["x", "x"], "year": [2020, 2021],
                         "text": ["一、法治\n\n推进全面依法治国，建设法治政府。\n\n发展经济，稳定就业。\n",
                                  "加快法治社会建设，法治政府建设。\n\n扩大内需。\n"]})
    return Segmenter(cache=False).segment(docs)


def test_matching_paragraphs_counts_hits_and_skips_headings(paragraphs):
    nesting = Segmenter(cache=False).nesting
    mask = matching_paragraphs(paragraphs, ["法治政府", "依法治国", "法治社会"], nesting=nesting)
    assert paragraphs.loc[mask, "text"].tolist() == ["推进全面依法治国，建设法治政府。", "加快法治社会建设，法治政府建设。"]
    two = matching_paragraphs(paragraphs, ["法治政府", "依法治国", "法治社会"], min_hits=2, nesting=nesting)
    assert two.sum() == 2  # each of those paragraphs has two hits
    without_nesting = matching_paragraphs(paragraphs, ["依法治国"])
    assert without_nesting.sum() == 0  # inside 全面依法治国 only


def test_like_for_like_keeps_the_subject_paragraphs(paragraphs):
    ref = like_for_like(paragraphs, ["a", "b"], ["法治政府"])
    assert ref["doc_id"].tolist() == ["a", "b"]
    kept = paragraphs[paragraphs["text"].str.contains("法治政府")]
    assert ref["n_tokens"].sum() == kept["n_tokens"].sum()
    assert ref.attrs["n_paragraphs"] == 2 and ref.attrs["n_paragraphs_all"] == len(paragraphs)
    with pytest.raises(InputError, match="no reference paragraph uses"):
        like_for_like(paragraphs, ["a"], ["量子计算"])
    with pytest.raises(InputError, match="no paragraphs for the reference"):
        like_for_like(paragraphs, ["zzz"], ["法治政府"])
