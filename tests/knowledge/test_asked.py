"""Questions written for passages: where they attach, that the shipped file is sound, and that a new one
steers search without a code change."""

import json
from pathlib import Path

from knowledge.asked import ASKED_PATH, AskedQuestion, attach, in_sentence, read_asked
from knowledge.models import Chunk

CORPUS = Path(__file__).resolve().parents[2] / "knowledge" / "corpus"


def _chunk(i: int, source: str, text: str) -> Chunk:
    return Chunk(doc_id=source, title="t", section="s", source=source, version_date="2020-01-01", text=text,
                 start=0, end=len(text), chunk_id=f"c{i}")


def test_a_question_attaches_to_the_chunk_holding_its_quote():
    chunks = [_chunk(0, "甲.md", "第一条 种蘑菇的人应当登记。"), _chunk(1, "甲.md", "第二条 登记费每年十元，由乡里收取。"),
              _chunk(2, "乙.md", "第二条 登记费每年十元，由乡里收取。")]
    questions = [AskedQuestion("乙.md", "登记费每年十元", "种蘑菇登记要交钱吗"),
                 AskedQuestion("甲.md", "登记费每年十元", "登记一年多少钱"),
                 AskedQuestion("甲.md", "种蘑菇的人应当登记。第二条 不存在", "种蘑菇要登记吗"),  # straddles: its anchor
                 AskedQuestion("甲.md", "这句话早已删除了不在文中", "删掉的问题")]
    placed, owners = attach(chunks, questions)
    assert [(q.question, int(o)) for q, o in zip(placed, owners, strict=True)] == [
        ("种蘑菇要登记吗", 0), ("登记一年多少钱", 1), ("种蘑菇登记要交钱吗", 2)]
    assert in_sentence("登记费每年十元", "第二条 登记费每年十元，由乡里收取。")
    assert not in_sentence("由乡里收取", "第一条 种蘑菇的人应当登记。")


def test_a_broken_line_is_skipped_not_fatal(tmp_path):
    path = tmp_path / "asked.jsonl"
    path.write_text('{"file": "a/甲.md", "quote": "应当登记", "q": "要登记吗"}\nnot json\n{"file": "甲.md"}\n',
                    encoding="utf-8")
    assert read_asked(path) == [AskedQuestion("甲.md", "应当登记", "要登记吗")]
    assert read_asked(tmp_path / "missing.jsonl") == []


def test_the_shipped_questions_quote_their_files_and_cover_every_document():
    files = {p.relative_to(CORPUS).as_posix(): p.read_text(encoding="utf-8") for p in CORPUS.rglob("*") if p.is_file()}
    asked_files = set()
    with ASKED_PATH.open(encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            assert r["quote"] in files[r["file"]], r
            asked_files.add(r["file"])
    # every shipped document with articles to ask about has questions (three hold only a title)
    assert len(set(files) - asked_files) <= 3


def test_a_written_question_steers_search_without_code_change(shipped_service, tmp_path):
    from knowledge.search import HybridSearcher

    s0 = shipped_service.searcher
    # an invented everyday name that no passage, card or glossary entry holds
    query = "青蛙证的事找谁"
    target = next(c for c in s0.all_chunks() if "该行政许可有效期届满三十日前" in c.text)
    assert target.chunk_id not in [h.chunk.chunk_id for h in s0.search(query, 3)]
    quote = target.text[target.text.index("该行政许可有效期届满三十日前"):][:15]
    path = tmp_path / "asked.jsonl"  # the shipped questions and one more
    path.write_text(ASKED_PATH.read_text(encoding="utf-8") + json.dumps(
        {"file": target.source, "quote": quote, "q": "青蛙证的事情找谁办"}, ensure_ascii=False) + "\n", encoding="utf-8")
    s = HybridSearcher(shipped_service.store, s0.glossary, token_cache=tmp_path / "tokens.pkl", asked_path=path,
                       sentence_cache_dir=tmp_path)
    s.refresh()
    assert target.chunk_id in [h.chunk.chunk_id for h in s.search(query, 3)]
    assert max(s.asked_of(query, target.chunk_id), key=lambda qs: qs[1])[0] == quote
