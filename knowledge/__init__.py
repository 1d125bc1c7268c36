"""The knowledge base: chunk model, embeddings, the Chroma store, lexical and hybrid search.

Imports flow one way: ``ingest`` produces chunks for this package, ``bot`` queries it;
this package imports neither.
"""
