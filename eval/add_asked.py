"""Add batches of questions written for passages to the shipped ones: python eval/add_asked.py BATCH.jsonl ...

A line is kept when its file is a shipped corpus file and its quote is verbatim in it (on one line), and its
question is neither a duplicate (after dropping spaces and punctuation) of a shipped question nor identical to
an evaluation question (the set, the pending batches, dev): a written question must never be an evaluation
item verbatim. Prints what it kept and dropped; ``--write`` appends the kept lines to
``knowledge/data/asked.jsonl`` and drops the shipped lines that are identical to an evaluation question.
Then run ``bot build-embedding-cache`` and ``bot train``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter

from dataset import DEV, QUESTIONS, ROOT, batch_rows, corpus_files, load

ASKED = ROOT / "knowledge" / "data" / "asked.jsonl"
PENDING = ROOT / "eval" / "pending"
_NOISE = re.compile(r"[\s，。？?！!、,.：:；;“”\"（）()]")


def normalised(text: str) -> str:
    return _NOISE.sub("", text)


def evaluation_questions() -> set[str]:
    """Every question and earlier turn of the development set, the pending batches and dev, normalised."""
    out: set[str] = set()
    for path in [QUESTIONS, *sorted(PENDING.glob("*.jsonl")), DEV]:
        if not path.exists():
            continue
        for item in load(path):
            out.add(normalised(item["question"]))
            out |= {normalised(turn["content"]) for turn in item.get("history") or []
                    if isinstance(turn, dict) and turn.get("content")}
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("batches", nargs="+")
    p.add_argument("--write", action="store_true", help="add the kept lines to knowledge/data/asked.jsonl and drop its lines identical to an evaluation question")
    args = p.parse_args(argv)
    files = corpus_files(by_path=True)  # the asked file names a document by its path under the corpus
    evaluation = evaluation_questions()
    shipped = load(ASKED)
    # a shipped line that has since become an evaluation question (a later batch wrote the same words) goes
    leaked = [r for r in shipped if normalised(r["q"]) in evaluation]
    seen = {normalised(r["q"]) for r in shipped}
    counts: Counter[str] = Counter()
    kept: list[dict] = []
    batch = batch_rows(args.batches, lambda raw: {"file": str(raw["file"]), "quote": str(raw["quote"]),
                                                 "q": str(raw["q"]).strip()}, counts)
    for row in batch:
        text = files.get(row["file"])
        if text is None or not row["quote"] or "\n" in row["quote"] or row["quote"] not in text:
            counts["quote not in its file"] += 1
            continue
        key = normalised(row["q"])
        if not key:
            counts["empty question"] += 1
        elif key in evaluation:
            counts["identical to an evaluation question"] += 1
        elif key in seen:
            counts["duplicate"] += 1
        else:
            seen.add(key)
            kept.append(row)
            counts["kept"] += 1
    print(", ".join(f"{k}: {v}" for k, v in counts.most_common()))
    print(f"shipped lines identical to an evaluation question: {len(leaked)}")
    if args.write and (kept or leaked):
        rows = [r for r in shipped if normalised(r["q"]) not in evaluation] + kept
        ASKED.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
        print(f"{ASKED}: {len(kept)} added, {len(leaked)} dropped, {len(rows)} lines")
    return 0


if __name__ == "__main__":
    sys.exit(main())
