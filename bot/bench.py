"""Benchmarks that print the figures recorded in docs/benchmarks.md (run alone: 2 cores are easily disturbed).

    bot bench            all of it
    bot bench --only search,ask
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from bot.config import Settings

QUERIES = [
    "知识价值信用贷", "买房补贴", "人才公寓", "先投后股是什么", "高新技术企业所得税税率", "失业保险金怎么领",
    "试用期最长多久", "职务发明奖金", "政府采购中小企业份额", "营业执照办理时限", "外国人工作签证", "社保登记期限",
    "公积金什么时候开始交", "产业发展基金规模", "一件事一次办", "科研人员兼职", "专利评职称", "拖欠中小企业款项",
    "融资担保费率", "继续教育学时",
]


def _pct(values: list[float], q: float) -> float:
    v = sorted(values)
    return v[min(len(v) - 1, int(round(q * (len(v) - 1))))]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, timeout: float = 30) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def _post(url: str, body: dict, timeout: float = 30) -> tuple[int, bytes]:
    req = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def _copy_store(settings: Settings, tmp: str) -> None:
    """Serve a copy of the existing store, so a benchmark never writes to the real one."""
    if settings.store_path.exists():
        shutil.copytree(settings.store_path, Path(tmp) / "chroma")


class Server:
    """``bot serve`` in a subprocess; measures seconds from spawn to a 200 from /readyz."""

    def __init__(self, env: dict[str, str]) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        exe = Path(sys.executable).with_name("bot")
        t0 = time.perf_counter()
        self.proc = subprocess.Popen([str(exe), "serve", "--port", str(self.port)], env={**os.environ, **env},
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while True:
            try:
                if _get(self.url + "/readyz", timeout=2)[0] == 200:
                    break
            except OSError:
                pass
            if self.proc.poll() is not None:
                raise RuntimeError("bot serve exited")
            if time.perf_counter() - t0 > 300:
                raise RuntimeError("bot serve not ready after 300 s")
            time.sleep(0.05)
        self.ready_seconds = time.perf_counter() - t0

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=20)


def bench_start(settings: Settings) -> None:
    print("== start-up")
    with tempfile.TemporaryDirectory() as tmp:
        first = Server({"BOT_DATA_DIR": tmp})
        print(f"first run (empty store, shipped knowledge ingested from the vector cache): "
              f"{first.ready_seconds:.1f} s to /readyz")
        first.stop()
        cold = Server({"BOT_DATA_DIR": tmp})
        print(f"cold start with the existing store: {cold.ready_seconds:.2f} s to /readyz")
        cold.stop()


def bench_search(settings: Settings, n: int = 400, path: str = "search") -> None:
    print(f"== /api/{path} over HTTP, sequential")
    with tempfile.TemporaryDirectory() as tmp:
        _copy_store(settings, tmp)
        server = Server({"BOT_DATA_DIR": tmp})
        try:
            # every query once to warm the query-embedding cache like a live service would be
            lat: list[float] = []
            for i in range(n):
                q = QUERIES[i % len(QUERIES)]
                t0 = time.perf_counter()
                if path == "search":
                    status, _ = _get(f"{server.url}/api/search?" + urllib.parse.urlencode({"q": q, "k": 5}))
                else:
                    status, _ = _post(f"{server.url}/api/ask", {"question": q, "history": []})
                lat.append((time.perf_counter() - t0) * 1000)
                assert status == 200, status
            cold = lat[:len(QUERIES)]
            print(f"first pass, {len(cold)} distinct questions (nothing cached): p50 {_pct(cold, .5):.1f} ms  "
                  f"max {max(cold):.1f} ms")
            print(f"{n} requests cycling those questions: p50 {_pct(lat, .5):.1f} ms  p95 {_pct(lat, .95):.1f} ms  "
                  f"p99 {_pct(lat, .99):.1f} ms")
            if path == "ask":
                _throughput(server.url, clients=8, seconds=10)
        finally:
            server.stop()


def _throughput(url: str, clients: int, seconds: float) -> None:
    count = [0] * clients
    errors = [0] * clients
    stop = time.perf_counter() + seconds

    def worker(i: int) -> None:
        j = i
        while time.perf_counter() < stop:
            status, _ = _post(f"{url}/api/ask", {"question": QUERIES[j % len(QUERIES)], "history": []})
            count[i] += status == 200
            errors[i] += status != 200
            j += clients

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    print(f"{clients} concurrent clients for {seconds:.0f} s: {sum(count) / elapsed:.0f} req/s, "
          f"{sum(errors)} errors")


def bench_unique(settings: Settings, limit: int = 400) -> None:
    """In-process latency on unique development-set questions, nothing cached: query embedding alone,
    search, and the whole answer (search + answering), each on its own questions."""
    from bot.answering.conversation import understand
    from bot.evaluation import QUESTIONS, load_items
    from bot.service import KnowledgeService

    print("== unique questions, in process (no query cache)")
    service = KnowledgeService(settings)
    service.load()
    emb = service.store.embeddings
    items = load_items(QUESTIONS)
    questions = list(dict.fromkeys(it["question"] for it in items if not it.get("history")))[:limit]
    half = len(questions) // 2
    service.search("预热", 1)  # the model's first call pays one-off set-up
    emb.clear_query_cache()
    embed, search, ask = [], [], []
    for q in questions[:half]:
        a = understand(q)
        t0 = time.perf_counter()
        emb._queries([a.retrieval_text + "。"])  # the model alone, on a string the search will not reuse
        embed.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        service.searcher.search(a.retrieval_text, 10, about_past=a.about_past, own=a.own_text)
        search.append((time.perf_counter() - t0) * 1000)
    for q in questions[half:]:
        t0 = time.perf_counter()
        service.ask(q)
        ask.append((time.perf_counter() - t0) * 1000)
    print(f"query embedding alone ({len(embed)}): p50 {_pct(embed, .5):.1f} ms  p95 {_pct(embed, .95):.1f} ms")
    print(f"search ({len(search)}): p50 {_pct(search, .5):.1f} ms  p95 {_pct(search, .95):.1f} ms  "
          f"(p95 ratio to embedding p95: {_pct(search, .95) / _pct(embed, .95):.2f})")
    print(f"answer ({len(ask)}): p50 {_pct(ask, .5):.1f} ms  p95 {_pct(ask, .95):.1f} ms")


def bench_ingest(settings: Settings, target_chunks: int = 400) -> None:
    """Ingestion with real embedding (no vector cache) against the embedder's raw batch rate."""
    from ingest.pipeline import find_files, ingest_files, prepare_document
    from knowledge.embeddings import load_embeddings
    from knowledge.store import KnowledgeStore

    print("== ingestion (embedding, no vector cache)")
    files, texts = [], []
    for f in find_files([settings.knowledge_dir / "policy" / "chongqing"]):
        chunks = prepare_document(f.name, f.read_bytes())[1]
        files.append(f)
        texts.extend(c.index_text for c in chunks)
        if len(texts) >= target_chunks:
            break
    emb = load_embeddings(settings.embedding_model)
    t0 = time.perf_counter()
    emb.embed_passages(texts)
    raw = len(texts) / (time.perf_counter() - t0)
    with tempfile.TemporaryDirectory() as tmp:
        store = KnowledgeStore.open(emb, path=Path(tmp) / "chroma")
        s = ingest_files(files, store)
        rate = s.chunks_new / s.seconds
        print(f"{len(files)} files, {s.chunks_new} chunks in {s.seconds:.1f} s: {rate:.1f} chunks/s; "
              f"raw embedder {raw:.1f} passages/s; ratio {rate / raw:.2f}")
        again = ingest_files(files, store)
        print(f"re-ingest unchanged: {again.embedded} embedded, {again.seconds:.2f} s")
        # what the next index refresh adds: the new documents' sentence vectors (no shipped cache)
        from knowledge.embeddings import VectorCache
        from knowledge.sentences import SENTENCES, SentenceVectors

        empty = VectorCache(emb.model_id, Path(tmp) / "no-shipped-cache", kind=SENTENCES)
        t0 = time.perf_counter()
        n = SentenceVectors(emb, Path(tmp), shipped=empty).update(store.all_chunks())
        took = time.perf_counter() - t0
        print(f"sentence vectors of the new documents (at the next index refresh): {n} in {took:.1f} s "
              f"({n / took:.1f}/s)")


def bench_shipped_ingest(settings: Settings) -> None:
    from ingest.pipeline import find_files, ingest_files
    from knowledge.embeddings import VectorCache, load_embeddings
    from knowledge.store import KnowledgeStore

    print("== shipped knowledge from the vector cache")
    emb = load_embeddings(settings.embedding_model)
    with tempfile.TemporaryDirectory() as tmp:
        store = KnowledgeStore.open(emb, path=Path(tmp) / "chroma", vector_cache=VectorCache(emb.model_id))
        s = ingest_files(find_files([settings.knowledge_dir]), store)
        print(f"{s.files} files, {s.chunks_new} chunks in {s.seconds:.1f} s ({s.chunks_new / s.seconds:.0f} chunks/s), "
              f"{s.embedded} embedded")


def bench_web(settings: Settings, runs: int = 10) -> None:
    """Page weight of / and time from pressing Enter to the first streamed answer text, in Debian chromium."""
    from playwright.sync_api import sync_playwright

    print("== web page (Debian chromium, headless)")
    with tempfile.TemporaryDirectory() as tmp:
        _copy_store(settings, tmp)
        server = Server({"BOT_DATA_DIR": tmp})
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium",
                                            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                                                  "--disable-component-update", "--disable-sync", "--no-first-run"])
                page = browser.new_page()
                sizes: list[int] = []
                page.on("response", lambda r: sizes.append(len(r.body())) if r.ok else None)
                page.goto(server.url + "/", wait_until="networkidle")
                print(f"page weight of /: {sum(sizes) / 1024:.1f} KB in {len(sizes)} requests (uncompressed)")
                first: list[float] = []
                for i in range(runs):
                    q = QUERIES[i % len(QUERIES)] + "？"
                    page.fill("#question", q)
                    t0 = time.perf_counter()
                    page.keyboard.press("Enter")
                    page.locator(".msg.bot .answer-text").last.wait_for()
                    page.wait_for_function(
                        "() => { const a = [...document.querySelectorAll('.msg.bot .answer-text')].pop();"
                        " return a && a.textContent.length > 0; }")
                    first.append((time.perf_counter() - t0) * 1000)
                    page.locator(".msg.bot .actions").last.wait_for()
                browser.close()
            print(f"time to first answer text after Enter ({runs} questions): p50 {_pct(first, .5):.0f} ms, "
                  f"max {max(first):.0f} ms")
        finally:
            server.stop()


def run(settings: Settings, only: set[str] | None = None) -> None:
    parts = {"start": bench_start, "unique": bench_unique, "search": bench_search, "ask": lambda s: bench_search(s, path="ask"),
             "shipped": bench_shipped_ingest, "ingest": bench_ingest, "web": bench_web}
    for name, fn in parts.items():
        if only and name not in only:
            continue
        fn(settings)
        sys.stdout.flush()
    print(f"(measured {time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores, python {sys.version.split()[0]})")
