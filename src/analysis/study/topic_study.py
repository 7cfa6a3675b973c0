"""The steps of notebook 5 (topics): each takes what the notebook already has — the corpus, the
:class:`~analysis.study.params.StudyParams` of :func:`~analysis.study.params.resolve` (``mode="trend"``)
and the notebook's parameters — and returns a small result with its table(s) as attributes,
``describe()`` for the prose the notebook displays (generated from those tables) and, where the
notebook draws a chart, ``plot()`` returning the Figure the notebook saves with
:func:`~analysis.study.display.save_and_show`::

    data = topic_paragraphs(corpus, study, stopwords=STOPWORDS, min_tokens=MIN_TOKENS)
    k = choose_k(data, NMF_K, LDA_K, seeds=SEEDS, lda_seeds=LDA_SEEDS, cache_dir=MODELS)
    topics = fit_topics(data, k, labels=LABELS, cache_dir=MODELS)
    quality, prevalence, mix = model_fit(topics), prevalence_by_year(topics), target_mix(topics)

Documents are paragraphs of the reference and of the target with at least ``min_tokens`` tokens,
counted with the genre stopword list (the boilerplate verbs of official texts would head every topic).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import pandas as pd

from ..errors import InputError
from ..text.structure import section_label
from ..tokens.nesting import TokenFilter
from ..topics.model import (TopicModel, document_topics, fit_cached, oov_share, reconstruction_error,
                            representative_paragraphs, topic_mix, topic_prevalence)
from ..topics.selection import coherence_ties, mark_recommended, npmi_coherence, select_k
from .params import StudyParams
from .wording import plural, term_list

#: Labels for the topics of the Government Work Reports, attached by each topic's top word (robust
#: to topic order), written after reading those topics; a topic they do not match keeps its top
#: three words as label.  Used only when the reference is the reports (``gwr``).
GWR_LABELS = {
    "社会主义": "社会主义建设", "改革": "体制改革", "经济": "宏观经济", "企业": "企业经营", "增长": "增长指标",
    "投资": "投资消费", "农业": "三农", "就业": "就业", "教育": "教育", "基本": "社会保障", "民生": "民生与社会治理",
    "文化": "文化事业", "创新": "科技创新", "政府": "政府建设与监督", "建设": "基础设施建设", "军队": "国防军队",
    "社会": "民生与社会治理", "民族": "民族宗教", "和平": "外交", "香港": "港澳与一国两制", "报告": "报告程式",
    "表示": "致谢与团结",
}
MIN_STABILITY = 0.6  # the recommendation rule of :func:`analysis.topics.model.recommend_k`


def _caption(fig, text: str):
    from ..viz.style import add_caption
    add_caption(fig, text)
    return fig


# ------------------------------------------------------------------ the paragraphs the model sees

@dataclass
class TopicData:
    """The paragraphs a topic model is fitted on: ``paras`` (``doc_id, year, section, paragraph,
    n_tokens, tokens, text`` …, index 0…n−1), their ``texts`` (token lists) and ``is_target``."""

    corpus: object                 # the corpus counted with the topic model's filter
    study: StudyParams
    stopwords: str
    min_tokens: int
    study_filter: str              # the filter of the other notebooks
    paras: pd.DataFrame
    texts: list = field(repr=False)
    is_target: pd.Series = field(repr=False)

    @property
    def filter(self) -> str:
        return self.corpus.filter.name

    def describe(self) -> str:
        """The study's target and reference, then the topic model's filter and, when it is not the
        study's, why."""
        text = self.study.describe() + f"\n\n**Filter** of the topic model: {self.filter}."
        if self.filter != self.study_filter:
            text += (f" The other notebooks count with the study's filter ({self.study_filter}); the topic model uses the "
                     f"{self.stopwords!r} list because the boilerplate verbs of official texts (坚持, 加强, 推进, 进一步 …) "
                     f"occur in nearly every paragraph and would head every topic without telling the topics apart.")
        return text

    def summary(self) -> str:
        n_target = int(self.is_target.sum())
        return (f"{len(self.paras):,} paragraphs: {len(self.paras) - n_target:,} of the {self.study.reference_label}, "
                f"{n_target} of {self.study.label}")


def topic_paragraphs(corpus, study: StudyParams, *, stopwords: str = "genre", min_tokens: int = 5) -> TopicData:
    """The paragraphs of ``study``'s reference and target with at least ``min_tokens`` tokens, counted
    with the ``stopwords`` list (``corpus`` is recounted with it when its own filter uses another)."""
    if isinstance(min_tokens, bool) or not isinstance(min_tokens, (int, np.integer)) or min_tokens < 0:
        raise InputError(f"MIN_TOKENS must be a whole number ≥ 0, not {min_tokens!r}")
    study_filter = corpus.filter.name
    if stopwords != corpus.filter.stopwords:
        corpus = corpus.with_filter(TokenFilter(stopwords))
    paras = corpus.paragraphs_of(study.reference_mask | study.target_mask)
    paras = paras[paras["n_tokens"] >= min_tokens].reset_index(drop=True)
    if not len(paras):
        raise InputError(f"no paragraph of {study.short_label} or its reference has {min_tokens} tokens or more; "
                         f"lower MIN_TOKENS")
    return TopicData(corpus, study, stopwords, int(min_tokens), study_filter, paras, list(paras["tokens"]),
                     paras["doc_id"] == study.target)


# ------------------------------------------------------------------ choosing K

#: The K of ``choose_k(quick=True)``: what the full NMF grid recommends for the speech (README: Topics).
QUICK_K = 40

@dataclass
class KChoice:
    """The K-selection table of every (method, K) (``table``: ``method, k, coherence, coherence_sd,
    stability, fit_seconds, recommended``), its ``ties`` (:func:`analysis.topics.model.coherence_ties`)
    and the recommended row ``best``."""

    data: TopicData = field(repr=False)
    table: pd.DataFrame
    ties: pd.DataFrame
    n_seeds: dict
    seconds: float                 # wall time of the selection (cached runs: instant)

    @property
    def best(self) -> pd.Series:
        return self.table[self.table["recommended"]].iloc[0]

    def timing(self) -> str:
        """How long the selection took and the mean seconds per fit of each method."""
        speed = self.table.groupby("method")["fit_seconds"].mean()
        lines = [f"K selection: {self.seconds:.1f} s (cached runs are instant)",
                 f"mean seconds per fit: { {m: round(float(s), 2) for m, s in speed.items()} }"]
        if {"nmf", "lda"} <= set(speed.index):
            lines.append(f"LDA/NMF time per fit = {float(speed['lda'] / speed['nmf']):.1f}x")
        return "\n".join(lines)

    def plot(self):
        """Coherence and stability against K (:func:`analysis.viz.topics.plot_k_selection`), with its caption."""
        from ..viz.topics import plot_k_selection
        d = self.data
        axes = plot_k_selection(self.table, title="Choosing the number of topics")
        return _caption(axes[0].figure, f"{len(d.paras):,} paragraphs of the {d.study.reference_label} and of "
                        f"{d.study.short_label}; each seed fits on a random 80% subsample. Coherence: NPMI of the top 10 "
                        "words, sliding window of 10 tokens. Stability: mean matched Jaccard overlap of top-10 words across "
                        f"seeds. Recommended: most coherent model with stability ≥ {MIN_STABILITY}. Filter: {d.filter}.")

    def _method_sentence(self, method: str, g: pd.DataFrame) -> str:
        top = g[g["k"] == g["best_k"]].iloc[0]
        ks = g["k"].astype(int).tolist()
        n_seeds = self.n_seeds.get(method, 1)
        k_range = f"K = {min(ks)}–{max(ks)}, {len(ks)} values" if len(ks) > 1 else f"K = {ks[0]} only"
        text = (f"{method.upper()} ({k_range}, {n_seeds} seed{'s' if n_seeds != 1 else ''}): the most coherent K is "
                f"{int(top['best_k'])} (NPMI {top['coherence']:.3f}")
        if pd.notna(top["coherence_sd"]) and n_seeds > 1:
            tied = g[g["within_spread"] & (g["k"] != g["best_k"])]["k"].astype(int).tolist()
            one = len(tied) == 1
            text += (f" ± {top['coherence_sd']:.3f} over seeds); "
                     + (f"K = {', '.join(map(str, tied))} {'is' if one else 'are'} within one standard deviation of the "
                        f"seeds, so coherence cannot choose between {'it' if one else 'them'} and K = {int(top['best_k'])}"
                        if tied else "no other K is within one standard deviation of the seeds"))
        else:
            text += "; one seed, so no spread to judge the differences by)"
        text += ("; **the best K is at the edge of the range tried**, so the range does not bracket the optimum"
                 if bool(top["best_at_edge"]) else f"; the range brackets it ({min(ks)} < {int(top['best_k'])} < {max(ks)})")
        return text + "."

    def describe(self) -> str:
        """How to read the chart; NMF against LDA; per method the most coherent K, the K tied with it
        and whether the range brackets it; the rule's choice."""
        by_method = self.table.groupby("method").agg(coherence=("coherence", "mean"), stability=("stability", "mean"),
                                                     seconds=("fit_seconds", "mean"))

        def stab(m):
            value = by_method.loc[m, "stability"]
            return f"{value:.2f}" if pd.notna(value) else "n/a (one seed)"

        lines = ["**How to read it.** Left: coherence (higher is better: the top words of each topic co-occur in the "
                 "texts more than chance), with the spread over seeds. Right: stability (1 = every subsample gives the "
                 "same topics)."]
        if len(by_method) == 2:
            better = by_method["coherence"].idxmax()
            lines.append(f"Averaged over the K tried, {better.upper()} is more coherent (NPMI "
                         f"{by_method.loc['nmf', 'coherence']:.3f} for NMF against {by_method.loc['lda', 'coherence']:.3f} "
                         f"for LDA), stability {stab('nmf')} against {stab('lda')}, and LDA takes "
                         f"{by_method.loc['lda', 'seconds'] / by_method.loc['nmf', 'seconds']:.1f}× as long per fit.")
        for method, g in self.ties.groupby("method", sort=False):
            lines.append(self._method_sentence(method, g))
        best = self.best
        chosen = self.ties[(self.ties["method"] == best["method"]) & (self.ties["k"] == best["k"])].iloc[0]
        lines.append(f"The rule's choice, circled, is {best['method'].upper()} with K = {int(best['k'])} (coherence "
                     f"{best['coherence']:.3f}, stability {best['stability']:.2f})"
                     + ("" if chosen["k"] == chosen["best_k"] else
                        f", {'within' if chosen['within_spread'] else 'outside'} the seeds' spread of the most coherent K")
                     + ".")
        return " ".join(lines)


def choose_k(data: TopicData, nmf_k: Sequence[int], lda_k: Sequence[int] = (), *, seeds: Sequence[int] = (0, 1, 2),
             lda_seeds: Sequence[int] = (0, 1), lda_max_iter: int = 10, quick: bool = False, quick_k: int | None = None,
             cache_dir=None) -> KChoice:
    """Fit NMF over ``nmf_k`` with ``seeds`` and LDA over ``lda_k`` (none when empty) with ``lda_seeds``,
    each seed on its own 80% of the paragraphs (:func:`analysis.topics.selection.select_k`, cached in
    ``cache_dir``, fitted on every core); one recommendation across both methods.

    ``quick=True`` skips the grid, for a researcher trying targets: NMF with ``quick_k`` topics only
    (default :data:`QUICK_K`, the K the full grid chooses for the speech against the Government Work
    Reports), two seeds (so stability is still measured), no LDA; the table then says it tried one K."""
    if quick:
        nmf_k, lda_k, seeds = [int(quick_k or QUICK_K)], [], list(seeds)[:2] or [0, 1]
    if not list(nmf_k) and not list(lda_k):
        raise InputError("NMF_K and LDA_K are both empty: give at least one K to try")
    start = time.perf_counter()
    parts = []
    if list(nmf_k):
        parts.append(select_k(data.texts, nmf_k, methods=["nmf"], seeds=seeds, cache_dir=cache_dir))
    if list(lda_k):
        parts.append(select_k(data.texts, lda_k, methods=["lda"], seeds=lda_seeds, cache_dir=cache_dir,
                              max_iter=lda_max_iter))
    table = mark_recommended(pd.concat(parts, ignore_index=True), min_stability=MIN_STABILITY)
    return KChoice(data, table, coherence_ties(table), {"nmf": len(seeds), "lda": len(lda_seeds)},
                   time.perf_counter() - start)


# ------------------------------------------------------------------ the model and its topics

@dataclass
class TopicFit:
    """The fitted ``model`` (labelled), its per-topic ``coherence`` and every paragraph's topic
    proportions ``doc_topics`` (:func:`analysis.topics.model.document_topics`, rows as ``data.paras``)."""

    data: TopicData = field(repr=False)
    model: TopicModel
    unused: list                   # the labels that matched no topic
    labelled: bool                 # whether the labels were applied (the reference is the reports)
    coherence: np.ndarray = field(repr=False)
    doc_topics: pd.DataFrame = field(repr=False)

    @property
    def method(self) -> str:
        return self.model.method

    @property
    def n_topics(self) -> int:
        return self.model.n_topics

    @property
    def table(self) -> pd.DataFrame:
        """The topics with their labels and top words (:meth:`TopicModel.topic_table`)."""
        return self.model.topic_table()

    def summary(self) -> str:
        return (f"{self.method.upper()} with K = {self.n_topics}, fitted in {self.model.fit_seconds_:.1f} s; labels not "
                f"used: {sorted(self.unused)}\ncoherence per topic: "
                f"{ {label: round(float(c), 3) for label, c in zip(self.model.labels_, self.coherence)} }")

    def plot(self):
        """One panel of top words per topic (:func:`analysis.viz.topics.plot_topic_words`), with its caption."""
        from ..viz.topics import plot_topic_words
        d = self.data
        axes = plot_topic_words(self.model.term_weights(8), ncols=4, title=f"Topics of the "
                                f"{d.study.reference_label.split(' (')[0]} ({self.method.upper()}, K = {self.n_topics})")
        return _caption(axes[0].figure, "Bars: weight of each word within its topic (normalised). The words are the "
                        "model's; labels are "
                        + ("the researcher's (LABELS), or the top three words where no label matched." if self.labelled
                           else "the top three words (the LABELS were written for the Government Work Reports).")
                        + f" Filter: {d.filter}.")

    def representative(self, n: int = 2, width: int = 70) -> pd.DataFrame:
        """The ``n`` most representative paragraphs of each topic (text cut to ``width`` characters):
        ``label, share, doc_id, year, text``."""
        reps = representative_paragraphs(self.model, self.doc_topics, self.data.paras, n=n)
        return reps.assign(text=reps["text"].str[:width] + "…")[["label", "share", "doc_id", "year", "text"]]


def _short_distinct(labels: list[str]) -> list[str]:
    """A label of long top words cut to two words (panel titles fit the page); two topics with the
    same label told apart by their number."""
    labels = [lab if len(lab) <= 12 else "/".join(lab.split("/")[:2]) for lab in labels]
    seen = {}
    for k, label in enumerate(labels):
        seen[label] = seen.get(label, 0) + 1
        if seen[label] > 1:
            labels[k] = f"{label} ({k})"
    return labels


def fit_topics(data: TopicData, k: KChoice | None = None, *, method: str | None = None, n_topics: int | None = None,
               seed: int = 0, labels: dict | None = None, cache_dir=None) -> TopicFit:
    """Fit ``method`` with ``n_topics`` (each ``None``: the recommendation of ``k``) on the paragraphs
    (cached in ``cache_dir``); label the topics with ``labels`` (top word → label; ``None``:
    :data:`GWR_LABELS`) when the reference is the Government Work Reports."""
    if k is None and (method is None or n_topics is None):
        raise InputError("give the K selection, or both METHOD and N_TOPICS")
    method = method or k.best["method"]
    n_topics = int(n_topics or k.best["k"])
    labels = GWR_LABELS if labels is None else labels
    if not isinstance(labels, dict):
        raise InputError(f"LABELS must be a dict of top word → label, not {type(labels).__name__}")
    model = fit_cached(TopicModel(method, n_topics, random_state=seed), data.texts, cache_dir) if cache_dir is not None \
        else TopicModel(method, n_topics, random_state=seed).fit(data.texts)
    labelled = data.study.reference_collection == "gwr"
    unused = model.label_by_words(labels) if labelled else sorted(labels)
    model.labels_ = _short_distinct(list(model.labels_))
    return TopicFit(data, model, unused, labelled, npmi_coherence(model.top_words(), data.texts),
                    document_topics(model, data.paras))


# ------------------------------------------------------------------ how well the model sees the target

@dataclass
class ModelFit:
    """Per document (``table``: ``doc_id, year, n_paragraphs, n_tokens, n_oov, reconstruction_error,
    oov_share, series``) and pooled (``summary``: the target, the reference, its latest ten documents)
    out-of-vocabulary share and mean reconstruction error of the paragraphs."""

    topics: TopicFit = field(repr=False)
    table: pd.DataFrame
    summary: pd.DataFrame

    @property
    def reference(self) -> pd.DataFrame:
        return self.table[self.table["series"] == "reference"].sort_values("year")

    def plot(self):
        """Both measures against the year, the target as a star (:func:`analysis.viz.topics.plot_model_fit`)."""
        from ..viz.topics import plot_model_fit
        d = self.topics.data
        axes = plot_model_fit(self.table, reference_label=d.study.reference_short, target_label=d.study.short_label,
                              title=f"How well the {self.topics.method.upper()} model (K = {self.topics.n_topics}) "
                                    "sees each document")
        return _caption(axes[0].figure, f"Per document, over its paragraphs of at least {d.min_tokens} tokens: share of "
                        "tokens outside the model's vocabulary, and the mean relative reconstruction error ‖x − θH‖/‖x‖ of "
                        f"its paragraphs. Model fitted on the paragraphs of the {d.study.reference_label} and of "
                        f"{d.study.short_label}. Filter: {d.filter}.")

    def describe(self) -> str:
        """The target's share and error beside the reference's and the latest ten's, and how many
        reference documents reach them."""
        study = self.topics.data.study
        t, r, l = self.summary.iloc[0], self.summary.iloc[1], self.summary.iloc[2]
        ref = self.reference
        oov_above = int((ref["oov_share"] >= float(t["oov_share"])).sum())
        err_above = int((ref["reconstruction_error"] >= float(t["reconstruction_error"])).sum())

        def standing(n_above, what):
            return (f"no reference document has as large {what}" if n_above == 0 else
                    f"{n_above} of the {len(ref)} reference documents have as large {what} or larger")

        return (f"**How to read it.** {t['oov_share']:.1%} of the tokens of {study.short_label} ({int(t['n_oov'])} of "
                f"{int(t['n_tokens'])}) are outside the model's vocabulary, against {r['oov_share']:.1%} "
                f"({int(r['n_oov']):,} of {int(r['n_tokens']):,}) in the {study.reference_short} and {l['oov_share']:.1%} "
                f"({int(l['n_oov']):,} of {int(l['n_tokens']):,}) in {l['group']}; {standing(oov_above, 'a share')}. "
                f"The mean reconstruction error of its {int(t['n_paragraphs'])} paragraphs is "
                f"{t['reconstruction_error']:.3f}, against {r['reconstruction_error']:.3f} over the reference paragraphs "
                f"({l['reconstruction_error']:.3f} in the latest ten); {standing(err_above, 'an error')}."
                + (" The topics see less of the target than of any document they were learned from: read its topic mix "
                   "below as where it touches the reference's agenda, not as a summary of it."
                   if oov_above == 0 and err_above == 0 else
                   " By these measures the model sees the target within the range of the reference documents."))


def _pooled(name: str, part: pd.DataFrame, parts: pd.DataFrame) -> dict:
    return {"group": name, "n_documents": len(part), "n_paragraphs": int(part["n_paragraphs"].sum()),
            "n_tokens": int(part["n_tokens"].sum()), "n_oov": int(part["n_oov"].sum()),
            "oov_share": part["n_oov"].sum() / part["n_tokens"].sum(),
            "reconstruction_error": float(parts["reconstruction_error"].mean())}


def model_fit(topics: TopicFit, latest: int = 10) -> ModelFit:
    """Out-of-vocabulary share (:func:`analysis.topics.model.oov_share`) and reconstruction error
    (:func:`~analysis.topics.model.reconstruction_error`) of every paragraph, per document and pooled
    for the target, the whole reference and its ``latest`` documents."""
    d = topics.data
    study = d.study
    oov = oov_share(topics.model, d.paras).drop(columns="doc_id")
    rec = reconstruction_error(topics.model, d.paras).drop(columns="doc_id")
    per_para = pd.concat([d.paras[["doc_id", "year"]], oov, rec], axis=1)
    fit = (per_para.groupby("doc_id", sort=False)
           .agg(year=("year", "first"), n_paragraphs=("n_tokens", "size"), n_tokens=("n_tokens", "sum"),
                n_oov=("n_oov", "sum"), reconstruction_error=("reconstruction_error", "mean")).reset_index())
    fit["oov_share"] = fit["n_oov"] / fit["n_tokens"]
    fit["series"] = np.where(fit["doc_id"] == study.target, study.target, "reference")
    ref_fit = fit[fit["series"] == "reference"].sort_values("year")
    last = ref_fit.tail(latest)
    groups = [(study.short_label, fit[fit["series"] != "reference"]), (f"{study.reference_short} (all)", ref_fit),
              (f"the {len(last)} latest reference documents ({int(last['year'].min())}–{int(last['year'].max())})", last)]
    summary = pd.DataFrame([_pooled(n, p, per_para[per_para["doc_id"].isin(p["doc_id"])]) for n, p in groups])
    return ModelFit(topics, fit, summary)


# ------------------------------------------------------------------ the agenda over the years


@dataclass
class TopicPrevalence:
    """Each topic's share of each year's reference documents (``table``: ``topic, label, year,
    prevalence, n_tokens``; years without a document are gaps) and the same as ``matrix``
    (topics × years)."""

    topics: TopicFit = field(repr=False)
    table: pd.DataFrame
    matrix: pd.DataFrame
    intermittent: bool             # documents every few years (Congress reports): only their years shown

    def plot(self):
        """A heatmap of topics × years in % (capped at the 98th percentile), with its caption."""
        from ..viz.topics import plot_heatmap
        d = self.topics.data
        percent = self.matrix * 100
        cap = float(pd.Series(percent.to_numpy().ravel()).quantile(0.98))  # a few cells would wash out the rest
        ax = plot_heatmap(percent, cmap="Blues", fmt=None, xtick_step=1 if self.intermittent else 5, vmax=cap,
                          cbar_label="share of the year's documents (%)", figsize=(7.5, 0.22 * self.topics.n_topics + 2.2),
                          title=f"Topic prevalence in the {d.study.reference_label.split(' (')[0]}, by year")
        return _caption(ax.figure, "Share of each topic in each year's documents: paragraph topic proportions weighted "
                        "by paragraph length. "
                        + ("Only years with a document are shown." if self.intermittent
                           else "Grey columns: no document of that year in the corpus.")
                        + f" Filter: {d.filter}.")

    def leaders(self, n: int = 2) -> pd.DataFrame:
        """The ``n`` topics of largest mean prevalence in each decade: ``period, label, prevalence``."""
        valid = self.table.dropna(subset=["prevalence"]).assign(period=lambda t: (t["year"] // 10) * 10)
        return (valid.groupby(["period", "label"])["prevalence"].mean().reset_index()
                .sort_values(["period", "prevalence"], ascending=[True, False]).groupby("period").head(n))

    def documents_by_decade(self) -> pd.Series:
        """How many reference documents each decade's shares rest on (decade → documents)."""
        d = self.topics.data
        ref = d.paras.loc[~d.is_target.to_numpy(), ["doc_id", "year"]].dropna(subset=["year"]).drop_duplicates("doc_id")
        return ref.groupby((ref["year"].astype(int) // 10) * 10)["doc_id"].nunique()

    def describe(self) -> str:
        n_docs = self.documents_by_decade()
        few = [f"{p}s" for p, n in n_docs.items() if n <= 3]
        decades = "; ".join(f"{p}s ({plural(int(n_docs.get(p, 0)), 'document')}): {term_list(g['label'])}"
                            for p, g in self.leaders().groupby("period"))
        return ("**How to read it.** Rows are topics, columns years; darker means a larger share of that year's documents "
                "(the scale is capped at the 98th percentile, so the few darkest cells are off the scale). "
                + ("Grey columns are years without a document in the corpus. " if not self.intermittent else "")
                + f"The two largest topics of each decade, with the documents its shares rest on: {decades}."
                + (f" The shares of the {term_list(few)} rest on three documents or fewer: one report's agenda, not the "
                   "decade's." if few else ""))


def prevalence_by_year(topics: TopicFit) -> TopicPrevalence:
    """Topic prevalence by year in the reference documents (:func:`analysis.topics.model.topic_prevalence`),
    over every year of their span (annual series) or the years they have (intermittent ones)."""
    from ..viz.style import is_intermittent
    dt = topics.doc_topics
    reports = dt[dt["doc_id"] != topics.data.study.target]
    ref_years = reports["year"].dropna().astype(int)
    intermittent = is_intermittent(ref_years)
    years = sorted(ref_years.unique()) if intermittent else range(int(ref_years.min()), int(ref_years.max()) + 1)
    table = topic_prevalence(topics.model, reports, years=years)
    matrix = table.pivot_table(index="label", columns="year", values="prevalence", dropna=False, sort=False)
    matrix = matrix.reindex(index=topics.model.labels_, columns=list(years))
    return TopicPrevalence(topics, table, matrix, intermittent)


# ------------------------------------------------------------------ the target's topic mix

@dataclass
class TargetMix:
    """Topic shares (``table``: ``group, label, share, topic``) of the target as a whole, of each of
    its sections (when it has at most 12) and of the ``latest_ids`` reference documents, in ``order``."""

    topics: TopicFit = field(repr=False)
    table: pd.DataFrame
    order: list
    latest_ids: list
    target_topics: pd.DataFrame = field(repr=False)  # the target's rows of doc_topics

    @property
    def whole(self) -> str:
        return f"{self.topics.data.study.short_label} (whole)"

    def plot(self):
        """Stacked bars of the groups' topic shares (:func:`analysis.viz.topics.plot_topic_mix`), with its caption."""
        from ..viz.topics import plot_topic_mix
        d = self.topics.data
        ax = plot_topic_mix(self.table, "group", order=self.order, title=f"Topic mix of {d.study.short_label}, by "
                            "section, beside the latest reference documents")
        return _caption(ax.figure, f"Topic shares (length-weighted) from the {self.topics.method.upper()} model fitted on "
                        f"the paragraphs of the {d.study.reference_label} and of {d.study.short_label}. Shares below 8% "
                        "are not labelled"
                        + ("; the topics beyond the nine largest on average are added up as \"other topics\" (grey)."
                           if self.topics.n_topics > 9 else ".")
                        + f" Filter: {d.filter}.")

    def top(self, group: str, n: int = 3) -> str:
        """'label (share%), …' of the ``n`` largest topics of ``group``."""
        part = self.table[self.table["group"] == group].nlargest(n, "share")
        return term_list(part["label"] + " (" + (part["share"] * 100).round(0).astype(int).astype(str) + "%)")

    def describe(self) -> str:
        study = self.topics.data.study
        return (f"**How to read it.** Each bar is one text or part, divided into the topics' shares. {study.title_name} as "
                f"a whole draws most on {self.top(self.whole)}; "
                + "; ".join(f"{g}: {self.top(g)}" for g in self.latest_ids)
                + ". The model is learned almost entirely from the reference documents: a target whose subject lies "
                  "outside their agenda is described through borrowed topics, so read the mix as where the target "
                  "touches the reference's agenda. The table below shows where each paragraph of the target lands.")

    def paragraphs(self, width: int = 40) -> pd.DataFrame:
        """Each paragraph of the target with its dominant topic and that topic's share (text cut to
        ``width`` characters): ``paragraph, section, n_tokens, dominant, share, text``."""
        dt, labels = self.target_topics, self.topics.model.labels_
        return dt.assign(dominant=dt[labels].idxmax(axis=1), share=dt[labels].max(axis=1).round(2))[
            ["paragraph", "section", "n_tokens", "dominant", "share"]].assign(
            text=self.topics.data.paras.loc[dt.index, "text"].str[:width] + "…")


def target_mix(topics: TopicFit, latest: int = 2, max_sections: int = 12) -> TargetMix:
    """The topic mix (:func:`analysis.topics.model.topic_mix`) of the target as a whole and by section
    (when it has at most ``max_sections``), beside its ``latest`` reference documents."""
    dt, label = topics.doc_topics, topics.data.study.short_label
    target_dt = dt[dt["doc_id"] == topics.data.study.target].copy()
    target_dt["group"] = f"{label} · " + target_dt["section"].map(lambda s: section_label(s) if s else "（开场）")
    whole = target_dt.assign(group=f"{label} (whole)")
    reports = dt[dt["doc_id"] != topics.data.study.target]
    latest_ids = list(dict.fromkeys(reports.sort_values("year")["doc_id"]))[-latest:]
    recent = reports[reports["doc_id"].isin(latest_ids)].assign(group=lambda t: t["doc_id"])
    sections = target_dt if target_dt["group"].nunique() <= max_sections else target_dt.iloc[:0]
    groups = pd.concat([whole, sections, recent], ignore_index=True)
    order = list(dict.fromkeys(groups["group"]))
    return TargetMix(topics, topic_mix(topics.model, groups, by="group"), order, latest_ids, target_dt)
