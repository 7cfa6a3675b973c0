"""Notebook 3's steps: what is distinctive about the target against its reference — key terms
(keyness with the study's rule), whether they survive, like for like, families of terms, nested
counting, TF-IDF and keyness by section.

The first step, :func:`key_terms`, runs keyness with the study's rule and keeps its parameters;
every later step takes its result (``key``), so that all of them test with one rule and word it the
same way.  Each step returns its table(s), ``plot()`` (caption included) and ``describe()``, the
paragraph the notebook shows, worded from the table.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..errors import InputError
from ..lexicon.terms import category_label
from ..lexicon.register import kinds
from ..stats.keyness import key_terms as select_key_terms
from ..stats.keyness import keyness
from ..viz.keyness import plot_family_keyness, plot_key_terms
from .params import StudyParams
from .wording import filter_note, kinds_clause, lr_text, term_list

# The columns of the key-terms table the notebook shows.
KEY_COLUMNS = ["term", "kind", "n_target", "n_reference", "per_10k_target", "per_10k_reference", "n_units_target", "dp", "g2",
               "p_method", "p_adj", "log_ratio_shown", "lr_ci_low", "lr_ci_high", "p_boot", "is_key", "ref_docs",
               "first_year_ref", "last_year_ref"]


# ------------------------------------------------------------------ key terms

@dataclass
class KeyTerms:
    """Keyness of the target against its reference with the study's rule (:func:`analysis.stats.keyness.keyness`
    with the paragraph bootstrap): ``table`` every term tested (with ``log_ratio_shown``), ``over`` and
    ``under`` the terms called key (:func:`analysis.stats.keyness.key_terms`), and the rule's parameters."""

    table: pd.DataFrame
    over: pd.DataFrame
    under: pd.DataFrame
    study: StudyParams
    measure: str
    min_count: int
    alpha: float
    min_units: int
    n_boot: int
    seed: int
    n_target_tokens: int
    n_reference_tokens: int
    n_paragraphs: int
    filter_note: str

    @property
    def measure_name(self) -> str:
        from ..viz.style import MEASURE_NAMES
        return MEASURE_NAMES[self.measure]

    @property
    def target_tokens(self) -> str:
        """'Target: <label>, <n> tokens': how every caption of the notebook names the target."""
        return f"Target: {self.study.label}, {self.n_target_tokens:,} tokens"

    @property
    def rule(self) -> str:
        """The keyness rule, as stated in the captions."""
        return (f"{self.measure_name} (Fisher's exact test where an expected count is below 5), Benjamini–Hochberg p_adj < "
                f"{self.alpha}; key: also a 95% interval of Log Ratio from {self.n_boot:,} bootstrap resamples of the target's "
                f"{self.n_paragraphs} paragraphs excluding 0 and, for over-use, at least {self.min_units} paragraphs; terms "
                f"occurring at least {self.min_count} times in target and reference together.")

    @property
    def caption(self) -> str:
        return (f"{self.target_tokens}; reference: {self.study.reference_label}, {self.n_reference_tokens:,} tokens. "
                f"{self.rule}")

    def shown(self, n_over: int = 20, n_under: int = 10) -> pd.DataFrame:
        """The strongest ``n_over`` over-used and ``n_under`` under-used key terms, in :data:`KEY_COLUMNS`."""
        rows = pd.concat([self.over.head(n_over), self.under.head(n_under)])
        return rows.assign(log_ratio_shown=[lr_text(r) for r in rows.itertuples()])[KEY_COLUMNS]

    def plot(self, n: int = 15):
        """Log Ratio with its bootstrap interval of the ``n`` strongest key terms each way (:func:`plot_key_terms`)."""
        from ..viz.style import add_caption
        study = self.study
        ax = plot_key_terms(self.table, n, alpha=self.alpha, min_units=self.min_units, target_label=study.short_label,
                            reference_label=study.reference_short,
                            title=f"Key terms of {study.short_label} against {study.reference_short}")
        add_caption(ax.figure, self.caption + " Annotation: Log Ratio (≥: a lower bound, the reference never uses the term) "
                    "[95% bootstrap interval] · G² · count in target/reference · paragraphs of the target using it (¶). "
                    f"Equal {self.measure_name} ordered by term. " + self.filter_note)
        return ax.figure

    @property
    def significant(self) -> pd.DataFrame:
        """Every term with p_adj < alpha, either direction."""
        return self.table[self.table["p_adj"] < self.alpha]

    @property
    def significant_over(self) -> pd.DataFrame:
        """The significantly over-used terms (p_adj < alpha, measure > 0)."""
        return self.significant[self.significant[self.measure] > 0]

    def describe(self) -> str:
        key, over, under, study, alpha, min_units = self.table, self.over, self.under, self.study, self.alpha, self.min_units
        significant = self.significant
        sig_over = self.significant_over
        not_key = sig_over[~sig_over["term"].isin(over["term"])]
        one_paragraph = not_key[not_key["n_units_target"] < min_units]
        ci_zero = not_key[(not_key["n_units_target"] >= min_units) & ~(not_key["lr_ci_low"] > 0)]
        bounds = over[over["lr_bound"] == "lower bound"]
        if over.empty and under.empty:
            by_ratio = key[key["n_target"] >= self.min_count].sort_values(["log_ratio", "term"], ascending=[False, True]).head(10)
            return (f"**No term is key.** Of {len(key):,} terms tested, {len(significant)} reach p_adj < {alpha} and none passes "
                    f"the whole rule (bootstrap interval excluding 0, at least {min_units} paragraphs): the vocabulary of "
                    f"{study.label} is that of the {study.reference_label}. For orientation only (not key), the terms with the "
                    f"largest Log Ratio among those the target uses at least {self.min_count} times are "
                    f"{term_list(by_ratio['term'])}; the smallest p_adj is {key['p_adj'].min():.2g}.")
        return (f"**How to read it.** Each dot is a key term's Log Ratio, the bar its 95% paragraph-bootstrap interval; the "
                f"annotation gives the counts. Of {len(key):,} terms tested, {len(sig_over)} are significantly over-used "
                + (f"(p_adj < {alpha}); {len(over)} of them are key: {term_list(over['term'], 10)}"
                   + (f" ({len(over) - 10} more in the table)" if len(over) > 10 else "") + ". " if len(over) else
                   f"(p_adj < {alpha}) and **no term is key for {study.short_label}**. ")
                + (f"{len(not_key)} significant term(s) are not called key: " if len(not_key) else "")
                + (f"{term_list(one_paragraph['term'], 6)} occur(s) in a single paragraph; " if len(one_paragraph) else "")
                + (f"the bootstrap interval of {term_list(ci_zero['term'], 6)} reaches 0 — their counts rest on few paragraphs. "
                   if len(ci_zero) else "")
                + (f"{len(bounds)} key term(s) never occur in the reference ({term_list(bounds['term'], 5)}): their Log Ratio "
                   "is a lower bound (≥), compare them by their counts. " if len(bounds) else "")
                + (f"{len(under)} term(s) are key for the reference (under-used): {term_list(under['term'], 8)}." if len(under)
                   else "No term is key for the reference: the target is too short for an absence to pass the rule."))

    def by_kind(self) -> pd.DataFrame:
        """The over-used key terms by kind (:mod:`analysis.lexicon.register`): level, register, content."""
        over = self.over
        return pd.DataFrame([{"kind": k, "n_key_over": int((over["kind"] == k).sum()),
                              "terms": "、".join(over.loc[over["kind"] == k, "term"])} for k in ("level", "register", "content")])

    def describe_kinds(self) -> str:
        """Which key terms mark the speaker's level or the meeting's register rather than content."""
        over = self.over
        if over.empty:
            return ""
        level, register, content = (over.loc[over["kind"] == k, "term"] for k in ("level", "register", "content"))
        verb = lambda n, one, many: one if n == 1 else many  # noqa: E731
        return (f"**Level and register apart from content.** Of the {len(over)} over-used key terms, {len(level)} "
                + verb(len(level), "names", "name") + " an administrative level or its organs"
                + (f" ({term_list(level)})" if len(level) else "") + f" and {len(register)} "
                + verb(len(register), "belongs", "belong") + " to the genre's register of address and exhortation"
                + (f" ({term_list(register)})" if len(register) else "")
                + ". The kinds come from rules on the word's form and the package's genre list (`analysis.lexicon.register`), "
                "the same for every target: such terms say who speaks and at what kind of meeting, which a reference of "
                f"another level or genre cannot share. {len(content)} " + verb(len(content), "is a content term", "are content terms")
                + (f": {term_list(content, 12)}." if len(content) else "."))

    # the comparison cloud: the key terms as a picture
    def cloud_table(self, n: int = 40) -> pd.DataFrame:
        """The ``n`` strongest key terms each way; once the cloud is drawn, those it holds (legible ones)."""
        table, drawn = pd.concat([self.over.head(n), self.under.head(n)]), getattr(self, "cloud_terms", None)
        return table if drawn is None else table[table["term"].isin(drawn)]

    def plot_cloud(self, n: int = 40):
        from ..viz.frequency import plot_comparison_cloud
        from ..viz.style import add_caption
        is_key = self.table["is_key"].fillna(False).to_numpy(dtype=bool)
        ax = plot_comparison_cloud(self.table[is_key], n=n, alpha=self.alpha, seed=self.seed, target_label=self.study.short_label,
                                   reference_label=self.study.reference_short)
        self.cloud_terms = list(ax.cloud_terms)
        add_caption(ax.figure, self.caption + " Only key terms are shown. " + self.filter_note)
        return ax.figure

    def describe_cloud(self, n: int = 40) -> str:
        g2 = self.cloud_table(n)["g2"]
        return (f"The comparison cloud repeats the key terms as a picture: red terms are key for {self.study.short_label} "
                f"({int((g2 > 0).sum())} shown), blue ones for the reference ({int((g2 < 0).sum())} shown), size ∝ |G²|.")


def key_terms(corpus, study: StudyParams, *, measure: str = "g2", min_count: int = 3, alpha: float = 0.05, min_units: int = 2,
              n_boot: int = 1000, seed: int = 0) -> KeyTerms:
    """Keyness of ``study``'s target against its reference over ``corpus`` (a ``SegmentedCorpus``): every term
    occurring at least ``min_count`` times in the two, G² (``measure``) with Fisher's test for small counts and
    Benjamini–Hochberg p_adj, the paragraph bootstrap (``n_boot`` replicates, ``seed``) and the key rule
    (p_adj < ``alpha``, interval excluding 0, for over-use at least ``min_units`` paragraphs)."""
    docs = corpus.documents
    target, reference = study.target_mask, study.reference_mask
    table = keyness(docs, target, reference, measure=measure, min_target=0, min_count=min_count, units=corpus.paragraphs,
                    n_boot=n_boot, random_state=seed, alpha=alpha, min_units=min_units)
    table["log_ratio_shown"] = [lr_text(r) for r in table.itertuples()]
    table["kind"] = kinds(table["term"]).to_numpy()  # level / register / content (analysis.lexicon.register)
    over = select_key_terms(table, 10_000, alpha=alpha, min_units=min_units)
    under = select_key_terms(table, 10_000, alpha=alpha, min_units=min_units, direction="under")
    return KeyTerms(table, over, under, study, measure, min_count, alpha, min_units, n_boot, seed,
                    n_target_tokens=int(docs.loc[target, "n_tokens"].sum()),
                    n_reference_tokens=int(docs.loc[reference, "n_tokens"].sum()),
                    n_paragraphs=int(corpus.paragraphs["doc_id"].isin(docs.loc[target, "doc_id"]).sum()),
                    filter_note=filter_note(corpus))


# ------------------------------------------------------------------ survival

@dataclass
class Survival:
    """Each significantly over-used term checked four ways (:func:`analysis.stats.claims.keyness_survival`)."""

    table: pd.DataFrame
    key: KeyTerms
    min_repeat: int

    COLUMNS = ["term", "n_target", "n_reference", "expected_target", "n_units_target", "p_adj", "p_adj_fisher",
               "n_target_dedup", "p_adj_dedup", "lr_ci_low", "lr_ci_high", "fisher", "repeats", "bootstrap", "dispersion", "all"]

    @property
    def checks(self) -> dict[str, str]:
        return {"fisher": "Fisher's exact test", "repeats": "counting repeated passages once", "bootstrap": "the bootstrap",
                "dispersion": f"dispersion (≥ {self.key.min_units} paragraphs)"}

    def shown(self) -> pd.DataFrame:
        return self.table[self.COLUMNS]

    def describe(self) -> str:
        survival, study, checks = self.table, self.key.study, self.checks
        if survival.empty:
            return (f"**No term to check.** No term of {study.label} is significantly over-used against the "
                    f"{study.reference_label} by the baseline test, so there is nothing whose survival could be checked.")
        survivors = survival.loc[survival["all"], "term"]
        text = (f"**{len(survivors)} of the {len(survival)} terms significantly over-used by {self.key.measure_name} survive "
                "every check**" + (f": {term_list(survivors)}." if len(survivors) else ".")
                + " " + "; ".join(f"{checks[c]} keeps {int(survival[c].sum())} of {len(survival)}" for c in checks) + ". "
                + f"The repeat check removed {len(survival.attrs['repeats'])} later cop(ies) of passages of ≥ {self.min_repeat} "
                f"characters ({survival.attrs['n_chars_removed']:,} characters).")
        lost = [f"{r.term} ({', '.join(checks[c] for c in checks if not getattr(r, c))})" for r in survival.itertuples() if not r.all]
        if lost:
            text += f" Lost: {'; '.join(lost[:12])}" + (f"; and {len(lost) - 12} more." if len(lost) > 12 else ".")
        return text


def survival(corpus, key: KeyTerms, *, min_repeat: int = 30) -> Survival:
    """Whether the terms significantly over-used by ``key``'s baseline test survive Fisher's test, counting
    verbatim repeats of ≥ ``min_repeat`` characters once, the bootstrap and the dispersion rule (``key``'s rule)."""
    from ..stats.claims import keyness_survival
    study = key.study
    table = keyness_survival(corpus.paragraphs_of(study.target_mask | study.reference_mask), study.target,
                             list(study.reference_ids), corpus.segmenter, min_chars=min_repeat, alpha=key.alpha,
                             min_units=key.min_units, n_boot=key.n_boot, random_state=key.seed, measure=key.measure,
                             min_count=key.min_count)
    return Survival(table, key, min_repeat)


# ------------------------------------------------------------------ like for like

@dataclass
class LikeForLike:
    """The target against only the reference's paragraphs on ``subject`` (:func:`analysis.stats.like_for_like.like_for_like`).

    ``reference`` is those paragraphs as documents (``None`` with ``error`` set when there are none), ``subject_key``
    the target's keyness against them, ``table`` every term key against either reference (``key_whole``,
    ``key_subject``).
    """

    key: KeyTerms
    subject: list[str]
    reference: pd.DataFrame | None
    subject_key: KeyTerms | None
    table: pd.DataFrame | None
    error: str | None = None

    @property
    def label(self) -> str:
        attrs = self.reference.attrs
        return (f"{self.key.study.reference_short}, {attrs['n_paragraphs']:,} of {attrs['n_paragraphs_all']:,} paragraphs on "
                f"{' / '.join(map(category_label, self.subject))}")

    def plot(self, n: int = 15):
        """Two panels of key terms: (a) against the whole reference, (b) against the subject passages."""
        import matplotlib.pyplot as plt

        from ..viz.style import PAGE_WIDTH, add_caption
        key, like, study = self.key, self.subject_key, self.key.study
        n_rows = [max(len(key.over.head(n)) + len(key.under.head(n)), 2), max(len(like.over.head(n)) + len(like.under.head(n)), 2)]
        fig, axes = plt.subplots(2, 1, figsize=(PAGE_WIDTH - 0.3, 0.27 * sum(n_rows) + 3.6), height_ratios=n_rows,
                                 layout="constrained")
        plot_key_terms(key.table, n, ax=axes[0], alpha=key.alpha, min_units=key.min_units, target_label=study.short_label,
                       reference_label=study.reference_short, title=f"(a) against the whole {study.reference_short}")
        plot_key_terms(like.table, n, ax=axes[1], alpha=key.alpha, min_units=key.min_units, target_label=study.short_label,
                       reference_label="subject passages", title=f"(b) against its passages on {' and '.join(map(category_label, self.subject))}")
        fig.suptitle(f"Key terms of {study.short_label}: whole reference and like for like", fontsize=11)
        add_caption(fig, f"{key.target_tokens}. (a) reference: {study.reference_label}, {key.n_reference_tokens:,} tokens; "
                    f"(b) reference: {self.label}, {int(self.reference['n_tokens'].sum()):,} tokens (paragraphs using at least "
                    f"one term of the lexicon categories {', '.join(map(category_label, self.subject))}). {key.rule} Annotation as in the key-terms "
                    "chart. " + key.filter_note)
        return fig

    def describe(self) -> str:
        if self.reference is None:
            return f"**No like-for-like reference:** {self.error}."
        table, like, study = self.table, self.reference, self.key.study
        content = table.loc[table["key_whole"] & table["key_subject"], "term"]
        shared = table.loc[table["key_whole"] & ~table["key_subject"], "term"]
        only_like = table.loc[~table["key_whole"] & table["key_subject"], "term"]
        return (f"**Like for like: the same subject.** The like-for-like reference keeps {like.attrs['n_paragraphs']:,} of the reference's "
                f"{like.attrs['n_paragraphs_all']:,} paragraphs ({int(like['n_tokens'].sum()):,} of {like.attrs['n_tokens_all']:,} "
                f"tokens). Against it {len(self.subject_key.over)} term(s) are key for {study.short_label}, against the whole "
                f"reference {len(self.key.over)}. **{len(content)} key against both** — not explained by the subject alone"
                + (f": {term_list(content)}" if len(content) else "") + ". "
                f"**{len(shared)} key only against the whole reference** — the subject {study.short_label} shares with the "
                "reference's passages on it" + (f": {term_list(shared)}" if len(shared) else "") + ". "
                f"{len(only_like)} key only against the subject passages"
                + (f" ({term_list(only_like)}): words those passages use less than the reports do elsewhere" if len(only_like) else "")
                + ". The passages are chosen with the lexicon's own lists and hold the subject constant, not the genre "
                "or the speaker's level" + kinds_clause(content) + ".")


def like_for_like(corpus, key: KeyTerms, subject: list[str]) -> LikeForLike:
    """``key``'s target against the reference's paragraphs that use a term of the lexicon categories ``subject``
    (counted also inside longer formulations), with ``key``'s rule; no such paragraph: a result whose
    ``describe()`` says why."""
    from ..stats.like_for_like import like_for_like as subject_paragraphs
    study, docs = key.study, corpus.documents
    terms = [t for category in subject for t in corpus.segmenter.lexicon.category(category)]
    try:
        like = subject_paragraphs(corpus.paragraphs, study.reference_ids, terms, nesting=corpus.segmenter.nesting)
    except InputError as error:
        return LikeForLike(key, list(subject), None, None, None, str(error))
    pair = pd.concat([docs[study.target_mask], like], ignore_index=True)
    table = keyness(pair, pair["doc_id"].isin(docs.loc[study.target_mask, "doc_id"]).to_numpy(), measure=key.measure,
                    min_target=0, min_count=key.min_count, units=corpus.paragraphs, n_boot=key.n_boot, random_state=key.seed,
                    alpha=key.alpha, min_units=key.min_units)
    over = select_key_terms(table, 10_000, alpha=key.alpha, min_units=key.min_units)
    under = select_key_terms(table, 10_000, alpha=key.alpha, min_units=key.min_units, direction="under")
    subject_key = KeyTerms(table, over, under, study, key.measure, key.min_count, key.alpha, key.min_units, key.n_boot,
                           key.seed, key.n_target_tokens, int(like["n_tokens"].sum()), key.n_paragraphs, key.filter_note)
    whole = ["n_target", "n_reference", "log_ratio", "lr_bound", "g2", "p_adj", "n_units_target", "is_key"]
    both = pd.merge(key.table.set_index("term")[whole],
                    table.set_index("term")[["n_reference", "log_ratio", "lr_bound", "g2", "p_adj", "is_key"]],
                    left_index=True, right_index=True, how="outer", suffixes=("_whole", "_subject"))
    both["total_target"] = key.n_target_tokens  # the totals each G² was computed from, so a reader can recompute it
    both["total_reference_whole"] = int(key.table["total_reference"].iloc[0]) if len(key.table) else key.n_reference_tokens
    both["total_reference_subject"] = (int(table["total_reference"].iloc[0]) if len(table)
                                       else int(like["n_tokens"].sum()))
    both["key_whole"] = both["is_key_whole"].fillna(False).astype(bool) & (both["g2_whole"] > 0)
    both["key_subject"] = both["is_key_subject"].fillna(False).astype(bool) & (both["g2_subject"] > 0)
    both = both[both["key_whole"] | both["key_subject"]].reset_index()
    return LikeForLike(key, list(subject), like, subject_key, both)


# ------------------------------------------------------------------ families of terms

@dataclass
class Families:
    """Lexicon categories pooled into one 2×2 table each (:func:`analysis.stats.dictionary.category_keyness`)."""

    table: pd.DataFrame
    key: KeyTerms

    COLUMNS = ["category", "n_target", "n_reference", "per_10k_target", "per_10k_reference", "g2", "log_ratio", "p_adj",
               "rank_among_terms", "members_target"]

    def shown(self) -> pd.DataFrame:
        return self.table[self.COLUMNS]

    def plot(self):
        from ..viz.style import add_caption
        family, key, study = self.table, self.key, self.key.study
        ax = plot_family_keyness(family, alpha=key.alpha,
                                 title=f"Term families of {study.short_label} against {study.reference_short}")
        add_caption(ax.figure, f"{key.target_tokens}; reference: {study.reference_label}, {int(family['total_reference'].iloc[0]):,} "
                    "tokens. Each family pooled from the lexicon category's members (counted as tokens); G² with "
                    f"Benjamini–Hochberg p_adj over the {len(family)} families; rank: the pooled family's place among the "
                    f"{int(family['n_terms'].iloc[0]):,} single terms by signed G². " + key.filter_note)
        return ax.figure

    def describe(self) -> str:
        family, alpha, study = self.table, self.key.alpha, self.key.study
        significant = family[family["p_adj"] < alpha]
        lines = []
        for r in family.itertuples():
            members = str(r.members_target) if isinstance(r.members_target, str) and r.members_target else "none"
            lines.append(f"*{r.category}*: {r.n_target} occurrence(s) in {study.short_label} ({r.per_10k_target:.1f} per 10,000) "
                         f"against {r.n_reference:,} in the reference ({r.per_10k_reference:.1f}); G² {r.g2:+.1f}, Log Ratio "
                         f"{r.log_ratio:+.1f}, p_adj {r.p_adj:.2g}"
                         + (f", rank {r.rank_among_terms} among single terms" if r.g2 > 0 else "")
                         + f". Members in the target: {members}.")
        return (f"**How to read it.** {len(significant)} of {len(family)} families differ significantly (p_adj < {alpha})"
                + (f": {term_list(significant['category'].map(category_label))}" if len(significant) else "") + ". Bars are the family's Log Ratio; "
                "grey: not significant.\n\n" + "\n\n".join(lines))


def families(corpus, key: KeyTerms, categories: list[str]) -> Families:
    """The lexicon ``categories`` of ``corpus``'s segmenter, each pooled, the target against ``key``'s reference."""
    from ..stats.dictionary import Dictionary, category_keyness
    dictionary = Dictionary.from_lexicon(corpus.segmenter.lexicon, categories=categories)
    return Families(category_keyness(corpus, dictionary, key.study.target, list(key.study.reference_ids)), key)


# ------------------------------------------------------------------ nested counting

@dataclass
class Nested:
    """Token counts beside counts with nested units (``corpus.nested_documents()``): ``counts`` every term of the
    nested keyness (``*_token``, ``*_nested``, ``hidden``: occurrences in the target inside longer formulations)."""

    counts: pd.DataFrame
    key: KeyTerms

    @property
    def table(self) -> pd.DataFrame:
        """The terms with hidden occurrences, most hidden first (the table the notebook saves)."""
        counts = self.counts
        return counts[counts["hidden"] > 0].sort_values("hidden", ascending=False).reset_index()

    @property
    def term(self) -> str:
        """The term the sentence shows: 发展 where it hides occurrences, else the term hiding most."""
        counts = self.counts
        return "发展" if "发展" in counts.index and counts.loc["发展", "hidden"] > 0 else counts["hidden"].idxmax()

    def describe(self) -> str:
        term, counts = self.term, self.counts
        r = counts.loc[term]
        g2_token = f"G² {r.g2_token:+.1f}" if pd.notna(r.g2_token) else f"not tested (fewer than {self.key.min_count} occurrences)"
        return (f"**Nested counting.** Counted as a token, {term} occurs {int(r.n_target_token)} time(s) in "
                f"{self.key.study.short_label} and {int(r.n_reference_token):,} in the reference ({g2_token}); counted also "
                f"inside longer formulations it occurs {int(r.n_target_nested)} and {int(r.n_reference_nested):,} time(s) "
                f"(G² {r.g2_nested:+.1f}), the target's token total staying {int(r.total_target):,}. "
                f"{int((counts['hidden'] > 0).sum())} terms of the target occur more often than their token count says; the "
                "keyness above counts tokens.")


def nested(corpus, key: KeyTerms) -> Nested:
    """Keyness on the documents with nested units counted beside their tokens, joined to ``key``'s token counts."""
    study = key.study
    table = keyness(corpus.nested_documents(), study.target_mask, study.reference_mask, measure=key.measure, min_target=0,
                    min_count=1)
    counts = (pd.merge(key.table.set_index("term")[["n_target", "n_reference", "g2"]],
                       table.set_index("term")[["n_target", "n_reference", "g2", "total_target"]],
                       left_index=True, right_index=True, how="right", suffixes=("_token", "_nested"))
              .fillna({"n_target_token": 0, "n_reference_token": 0}))
    counts["hidden"] = counts["n_target_nested"] - counts["n_target_token"]
    # the totals of both tables, so every G² here can be recomputed from its row
    counts["total_reference"] = int(table["total_reference"].iloc[0]) if len(table) else 0
    counts["total_target_token"] = int(key.table["total_target"].iloc[0]) if len(key.table) else key.n_target_tokens
    counts["total_reference_token"] = (int(key.table["total_reference"].iloc[0]) if len(key.table)
                                       else key.n_reference_tokens)
    return Nested(counts, key)


# ------------------------------------------------------------------ TF-IDF

@dataclass
class Tfidf:
    """TF-IDF over the target and its reference documents, terms of every document left out: ``table`` the
    target's top terms, ``ubiquitous`` the target's terms present in every document."""

    table: pd.DataFrame
    ubiquitous: pd.DataFrame
    n_documents: int
    key: KeyTerms

    def plot(self, n: int = 20):
        from ..viz.frequency import plot_top_terms
        from ..viz.style import add_caption
        key, study = self.key, self.key.study
        ax = plot_top_terms(self.table, n, value="tfidf", xlabel="TF-IDF weight (tf=raw, idf=smooth, l2; raw count at bar end)",
                            title=f"The most distinctive terms of {study.short_label} by TF-IDF")
        add_caption(ax.figure, f"{key.target_tokens}. TF-IDF over the target and the {study.reference_label}, {self.n_documents} "
                    f"documents in all; the {len(self.ubiquitous)} terms of the target present in every one of them are left "
                    "out. " + key.filter_note)
        return ax.figure

    def describe(self) -> str:
        over = self.key.over
        both = set(self.table["term"].head(10)) & set(over["term"].head(20))
        only = [t for t in self.table["term"].head(10) if t not in set(over["term"])]
        return (f"TF-IDF weighs each term by its count in a document and by how few of the {self.n_documents} documents use it "
                "(raw tf, smooth idf, l2 norm — scikit-learn's defaults). A term in every document keeps idf 1 and would rank by "
                f"frequency alone, so the {len(self.ubiquitous)} such terms of the target (e.g. "
                f"{term_list(self.ubiquitous.sort_values('count', ascending=False)['term'], 5)}) are left out. Of the ten highest "
                f"TF-IDF terms, {len(both) or 'none'} {'is' if len(both) == 1 else 'are'} also among the 20 strongest key terms"
                + (f" ({term_list(sorted(both))})" if both else "")
                + (f"; {term_list(only)} rank high by TF-IDF without being key: TF-IDF rewards a document's frequent "
                   "terms that fewer documents share, without comparing with an expected rate" if only else "")
                + ". Keyness is the test, TF-IDF a ranking.")


def tfidf(corpus, key: KeyTerms, n: int = 20) -> Tfidf:
    """The target's ``n`` highest TF-IDF terms among the target and ``key``'s reference documents."""
    from ..stats.tfidf import tfidf as tfidf_scores
    study, docs = key.study, corpus.documents
    both = study.target_mask | study.reference_mask
    scores_all = tfidf_scores(docs[both], n=None)
    scores = tfidf_scores(docs[both], n=None, exclude_ubiquitous=True)
    ubiquitous = scores_all[(scores_all["group"] == study.target) & scores_all["ubiquitous"]]
    return Tfidf(scores[scores["group"] == study.target].head(n), ubiquitous, int(both.sum()), key)


# ------------------------------------------------------------------ keyness by section

def by_section_intro(study: StudyParams) -> str:
    """The heading and first paragraph of the section on keyness by section."""
    return ("## Keyness by section\n\n"
            f"Each top-level part of {study.name} is set against the same reference. The heatmap shows, for the union of "
            "each part's strongest significant terms, the rate per 10,000 tokens in each part (colour) and the raw count "
            "(number). A part is too short for the paragraph bootstrap, so here terms are *significant* (G², p_adj), not "
            "*key* by the full rule.")


@dataclass
class BySection:
    """Each top-level part of the target against the reference (:func:`analysis.tokens.segment.section_documents`):
    ``per_section`` every part's keyness table, ``top`` each part's strongest significant terms (``per_part``),
    ``terms`` their union in order and ``table`` the rows of ``per_section`` for those terms."""

    sections: pd.DataFrame
    per_section: pd.DataFrame
    top: list[pd.DataFrame]
    per_part: int
    key: KeyTerms

    @property
    def terms(self) -> list[str]:
        return list(dict.fromkeys(pd.concat(self.top)["term"])) if self.top else []

    @property
    def sizes(self) -> dict[str, int]:
        """Part → its tokens, in reading order."""
        return dict(zip(self.sections["doc_id"], self.sections["n_tokens"]))

    @property
    def table(self) -> pd.DataFrame:
        return self.per_section[self.per_section["term"].isin(self.terms)]

    @property
    def many(self) -> bool:
        """Many parts: each column is headed by its numeral only (一、…), the prose names them."""
        return len(self.sections) > 6

    def plot(self):
        """Heatmap of the terms' rates per part, annotated with counts; ``None`` where no part has a significant term."""
        from ..viz.style import add_caption
        from ..viz.topics import plot_heatmap
        key, study, sizes, terms, many = self.key, self.key.study, self.sizes, self.terms, self.many
        parts = list(self.sections["doc_id"])
        if not terms:
            return None

        def wrap(text, width=7):
            return "\n".join(text[i:i + width] for i in range(0, len(text), width))
        columns = {s: (f"{s.split('、')[0]} · {sizes[s]:,}" if many else f"{wrap(s)}\n{sizes[s]:,} tokens") for s in parts}
        chosen = self.table
        rate = (chosen.pivot_table(index="term", columns="section", values="per_10k_target", sort=False)
                .reindex(index=terms, columns=parts).fillna(0).rename(columns=columns))
        count = (chosen.pivot_table(index="term", columns="section", values="n_target", sort=False)
                 .reindex(index=terms, columns=parts).fillna(0).astype(int).rename(columns=columns))
        # Parts of a few dozen tokens reach rates in the thousands from one or two occurrences: the colour
        # scale is set by the parts of at least 200 tokens (the colour bar says when it is capped).
        large = [columns[s] for s, n in sizes.items() if n >= 200]
        vmax = float(rate[large].to_numpy().max()) if large and len(large) < len(sizes) else None
        ax = plot_heatmap(rate, cbar_label="occurrences per 10,000 tokens of the part", annot=count, vmax=vmax,
                          title=f"Significant terms of each part of {study.short_label}")
        add_caption(ax.figure, f"Each part against the {study.reference_label}; rows: the {self.per_part} strongest significant "
                    f"terms of each part (G², p_adj < {key.alpha}, at least 2 occurrences in the part). Numbers: raw counts; "
                    "colour: rate within the part (column headings give the part's size"
                    + (" in tokens, after the part's numeral)" if many else ")")
                    + (", its scale set by the parts of at least 200 tokens." if vmax is not None else ".")
                    + f" {key.target_tokens} in all. " + key.filter_note)
        return ax.figure

    def describe(self) -> str:
        sizes, terms = self.sizes, self.terms
        small = [s for s, n in sizes.items() if n < 1000]
        lines = [f"**How to read it.** Columns are the {len(self.sections)} parts of {self.key.study.name} in reading order, each "
                 f"headed by its size in tokens ({', '.join(f'{s}: {n:,}' for s, n in sizes.items())}). A number is the count "
                 "in that part."]
        if small:
            lines.append(f"{len(small)} part(s) have fewer than 1,000 tokens, where one occurrence is already 10 or more per "
                         "10,000: read their colours through the counts.")
        for s, top in zip(self.sections["doc_id"], self.top):
            lines.append(f"*{s}*: " + (term_list(top["term"]) if len(top) else "no significant term") + ".")
        everywhere = [t for t in terms if all(t in set(top["term"]) for top in self.top)]
        if everywhere and len(self.sections) > 1:
            lines.append(f"{term_list(everywhere)} is significant in every part.")
        return " ".join(lines)


def by_section(corpus, key: KeyTerms) -> BySection:
    """Each top-level part of ``key``'s target against its reference (G², at least 2 occurrences in the part):
    6 strongest significant terms per part, fewer where there are more than 4 parts (about 24 rows in all)."""
    from ..tokens.segment import section_documents
    study = key.study
    sections = section_documents(corpus.paragraphs, study.target)
    ref_docs = corpus.documents[study.reference_mask]
    per_part = 6 if len(sections) <= 4 else max(1, 24 // len(sections))  # at most about 24 rows: a page
    per_section, top = [], []
    for section in sections["doc_id"]:
        part = pd.concat([sections[sections["doc_id"] == section], ref_docs], ignore_index=True)
        table = keyness(part, section, min_target=2).assign(section=section)
        per_section.append(table)
        top.append(select_key_terms(table, per_part, alpha=key.alpha))
    return BySection(sections, pd.concat(per_section, ignore_index=True), top, per_part, key)
