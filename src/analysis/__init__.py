"""analysis: computational text analysis of Chinese political discourse.

Modules, in the order data flows through them::

    corpus        obtain, verify and load texts (speech, reference collections, your own corpus)
    preprocessing normalise text: undo PDF damage, full-width punctuation, boilerplate (counted)
    structure     paragraphs, sentences and sections by the headings of Chinese official documents
    lexicon, learn, phrases   the curated political lexicon and stopwords; terms learned from a corpus
    segment       jieba / rjieba segmentation into unfiltered token streams (cache, parallel)
    tokens        TokenFilter (applied when counting), nested term counts
    pipeline      prepare(): load → normalise → structure → segment → documents, in one call
    selection     like-for-like references (the reference's passages on the target's subject)
    dtm           document-term matrices from segmented documents
    frequency, tfidf, keyness, trends, formulations, similarity, concordance, repeats, claims
                  statistics (tidy tables, counts beside every statistic)
    dictionary, collocations   dictionary lookup (categories), collocates, co-occurrence networks
    topics        LDA / NMF topic models with coherence and stability
    plots, plots_network, figures, fonts, export   charts from those tables, saved with the table behind them
    study         notebook parameters: any document as target, its reference, labels
    store, store_topics   on-disk corpus store for corpora larger than memory (local or Dask)
"""

__version__ = "0.1.0"
