import json
import time
from collections.abc import Iterator

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from bot.answering import Answer
from bot.api.deps import ServiceDep
from bot.schemas import AskRequest, AskResponse

router = APIRouter(prefix="/api", tags=["answers"])


@router.post("/ask", response_model=AskResponse)
def ask(body: AskRequest, service: ServiceDep) -> dict:
    """A short answer in which every [n] points to a verbatim, dated quote; refused when the knowledge base lacks it."""
    started = time.perf_counter()
    ans = service.ask(body.question, [t.model_dump() for t in body.history])
    return {**ans.as_dict(), "question_id": service.record(body.question, ans, started)}


def _sse(event: str, data: dict) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


@router.post("/chat/stream")
def chat_stream(body: AskRequest, service: ServiceDep) -> StreamingResponse:
    """Server-Sent Events: ``delta`` events with pieces of the answer, then one ``done`` event with citations."""
    history = [t.model_dump() for t in body.history]
    started = time.perf_counter()

    def events() -> Iterator[str]:
        for piece in service.answerer.stream(body.question, history):
            if isinstance(piece, Answer):
                qid = service.record(body.question, piece, started, channel="web")
                yield _sse("done", {**piece.as_dict(), "question_id": qid})
            else:
                yield _sse("delta", {"text": piece})

    return StreamingResponse(events(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
