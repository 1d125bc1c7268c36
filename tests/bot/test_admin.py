"""Admin routes with no token configured are closed, never open; the CLI reports partial ingestion."""

import os
import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient

from bot.main import create_app


def test_admin_routes_refused_without_configured_token(shipped_service, shipped_settings):
    settings = shipped_settings.model_copy(update={"admin_token": None})
    with TestClient(create_app(settings, service=shipped_service)) as client:
        r = client.post("/api/documents", files={"files": ("a.md", "第一条 内容。".encode())},
                        headers={"Authorization": "Bearer anything-at-all-123"})
        assert r.status_code == 401 and "no BOT_ADMIN_TOKEN" in r.json()["detail"]
        assert client.delete("/api/documents/x", headers={"Authorization": "Bearer x"}).status_code == 401


def test_cli_ingest_reports_errors_and_exits_nonzero(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "办法(2024-05-01).md").write_bytes("# 办法\n\n第一条 内容甲。\n\n第二条 内容乙。".encode("gbk"))
    (docs / "empty.txt").write_bytes(b"")
    (docs / "bad.pdf").write_bytes(b"%PDF-1.4 nope")
    env = {**os.environ, "BOT_DATA_DIR": str(tmp_path / "data")}
    bot = str(Path(sys.executable).with_name("bot"))
    r = subprocess.run([bot, "ingest", str(docs), "-q"], env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "chunks new: 2" in r.stdout and "empty.txt: empty file" in r.stdout and "bad.pdf: corrupt PDF" in r.stdout
    again = subprocess.run([bot, "ingest", str(docs / "办法(2024-05-01).md"), "-q"], env=env, capture_output=True,
                           text=True, timeout=300)
    assert again.returncode == 0 and "embedded: 0" in again.stdout
    found = subprocess.run([bot, "search", "内容乙", "-k", "1"], env=env, capture_output=True, text=True, timeout=300)
    assert "第二条 内容乙。" in found.stdout


def test_a_rejected_admin_token_is_not_echoed(tmp_path):
    env = {**os.environ, "BOT_DATA_DIR": str(tmp_path), "BOT_ADMIN_TOKEN": "s3cr3t-xy"}
    bot = str(Path(sys.executable).with_name("bot"))
    r = subprocess.run([bot, "search", "贷款"], env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and "at least 12 characters" in r.stderr
    assert "s3cr3t-xy" not in r.stderr + r.stdout
