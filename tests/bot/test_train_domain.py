"""The domain model's training rows: each answerable question is also read as about a document nobody wrote
questions for (how a question on an uploaded document reads)."""

from __future__ import annotations

import numpy as np

from bot.train import domain_rows, unwritten_rows
from knowledge.domain import READ


def test_answerable_questions_are_read_again_without_their_documents_written_questions(shipped_service):
    question = "工伤职工停工留薪期间的工资福利待遇怎么发？"
    source = shipped_service.searcher.search(question, k=1)[0].chunk.source
    items = [
        {"id": "a", "type": "paraphrase", "question": question, "history": [],
         "gold": [{"doc": source, "quote": "-"}]},
        {"id": "b", "type": "outofdomain", "question": "今晚哪里能看到烟花表演？", "history": [], "gold": []},
    ]
    x, y, answerable = domain_rows(shipped_service, items)
    xu, at = unwritten_rows(shipped_service, items)
    assert list(y) == [0, 1] and list(answerable) == [True, False]
    assert list(at) == [0] and xu.shape == (1, x.shape[1])  # the out-of-domain item is read once
    asked, margin = READ.index("asked_top1"), READ.index("outside_margin")
    assert xu[0, asked] < x[0, asked]
    assert xu[0, margin] > x[0, margin]
    # what the corpus says of the question is read as before: its document is still there
    assert xu[0, READ.index("unanswered_top1")] <= x[0, READ.index("unanswered_top1")]
    same = [i for i, k in enumerate(READ) if k not in ("asked_top1", "outside_margin", "unanswered_top1")]
    assert np.allclose(xu[0, same], x[0, same])
