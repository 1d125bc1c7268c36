"""Add batches of questions the documents do not answer to a shipped bank: python eval/add_unanswered.py [--outside] BATCH.jsonl ...

The bank (``knowledge/data/unanswered.jsonl``, read by ``knowledge.unanswered``) is written by blind writers
(``eval/bank-brief.md``). A line is kept when its file is a shipped corpus file and its question shares less
than ``NEAR_EVALUATION`` of its character bigrams with every evaluation question and earlier turn (the set,
the pending batches, dev) and less than ``NEAR_BANK`` with every bank question already kept: the bank is a
feature of the refuse-or-answer decision, so a bank question close to an evaluation question would let that
item be decided by memory, not by the model. Prints what it kept and dropped; ``--write`` appends the kept
lines and drops shipped lines that have since come near an evaluation question. Then run
``bot build-embedding-cache`` and ``bot train``.

``--outside``: the batches hold messages outside the domain altogether ({"q", "persona", "why"} per line, no
file; the brief is ``eval/outside/brief.md``), added to ``knowledge/data/outside.jsonl`` under the same rules.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from itertools import chain
from pathlib import Path

import numpy as np
from add_asked import PENDING
from dataset import DEV, QUESTIONS, ROOT, batch_rows, corpus_files, load

UNANSWERED = ROOT / "knowledge" / "data" / "unanswered.jsonl"
OUTSIDE = ROOT / "knowledge" / "data" / "outside.jsonl"
# Shares of a question's character bigrams: the evaluation set's own rule between batches (40%), and a higher
# bar inside the bank, whose questions are meant to sit close to each other on one subject.
NEAR_EVALUATION = 0.4
NEAR_BANK = 0.7


def bigrams(text: str) -> frozenset[str]:
    t = "".join(c for c in text if not c.isspace())
    return frozenset(t[i:i + 2] for i in range(len(t) - 1))


def overlap(a: frozenset[str], b: frozenset[str]) -> float:
    """Share of ``a``'s bigrams that ``b`` has."""
    return len(a & b) / max(len(a), 1)


def max_overlaps(rows: list[frozenset[str]], pool: list[frozenset[str]]) -> np.ndarray:
    """For each of ``rows``, the largest share of its bigrams one member of ``pool`` has: one sparse product
    instead of len(rows) × len(pool) set intersections (a test checks the whole bank against the whole set)."""
    from scipy.sparse import csr_matrix

    vocab = {g: i for i, g in enumerate(sorted(set().union(*rows)))}

    def matrix(sets: list[frozenset[str]]) -> csr_matrix:
        cols = [[vocab[g] for g in b if g in vocab] for b in sets]
        indptr = np.cumsum([0, *map(len, cols)])
        return csr_matrix((np.ones(indptr[-1]), np.fromiter(chain.from_iterable(cols), np.int64, indptr[-1]), indptr),
                          shape=(len(sets), len(vocab)))

    shared = (matrix(rows) @ matrix(pool).T).max(axis=1).toarray().ravel()
    return shared / np.maximum([len(b) for b in rows], 1)


def evaluation_bigrams() -> list[frozenset[str]]:
    """The bigrams of every question and earlier user turn of the development set, the pending batches and dev."""
    out: list[frozenset[str]] = []
    for path in [QUESTIONS, *sorted(PENDING.glob("*.jsonl")), DEV]:
        if not path.exists():
            continue
        for item in load(path):
            out.append(bigrams(item["question"]))
            out += [bigrams(turn["content"]) for turn in item.get("history") or []
                    if isinstance(turn, dict) and turn.get("role") == "user" and turn.get("content")]
    return out


def near(b: frozenset[str], pool: list[frozenset[str]], share: float) -> bool:
    return any(overlap(b, o) >= share for o in pool)


def bank_row(raw: dict) -> dict:
    return {"file": Path(str(raw["file"])).name, "q": str(raw["q"]).strip(), "missing": str(raw["missing"])}


def outside_row(raw: dict) -> dict:
    return {"q": str(raw["q"]).strip(), "persona": str(raw["persona"]), "why": str(raw["why"])}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("batches", nargs="+")
    p.add_argument("--write", action="store_true", help="add the kept lines to the bank "
                                                        "and drop its lines near an evaluation question")
    p.add_argument("--outside", action="store_true", help="out-of-domain messages, for knowledge/data/outside.jsonl")
    args = p.parse_args(argv)
    target = OUTSIDE if args.outside else UNANSWERED
    files = corpus_files()
    evaluation = evaluation_bigrams()
    shipped = load(target) if target.exists() else []
    leaked = ([r for r, share in zip(shipped, max_overlaps([bigrams(r["q"]) for r in shipped], evaluation),
                                     strict=True) if share >= NEAR_EVALUATION] if shipped else [])
    bank = [bigrams(r["q"]) for r in shipped]
    counts: Counter[str] = Counter()
    kept: list[dict] = []
    for row in batch_rows(args.batches, outside_row if args.outside else bank_row, counts):
        b = bigrams(row["q"])
        if not args.outside and row["file"] not in files:
            counts["not a corpus file"] += 1
        elif not b:
            counts["empty question"] += 1
        elif near(b, evaluation, NEAR_EVALUATION):
            counts["near an evaluation question"] += 1
        elif near(b, bank, NEAR_BANK):
            counts["near a bank question"] += 1
        else:
            bank.append(b)
            kept.append(row)
            counts["kept"] += 1
    print(", ".join(f"{k}: {v}" for k, v in counts.most_common()))
    print(f"shipped lines near an evaluation question: {len(leaked)}")
    if args.write and (kept or leaked):
        rows = [r for r in shipped if r not in leaked] + kept
        target.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
        print(f"{target}: {len(kept)} added, {len(leaked)} dropped, {len(rows)} lines")
    return 0


if __name__ == "__main__":
    sys.exit(main())
