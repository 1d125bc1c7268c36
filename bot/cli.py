"""The ``bot`` command: ingest, search, serve, evaluate. Errors become one-line messages here."""

from __future__ import annotations

import argparse
import logging
import math
import sys
import time

from pydantic import ValidationError

from bot.config import Settings, get_settings
from ingest.errors import IngestError
from knowledge.errors import KnowledgeError

log = logging.getLogger("bot")


def _service(settings: Settings, *, reset: bool = False, auto_ingest: bool | None = None,
             check_models: bool = True):
    from bot.service import KnowledgeService

    service = KnowledgeService(settings)
    service.load(reset=reset, auto_ingest=auto_ingest, require_models=check_models)
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
    from bot.evaluation import retrieval_figures, standard_sets

    service = _service(settings)
    sets = standard_sets(args.files)
    print("== retrieval: " + ", ".join(f"{s.name} {len(s.items)}" for s in sets)
          + f" items; {service.searcher.chunk_count} chunks")
    print(retrieval_figures(service, sets, ablate=args.ablate))
    return 0


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    from bot.evaluation import EvalSet, answer_figures, standard_sets

    service = _service(settings)
    sets = standard_sets(args.files)
    asks = None
    if args.keep and not args.out_of_fold:
        print("error: --keep keeps the tune items answered out of fold; add --out-of-fold", file=sys.stderr)
        return 2
    if args.out_of_fold:
        from bot.train import out_of_fold_ask

        sets = [EvalSet("tune-oof", s.items) if s.name == "tune" else s for s in sets]
        asks = {"tune-oof": out_of_fold_ask(service, next(s for s in sets if s.name == "tune-oof"))}
    if args.keep:
        from bot.replay import keeping

        asks["tune-oof"], kept = keeping(service.answerer, asks["tune-oof"])
    print("== answers: " + ", ".join(f"{s.name} {len(s.items)}" for s in sets) + " items")
    print(answer_figures(service, sets, verbose=args.verbose, baseline=args.baseline, asks=asks))
    if args.keep:
        from bot.replay import save

        save(kept, args.keep, "tune-oof")
        print(f"kept {len(kept)} tune items answered out of fold in {args.keep} (`bot replay {args.keep}`)")
    return 0


def cmd_replay(args: argparse.Namespace, settings: Settings) -> int:
    from bot.evaluation import QUESTIONS, load_items
    from bot.replay import KeptFileError, replay_figures

    service = _service(settings)
    try:
        print(replay_figures(service, load_items(args.questions or QUESTIONS), args.file))
    except KeptFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def cmd_train_ranker(args: argparse.Namespace, settings: Settings) -> int:
    from bot.evaluation import retrieval_figures, standard_sets
    from bot.train import train_ranker

    service = _service(settings, check_models=False)
    sets = standard_sets()
    tune = next(s for s in sets if s.name == "tune")
    meta = train_ranker(service, tune)
    print(f"trained on {meta['queries']} tune queries; cross-validated hit@1 {meta['cv_hit@1']}")
    print(retrieval_figures(service, sets))
    return 0


def _print_curves(service, model, curve, sets, columns: str) -> None:
    """A trained threshold's curve on each set (held-out in aggregate only), the model's own marked."""
    for s in sets:
        print(f"== {s.name}: {columns}")
        for t, a, b in curve(service, model, s.items):
            mark = "  <- model threshold" if abs(t - round(model.threshold, 3)) < 1e-9 else ""
            print(f"  {t:5.3f}  {a:5.3f}  {b:5.3f}{mark}")


def _train_thresholded(settings: Settings, fit, curve, model_of, columns: str) -> int:
    """Fit one thresholded model on tune with ``fit``, then print its threshold curve on every set."""
    from bot.evaluation import standard_sets

    service = _service(settings, check_models=False)
    sets = standard_sets()
    meta = fit(service, next(s for s in sets if s.name == "tune"))
    print(f"trained: {meta}")
    _print_curves(service, model_of(service), curve, sets, columns)
    return 0


def cmd_train_domain(args: argparse.Namespace, settings: Settings) -> int:
    from bot.train import domain_curve, train_domain

    return _train_thresholded(settings, train_domain, domain_curve, lambda svc: svc.answerer.domain,
                              "threshold, out-of-domain caught, answerable turned away")


def cmd_train_answerability(args: argparse.Namespace, settings: Settings) -> int:
    from bot.train import answerability_curve, train_answerability

    return _train_thresholded(settings, train_answerability, answerability_curve,
                              lambda svc: svc.answerer.answerability,
                              "threshold, answerable answered, unanswerable refused (in-domain items)")


def cmd_train_abstention(args: argparse.Namespace, settings: Settings) -> int:
    from bot.train import abstention_curve, train_abstention

    return _train_thresholded(settings, train_abstention, abstention_curve, lambda svc: svc.answerer.abstention,
                              "threshold, answerable answered, unanswerable refused (items reaching the decision)")


def cmd_refusal_frontier(args: argparse.Namespace, settings: Settings) -> int:
    from bot.evaluation import standard_sets
    from bot.train import refusal_frontier

    service = _service(settings)
    rows = refusal_frontier(service, next(s for s in standard_sets() if s.name == "tune"))
    print("== tune out of fold: false-refusal budget, domain share, answerable refused, unanswerable refused, "
          "out-of-domain refused, answerable turned away by the domain model")
    for total, share, *figures in rows:
        budget = "shipped recipe" if math.isnan(total) else f"{total:.2f}"
        print(f"  {budget:>14}  {share:.4f}  " + "  ".join(f"{v:.4f}" for v in figures))
    return 0


def cmd_train(args: argparse.Namespace, settings: Settings) -> int:
    """All learned parts in dependency order: ranking first (answerability is trained on its results, and
    abstention on answerability's)."""
    for step in (cmd_train_ranker, cmd_train_domain, cmd_train_answerability, cmd_train_abstention):
        print(f"\n=== {step.__name__.removeprefix('cmd_').replace('_', '-')}")
        step(args, settings)
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
    caches = build_vector_cache(args.paths or [settings.knowledge_dir], emb,
                                progress=lambda i, n: print(f"\rembedded {i}/{n}", end="", file=sys.stderr))
    for cache in caches:
        print(f"\n{len(cache)} vectors for {emb.model_id} in {cache.path}")
    print(f"{time.perf_counter() - t0:.0f}s")
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

    sets_help = "QA files (default: eval/questions.jsonl split into tune and heldout, and ../shared/eval/dev.jsonl)"
    s = sub.add_parser("eval-search", help="retrieval hit@1/5/10 and MRR: tune, heldout and dev side by side")
    s.add_argument("files", nargs="*", help=sets_help)
    s.add_argument("--ablate", action="store_true", help="also switch each component off in turn")
    s.set_defaults(func=cmd_eval_search)

    s = sub.add_parser("ask", help="answer a question with its sources")
    s.add_argument("question")
    s.set_defaults(func=cmd_ask)

    s = sub.add_parser("eval", help="answer quality (key points, refusals, citations, numbers): sets side by side")
    s.add_argument("files", nargs="*", help=sets_help)
    s.add_argument("-v", "--verbose", action="store_true", help="list the items that missed (never held-out ones)")
    s.add_argument("--baseline", action="store_true", help="also score the top-3-passages baseline")
    s.add_argument("--out-of-fold", action="store_true",
                   help="tune answered as unseen questions: by models not trained on each item (~25 min)")
    s.add_argument("--keep", metavar="FILE",
                   help="with --out-of-fold: keep each tune item's deliberation in FILE for `bot replay`")
    s.set_defaults(func=cmd_eval)

    s = sub.add_parser("replay", help="compose kept out-of-fold answers again: reproduced, losses by cause, "
                                      "follow-ratio sweep (seconds, not a 25-minute run)")
    s.add_argument("file", help="written by `bot eval --out-of-fold --keep FILE`")
    s.add_argument("--questions", help="the evaluation set the items come from (default: eval/questions.jsonl)")
    s.set_defaults(func=cmd_replay)

    s = sub.add_parser("train", help="train-ranker, train-domain, train-answerability and train-abstention in that order")
    s.set_defaults(func=cmd_train)

    s = sub.add_parser("train-ranker", help="fit the learned fusion on the tune split (knowledge/data/ranker.json)")
    s.set_defaults(func=cmd_train_ranker)

    s = sub.add_parser("refusal-frontier", help="tune out of fold: refusals bought per false-refusal budget, "
                                                "split between the domain and abstention models")
    s.set_defaults(func=cmd_refusal_frontier)
    s = sub.add_parser("train-domain", help="fit the out-of-domain model on the tune split (knowledge/data/domain.json)")
    s.set_defaults(func=cmd_train_domain)

    s = sub.add_parser("train-answerability",
                       help="fit P(sentence answers) and its threshold on the tune split (knowledge/data/answerability.json)")
    s.set_defaults(func=cmd_train_answerability)

    s = sub.add_parser("train-abstention",
                       help="fit P(answerable), its refusal threshold and its left-over words model on the tune split "
                            "(knowledge/data/abstention.json, uncovered.json)")
    s.set_defaults(func=cmd_train_abstention)

    s = sub.add_parser("eval-match", help="precision and recall of 政策匹配 on a profiles file")
    s.add_argument("file")
    s.set_defaults(func=cmd_eval_match)

    s = sub.add_parser("bench", help="print latency, throughput and start-up figures (run alone)")
    s.add_argument("--only", help="comma-separated: start,unique,search,ask,shipped,ingest,web")
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
