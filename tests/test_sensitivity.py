"""Keyness under four segmentations (issue 19, item 2): the study lexicon, plus the target-only terms, no
lexicon (terms learned from the reference alone), and pkuseg; which key terms hold in all of them."""

import re
import warnings
from collections import Counter

import pytest

from analysis.study import distinctive, load_study_corpus, resolve
from analysis.study.robustness import SETTINGS, sensitivity, setting_corpus
from analysis.text.normalise import normalise
from analysis.tokens.segment import Segmenter, aligned


def test_aligned_keeps_every_character_a_segmenter_dropped():
    text = "推进 全面依法治国，\t建设法治中国"
    tokens = aligned(["推进", "全面依法治国", "，", "建设", "法治中国"], text)
    assert "".join(tokens) == text and tokens[1] == " " and tokens[4] == "\t"
    with pytest.raises(ValueError, match="not in the text"):
        aligned(["推进", "法治"], "推进依法")


def test_pkuseg_backend_uses_the_lexicon_and_keeps_the_text_whole():
    sentence = "我们加强公共法律服务体系建设，推进 全面依法治国。"
    seg = Segmenter(backend="pkuseg", cache=False)
    cut = seg.cut(sentence)
    assert "".join(cut) == sentence
    assert "公共法律服务体系" in cut and "全面依法治国" in cut
    with pytest.raises(ValueError, match="part-of-speech"):
        Segmenter(backend="pkuseg", pos=True)


@pytest.fixture(scope="module")
def speech_sensitivity():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        corpus = load_study_corpus()
        study = resolve(corpus, target="speech2025")
    key = distinctive.key_terms(corpus, study)
    return corpus, study, key, sensitivity(corpus, key)


def test_every_setting_is_run_with_the_studys_rule_and_the_table_says_what_each_found(speech_sensitivity):
    corpus, study, key, sens = speech_sensitivity
    assert sens.settings == list(SETTINGS)
    table = sens.table
    for s, result in sens.results.items():
        assert (result.min_count, result.alpha, result.min_units, result.n_boot) == (key.min_count, key.alpha,
                                                                                      key.min_units, key.n_boot)
        assert set(table.loc[table[f"key_{s}"], "term"]) == set(result.over["term"])
    assert set(table.loc[table["key_study"], "term"]) == set(key.over["term"])
    assert (table["holds"] == table[[f"key_{s}" for s in SETTINGS]].all(axis=1)).all()
    # the study column counts the study corpus's tokens of the target
    tokens = Counter(corpus.documents.loc[corpus.documents["doc_id"] == "speech2025", "tokens"].iloc[0])
    assert [tokens[t] for t in table["term"]] == table["n_study"].tolist()
    # the prose states the table's numbers
    text = sens.describe()
    m = re.search(r"Of the (\d+) terms key with the study lexicon, \*\*(\d+) are key in every setting\*\*", text)
    assert m and int(m.group(1)) == int(table["key_study"].sum()) and int(m.group(2)) == int(table["holds"].sum())
    for term in table.loc[table["holds"], "term"]:
        assert term in text


def test_the_opt_in_setting_makes_the_targets_own_wording_whole_and_no_lexicon_learns_from_the_reference(
        speech_sensitivity):
    corpus, study, key, sens = speech_sensitivity
    speech = normalise(corpus.docs.loc[corpus.docs["doc_id"] == "speech2025", "text"].iloc[0]).text
    opt_in = setting_corpus(corpus, study, "opt_in")
    target = lambda c: Counter(c.documents.loc[c.documents["doc_id"] == "speech2025", "tokens"].iloc[0])
    # 司法行政系统 is only in the opt-in list: one token per occurrence there, none in the study corpus
    assert speech.count("司法行政系统") >= 3
    assert target(opt_in)["司法行政系统"] == speech.count("司法行政系统") and target(corpus)["司法行政系统"] == 0
    # the same documents, the target and its reference only
    assert set(opt_in.documents["doc_id"]) == {"speech2025", *study.reference_ids}
    no_lex = setting_corpus(corpus, study, "no_lexicon")
    learned = no_lex.segmenter.lexicon.terms
    assert len(learned) > 20 and "司法行政系统" not in learned
    reference_text = "".join(normalise(t).text for t in corpus.docs.loc[corpus.docs["doc_id"].isin(study.reference_ids), "text"])
    assert all(term in reference_text for term in learned)  # every one of them learned from the reference


def test_another_target_is_named_as_itself():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        corpus = load_study_corpus()
        study = resolve(corpus, target="gwr2019")
    sens = sensitivity(corpus, distinctive.key_terms(corpus, study, n_boot=200))
    text = sens.describe()
    assert "gwr2019" in text and "speech" not in text
    assert set(sens.results["pkuseg"].table.columns) >= {"term", "n_target", "g2", "is_key"}
    assert sens.summary()["n_target_tokens"].gt(5_000).all()
    # no report holds an opt-in term (that is what makes them opt-in), so for a report they change nothing
    assert sens.results["opt_in"].over["term"].tolist() == sens.results["study"].over["term"].tolist()
    assert sens.summary()["n_target_tokens"][0] == sens.summary()["n_target_tokens"][1]


def test_short_text_inference_on_the_speech(speech_sensitivity):
    """The significant terms tested by a paragraph permutation and by Monroe et al.'s log-odds, recomputed here."""
    import math
    from analysis.stats.permutation import permutation_keyness
    from analysis.study.robustness import short_text
    corpus, study, key, _ = speech_sensitivity
    st = short_text(corpus, key, n_perm=999)
    t = st.table.set_index("term")
    sig = key.table[(key.table["p_adj"] < key.alpha) & (key.table["g2"] > 0)]
    assert set(t.index) == set(sig["term"]) and len(t) > 10
    # the log-odds z of each term, from the paper's equations (pooled prior, α0 = the target's tokens)
    nt, nr = key.n_target_tokens, key.n_reference_tokens
    docs = corpus.documents
    pooled = Counter(tok for toks in docs.loc[study.target_mask | study.reference_mask, "tokens"] for tok in toks)
    a0 = float(nt)
    assert st.alpha0 == a0
    for term, row in t.iterrows():
        yt, yr = row["n_target"], row["n_reference"]
        a = a0 * pooled[term] / (nt + nr)
        delta = math.log((yt + a) / (nt + a0 - yt - a)) - math.log((yr + a) / (nr + a0 - yr - a))
        assert row["delta"] == pytest.approx(delta, rel=1e-9)
        assert row["z"] == pytest.approx(delta / math.sqrt(1 / (yt + a) + 1 / (yr + a)), rel=1e-9)
    # the permutation p is the package's test run as stated: count statistic, 10 length classes, same seed
    perm = permutation_keyness(corpus.paragraphs_of(study.target_mask | study.reference_mask), ["speech2025"],
                               list(study.reference_ids), statistic="count", strata=10, n_perm=999, min_count=3,
                               min_target=1).set_index("term")
    assert t["p_perm"].tolist() == perm.loc[t.index, "p"].tolist()
    assert (t["p_perm"] >= 1 / 1000).all()
    assert (t["both"] == (t["p_perm_adj"] < 0.05) & (t["z"] > 1.96)).all()
    # the bootstrap over 19 paragraphs: (1 − 3/19)^19 = 3.8 % > 2.5 %, (1 − 4/19)^19 = 1.1 %: 4 paragraphs needed
    assert key.n_paragraphs == 19 and st.min_k == 4
    text = st.describe()
    m = re.search(r"Of the (\d+) terms G² calls significantly over-used .*?\), (\d+) keep p_adj < 0.05 .*?, (\d+) have a "
                  r"log-odds z above 1.96 .*?, and (\d+) pass both\. Of the (\d+) key terms, (\d+) pass both", text)
    assert m, text
    assert [int(g) for g in m.groups()] == [len(t), int(t["permutation"].sum()), int(t["log_odds"].sum()),
                                            int(t["both"].sum()), int(t["is_key"].sum()), int((t["is_key"] & t["both"]).sum())]
