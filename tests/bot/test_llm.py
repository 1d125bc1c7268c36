"""The optional LLM path against a small OpenAI-compatible server started on loopback by the test."""

import re
import threading
import time

import pytest
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from bot.answering import Answerer
from bot.answering.llm import LLMDrafter, make_llm
from tests.conftest import free_port

MODE = {"reply": "good"}


def _fake_app() -> FastAPI:
    app = FastAPI()

    @app.post("/v1/chat/completions")
    async def complete(request: Request):
        body = await request.json()
        prompt = body["messages"][-1]["content"]
        if MODE["reply"] == "error":
            return JSONResponse({"error": {"message": "overloaded"}}, status_code=500)
        # cite the passage that really holds the figure, as a well-behaved model would
        n = next(m.group(1) for m in re.finditer(r"【资料(\d+)】([^【]*)", prompt) if "300亿元" in m.group(2))
        content = {"good": f"科学城产业发展基金总规模达300亿元[{n}]。",
                   "invented": f"科学城产业发展基金总规模为500亿元[{n}]。",
                   "uncited": "总规模是300亿元。"}[MODE["reply"]]
        return {"id": "x", "object": "chat.completion", "created": int(time.time()), "model": body["model"],
                "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}

    return app


@pytest.fixture(scope="module")
def llm_url():
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(_fake_app(), host="127.0.0.1", port=port, log_level="warning"))
    t = threading.Thread(target=server.run, daemon=True)
    t.start()
    while not server.started:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/v1"
    server.should_exit = True


@pytest.fixture
def answerer(shipped_service, llm_url):
    return Answerer(shipped_service.searcher, shipped_service.answerer.answerability,
                    pairs=shipped_service.answerer.pairs, drafter=LLMDrafter(make_llm(llm_url, "fake-model", None, timeout=10)))


QUESTION = "科学城产业发展基金总规模是多少？"


def test_a_checked_llm_draft_is_used(answerer):
    MODE["reply"] = "good"
    ans = answerer.answer(QUESTION)
    assert ans.answered_by == "llm" and "300亿元[1]" in ans.text
    assert "300亿元" in ans.citations[0].quote


@pytest.mark.parametrize("mode", ["invented", "uncited", "error"])
def test_a_draft_that_fails_the_checks_falls_back_to_extractive(answerer, mode):
    MODE["reply"] = mode
    ans = answerer.answer(QUESTION)
    assert ans.answered_by == "extractive"
    assert "500亿元" not in ans.text and "300亿元" in ans.text
