"""Questions people ask of the documents that the documents do not answer: the other side of ``knowledge.asked``.

A question about a programme the corpus names, asking a detail it does not state (高新贷的利率, 人才公寓的租金,
a named office's phone number), retrieves the right passage and reads much like an answerable question; the
sentence features alone let one in four such questions through. Blind writers, given only the corpus, wrote
questions of that kind for the shipped documents, each grep-checked absent from the whole corpus
(``knowledge/data/unanswered.jsonl``; the brief is ``eval/bank-brief.md``). How close a new question comes to
the nearest of them, against how close it comes to the nearest written answerable question, is a feature of
the refuse-or-answer decision (``bot.answering.abstention``), weighed by a model trained on the tune split.

A question counts only while its document is in the knowledge base and not superseded: a new version, or a
removed document, may change what is stated.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

UNANSWERED = "unanswered"  # the kind of the questions' vector caches
UNANSWERED_PATH = Path(__file__).resolve().parent / "data" / "unanswered.jsonl"


@dataclass(frozen=True)
class UnansweredQuestion:
    source: str  # the file name of the document the question is about (a chunk's ``source``)
    question: str


def read_unanswered(path: Path | None = UNANSWERED_PATH) -> list[UnansweredQuestion]:
    """The questions of a JSON-lines file ({"file", "q", …} per line); a broken line is logged and skipped, a
    missing file gives none."""
    if path is None or not Path(path).exists():
        return []
    out: list[UnansweredQuestion] = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            q = UnansweredQuestion(Path(str(raw["file"])).name, str(raw["q"]).strip())
        except (ValueError, KeyError, TypeError) as exc:
            log.error("%s line %d skipped: %s", path, n, exc)
            continue
        if q.question:
            out.append(q)
    return out


def current(questions: list[UnansweredQuestion], live_sources: set[str]) -> list[UnansweredQuestion]:
    """The questions whose document is in the knowledge base and is its newest version (``live_sources``)."""
    return [q for q in questions if q.source in live_sources]
