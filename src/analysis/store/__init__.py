"""The on-disk corpus store (Parquet) for corpora larger than memory: index once, local or Dask
engine, statistics from sparse counts.

    files       the store's files: names, manifest, what it owns, damaged parts, filters' entries
    build       index a corpus chunk by chunk (references, chunks, counts per filter); add_filter
    vocabulary  the vocabulary per filter, a reduction of the parts' counts
    engines     where the jobs run: this machine's processes or a Dask cluster
    store       Store: read an indexed store, statistics from its sparse counts
"""

from .build import (DocRef, corpus_refs, plan_chunks, part_name, index_chunk, IndexResult, index, count_part,
                    add_filter)
from .engines import (LocalEngine, DaskEngine, make_engine)
from .files import (default_filter, filter_key, filter_entry, filter_from_entry)
from .store import (Store, open_store)
from .vocabulary import (part_term_totals, add_totals, update_vocabulary)

__all__ = ["DocRef", "corpus_refs", "plan_chunks", "part_name", "index_chunk", "IndexResult", "index",
    "count_part", "add_filter", "LocalEngine", "DaskEngine", "make_engine", "default_filter", "filter_key",
    "filter_entry", "filter_from_entry", "Store", "open_store", "part_term_totals", "add_totals",
    "update_vocabulary"]
