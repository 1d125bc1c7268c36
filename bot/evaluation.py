"""Evaluation on QA sets in the format of ``shared/eval/README.md``: retrieval hit rates.

Matching follows that README: a result hits a gold passage when it comes from the gold file and
covers at least 60% of the quote's span; whitespace is ignored and width is normalised (NFKC).
"""

from __future__ import annotations

import json
import statistics
import time
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from knowledge.models import Chunk


def load_items(path: str | Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def squash(text: str) -> tuple[str, list[int]]:
    """Text without whitespace, NFKC-normalised per character, with each kept char's original offset."""
    chars, offsets = [], []
    for i, ch in enumerate(text):
        if ch.isspace():
            continue
        norm = unicodedata.normalize("NFKC", ch)
        for c in norm:
            if not c.isspace():
                chars.append(c)
                offsets.append(i)
    return "".join(chars), offsets


def quote_spans(doc_text: str, quote: str) -> list[tuple[int, int]]:
    """Every (start, end) in ``doc_text`` where ``quote`` occurs, ignoring whitespace and width."""
    text_sq, offsets = squash(doc_text)
    q_sq, _ = squash(quote)
    spans, pos = [], text_sq.find(q_sq)
    while pos >= 0 and q_sq:
        spans.append((offsets[pos], offsets[pos + len(q_sq) - 1] + 1))
        pos = text_sq.find(q_sq, pos + 1)
    return spans


def covers(chunk: Chunk, gold: dict, doc_texts: dict[str, str]) -> bool:
    if chunk.source != gold["doc"]:
        return False
    for q0, q1 in quote_spans(doc_texts.get(chunk.doc_id, ""), gold["quote"]):
        if max(0, min(chunk.end, q1) - max(chunk.start, q0)) >= 0.6 * (q1 - q0):
            return True
    return False


def question_text(item: dict) -> str:
    return item["question"]


@dataclass
class RetrievalReport:
    rows: dict[str, dict[str, float]]
    latencies_ms: list[float]

    def format(self) -> str:
        lines = [f"{'type':14s} {'n':>3s} {'hit@1':>6s} {'hit@5':>6s} {'hit@10':>6s} {'MRR':>6s}"]
        for name, r in self.rows.items():
            lines.append(f"{name:14s} {int(r['n']):3d} {r['hit@1']:6.3f} {r['hit@5']:6.3f} "
                         f"{r['hit@10']:6.3f} {r['mrr']:6.3f}")
        lat = sorted(self.latencies_ms)
        if lat:
            p = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))]  # noqa: E731
            lines.append(f"search latency (in process): p50 {p(0.5):.1f} ms, p95 {p(0.95):.1f} ms")
        return "\n".join(lines)


def evaluate_retrieval(items: list[dict], search: Callable[[dict], list[Chunk]],
                       doc_texts: dict[str, str]) -> RetrievalReport:
    """hit@1/5/10 and MRR@10, overall and per question type (items without gold are left out).

    Args:
        items: QA items; ``search(item)`` returns the ranked chunks for one item.
        doc_texts: doc_id → stored text, to locate gold quotes.
    """
    per: dict[str, list[int | None]] = defaultdict(list)
    lat: list[float] = []
    for item in items:
        if not item.get("gold"):
            continue
        t0 = time.perf_counter()
        ranked = search(item)[:10]
        lat.append((time.perf_counter() - t0) * 1000)
        first = next((r for r, c in enumerate(ranked) if any(covers(c, g, doc_texts) for g in item["gold"])),
                     None)
        per[item["type"]].append(first)
        per["overall"].append(first)
    rows = {}
    for name in sorted(per, key=lambda n: (n == "overall", n)):
        firsts = per[name]
        n = len(firsts)
        rows[name] = {"n": n, **{f"hit@{k}": sum(f is not None and f < k for f in firsts) / n for k in (1, 5, 10)},
                      "mrr": statistics.fmean(1 / (f + 1) if f is not None else 0 for f in firsts)}
    return RetrievalReport(rows, lat)
