from typing import Annotated

from fastapi import APIRouter, Query

from bot.api.deps import ServiceDep, SettingsDep
from bot.errors import BadInput
from bot.schemas import SearchResponse, SearchResult

router = APIRouter(prefix="/api", tags=["search"])


@router.get("/search", response_model=SearchResponse)
def search(service: ServiceDep, settings: SettingsDep,
           q: Annotated[str, Query(description="the question or keywords", max_length=500)],
           k: Annotated[int, Query(ge=1, le=50, description="number of results")] = 5) -> SearchResponse:
    """Hybrid (BM25 + dense) search over the knowledge base; each result is a verbatim passage."""
    q = q.strip()
    if not q:
        raise BadInput("q must not be empty")
    if len(q) > settings.max_question_chars:
        raise BadInput(f"q is longer than {settings.max_question_chars} characters")
    hits = service.search(q, k)
    return SearchResponse(results=[
        SearchResult(**{f: getattr(h.chunk, f) for f in
                        ("chunk_id", "doc_id", "title", "section", "source", "version_date", "text", "start", "end")},
                     score=h.score, superseded_by=h.superseded_by)
        for h in hits])
