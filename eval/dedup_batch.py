"""Deduplicate new evaluation batches before they become a pending set: python eval/dedup_batch.py OUT.jsonl BATCH.jsonl ...

An item is dropped when its question shares ``NEAR_EVALUATION`` of its character bigrams with a question of the
set, the pending batches or dev; when it or one of its earlier user turns shares that much with a question of the
unanswered-question bank or the out-of-domain bank in either direction (the banks are features of the
refuse-or-answer and out-of-domain decisions: an item near one would be decided by memory); or when it shares ``NEAR_BATCH`` with an item already kept (twins on one subject
are meant to be alike, so the bar inside the new batches is higher). Prints what it kept and dropped. The rule of
the batches of 2026-11-27 (ub, the edge batches, ud); ``--keep-near-bank`` skips the bank check (ue, an unseen set
that measures the bank where questions come close to it).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from add_asked import PENDING
from add_unanswered import NEAR_EVALUATION, OUTSIDE, UNANSWERED, bigrams, near, overlap
from dataset import DEV, QUESTIONS, load

NEAR_BATCH = 0.7


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("out")
    p.add_argument("batches", nargs="+")
    p.add_argument("--keep-near-bank", action="store_true",
                   help="keep items near a bank question: measures the bank where users' questions come close to it")
    args = p.parse_args(argv)
    pool = [bigrams(it["question"]) for path in [QUESTIONS, *sorted(PENDING.glob("*.jsonl")), DEV] if path.exists()
            for it in load(path)]
    bank = [bigrams(r["q"]) for path in (UNANSWERED, OUTSIDE) if path.exists() and not args.keep_near_bank
            for r in load(path)]
    counts: Counter[str] = Counter()
    kept: list[dict] = []
    new: list[frozenset[str]] = []
    for path in args.batches:
        for item in load(path):
            b = bigrams(item["question"])
            turns = [b] + [bigrams(t["content"]) for t in item.get("history") or []
                           if t.get("role") == "user" and t.get("content")]
            if near(b, pool, NEAR_EVALUATION):
                counts["near the set"] += 1
            elif any(overlap(q, t) >= NEAR_EVALUATION or overlap(t, q) >= NEAR_EVALUATION for q in bank for t in turns):
                counts["near the bank"] += 1
            elif near(b, new, NEAR_BATCH):
                counts["near a kept item"] += 1
            else:
                new.append(b)
                kept.append(item)
                counts["kept"] += 1
    Path(args.out).write_text("".join(json.dumps(it, ensure_ascii=False) + "\n" for it in kept), encoding="utf-8")
    print(", ".join(f"{k}: {v}" for k, v in counts.most_common()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
