"""Notebooks 01–03 against the tables they saved and a fresh computation (issues 9 and 12).

One filter throughout: the target's token total is the same number in every caption and table of
notebooks 02 and 03, equal to the corpus's; every caption of 01–03 ends with the filter.  Claims
tied to numbers: each generated finding sentence (repeats, learned terms, key terms, survival,
like for like, families, nested counts, TF-IDF) is parsed and compared with the CSV the notebook
wrote, and the CSVs with the package's functions run here.  The README's "Distinctive" paragraph
is checked against the committed figures/ tables and a fresh computation.

The notebooks run once per session for three targets (the ``executed`` fixture, tests/nbruns.py).
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from analysis.corpus import load_gwr
from analysis.stats.claims import keyness_survival
from analysis.stats.dictionary import Dictionary, category_keyness
from analysis.stats.keyness import key_terms, keyness
from analysis.tokens.learn import load_learned
from analysis.stats.repeats import find_repeats
from analysis.tokens.segment import section_documents
from analysis.stats.like_for_like import like_for_like
from analysis.study.params import resolve
from analysis.study import distinctive
from analysis.study.robustness import sensitivity
from analysis.lexicon import Lexicon
from analysis.lexicon.provenance import OPT_IN_FILE
from analysis.lexicon.register import term_kind

from nbruns import outputs

ROOT = Path(__file__).resolve().parents[1]
NB = {"01": "01_corpus_overview.ipynb", "02": "02_term_frequency.ipynb", "03": "03_distinctiveness.ipynb"}
SUBJECT = ["rule_of_law", "party_building"]
FAMILIES = ["rule_of_law", "party_building", "theory", "economy_policy", "numbered"]


def _markdown(out: Path, key: str) -> str:
    return "\n".join("".join(o["data"]["text/markdown"]) for o in outputs(out, NB[key]) if "text/markdown" in o.get("data", {}))


def _figures(out: Path, key: str) -> dict[str, list[str]]:
    """Figure name → its texts (titles, labels, annotations, caption), as displayed by the notebook."""
    return {o["metadata"]["analysis"]["name"]: o["metadata"]["analysis"]["texts"] for o in outputs(out, NB[key])
            if o.get("metadata", {}).get("analysis", {}).get("name")}


def _number(text: str) -> int:
    return int(text.replace(",", ""))


def _terms(listing: str) -> list[str]:
    """'甲, 乙 and 丙' → ['甲', '乙', '丙'] (study.term_list's format)."""
    listing = listing.strip().rstrip(".")
    head, _, last = listing.rpartition(" and ")
    return [t.strip() for t in head.split(",")] + [last.strip()] if head else [t.strip() for t in listing.split(",")]


def _study(study_corpus, target):
    return resolve(study_corpus, target=target)


# ------------------------------------------------------------------ one filter, one total (issue 9)

def test_every_caption_ends_with_the_filter(executed, study_corpus):
    _, _, out, _ = executed
    ending = f"Filter: {study_corpus.filter.name}."
    for key in NB:
        figures = _figures(out, key)
        assert figures, key
        for name, texts in figures.items():
            captions = [t for t in texts if "Filter:" in t]
            assert len(captions) == 1 and captions[0].endswith(ending), (name, captions)


def test_target_total_is_one_number(executed, study_corpus):
    """The token total of the target in every caption and every table of notebooks 02 and 03."""
    target, figures_dir, out, _ = executed
    docs = study_corpus.documents.set_index("doc_id")
    total = int(docs.loc[target, "n_tokens"])
    assert total == len(docs.loc[target, "tokens"])
    stated = []
    for key in ("02", "03"):
        for name, texts in _figures(out, key).items():
            caption = next(t for t in texts if "Filter:" in t)
            found = [_number(n) for n in re.findall(rf"Target: [^;]*?\({target}\), ([\d,]+) tokens", caption)]
            assert found, (name, caption[:200])
            stated += found
            table = pd.read_csv(figures_dir / f"{name}.csv")
            if name.startswith("keyness_by_section_"):  # each part's own total; the parts add up to the target's
                parts = section_documents(study_corpus.paragraphs, target).set_index("doc_id")["n_tokens"]
                assert parts.sum() == total
                written = table.groupby("section", sort=False)["total_target"].first()
                assert written.tolist() == parts.loc[written.index].tolist()
                continue
            for column in ("total_target", "total_tokens"):
                if column in table and len(table):
                    assert set(table[column]) == {total}, (name, column, set(table[column]))
                    stated.append(total)
    assert set(stated) == {total} and len(stated) >= 10


# ------------------------------------------------------------------ notebook 01

def test_repeated_passages(executed, study_corpus):
    target, figures_dir, out, _ = executed
    table = pd.read_csv(figures_dir / f"repeats_{target}.csv")
    text = study_corpus.text_of(target)
    fresh = find_repeats(text, 30)
    assert table["length"].tolist() == fresh["length"].tolist() and table["text"].tolist() == fresh["text"].tolist()
    for row in table.itertuples():  # the copy is where the table says, and so is its first occurrence
        assert text[row.start:row.start + row.length] == row.text == text[row.first_start:row.first_start + row.length]
        paragraphs = text.split("\n")
        assert row.text[:10] in paragraphs[row.paragraph - 1] + "\n" + (paragraphs[row.paragraph] if row.paragraph < len(paragraphs) else "")
    md = _markdown(out, "01")
    if table.empty:
        assert f"({len(text):,} characters searched)" in md.replace("all ", "") and "No repeated passage" in md
        return
    m = re.search(r"\*\*(\d+) repeated passage\(s\)\*\* of at least 30 characters: ([\d,]+) characters in all, ([\d.]+)% of the ([\d,]+) characters", md)
    assert m, md[-800:]
    assert int(m.group(1)) == len(table) and _number(m.group(2)) == table["length"].sum() and _number(m.group(4)) == len(text)
    assert float(m.group(3)) == pytest.approx(100 * table["length"].sum() / len(text), abs=0.05)
    if target == "speech2025":  # the guiding-idea passage, hand-checked: 78 characters, repeated in paragraph 14
        assert len(table) == 2 and table["length"].max() == 78 and table["text"].str.startswith("以习近平新时代").any()


def test_learned_terms(executed, study_corpus):
    target, figures_dir, out, _ = executed
    md = _markdown(out, "01")
    m = re.search(r"\*\*(\d+) terms were learned\*\* from the (\d+) documents", md)
    assert m and int(m.group(1)) == len(study_corpus.segmenter.lexicon.category("learned"))
    assert int(m.group(2)) == len(study_corpus.docs)
    path = re.search(r"Review or veto them in `([^`]+)`", md).group(1)
    assert not Path(path).is_absolute() and (ROOT / path).is_file()
    tsv = load_learned(ROOT / path)
    assert set(tsv.loc[tsv["keep"] == "yes", "term"]) == set(study_corpus.segmenter.lexicon.category("learned"))
    table = pd.read_csv(figures_dir / f"learned_terms_{target}.csv")
    assert (table["score"].diff().dropna() <= 0).all()  # best score first
    used = re.search(r"(\d+) of them occur in .*?, ([\d,]+) times in all", md)
    assert int(used.group(1)) == (table["n_target"] > 0).sum() and _number(used.group(2)) == table["n_target"].sum()
    counts = study_corpus.count(table.loc[table["n_target"] > 0, "term"].head(5).tolist()).loc[target]
    assert counts.tolist() == table.loc[table["n_target"] > 0, "n_target"].head(5).tolist()


# ------------------------------------------------------------------ notebook 03 (issue 12)

def test_key_terms_follow_the_rule(executed, study_corpus):
    target, figures_dir, out, _ = executed
    study = _study(study_corpus, target)
    table = pd.read_csv(figures_dir / f"keyness_{target}_vs_{study.slug}.csv")
    for col in ("n_target", "n_reference", "n_units_target", "lr_ci_low", "lr_ci_high", "p_boot", "is_key", "lr_bound"):
        assert col in table, col
    rule = (table["p_adj"] < 0.05) & (table["g2"] > 0) & (table["lr_ci_low"] > 0) & (table["n_units_target"] >= 2)
    key = table[table["is_key"].fillna(False).astype(bool) & (table["g2"] > 0)]
    assert set(key["term"]) == set(table.loc[rule, "term"])
    # n_units_target, counted here: paragraphs of the target whose filtered tokens hold the term
    paras = study_corpus.paragraphs[study_corpus.paragraphs["doc_id"] == target]
    for row in key.head(5).itertuples():
        assert row.n_units_target == sum(row.term in toks for toks in paras["tokens"])
    md = _markdown(out, "03")
    texts = " ".join(_figures(out, "03")[f"keyness_{target}_vs_{study.slug}"])
    n_sig = int(((table["p_adj"] < 0.05) & (table["g2"] > 0)).sum())
    if key.empty:
        under = table[table["is_key"].fillna(False).astype(bool) & (table["g2"] < 0)]
        if under.empty:
            assert "No term is key" in md and "no term is key" in texts
        else:
            assert f"{n_sig} are significantly over-used (p_adj < 0.05) and **no term is key for {target}**" in md
        return
    m = re.search(r"(\d+) are significantly over-used \(p_adj < 0\.05\); (\d+) of them are key: ([^.(]+)", md)
    assert m, md[:1500]
    assert int(m.group(1)) == n_sig and int(m.group(2)) == len(key)
    assert _terms(m.group(3)) == key["term"].head(10).tolist()
    for row in key.head(15).itertuples():  # the chart marks bounds and shows counts and paragraphs
        sign = "≥" if row.lr_bound == "lower bound" else ""
        assert f"{sign}{row.log_ratio:+.1f}".replace("-", "−") + " [" in texts
        assert f"{row.n_target}/{row.n_reference} · {int(row.n_units_target)} ¶" in texts
    not_key = table[(table["p_adj"] < 0.05) & (table["g2"] > 0) & ~table["term"].isin(key["term"])]
    labels = _figures(out, "03")[f"keyness_{target}_vs_{study.slug}"]
    for term in not_key["term"]:  # significant but not key: not on the key-terms chart
        assert term not in labels


def test_survival_sentence_and_table(executed, study_corpus):
    target, figures_dir, out, _ = executed
    study = _study(study_corpus, target)
    table = pd.read_csv(figures_dir / f"keyness_survival_{target}_vs_{study.slug}.csv")
    key = pd.read_csv(figures_dir / f"keyness_{target}_vs_{study.slug}.csv")
    md = _markdown(out, "03")
    # The columns are what they say: recomputed from the counts in the same table.
    assert (table["fisher"] == (table["p_adj_fisher"] < 0.05)).all()
    assert (table["bootstrap"] == (table["lr_ci_low"] > 0)).all()
    assert (table["dispersion"] == (table["n_units_target"] >= 2)).all()
    assert (table["all"] == table[["fisher", "repeats", "bootstrap", "dispersion"]].all(axis=1)).all()
    survivors = table.loc[table["all"], "term"].tolist()
    # every survivor is a key term of the keyness chart's table
    assert set(survivors) <= set(key.loc[key["is_key"].fillna(False).astype(bool), "term"])
    if table.empty:
        assert "No term to check" in md
        return
    m = re.search(r"\*\*(\d+) of the (\d+) terms significantly over-used by G² survive every check\*\*(?:: ([^.]+))?\.", md)
    assert m, md
    assert int(m.group(1)) == len(survivors) and int(m.group(2)) == len(table)
    assert (_terms(m.group(3)) if m.group(3) else []) == survivors
    for check, words in (("fisher", "Fisher's exact test"), ("repeats", "counting repeated passages once"),
                         ("bootstrap", "the bootstrap"), ("dispersion", r"dispersion \(≥ 2 paragraphs\)")):
        kept = re.search(rf"{words} keeps (\d+) of (\d+)", md)
        assert int(kept.group(1)) == int(table[check].sum()) and int(kept.group(2)) == len(table), check


def test_like_for_like(executed, study_corpus):
    target, figures_dir, out, _ = executed
    study = _study(study_corpus, target)
    table = pd.read_csv(figures_dir / f"keyness_like_for_like_{target}_vs_{study.slug}.csv")
    # A fresh computation: the reference's subject paragraphs, the target's keyness against them.
    terms = [t for c in SUBJECT for t in study_corpus.segmenter.lexicon.category(c)]
    like = like_for_like(study_corpus.paragraphs, study.reference_ids, terms, nesting=study_corpus.segmenter.nesting)
    docs = study_corpus.documents
    pair = pd.concat([docs[study.target_mask], like], ignore_index=True)
    fresh = keyness(pair, pair["doc_id"].eq(target).to_numpy(), min_target=0, min_count=3, units=study_corpus.paragraphs)
    assert set(table.loc[table["key_subject"], "term"]) == set(key_terms(fresh, 10_000)["term"])
    whole = pd.read_csv(figures_dir / f"keyness_{target}_vs_{study.slug}.csv")
    assert set(table.loc[table["key_whole"], "term"]) == set(whole.loc[whole["is_key"].fillna(False).astype(bool) & (whole["g2"] > 0), "term"])
    md = _markdown(out, "03")
    m = re.search(r"keeps ([\d,]+) of the reference's ([\d,]+) paragraphs \(([\d,]+) of ([\d,]+) tokens\)", md)
    assert _number(m.group(1)) == like.attrs["n_paragraphs"] and _number(m.group(2)) == like.attrs["n_paragraphs_all"]
    assert _number(m.group(3)) == like["n_tokens"].sum() and _number(m.group(4)) == like.attrs["n_tokens_all"]
    content = table.loc[table["key_whole"] & table["key_subject"], "term"].tolist()
    shared = table.loc[table["key_whole"] & ~table["key_subject"], "term"].tolist()
    both = re.search(r"\*\*(\d+) key against both\*\*[^:.]*(?:: ([^.]+))?\.", md)
    only = re.search(r"\*\*(\d+) key only against the whole reference\*\*[^:]*?(?:passages on it: ([^.]+))?\.", md)
    assert int(both.group(1)) == len(content) and (_terms(both.group(2)) if both.group(2) else []) == content
    assert int(only.group(1)) == len(shared) and (_terms(only.group(2)) if only.group(2) else []) == shared


def test_families(executed, study_corpus):
    target, figures_dir, out, _ = executed
    study = _study(study_corpus, target)
    table = pd.read_csv(figures_dir / f"keyness_families_{target}_vs_{study.slug}.csv")
    assert set(table["category"]) == set(FAMILIES)
    lexicon = study_corpus.segmenter.lexicon
    docs = study_corpus.documents.set_index("doc_id")
    tokens = Counter(docs.loc[target, "tokens"])
    ref_tokens = Counter(t for ref in study.reference_ids for t in docs.loc[ref, "tokens"])
    md = _markdown(out, "03")
    for row in table.itertuples():
        members = set(lexicon.category(row.category))
        # counted here: the family's members as tokens of the target and of the reference
        assert row.n_target == sum(n for t, n in tokens.items() if t in members), row.category
        assert row.n_reference == sum(n for t, n in ref_tokens.items() if t in members), row.category
        m = re.search(rf"\*{row.category}\*: (\d+) occurrence\(s\) in {target} \([\d.]+ per 10,000\) against ([\d,]+) in the "
                      rf"reference \([\d.]+\); G² ([+−-][\d.]+)", md)
        assert m, row.category
        assert int(m.group(1)) == row.n_target and _number(m.group(2)) == row.n_reference
        assert float(m.group(3).replace("−", "-")) == pytest.approx(row.g2, abs=0.05)
    n_sig = re.search(r"(\d+) of (\d+) families differ significantly", md)
    assert int(n_sig.group(1)) == int((table["p_adj"] < 0.05).sum()) and int(n_sig.group(2)) == len(table)


def test_nested_sentence(executed, study_corpus):
    target, figures_dir, out, _ = executed
    md = _markdown(out, "03")
    m = re.search(r"Counted as a token, (\S+) occurs (\d+) time\(s\) in \S+ and ([\d,]+) in the reference .*?counted also inside "
                  r"longer formulations it occurs (\d+) and ([\d,]+) time\(s\).*?token total staying ([\d,]+)", md)
    assert m, md
    term = m.group(1)
    study = _study(study_corpus, target)
    docs = study_corpus.documents.set_index("doc_id")
    assert int(m.group(2)) == docs.loc[target, "tokens"].count(term)
    assert _number(m.group(3)) == sum(docs.loc[r, "tokens"].count(term) for r in study.reference_ids)
    nested = study_corpus.count([term])  # counted in the unfiltered streams, nested units included
    assert int(m.group(4)) == int(nested.loc[target, term]) > int(m.group(2))
    assert _number(m.group(5)) == int(nested.loc[list(study.reference_ids), term].sum())
    assert _number(m.group(6)) == int(docs.loc[target, "n_tokens"])
    if target == "speech2025":
        assert (term, m.group(2), m.group(4)) == ("发展", "2", "7")  # hand-counted in the speech: 7 发展, 5 inside 高质量发展


def test_tfidf_leaves_out_terms_of_every_document(executed, study_corpus):
    target, figures_dir, out, _ = executed
    study = _study(study_corpus, target)
    table = pd.read_csv(figures_dir / f"tfidf_{target}_among_{study.slug}.csv")
    n_docs = int((study.target_mask | study.reference_mask).sum())
    assert (table["n_groups"] == n_docs).all() and (table["df"] < n_docs).all() and not table["ubiquitous"].any()
    docs = study_corpus.documents[study.target_mask | study.reference_mask]
    every = set.intersection(*(set(t) for t in docs["tokens"]))
    assert not every & set(table["term"])
    n_every = len(every & set(docs.loc[docs["doc_id"] == target, "tokens"].iloc[0]))
    caption = next(t for t in _figures(out, "03")[f"tfidf_{target}_among_{study.slug}"] if "Filter:" in t)
    assert f"the {n_every} terms of the target present in every one of them are left out" in caption


# ------------------------------------------------------------------ README

def _readme_paragraph() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("**Distinctive**")
    return " ".join(text[start:text.index("![keyness]", start)].split())


def _committed(path: str) -> list[pd.DataFrame]:
    """The table the README cites, as `make figures` regenerated it in figures/ (git-ignored: absent in a
    fresh checkout, where the fresh computation alone is compared)."""
    assert path.startswith("figures/") and path.endswith(".csv"), path
    return [pd.read_csv(ROOT / path)] if (ROOT / path).is_file() else []


def test_readme_distinctive_paragraph(study_corpus):
    """The README's numbers, against the committed figures/ tables and a fresh computation."""
    text = _readme_paragraph()
    corpus = study_corpus
    study = resolve(corpus, target="speech2025")
    assert study.reference_label.startswith("Government Work Reports 2015–2024") and "2015–2024" in text
    assert "at least `MIN_COUNT` = 3 occurrences in target and reference together" in text  # the rule that decides them
    m = re.search(r"\*\*(\d+) of the (\d+) terms\*\* it significantly over-uses \(G², [^)]*\) survive every check — Fisher's exact test, "
                  r"counting its (\d+) repeated passages once, a bootstrap over its (\d+) paragraphs and use in at least (\d+) of them "
                  r"\(`([^`]+)`\): ([^.]+)\.", text)
    assert m, text
    survival = keyness_survival(corpus.paragraphs_of(study.target_mask | study.reference_mask), "speech2025",
                                list(study.reference_ids), corpus.segmenter, min_count=3)
    for table in (survival, *_committed(m.group(6))):
        assert int(m.group(1)) == int(table["all"].sum()) and int(m.group(2)) == len(table)
        assert _terms(m.group(7)) == table.loc[table["all"], "term"].tolist()
    assert int(m.group(3)) == len(survival.attrs["repeats"]) == len(find_repeats(corpus.text_of("speech2025"), 30))
    assert int(m.group(4)) == int((corpus.paragraphs["doc_id"] == "speech2025").sum()) and int(m.group(5)) == 2

    like_m = re.search(r"\*\*([\d,]+) of ([\d,]+) paragraphs\*\* on rule of law and Party building, \*\*(\d+) stay key\*\*: "
                       r"([^;]+); (.+?) are key only against the whole reports \(`([^`]+)`\)", text)
    assert like_m, text
    terms = [t for c in SUBJECT for t in corpus.segmenter.lexicon.category(c)]
    like = like_for_like(corpus.paragraphs, study.reference_ids, terms, nesting=corpus.segmenter.nesting)
    assert _number(like_m.group(1)) == like.attrs["n_paragraphs"] and _number(like_m.group(2)) == like.attrs["n_paragraphs_all"]
    docs = corpus.documents
    pair = pd.concat([docs[study.target_mask], like], ignore_index=True)
    against_like = set(key_terms(keyness(pair, pair["doc_id"].eq("speech2025").to_numpy(), min_target=0, min_count=3,
                                         units=corpus.paragraphs), 10_000)["term"])
    against_whole = set(key_terms(keyness(docs, study.target_mask, study.reference_mask, min_target=0, min_count=3,
                                          units=corpus.paragraphs), 10_000)["term"])
    content, shared = against_like & against_whole, against_whole - against_like
    assert int(like_m.group(3)) == len(content) and set(_terms(like_m.group(4))) == content
    assert set(_terms(like_m.group(5))) == shared
    for committed in _committed(like_m.group(6)):
        assert set(committed.loc[committed["key_whole"] & committed["key_subject"], "term"]) == content
    reg = re.search(r"among the (\d+) are (.+?) — the speaker's level and the Party meeting's register", text)
    assert reg and int(reg.group(1)) == len(content), text
    # the terms named are exactly the level and register terms among them, by the fixed rule
    assert set(_terms(reg.group(2))) == {t for t in content if term_kind(t) != "content"}, text

    provenance = re.search(r"its (\d+) members are each attested in a reference document, (\d+) of them occur in the "
                           r"speech's text and (\d+) in no Government Work Report", text)
    assert provenance, text
    members = corpus.segmenter.lexicon.category("rule_of_law")
    speech = corpus.text_of("speech2025")
    reports = "".join(load_gwr()["text"])
    assert [int(g) for g in provenance.groups()] == [len(members), sum(t in speech for t in members),
                                                      sum(t not in reports for t in members)]
    assert all(p.startswith("attested: ") for p in corpus.segmenter.lexicon.table["provenance"] if p)
    opt_in = re.search(r"the (\d+) terms that only the speech attests \(([^)]*?) …\) are an opt-in list", text)
    target_only = Lexicon.read(OPT_IN_FILE).table.query("provenance == 'target only: speech2025'")["term"].tolist()
    assert opt_in and int(opt_in.group(1)) == len(target_only) and set(_terms(opt_in.group(2))) <= set(target_only)

    sens_m = re.search(r"\(`([^`]+)`\): of the (\d+), \*\*(\d+) are key in every setting\*\* — with the target-only terms "
                       r"added, with no hand-made lexicon \(jieba and terms learned from the reports alone\) and with pkuseg — "
                       r"([^;]+); of these, (.+?) names the speaker's level and (.+?) belongs to the genre's register", text)
    assert sens_m, text
    sens = sensitivity(corpus, distinctive.key_terms(corpus, study))
    for table in (sens.table, *_committed(sens_m.group(1))):
        assert int(sens_m.group(2)) == int(table["key_study"].sum()) and int(sens_m.group(3)) == int(table["holds"].sum())
        assert _terms(sens_m.group(4)) == table.loc[table["holds"], "term"].tolist()
    short_m = re.search(r"Tested as a short text should be \(`([^`]+)`: its (\d+) paragraphs permuted among the reports', and "
                        r"Monroe et al.'s log-odds with an informative Dirichlet prior\), (\d+) of the (\d+) pass both; not "
                        r"(.+?) \((\d+) uses, none in the reports", text)
    assert short_m, text
    from analysis.study.robustness import short_text
    key = distinctive.key_terms(corpus, study)
    short = short_text(corpus, key).table
    for table in (short, *_committed(short_m.group(1))):
        keyed = table[table["is_key"]]
        assert int(short_m.group(3)) == int(keyed["both"].sum()) and int(short_m.group(4)) == len(keyed) == len(key.over)
        assert _terms(short_m.group(5)) == keyed.loc[~keyed["both"], "term"].tolist()
    failing = short.set_index("term").loc[_terms(short_m.group(5))]
    assert (failing["n_target"] == int(short_m.group(6))).all() and (failing["n_reference"] == 0).all()
    assert int(short_m.group(2)) == key.n_paragraphs
    cpc_m = re.search(r"Against the (\d+) Congress reports of (\d{4})–(\d{4}) \(notebook 03 with `REFERENCE_COLLECTION=\"cpc\"`, "
                      r"`REFERENCE_YEARS=\"(\d{4}-\d{4})\"`\), (\d+) of the (\d+) key terms stay key; (.+?), all of the "
                      r"register kind, do not, and (.+?) becomes? key\.", text)
    assert cpc_m, text
    party = resolve(corpus, target="speech2025", reference_collection="cpc", reference_years=cpc_m.group(4))
    against_party = distinctive.key_terms(corpus, party).over["term"].tolist()
    assert party.n_reference == int(cpc_m.group(1)) and party.reference_years == (int(cpc_m.group(2)), int(cpc_m.group(3)))
    gwr_key = key.over["term"].tolist()
    assert int(cpc_m.group(5)) == sum(t in against_party for t in gwr_key) and int(cpc_m.group(6)) == len(gwr_key)
    dropped = [t for t in gwr_key if t not in against_party]
    assert _terms(cpc_m.group(7)) == dropped and all(term_kind(t) == "register" for t in dropped)
    assert _terms(cpc_m.group(8)) == [t for t in against_party if t not in gwr_key]
    held = _terms(sens_m.group(4))
    assert _terms(sens_m.group(5)) == [t for t in held if term_kind(t) == "level"]
    assert _terms(sens_m.group(6)) == [t for t in held if term_kind(t) == "register"]
    assert "The speech is an excerpt" in text

    fam_m = re.search(r"the rule-of-law vocabulary — (\d+) of the speech's ([\d,]+) tokens against (\d+) of the reports' ([\d,]+), "
                      r"G² \+([\d.]+) — ranks above every single term \(`([^`]+)`\)", text)
    assert fam_m, text
    fresh = category_keyness(corpus, Dictionary.from_lexicon(corpus.segmenter.lexicon, categories=FAMILIES), "speech2025",
                             list(study.reference_ids)).set_index("category")
    for table in (fresh, *(t.set_index("category") for t in _committed(fam_m.group(6)))):
        row = table.loc["rule_of_law"]
        assert (int(fam_m.group(1)), _number(fam_m.group(2)), int(fam_m.group(3)), _number(fam_m.group(4))) == (
            row["n_target"], row["total_target"], row["n_reference"], row["total_reference"])
        assert float(fam_m.group(5)) == pytest.approx(row["g2"], abs=0.05) and row["rank_among_terms"] == 1
