"""Assembles the app: settings, the knowledge service loaded once in the background, routers."""

from __future__ import annotations

import logging
import threading
import time
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles

from bot.api.routes import ask, documents, feedback, health, openai_compat, pages, programmes, search, staff
from bot.api.routes.pages import STATIC_DIR
from bot.config import Settings, get_settings
from bot.errors import install_error_handlers
from bot.service import KnowledgeService

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None, service: KnowledgeService | None = None) -> FastAPI:
    settings = settings or get_settings()
    service = service or KnowledgeService(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if not service.ready:
            # Load in the background so /healthz answers at once and /readyz says 503 until ready.
            def load() -> None:
                try:
                    service.load()
                except Exception as exc:  # reported by /readyz; the process stays up for diagnosis
                    service.error = service.error or f"{type(exc).__name__}: {exc}"
                    log.exception("loading the knowledge base failed")

            # Not a daemon: killed at exit inside Chroma's Rust bindings, a daemon thread crashes the
            # process (SIGSEGV). Stopping during the first load waits for it (the shipped vectors are
            # cached: seconds); an interrupted ingestion would be resumable, a crash is not clean.
            loader = threading.Thread(target=load, name="kb-load")
            loader.start()
            app.state.loader = loader
        yield
        loader = getattr(app.state, "loader", None)
        if loader is not None and loader.is_alive():
            log.info("stopping: waiting for the knowledge base load to finish")

    app = FastAPI(title="科学城政策助手", version="0.1.0", lifespan=lifespan,
                  description="Chinese policy retrieval with verbatim, dated citations. Offline by default.")
    app.state.settings = settings
    app.state.service = service
    install_error_handlers(app)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.middleware("http")
    async def log_request(request: Request, call_next):
        t0 = time.perf_counter()
        response = await call_next(request)
        # Path only: query strings carry questions (personal data) and are never logged.
        log.info("%s %s %d %.1fms", request.method, request.url.path, response.status_code,
                 (time.perf_counter() - t0) * 1000)
        return response

    for module in (health, search, documents, ask, openai_compat, feedback, staff, programmes, pages):
        app.include_router(module.router)
    return app
