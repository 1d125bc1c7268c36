"""The store against a real Chroma server on loopback, opened through the same settings path as compose."""

import pytest

from bot.config import Settings
from bot.service import KnowledgeService
from tests.conftest import SHIPPED

pytestmark = pytest.mark.server


def test_service_on_a_chroma_server(chroma_server, tmp_path):
    settings = Settings(chroma_url=chroma_server, data_dir=tmp_path, auto_ingest=False)
    service = KnowledgeService(settings)
    service.load()
    assert service.store.count() == 0
    files = [SHIPPED / "seed" / "科学城科技创新发展审议意见研究处理情况的报告(2024-03-27).txt",
             SHIPPED / "policy" / "chongqing" / "重庆市优化营商环境条例(2021-03-31).md"]
    summary = service.ingest(files)
    assert summary.documents_new == 2 and summary.embedded == 0  # vectors come from the shipped cache
    hits = service.search("知识价值信用贷", 3)
    assert "知识价值信用贷" in hits[0].chunk.text
    doc = service.get_document(hits[0].chunk.doc_id)
    assert doc.text[hits[0].chunk.start:hits[0].chunk.end] == hits[0].chunk.text

    # a second process opening the same server sees the same knowledge, and reruns change nothing
    other = KnowledgeService(settings)
    other.load()
    assert other.store.count() == service.store.count()
    assert other.ingest(files).chunks_new == 0

    removed = other.delete_document(hits[0].chunk.doc_id)
    assert removed > 0 and other.store.count() == service.store.count()


def test_unreachable_server_is_a_clear_error(tmp_path):
    from knowledge.errors import StoreUnavailable

    service = KnowledgeService(Settings(chroma_url="http://127.0.0.1:9", data_dir=tmp_path))
    with pytest.raises(StoreUnavailable, match="127.0.0.1:9"):
        service.load()
