"""Choosing the number of topics: NPMI coherence, stability across seeds, and the K-selection grid.

Coherence is NPMI over a boolean sliding window of 10 tokens (Röder, Both & Hinneburg 2015;
gensim's ``c_npmi``): for every pair of a topic's top words, with window probabilities,
``NPMI = log(p(wi, wj) + ε) / (p(wi) p(wj)) / −log(p(wi, wj) + ε)``, averaged over ordered
pairs and then over topics.  (gensim's incremental window update can drop a word that is
still inside the window after a slide; this module counts each window exactly, so on real
text the two differ in the third decimal.)  :class:`WindowCounts` counts the windows once, for
every word of every topic to be scored, so a K grid pays for one pass over the texts.

Stability: the same K fitted with several seeds, each seed drawing its own random subsample
of the documents (80% by default) and seeding the model; topics of each pair of runs are
matched one-to-one (Hungarian algorithm) on the Jaccard overlap of their top words, and the
mean matched overlap is the stability (Greene, O'Callaghan & Cunningham 2014).  Subsampling
matters: NMF's default NNDSVD initialisation is deterministic, so without it every seed would
give the same topics and the stability would say nothing.

:func:`select_k` fits the grid in parallel on the package's worker pool
(:mod:`analysis._util.pool`): each seed's subsample is counted once (the vocabulary does not
depend on K), every (method, K, seed) fit is one task, the longest first, and each worker uses
one BLAS thread.  A fit is the same computation as :meth:`TopicModel.fit` on that subsample, so
the table is the one a serial run gives (``n_jobs=1`` runs in this process).
"""

from __future__ import annotations

import hashlib
import itertools
import time
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.optimize import linear_sum_assignment
from sklearn.feature_extraction.text import TfidfTransformer

from .._util import check
from .._util.atomic import atomic_write
from .._util.pool import executor, worker_count
from .._util.progress import progress
from ..errors import InputError
from .model import EPSILON, TopicModel, check_n_topics, corpus_hash, fit_matrix, make_vectorizer, top_words

# -------------------------------------------------------------------- coherence


class WindowCounts:
    """Boolean sliding-window counts of ``words`` over ``texts``: how many windows of ``window``
    tokens hold each word and each pair (a text shorter than the window is one window)."""

    def __init__(self, texts: Sequence[Sequence[str]], words: Iterable[str], *, window: int = 10):
        texts = check.token_lists(texts, "texts", "WindowCounts")
        check.integer(window, "window", "WindowCounts", minimum=1)
        self.vocab = {w: i for i, w in enumerate(dict.fromkeys(words))}
        rows, cols, n_windows = [], [], 0
        for text in texts:
            length = len(text)
            ids = np.fromiter((self.vocab.get(t, -1) for t in text), dtype=np.int64, count=length)
            pos = np.flatnonzero(ids >= 0)
            if length < window:
                lo = hi = np.zeros(len(pos), dtype=np.int64)
            else:
                lo, hi = np.maximum(0, pos - window + 1), np.minimum(pos, length - window)
            counts = hi - lo + 1
            starts = np.repeat(lo - np.cumsum(counts) + counts, counts)  # each entry's window: lo + its rank
            rows.append(n_windows + starts + np.arange(counts.sum()))
            cols.append(np.repeat(ids[pos], counts))
            n_windows += 1 if length < window else length - window + 1
        if n_windows == 0:
            raise InputError("no texts to compute coherence on")
        rows = np.concatenate(rows) if rows else np.zeros(0, np.int64)
        cols = np.concatenate(cols) if cols else np.zeros(0, np.int64)
        presence = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n_windows, len(self.vocab)))
        presence.sum_duplicates()
        presence.data[:] = 1.0  # a word twice in one window: present once
        self.n_windows = n_windows
        self.co = (presence.T @ presence).toarray()
        self.p = np.diag(self.co) / n_windows

    def npmi(self, topics: Sequence[Sequence[str]]) -> np.ndarray:
        """NPMI coherence of each topic (list of top words, each counted here)."""
        scores = []
        for topic in topics:
            idx = [self.vocab[w] for w in topic]
            vals = []
            for i, j in itertools.permutations(idx, 2):
                pij = self.co[i, j] / self.n_windows
                with np.errstate(divide="ignore"):
                    vals.append(np.log((pij + EPSILON) / (self.p[i] * self.p[j])) / -np.log(pij + EPSILON))
            scores.append(float(np.mean(vals)))
        return np.array(scores)


def npmi_coherence(topics: Sequence[Sequence[str]], texts: Sequence[Sequence[str]], *, window: int = 10) -> np.ndarray:
    """NPMI coherence of each topic (list of top words) over ``texts`` with a boolean sliding window."""
    topics = check.token_lists(topics, "topics", "npmi_coherence")
    texts = check.token_lists(texts, "texts", "npmi_coherence")
    check.integer(window, "window", "npmi_coherence", minimum=1)
    return WindowCounts(texts, (w for t in topics for w in t), window=window).npmi(topics)


def stability(runs: Sequence[Sequence[Sequence[str]]]) -> float:
    """Mean matched Jaccard overlap of top words between every pair of runs (1 = identical topics)."""
    if len(runs) < 2:
        return float("nan")
    values = []
    for a, b in itertools.combinations(runs, 2):
        sim = np.array([[len(set(x) & set(y)) / len(set(x) | set(y)) for y in b] for x in a])
        r, c = linear_sum_assignment(-sim)
        values.append(sim[r, c].mean())
    return float(np.mean(values))


# -------------------------------------------------------------------- the K grid

def _fit_task(method: str, k: int, seed: int, matrix, terms: np.ndarray, options: dict) -> tuple[list, float]:
    """One fit of the grid (in a worker): the top words and the seconds the estimator took."""
    from threadpoolctl import threadpool_limits
    model = TopicModel(method, k, random_state=seed, **options)
    estimator = model._estimator()
    with threadpool_limits(limits=1):
        start = time.perf_counter()
        estimator.fit(matrix)
        seconds = time.perf_counter() - start
    return top_words(terms, estimator.components_, model.top_n), seconds


def _cost(method: str, k: int) -> float:
    """A rough relative cost, to start the longest fits first (LDA's batch E-step dominates)."""
    return (50.0 if method == "lda" else 0.0) + k


def select_k(token_lists: Sequence[Sequence[str]], ks: Iterable[int], *, methods: Sequence[str] = ("nmf",),
             seeds: Sequence[int] = (0, 1, 2), coherence_texts: Sequence[Sequence[str]] | None = None,
             subsample: float = 0.8, cache_dir: Path | str | None = None, n_jobs: int | None = None,
             **options) -> pd.DataFrame:
    """Fit every (method, K, seed), each seed on its own random ``subsample`` of the documents;
    score coherence (NPMI over ``coherence_texts``, default all the documents) and stability
    across seeds.

    Columns: ``method, k, coherence`` (mean over seeds), ``coherence_sd``, ``stability``,
    ``fit_seconds`` (mean per fit), ``recommended`` (see :func:`recommend_k`).  With
    ``cache_dir`` the table is stored, keyed on the corpus and every argument, and reused.
    ``n_jobs``: worker processes (None: every core; 1: fit in this process).
    """
    token_lists = check.token_lists(token_lists, "token_lists", "select_k")
    ks = list(ks)
    for k in ks:
        check_n_topics(k)
    if isinstance(subsample, bool) or not isinstance(subsample, (int, float)) or not 0 < subsample <= 1:
        raise check.fail("select_k", "subsample", "a share of the documents in (0, 1]", subsample)
    check.integer(n_jobs, "n_jobs", "select_k", minimum=1, none=True)
    texts = check.token_lists(coherence_texts, "coherence_texts", "select_k") if coherence_texts is not None else token_lists
    path = None
    if cache_dir is not None:
        key = hashlib.sha256(repr((corpus_hash(token_lists), corpus_hash(texts), ks, list(methods), list(seeds),
                                   subsample, sorted(options.items()))).encode()).hexdigest()[:24]
        path = Path(cache_dir) / f"select-k-{key}.csv"
        if path.exists():
            return pd.read_csv(path)
    models = [TopicModel(method, max(ks, default=2), **options) for method in methods]
    for model in models:
        model._check_params()
    matrices = _subsample_matrices(token_lists, models, seeds, subsample)
    tasks = sorted(((m, k, s) for m in methods for k in ks for s in seeds), key=lambda t: -_cost(t[0], t[1]))
    results = _run_fits(tasks, matrices, options, n_jobs)
    counts = WindowCounts(texts, (w for words, _ in results.values() for topic in words for w in topic))
    rows = []
    for method in methods:
        for k in ks:
            runs = [results[(method, k, s)][0] for s in seeds]
            scores = [counts.npmi(words).mean() for words in runs]
            seconds = [results[(method, k, s)][1] for s in seeds]
            rows.append((method, k, float(np.mean(scores)), float(np.std(scores)), stability(runs),
                         float(np.mean(seconds))))
    table = pd.DataFrame(rows, columns=["method", "k", "coherence", "coherence_sd", "stability", "fit_seconds"])
    table = mark_recommended(table)
    if path is not None:
        atomic_write(path, lambda fh: fh.write(table.to_csv(index=False).encode("utf-8")))
    return table


def _subsample_matrices(token_lists, models: Sequence[TopicModel], seeds, subsample: float) -> dict:
    """``(method, seed) → (matrix, terms)``: each seed's subsample vectorised as :meth:`TopicModel.fit`
    does it (counts for LDA, TF-IDF of the same counts for NMF; the same errors, for the largest K)."""
    docs = [list(t) for t in token_lists]
    size = max(1, int(round(subsample * len(docs))))
    first = models[0] if models else TopicModel()
    out = {}
    for seed in seeds:
        rng = np.random.default_rng(seed)
        sample = [docs[i] for i in sorted(rng.choice(len(docs), size=size, replace=False))]
        vectorizer = make_vectorizer("lda", first.min_df, first.max_df)  # counts
        counts = fit_matrix(vectorizer, sample, first.n_topics)
        terms = vectorizer.get_feature_names_out()
        for model in models:
            matrix = TfidfTransformer().fit_transform(counts) if model.method == "nmf" else counts
            out[(model.method, seed)] = (matrix, terms)
    return out


def _run_fits(tasks, matrices, options: dict, n_jobs: int | None) -> dict:
    """``(method, k, seed) → (top words, seconds)`` for every task, on the worker pool."""
    n_workers = worker_count(n_jobs, len(tasks))
    desc = "fitting topic models (method, K, seed)"
    if n_workers <= 1:
        return {t: _fit_task(*t, *matrices[(t[0], t[2])], options) for t in progress(tasks, desc=desc)}
    pool = executor(n_workers)
    futures = {pool.submit(_fit_task, *t, *matrices[(t[0], t[2])], options): t for t in tasks}
    from concurrent.futures import as_completed
    results = {}
    for future in progress(as_completed(futures), total=len(futures), desc=desc):
        results[futures[future]] = future.result()
    return results


def recommend_k(table: pd.DataFrame, *, min_stability: float = 0.6) -> pd.Series:
    """The (method, K) with the highest coherence among those whose stability reaches
    ``min_stability`` (all of them when none does)."""
    stable = table[table["stability"].fillna(1) >= min_stability]
    pool = stable if len(stable) else table
    return pool.sort_values(["coherence", "k"], ascending=[False, True]).iloc[0]


def mark_recommended(table: pd.DataFrame, **options) -> pd.DataFrame:
    """The K-selection table with a ``recommended`` column flagging :func:`recommend_k`'s choice
    (use it after concatenating the tables of several :func:`select_k` runs)."""
    best = recommend_k(table, **options)
    return table.assign(recommended=(table["method"] == best["method"]) & (table["k"] == best["k"]))


# -------------------------------------------------------------------- is one K really better?

def coherence_ties(table: pd.DataFrame, *, n_sd: float = 1.0) -> pd.DataFrame:
    """For a :func:`select_k` table: per method, the K with the highest mean coherence
    (``best_k``), each K's difference from it (``diff_from_best``), whether that difference is
    within the seeds' spread (``within_spread``: |diff| ≤ ``n_sd`` × the larger of the two
    standard deviations over seeds), and whether the best K lies at an end of the range tried
    (``best_at_edge``: the range does not bracket the optimum, so a larger or smaller K might do
    better).  Several K within the spread of the best mean the coherence cannot choose between them.
    """
    for col in ("method", "k", "coherence", "coherence_sd"):
        if col not in table:
            raise InputError(f"the K-selection table has no {col!r} column")
    out = []
    for method, group in table.groupby("method", sort=False):
        group = group.sort_values("k").copy()
        best = group.loc[group["coherence"].idxmax()]
        group["best_k"] = int(best["k"])
        group["diff_from_best"] = group["coherence"] - best["coherence"]
        spread = n_sd * np.maximum(group["coherence_sd"].to_numpy(), best["coherence_sd"])
        group["within_spread"] = np.abs(group["diff_from_best"].to_numpy()) <= spread
        group["best_at_edge"] = best["k"] in (group["k"].min(), group["k"].max())
        out.append(group)
    return pd.concat(out).reset_index(drop=True)
