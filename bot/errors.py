"""Service-level errors and the one place where every error becomes an HTTP status."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from ingest.errors import IngestError
from knowledge.errors import (
    DocumentNotFound,
    EmbeddingModelMismatch,
    InvalidCard,
    KnowledgeError,
    StoreUnavailable,
    UnknownEmbeddingModel,
)

log = logging.getLogger(__name__)


class ServiceError(Exception):
    """Base class of errors raised by the service layer."""


class NotReady(ServiceError):
    """Raised while the store, model or index is still loading (or failed to load)."""


class Unauthorized(ServiceError):
    """Raised when an admin route is called without the configured bearer token."""


class NotFound(ServiceError):
    """Raised for an unknown question id or programme id (documents raise ``DocumentNotFound``)."""


class BadInput(ServiceError):
    """Raised for input that passes schema validation but cannot be processed (e.g. an oversized upload)."""


_STATUS: list[tuple[type[Exception], int]] = [
    (NotReady, 503),
    (Unauthorized, 401),
    (BadInput, 422),
    (NotFound, 404),
    (DocumentNotFound, 404),
    (InvalidCard, 422),
    (StoreUnavailable, 503),
    (EmbeddingModelMismatch, 500),
    (UnknownEmbeddingModel, 500),
    (IngestError, 422),
    (KnowledgeError, 500),
]


def install_error_handlers(app: FastAPI) -> None:
    async def handle(request: Request, exc: Exception) -> JSONResponse:
        status = next(code for cls, code in _STATUS if isinstance(exc, cls))
        if status >= 500:
            log.error("%s %s -> %d: %s", request.method, request.url.path, status, exc)
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        return JSONResponse({"detail": str(exc)}, status_code=status, headers=headers)

    for cls, _ in _STATUS:
        app.add_exception_handler(cls, handle)
