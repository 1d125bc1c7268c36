"""The development set's format, its fixed split, and the checks every item must pass.

Used by ``eval/validate.py`` (prints the counts the set must reach) and ``eval/assemble.py`` (adds
batches of new items). The split is a function of the id alone, so an item never moves.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "knowledge" / "corpus"
QUESTIONS = ROOT / "eval" / "questions.jsonl"
DEV = ROOT.parent / "shared" / "eval" / "dev.jsonl"

TYPES = ("paraphrase", "keyword", "numeric", "multi", "followup", "version", "unanswerable", "outofdomain",
         "adversarial")
PERSONAS = ("enterprise", "talent", "staff", "citizen")
NO_GOLD = ("unanswerable", "outofdomain")
TUNE_SHARE = 0.6  # 60% tune, 40% heldout
QUOTE_LEN = (15, 150)

# The floors of issue 9, printed beside the counts.
MINIMUMS = {"items": 600, "paraphrase_share": 0.30, "followup": 60, "unanswerable": 50, "outofdomain": 50,
            "adversarial": 20, "relay": 40, "eligibility": 30, "per_doc": 2, "seed_share": 0.25}

# How a relayed inquiry or an eligibility question reads; used only to count them.
RELAY = re.compile(r"打(来)?电话|来电|电话里|窗口|来了个|有个(企业|公司|人|老板|市民|群众|客户|老人|大学生|毕业生|外国|留学)|"
                   r"帮(一个|个)?(客户|企业|人|群众|市民|朋友)?问|替.{1,8}问|客户问|企业问|群众问|来访|咨询我|他想问|她想问|对方问")
ELIGIBLE = re.compile(r"(我|我们|本人|公司|企业|厂|单位|他|她|孩子|家里)[^？?。]{0,30}(能|可以|可不可以|够|算|适用|符合|有资格)"
                      r"[^？?。]{0,14}(吗|不|没|么|[？?])|能不能|可不可以|有(没有)?资格|符合.{0,6}条件|够(不够)?条件|算不算|"
                      r"有没有份|跟我有关系吗|适用吗")


def split_of(item_id: str) -> str:
    """'tune' or 'heldout', from a hash of the id (stable across runs, machines and Python versions)."""
    bucket = int(hashlib.sha256(item_id.encode()).hexdigest(), 16) % 1000
    return "tune" if bucket < TUNE_SHARE * 1000 else "heldout"


def expected_split(item: dict) -> str:
    """Items written after a failure was seen go to tune only; the rest by hash."""
    return "tune" if item.get("after_failure") else split_of(item["id"])


def load(path: str | Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def batch_rows(paths: list[str], parse: Callable[[dict], dict], counts: Counter) -> Iterator[dict]:
    """The rows of JSON-lines batch files, each line through ``parse``; a line that is not JSON or that ``parse``
    rejects (KeyError, TypeError, ValueError) is counted as ``unreadable`` and reported on stderr."""
    for path in paths:
        for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                row = parse(json.loads(line))
            except (ValueError, KeyError, TypeError):
                counts["unreadable"] += 1
                print(f"{path}:{n}: unreadable", file=sys.stderr)
                continue
            yield row


def corpus_files(root: Path = CORPUS, *, by_path: bool = False) -> dict[str, str]:
    """Bare file name (``by_path``: path under the corpus, policy/national/….md) → text of every shipped document."""
    return {(p.relative_to(root).as_posix() if by_path else p.name): p.read_text(encoding="utf-8")
            for p in sorted(root.rglob("*")) if p.suffix in (".md", ".txt")}


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


@dataclass
class Report:
    errors: list[str] = field(default_factory=list)
    counts: dict[str, Counter] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)
    shortfalls: list[str] = field(default_factory=list)


def check(items: list[dict], files: dict[str, str], *, require_split: bool = True) -> Report:
    """Every item's format, quotes and points; the counts the set must reach."""
    rep = Report()
    err = rep.errors.append
    seen_ids: set[str] = set()
    seen_q: dict[str, str] = {}
    types, personas, splits, docs = Counter(), Counter(), Counter(), Counter()
    relay = eligible = gold_total = gold_seed = 0
    for it in items:
        iid = it.get("id", "?")
        for f in ("id", "persona", "type", "question", "history", "gold", "answer_points", "notes"):
            if f not in it:
                err(f"{iid}: missing field {f}")
        t = it.get("type")
        if t not in TYPES:
            err(f"{iid}: unknown type {t!r}")
        if it.get("persona") not in PERSONAS:
            err(f"{iid}: unknown persona {it.get('persona')!r}")
        if iid in seen_ids:
            err(f"{iid}: duplicate id")
        seen_ids.add(iid)
        q = it.get("question", "")
        if not q.strip():
            err(f"{iid}: empty question")
        key = _norm(q) + "|" + "|".join(_norm(m.get("content", "")) for m in it.get("history", []))
        if key in seen_q:
            err(f"{iid}: same question as {seen_q[key]}")
        seen_q[key] = iid
        if t == "followup" and not it.get("history"):
            err(f"{iid}: followup without history")
        # a conversation can end in a question the knowledge base does not answer (unanswerable) or does not
        # cover (outofdomain): those keep their history; every other type is a first message
        if it.get("history") and t not in ("followup", "unanswerable", "outofdomain"):
            err(f"{iid}: history on a {t} item")
        for m in it.get("history", []):
            if m.get("role") not in ("user", "assistant") or not isinstance(m.get("content"), str):
                err(f"{iid}: malformed history turn")
        gold, points = it.get("gold", []), it.get("answer_points", [])
        if t in NO_GOLD and (gold or points):
            err(f"{iid}: {t} items have no gold and no answer points")
        if t in TYPES and t not in NO_GOLD and not gold:
            err(f"{iid}: answerable item without gold")
        for g in gold:
            doc, quote = g.get("doc"), g.get("quote", "")
            gold_total += 1
            docs[doc] += 1
            if doc not in files:
                err(f"{iid}: unknown document {doc!r}")
                continue
            gold_seed += not doc.endswith(".md")
            if quote not in files[doc]:
                err(f"{iid}: quote is not an exact substring of {doc}: {quote[:30]}…")
            if not QUOTE_LEN[0] <= len(quote) <= QUOTE_LEN[1]:
                err(f"{iid}: quote of {len(quote)} characters (allowed {QUOTE_LEN[0]}–{QUOTE_LEN[1]})")
        for doc in files:  # an outdated version is asked about where the notes name it as the one to avoid
            if doc in it.get("notes", "") and doc not in {g.get("doc") for g in gold}:
                docs[doc] += 1
        for p in points:
            if not p.strip() or not any(p in g.get("quote", "") for g in gold):
                err(f"{iid}: answer point {p!r} is in no quote")
        if require_split:
            if it.get("split") not in ("tune", "heldout"):
                err(f"{iid}: split missing")
            elif it["split"] != expected_split(it):
                err(f"{iid}: split {it['split']} but the hash assigns {expected_split(it)} (splits never move)")
        types[t] += 1
        personas[it.get("persona")] += 1
        splits[it.get("split")] += 1
        relay += bool(RELAY.search(q))
        eligible += bool(ELIGIBLE.search(q))
    rep.counts = {"type": types, "persona": personas, "split": splits, "docs": docs}
    n = len(items)
    uncovered = sorted(d for d in files if docs[d] < MINIMUMS["per_doc"])
    seed_share = gold_seed / gold_total if gold_total else 0.0
    para = types["paraphrase"] / n if n else 0.0
    rep.lines = [
        f"items {n}  split {dict(splits)}",
        "types " + "  ".join(f"{k} {types[k]}" for k in TYPES),
        f"paraphrase share {para:.2f}",
        "personas " + "  ".join(f"{k} {personas[k]}" for k in PERSONAS),
        f"staff relays {relay}  eligibility questions {eligible}",
        f"documents asked about ≥{MINIMUMS['per_doc']} times (gold, or the outdated version in notes): {len(files) - len(uncovered)}/{len(files)}",
        f"core report share of gold passages {seed_share:.2f} ({gold_seed}/{gold_total})",
    ]
    m = MINIMUMS
    for ok, what in ((n >= m["items"], f"items < {m['items']}"), (para >= m["paraphrase_share"], "paraphrase < 30%"),
                     (types["followup"] >= m["followup"], "followup < 60"),
                     (types["unanswerable"] >= m["unanswerable"], "unanswerable < 50"),
                     (types["outofdomain"] >= m["outofdomain"], "outofdomain < 50"),
                     (types["adversarial"] >= m["adversarial"], "adversarial < 20"),
                     (relay >= m["relay"], "staff relays < 40"), (eligible >= m["eligibility"], "eligibility < 30"),
                     (not uncovered, f"documents asked about fewer than twice: {uncovered[:5]}…"),
                     (seed_share >= m["seed_share"], "core report < 25% of gold passages"),
                     (all(personas[p] for p in PERSONAS), "a persona is missing")):
        if not ok:
            rep.shortfalls.append(what)
    return rep
