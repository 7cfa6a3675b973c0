"""Corpus layer: obtain, verify and load every text the study uses.

>>> from analysis.corpus import load_default_corpus, load_corpus
>>> docs = load_default_corpus()          # speech + Government Work Reports + Congress reports
>>> mine = load_corpus("my_texts/")       # a researcher's own folder (.txt, .pdf, .docx, .html), .jsonl or .csv
>>> read_document("speech.pdf").text       # one PDF, Word file or web page as text (page furniture counted out)
>>> for doc in iter_corpus("big.jsonl"): ...  # the same documents and checks, one at a time
>>> ref = select_documents(docs, collection="gwr", years=(2015, 2024))   # a boolean mask over docs
>>> check_documents(docs)                 # truncated, stub, incomplete and duplicate documents
"""

from .checks import check_documents, describe_flags, flags_of
from .fetch import Resource, fetch, fetch_all, load_manifest, reference_path, sha256_file
from .decode import decode_bytes, decode_file, read_text
from .documents import DOCUMENT_SUFFIXES, Extracted, read_document
from .records import documents_frame, ensure_unique_ids, parse_year
from .readers import Document, document_texts, iter_corpus, load_corpus, load_csv, load_folder, load_jsonl
from .reference import (CONGRESS_YEARS, describe_corpus, list_documents, load_cpc, load_default_corpus,
                        load_gwr, load_reference, load_speech, npc_session_year)
from .select import document_mask, select_documents, select_pair

__all__ = [
    "check_documents", "describe_flags", "flags_of",
    "Resource", "fetch", "fetch_all", "load_manifest", "reference_path", "sha256_file",
    "decode_bytes", "decode_file", "read_text",
    "DOCUMENT_SUFFIXES", "Extracted", "read_document",
    "documents_frame", "ensure_unique_ids", "parse_year",
    "Document", "document_texts", "iter_corpus", "load_corpus", "load_csv", "load_folder", "load_jsonl",
    "CONGRESS_YEARS", "describe_corpus", "list_documents", "load_cpc", "load_default_corpus", "load_gwr",
    "load_reference", "load_speech", "npc_session_year",
    "document_mask", "select_documents", "select_pair",
]
