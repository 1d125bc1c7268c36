"""The web pages: chat (/), source viewer (/documents/{doc_id}), staff console (/staff). All assets are local."""

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

STATIC_DIR = Path(__file__).resolve().parents[2] / "static"
router = APIRouter(include_in_schema=False)


@router.get("/")
def chat_page() -> FileResponse:
    return FileResponse(STATIC_DIR / "index.html")


@router.get("/documents/{doc_id}")
def viewer_page(doc_id: str) -> FileResponse:
    return FileResponse(STATIC_DIR / "document.html")


@router.get("/staff")
def staff_page() -> FileResponse:
    return FileResponse(STATIC_DIR / "staff.html")
