from fastapi import APIRouter

from bot.api.deps import ServiceDep
from bot.errors import BadInput, NotFound
from bot.schemas import FeedbackRequest

router = APIRouter(prefix="/api", tags=["feedback"])


@router.post("/feedback")
def feedback(body: FeedbackRequest, service: ServiceDep) -> dict:
    """Record 👍/👎 (and an optional comment) for an answered question."""
    if service.log is None:
        raise BadInput("feedback is not stored: the question log is switched off")
    if not service.log.feedback(body.question_id, body.value, body.comment):
        raise NotFound(f"no question with id {body.question_id}")
    return {"ok": True}
