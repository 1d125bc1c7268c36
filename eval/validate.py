"""Check the development set: python eval/validate.py [eval/questions.jsonl]

Every quote must be an exact substring of its shipped file, every answer point inside a quote, no
question twice, each item in the split its id hashes to. Prints the counts issue 9 asks for and exits
1 on any error or shortfall.
"""

from __future__ import annotations

import argparse
import sys

from dataset import QUESTIONS, check, corpus_files, load


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("file", nargs="?", default=str(QUESTIONS))
    p.add_argument("--no-split", action="store_true", help="a batch before assembly (no split field yet)")
    p.add_argument("--counts-only", action="store_true", help="report shortfalls without failing on them")
    args = p.parse_args(argv)
    rep = check(load(args.file), corpus_files(), require_split=not args.no_split)
    print("\n".join(rep.lines))
    for e in rep.errors:
        print("error:", e)
    for s in rep.shortfalls:
        print("shortfall:", s)
    print(f"{len(rep.errors)} errors, {len(rep.shortfalls)} shortfalls")
    return 1 if rep.errors or (rep.shortfalls and not args.counts_only) else 0


if __name__ == "__main__":
    sys.exit(main())
