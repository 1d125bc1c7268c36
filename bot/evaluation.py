"""Evaluation on QA sets in the format of ``shared/eval/README.md``: retrieval hit rates.

Matching follows that README: a result hits a gold passage when it comes from the gold file and
covers at least 60% of the quote's span; whitespace is ignored and width is normalised (NFKC).
"""

from __future__ import annotations

import json
import re
import statistics
import time
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from knowledge.models import Chunk

PROJECT = Path(__file__).resolve().parent.parent
QUESTIONS = PROJECT / "eval" / "questions.jsonl"
DEV = PROJECT.parent / "shared" / "eval" / "dev.jsonl"


_ITEM_NUMBER = re.compile(r"-?\d+$")


def writer_batch(item_id: str) -> str:
    """The batch an item was written in: its id without the trailing number (sa-001 → sa, tr-ood-086 → tr-ood).
    A batch shares one writer's wording; folds that hold out whole batches ask whether a model carries over to
    new writers, as the unseen sets do, rather than to new questions of writers it has read."""
    return _ITEM_NUMBER.sub("", item_id) or item_id


def load_items(path: str | Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


@dataclass
class EvalSet:
    name: str
    items: list[dict]
    # Held-out items are measured only in aggregate: their failures are never listed.
    listable: bool = True


def standard_sets(files: list[str] | None = None, splits: tuple[str, ...] = ("tune", "heldout")) -> list[EvalSet]:
    """The sets to print side by side: tune and heldout of the development set, then dev.

    A file whose items carry a ``split`` field is cut into its splits; any other file is one set.
    """
    paths = [Path(f) for f in files] if files else [p for p in (QUESTIONS, DEV) if p.exists()]
    out: list[EvalSet] = []
    for path in paths:
        items = load_items(path)
        if any("split" in it for it in items):
            for name in splits:
                out.append(EvalSet(name, [it for it in items if it.get("split") == name], name != "heldout"))
        else:
            out.append(EvalSet(path.stem, items))
    return out


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


def side_by_side(reports: dict[str, dict[str, dict[str, float]]], columns: list[tuple[str, str, str]]) -> str:
    """One row per question type, one block of columns per set.

    Args:
        reports: set name → type → metrics (as in ``RetrievalReport.rows``).
        columns: (metric key, header, format) for each column of a block; ``None`` values print as -.
    """
    names = list(reports)
    types = sorted({t for r in reports.values() for t in r}, key=lambda t: (t == "overall", t))
    width = [max(len(h), 6) for _, h, _ in columns]
    head = f"{'':14s}" + "".join(
        " | " + f"{name} (n)".ljust(5) + " " + " ".join(h.rjust(w) for (_, h, _), w in zip(columns, width, strict=True))
        for name in names)
    lines = [head]
    for t in types:
        row = f"{t:14s}"
        for name in names:
            r = reports[name].get(t)
            cells = []
            for (key, _, fmt), w in zip(columns, width, strict=True):
                v = r.get(key) if r else None
                cells.append(("-" if v is None else format(v, fmt)).rjust(w))
            n = f"{int(r['n'])}" if r else "-"
            row += " | " + f"({n})".ljust(len(name) + 5) + " " + " ".join(cells)
        lines.append(row)
    return "\n".join(lines)


RETRIEVAL_COLUMNS = [("hit@1", "hit@1", ".3f"), ("hit@5", "hit@5", ".3f"), ("hit@10", "hit@10", ".3f"),
                     ("mrr", "MRR", ".3f")]
ANSWER_COLUMNS = [("key_point_recall", "keypt", ".3f"), ("false_refusals", "f_ref", ".3f"),
                  ("domain_refusals", "f_dom", ".3f"),
                  ("refusal_accuracy", "refuse", ".3f"), ("citation_validity", "cite", ".3f"),
                  ("loose_numbers", "loose", "d"), ("median_length", "med", ".0f"),
                  ("answered_median", "med_a", ".0f")]


def _squash_text(text: str) -> str:
    return squash(text)[0]


@dataclass
class AnswerReport:
    rows: dict[str, dict[str, float]]
    failures: list[str]


def evaluate_answers(items: list[dict], ask: Callable[[dict], dict],
                     document_text: Callable[[str], str]) -> AnswerReport:
    """Answer-level metrics of ``shared/eval/README.md``, overall and per question type.

    ``ask(item)`` returns the /api/ask response body for one item.
    """
    from bot.verify import numbers_outside

    per: dict[str, list[dict]] = defaultdict(list)
    failures: list[str] = []
    for item in items:
        body = ask(item)
        answer, cites = body["answer"], body["citations"]
        ans_sq = _squash_text(answer)
        points = item.get("answer_points", [])
        found = sum(_squash_text(p) in ans_sq for p in points)
        valid = sum(document_text(c["doc_id"])[c["start"]:c["end"]] == c["quote"] for c in cites)
        loose = numbers_outside(answer, [c["quote"] + c["title"] + c["section"] + c["source"] + c["version_date"]
                                         for c in cites] + [item["question"]])
        row = {"answerable": bool(item.get("gold")), "points": len(points), "found": found, "cites": len(cites),
               "valid": valid, "refused": body["refused"], "loose": len(loose), "length": len(answer),
               "domain": body.get("answered_by") == "domain"}
        if row["answerable"] and (body["refused"] or found < len(points)):
            failures.append(f"{item['id']} {item['type']}: {'refused' if body['refused'] else f'{found}/{len(points)}'}")
        if not row["answerable"] and not body["refused"]:
            failures.append(f"{item['id']} {item['type']}: answered an unanswerable question")
        if loose:
            failures.append(f"{item['id']}: numbers outside citations {loose}")
        per[item["type"]].append(row)
        per["overall"].append(row)
    rows = {}
    for name in sorted(per, key=lambda n: (n == "overall", n)):
        rs = per[name]
        ans = [r for r in rs if r["answerable"]]
        una = [r for r in rs if not r["answerable"]]
        answered = [r["length"] for r in ans if not r["refused"]]
        pts = sum(r["points"] for r in ans)
        cites = sum(r["cites"] for r in rs)
        rows[name] = {
            "n": len(rs),
            "key_point_recall": sum(r["found"] for r in ans) / pts if pts else None,
            "citation_validity": sum(r["valid"] for r in rs) / cites if cites else None,
            "refusal_accuracy": sum(r["refused"] for r in una) / len(una) if una else None,
            "false_refusals": sum(r["refused"] for r in ans) / len(ans) if ans else None,
            # the part of false_refusals the domain model turned away before any passage was weighed
            "domain_refusals": sum(r["refused"] and r["domain"] for r in ans) / len(ans) if ans else None,
            "loose_numbers": int(sum(r["loose"] for r in rs)),
            "median_length": statistics.median(r["length"] for r in rs),
            # Refusals and domain replies are short, so the median over all items sits under the median of the
            # answers people get to questions the documents answer: both are printed.
            "answered_median": statistics.median(answered) if answered else None,
        }
    return AnswerReport(rows, failures)


def evaluate_matching(items: list[dict], match: Callable[[str], list[str]]) -> str:
    """Precision and recall of matched programme ids against each profile's expectations.

    Items: ``{"profile", "expect": [ids that should be returned], "reject": [ids that must not be]}``.
    Precision counts a returned programme as wrong only when the profile lists it under ``reject`` or
    expects nothing at all (programmes neither expected nor rejected are judgement calls, left out).
    """
    tp = fn = fp = judged = empty_ok = empty_n = 0
    lines = []
    for item in items:
        got = match(item["profile"])
        expect, reject = set(item.get("expect", [])), set(item.get("reject", []))
        hit = expect & set(got)
        wrong = (set(got) & reject) | (set(got) if not expect else set())
        tp += len(hit)
        fn += len(expect - hit)
        fp += len(wrong)
        judged += len(hit) + len(wrong)
        if not expect:
            empty_n += 1
            empty_ok += not got
        if expect - hit or wrong:
            lines.append(f"  {item['profile'][:30]}: missing {sorted(expect - hit)} wrong {sorted(wrong)}")
    precision = tp / judged if judged else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    out = [f"precision {precision:.3f}  recall {recall:.3f}  (expected found {tp}, missed {fn}, wrong {fp}); "
           f"no-match profiles answered empty: {empty_ok}/{empty_n}"]
    return "\n".join(out + lines)


# ---- runs against a loaded service (what `bot eval-search` and `bot eval` print) -------------------------
def retrieve(service, item: dict, k: int = 10) -> list[Chunk]:
    """The ranked chunks the product retrieves for one item (in its conversation)."""
    from bot.answering.conversation import understand

    a = understand(item["question"], item.get("history", []))
    return [h.chunk for h in service.searcher.search(a.retrieval_text, k, about_past=a.about_past, own=a.own_text)]


def document_texts(service) -> dict[str, str]:
    return {d.doc_id: service.get_document(d.doc_id).text for d in service.store.list_documents()}


def retrieval_figures(service, sets: list[EvalSet], *, ablate: bool = False) -> str:
    """hit@1/5/10 and MRR per type, the sets side by side; with ``ablate``, one line per variant and set."""
    from dataclasses import replace

    doc_texts = document_texts(service)
    searcher = service.searcher
    run = lambda item: retrieve(service, item)  # noqa: E731
    searcher.search("预热", 1)  # the model's first call pays one-off set-up
    service.store.embeddings.clear_query_cache()  # latencies below are on questions no cache has seen
    reports = {s.name: evaluate_retrieval(s.items, run, doc_texts) for s in sets}
    out = [side_by_side({n: r.rows for n, r in reports.items()}, RETRIEVAL_COLUMNS)]
    out += [f"search latency {n} (in process, first pass: nothing cached): " + r.format().splitlines()[-1].split(": ", 1)[-1]
            for n, r in reports.items() if r.latencies_ms]
    if ablate:
        base = searcher.options
        variants = [
            ("full system (learned fusion)", {}),
            ("- learned fusion (score mix)", {"fusion": "score"}),
            ("- learned fusion (RRF k=60)", {"fusion": "rrf"}),
            ("+ thesaurus (off by default)", {"use_thesaurus": True}),
            ("- glossary", {"use_glossary": False}),
            ("- document cards", {"use_cards": False}),
            ("- written questions", {"use_asked": False}),
            ("- glossary rewrite for e5", {"glossary_rewrite": False}),
            ("- topic weighting", {"topic_weight": 1.0}),
            ("score mix, lexical only", {"fusion": "score", "dense_weight": 0.0}),
            ("score mix, dense only", {"fusion": "score", "lexical_weight": 0.0}),
        ]
        out.append(f"\n{'variant':28s} " + " ".join(f"{s.name + ' hit@1':>14s} {'hit@5':>6s} {'MRR':>6s}"
                                                      for s in sets) + f" {'p95 ms':>7s}")
        try:
            for name, change in variants:
                searcher.options = replace(base, **change)
                service.store.embeddings.clear_query_cache()  # latency on questions no cache has seen
                row, lat = f"{name:28s}", []
                for s in sets:
                    rep = evaluate_retrieval(s.items, run, doc_texts)
                    o = rep.rows["overall"]
                    row += f" {o['hit@1']:14.3f} {o['hit@5']:6.3f} {o['mrr']:6.3f}"
                    lat += rep.latencies_ms
                lat.sort()
                out.append(row + f" {lat[min(len(lat) - 1, int(0.95 * len(lat)))]:7.1f}")
        finally:
            searcher.options = base
    return "\n".join(out)


def answer_figures(service, sets: list[EvalSet], *, verbose: bool = False, baseline: bool = False,
                   asks: dict[str, Callable[[dict], dict]] | None = None) -> str:
    """Answer metrics per type, the sets side by side; ``verbose`` lists misses of listable sets only.
    ``asks``: another way of answering a set's items, by set name (``bot.train.out_of_fold_ask`` for tune)."""
    from bot.answering.conversation import understand

    texts: dict[str, str] = {}

    def document_text(doc_id: str) -> str:
        if doc_id not in texts:
            texts[doc_id] = service.get_document(doc_id).text
        return texts[doc_id]

    def ask(item: dict) -> dict:
        return service.ask(item["question"], item.get("history", [])).as_dict()

    reports = {s.name: evaluate_answers(s.items, (asks or {}).get(s.name, ask), document_text) for s in sets}
    out = [side_by_side({n: r.rows for n, r in reports.items()}, ANSWER_COLUMNS),
           "keypt = key-point recall on answerable items; f_ref = answerable items refused; "
           "f_dom = those of them given the out-of-domain reply; "
           "refuse = unanswerable/outofdomain items refused; cite = verbatim citations; loose = numbers outside citations; "
           "med = median answer length over all items; med_a = the same over answerable items answered"]
    if baseline:
        def pasted(item: dict) -> dict:
            """The simplest baseline: the top-3 retrieved passages pasted together, never refusing."""
            hits = service.search(understand(item["question"], item.get("history", [])).retrieval_text, 3)
            cites = [{"n": i, "doc_id": h.chunk.doc_id, "title": h.chunk.title, "section": h.chunk.section,
                      "source": h.chunk.source, "version_date": h.chunk.version_date, "quote": h.chunk.text,
                      "start": h.chunk.start, "end": h.chunk.end} for i, h in enumerate(hits, 1)]
            return {"answer": "\n".join(f"{c['quote']}[{c['n']}]" for c in cites), "refused": False,
                    "citations": cites}

        out.append("\n== baseline: top-3 retrieved passages pasted together")
        out.append(side_by_side({s.name: evaluate_answers(s.items, pasted, document_text).rows for s in sets},
                                ANSWER_COLUMNS))
    if verbose:
        for s in sets:
            if s.listable:
                out.append(f"\n== misses on {s.name}")
                out += reports[s.name].failures
            else:
                out.append(f"\n== {s.name}: misses not listed (held-out items are read only in aggregate)")
    return "\n".join(out)
