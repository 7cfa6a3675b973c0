"""Notebooks 4–6 (change over time, topics, term explorer): the figures they add, the filter every
caption states, and every generated finding sentence checked against the table the notebook saved
and against a fresh computation from the package on the study corpus.  Uses the session fixture
``executed`` (the notebooks run once per target, tests/nbruns.py)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.lexicon.terms import category_label
from analysis.stats.collocations import split_sentences
from analysis.stats.dictionary import Dictionary, category_trends
from analysis.stats.repeats import find_repeats
from analysis.study.params import resolve

from nbruns import SLUGS, outputs

NB04, NB05, NB06 = "04_change_over_time.ipynb", "05_topics.ipynb", "06_term_explorer.ipynb"
CATEGORIES = ["rule_of_law", "party_building", "theory", "numbered", "economy_policy"]


def change_names(target: str) -> list[str]:
    """The figures notebooks 4 and 5 add to :func:`nbruns.expected_names`."""
    key, trend = SLUGS[target]
    return [f"category_trends_{target}_{trend}", f"network_key_terms_{target}_vs_{key}", f"topics_fit_{target}_{trend}"]


def prose(out, name: str) -> str:
    """Every generated markdown output of one executed notebook, joined."""
    return "\n".join("".join(o["data"]["text/markdown"]) for o in outputs(out, name) if "text/markdown" in o.get("data", {}))


def sentence(text: str, start: str) -> str:
    """The generated sentence (up to the next '. ' followed by a capital or '**', or the end) that begins with ``start``."""
    i = text.index(start)
    m = re.search(r"\.(?=\s+(?:[A-Z*]|$))|\.$", text[i:])
    return text[i:i + m.end()] if m else text[i:]


def read(figures, name: str) -> pd.DataFrame:
    return pd.read_csv(figures / f"{name}.csv")


# ---------------------------------------------------------------------------------------- figures, filter

def test_new_figures_written_and_shown(executed):
    target, figures, out, _ = executed
    shown = [o.get("metadata", {}).get("analysis", {}).get("name") for nb in (NB04, NB05) for o in outputs(out, nb)]
    for name in change_names(target):
        for ext in ("png", "svg", "csv"):
            assert (figures / f"{name}.{ext}").stat().st_size > 0, name
        assert name in shown
        assert len(read(figures, name)) > 0


def test_every_caption_states_its_filter(executed, study_corpus):
    """Every chart of notebooks 4–6 ends its caption with the filter that made it: the study's,
    or (notebook 5) the genre filter, which notebook 5 says why it uses."""
    target, _, out, _ = executed
    study_filter = study_corpus.filter.name
    genre = "stopwords=genre, min_chars=2, numbers=no, punct=no"
    for nb, expected in ((NB04, study_filter), (NB05, genre), (NB06, study_filter)):
        images = [o for o in outputs(out, nb) if "image/png" in o.get("data", {})]
        assert images, nb
        for o in images:
            texts = o["metadata"]["analysis"]["texts"]
            assert any(t.rstrip().endswith(f"Filter: {expected}.") for t in texts), (nb, o["metadata"]["analysis"]["name"])
    text = prose(out, NB05)
    assert f"**Filter** of the topic model: {genre}." in text
    assert f"The other notebooks count with the study's filter ({study_filter}); the topic model uses the 'genre' list because" in text
    assert f"**Filter** (every count and total below): {study_filter}." in prose(out, NB04)


# ---------------------------------------------------------------------------------------- notebook 4

def test_key_term_trends_count_nested_occurrences(executed, study_corpus):
    target, figures, _, _ = executed
    trend = resolve(study_corpus, target=target, mode="trend")
    table = read(figures, f"trends_key_terms_{target}_{trend.slug}")
    terms = list(dict.fromkeys(table["term"]))
    docs = study_corpus.documents
    counts = study_corpus.count(terms)
    for term in terms:
        rows = table[table["term"] == term]
        assert rows.loc[rows["series"] == target, "count"].item() == counts.loc[target, term]
        ref_ids = docs.loc[trend.reference_mask, "doc_id"]
        assert rows.loc[rows["series"] == "reference", "count"].sum() == counts.loc[ref_ids, term].sum()
    if target == "speech2025":
        assert table.loc[(table["term"] == "司法行政工作") & (table["series"] == target), "count"].item() == 14


def _phrases(text: str) -> dict[str, str]:
    """'TERM (inside)' pieces of a generated list sentence: term → inside of its parentheses."""
    found = {}
    for m in re.finditer(r"(?:^|; |: )([^\s;:()]+) \(((?:[^()]|\([^()]*\))*)\)", text):
        found[m.group(1)] = m.group(2)
    return found


def test_persisting_only_when_used_widely(executed, study_corpus):
    """The rare/persisting sentences of notebook 4 state counts that match the saved trend table and
    a fresh count; no term used in a handful of reports is called persisting."""
    target, figures, out, _ = executed
    trend = resolve(study_corpus, target=target, mode="trend")
    table = read(figures, f"trends_key_terms_{target}_{trend.slug}")
    ref = table[table["series"] == "reference"]
    ref_ids = study_corpus.documents.loc[trend.reference_mask, "doc_id"]
    n_series = len(ref_ids)
    few = int(min(12, 0.25 * n_series))
    counts = study_corpus.count(list(dict.fromkeys(table["term"]))).loc[ref_ids]
    text = prose(out, NB04)
    checked = 0
    for start in ("In use since the series' first decade", "Entered later", "Rare in the series"):
        if start not in text:
            continue
        part = sentence(text, start)
        for term, inside in _phrases(part.split(": ", 1)[1]).items():
            m = re.search(r"(\d+) occurrences? in (\d+) of (\d+) documents", inside)
            assert m, inside
            total, n_docs, n_all = map(int, m.groups())
            assert total == ref.loc[ref["term"] == term, "count"].sum() == counts[term].sum()
            assert n_docs == int((counts[term] > 0).sum()) and n_all == n_series
            first = int(re.search(r"first (\d{4})", inside).group(1))
            assert first == ref.loc[(ref["term"] == term) & (ref["count"] > 0), "year"].min()
            assert (n_docs <= few) == start.startswith("Rare")
            checked += 1
    assert checked > 0
    chart = [o["metadata"]["analysis"]["texts"] for o in outputs(out, NB04)
             if o.get("metadata", {}).get("analysis", {}).get("name") == f"trends_key_terms_{target}_{trend.slug}"][0]
    for term in counts.columns:  # each panel labels its term's documents, and "rare" where it is
        n = int((counts[term] > 0).sum())
        assert f"in {n} of {n_series} documents" + (" · rare" if n <= few else "") in chart, term
    if target == "speech2025":
        rare = sentence(text, "Rare in the series")
        assert "司法行政工作 (1 occurrence in 1 of 51 documents; first 1988)" in rare
        assert "persisting: 学习 (first 1954 (uncertain: the series' first year), 178 occurrences in 40 of 51 documents)" in text


def test_formulation_first_years_checked_everywhere(executed):
    """Every formulation sentence gives the counts of the saved table, flags an uncertain first
    year, and a formulation the reference series never uses is named where it does occur."""
    target, figures, out, _ = executed
    table = read(figures, f"first_appearance_formulations_{target}_{SLUGS[target][1]}")
    text = prose(out, NB04)
    for r in table.itertuples():
        if pd.isna(r.first_year):
            doc_cols = [c for c in table.columns if c.startswith("first_doc_")]
            where = [f"{getattr(r, c)} ({int(getattr(r, 'first_year_' + c[10:]))})" for c in doc_cols
                     if pd.notna(getattr(r, c))]
            expected = f"{r.term} (first in {', '.join(where)})" if where else f"{r.term} (in no other collection"
            assert expected in text, expected
            continue
        phrase = f"{r.term} {int(r.first_year)} ({int(r.total_count)} occurrence{'s' if r.total_count != 1 else ''} in {int(r.n_years)} year"
        assert phrase in text, phrase
        after = text[text.index(phrase):].split(")", 1)[0]
        assert ("first year uncertain" in after) == bool(r.first_year_uncertain), after
    if target == "speech2025":
        assert "三会一课 (first in cpc19 (2017))" in text
        assert "十四五 2021 (16 occurrences in 4 years; first year uncertain: no document for 2020, previous 2019" in text


def test_category_chart_matches_a_fresh_count(executed, study_corpus):
    target, figures, out, _ = executed
    trend = resolve(study_corpus, target=target, mode="trend")
    saved = read(figures, f"category_trends_{target}_{trend.slug}")
    assert set(saved["category"]) == set(CATEGORIES)
    dictionary = Dictionary.from_lexicon(study_corpus.segmenter.lexicon, CATEGORIES)
    years = sorted(saved.loc[saved["series"] == "reference", "year"].astype(int).unique())  # cpc: document years only
    fresh = category_trends(study_corpus.paragraphs_of(trend.reference_mask | trend.target_mask), dictionary,
                            target=target, count="nested", token_filter=study_corpus.filter,
                            nesting=study_corpus.segmenter.nesting, years=years)
    merged = saved.merge(fresh, on=["category", "year", "series"], suffixes=("", "_fresh"))
    assert len(merged) == len(saved) == len(fresh)
    assert (merged["count"].fillna(-1) == merged["count_fresh"].astype(float).fillna(-1)).all()
    text = prose(out, NB04)
    tgt = saved[saved["series"] == target].set_index("category")
    for cat in CATEGORIES:
        n, rate = int(tgt.loc[cat, "count"]), float(tgt.loc[cat, "per_10k"])
        assert f"{category_label(cat)}: {n} occurrence{'s' if n != 1 else ''} in {target} ({rate:.1f} per 10,000;" in text
    if target == "speech2025":  # the speech's rule-of-law family, split over compounds, is one theme here
        ref = saved[(saved["series"] == "reference") & (saved["category"] == "rule_of_law")]
        assert tgt.loc["rule_of_law", "per_10k"] > 10 * ref["per_10k"].max()


def _sentences_with(paragraphs: pd.DataFrame, a: str, b: str) -> int:
    """Sentences (the unfiltered stream cut after 。！？) of ``paragraphs`` holding both tokens."""
    return sum(a in s and b in s for toks in paragraphs["stream"] for s in split_sentences(list(toks)))


def test_network_links_counted_and_checked_for_repeats(executed, study_corpus):
    """The strongest links the prose names: counts of the saved edge table, recounted by hand from
    the target's sentences; a link said to lie inside a repeated passage does, by find_repeats."""
    target, figures, out, _ = executed
    edges = read(figures, f"network_key_terms_{target}_vs_{SLUGS[target][0]}")
    text = prose(out, NB04)
    paragraphs = study_corpus.paragraphs[study_corpus.paragraphs["doc_id"] == target]
    repeats = find_repeats("\n".join(paragraphs["text"]), min_chars=30)
    named = re.findall(r"([^\s;:()–]+)–([^\s;:()–]+) \((\d+) of (\d+) sentences(; both inside (\d+) repeated)?", text)
    assert named, "the prose names the strongest links"
    for a, b, n, total, rep, n_rep in named:
        row = edges[(edges["source"] == a) & (edges["target"] == b)].iloc[0]
        assert int(n) == row["count"] and int(total) == row["n_total"]
        inside = sum(a in t and b in t for t in repeats["text"])
        assert int(n_rep or 0) == row["n_repeats"] == inside
    top = edges.iloc[0]
    assert top["count"] == _sentences_with(paragraphs, top["source"], top["target"])
    if target == "speech2025":
        assert ("学习", "习近平新时代中国特色社会主义思想", "5", "41", "; both inside 1 repeated", "1") in named


# ---------------------------------------------------------------------------------------- notebook 5

def test_topic_fit_sentence_matches_its_table(executed):
    target, figures, out, _ = executed
    fit = read(figures, f"topics_fit_{target}_{SLUGS[target][1]}")
    t = fit[fit["series"] == target].iloc[0]
    ref = fit[fit["series"] == "reference"]
    assert np.isclose(t["oov_share"], t["n_oov"] / t["n_tokens"])
    text = sentence(prose(out, NB05), "**How to read it.** " + f"{t['oov_share']:.1%} of the tokens")
    assert f"{t['oov_share']:.1%} of the tokens of {target} ({int(t['n_oov'])} of {int(t['n_tokens'])})" in text
    pooled = ref["n_oov"].sum() / ref["n_tokens"].sum()
    assert f"against {pooled:.1%} ({int(ref['n_oov'].sum()):,} of {int(ref['n_tokens'].sum()):,})" in text
    above = int((ref["oov_share"] >= t["oov_share"]).sum())
    full = prose(out, NB05)
    assert ("no reference document has as large a share" in full) == (above == 0)
    if target == "speech2025":  # the speech is the text the model sees least of
        assert above == 0 and t["oov_share"] > 2 * pooled


def _ties(k: pd.DataFrame) -> dict:
    """Per method: best K, the K within one seed standard deviation of it, whether it is at an end."""
    out = {}
    for method, g in k.groupby("method"):
        best = g.loc[g["coherence"].idxmax()]
        spread = np.maximum(g["coherence_sd"], best["coherence_sd"])
        tied = sorted(int(x) for x in g.loc[(g["coherence"] - best["coherence"]).abs() <= spread, "k"] if x != best["k"])
        out[method] = (int(best["k"]), tied, best["k"] in (g["k"].min(), g["k"].max()))
    return out


def test_k_selection_prose_matches_its_table(executed):
    target, figures, out, _ = executed
    k = read(figures, f"topics_k_selection_{target}_{SLUGS[target][1]}_paragraphs")
    text = prose(out, NB05)
    for method, (best, tied, edge) in _ties(k).items():
        part = sentence(text, f"{method.upper()} (K = ")
        assert f"the most coherent K is {best} " in part, part
        if k.loc[k["method"] == method, "coherence_sd"].gt(0).all() and "one seed" not in part:
            if tied:
                assert f"K = {', '.join(map(str, tied))} {'is' if len(tied) == 1 else 'are'} within one standard deviation" in part
            else:
                assert "no other K is within one standard deviation" in part
        assert ("**the best K is at the edge of the range tried**" in part) == edge
    if target == "speech2025":  # the default range brackets the optimum and goes well past the chosen K
        nmf = k[k["method"] == "nmf"]
        assert nmf["k"].min() <= 4 and nmf["k"].max() >= 40
        best, _, edge = _ties(k)["nmf"]
        assert not edge and nmf["k"].max() > k.loc[k["recommended"], "k"].item()


# ---------------------------------------------------------------------------------------- notebook 6

def test_explorer_states_counts(executed, study_corpus):
    target, _, out, _ = executed
    from analysis.stats.keyness import key_terms, keyness
    study = resolve(study_corpus, target=target)
    key = keyness(study_corpus.documents, study.target_mask, study.reference_mask, min_target=0, min_count=3,
                  units=study_corpus.paragraphs)
    term = key_terms(key, 200)["term"].iloc[0]
    row = key[key["term"] == term].iloc[0]
    text = prose(out, NB06)
    assert f"{term}: {int(row.n_target)} occurrence(s) in {study.label} ({row.per_10k_target:.1f} per 10,000 tokens) " \
           f"and {int(row.n_reference)} in the {study.reference_label}" in text
    assert (f"{term} is in {int(row.n_units_target)} of its paragraphs ({row.share_units_target:.0%}); Log Ratio interval "
            f"{row.lr_ci_low:+.1f} to {row.lr_ci_high:+.1f}") in text
    nested = int(study_corpus.count([term]).loc[target, term])
    assert f"Counted nested (inside longer formulations too): {nested} in {target}," in text
    tables = "\n".join("".join(o["data"].get("text/plain", "")) for o in outputs(out, NB06) if "data" in o)
    for column in ("is_key", "p_boot", "lr_ci_low", "n_units_target", "section_label", "year", "total_tokens"):
        assert column in tables, column


# ---------------------------------------------------------------------------------------- the README

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def _readme(text: str) -> str:
    """The README with line breaks inside paragraphs joined (sentences wrap at any word)."""
    return re.sub(r"(?<!\n)\n(?!\n)", " ", text)


def test_readme_new_and_persisting_numbers(study_corpus):
    """The README's "New", "Persisting" and dictionary paragraphs, recomputed from the package."""
    from analysis.stats.claims import first_appearance_all
    from analysis.stats.formulations import find_formulations, formulation_trends
    from analysis.stats.keyness import key_terms, keyness
    from analysis.stats.trends import first_appearance
    readme = _readme(README)
    docs = study_corpus.documents
    study = resolve(study_corpus, target="speech2025")
    trend = resolve(study_corpus, target="speech2025", mode="trend")
    # New: the speech's formulations, first year in the reports, and where 三会一课 is instead.
    paras = study_corpus.paragraphs[study_corpus.paragraphs["doc_id"] == "speech2025"]
    found = find_formulations(study_corpus.text_of("speech2025"), [t for ts in paras["tokens"] for t in ts],
                              lexicon=study_corpus.segmenter.lexicon)["formulation"].tolist()
    first = first_appearance(formulation_trends(study_corpus.paragraphs_of(trend.reference_mask | trend.target_mask),
                                                found, target="speech2025")).set_index("term")
    seen = first.dropna(subset=["first_year"]).sort_values(["first_year", "term"])
    listed = ", ".join(f"{t} {int(y)}" for t, y in seen["first_year"].items())
    words = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
    assert f"{words[len(seen)]} of the speech's {words[len(found)]} numbered formulations entered the Government Work " \
           f"Reports between {int(seen['first_year'].min())} and {int(seen['first_year'].max())} ({listed})" in readme
    assert bool(first.loc["十四五", "first_year_uncertain"]) and 2020 not in set(docs["year"][docs["collection"] == "gwr"])
    never = first[first["first_year"].isna()].index.tolist()
    assert never == ["三会一课"]
    cpc = first_appearance_all(study_corpus.paragraphs_of((docs["collection"] == "cpc").to_numpy()), never, count="text")
    assert (cpc["first_doc"].item(), int(cpc["first_year"].item())) == ("cpc19", 2017)
    assert "三会一课 is in no report from 1954 to 2024, but it is in the report to the 19th Congress (cpc19, 2017)" in readme
    # "first" is first in this corpus: the README names what each collection lacks, as coverage_gaps finds it
    from analysis.study.wording import coverage_gaps
    gwr_gaps = coverage_gaps(study_corpus.docs, "gwr", until=2024).rsplit(", ", 1)
    cpc_gaps = coverage_gaps(study_corpus.docs, "cpc").removeprefix("the reports to the ").removesuffix(" congresses")
    assert f"no Government Work Report for {' and '.join(gwr_gaps)} and no report to the {cpc_gaps} Party congresses" in readme
    assert cpc_gaps == "2nd, 4th–6th and 8th"
    assert "(and gwr1964 is an abstract)" in readme
    assert study_corpus.docs.set_index("doc_id").loc["gwr1964", "title"].endswith("（摘要）")  # 摘要: abstract
    # Persisting: the key terms followed and the number of reports using each (nested counts).
    key = keyness(docs, study.target_mask, study.reference_mask, min_count=3)
    in_series = {t for toks in docs.loc[trend.reference_mask, "tokens"] for t in toks}
    terms = [t for t in key_terms(key, 200, alpha=0.05)["term"] if t in in_series][:9]
    n_docs = (study_corpus.count(terms).loc[docs.loc[trend.reference_mask, "doc_id"]] > 0).sum()
    wide = n_docs[n_docs > 12].sort_values(ascending=False)
    assert len(terms) == 9 and trend.n_reference == 51 and 0 < len(wide) < 9
    from analysis.study.wording import term_list
    assert f"only {term_list([f'{t} ({n} reports)' for t, n in wide.items()])} occur in more than 12; the other " \
           f"{words[9 - len(wide)]} occur in at most {n_docs[n_docs <= 12].max()} (司法行政工作 in one, 1988)" in readme
    assert n_docs["司法行政工作"] == 1
    years_of = docs.loc[trend.reference_mask, ["doc_id", "year"]].set_index("doc_id")["year"]
    in_docs = study_corpus.count(["司法行政工作"]).loc[years_of.index, "司法行政工作"]
    assert years_of[in_docs > 0].tolist() == [1988]
    # the nine are the strongest G² terms, not notebook 03's key list: the README names those that fail its rule
    from analysis.study import distinctive
    strict = set(distinctive.key_terms(study_corpus, study).over["term"])
    failing = re.search(r"; (.+?) among them fail notebook 03's stricter key-term rule", readme)
    named = failing.group(1).replace(" and ", ", ").split(", ") if failing else None
    assert named == [t for t in terms if t not in strict], readme
    # The rule-of-law family.
    dictionary = Dictionary.from_lexicon(study_corpus.segmenter.lexicon, ["rule_of_law"])
    cat = category_trends(study_corpus.paragraphs_of(trend.reference_mask | trend.target_mask), dictionary,
                          target="speech2025", count="nested", token_filter=study_corpus.filter,
                          nesting=study_corpus.segmenter.nesting)
    t = cat[cat["series"] == "speech2025"].iloc[0]
    recent = cat[(cat["series"] == "reference") & cat["year"].between(2015, 2024)]
    assert f"makes {int(t['count'])} occurrences in the speech, {float(t['per_10k']):.1f} per 10,000 tokens, against at " \
           f"most {float(recent['per_10k'].max()):.1f} per 10,000 in any report of 2015–2024" in readme


def test_readme_similarity_and_topic_numbers(study_corpus):
    from analysis.stats.similarity import similarity_to
    from analysis.tokens.nesting import TokenFilter
    from analysis.topics.model import TopicModel, oov_share
    readme = _readme(README)
    docs = study_corpus.documents
    trend = resolve(study_corpus, target="speech2025", mode="trend")
    sims = similarity_to(docs[trend.reference_mask | trend.target_mask], "speech2025")
    top = sims.nlargest(3, "cosine")
    rho = sims["year"].astype(float).corr(sims["cosine"], method="spearman")
    r = list(top.itertuples())
    assert f"{r[0].doc_id} (cosine {r[0].cosine:.3f}), {r[1].doc_id} ({r[1].cosine:.3f}) and {r[2].doc_id} " \
           f"({r[2].cosine:.3f}); Spearman's ρ between year and similarity over the {len(sims)} reports is {rho:.2f}" in readme
    # the baseline: the same curve for the latest reports (each against the reports before it) and cpc20
    base_m = re.search(r"the same curve for the latest reports against their predecessors is at least as steep \((.+?): "
                       r"([\d.]+); cpc20 against the reports before it: ([\d.]+)\)", readme)
    assert base_m, readme
    from analysis.study.change import similarity_baseline
    base = similarity_baseline(study_corpus, resolve(study_corpus, target="speech2025"), trend).set_index("doc_id")
    latest = sorted(docs.loc[trend.reference_mask, "doc_id"], key=lambda d: int(d[3:]))[-3:]
    named = base_m.group(1).replace(" and ", ", ").split(", ")
    assert named == latest and {f"{base.loc[d, 'rho']:.2f}" for d in latest} == {base_m.group(2)}
    assert f"{base.loc['cpc20', 'rho']:.2f}" == base_m.group(3)
    assert (base.loc[latest, "rho"] >= rho).all()   # "at least as steep"
    # recomputed by hand for one of them: gwr2024 against the 50 reports before it
    earlier = docs[trend.reference_mask & (docs["year"] < 2024).to_numpy() | (docs["doc_id"] == "gwr2024").to_numpy()]
    own = similarity_to(earlier, "gwr2024")
    assert len(own) == 50 and own["year"].astype(float).corr(own["cosine"], method="spearman") == pytest.approx(base.loc["gwr2024", "rho"])
    genre = study_corpus.with_filter(TokenFilter("genre"))
    paras = genre.paragraphs_of(trend.reference_mask | trend.target_mask)
    paras = paras[paras["n_tokens"] >= 5].reset_index(drop=True)
    assert f"NMF topic model of {len(paras):,} paragraphs sees it (K = 40, the most coherent of K = 4–50" in readme
    model = TopicModel("nmf", 40, random_state=0).fit(list(paras["tokens"]))
    oov = oov_share(model, paras)
    is_speech = (paras["doc_id"] == "speech2025").to_numpy()
    share = lambda m: oov.loc[m, "n_oov"].sum() / oov.loc[m, "n_tokens"].sum()  # noqa: E731
    assert f"{share(is_speech):.1%} of its tokens are outside the model's vocabulary, against {share(~is_speech):.1%} " \
           f"of the reports'" in readme


def test_readme_k_selection_matches_the_speech_run(executed):
    """K = 40 and its ties, as the README states them, from the speech's K-selection table."""
    target, figures, _, _ = executed
    if target != "speech2025":
        pytest.skip("the README describes the speech")
    k = read(figures, f"topics_k_selection_{target}_{SLUGS[target][1]}_paragraphs")
    best, tied, edge = _ties(k)["nmf"]
    assert k.loc[k["recommended"], "k"].item() == best == 40 and not edge
    assert f"K = {', '.join(map(str, tied[:-1]))} and {tied[-1]} are within one standard deviation of the seeds" in _readme(README)
    nmf = k[k["method"] == "nmf"]["k"]
    assert f"the most coherent of K = {nmf.min()}–{nmf.max()}" in _readme(README)
    # The "Choosing K" table: every NMF row as the run wrote it; the LDA rows are below every NMF coherence.
    rows = re.findall(r"^\| (nmf|lda) \| (\d+) \| ([\d.]+) \| ([\d.]+) \| ([\d.]+) \|$", README, re.M)
    nmf_rows = [r for r in rows if r[0] == "nmf"]
    assert nmf_rows == [("nmf", str(r.k), f"{r.coherence:.3f}", f"{r.coherence_sd:.3f}", f"{r.stability:.2f}")
                        for r in k[k["method"] == "nmf"].itertuples()]
    lda = [float(r[2]) for r in rows if r[0] == "lda"]
    assert len(lda) == 3 and max(lda) < k["coherence"].min() and set(k["method"]) == {"nmf"}
