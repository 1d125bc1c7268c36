"""The data an answer is made of: citations (verbatim spans), candidate sentences, the answer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from knowledge.models import Chunk, Hit
from knowledge.query import QueryAnalysis


@dataclass
class Citation:
    n: int
    chunk: Chunk
    quote: str
    start: int  # offsets into the document text
    end: int
    superseded_by: str | None = None
    # the answering spans inside the quote (the amount, the period …), as document offsets
    highlights: list[tuple[int, int]] = field(default_factory=list)

    def as_dict(self) -> dict:
        c = self.chunk
        return {"n": self.n, "doc_id": c.doc_id, "title": c.title, "section": c.section, "source": c.source,
                "version_date": c.version_date, "quote": self.quote, "start": self.start, "end": self.end,
                "superseded_by": self.superseded_by,
                "highlights": [{"start": s, "end": e} for s, e in self.highlights]}


@dataclass
class Answer:
    text: str
    refused: bool
    citations: list[Citation]
    related: list[Hit] = field(default_factory=list)
    analysis: QueryAnalysis | None = None
    answered_by: str = "extractive"  # extractive | llm | help | domain

    def as_dict(self, related: int = 3) -> dict:
        """The /api/ask response body."""
        return {
            "answer": self.text, "refused": self.refused,
            "citations": [c.as_dict() for c in self.citations],
            "related": [{"chunk_id": h.chunk.chunk_id, "doc_id": h.chunk.doc_id, "title": h.chunk.title,
                         "section": h.chunk.section, "source": h.chunk.source, "version_date": h.chunk.version_date,
                         "text": h.chunk.text, "start": h.chunk.start, "end": h.chunk.end, "score": h.score,
                         "superseded_by": h.superseded_by} for h in self.related[:related]],
            "answered_by": self.answered_by,
        }


@dataclass
class Candidate:
    """A sentence of a retrieved passage that might answer the question."""

    hit_rank: int
    hit: Hit
    start: int  # absolute offsets in the document
    end: int
    text: str
    coverage: float = 0.0  # idf-weighted share of the question's words in the sentence (with its context)
    chunk_coverage: float = 0.0  # the same over the whole passage
    dense: float = 0.0  # cosine of the sentence's vector with the question's
    asked: float = 0.0  # best cosine of the question with a question written for this sentence (0: none)
    score: float = 0.0  # P(answers), set by the answerability model
    kinds: set[str] = field(default_factory=set)  # kinds of fact the sentence states
    tokens: set[str] = field(default_factory=set)
    first: bool = False  # opens its passage

    @property
    def lead_in(self) -> bool:
        """"……应当符合下列条件：" introduces a list; it is quoted only in front of its items."""
        return self.text.endswith(("：", ":"))


@dataclass
class Deliberation:
    """A message that reached the refuse-or-answer decision: what the answer would quote, and ``row``, the
    abstention model's input (``Answerer.deliberate``; training reads the same)."""

    analysis: QueryAnalysis
    hits: list[Hit]
    candidates: list[Candidate]
    picked: list[Candidate]
    needed: set[str]  # the kinds of fact asked
    unstated: set[str]  # those no quote states
    anchor: str | None  # the question's most specific word
    row: np.ndarray  # the abstention model's input: one row of ``abstention.QUESTION_FEATURES``
    left_over: list[str] = field(default_factory=list)  # the question's words the best sentence lacks (training)


# An LLM drafter: given the analysis and the passages, a checked answer or None (extractive fallback).
Drafter = Callable[[QueryAnalysis, list[Hit]], "Answer | None"]
