"""Notebook 3's steps (analysis.study.distinctive) on the real study corpus: each table against the package
function it wraps or a count made here, and each describe() sentence parsed and compared with the table."""

from __future__ import annotations

import dataclasses
import re
from collections import Counter

import matplotlib
import pandas as pd
import pytest

from analysis.stats.keyness import key_terms, keyness
from analysis.study import distinctive
from analysis.study.params import resolve
from analysis.viz.save import figure_texts

matplotlib.use("agg")

N_BOOT = 200  # fewer replicates than the notebook's 1,000: the wiring is tested, not the bootstrap
SUBJECT = ["rule_of_law", "party_building"]
FAMILIES = ["rule_of_law", "party_building", "theory", "economy_policy", "numbered"]


def _terms(listing: str) -> list[str]:
    """'甲, 乙 and 丙' → ['甲', '乙', '丙'] (study.term_list's format)."""
    head, _, last = listing.strip().rpartition(" and ")
    return [t.strip() for t in head.split(",")] + [last.strip()] if head else [listing.strip()]


def _number(text: str) -> int:
    return int(text.replace(",", ""))


@pytest.fixture(scope="module")
def study(study_corpus):
    return resolve(study_corpus, target="speech2025")


@pytest.fixture(scope="module")
def key(study_corpus, study):
    return distinctive.key_terms(study_corpus, study, n_boot=N_BOOT)


def _caption(fig) -> str:
    texts = figure_texts(fig)
    matplotlib.pyplot.close(fig)
    return next(t for t in texts if "Filter:" in t)


def test_key_terms_table_is_the_packages(study_corpus, study, key):
    docs = study_corpus.documents
    fresh = keyness(docs, study.target_mask, study.reference_mask, min_target=0, min_count=3, units=study_corpus.paragraphs,
                    n_boot=N_BOOT, random_state=0)
    pd.testing.assert_frame_equal(key.table.drop(columns=["log_ratio_shown", "kind"]), fresh)
    assert key.over["term"].tolist() == key_terms(fresh, 10_000)["term"].tolist()
    assert key.under["term"].tolist() == key_terms(fresh, 10_000, direction="under")["term"].tolist()
    assert key.n_target_tokens == len(docs.set_index("doc_id").loc["speech2025", "tokens"])
    assert key.n_paragraphs == int((study_corpus.paragraphs["doc_id"] == "speech2025").sum())
    shown = key.shown()
    assert list(shown.columns) == distinctive.KEY_COLUMNS
    assert shown["term"].tolist() == key.over["term"].head(20).tolist() + key.under["term"].head(10).tolist()
    assert f"bootstrap resamples of the target's {key.n_paragraphs} paragraphs" in key.rule


def test_key_terms_sentence(study_corpus, key):
    text = key.describe()
    table = key.table
    m = re.search(r"Of ([\d,]+) terms tested, (\d+) are significantly over-used \(p_adj < 0\.05\); (\d+) of them are key: "
                  r"([^.(]+)", text)
    assert m, text
    assert _number(m.group(1)) == len(table)
    assert int(m.group(2)) == int(((table["p_adj"] < 0.05) & (table["g2"] > 0)).sum())
    rule = (table["p_adj"] < 0.05) & (table["g2"] > 0) & (table["lr_ci_low"] > 0) & (table["n_units_target"] >= 2)
    assert int(m.group(3)) == int(rule.sum()) == len(key.over)
    assert _terms(m.group(4)) == key.over["term"].head(10).tolist()
    n_bounds = int((key.over["lr_bound"] == "lower bound").sum())
    assert (f"{n_bounds} key term(s) never occur in the reference" in text) == (n_bounds > 0)
    caption = _caption(key.plot(15))
    assert caption.startswith(f"Target: {key.study.label}, {key.n_target_tokens:,} tokens; reference: ")
    assert caption.endswith(f"Filter: {study_corpus.filter.name}.")


def test_no_term_is_key_sentence(key):
    none = dataclasses.replace(key, over=key.over.iloc[:0], under=key.under.iloc[:0])
    text = none.describe()
    n_sig = int((key.table["p_adj"] < 0.05).sum())
    assert text.startswith("**No term is key.**") and f"{n_sig} reach p_adj < 0.05" in text
    m = re.search(r"at least 3 times are ([^;]+); the smallest p_adj is", text)
    top = key.table[key.table["n_target"] >= 3].sort_values(["log_ratio", "term"], ascending=[False, True]).head(10)
    assert _terms(m.group(1)) == top["term"].tolist()


def test_comparison_cloud(key):
    m = re.search(r"key for speech2025 \((\d+) shown\), blue ones for the reference \((\d+) shown\)", key.describe_cloud())
    assert int(m.group(1)) == min(len(key.over), 40) and int(m.group(2)) == min(len(key.under), 40)
    assert len(key.cloud_table()) == int(m.group(1)) + int(m.group(2))
    assert "Only key terms are shown." in _caption(key.plot_cloud())


def test_survival_sentence(study_corpus, key):
    survival = distinctive.survival(study_corpus, key, min_repeat=30)
    table = survival.table
    assert len(table) and list(survival.shown().columns) == survival.COLUMNS
    text = survival.describe()
    m = re.search(r"\*\*(\d+) of the (\d+) terms significantly over-used by G² survive every check\*\*(?:: ([^.]+))?\.", text)
    assert m, text
    assert int(m.group(1)) == int(table["all"].sum()) and int(m.group(2)) == len(table)
    assert (_terms(m.group(3)) if m.group(3) else []) == table.loc[table["all"], "term"].tolist()
    for check, words in survival.checks.items():
        assert f"{words} keeps {int(table[check].sum())} of {len(table)}" in text
    assert f"removed {len(table.attrs['repeats'])} later cop(ies)" in text
    lost = (~table["all"]).sum()
    assert (" Lost: " in text) == bool(lost)
    empty = dataclasses.replace(survival, table=table.iloc[:0])
    assert empty.describe().startswith("**No term to check.**")


def test_like_for_like_sentence(study_corpus, key):
    like = distinctive.like_for_like(study_corpus, key, SUBJECT)
    table = like.table
    assert (table["total_target"] == key.n_target_tokens).all()
    assert set(table.loc[table["key_whole"], "term"]) == set(key.over["term"])
    assert set(table.loc[table["key_subject"], "term"]) == set(like.subject_key.over["term"])
    text = like.describe()
    m = re.search(r"keeps ([\d,]+) of the reference's ([\d,]+) paragraphs \(([\d,]+) of ([\d,]+) tokens\)", text)
    attrs = like.reference.attrs
    assert _number(m.group(1)) == attrs["n_paragraphs"] < _number(m.group(2)) == attrs["n_paragraphs_all"]
    assert _number(m.group(3)) == like.reference["n_tokens"].sum()
    assert (f"Against it {len(like.subject_key.over)} term(s) are key for speech2025, against the whole reference "
            f"{len(key.over)}.") in text
    content = table.loc[table["key_whole"] & table["key_subject"], "term"].tolist()
    both = re.search(r"\*\*(\d+) key against both\*\*[^:.]*(?:: ([^.]+))?\.", text)
    assert int(both.group(1)) == len(content) and (_terms(both.group(2)) if both.group(2) else []) == content
    # the level and register terms among them, by the fixed rule, are named (no example terms from elsewhere)
    from analysis.lexicon.register import term_kind
    level = [t for t in content if term_kind(t) == "level"]
    register = [t for t in content if term_kind(t) == "register"]
    kinds = re.search(r"among the terms key against both, (.+?) names? the speaker's level and (.+?) belongs? to the "
                      r"genre's register", text)
    assert kinds and _terms(kinds.group(1)) == level and _terms(kinds.group(2)) == register and level and register, text
    assert "同志们" not in text
    fig = like.plot(15)
    assert "(b) against its passages on rule of law and Party building" in figure_texts(fig)
    assert f"{like.reference['n_tokens'].sum():,} tokens (paragraphs using" in _caption(fig)


def test_like_for_like_without_subject_says_why(study_corpus, key):
    like = distinctive.like_for_like(study_corpus, key, [])
    assert like.table is None and like.describe() == "**No like-for-like reference:** no terms to select paragraphs by."


def test_families_sentence(study_corpus, study, key):
    family = distinctive.families(study_corpus, key, FAMILIES)
    table = family.table
    assert set(table["category"]) == set(FAMILIES) and len(table) == len(FAMILIES)
    docs = study_corpus.documents.set_index("doc_id")
    tokens = Counter(docs.loc["speech2025", "tokens"])
    text = family.describe()
    for row in table.itertuples():
        members = set(study_corpus.segmenter.lexicon.category(row.category))
        assert row.n_target == sum(n for t, n in tokens.items() if t in members)  # counted here
        m = re.search(rf"\*{row.category}\*: (\d+) occurrence\(s\) in speech2025 \([\d.]+ per 10,000\) against ([\d,]+) in the "
                      rf"reference \([\d.]+\); G² ([+−-][\d.]+)", text)
        assert int(m.group(1)) == row.n_target and _number(m.group(2)) == row.n_reference
        assert float(m.group(3)) == pytest.approx(row.g2, abs=0.05)
    n_sig = re.search(r"(\d+) of (\d+) families differ significantly", text)
    assert int(n_sig.group(1)) == int((table["p_adj"] < 0.05).sum()) and int(n_sig.group(2)) == len(table)
    assert f"over the {len(table)} families" in _caption(family.plot())


def test_nested_sentence(study_corpus, study, key):
    nested = distinctive.nested(study_corpus, key)
    table = nested.table
    assert (table["hidden"] > 0).all() and table["hidden"].is_monotonic_decreasing
    text = nested.describe()
    m = re.search(r"Counted as a token, (\S+) occurs (\d+) time\(s\) in speech2025 and ([\d,]+) in the reference .*?inside "
                  r"longer formulations it occurs (\d+) and ([\d,]+) time\(s\).*?staying ([\d,]+)\. (\d+) terms", text)
    assert m, text
    docs = study_corpus.documents.set_index("doc_id")
    assert (m.group(1), m.group(2), m.group(4)) == ("发展", "2", "7")  # hand-counted: 7 发展, 5 inside 高质量发展
    assert int(m.group(2)) == docs.loc["speech2025", "tokens"].count("发展")
    assert _number(m.group(3)) == sum(docs.loc[r, "tokens"].count("发展") for r in study.reference_ids)
    row = table.set_index("term").loc["发展"]
    assert int(m.group(4)) == row["n_target_nested"] and _number(m.group(5)) == row["n_reference_nested"]
    assert _number(m.group(6)) == key.n_target_tokens and int(m.group(7)) == len(table)


def test_tfidf_sentence(study_corpus, study, key):
    scores = distinctive.tfidf(study_corpus, key)
    table = scores.table
    assert len(table) == 20 and (table["group"] == "speech2025").all() and not table["ubiquitous"].any()
    docs = study_corpus.documents[study.target_mask | study.reference_mask]
    every = set.intersection(*(set(t) for t in docs["tokens"]))
    assert set(scores.ubiquitous["term"]) == every & set(docs.loc[docs["doc_id"] == "speech2025", "tokens"].iloc[0])
    text = scores.describe()
    assert f"how few of the {len(docs)} documents use it" in text and f"the {len(every)} such terms of the target" in text
    both = set(table["term"].head(10)) & set(key.over["term"].head(20))
    m = re.search(r"Of the ten highest TF-IDF terms, (\w+) (?:is|are) also among the 20 strongest key terms", text)
    assert m.group(1) == (str(len(both)) if both else "none")
    assert f"the {len(every)} terms of the target present in every one of them are left out" in _caption(scores.plot())


def test_by_section_sentence(study_corpus, study, key):
    sections = distinctive.by_section(study_corpus, key)
    assert sum(sections.sizes.values()) == key.n_target_tokens
    assert set(sections.table["term"]) == set(sections.terms) and set(sections.table["section"]) <= set(sections.sizes)
    for part, top in zip(sections.sections["doc_id"], sections.top):
        fresh = key_terms(sections.per_section[sections.per_section["section"] == part], sections.per_part)
        assert top["term"].tolist() == fresh["term"].tolist()
    text = sections.describe()
    m = re.search(r"Columns are the (\d+) parts of the speech in reading order, each headed by its size in tokens \(([^)]+)\)", text)
    assert int(m.group(1)) == len(sections.sizes)
    assert [_number(p.rsplit(": ", 1)[1]) for p in m.group(2).split(", ")] == list(sections.sizes.values())
    for part, top in zip(sections.sections["doc_id"], sections.top):
        listed = re.search(rf"\*{re.escape(part)}\*: ([^.]+)\.", text).group(1)
        assert (_terms(listed) if len(top) else listed) == (top["term"].tolist() if len(top) else "no significant term")
    fig = sections.plot()
    assert fig is not None and f"{key.target_tokens} in all." in _caption(fig)
    assert distinctive.by_section_intro(study).startswith("## Keyness by section\n\nEach top-level part of the speech ")


def test_words_follow_another_target(study_corpus):
    """For a report as target, the sentences name it and never "the speech"."""
    study = resolve(study_corpus, target="gwr2019")
    key = distinctive.key_terms(study_corpus, study, n_boot=50)
    naming = [key.describe_cloud(), distinctive.by_section_intro(study), distinctive.nested(study_corpus, key).describe(),
              distinctive.families(study_corpus, key, FAMILIES).describe()]
    assert all("gwr2019" in t or "the 2019 Government Work Report" in t for t in naming), naming
    texts = naming + [key.describe(), key.caption]
    assert not [t for t in texts if re.search(r"speech|讲话", t)]
    assert "(gwr2019), " in key.target_tokens and "2009–2018" in key.caption


def _g2(a: float, b: float, c: float, d: float) -> float:
    """Dunning's G² of a term with a of c target tokens and b of d reference tokens, signed, computed here
    with scipy's power-divergence (lambda_='log-likelihood') rather than the package's own formula."""
    from scipy.stats import power_divergence
    observed = [[a, b], [c - a, d - b]]
    expected = [[(a + b) * c / (c + d), (a + b) * d / (c + d)], [(c + d - a - b) * c / (c + d), (c + d - a - b) * d / (c + d)]]
    g2 = power_divergence(sum(observed, []), sum(expected, []), lambda_="log-likelihood").statistic
    return g2 if a / c >= b / d else -g2


def test_like_for_like_and_nested_tables_carry_the_totals_to_recompute_them(study_corpus, key):
    """Issue 19: every keyness-derived table states the totals it was computed from."""
    like = distinctive.like_for_like(study_corpus, key, SUBJECT).table
    assert (like["total_reference_whole"] == key.table["total_reference"].iloc[0]).all()
    assert (like["total_reference_subject"] < like["total_reference_whole"]).all()
    tested = like.dropna(subset=["g2_whole", "g2_subject"])
    assert len(tested) >= 5 and len(nested_rows := distinctive.nested(study_corpus, key).table) >= 5
    for _, r in tested.head(5).iterrows():
        assert r["g2_whole"] == pytest.approx(_g2(r["n_target"], r["n_reference_whole"], r["total_target"],
                                                  r["total_reference_whole"]), rel=1e-9)
        assert r["g2_subject"] == pytest.approx(_g2(r["n_target"], r["n_reference_subject"], r["total_target"],
                                                    r["total_reference_subject"]), rel=1e-9)
    for _, r in nested_rows.head(5).iterrows():
        assert r["g2_nested"] == pytest.approx(_g2(r["n_target_nested"], r["n_reference_nested"], r["total_target"],
                                                   r["total_reference"]), rel=1e-9)
        if pd.notna(r["g2_token"]):
            assert r["g2_token"] == pytest.approx(_g2(r["n_target_token"], r["n_reference_token"],
                                                      r["total_target_token"], r["total_reference_token"]), rel=1e-9)
