"""OpenAI-compatible chat API, so the openai SDK and OpenAI-client chat apps work against the bot."""

import json
import time
import uuid
from collections.abc import Iterator

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from bot.answering import Answer
from bot.api.deps import ServiceDep
from bot.errors import BadInput
from bot.schemas import ChatCompletionRequest

router = APIRouter(prefix="/v1", tags=["openai-compatible"])
MODEL_ID = "kexuecheng-policy-bot"


def _with_sources(ans: Answer) -> str:
    """The answer with its sources as a numbered list: chat apps show only the message text."""
    if not ans.citations:
        return ans.text
    lines = [ans.text, "", "来源："]
    for c in ans.citations:
        ch = c.chunk
        lines.append(f"[{c.n}] 《{ch.title}》{ch.section}（{ch.version_date}）：{c.quote}")
    return "\n".join(lines)


def _conversation(req: ChatCompletionRequest, max_chars: int) -> tuple[str, list[dict]]:
    turns = [m for m in req.messages if m.role in ("user", "assistant")]
    if not turns or turns[-1].role != "user":
        raise BadInput("the last message must be a user message")
    question = turns[-1].text().strip()
    if not question:
        raise BadInput("the user message is empty")
    if len(question) > max_chars:
        raise BadInput(f"the user message is longer than {max_chars} characters")
    # System prompts from the client are not obeyed: the knowledge base's rules are not configurable per call.
    history = [{"role": m.role, "content": m.text()} for m in turns[:-1]][-10:]
    return question, history


@router.get("/models")
def models() -> dict:
    """The one model this service offers."""
    return {"object": "list", "data": [{"id": MODEL_ID, "object": "model", "created": 0, "owned_by": "kexuecheng"}]}


@router.post("/chat/completions")
def chat_completions(req: ChatCompletionRequest, service: ServiceDep):
    """OpenAI chat completions (stream or not); ``citations`` and ``refused`` ride along as extra fields."""
    question, history = _conversation(req, service.settings.max_question_chars)
    cid, created = f"chatcmpl-{uuid.uuid4().hex[:24]}", int(time.time())
    started = time.perf_counter()
    if not req.stream:
        ans = service.ask(question, history)
        service.record(question, ans, started, channel="openai")
        body = ans.as_dict()
        return {
            "id": cid, "object": "chat.completion", "created": created, "model": MODEL_ID,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": _with_sources(ans)},
                         "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
            "citations": body["citations"], "refused": ans.refused,
        }

    def chunk(delta: dict, finish: str | None = None, **extra) -> str:
        data = {"id": cid, "object": "chat.completion.chunk", "created": created, "model": MODEL_ID,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}], **extra}
        return f"data: {json.dumps(data, ensure_ascii=False)}\n\n"

    def events() -> Iterator[str]:
        yield chunk({"role": "assistant", "content": ""})
        for piece in service.answerer.stream(question, history):
            if isinstance(piece, Answer):
                service.record(question, piece, started, channel="openai")
                tail = _with_sources(piece)[len(piece.text):]
                if tail:
                    yield chunk({"content": tail})
                yield chunk({}, "stop", citations=piece.as_dict()["citations"], refused=piece.refused)
            else:
                yield chunk({"content": piece})
        yield "data: [DONE]\n\n"

    return StreamingResponse(events(), media_type="text/event-stream")
