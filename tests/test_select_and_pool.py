"""One selection (analysis.corpus.select) for every user, and one worker pool (analysis._util.pool)
for parallel segmentation and the store's local engine."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest

from analysis.corpus import document_mask, select_documents, select_pair
from analysis.errors import InputError

DOCS = pd.DataFrame({"doc_id": ["a", "b", "c", "d"], "collection": ["gwr", "gwr", "cpc", "speech"],
                     "year": pd.array([2015, 2020, 2022, None], dtype="Int64")})


def test_every_user_selects_with_the_same_functions():
    from importlib import import_module
    keyness, dictionary, trends, like_for_like, store, pipeline = map(import_module, [
        "analysis.stats.keyness", "analysis.stats.dictionary", "analysis.stats.trends", "analysis.stats.like_for_like",
        "analysis.store.store", "analysis.tokens.pipeline"])
    assert keyness.select_pair is select_pair and dictionary.select_pair is select_pair
    assert trends.document_mask is document_mask and dictionary.document_mask is document_mask
    assert store.document_mask is document_mask and store.select_pair is select_pair
    assert pipeline.select_documents is select_documents and like_for_like.select_documents is select_documents


def test_document_mask_reads_ids_lists_masks_and_callables():
    assert document_mask(DOCS, "b", "target").tolist() == [False, True, False, False]
    assert document_mask(DOCS, ["a", "c"], "reference").tolist() == [True, False, True, False]
    assert document_mask(DOCS, lambda d: d["year"] >= 2020, "target").tolist() == [False, True, True, False]
    with pytest.raises(InputError, match=r"reference names unknown document\(s\): \['zz'\]"):
        document_mask(DOCS, ["a", "zz"], "reference")


def test_select_pair_checks_target_and_reference_together():
    target, reference = select_pair(DOCS, "d", select_documents(DOCS, collection="gwr"))
    assert target.tolist() == [False, False, False, True] and reference.tolist() == [True, True, False, False]
    target, reference = select_pair(DOCS, "a")
    assert reference.tolist() == [False, True, True, True]  # default: every other document
    with pytest.raises(InputError, match=r"the reference contains target document\(s\) \['a'\]"):
        select_pair(DOCS, "a", ["a", "b"])
    with pytest.raises(InputError, match="target cannot be all the documents"):
        select_pair(DOCS, np.ones(4, bool))


def test_select_documents_by_collection_and_years():
    assert select_documents(DOCS, collection="gwr", years="2016-2024").tolist() == [False, True, False, False]
    assert select_documents(DOCS, years=(2015, 2022), exclude=["b"]).tolist() == [True, False, True, False]
    with pytest.raises(InputError, match="no documents with collection='cpc'"):
        select_documents(DOCS, collection="cpc", years=2015)


def test_worker_count_is_n_jobs_or_every_core_and_at_most_one_per_task():
    from analysis._util.pool import worker_count
    assert worker_count() == (os.cpu_count() or 1)
    assert worker_count(3) == 3 and worker_count(3, 2) == 2 and worker_count(None, 1) == 1
    assert worker_count(1, 10) == 1


def test_the_pool_runs_in_other_processes_and_is_reused():
    from analysis._util.pool import executor
    pool = executor(2)
    pids = {pool.submit(os.getpid).result() for _ in range(4)}
    assert os.getpid() not in pids
    assert executor(2) is pool  # the same settings: the same pool, no start-up cost


def test_the_store_engine_runs_on_the_pool():
    from analysis.store.engines import LocalEngine
    assert LocalEngine().n_jobs == (os.cpu_count() or 1) and LocalEngine(0).n_jobs == (os.cpu_count() or 1)
    assert sorted(LocalEngine(2).map(pow, [2, 3, 4], 2)) == [4, 9, 16]
    assert list(LocalEngine(1).map(os.getpid, [])) == []
    assert list(LocalEngine(1).map(lambda x: os.getpid(), [0])) == [os.getpid()]  # n_jobs=1: this process
    pids = list(LocalEngine(2).map(_pid, [0, 1]))
    assert os.getpid() not in pids


def _pid(_):
    return os.getpid()


def test_every_subcommand_is_in_the_cli_module():
    from analysis import cli
    parser = cli.build_parser()
    commands = next(a for a in parser._actions if a.dest == "command").choices
    assert {"corpus", "segment", "count", "lexicon", "bench", "index", "keyness"} <= set(commands)
    assert commands["index"].get_default("func") is cli._cli_index
    assert commands["keyness"].get_default("func") is cli._cli_keyness
