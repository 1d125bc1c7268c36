"""Add batches of newly written items to the development set: python eval/assemble.py BATCH.jsonl ...

Each new item gets its split from a hash of its id (``--after-failure`` puts a batch in tune only:
items written after a failure was seen must never measure the fix). Items already in the set are
left as they are; an id that exists with other content is refused.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from dataset import QUESTIONS, check, corpus_files, expected_split, load

FIELDS = ("id", "persona", "type", "question", "history", "gold", "answer_points", "notes")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("batches", nargs="+")
    p.add_argument("--after-failure", action="store_true", help="items written after a failure was seen: tune only")
    p.add_argument("--out", default=str(QUESTIONS))
    args = p.parse_args(argv)
    items = load(args.out) if Path(args.out).exists() else []
    by_id = {it["id"]: it for it in items}
    added = 0
    for path in args.batches:
        for raw in load(path):
            item = {f: raw[f] for f in FIELDS if f in raw}
            if args.after_failure:
                item["after_failure"] = True
            item["split"] = expected_split(item)
            old = by_id.get(item["id"])
            if old is not None:
                if {f: old.get(f) for f in FIELDS} != {f: item.get(f) for f in FIELDS}:
                    print(f"refused: {item['id']} exists with other content", file=sys.stderr)
                    return 1
                continue
            by_id[item["id"]] = item
            items.append(item)
            added += 1
    rep = check(items, corpus_files())
    if rep.errors:
        print("\n".join(rep.errors), file=sys.stderr)
        print(f"not written: {len(rep.errors)} errors", file=sys.stderr)
        return 1
    with open(args.out, "w", encoding="utf-8") as f:
        for it in items:
            f.write(json.dumps(it, ensure_ascii=False) + "\n")
    print(f"added {added}, {len(items)} items in {args.out}")
    print("\n".join(rep.lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
