"""Stopping the server while it still loads the knowledge base: a clean exit, and a whole store after.

The load runs in a thread; killed at exit while inside Chroma's Rust bindings, a daemon thread made the
process die of SIGSEGV (seen: exit -11 when stopped 8 s into a first load), and the next start found a
non-empty store and never finished the shipped knowledge (123 of 134 documents).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.conftest import SHIPPED, free_port

STOP_AFTER = 3.0  # seconds into the first load (ingesting the shipped knowledge from the vector cache)


def _serve(data_dir: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "BOT_DATA_DIR": str(data_dir), "HF_HUB_OFFLINE": "1"}
    proc = subprocess.Popen([str(Path(sys.executable).with_name("bot")), "serve", "--host", "127.0.0.1",
                             "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True)
    return proc, f"http://127.0.0.1:{port}"


def _wait(url: str, path: str, status: int, seconds: float) -> bool:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            if httpx.get(url + path, timeout=2).status_code == status:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    return False


def test_stopping_during_the_first_load_exits_cleanly_and_the_store_is_whole_after(tmp_path):
    proc, url = _serve(tmp_path / "data")
    try:
        assert _wait(url, "/healthz", 200, 60)
        time.sleep(STOP_AFTER)
        assert httpx.get(url + "/readyz", timeout=5).status_code == 503  # still loading
        proc.send_signal(signal.SIGINT)
        code = proc.wait(timeout=120)
        assert code == 0, f"exit code {code}: {proc.stderr.read()[-2000:]}"
    finally:
        if proc.poll() is None:
            proc.kill()
    _assert_restart_is_whole(tmp_path / "data")


def test_a_first_load_killed_outright_is_finished_by_the_next_start(tmp_path):
    proc, url = _serve(tmp_path / "data")
    try:
        assert _wait(url, "/healthz", 200, 60)
        time.sleep(STOP_AFTER)
        proc.kill()  # SIGKILL: no shutdown at all, the ingestion stops wherever it is
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    _assert_restart_is_whole(tmp_path / "data")


def _assert_restart_is_whole(data_dir: Path) -> None:
    proc, url = _serve(data_dir)
    try:
        assert _wait(url, "/readyz", 200, 120)
        docs = httpx.get(url + "/api/documents", timeout=10).json()["documents"]
        assert len(docs) == sum(1 for p in SHIPPED.rglob("*") if p.is_file())
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=60)
