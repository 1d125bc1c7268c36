"""Every catalogue quote is verbatim in its shipped document; a changed document fails loudly."""

from pathlib import Path

import yaml

from ingest.pipeline import find_files, prepare_document
from knowledge.catalogue import CATALOGUE_PATH, FIELDS, NOT_STATED, load_catalogue
from tests.conftest import SHIPPED


def _shipped():
    docs, chunks = {}, []
    for f in find_files([SHIPPED]):
        doc, cs = prepare_document(f.name, f.read_bytes())
        docs[doc.source] = doc
        chunks.extend(cs)
    return docs, chunks


def test_every_quote_is_verbatim_in_the_shipped_documents():
    docs, chunks = _shipped()
    cat = load_catalogue(docs, chunks)
    assert cat.problems == []
    assert len(cat.programmes) >= 12 and cat.channel is not None
    for p in cat.programmes:
        assert set(p.fields) == set(FIELDS)
        for quotes in p.fields.values():
            for q in quotes:
                assert docs[q.source].text[q.start:q.end] == q.text
                assert q.section, (p.id, q.text)
    names = " ".join(p.name for p in cat.programmes)
    for required in ("金凤凰", "新凤人才", "青年人才公寓", "产业发展基金", "知识价值信用贷", "先投后股", "高新贷",
                     "科企梯度贷", "一件事一次办", "一窗综办", "企业服务专员"):
        assert required in names


def test_a_changed_document_leaves_the_entry_out_and_says_why():
    docs, chunks = _shipped()
    report = "科学城科技创新发展审议意见研究处理情况的报告(2024-03-27).txt"
    d = docs[report]
    docs[report] = type(d)(d.doc_id, d.title, d.source, d.version_date, d.text.replace("新投用青年人才公寓1152套",
                                                                                     "新投用青年人才公寓若干套"), d.kind)
    cat = load_catalogue(docs, chunks)
    assert cat.get("youth-talent-apartment") is None
    assert any(p.startswith("youth-talent-apartment") for p in cat.problems)


def test_fields_are_quotes_or_explicitly_not_stated():
    raw = yaml.safe_load(Path(CATALOGUE_PATH).read_text(encoding="utf-8"))
    for entry in raw["programmes"]:
        for name in FIELDS:
            value = entry["fields"][name]
            items = value if isinstance(value, list) else [value]
            for item in items:
                assert item == NOT_STATED or (isinstance(item, dict) and set(item) == {"doc", "quote"}), (entry["id"], name)


def test_programme_names_drop_glosses_and_keep_quoted_names_and_aliases():
    from knowledge.catalogue import Catalogue, Programme

    p = Programme("x", "成果转化“蘑菇贷”（含种植补贴）", "finance", [], [], {}, aliases=["菌菇贷款"])
    assert p.names == {"成果转化蘑菇贷", "蘑菇贷", "菌菇贷款"}
    catalogue = Catalogue([p], [])
    assert catalogue.names_a_programme("蘑菇贷怎么申请") and not catalogue.names_a_programme("蘑菇怎么种")
