"""Leave-out evaluation of term learning: do removed lexicon terms come back whole, and is the rest junk?

Recall.  Take the shipped lexicon's multi-character terms that are worth testing (three
characters or more, or split by jieba's base dictionary: a two-character term jieba keeps
whole is not a test), remove a random 30% (``random.Random(seed)``), learn terms from the
reference corpus with the reduced lexicon (:func:`analysis.learn.learn_terms`), segment the
corpus with reduced lexicon + learned terms, and count a removed term as recovered when it
is kept whole (no token boundary inside it; inside a longer token counts) in the majority of
its occurrences; ``strict`` counts those kept whole in every occurrence.  Only removed terms
that occur ``min_count`` times or more can be learned, so recall is over those.  Reported
twice: over every such term, and over the *informative* ones, which jieba splits without a
lexicon (a term jieba keeps whole anyway says nothing about learning); ``baseline`` is how
many are kept whole by the reduced lexicon alone.

Precision.  A sample of 50 learned terms (``random.Random(seed)`` over the sorted terms; for
the default setting a second 50 with ``seed + 1``, so that precision rests on 100) was judged by hand, one label and a reason per term, in
``analysis/data/lexicon/learned_sample_labels.tsv``; precision is recomputed from those
labels, and a sampled term without a label (the learned set changed) is reported as unlabelled.

Run ``python -m analysis.tokens.learn_eval`` (or ``make lexicon-eval``).
"""

from __future__ import annotations

import argparse
import bisect
import random
import time
import warnings
from dataclasses import dataclass, field

import pandas as pd

from ..config import DATA_DIR
from .learn import DEFAULTS, learn_terms, paragraph_tokens
from ..lexicon.terms import Lexicon

LABELS_FILE = DATA_DIR / "lexicon" / "learned_sample_labels.tsv"
LEAVE_OUT = 0.3
SEED = 0
SAMPLE_SIZE = 50
SETTINGS = {  # the trade-off: stricter and looser than the defaults
    "strict": {**DEFAULTS, "min_npmi": 0.6, "min_entropy": 1.5, "min_count": 10},
    "default": dict(DEFAULTS),
    "loose": {**DEFAULTS, "min_npmi": 0.35, "min_entropy": 0.8},
}


@dataclass
class EvalResult:
    """The numbers of one leave-out run; ``terms`` has one row per removed term, ``sample`` the labelled sample."""

    setting: str
    params: dict
    terms: pd.DataFrame
    learned: pd.DataFrame
    sample: pd.DataFrame
    seconds: dict = field(default_factory=dict)

    def summary(self) -> dict:
        t = self.terms
        elig = t[t["eligible"]]
        info = elig[elig["informative"]]
        labelled = self.sample[self.sample["label"].isin(["yes", "no"])]
        first = self.sample[self.sample["draw"] == self.sample["draw"].min()]
        return {
            "setting": self.setting, "removed": len(t), "eligible": len(elig),
            "recovered": int(elig["recovered"].sum()), "recall": _ratio(elig["recovered"].sum(), len(elig)),
            "recall_strict": _ratio(elig["strict"].sum(), len(elig)),
            "informative": len(info), "recovered_informative": int(info["recovered"].sum()),
            "recall_informative": _ratio(info["recovered"].sum(), len(info)),
            "baseline_informative": int(info["baseline"].sum()),
            "learned": len(self.learned), "sample": len(self.sample), "labelled": len(labelled),
            "unlabelled": len(self.sample) - len(labelled),
            "precision": _ratio((labelled["label"] == "yes").sum(), len(labelled)),
            "precision_first50": _ratio((first["label"] == "yes").sum(), first["label"].isin(["yes", "no"]).sum()),
            "learn_seconds": round(self.seconds.get("learn", float("nan")), 2),
        }


def _ratio(a, b) -> float:
    return round(float(a) / b, 3) if b else float("nan")


def candidate_terms(lexicon: Lexicon) -> pd.DataFrame:
    """The lexicon's terms with ``n_chars`` and ``jieba_splits`` (plain jieba cuts it in pieces) and ``testable``."""
    from .segment import Segmenter
    plain = Segmenter(cache=False)
    terms = sorted(lexicon.terms)
    splits = [len(plain.base_cut(t)) > 1 for t in terms]
    table = pd.DataFrame({"term": terms, "n_chars": [len(t) for t in terms], "jieba_splits": splits})
    table["testable"] = (table["n_chars"] >= 3) | table["jieba_splits"]
    return table


def leave_out(lexicon: Lexicon, share: float = LEAVE_OUT, seed: int = SEED) -> tuple[list[str], Lexicon]:
    """A random ``share`` of the testable terms (sorted, ``random.Random(seed)``), and the lexicon without them."""
    pool = candidate_terms(lexicon)
    testable = pool.loc[pool["testable"], "term"].tolist()
    removed = sorted(random.Random(seed).sample(testable, round(share * len(testable))))
    return removed, Lexicon(lexicon.table[~lexicon.table["term"].isin(removed)].reset_index(drop=True))


def wholeness(paragraph_token_lists, terms: list[str]) -> pd.DataFrame:
    """Per term: occurrences in the paragraphs and how many have no token boundary inside."""
    counts = {t: [0, 0] for t in terms}
    for toks in paragraph_token_lists:
        text = "".join(toks)
        bounds, pos = [], 0
        for tok in toks:
            pos += len(tok)
            bounds.append(pos)
        for term in terms:
            start = text.find(term)
            while start != -1:
                end = start + len(term)
                i = bisect.bisect_right(bounds, start)
                counts[term][0] += 1
                counts[term][1] += not (i < len(bounds) and bounds[i] < end)
                start = text.find(term, end)
    return pd.DataFrame([(t, o, w) for t, (o, w) in counts.items()], columns=["term", "occurrences", "whole"])


def sample_terms(terms, size: int = SAMPLE_SIZE, seed: int = SEED) -> list[str]:
    """``size`` terms drawn with ``random.Random(seed)`` from the sorted terms."""
    terms = sorted(terms)
    return sorted(random.Random(seed).sample(terms, min(size, len(terms))))


def read_labels(path=LABELS_FILE) -> pd.DataFrame:
    """The hand labels: ``term, label (yes/no), reason``."""
    from pathlib import Path
    path = Path(path)
    if not path.exists():
        return pd.DataFrame(columns=["term", "label", "reason"])
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip() and not ln.startswith("#")]
    if not lines or lines[0].split("\t")[:2] != ["term", "label"]:
        raise ValueError(f"{path}: the first line after the comments must be the header term<TAB>label<TAB>reason")
    rows = [(ln.split("\t") + ["", ""])[:3] for ln in lines[1:]]
    table = pd.DataFrame(rows, columns=["term", "label", "reason"])
    wrong = sorted(set(table["label"]) - {"yes", "no"})
    if wrong:
        raise ValueError(f"{path}: label must be yes or no, found {wrong}")
    return table


def evaluate(docs: pd.DataFrame | None = None, *, setting: str = "default", params: dict | None = None,
             lexicon: Lexicon | None = None, share: float = LEAVE_OUT, seed: int = SEED,
             labels: pd.DataFrame | None = None) -> EvalResult:
    """One leave-out run on ``docs`` (default: the study corpus) with the thresholds of ``setting`` or ``params``."""
    from .segment import Segmenter
    if docs is None:
        from ..corpus import load_default_corpus
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            docs = load_default_corpus()
    params = dict(params if params is not None else SETTINGS[setting])
    lex = lexicon if lexicon is not None else Lexicon.load()
    removed, reduced = leave_out(lex, share, seed)
    seconds = {}
    t0 = time.perf_counter()
    token_docs = paragraph_tokens(docs["text"], reduced)
    seconds["segment"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    learned = learn_terms(token_docs, lexicon=reduced, **params)
    seconds["learn"] = time.perf_counter() - t0 + seconds["segment"]
    paragraphs = [p for doc in token_docs for p in doc]
    with_learned = Segmenter(reduced + Lexicon.from_terms(learned["term"], category="learned"), cache=False)
    paras_learned = [with_learned.cut("".join(p)) for p in paragraphs]
    plain = candidate_terms(lex).set_index("term")
    before = wholeness(paragraphs, removed).set_index("term")
    after = wholeness(paras_learned, removed).set_index("term")
    terms = pd.DataFrame({"term": removed, "occurrences": after["occurrences"].reindex(removed).to_numpy(),
                          "whole_before": before["whole"].reindex(removed).to_numpy(),
                          "whole_after": after["whole"].reindex(removed).to_numpy()})
    terms["eligible"] = terms["occurrences"] >= params.get("min_count", DEFAULTS["min_count"])
    terms["informative"] = plain.loc[removed, "jieba_splits"].to_numpy()
    terms["baseline"] = terms["whole_before"] * 2 > terms["occurrences"]
    terms["recovered"] = terms["whole_after"] * 2 > terms["occurrences"]
    terms["strict"] = terms["whole_after"] == terms["occurrences"]
    terms["learned"] = terms["term"].isin(learned["term"])
    labels = read_labels() if labels is None else labels
    # A second sample (seed + 1) for the default setting, so precision rests on 100 judgements.
    seeds = [seed, seed + 1] if setting == "default" and params == SETTINGS["default"] else [seed]
    sample = pd.concat([pd.DataFrame({"term": sample_terms(learned["term"], seed=s), "draw": s}) for s in seeds],
                       ignore_index=True)
    sample = sample.merge(labels, on="term", how="left").fillna({"label": "unlabelled", "reason": ""})
    sample = sample.merge(learned[["term", "count", "pmi", "score", "example"]], on="term", how="left")
    return EvalResult(setting, params, terms, learned, sample, seconds)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis.tokens.learn_eval", description=__doc__.split("\n\n")[0])
    parser.add_argument("--settings", nargs="*", default=list(SETTINGS), choices=list(SETTINGS))
    parser.add_argument("--show", action="store_true", help="print the removed terms and the labelled sample")
    args = parser.parse_args(argv)
    rows = []
    for name in args.settings:
        result = evaluate(setting=name)
        rows.append(result.summary())
        if args.show or name == "default":
            print(f"\n== {name}: {result.params}")
            cols = ["term", "occurrences", "whole_before", "whole_after", "informative", "learned", "recovered"]
            print(result.terms[result.terms["eligible"]][cols].to_string(index=False))
            print(result.sample[["term", "label", "reason"]].to_string(index=False))
    print("\n" + pd.DataFrame(rows).to_string(index=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
