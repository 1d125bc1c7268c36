from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from bot.api.deps import AdminDep, ServiceDep
from bot.errors import BadInput

router = APIRouter(prefix="/api/staff", tags=["staff"], dependencies=[AdminDep])


def _log(service):
    if service.log is None:
        raise BadInput("the question log is switched off (BOT_LOG_QUESTIONS=false)")
    return service.log


def _filters(refused: str | None, feedback: str | None) -> tuple[bool | None, int | None]:
    return ({"yes": True, "no": False}.get(refused or ""), {"up": 1, "down": -1}.get(feedback or ""))


@router.get("/session")
def session() -> dict:
    """200 when the bearer token is right (the console's log-in check)."""
    return {"ok": True}


@router.get("/questions")
def questions(service: ServiceDep, q: Annotated[str | None, Query(max_length=200)] = None,
              refused: Literal["yes", "no"] | None = None, feedback: Literal["up", "down"] | None = None,
              limit: Annotated[int, Query(ge=1, le=1000)] = 100,
              offset: Annotated[int, Query(ge=0)] = 0) -> dict:
    """The question log (personal data masked), newest first; search and filter."""
    r, f = _filters(refused, feedback)
    rows, total = _log(service).list(search=q, refused=r, feedback=f, limit=limit, offset=offset)
    return {"questions": [x.as_dict() for x in rows], "total": total}


@router.get("/questions.csv")
def questions_csv(service: ServiceDep, q: Annotated[str | None, Query(max_length=200)] = None,
                  refused: Literal["yes", "no"] | None = None,
                  feedback: Literal["up", "down"] | None = None) -> Response:
    """The filtered log as CSV (UTF-8 with BOM for spreadsheets)."""
    r, f = _filters(refused, feedback)
    log = _log(service)
    rows, _ = log.list(search=q, refused=r, feedback=f, limit=100000)
    return Response(log.to_csv(rows), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="questions.csv"'})


@router.get("/gaps")
def gaps(service: ServiceDep) -> dict:
    """Knowledge gaps: refused and 👎 questions grouped by meaning, with counts, newest first."""
    _log(service)
    return {"gaps": service.knowledge_gaps()}
