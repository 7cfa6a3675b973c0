"""Topic models over paragraphs: LDA and NMF (scikit-learn), coherence, stability, prevalence.

Documents are paragraphs (from :mod:`analysis.structure`): a few dozen long reports give too
few documents, and one speech gives one.

:class:`TopicModel` follows scikit-learn's estimator contract: no logic in ``__init__``,
``fit`` returns ``self``, learned attributes end in ``_``, every stochastic step takes the
integer ``random_state``.  A fitted model records the corpus (a hash of its token lists),
the options and the seed it came from (``provenance_``), and is saved and loaded whole.

Coherence, stability and the choice of K are in :mod:`analysis.topics.selection`.
"""

from __future__ import annotations

import hashlib
import json
import time
import warnings
import zipfile
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.decomposition import NMF, LatentDirichletAllocation
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

from .._util import check
from .._util.atomic import atomic_write
from ..counts.dtm import identity
from ..errors import CacheError, CacheWarning, InputError

METHODS = ("nmf", "lda")
ROWS_PER_BLOCK = 512  # reconstruction_error: documents made dense at once
EPSILON = 1e-12


def corpus_hash(token_lists: Iterable[Sequence[str]]) -> str:
    digest = hashlib.sha256()
    for toks in token_lists:
        digest.update("\x1f".join(toks).encode("utf-8"))
        digest.update(b"\x1e")
    return digest.hexdigest()


def make_vectorizer(method: str, min_df: int | float, max_df: float):
    """The vectorizer a topic model of ``method`` fits on pre-segmented token lists: TF-IDF weights
    for NMF, counts for LDA."""
    kwargs = dict(analyzer=identity, lowercase=False, min_df=min_df, max_df=max_df)
    return TfidfVectorizer(**kwargs) if method == "nmf" else CountVectorizer(**kwargs)


def fit_matrix(vectorizer, docs: Sequence[Sequence[str]], n_topics: int):
    """``vectorizer.fit_transform(docs)``, refused as :class:`InputError` when there are fewer documents
    than topics, no term survives the filters, or fewer terms than topics."""
    if len(docs) < n_topics:
        raise InputError(f"too few documents ({len(docs)}) for {n_topics} topics")
    try:
        matrix = vectorizer.fit_transform(docs)
    except ValueError as exc:
        raise InputError(f"empty vocabulary after filtering (min_df={vectorizer.min_df}, max_df={vectorizer.max_df}): "
                         f"{exc}") from exc
    if matrix.shape[1] < n_topics:
        raise InputError(f"n_topics={n_topics} is more than the {matrix.shape[1]} terms left after filtering")
    return matrix


def check_n_topics(n_topics) -> None:
    if not isinstance(n_topics, (int, np.integer)) or n_topics < 2:
        raise InputError(f"n_topics must be an integer of at least 2, got {n_topics!r}")


def top_words(terms: np.ndarray, components: np.ndarray, n: int) -> list[list[str]]:
    """The ``n`` heaviest terms of each topic (row of ``components``), heaviest first."""
    return [list(terms[np.argsort(-row, kind="stable")[:n]]) for row in components]


class TopicModel:
    """LDA or NMF over pre-segmented documents.

    Parameters: ``method`` ("nmf" on TF-IDF weights, "lda" on counts), ``n_topics``,
    ``random_state``, vocabulary filters ``min_df`` / ``max_df`` (as in scikit-learn's
    vectorizers), ``max_iter``, ``top_n`` (words that describe a topic).

    Learned: ``vectorizer_``, ``model_``, ``terms_``, ``components_`` (topics × terms),
    ``labels_`` (editable, default the top three words), ``provenance_``, ``fit_seconds_``.
    """

    def __init__(self, method: str = "nmf", n_topics: int = 10, *, random_state: int = 0, min_df: int | float = 5,
                 max_df: float = 0.5, max_iter: int | None = None, top_n: int = 10):
        self.method = method
        self.n_topics = n_topics
        self.random_state = random_state
        self.min_df = min_df
        self.max_df = max_df
        self.max_iter = max_iter
        self.top_n = top_n

    def get_params(self) -> dict:
        return {k: getattr(self, k) for k in ("method", "n_topics", "random_state", "min_df", "max_df", "max_iter", "top_n")}

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"TopicModel({params})"

    # ---------------------------------------------------------------- fitting
    def _vectorizer(self):
        return make_vectorizer(self.method, self.min_df, self.max_df)

    def _estimator(self):
        if self.method == "nmf":
            return NMF(n_components=self.n_topics, init="nndsvda", random_state=self.random_state,
                       max_iter=self.max_iter or 1000)
        return LatentDirichletAllocation(n_components=self.n_topics, learning_method="batch",
                                         random_state=self.random_state, max_iter=self.max_iter or 20)

    def _check_params(self) -> None:
        if self.method not in METHODS:
            raise InputError(f"unknown method {self.method!r}; choose one of {METHODS}")
        check_n_topics(self.n_topics)
        check.integer(self.random_state, "random_state", "TopicModel", minimum=None)
        check.integer(self.max_iter, "max_iter", "TopicModel", minimum=1, none=True)
        check.integer(self.top_n, "top_n", "TopicModel", minimum=1)
        for name in ("min_df", "max_df"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) or value <= 0 \
                    or (isinstance(value, (float, np.floating)) and value > 1):
                raise check.fail("TopicModel", name, "a document count (an integer ≥ 1) or a share in (0, 1]", value)

    def fit(self, token_lists: Sequence[Sequence[str]]) -> "TopicModel":
        self._check_params()
        docs = [list(t) for t in check.token_lists(token_lists, "token_lists", "TopicModel.fit")]
        vectorizer = self._vectorizer()
        matrix = fit_matrix(vectorizer, docs, self.n_topics)
        model = self._estimator()
        start = time.perf_counter()
        model.fit(matrix)
        self.fit_seconds_ = time.perf_counter() - start
        self.vectorizer_, self.model_ = vectorizer, model
        self.terms_ = vectorizer.get_feature_names_out()
        self.components_ = model.components_
        self.labels_ = ["/".join(words[:3]) for words in self.top_words()]
        import sklearn
        self.provenance_ = {"corpus_sha256": corpus_hash(docs), "n_documents": len(docs), "n_terms": len(self.terms_),
                            "params": self.get_params(), "scikit_learn": sklearn.__version__}
        return self

    def transform(self, token_lists: Sequence[Sequence[str]]) -> np.ndarray:
        """Topic proportions of documents (rows sum to 1; an empty row stays 0)."""
        docs = [list(t) for t in check.token_lists(token_lists, "token_lists", "TopicModel.transform")]
        weights = self.model_.transform(self.vectorizer_.transform(docs))
        sums = weights.sum(axis=1, keepdims=True)
        return np.divide(weights, sums, out=np.zeros_like(weights), where=sums > 0)

    # ---------------------------------------------------------------- describing
    def top_words(self, n: int | None = None) -> list[list[str]]:
        return top_words(self.terms_, self.components_, n or self.top_n)

    def topic_table(self, n: int | None = None) -> pd.DataFrame:
        """One row per topic: ``topic, label, top_words`` (space-separated)."""
        return pd.DataFrame({"topic": range(self.n_topics), "label": self.labels_,
                             "top_words": [" ".join(w) for w in self.top_words(n)]})

    def term_weights(self, n: int | None = None) -> pd.DataFrame:
        """Tidy: ``topic, label, rank, term, weight`` (weight normalised to sum 1 per topic)."""
        rows = []
        norm = self.components_ / self.components_.sum(axis=1, keepdims=True)
        for k, words in enumerate(self.top_words(n)):
            idx = [int(np.flatnonzero(self.terms_ == w)[0]) for w in words]
            rows += [(k, self.labels_[k], r + 1, w, norm[k, i]) for r, (w, i) in enumerate(zip(words, idx))]
        return pd.DataFrame(rows, columns=["topic", "label", "rank", "term", "weight"])

    def set_labels(self, labels: dict[int, str] | Sequence[str]) -> "TopicModel":
        """Give topics readable labels (``{0: "经济增长", …}`` or a full list)."""
        if isinstance(labels, dict):
            for k, v in labels.items():
                if not 0 <= k < self.n_topics:
                    raise InputError(f"no topic {k}; topics are 0-{self.n_topics - 1}")
                self.labels_[k] = v
        else:
            if len(labels) != self.n_topics:
                raise InputError(f"{len(labels)} labels for {self.n_topics} topics")
            self.labels_ = list(labels)
        return self

    def label_by_words(self, labels: dict[str, str]) -> list[str]:
        """Label topics by their top word (``{"农业": "三农", …}``), robust to topic order;
        return the keys that matched no topic (their labels were not used)."""
        unused = set(labels)
        for k, words in enumerate(self.top_words(1)):
            if words[0] in labels:
                self.labels_[k] = labels[words[0]]
                unused.discard(words[0])
        return sorted(unused)

    # ---------------------------------------------------------------- persistence
    def save(self, path: Path | str) -> Path:
        """Write the fitted model as a ``.npz`` of plain arrays plus a JSON header (no pickle).

        The header holds the options, labels, provenance, the estimator's scalar state and
        the sha256 of the arrays; the file is written under a unique temporary name in the
        same folder and renamed into place (:func:`analysis.atomic.atomic_write`), so a reader
        never sees half a file, two processes saving the same model do not collide, and the
        temporary file of a killed process is removed by the next save.
        """
        path = Path(path)
        arrays = {"terms": np.asarray(self.terms_, dtype=str)}
        for name, value in vars(self.model_).items():
            if isinstance(value, np.ndarray):
                arrays[f"model.{name}"] = value
        if self.method == "nmf":
            arrays["idf"] = self.vectorizer_.idf_
        header = {"format": MODEL_FORMAT, "version": MODEL_VERSION, "params": self.get_params(),
                  "labels": list(self.labels_), "provenance": self.provenance_, "fit_seconds": self.fit_seconds_,
                  "model_state": _scalar_state(self.model_), "arrays_sha256": _arrays_sha256(arrays)}
        arrays["header"] = np.array(json.dumps(header, ensure_ascii=False, sort_keys=True))
        return atomic_write(path, lambda fh: np.savez(fh, **arrays))

    @staticmethod
    def load(path: Path | str) -> "TopicModel":
        """Read a model written by :meth:`save`; anything else is a :class:`CacheError` naming the file.

        Nothing in the file is executed: arrays are read with ``allow_pickle=False`` and
        checked against the header's sha256.
        """
        path = Path(path)
        try:
            with np.load(path, allow_pickle=False) as npz:
                arrays = {name: npz[name] for name in npz.files}
        except FileNotFoundError:
            raise CacheError(f"{path}: no such file") from None
        except (OSError, ValueError, EOFError, zipfile.BadZipFile, AttributeError, TypeError) as exc:
            raise CacheError(f"{path}: not a saved TopicModel (truncated, corrupt or another kind of file: "
                             f"{type(exc).__name__}: {exc}); delete it and fit the model again") from None
        return TopicModel._from_arrays(arrays, path)

    @staticmethod
    def _from_arrays(arrays: dict, path: Path) -> "TopicModel":
        try:
            header = json.loads(str(arrays.pop("header")))
            ok = header.get("format") == MODEL_FORMAT
        except (KeyError, ValueError, AttributeError):
            ok = False
        if not ok:
            raise CacheError(f"{path}: not a saved TopicModel (no {MODEL_FORMAT} header); delete it and fit again")
        if header.get("version") != MODEL_VERSION:
            raise CacheError(f"{path}: saved by another version of the package (format {header.get('version')}, "
                             f"this one reads {MODEL_VERSION}); fit the model again")
        if _arrays_sha256(arrays) != header.get("arrays_sha256"):
            raise CacheError(f"{path}: its arrays do not match the sha256 in its header (corrupt); fit the model again")
        model = TopicModel(**header["params"])
        model.vectorizer_ = model._vectorizer()
        model.terms_ = arrays["terms"].astype(object)
        model.vectorizer_.vocabulary_ = {term: i for i, term in enumerate(model.terms_)}
        model.vectorizer_.fixed_vocabulary_ = False
        if model.method == "nmf":
            model.vectorizer_.idf_ = arrays["idf"]
        model.model_ = model._estimator()
        for name, value in header["model_state"].items():
            setattr(model.model_, name, value)
        for name, value in arrays.items():
            if name.startswith("model."):
                setattr(model.model_, name[len("model."):], value)
        model.components_ = model.model_.components_
        model.labels_ = list(header["labels"])
        model.provenance_ = header["provenance"]
        model.fit_seconds_ = header["fit_seconds"]
        return model


MODEL_FORMAT = "analysis.TopicModel"
MODEL_VERSION = 1


def _scalar_state(estimator) -> dict:
    """The estimator's learned state that is not an array (``n_iter_``, ``_beta_loss``, …), as JSON values."""
    params = estimator.get_params()
    state = {}
    for name, value in vars(estimator).items():
        if name in params or isinstance(value, (np.ndarray, np.random.RandomState)):
            continue
        if isinstance(value, np.generic):
            value = value.item()
        if not isinstance(value, (int, float, str, bool, type(None))):
            raise TypeError(f"cannot save {type(estimator).__name__}.{name} of type {type(value).__name__}")
        state[name] = value
    return state


def _arrays_sha256(arrays: dict) -> str:
    digest = hashlib.sha256()
    for name in sorted(arrays):
        value = np.ascontiguousarray(arrays[name])
        digest.update(f"{name}|{value.dtype.str}|{value.shape}|".encode())
        digest.update(value.tobytes())
    return digest.hexdigest()


def fit_cached(model: TopicModel, token_lists: Sequence[Sequence[str]], cache_dir: Path | str) -> TopicModel:
    """Fit ``model``, or load the model fitted earlier on the same corpus with the same options.

    A cached file that cannot be read (truncated, corrupt, foreign, another version) or
    that was fitted on other documents is named in a :class:`CacheWarning`, and the
    model is fitted again and the file replaced.
    """
    token_lists = check.token_lists(token_lists, "token_lists", "fit_cached")
    model._check_params()
    corpus = corpus_hash(token_lists)
    key = hashlib.sha256((corpus + repr(sorted(model.get_params().items()))).encode()).hexdigest()[:24]
    path = Path(cache_dir) / f"topics-{model.method}-k{model.n_topics}-{key}.npz"
    if path.exists():
        try:
            cached = TopicModel.load(path)
        except CacheError as exc:
            warnings.warn(f"{exc}; fitting it again", CacheWarning, stacklevel=2)
        else:
            if cached.provenance_.get("corpus_sha256") == corpus and cached.get_params() == model.get_params():
                return cached
            warnings.warn(f"{path}: fitted on other documents or options; fitting it again", CacheWarning, stacklevel=2)
    model.fit(token_lists)
    model.save(path)
    return model


# -------------------------------------------------------------------- where topics are

def document_topics(model: TopicModel, paragraphs: pd.DataFrame) -> pd.DataFrame:
    """Topic proportions of each paragraph, beside its ``doc_id, collection, year, section, paragraph, n_tokens``."""
    theta = model.transform(paragraphs["tokens"])
    meta = paragraphs[["doc_id", "collection", "year", "section", "paragraph", "n_tokens"]].reset_index(drop=True)
    return pd.concat([meta, pd.DataFrame(theta, columns=model.labels_)], axis=1)


def _weighted_mix(doc_topics: pd.DataFrame, labels: Sequence[str], by: str | list[str]) -> pd.DataFrame:
    weights = doc_topics["n_tokens"].astype(float)
    weighted = doc_topics[list(labels)].mul(weights, axis=0)
    keys = doc_topics[by] if isinstance(by, str) else [doc_topics[b] for b in by]
    sums = weighted.groupby(keys, sort=False).sum()
    totals = weights.groupby(keys, sort=False).sum()
    return sums.div(totals.replace(0, np.nan), axis=0)


def topic_prevalence(model: TopicModel, doc_topics: pd.DataFrame, *, years: Sequence[int] | None = None) -> pd.DataFrame:
    """Share of each topic per year (paragraph proportions weighted by paragraph length).

    Tidy: ``topic, label, year, prevalence, n_tokens``; years without documents are gaps (NaN).
    """
    with_year = doc_topics[doc_topics["year"].notna()]
    mix = _weighted_mix(with_year, model.labels_, "year")
    mix.index = mix.index.astype(int)
    tokens = with_year.groupby("year")["n_tokens"].sum()
    tokens.index = tokens.index.astype(int)
    years = list(years) if years is not None else list(range(mix.index.min(), mix.index.max() + 1))
    mix = mix.reindex(years)
    long = mix.reset_index(names="year").melt(id_vars="year", var_name="label", value_name="prevalence")
    long["topic"] = long["label"].map({l: i for i, l in enumerate(model.labels_)})
    long["n_tokens"] = long["year"].map(tokens).astype("Int64")
    return long[["topic", "label", "year", "prevalence", "n_tokens"]]


def topic_mix(model: TopicModel, doc_topics: pd.DataFrame, by: str | list[str] = "doc_id") -> pd.DataFrame:
    """Topic shares per document, section or any grouping (length-weighted), tidy:
    ``<by>, topic, label, share``."""
    mix = _weighted_mix(doc_topics, model.labels_, by)
    names = [by] if isinstance(by, str) else by
    long = mix.reset_index(names=names).melt(id_vars=names, var_name="label", value_name="share")
    long["topic"] = long["label"].map({l: i for i, l in enumerate(model.labels_)})
    return long


def representative_paragraphs(model: TopicModel, doc_topics: pd.DataFrame, paragraphs: pd.DataFrame, *,
                              n: int = 3, min_tokens: int = 15) -> pd.DataFrame:
    """For each topic, the ``n`` paragraphs with the highest share of it (at least ``min_tokens`` long):
    ``topic, label, share, doc_id, year, section, text``."""
    rows = []
    texts = paragraphs["text"].reset_index(drop=True)
    eligible = doc_topics["n_tokens"] >= min_tokens
    for k, label in enumerate(model.labels_):
        top = doc_topics[eligible].nlargest(n, label)
        for i, row in top.iterrows():
            rows.append((k, label, row[label], row["doc_id"], row["year"], row["section"], texts[i]))
    return pd.DataFrame(rows, columns=["topic", "label", "share", "doc_id", "year", "section", "text"])


# -------------------------------------------------------------------- how well a model fits a document

def _token_lists(token_docs) -> tuple[list[list[str]], pd.Index]:
    """Token lists and row labels from a segmented-documents (or paragraph) table or a sequence of lists."""
    if isinstance(token_docs, pd.DataFrame):
        labels = pd.Index(token_docs["doc_id"] if "doc_id" in token_docs else token_docs.index, name="doc_id")
        return [list(t) for t in token_docs["tokens"]], labels
    if isinstance(token_docs, pd.Series):
        return [list(t) for t in token_docs], pd.Index(token_docs.index, name="doc_id")
    docs = [list(t) for t in check.token_lists(token_docs, "token_docs")]
    return docs, pd.RangeIndex(len(docs), name="doc_id")


def oov_share(model: TopicModel, token_docs) -> pd.DataFrame:
    """How much of each document the topic model cannot see: ``doc_id, n_tokens, n_oov, oov_share``.

    A token is out of vocabulary when it is not one of the model's terms — either rare in the
    training documents (below ``min_df``), too common (above ``max_df``), or absent.  A document
    with a large share (a speech of another genre than the reports the model was fitted on) is
    described by the few words the model knows, and its topic proportions say less.
    ``token_docs`` is a segmented-documents or paragraph table (labels from ``doc_id``) or a
    sequence of token lists.
    """
    docs, labels = _token_lists(token_docs)
    vocab = model.vectorizer_.vocabulary_
    n_tokens = np.array([len(d) for d in docs])
    n_oov = np.array([sum(t not in vocab for t in d) for d in docs])
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(n_tokens > 0, n_oov / np.maximum(n_tokens, 1), np.nan)
    return pd.DataFrame({"doc_id": labels, "n_tokens": n_tokens, "n_oov": n_oov, "oov_share": share})


def reconstruction_error(model: TopicModel, token_docs) -> pd.DataFrame:
    """Relative reconstruction error of each document in the model's term space:
    ``doc_id, n_in_vocab, reconstruction_error`` = ‖x − θ·H‖ / ‖x‖ (Frobenius norm of the row).

    NMF: x is the document's TF-IDF row as the model's vectorizer weights it, θ·H its
    approximation by the fitted factors (``model_.transform`` then ``components_``), the quantity
    NMF minimises (Lee & Seung 2001).  LDA: x is the document's term proportions, θ its topic
    proportions and H the topics' term distributions (``components_`` normalised per topic).
    0 means the topics rebuild the document exactly; values near 1 mean they explain little of
    it.  Missing for a document with no in-vocabulary token.
    """
    docs, labels = _token_lists(token_docs)
    x = sp.csr_matrix(model.vectorizer_.transform(docs), dtype=float)
    if model.method == "nmf":
        theta, topics = model.model_.transform(x), model.components_
    else:
        theta = model.model_.transform(x)  # from counts, as the model was fitted
        sums = np.asarray(x.sum(axis=1)).ravel()
        x = sp.csr_matrix(sp.diags(1 / np.where(sums > 0, sums, 1)) @ x)
        topics = model.components_ / model.components_.sum(axis=1, keepdims=True)
    norms, residuals = np.zeros(x.shape[0]), np.zeros(x.shape[0])
    for start in range(0, x.shape[0], ROWS_PER_BLOCK):  # documents × terms dense one block at a time
        rows = slice(start, start + ROWS_PER_BLOCK)
        dense = x[rows].toarray()
        norms[rows] = np.linalg.norm(dense, axis=1)
        residuals[rows] = np.linalg.norm(dense - theta[rows] @ topics, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        error = np.where(norms > 0, residuals / norms, np.nan)
    return pd.DataFrame({"doc_id": labels, "n_in_vocab": np.asarray((x > 0).sum(axis=1)).ravel(),
                         "reconstruction_error": error})

