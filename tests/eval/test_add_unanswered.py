"""The unanswered-question bank keeps away from evaluation questions: a bank question near one would let that item
be decided by memory."""

from __future__ import annotations

import json
import sys

import pytest

from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "eval"))
import add_unanswered  # noqa: E402  (eval/ is a folder of scripts, not a package)


@pytest.mark.parametrize("bank", [add_unanswered.UNANSWERED, add_unanswered.OUTSIDE])
def test_no_shipped_bank_question_is_near_an_evaluation_question(bank):
    evaluation = add_unanswered.evaluation_bigrams()
    assert len(evaluation) > 4000
    shipped = add_unanswered.load(bank)
    shares = add_unanswered.max_overlaps([add_unanswered.bigrams(r["q"]) for r in shipped], evaluation)
    near = [r["q"] for r, share in zip(shipped, shares, strict=True) if share >= add_unanswered.NEAR_EVALUATION]
    assert not near


def test_the_sparse_overlap_is_the_set_overlap():
    rows = [add_unanswered.bigrams(t) for t in ("青蛙证年检费多少", "蚯蚓养殖补贴", "")]
    pool = [add_unanswered.bigrams(t) for t in ("青蛙证年检要多少钱", "养殖补贴发放", "无关的话")]
    expected = [max((add_unanswered.overlap(r, o) for o in pool), default=0.0) for r in rows]
    assert add_unanswered.max_overlaps(rows, pool).tolist() == expected


def test_a_batch_keeps_only_far_questions_of_corpus_files(tmp_path, capsys, monkeypatch):
    bank = tmp_path / "unanswered.jsonl"
    shipped = add_unanswered.load(add_unanswered.UNANSWERED)[0]
    some_eval = sorted(add_unanswered.load(add_unanswered.QUESTIONS), key=lambda it: it["id"])[0]["question"]
    leaked = {**shipped, "q": some_eval + "呢"}  # a shipped line an evaluation item later came close to
    bank.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in (shipped, leaked)), encoding="utf-8")
    monkeypatch.setattr(add_unanswered, "UNANSWERED", bank)
    f = shipped["file"]
    fresh, twin = "青蛙养殖场引进蛙苗要提前几天报备？", "青蛙养殖场引进蛙苗要提前几天报备啊"
    # the invented pair must stay far from every evaluation question, or the set growing decides this test
    evaluation = add_unanswered.evaluation_bigrams()
    assert not any(add_unanswered.near(add_unanswered.bigrams(q), evaluation, add_unanswered.NEAR_EVALUATION)
                   for q in (fresh, twin)), "reword the invented questions: an evaluation question came near them"
    rows = [
        {"file": f, "q": fresh, "missing": "-"},  # kept
        {"file": f, "q": twin, "missing": "-"},  # near the one just kept
        {"file": "没有这个文件.md", "q": "蚯蚓养殖补贴每亩补多少？", "missing": "-"},
        {"file": f, "q": "帮人问一下：" + some_eval, "missing": "-"},  # an evaluation question inside
        {"file": f, "q": "缺了missing字段"},
    ]
    batch = tmp_path / "batch.jsonl"
    batch.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    assert add_unanswered.main([str(batch), "--write"]) == 0
    out = capsys.readouterr().out
    assert "kept: 1" in out and "near a bank question: 1" in out and "not a corpus file: 1" in out
    assert "near an evaluation question: 1" in out and "unreadable: 1" in out
    assert "shipped lines near an evaluation question: 1" in out
    lines = add_unanswered.load(bank)
    assert [r["q"] for r in lines] == [shipped["q"], fresh]


def test_an_outside_batch_goes_to_its_own_bank_without_files(tmp_path, capsys, monkeypatch):
    outside, bank = tmp_path / "outside.jsonl", tmp_path / "unanswered.jsonl"
    monkeypatch.setattr(add_unanswered, "OUTSIDE", outside)
    monkeypatch.setattr(add_unanswered, "UNANSWERED", bank)
    some_eval = sorted(add_unanswered.load(add_unanswered.QUESTIONS), key=lambda it: it["id"])[0]["question"]
    rows = [
        {"persona": "citizen", "q": "教我把袜子叠成小兔子的样子", "why": "-"},  # kept
        {"persona": "citizen", "q": some_eval, "why": "-"},  # an evaluation question
        {"persona": "staff", "q": "没有why字段的一句话"},
    ]
    batch = tmp_path / "batch.jsonl"
    batch.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    assert add_unanswered.main(["--outside", str(batch), "--write"]) == 0
    out = capsys.readouterr().out
    assert "kept: 1" in out and "near an evaluation question: 1" in out and "unreadable: 1" in out
    assert [r["q"] for r in add_unanswered.load(outside)] == ["教我把袜子叠成小兔子的样子"]
    assert not bank.exists()  # the in-scope bank is untouched
