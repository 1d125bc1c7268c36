"""Questions the documents do not answer: the shipped banks are sound, a bank question counts only while its
document is live, and the out-of-domain bank moves the domain signals."""

import json
from dataclasses import replace
from pathlib import Path

from knowledge.unanswered import (
    OUTSIDE_PATH,
    UNANSWERED_PATH,
    UnansweredQuestion,
    current,
    read_outside,
    read_unanswered,
)

CORPUS = Path(__file__).resolve().parents[2] / "knowledge" / "corpus"


def test_a_broken_line_is_skipped_not_fatal(tmp_path):
    path = tmp_path / "unanswered.jsonl"
    path.write_text('{"file": "policy/甲.md", "q": " 蘑菇登记费能退吗 ", "missing": "x"}\nnot json\n{"file": "甲.md"}\n'
                    '{"file": "甲.md", "q": "  "}\n', encoding="utf-8")
    assert read_unanswered(path) == [UnansweredQuestion("甲.md", "蘑菇登记费能退吗")]
    assert read_unanswered(tmp_path / "missing.jsonl") == []


def test_outside_messages_are_read_once_each_and_broken_lines_skipped(tmp_path):
    path = tmp_path / "outside.jsonl"
    path.write_text('{"q": " 给我的猫起个名字 ", "persona": "citizen", "why": "x"}\n{"q": ""}\n[1, 2]\n'
                    '{"q": "给我的猫起个名字"}\n{"persona": "staff"}\n{"q": "火锅底料怎么炒"}\n', encoding="utf-8")
    assert read_outside(path) == ["给我的猫起个名字", "火锅底料怎么炒"]
    assert read_outside(tmp_path / "missing.jsonl") == []


def test_the_shipped_outside_bank_is_sound():
    rows = [json.loads(line) for line in OUTSIDE_PATH.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(rows) > 300
    assert all(r["q"].strip() and r["why"].strip() and "file" not in r for r in rows)
    assert len(read_outside()) == len(rows)


def test_a_message_near_an_outside_one_moves_the_domain_signals(shipped_service, tmp_path):
    from knowledge.search import HybridSearcher

    s0 = shipped_service.searcher
    bank = tmp_path / "outside.jsonl"
    bank.write_text(json.dumps({"q": "帮我给新买的乌龟取个好听的名字", "why": "-"}, ensure_ascii=False) + "\n",
                    encoding="utf-8")
    s = HybridSearcher(shipped_service.store, s0.glossary, token_cache=s0._token_cache_path,
                       sentence_cache_dir=tmp_path, outside_path=bank)
    s.refresh()
    near, _ = s.domain_signals("给我家乌龟起个名字吧")
    policy, _ = s.domain_signals("失业保险金的领取期限怎么算")
    assert near["outside_top1"] > policy["outside_top1"]
    assert near["outside_margin"] > 0 > policy["outside_margin"]
    assert near["outside_margin"] == near["outside_top1"] - near["asked_top1"]
    empty = HybridSearcher(shipped_service.store, s0.glossary, token_cache=s0._token_cache_path,
                           sentence_cache_dir=tmp_path, outside_path=tmp_path / "none.jsonl")
    empty.refresh()
    assert empty.domain_signals("给我家乌龟起个名字吧")[0]["outside_top1"] == 0.0


def test_only_questions_of_live_documents_count():
    bank = [UnansweredQuestion("甲.md", "一"), UnansweredQuestion("乙.md", "二")]
    assert current(bank, {"乙.md", "丙.md"}) == [UnansweredQuestion("乙.md", "二")]


def test_the_shipped_bank_names_shipped_files():
    names = {p.name for p in CORPUS.rglob("*") if p.is_file()}
    rows = [json.loads(line) for line in UNANSWERED_PATH.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(rows) > 500
    assert all(r["file"] in names and r["q"].strip() and r["missing"].strip() for r in rows)
    assert len({r["q"] for r in rows}) == len(rows)


def test_the_nearest_bank_question_is_measured_on_live_documents_only(shipped_service, tmp_path):
    from knowledge.search import HybridSearcher

    s0 = shipped_service.searcher
    snap = s0._snap
    chunks = s0.all_chunks()
    old_doc = next(iter(snap.versions.superseded_by))
    superseded = next(c.source for c in chunks if c.doc_id == old_doc)
    live = next(c.source for c in chunks if c.doc_id not in snap.versions.superseded_by)
    bank = tmp_path / "unanswered.jsonl"
    rows = [("青蛙证每年的年检费是多少钱", live), ("蘑菇合作社的办公室电话是多少", superseded),
            ("蚯蚓养殖补贴发到哪个账户", "没有这个文件.md")]
    bank.write_text("".join(json.dumps({"file": f, "q": q, "missing": "-"}, ensure_ascii=False) + "\n"
                            for q, f in rows), encoding="utf-8")
    tokens = s0._token_cache_path  # the shipped searcher's tokens: the same tokenizer, nothing to redo
    s = HybridSearcher(shipped_service.store, s0.glossary, token_cache=tokens,
                       sentence_cache_dir=tmp_path, unanswered_path=bank)
    s.refresh()
    assert len(s._snap.unanswered_vectors) == 1  # the superseded version's and the unknown file's do not count
    assert s.unanswered_top1(s.query_vector("青蛙证每年的年检费是多少钱")) > 0.99
    alone = s.unanswered_top1(s.query_vector("蘑菇合作社的办公室电话是多少"))
    assert alone < 0.99  # measured against the live question only
    s._snap = replace(s._snap, unanswered_vectors=s._snap.unanswered_vectors[:0])  # a bank with no live question
    assert s.unanswered_top1(s.query_vector("青蛙证每年的年检费是多少钱")) == 0.0
