"""Corpus layer: obtain, verify and load every text the study uses.

>>> from analysis.corpus import load_default_corpus, load_corpus
>>> docs = load_default_corpus()          # speech + Government Work Reports + Congress reports
>>> mine = load_corpus("my_texts/")       # a researcher's own folder, .jsonl or .csv
>>> for doc in iter_corpus("big.jsonl"): ...  # the same documents and checks, one at a time
"""

from .fetch import Resource, fetch, fetch_all, load_manifest, reference_path, sha256_file
from .readers import (Document, decode_bytes, decode_file, document_texts, documents_frame, ensure_unique_ids,
                      iter_corpus, load_corpus, load_csv, load_folder, load_jsonl, read_text)
from .reference import (CONGRESS_YEARS, describe_corpus, list_documents, load_cpc, load_default_corpus,
                        load_gwr, load_reference, load_speech, npc_session_year)

__all__ = [
    "Resource", "fetch", "fetch_all", "load_manifest", "reference_path", "sha256_file",
    "Document", "decode_bytes", "decode_file", "document_texts", "documents_frame", "ensure_unique_ids", "iter_corpus",
    "load_corpus", "load_csv", "load_folder", "load_jsonl", "read_text",
    "CONGRESS_YEARS", "describe_corpus", "list_documents", "load_cpc", "load_default_corpus", "load_gwr",
    "load_reference", "load_speech", "npc_session_year",
]
