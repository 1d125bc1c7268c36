"""P(this sentence answers the question): gradient-boosted trees over explainable sentence features.

Trained on sentence labels derived from the tune split's gold quotes (``bot train-answerability``);
the answerer quotes the most probable sentences; whether it answers at all is the abstention model's
decision (``bot.answering.abstention``), which reads these probabilities. Weights and threshold are data
(``knowledge/data/answerability.json``); a missing or stale file is an error at start. Trees replaced a
logistic regression because the features interact (a stated amount counts only when an amount is asked):
out-of-fold on tune the right sentence ranks first more often and unanswerable questions separate better.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np

from bot.answering.candidates import (
    counted_terms,
    coverage,
    figure_owners,
    figure_terms,
    is_standard,
    penalty_kinds,
    subject,
    unknown_subject,
)
from bot.answering.pairs import WordPairs
from bot.answering.types import Candidate
from knowledge.linear import ModelFileError
from knowledge.models import Hit
from knowledge.query import QueryAnalysis
from knowledge.search import HybridSearcher
from knowledge.trees import BoostedModel

ANSWERABILITY_PATH = Path(__file__).resolve().parents[2] / "knowledge" / "data" / "answerability.json"

FEATURES: dict[str, str] = {
    "coverage": "idf-weighted share of the question's words in the sentence (with its chapter context)",
    "passage_coverage": "the same share over the whole retrieved passage the sentence stands in",
    "subject": "the sentence names the question's most specific word (or the glossary's word for it)",
    "subject_share": "idf-weighted share of the question's subject words (frame words left out) in the sentence",
    "rank": "reciprocal retrieval rank of the passage",
    "retrieval": "the passage's retrieval score relative to the best and worst retrieved",
    "kind_stated": "the sentence states a fact of a kind the question asks (amount, period, date, place …)",
    "kind_missing": "the question asks a specific kind of fact and the sentence states none of it",
    "total_for_standard": "a per-person standard is asked and the sentence gives a total or no standard",
    "counted_missing": "a count is asked and the sentence does not name what is counted (808家企业 is no count of cinemas)",
    "subject_unknown": "a figure is asked of something no document names (房价是多少): nothing can state it",
    "number": "the sentence contains a number",
    "length": "log of the sentence length",
    "lead_in": "the sentence introduces a list (ends with a colon)",
    "first": "the sentence opens its passage (an article's main rule, a paragraph's lead)",
    "dense": "cosine of the sentence's e5 vector with the question's (meaning, not shared words)",
    "dense_gap": "that cosine minus the best of the question's candidate sentences",
    "asked": "the best cosine of the question with a question written for this sentence (knowledge.asked; 0: none)",
    "asked_gap": "that cosine minus the best of the candidate sentences' (a sentence people ask about in these words)",
    # word pairs learned from the tune questions and the sentences that answered them (bot.answering.pairs)
    "pairs": "mean over the question's words of its strongest learned pair with a word of the sentence",
    "pairs_max": "the strongest learned pair of a question word with a word of the sentence",
    "pairs_gap": "the mean minus the best of the question's candidate sentences'",
}

# Kinds of fact an answer must state when asked ("多少钱" needs an amount); see knowledge.query.FACT_PATTERNS.
SPECIFIC = ("amount", "rate", "duration", "date", "contact", "phone", "address", "requirement", "how_to", "count",
            "materials", "figure")
# A kind asked that another kind states: a bare 多少 is answered by an amount, a rate or a period. (Letting a
# period answer a "when" and a multiple answer an amount was measured and not kept: docs/benchmarks.md.)
ANSWERED_BY = {"count": {"amount", "rate", "duration"}}
FIGURES = {"amount", "rate", "count", "figure"}  # kinds whose subject must be named somewhere in the corpus
OF_SUBJECT = {"requirement", "how_to", "address", "phone", "materials"}  # stated of the question's own subject
_NUMBER = re.compile(r"[\d０-９]|[一二两三四五六七八九十百千万亿]+(个|项|家|名|元|万|亿|日|天|年|月|倍|成|套|条|周岁|岁|小时|次|人|户|学时)")


class AnswerabilityModelError(ModelFileError):
    """The answerability model file is missing, unreadable or was trained on other features."""


class AnswerabilityModel(BoostedModel):
    """P(sentence answers); ``threshold``: the best sentence's probability below which 3% of answerable tune
    questions fall (the single-signal rule, printed for comparison; the answerer refuses by ``abstention``)."""

    INPUTS = tuple(FEATURES)
    NAME = "answerability model"
    REBUILD = "bot train-answerability"
    ERROR = AnswerabilityModelError

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        return self.probability(x) if len(x) else np.zeros(0)

    @classmethod
    def untrained(cls) -> AnswerabilityModel:
        """Every sentence at P = 0.5: for computing training features before any model exists."""
        return cls(None, 0.0, {"untrained": True})

    @classmethod
    def load(cls, path: Path = ANSWERABILITY_PATH) -> AnswerabilityModel:
        return cls.read(path)


def length_feature(n_chars: int) -> float:
    return math.log1p(n_chars) / 6.0


def needed_kinds(a: QueryAnalysis) -> set[str]:
    return {k for k in a.kinds if k in SPECIFIC}


def satisfied(stated: set[str], needed: set[str]) -> set[str]:
    """The needed kinds that facts of the ``stated`` kinds answer (directly or by ``ANSWERED_BY``)."""
    return {k for k in needed if k in stated or ANSWERED_BY.get(k, set()) & stated}


def sentence_features(searcher: HybridSearcher, a: QueryAnalysis, cands: list[Candidate],
                      hits: list[Hit], pairs: WordPairs) -> np.ndarray:
    """One row per candidate sentence, in the order of ``FEATURES``; ``pairs`` the learned word pairs."""
    own, anchors = subject(searcher, a)
    needed = needed_kinds(a)
    counted = counted_terms(searcher, a.question) if "count" in needed else set()
    unknown = float(bool(a.kinds & FIGURES) and unknown_subject(searcher, a.question) is not None)
    scores = [h.score for h in hits] or [0.0]
    lo, hi = min(scores), max(scores)
    best_dense = max((s.dense for s in cands), default=0.0)
    best_asked = max((s.asked for s in cands), default=0.0)
    bridges = pair_columns(pairs, pair_words(searcher, a), [sentence_words(searcher, s) for s in cands])
    rows = []
    for s, bridge in zip(cands, bridges, strict=True):
        stated = bool(satisfied(s.kinds, needed))
        rows.append([
            s.coverage, s.chunk_coverage, float(bool(anchors & s.tokens)), coverage(s.tokens, own),
            1.0 / (s.hit_rank + 1), (s.hit.score - lo) / (hi - lo) if hi > lo else 1.0,
            float(stated), float(bool(needed) and not stated),
            float(a.per_unit and "amount" in a.kinds and not is_standard(s.text)),
            float(bool(counted) and not counted & s.tokens), unknown,
            float(bool(_NUMBER.search(s.text))), length_feature(len(s.text)), float(s.lead_in), float(s.first),
            s.dense, s.dense - best_dense, s.asked, s.asked - best_asked,
            *bridge,
        ])
    return np.array(rows, dtype=np.float64).reshape(len(cands), len(FEATURES))


def pair_words(searcher: HybridSearcher, a: QueryAnalysis) -> list[str]:
    """The question's side of the word pairs: its retrieval text's tokens (with a follow-up's topic)."""
    return searcher.tokenizer.tokenize(a.retrieval_text)


def sentence_words(searcher: HybridSearcher, s: Candidate) -> list[str]:
    """A candidate's side of the word pairs: its own text's tokens (not its chapter's)."""
    return searcher.tokenizer.tokenize(s.text)


def pair_columns(pairs: WordPairs, question: list[str], sentences: list[list[str]]) -> np.ndarray:
    """The ``pairs``, ``pairs_max`` and ``pairs_gap`` features of each sentence (training recomputes them with
    word pairs not learned from the question)."""
    cols = np.array([pairs.features(question, words) for words in sentences], dtype=np.float64).reshape(-1, 2)
    gap = cols[:, :1] - (cols[:, 0].max() if len(cols) else 0.0)
    return np.hstack([cols, gap])


def stated_kinds(searcher: HybridSearcher, a: QueryAnalysis, picked: list[Candidate]) -> set[str]:
    """The kinds of fact asked that the quoted sentences state of the question's own subject: a count
    names what it counts, a per-person amount or cap is a standard, not a total, and a figure asked of
    something no document names is stated by none."""
    if a.kinds & FIGURES and unknown_subject(searcher, a.question):
        return set()
    counted = counted_terms(searcher, a.question)
    of = figure_terms(searcher, a.question)
    owners = figure_owners(searcher, a.question)
    _, anchors = subject(searcher, a)
    stated: set[str] = set()
    for s in picked:
        kinds = set(s.kinds)
        kinds -= penalty_kinds(a.question, s.text, kinds & FIGURES)
        if counted and not counted & s.tokens:
            kinds.discard("count")
        if of and not of & s.tokens:
            kinds -= {"amount", "rate", "figure"}
        if a.per_unit and not is_standard(s.text):
            kinds.discard("amount")  # a total (累计兑现……近2.4亿元) is no per-person standard or cap
        if anchors and not anchors & s.tokens:
            kinds -= OF_SUBJECT
        if owners and not owners & (searcher.chunk_tokens(s.hit.chunk.chunk_id) or s.tokens):
            kinds -= FIGURES  # a rate in a passage that never names whose rate is asked is another thing's
        stated |= kinds
    if counted:  # a count that names what it counts is stated only by a number of that thing
        return stated | satisfied(stated, needed_kinds(a) - {"count"})
    return stated | satisfied(stated, needed_kinds(a))
