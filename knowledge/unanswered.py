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

The second bank holds messages outside the knowledge base's domain altogether (weather, restaurants, another
city's programme, chit-chat), written blind by other writers (``knowledge/data/outside.jsonl``): how close a
message comes to the nearest of them, against the nearest written answerable question, is a signal of the
out-of-domain model (``knowledge.domain``). Those belong to no document and always count.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")

UNANSWERED = "unanswered"  # the kind of the questions' vector caches
UNANSWERED_PATH = Path(__file__).resolve().parent / "data" / "unanswered.jsonl"
OUTSIDE = "outside"  # the kind of the out-of-domain questions' vector cache
OUTSIDE_PATH = Path(__file__).resolve().parent / "data" / "outside.jsonl"


@dataclass(frozen=True)
class UnansweredQuestion:
    source: str  # the file name of the document the question is about (a chunk's ``source``)
    question: str


def _read_lines(path: Path | None, parse: Callable[[dict], T]) -> list[T]:
    """``parse`` of each line of a JSON-lines file; a broken line is logged and skipped, a missing file gives
    none."""
    if path is None or not Path(path).exists():
        return []
    out: list[T] = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            out.append(parse(json.loads(line)))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            log.error("%s line %d skipped: %s", path, n, exc)
    return out


def read_unanswered(path: Path | None = UNANSWERED_PATH) -> list[UnansweredQuestion]:
    """The questions of a JSON-lines file ({"file", "q", …} per line)."""
    rows = _read_lines(path, lambda raw: UnansweredQuestion(Path(str(raw["file"])).name, str(raw["q"]).strip()))
    return [q for q in rows if q.question]


def read_outside(path: Path | None = OUTSIDE_PATH) -> list[str]:
    """The out-of-domain messages of a JSON-lines file ({"q", …} per line), each once."""
    return list(dict.fromkeys(filter(None, _read_lines(path, lambda raw: str(raw["q"]).strip()))))


def current(questions: list[UnansweredQuestion], live_sources: set[str]) -> list[UnansweredQuestion]:
    """The questions whose document is in the knowledge base and is its newest version (``live_sources``)."""
    return [q for q in questions if q.source in live_sources]
