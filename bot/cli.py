"""The ``bot`` command: ingest, search, serve, evaluate. Errors become one-line messages here."""

from __future__ import annotations

import argparse
import logging
import sys
import time

from pydantic import ValidationError

from bot.config import Settings, get_settings
from ingest.errors import IngestError
from knowledge.errors import KnowledgeError

log = logging.getLogger("bot")


def _service(settings: Settings, *, reset: bool = False, auto_ingest: bool | None = None):
    from bot.service import KnowledgeService

    service = KnowledgeService(settings)
    service.load(reset=reset, auto_ingest=auto_ingest)
    return service


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    from tqdm import tqdm

    from ingest.pipeline import find_files

    service = _service(settings, reset=args.reset, auto_ingest=False)
    files = find_files(args.paths)
    missing = [str(p) for p in files if not p.exists()]
    bar = tqdm(total=len(files), unit="file", disable=args.quiet, file=sys.stderr)

    def progress(name: str, i: int, total: int) -> None:
        bar.n = i
        bar.set_postfix_str(name[:30])
        bar.refresh()

    summary = service.ingest([p for p in files if p.exists()], progress=progress)
    bar.close()
    s = summary
    print(f"files: {s.files + len(missing)}  documents new/changed/unchanged: "
          f"{s.documents_new}/{s.documents_changed}/{s.documents_unchanged}")
    print(f"chunks new: {s.chunks_new}  unchanged: {s.chunks_unchanged}  removed: {s.chunks_removed}  "
          f"embedded: {s.embedded}")
    for d in s.duplicates:
        print(f"duplicate, skipped: {d}")
    for v in s.versions:
        print(f"new version: {v}")
    errors = [(e.source, e.reason) for e in s.errors] + [(m, "no such file") for m in missing]
    print(f"errors: {len(errors)}  seconds: {s.seconds:.1f}")
    for source, reason in errors:
        print(f"  {source}: {reason}")
    if errors:
        print("partial: some files were not ingested (see errors above)")
        return 1
    return 0


def cmd_search(args: argparse.Namespace, settings: Settings) -> int:
    service = _service(settings)
    for i, h in enumerate(service.search(args.query, args.k), 1):
        c = h.chunk
        old = f"  (superseded by {h.superseded_by})" if h.superseded_by else ""
        print(f"[{i}] {c.title} ({c.version_date}) · {c.section}  score={h.score:.4f}{old}")
        print("    " + c.text.replace("\n", " ")[:300])
    return 0


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from bot.main import create_app

    settings = settings.model_copy(update={"host": args.host or settings.host, "port": args.port or settings.port})
    # access_log off: a query string holds the user's question; bot.main logs path, status and ms.
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, access_log=False,
                log_level="info")
    return 0


def cmd_eval_search(args: argparse.Namespace, settings: Settings) -> int:
    from dataclasses import replace

    from bot.evaluation import evaluate_retrieval, load_items
    from knowledge.query import analyze

    service = _service(settings)
    items = load_items(args.file)
    doc_texts = {d.doc_id: service.get_document(d.doc_id).text for d in service.store.list_documents()}
    searcher = service.searcher

    def run(item: dict):
        a = analyze(item["question"], item.get("history", []))
        return [h.chunk for h in searcher.search(a.retrieval_text, 10)]

    print(f"== {args.file}: {len(items)} items, {searcher.chunk_count} chunks")
    for it in items[:5]:  # warm the query-embedding cache so latencies are per search, not first-call
        run(it)
    print(evaluate_retrieval(items, run, doc_texts).format())
    if args.ablate:
        base = searcher.options
        variants = [
            ("full system", {}),
            ("- glossary", {"use_glossary": False}),
            ("+ reranker (off by default)", {"rerank": True}),
            ("- version preference", {"prefer_newest": False}),
            ("- query understanding", {"understand": False}),
            ("rank fusion (RRF k=60)", {"fusion": "rrf"}),
            ("lexical weight 0.5", {"lexical_weight": 0.5}),
            ("dense weight 0.5", {"dense_weight": 0.5}),
            ("lexical only", {"dense_weight": 0.0}),
            ("dense only", {"lexical_weight": 0.0}),
            ("glossary terms in e5 query", {"expand_dense": True}),
        ]
        print(f"\n{'variant':28s} {'hit@1':>6s} {'hit@5':>6s} {'MRR':>6s} {'p95 ms':>7s}")
        for name, change in variants:
            searcher.options = replace(base, **change)
            rep = evaluate_retrieval(items, run, doc_texts)
            o = rep.rows["overall"]
            lat = sorted(rep.latencies_ms)
            p95 = lat[min(len(lat) - 1, int(0.95 * len(lat)))]
            print(f"{name:28s} {o['hit@1']:6.3f} {o['hit@5']:6.3f} {o['mrr']:6.3f} {p95:7.1f}")
        searcher.options = base
    if args.ablate_context:
        print(_context_ablation(settings, service, items, doc_texts, run))
    return 0


def _context_ablation(settings: Settings, service, items, doc_texts, run_full) -> str:
    """The same search over chunks indexed and embedded without their title/chapter context.

    Builds (once) a second store under DATA_DIR/ablation: embedding ~7,000 passages takes ~10 minutes.
    """
    from bot.evaluation import evaluate_retrieval
    from ingest.pipeline import find_files, ingest_files
    from knowledge.query import analyze
    from knowledge.search import HybridSearcher
    from knowledge.store import KnowledgeStore

    emb = service.store.embeddings
    root = settings.data_dir / "ablation"
    store = KnowledgeStore.open(emb, path=root / "chroma", prefix="nocontext")
    if store.count() == 0:  # the store persists, so later runs reuse its vectors
        ingest_files(find_files([settings.knowledge_dir]), store, with_context=False)
    plain = HybridSearcher(store, service.searcher.glossary, token_cache=root / "tokens.pkl")
    plain.refresh()
    by_source = {d.source: d.doc_id for d in service.store.list_documents()}
    texts = {d.doc_id: doc_texts[by_source[d.source]] for d in store.list_documents()}

    def run(item: dict):
        a = analyze(item["question"], item.get("history", []))
        return [h.chunk for h in plain.search(a.retrieval_text, 10)]

    o = evaluate_retrieval(items, run, texts).rows["overall"]
    return f"{'- context in chunks':28s} {o['hit@1']:6.3f} {o['hit@5']:6.3f} {o['mrr']:6.3f}"


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    from bot.evaluation import evaluate_answers, load_items

    service = _service(settings)
    items = load_items(args.file)
    texts: dict[str, str] = {}

    def document_text(doc_id: str) -> str:
        if doc_id not in texts:
            texts[doc_id] = service.get_document(doc_id).text
        return texts[doc_id]

    report = evaluate_answers(items, lambda it: service.ask(it["question"], it.get("history", [])).as_dict(),
                              document_text)
    print(f"== {args.file}: {len(items)} items")
    print(report.format())
    if args.baseline:
        from knowledge.query import analyze

        def pasted(item: dict) -> dict:
            """The simplest baseline: the top-3 retrieved passages pasted together, never refusing."""
            hits = service.search(analyze(item["question"], item.get("history", [])).retrieval_text, 3)
            cites = [{"n": i, "doc_id": h.chunk.doc_id, "title": h.chunk.title, "section": h.chunk.section,
                      "source": h.chunk.source, "version_date": h.chunk.version_date, "quote": h.chunk.text,
                      "start": h.chunk.start, "end": h.chunk.end} for i, h in enumerate(hits, 1)]
            return {"answer": "\n".join(f"{c['quote']}[{c['n']}]" for c in cites), "refused": False,
                    "citations": cites}

        print("\n== baseline: top-3 retrieved passages pasted together")
        print(evaluate_answers(items, pasted, document_text).format())
    if args.verbose:
        print("\n".join(report.failures))
    return 0


def cmd_eval_match(args: argparse.Namespace, settings: Settings) -> int:
    from bot.evaluation import evaluate_matching, load_items
    from bot.match import match_profile

    service = _service(settings)
    items = load_items(args.file)
    report = evaluate_matching(items, lambda text: [m.programme.id for m in
                                                    match_profile(text, service.catalogue, service.catalogue.channel)[1]])
    print(f"== {args.file}: {len(items)} profiles, {len(service.catalogue.programmes)} programmes")
    print(report)
    return 0


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    service = _service(settings)
    ans = service.ask(args.question)
    print(("【知识库未载明】" if ans.refused else "") + ans.text)
    print("\n来源：")
    for c in ans.citations:
        old = "（已被新版本取代）" if c.superseded_by else ""
        print(f"[{c.n}] 《{c.chunk.title}》{c.chunk.section}（{c.chunk.version_date}）{old} 原文：{c.quote}")
    return 0


def cmd_build_cache(args: argparse.Namespace, settings: Settings) -> int:
    from ingest.pipeline import build_vector_cache
    from knowledge.embeddings import load_embeddings

    t0 = time.perf_counter()
    emb = load_embeddings(settings.embedding_model)
    cache = build_vector_cache(args.paths or [settings.knowledge_dir], emb,
                               progress=lambda i, n: print(f"\rembedded {i}/{n}", end="", file=sys.stderr))
    print(f"\n{len(cache)} vectors for {emb.model_id} in {cache.path} ({time.perf_counter() - t0:.0f}s)")
    return 0


def cmd_bench(args: argparse.Namespace, settings: Settings) -> int:
    from bot.bench import run

    run(settings, set(args.only.split(",")) if args.only else None)
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="bot", description="科学城政策助手: policy knowledge base and chatbot")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("ingest", help="ingest files or folders into the knowledge base")
    s.add_argument("paths", nargs="+")
    s.add_argument("--reset", action="store_true", help="drop the store first (also to switch models)")
    s.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    s.set_defaults(func=cmd_ingest)

    s = sub.add_parser("search", help="hybrid search, printing passages with their sources")
    s.add_argument("query")
    s.add_argument("-k", type=int, default=5, choices=range(1, 51), metavar="N (1..50)")
    s.set_defaults(func=cmd_search)

    s = sub.add_parser("serve", help="run the HTTP service")
    s.add_argument("--host", default=None)
    s.add_argument("--port", type=int, default=None)
    s.set_defaults(func=cmd_serve)

    s = sub.add_parser("eval-search", help="retrieval hit@1/5/10 and MRR on a QA file")
    s.add_argument("file")
    s.add_argument("--ablate", action="store_true", help="also switch each component off in turn")
    s.add_argument("--ablate-context", action="store_true",
                   help="also index without title/chapter context (builds a second store once: ~10 min)")
    s.set_defaults(func=cmd_eval_search)

    s = sub.add_parser("ask", help="answer a question with its sources")
    s.add_argument("question")
    s.set_defaults(func=cmd_ask)

    s = sub.add_parser("eval", help="answer quality on a QA file (key points, citations, refusals, numbers)")
    s.add_argument("file")
    s.add_argument("-v", "--verbose", action="store_true", help="list the items that missed")
    s.add_argument("--baseline", action="store_true", help="also score the top-3-passages baseline")
    s.set_defaults(func=cmd_eval)

    s = sub.add_parser("eval-match", help="precision and recall of 政策匹配 on a profiles file")
    s.add_argument("file")
    s.set_defaults(func=cmd_eval_match)

    s = sub.add_parser("bench", help="print latency, throughput and start-up figures (run alone)")
    s.add_argument("--only", help="comma-separated: start,search,ask,shipped,ingest,web")
    s.set_defaults(func=cmd_bench)

    s = sub.add_parser("build-embedding-cache", help="embed the shipped knowledge into knowledge/data/embeddings")
    s.add_argument("paths", nargs="*")
    s.set_defaults(func=cmd_build_cache)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.command == "serve" else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        settings = get_settings()
        return args.func(args, settings)
    except ValidationError as exc:
        print(f"error: invalid BOT_* settings: {exc}", file=sys.stderr)
        return 2
    except (KnowledgeError, IngestError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted; rerun the same command to finish consistently", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
