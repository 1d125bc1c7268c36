"""New evaluation batches are kept away from the set and from the unanswered-question and out-of-domain banks."""

from __future__ import annotations

import json
import sys

from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "eval"))
import dedup_batch  # noqa: E402  (eval/ is a folder of scripts, not a package)
from dataset import QUESTIONS, load  # noqa: E402


def test_a_batch_drops_items_near_the_set_the_bank_or_each_other(tmp_path, capsys):
    some_eval = sorted(load(QUESTIONS), key=lambda it: it["id"])[0]["question"]
    banked = load(dedup_batch.UNANSWERED)[0]["q"]
    outside = load(dedup_batch.OUTSIDE)[0]["q"]
    items = [
        {"id": "t-1", "question": "蘑菇棚冬天剪羊驼毛须报备吗？", "history": []},  # kept
        {"id": "t-2", "question": "蘑菇棚冬天剪羊驼毛须报备吗啊", "history": []},  # near t-1
        {"id": "t-3", "question": "请问" + some_eval, "history": []},  # near the set
        {"id": "t-4", "question": "换成蚯蚓养殖户怎么算", "history": [{"role": "user", "content": banked},
                                                          {"role": "assistant", "content": "……"}]},  # earlier turn banked
        {"id": "t-5", "question": outside + "？", "history": []},  # an out-of-domain bank message
    ]
    batch = tmp_path / "batch.jsonl"
    batch.write_text("".join(json.dumps(it, ensure_ascii=False) + "\n" for it in items), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert dedup_batch.main([str(out), str(batch)]) == 0
    printed = capsys.readouterr().out
    assert "kept: 1" in printed and "near a kept item: 1" in printed
    assert "near the set: 1" in printed and "near the bank: 2" in printed
    assert [it["id"] for it in load(out)] == ["t-1"]

    # measuring the bank where questions come close to it: the banked item is kept, the rest decided as before
    kept_too = tmp_path / "near-bank.jsonl"
    assert dedup_batch.main([str(kept_too), str(batch), "--keep-near-bank"]) == 0
    assert "near the bank" not in capsys.readouterr().out
    assert [it["id"] for it in load(kept_too)] == ["t-1", "t-4", "t-5"]
