"""Whether the key terms hold up (issue 19): :func:`sensitivity` — the study's keyness rule run again on the
target and its reference segmented four ways — and :func:`short_text` — the significant terms tested by a
paragraph permutation test and by log-odds with an informative prior, which suit a short target better than
asymptotic G² and a percentile bootstrap over a few paragraphs.

The four segmentations of :func:`sensitivity`:

* ``study`` — the study corpus as the notebooks segment it: jieba, the default lexicon (terms
  attested in a reference document, :mod:`analysis.lexicon.provenance`) and the terms learned from
  the whole corpus;
* ``opt_in`` — the same plus the opt-in list (terms only the target or no document attests):
  what a lexicon written while reading the target would add;
* ``no_lexicon`` — jieba with no hand-made lexicon, only the terms learned from the reference
  documents alone (nothing the target says can shape its own segmentation);
* ``pkuseg`` — a second segmenter (pkuseg's own model) with the study's lexicon as its dictionary.

The rule (measure, minimum count, α, bootstrap, minimum paragraphs) and the token filter are the
study's, so a term that is key in one setting and not in another is key because of the
segmentation.  ``holds`` marks the terms key in every setting: the findings that do not depend on
the lexicon or the segmenter.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass

import pandas as pd

from .distinctive import KeyTerms, key_terms
from .wording import term_list

@dataclass(frozen=True)
class Setting:
    """How one segmentation is named: ``label`` (a table column), ``description`` (the summary table),
    ``phrase`` (the prose's list of settings) and ``with_`` ("Not key <with_>: …")."""

    label: str
    description: str
    phrase: str = ""
    with_: str = ""


SETTING_NAMES = {
    "study": Setting("study lexicon", "jieba with the default lexicon (terms attested in a reference document) and the "
                     "terms learned from the corpus"),
    "opt_in": Setting("with target-only terms", "the same plus the opt-in list (terms only the target or no document attests)",
                      "with the target-only terms added to the lexicon (the opt-in list)", "with the target-only terms"),
    "no_lexicon": Setting("no lexicon", "jieba with no hand-made lexicon, only terms learned from the reference documents alone",
                          "with no hand-made lexicon (jieba and the terms learned from the reference documents alone)",
                          "without a lexicon"),
    "pkuseg": Setting("pkuseg", "pkuseg's own model with the study's lexicon as its dictionary",
                      "with pkuseg (its own model, the study's lexicon as its dictionary)", "with pkuseg"),
}
SETTINGS = tuple(SETTING_NAMES)


def _listed(terms, limit: int, more: str = "more") -> str:
    """'甲, 乙 and 丙' of the first ``limit`` terms, with '(n more)' when there are others."""
    terms = list(terms)
    return term_list(terms, limit) + (f" ({len(terms) - limit} {more})" if len(terms) > limit else "")


def setting_corpus(corpus, study, setting: str):
    """The target and reference documents of ``study`` segmented as ``setting`` says (a ``SegmentedCorpus``)."""
    from ..lexicon.provenance import OPT_IN_FILE
    from ..lexicon.terms import Lexicon
    from ..tokens.learn import as_lexicon, learned_table
    from ..tokens.pipeline import STUDY_LEARN, SegmentedCorpus
    from ..tokens.segment import Segmenter, segmented_documents
    if setting not in SETTINGS:
        raise ValueError(f"unknown setting {setting!r}; choose from {SETTINGS}")
    if setting == "study":
        return corpus
    ids = set(corpus.documents.loc[study.target_mask | study.reference_mask, "doc_id"])
    docs = corpus.docs[corpus.docs["doc_id"].isin(ids)].reset_index(drop=True)
    base_filter = dataclasses.replace(corpus.segmenter.filter, protected=frozenset())
    lexicon, backend = corpus.segmenter.lexicon, "rjieba"
    if setting == "opt_in":
        lexicon = lexicon + Lexicon.read(OPT_IN_FILE)
    elif setting == "no_lexicon":
        reference_texts = list(docs.loc[docs["doc_id"].isin(study.reference_ids), "text"])
        lexicon = as_lexicon(learned_table(reference_texts, Lexicon.load(builtin=False), **STUDY_LEARN)[0])
    else:
        backend = "pkuseg"
    segmenter = Segmenter(lexicon, backend=backend, filter=base_filter, n_jobs=1)
    paragraphs = segmenter.segment(docs, progress=False)
    return SegmentedCorpus(docs, paragraphs, segmented_documents(paragraphs), segmenter)


@dataclass
class Sensitivity:
    """Keyness of one target under each segmentation setting: ``table`` one row per term key in at least one
    setting (``key_<setting>``: key there; ``n_<setting>``: its count in the target there; ``n_key_settings``;
    ``holds``: key in every setting), ``results`` each setting's :class:`KeyTerms`."""

    table: pd.DataFrame
    results: dict[str, KeyTerms]
    key: KeyTerms

    @property
    def settings(self) -> list[str]:
        return list(self.results)

    def summary(self) -> pd.DataFrame:
        """Per setting: tokens of the target and the reference, terms tested, significant and key terms."""
        return pd.DataFrame([{"setting": SETTING_NAMES[s].label, "segmentation": SETTING_NAMES[s].description,
                              "n_target_tokens": r.n_target_tokens, "n_reference_tokens": r.n_reference_tokens,
                              "n_tested": len(r.table), "n_significant_over": len(r.significant_over),
                              "n_key_over": len(r.over)} for s, r in self.results.items()])

    def shown(self) -> pd.DataFrame:
        """The table as read: one column per setting, 'key (n)' or the count alone ('–' when never a token)."""
        rows = {"term": self.table["term"]}
        for s in self.settings:
            rows[SETTING_NAMES[s].label] = [f"key ({n})" if k else (str(n) if n else "–")
                               for k, n in zip(self.table[f"key_{s}"], self.table[f"n_{s}"])]
        rows["key in"] = [f"{k} of {len(self.settings)}" for k in self.table["n_key_settings"]]
        return pd.DataFrame(rows)

    def describe(self) -> str:
        study, table, settings = self.key.study, self.table, self.settings
        base = table[table["key_study"]]
        holds = base[base["holds"]]
        lost = {s: base.loc[~base[f"key_{s}"], "term"].tolist() for s in settings if s != "study"}
        gained = {s: table.loc[table[f"key_{s}"] & ~table["key_study"], "term"].tolist() for s in settings if s != "study"}
        text = (f"**Sensitivity to segmentation.** The study's rule was run again on {study.short_label} and its reference "
                f"cut into words {len(settings) - 1} other way{'s' if len(settings) != 2 else ''}: "
                + "; ".join(SETTING_NAMES[s].phrase for s in settings if s != "study") + ". "
                f"Of the {len(base)} terms key with the study lexicon, **{len(holds)} are key in every setting**"
                + (f": {_listed(holds['term'], 12, 'more in the table')}" if len(holds) else "") + ". ")
        for s in lost:
            if lost[s]:
                text += f"Not key {SETTING_NAMES[s].with_}: {_listed(lost[s], 8)}. "
        for s in gained:
            if gained[s]:
                text += f"Key only {SETTING_NAMES[s].with_} (not with the study lexicon): {_listed(gained[s], 8)}. "
        return text + ("Only the terms key in every setting are findings that do not depend on how the text was cut into "
                       "words; a dash in the table marks a term that is never one token in that setting (cut into parts, "
                       "or inside a longer token), so it cannot be key there as a whole.")


def _target_counts(corpus, target: str) -> Counter:
    """Token counts of the target document in ``corpus`` (after the corpus's filter)."""
    tokens = corpus.documents.loc[corpus.documents["doc_id"] == target, "tokens"]
    return Counter(t for doc in tokens for t in doc)


def sensitivity(corpus, key: KeyTerms, settings=SETTINGS) -> Sensitivity:
    """The study's keyness rule (``key``'s parameters) under each of ``settings`` (:data:`SETTINGS`; ``study`` is
    ``key`` itself), and which over-used key terms hold in all of them."""
    settings = list(dict.fromkeys(["study", *settings]))
    study = key.study
    results, counts = {"study": key}, {"study": _target_counts(corpus, study.target)}
    for s in settings[1:]:
        sub = setting_corpus(corpus, study, s)
        counts[s] = _target_counts(sub, study.target)
        docs = sub.documents
        sub_study = dataclasses.replace(study, target_mask=(docs["doc_id"] == study.target).to_numpy(),
                                        reference_mask=docs["doc_id"].isin(study.reference_ids).to_numpy())
        results[s] = key_terms(sub, sub_study, measure=key.measure, min_count=key.min_count, alpha=key.alpha,
                               min_units=key.min_units, n_boot=key.n_boot, seed=key.seed)
    terms = list(dict.fromkeys(t for r in results.values() for t in r.over["term"]))
    table = pd.DataFrame({"term": terms})
    for s, r in results.items():
        table[f"key_{s}"] = table["term"].isin(r.over["term"])
        table[f"n_{s}"] = [counts[s].get(t, 0) for t in terms]
    table["n_key_settings"] = table[[f"key_{s}" for s in results]].sum(axis=1).astype(int)
    table["holds"] = table["n_key_settings"] == len(results)
    table = table.sort_values(["n_key_settings", "key_study", "n_study"], ascending=False, kind="stable").reset_index(drop=True)
    return Sensitivity(table, results, key)


# ------------------------------------------------------------------ inference that fits a short text

@dataclass
class ShortText:
    """The terms G² calls significantly over-used, tested two more ways that suit a short target: a paragraph
    permutation test (:func:`analysis.stats.permutation.permutation_keyness`, the count statistic within length
    classes) and Monroe et al.'s log-odds with an informative Dirichlet prior
    (:func:`analysis.stats.logodds.log_odds_table`); with what the bootstrap over the target's paragraphs can
    resolve (:func:`analysis.stats.permutation.bootstrap_resolution`)."""

    table: pd.DataFrame
    key: KeyTerms
    n_perm: int
    strata: int
    z: float
    alpha0: float
    min_k: int
    resolution: str

    COLUMNS = ["term", "n_target", "n_reference", "n_units_target", "g2", "p_adj", "is_key", "p_perm", "p_perm_adj",
               "delta", "z", "permutation", "log_odds", "both"]

    def shown(self) -> pd.DataFrame:
        return self.table[self.COLUMNS]

    def describe(self) -> str:
        t, key = self.table, self.key
        if t.empty:
            return (f"**No term to test.** G² finds no term of {key.study.label} significantly over-used, so neither "
                    "the permutation test nor the log-odds have anything to confirm.")
        keyed = t[t["is_key"]]
        held = keyed[keyed["both"]]
        only_g2 = t[~t["permutation"] & ~t["log_odds"]]
        return (f"**Inference for a short text.** Of the {len(t)} terms G² calls significantly over-used (p_adj < {key.alpha}, "
                f"at least {key.min_count} occurrences in target and reference together), {int(t['permutation'].sum())} keep "
                f"p_adj < {key.alpha} when the target's {key.n_paragraphs} paragraphs are permuted among the pool's "
                f"({self.n_perm:,} permutations within {self.strata} length classes, count statistic, Benjamini–Hochberg), "
                f"{int(t['log_odds'].sum())} have a log-odds z above {self.z:g} with an informative Dirichlet prior "
                f"(Monroe et al. 2008; prior: target and reference pooled, α₀ = {self.alpha0:,.0f} tokens), and "
                f"{int(t['both'].sum())} pass both. Of the {len(keyed)} key terms, {len(held)} pass both"
                + (f"; not: {_listed(keyed.loc[~keyed['both'], 'term'], 8)}" if len(held) < len(keyed) else "") + ". "
                + (f"Significant by G² alone: {_listed(only_g2['term'], 8)}. " if len(only_g2) else "")
                + f"**What the bootstrap can resolve.** {self.resolution} Below {self.min_k} paragraphs its verdict is "
                "therefore a dispersion cut-off more than an estimate; the permutation test has no such floor, but a term "
                "in one paragraph can reach at best about the share of the pool's paragraphs that one paragraph is.")


def short_text(corpus, key: KeyTerms, *, n_perm: int = 9999, strata: int = 10, z: float = 1.96,
               alpha0: float | None = None) -> ShortText:
    """:class:`ShortText` for the terms ``key`` finds significantly over-used."""
    from ..stats.logodds import log_odds_table
    from ..stats.permutation import bootstrap_resolution, permutation_keyness
    study = key.study
    sig = key.significant_over
    paras = corpus.paragraphs_of(study.target_mask | study.reference_mask)
    target_ids = list(corpus.documents.loc[study.target_mask, "doc_id"])
    perm = permutation_keyness(paras, target_ids, list(study.reference_ids), statistic="count", strata=strata,
                               n_perm=n_perm, random_state=key.seed, min_count=key.min_count, min_target=1)
    odds = log_odds_table(corpus.documents, study.target_mask, study.reference_mask, alpha0=alpha0, min_count=key.min_count)
    perm, odds = perm.set_index("term"), odds.set_index("term")
    table = sig[["term", "n_target", "n_reference", "n_units_target", "g2", "p_adj", "is_key"]].copy()
    table["is_key"] = table["is_key"].fillna(False).astype(bool)
    table["p_perm"] = table["term"].map(perm["p"]).to_numpy()
    table["p_perm_adj"] = table["term"].map(perm["p_adj"]).to_numpy()
    table["delta"] = table["term"].map(odds["delta"]).to_numpy()
    table["z"] = table["term"].map(odds["z"]).to_numpy()
    table["permutation"] = table["p_perm_adj"] < key.alpha
    table["log_odds"] = table["z"] > z
    table["both"] = table["permutation"] & table["log_odds"]
    table = table.reset_index(drop=True)
    table.attrs.update(n_perm=n_perm, strata=strata, total_quantile=perm.attrs.get("total_quantile"))
    n = key.n_paragraphs
    res = bootstrap_resolution(min(key.min_units, n), n)
    return ShortText(table, key, n_perm, strata, z, float(odds.attrs.get("alpha0", key.n_target_tokens)), res.min_k,
                     res.describe())
