"""The steps of notebook 4 (analysis.study.change) on the real study corpus: each table computed
as the notebook did, and every sentence its describe() writes checked against that table."""

from __future__ import annotations

import re

import matplotlib
import pandas as pd
import pytest

matplotlib.use("Agg")

from analysis.lexicon.terms import category_label
from analysis.study.change import (ClosestDocuments, NumberedFormulations, category_families, closest_documents,  # noqa: E402
                                   describe_references, first_use_elsewhere, key_term_network, key_term_trends,
                                   numbered_formulations)
from analysis.study.params import resolve  # noqa: E402
from analysis.viz.save import figure_texts  # noqa: E402

CATEGORIES = ["rule_of_law", "party_building", "theory", "numbered", "economy_policy"]


@pytest.fixture(scope="module")
def params(study_corpus):
    study = resolve(study_corpus, target="speech2025")
    trend = resolve(study_corpus, target="speech2025", reference_collection=study.reference_collection, mode="trend")
    return study, trend


@pytest.fixture(scope="module")
def terms(study_corpus, params):
    return key_term_trends(study_corpus, *params)


def _close(fig):
    import matplotlib.pyplot as plt
    texts = figure_texts(fig)
    plt.close(fig)
    return texts


def _captioned(fig, corpus) -> bool:
    """The chart's caption ends with the filter that made it."""
    return any(t.rstrip().endswith(f"Filter: {corpus.filter.name}.") for t in _close(fig))


def test_references_state_both_and_the_filter(study_corpus, params):
    study, trend = params
    text = describe_references(study_corpus, study, trend)
    assert text == (f"Key terms — {study.describe()}\n\nTrajectories — {trend.describe()}\n\n"
                    f"**Filter** (every count and total below): {study_corpus.filter.name}.")


def test_key_terms_counted_nested_across_the_series(study_corpus, params, terms):
    study, trend = params
    assert len(terms.terms) == 9 and terms.terms[0] == "司法行政工作"
    assert terms.note.startswith(f"the strongest key terms of {study.name} against the {study.reference_label}")
    ref_ids = study_corpus.documents.loc[trend.reference_mask, "doc_id"]
    counts = study_corpus.count(terms.terms).loc[ref_ids]
    ref = terms.trends[terms.trends["series"] == "reference"]
    first = terms.first.set_index("term")
    for term in terms.terms:
        assert ref.loc[ref["term"] == term, "count"].sum() == counts[term].sum() == first.loc[term, "total_count"]
        assert first.loc[term, "n_docs"] == (counts[term] > 0).sum()
    assert terms.n_documents == len(ref_ids) == 51 and terms.few == 12
    assert first["rare"].equals(first["n_docs"] <= terms.few)
    assert terms.describe_terms() == (f"The terms followed below: {terms.note} — a term the series never uses has no "
                                      "trajectory to draw.")


def _items(sentence: str) -> dict[str, str]:
    """'TERM (inside)' pieces of a list sentence after its colon."""
    body = sentence.split(": ", 1)[1]
    return {m.group(1): m.group(2) for m in re.finditer(r"(?:^|; )([^\s;:()]+) \(((?:[^()]|\([^()]*\))*)\)", body)}


def _sentence(text: str, start: str) -> str:
    i = text.index(start)
    return text[i:text.index(".", text.index(": ", i)) + 1] if "." in text[i:] else text[i:]


def test_key_term_prose_states_the_table(terms):
    text, first = terms.describe(), terms.first.set_index("term")
    assert text.startswith("**How to read it.** Each panel is one term")
    checked = 0
    for start in ("In use since the series' first decade", "Entered later", "Rare in the series"):
        if start not in text:
            continue
        for term, inside in _items(_sentence(text, start)).items():
            total, n_docs, n_all = map(int, re.search(r"(\d+) occurrences? in (\d+) of (\d+) documents", inside).groups())
            row = first.loc[term]
            assert (total, n_docs, n_all) == (row.total_count, row.n_docs, terms.n_documents)
            assert int(re.search(r"first (\d{4})", inside).group(1)) == row.first_year
            assert bool(row.rare) == start.startswith("Rare")
            checked += 1
    assert checked == (terms.first["n_docs"] > 0).sum()
    above = terms.first[terms.first["target_per_10k"] > terms.first["max_reference_per_10k"]]
    for r in above.itertuples():
        assert f"{r.term} ({r.target_count} in the target, {r.target_per_10k:.1f} per 10,000, against at most " \
               f"{r.max_reference_per_10k:.1f})" in text
    assert "司法行政工作 (1 occurrence in 1 of 51 documents; first 1988)" in text
    assert "persisting: 学习 (first 1954 (uncertain: the series' first year), 178 occurrences in 40 of 51 documents)" in text


def test_key_term_panels_say_their_documents(study_corpus, terms):
    texts = _close(terms.plot())
    for term in terms.terms:
        n = int(terms.n_docs[term])
        assert f"in {n} of {terms.n_documents} documents" + (" · rare" if n <= terms.few else "") in texts
    assert any(t.rstrip().endswith(f"Filter: {study_corpus.filter.name}.") for t in texts)


def test_terms_given_and_another_target(study_corpus):
    study = resolve(study_corpus, target="gwr2019")
    trend = resolve(study_corpus, target="gwr2019", mode="trend")
    given = key_term_trends(study_corpus, study, trend, "改革")
    assert given.terms == ["改革"] and given.note == "the terms given as the parameter TERMS"
    assert given.first["term"].tolist() == ["改革"]
    chosen = key_term_trends(study_corpus, study, trend)
    words = chosen.describe() + chosen.describe_terms() + " ".join(_close(chosen.plot()))
    assert "speech" not in words and study.name in words


def test_first_use_elsewhere_names_earlier_collections(study_corpus, params, terms):
    study, _ = params
    found = first_use_elsewhere(study_corpus, study, terms)
    assert set(found.table["term"]) <= set(terms.terms) and "speech" not in set(found.table["collection"])
    series_first = terms.first.set_index("term")["first_year"]
    text = found.describe()
    for r in found.earlier.itertuples():
        assert r.collection != study.reference_collection
        assert pd.isna(series_first[r.term]) or r.first_year < series_first[r.term]
        assert f"{r.term} is in {r.collection} earlier than in the series — first {r.first_doc} ({int(r.first_year)})" in text
    if found.earlier.empty:
        assert text.endswith("no term occurs in another collection before its first year in the series.")


def test_numbered_formulations_prose_states_the_table(study_corpus, params):
    study, trend = params
    found = numbered_formulations(study_corpus, study, trend, n=12)
    assert found.shown == found.found["formulation"].head(12).tolist() == found.first["term"].tolist()
    text = found.describe()
    for r in found.first.dropna(subset=["first_year"]).itertuples():
        n, years = int(r.total_count), int(r.n_years)
        assert f"{r.term} {int(r.first_year)} ({n} occurrence{'s' if n != 1 else ''} in {years} year" in text
    assert "三会一课 (first in cpc19 (2017))" in text
    assert "十四五 2021 (16 occurrences in 4 years; first year uncertain: no document for 2020, previous 2019" in text
    assert f"Never in the Government Work Reports {found.series_years[0]}–{found.series_years[1]}:" in text
    for fig in (found.plot_first(), found.plot_trends()):
        assert _captioned(fig, study_corpus)
    none = NumberedFormulations(study, trend, found.found.head(0), [], None, None, found.series_years, "x")
    assert none.describe() == f"No numbered formulation found in {study.label}."


def test_category_prose_states_the_table(study_corpus, params):
    families = category_families(study_corpus, *params, CATEGORIES + ["no_such_category"])
    assert list(families.dictionary.categories) == CATEGORIES
    cat, text = families.table, families.describe()
    target = cat[cat["series"] == "speech2025"].set_index("category")
    ref = cat[(cat["series"] == "reference") & cat["count"].notna()]
    last10 = ref[ref["year"] > ref["year"].max() - 10]
    for c in CATEGORIES:
        n, rate = int(target.loc[c, "count"]), float(target.loc[c, "per_10k"])
        high = float(last10.loc[last10["category"] == c, "per_10k"].max())
        assert f"{category_label(c)}: {n} occurrence{'s' if n != 1 else ''} in speech2025 ({rate:.1f} per 10,000; " \
               f"{rate / high:.1f}× the highest of the last ten years" in text
    assert families.recent["series"].iloc[:len(CATEGORIES)].eq("speech2025").all()
    assert len(families.recent) == len(CATEGORIES) + len(last10)
    assert _captioned(families.plot(), study_corpus)
    assert families.intro().startswith("## Families of vocabulary") and params[0].name in families.intro()


def test_network_prose_states_the_edges(study_corpus, params, terms):
    study, _ = params
    network = key_term_network(study_corpus, study, terms.key, n=25)
    text = network.describe()
    assert f"{network.graph.number_of_nodes()} of the {len(network.terms)} terms have a link at this threshold, " \
           f"{network.graph.number_of_edges()} links in all." in text
    named = re.findall(r"([^\s;:()–]+)–([^\s;:()–]+) \((\d+) of (\d+) sentences(?:; both inside (\d+) repeated)?", text)
    assert len(named) == min(5, int((network.edges["count"] >= 2).sum()))
    for a, b, n, total, n_rep in named:
        row = network.edges[(network.edges["source"] == a) & (network.edges["target"] == b)].iloc[0]
        assert (int(n), int(total), int(n_rep or 0)) == (row["count"], row["n_total"], row["n_repeats"])
    assert ("学习", "习近平新时代中国特色社会主义思想", "5", "41", "1") in named
    again = key_term_network(study_corpus, study, n=25)   # keyness computed by the step itself
    assert again.edges.equals(network.edges)
    assert _captioned(network.plot(), study_corpus)


def test_closest_documents_prose_states_the_table(study_corpus, params):
    closest = closest_documents(study_corpus, *params)
    assert isinstance(closest, ClosestDocuments) and "speech2025" not in set(closest.table["doc_id"])
    top = closest.table.nlargest(3, "cosine")
    rho = closest.table["year"].astype(float).corr(closest.table["cosine"], method="spearman")
    text = closest.describe()
    listed = [f"{d} ({round(c, 3)})" for d, c in zip(top["doc_id"], top["cosine"])]
    assert f"three most similar documents: {listed[0]}, {listed[1]} and {listed[2]}." in text
    assert f"(Spearman's ρ between year and similarity: {rho:.2f}, {len(closest.table)} documents)" in text
    assert closest.top(5).equals(closest.table.nlargest(5, "cosine"))
    assert _captioned(closest.plot(), study_corpus)


def test_coverage_gaps_names_missing_years_and_congresses():
    import pandas as pd
    from analysis.study.wording import coverage_gaps
    docs = pd.DataFrame({"collection": ["a"] * 5 + ["c"] * 4, "year": [2000, 2001, 2004, 2006, 2010, 1, 2, 3, 4],
                         "congress": [None] * 5 + [1, 3, 7, 9]})
    assert coverage_gaps(docs.drop(columns="congress"), "a") == "2002–2003, 2005, 2007–2009"
    assert coverage_gaps(docs.drop(columns="congress"), "a", until=2004) == "2002–2003"
    assert coverage_gaps(docs, "c") == "the reports to the 2nd, 4th–6th and 8th congresses"
    assert coverage_gaps(docs.assign(congress=[None] * 5 + [1, 2, 3, 4]), "c") == ""
