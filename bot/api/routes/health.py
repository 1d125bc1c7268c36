from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict:
    """Liveness: 200 while the process runs."""
    return {"status": "ok"}


@router.get("/readyz")
def readyz(request: Request) -> JSONResponse:
    """Readiness: 200 once store, model and index are loaded, 503 before (or if loading failed)."""
    service = request.app.state.service
    if service.ready:
        return JSONResponse({"status": "ready", "chunks": service.searcher.chunk_count,
                             "load_seconds": round(service.load_seconds or 0, 2)})
    return JSONResponse({"status": "error" if service.error else "loading", "detail": service.error},
                        status_code=503)
