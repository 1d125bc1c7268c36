"""Questions written for passages join the shipped file only when quoted verbatim, new, and no evaluation item."""

from __future__ import annotations

import json
import sys

from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "eval"))
import add_asked  # noqa: E402  (eval/ is a folder of scripts, not a package)


def test_no_shipped_written_question_is_an_evaluation_question():
    held_out = add_asked.evaluation_questions()
    assert len(held_out) > 1000
    shipped = [add_asked.normalised(r["q"]) for r in add_asked.load(add_asked.ASKED)]
    assert not held_out.intersection(shipped)


def test_a_batch_keeps_only_new_verbatim_questions(tmp_path, capsys, monkeypatch):
    asked = tmp_path / "asked.jsonl"
    shipped = add_asked.load(add_asked.ASKED)[0]
    some_eval = sorted(add_asked.evaluation_questions())[0]
    leaked = {**shipped, "q": some_eval}  # a shipped line an evaluation item later repeated
    asked.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in (shipped, leaked)), encoding="utf-8")
    monkeypatch.setattr(add_asked, "ASKED", asked)
    quote_file, quote = shipped["file"], shipped["quote"]
    batch = tmp_path / "batch.jsonl"
    rows = [
        {"file": quote_file, "quote": quote, "q": "这条规定里说的事情要找哪个部门办理？"},  # kept
        {"file": quote_file, "quote": quote, "q": "这条规定里说的事情，要找哪个部门办理"},  # same after punctuation
        {"file": quote_file, "quote": quote, "q": shipped["q"]},  # already shipped
        {"file": quote_file, "quote": quote + "并且另有规定", "q": "引文不在文件里的问题会被丢掉吗？"},
        {"file": quote_file, "quote": quote, "q": some_eval},  # an evaluation question, verbatim
    ]
    batch.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\nnot json\n", encoding="utf-8")
    assert add_asked.main([str(batch), "--write"]) == 0
    out = capsys.readouterr().out
    assert "kept: 1" in out and "duplicate: 2" in out and "quote not in its file: 1" in out
    assert "identical to an evaluation question: 1" in out and "unreadable: 1" in out
    assert "shipped lines identical to an evaluation question: 1" in out
    lines = add_asked.load(asked)
    assert len(lines) == 2 and lines[1]["q"] == "这条规定里说的事情要找哪个部门办理？"
