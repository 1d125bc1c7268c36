"""Chunking on the real shipped knowledge: verbatim offsets, whole sentences, one article per chunk."""

import re
from pathlib import Path

import pytest

from ingest.clean import clean_text
from ingest.describe import describe_document
from ingest.load import read_text
from ingest.split import split_into_chunks

SHIPPED = Path(__file__).resolve().parents[2] / "knowledge" / "corpus"
SENTENCE_END = tuple("。；！？!?;：:") + tuple("”’）)")


def _doc(path: Path):
    return describe_document(path.name, clean_text(read_text(path.name, path.read_bytes())))


@pytest.fixture(scope="module")
def shipped():
    files = sorted(p for p in SHIPPED.rglob("*") if p.is_file())
    assert len(files) == 134
    return [(d, split_into_chunks(d)) for d in map(_doc, files)]


def test_every_chunk_is_verbatim_slice_of_its_document(shipped):
    n = 0
    for doc, chunks in shipped:
        for c in chunks:
            assert doc.text[c.start:c.end] == c.text, (doc.source, c.section)
            n += 1
    assert n > 6000


def test_chunk_ids_are_unique_and_stable(shipped):
    ids = [c.chunk_id for _, chunks in shipped for c in chunks]
    assert len(ids) == len(set(ids))
    doc, chunks = shipped[0]
    assert [c.chunk_id for c in split_into_chunks(doc)] == [c.chunk_id for c in chunks]


def test_repeated_passage_gets_distinct_ids():
    text = "# 办法\n\n## 第一章 总则\n\n第一条 本办法自公布之日起施行。\n\n## 第二章 附则\n\n第一条 本办法自公布之日起施行。\n\n第二条 略。"
    chunks = split_into_chunks(describe_document("办法(2024-01-01).md", text))
    same = [c for c in chunks if c.text == "第一条 本办法自公布之日起施行。"]
    assert len(same) == 2 and same[0].chunk_id != same[1].chunk_id


def test_regulation_articles_are_whole_and_labelled(shipped):
    doc, chunks = next((d, c) for d, c in shipped if d.source.startswith("重庆市优化营商环境条例"))
    assert doc.kind == "regulation" and doc.version_date == "2021-03-31"
    art = next(c for c in chunks if c.text.startswith("第二十一条"))
    assert art.section.endswith("> 第二十一条") and art.section.startswith("第")
    assert art.title == "重庆市优化营商环境条例"
    # the article holds nothing of the next one
    assert "第二十二条" not in art.text


def test_no_chunk_ends_mid_sentence(shipped):
    """Article pieces end at 。；！？ (or the article's own end), never inside a sentence."""
    bad = []
    for doc, chunks in shipped:
        if doc.kind != "regulation":
            continue
        for c in chunks:
            if "[" in c.section:  # a piece of an over-long article
                if not c.text.rstrip().endswith(SENTENCE_END):
                    bad.append((doc.source, c.section, c.text[-20:]))
    assert not bad, bad[:5]


def test_long_articles_are_split_and_short_ones_not_glued(shipped):
    pieces = [c for d, cs in shipped for c in cs if "[" in c.section]
    assert pieces, "some shipped articles are longer than 500 characters"
    assert all(len(c.text) <= 500 or not re.search("[。；]", c.text[:-1]) for c in pieces)
    for doc, chunks in shipped:
        if doc.kind == "regulation":
            for c in chunks:
                assert len(re.findall(r"(?m)^第[一二三四五六七八九十百千零]+条", c.text)) <= 1, c.section


def test_report_is_split_at_headings_into_passages(shipped):
    doc, chunks = next((d, c) for d, c in shipped if d.source.startswith("科学城"))
    assert doc.kind == "report" and doc.version_date == "2024-03-27"
    sizes = [len(c.text) for c in chunks]
    assert max(sizes) <= 500
    assert sum(150 <= s <= 500 for s in sizes) >= 0.75 * len(sizes)
    loan = next(c for c in chunks if "知识价值信用贷" in c.text)
    assert "(三)关于“创新生态有待改善”方面" in loan.section
    assert loan.context.startswith(doc.title)


def test_context_is_for_indexing_only(shipped):
    doc, chunks = shipped[0]
    c = chunks[1]
    assert c.index_text == f"{c.context}\n{c.text}" and c.context.startswith(doc.title)
    assert doc.text[c.start:c.end] == c.text
