"""The shipped lexicon does not depend on the document under study (issue 19, item 2): every default term
is attested in a reference document, named in its provenance column; the rest is an opt-in list."""

import re

import pandas as pd
import pytest

from analysis.corpus import load_default_corpus
from analysis.lexicon import Lexicon
from analysis.lexicon.provenance import OPT_IN_FILE, QUOTES, attestation
from analysis.text.normalise import normalise


@pytest.fixture(scope="module")
def corpus_texts():
    docs = load_default_corpus()
    return docs, {d: normalise(t).text.translate(QUOTES) for d, t in zip(docs["doc_id"], docs["text"])}


def test_default_terms_are_each_attested_in_the_reference_document_their_provenance_names(corpus_texts):
    docs, texts = corpus_texts
    lex = Lexicon.load()
    year = dict(zip(docs["doc_id"], docs["year"]))
    reference = [d for d, c in zip(docs["doc_id"], docs["collection"]) if c in ("gwr", "cpc")]
    assert len(lex) > 150
    for term, provenance in zip(lex.table["term"], lex.table["provenance"]):
        m = re.fullmatch(r"attested: (\S+)", provenance)
        assert m, (term, provenance)
        first = m.group(1)
        assert first in reference and term in texts[first], (term, first)
        # the earliest: no reference document of an earlier year holds the term
        assert not [d for d in reference if year[d] < year[first] and term in texts[d]], term


def test_opt_in_terms_are_in_no_reference_document_and_say_whether_the_target_holds_them(corpus_texts):
    docs, texts = corpus_texts
    opt_in = Lexicon.read(OPT_IN_FILE)
    reference = [d for d, c in zip(docs["doc_id"], docs["collection"]) if c in ("gwr", "cpc")]
    assert len(opt_in) > 0
    for term, provenance in zip(opt_in.table["term"], opt_in.table["provenance"]):
        assert not [d for d in reference if term in texts[d]], term
        in_speech = term in texts["speech2025"]
        assert provenance == ("target only: speech2025" if in_speech else "unattested"), (term, provenance)
    # hand checks: 习近平法治思想 is in the speech and in no report; 全面依法治国 is in reports, so it stays
    assert opt_in.table.set_index("term").loc["习近平法治思想", "provenance"] == "target only: speech2025"
    assert "全面依法治国" in Lexicon.load() and "习近平法治思想" not in Lexicon.load()
    # quotation marks do not hide an attestation: the reports write “三个代表”重要思想
    assert Lexicon.load().table.set_index("term").loc["三个代表重要思想", "provenance"] == "attested: gwr2001"
    # the two files do not overlap, and loading the opt-in list gives every term back
    assert not (opt_in.terms & Lexicon.load().terms)
    assert Lexicon.load(extra=[OPT_IN_FILE]).terms == opt_in.terms | Lexicon.load().terms


def test_the_shipped_provenance_column_is_what_attestation_recomputes(corpus_texts):
    docs, _ = corpus_texts
    for lex in (Lexicon.load(), Lexicon.read(OPT_IN_FILE)):
        table = attestation(lex, docs)
        assert table["provenance"].tolist() == lex.table["provenance"].tolist()


def test_attestation_on_documents_it_makes_itself():
    docs = pd.DataFrame({"doc_id": ["r1", "r2", "mine"], "collection": ["ref", "ref", "mine"], "year": [2001, 1999, 2020],
                         "text": ["推进法治政府建设。", "建设法治政府，依法行政。", "开展法治体检，建设法治政府。"]})
    lex = Lexicon.from_terms(["法治政府", "法治体检", "智慧法治"])
    table = attestation(lex, docs, reference=docs["collection"] == "ref").set_index("term")
    assert table.loc["法治政府", "provenance"] == "attested: r2"  # the earliest year, not the first row
    assert table.loc["法治政府", "n_reference_docs"] == 2 and table.loc["法治政府", "n_other_docs"] == 1
    assert table.loc["法治体检", "provenance"] == "target only: mine"
    assert table.loc["智慧法治", "provenance"] == "unattested"
    # Traditional characters are normalised before matching
    trad = docs.assign(text=["推進法治政府建設。", "", ""])
    assert attestation(Lexicon.from_terms(["法治政府"]), trad, reference=trad["collection"] == "ref")["provenance"][0] \
        == "attested: r1"


def test_a_user_lexicon_of_four_columns_still_reads(tmp_path):
    path = tmp_path / "mine.tsv"
    path.write_text("term\tcategory\tmembers\tnote\n法治体检\trule_of_law\t\t市级实践\n", encoding="utf-8")
    lex = Lexicon.read(path)
    assert lex.table.loc[0, "provenance"] == "" and lex.table.loc[0, "note"] == "市级实践"


@pytest.mark.parametrize("docs,reference,message", [
    (pd.DataFrame({"doc_id": ["a"], "text": ["法治"]}), None, r"attestation: docs must be a documents table with columns "
                                                             r"doc_id, text, year, collection"),
    ("not a table", None, r"attestation: docs must be a documents table"),
    (pd.DataFrame({"doc_id": ["a"], "text": ["法治"], "year": [2000]}), [True, False],
     r"attestation: reference must be a boolean mask with one value per document \(1\)"),
])
def test_attestation_refuses_what_it_cannot_read(docs, reference, message):
    from analysis.errors import InputError
    with pytest.raises(InputError, match=message):
        attestation(Lexicon.from_terms(["法治"]), docs, reference=reference)
