"""analysis: computational text analysis of Chinese political discourse.

Modules, in the order data flows through them::

    corpus        obtain, verify and load texts (speech, reference collections, your own corpus)
    preprocessing normalise text: undo PDF damage, full-width punctuation, boilerplate (counted)
    structure     paragraphs, sentences and sections by the headings of Chinese official documents
    lexicon       the curated political lexicon, stopwords, phrase discovery, lexicon check
    segment       jieba / rjieba segmentation that keeps formulations intact, cached on disk
    dtm           document-term matrices from segmented documents
    frequency, tfidf, keyness, trends, formulations, similarity, concordance   statistics (tidy tables)
    topics        LDA / NMF topic models with coherence and stability
    plots, figures, fonts   charts drawn from those tables, saved with the table behind them
"""

__version__ = "0.1.0"
