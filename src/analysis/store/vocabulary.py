"""A store's vocabulary per filter, a reduction of its parts' sparse counts.

:func:`part_term_totals` gives one part's ``count`` and ``doc_freq`` per term, :func:`add_totals`
sums two such tables (the reduction's operator; ``Bag.fold`` on dask), :func:`sum_totals` many
at once (the local engine), and
:func:`update_vocabulary` writes ``vocabulary/<filter>.parquet`` (``term_id`` = position in sorted
order), counting only the parts the file does not cover yet.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa

from .files import _dictionary_column, _part_path, _problem, _read_part, _vocabulary_path, _write_parquet

if TYPE_CHECKING:
    from .engines import _Engine


def part_term_totals(root: str, fkey: str, part: str) -> pd.DataFrame:
    """Per term of one part's counts: total ``count`` and ``doc_freq`` (indexed by term)."""
    table = _read_part(Path(root), _part_path(Path(root), "counts", part, fkey), "counts", ["term", "count"])
    term = _dictionary_column(table, "term")
    ids = term.indices.to_numpy(zero_copy_only=False)
    size = len(term.dictionary)
    total = np.bincount(ids, weights=table["count"].to_numpy(), minlength=size).astype(np.int64)
    doc_freq = np.bincount(ids, minlength=size).astype(np.int64)
    frame = pd.DataFrame({"count": total, "doc_freq": doc_freq},
                         index=pd.Index(term.dictionary.to_pylist(), dtype=object, name="term"))
    return frame[doc_freq > 0]


def add_totals(left: pd.DataFrame | None, right: pd.DataFrame | None) -> pd.DataFrame | None:
    """Sum two term-total tables (the binary operator of the reduction; ``None`` is the identity)."""
    if left is None or right is None:
        return right if left is None else left
    return left.add(right, fill_value=0).astype(np.int64)


def part_totals(part: str, root: str, fkey: str) -> pd.DataFrame:
    """:func:`part_term_totals` with the part first (an engine's ``map`` job)."""
    return part_term_totals(root, fkey, part)


def sum_totals(frames: Sequence[pd.DataFrame]) -> pd.DataFrame | None:
    """Sum many term-total tables at once (one grouping: :func:`add_totals` over n parts aligns the
    growing sum n times); ``None`` for none."""
    if not frames:
        return None
    return pd.concat(frames).groupby(level=0, sort=False).sum().astype(np.int64)


def _vocabulary_table(totals: pd.DataFrame | None) -> pa.Table:
    if totals is None or totals.empty:
        return pa.table({"term_id": pa.array([], pa.int32()), "term": pa.array([], pa.string()),
                         "count": pa.array([], pa.int64()), "doc_freq": pa.array([], pa.int64())})
    totals = totals.sort_index()
    return pa.table({"term_id": pa.array(np.arange(len(totals), dtype=np.int32)),
                     "term": pa.array(totals.index.astype(str).tolist(), pa.string()),
                     "count": pa.array(totals["count"].to_numpy(np.int64)),
                     "doc_freq": pa.array(totals["doc_freq"].to_numpy(np.int64))})


def update_vocabulary(root: Path, fkey: str, parts: Sequence[str], runner: "_Engine", *, rebuild: bool = False) -> None:
    """Write ``vocabulary/<fkey>.parquet`` for ``parts``: the totals it already holds plus the
    reduction over the parts it does not cover yet (all of them with ``rebuild``).  The parts a
    vocabulary covers are in its own schema metadata, so file and coverage change together."""
    path = _vocabulary_path(root, fkey)
    old, covered = None, set()
    if not rebuild and _problem(root, path, "vocabulary") is None:  # a damaged one is counted again
        table = _read_part(root, path, "vocabulary")
        covered = set(json.loads((table.schema.metadata or {}).get(b"parts", b"[]")))
        if covered <= set(parts):
            old = table.to_pandas().set_index("term")[["count", "doc_freq"]]
            old.index = old.index.astype(object)
        else:  # it covers parts the store no longer has: count again
            covered = set()
    new = sorted(set(parts) - covered)
    totals = add_totals(old, runner.totals(str(root), fkey, new) if new else None)
    table = _vocabulary_table(totals)
    _write_parquet(table.replace_schema_metadata({"parts": json.dumps(sorted(parts))}), path)

