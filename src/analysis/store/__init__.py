"""The on-disk corpus store (Parquet) for corpora larger than memory: index once, local or Dask
engine, statistics from sparse counts.
"""

from .store import (default_filter, filter_key, filter_entry, filter_from_entry, DocRef, corpus_refs,
                    plan_chunks, part_name, index_chunk, part_term_totals, add_totals, update_vocabulary,
                    LocalEngine, DaskEngine, make_engine, IndexResult, index, count_part, add_filter, Store,
                    open_store, add_store_commands)

__all__ = ["default_filter", "filter_key", "filter_entry", "filter_from_entry", "DocRef", "corpus_refs",
    "plan_chunks", "part_name", "index_chunk", "part_term_totals", "add_totals", "update_vocabulary",
    "LocalEngine", "DaskEngine", "make_engine", "IndexResult", "index", "count_part", "add_filter", "Store",
    "open_store", "add_store_commands"]
