"""Is a question inside the knowledge base's domain at all? A calibrated model over measured signals.

Signals are how close the question comes to the corpus (best passage and document cosines), how much
of its vocabulary the corpus knows, how much of it the best lexical passages cover, and the question's
own e5 vector (what it is about: weather, food and celebrities sit in other regions of that space than
subsidies and statutes). A logistic regression trained on the tune split (out-of-domain items against
in-domain ones) turns them into P(out of domain); the threshold is chosen on tune for a bounded share of in-domain questions turned
away. Weights and threshold are data (``knowledge/data/domain.json``), rebuilt by ``bot train-domain``.

One signal also decides alone: a question nearly the same as one written for a passage (``asked_top1`` at or
above ``written_match``) is in the domain, since every written question is one by construction. The cutoff is
learned with the model: just above the closest any out-of-domain tune question comes to a written one. It is
what lets a question staff write for an uploaded document in an operator's own words be answered, not only
found.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from knowledge.linear import LinearModel, ModelFileError
from knowledge.query import QueryAnalysis

DOMAIN_PATH = Path(__file__).resolve().parent / "data" / "domain.json"

SIGNALS: dict[str, str] = {
    "dense_top1": "cosine of the question and its nearest passage",
    "dense_top5": "mean cosine of its five nearest passages",
    "doc_top1": "cosine of the question and the nearest document centroid",
    "sentence_top1": "cosine of the question and its nearest sentence of the corpus (a passage's vector averages)",
    "known_share": "share of the question's words that occur in the corpus",
    "known_idf": "idf-weighted share of the question's words that occur in the corpus",
    "lex_cover": "best idf-weighted coverage of the question's words by one of the top lexical passages",
    "asked_top1": "cosine of the question and the nearest question written for a passage (knowledge.asked): a "
                  "question like the ones people ask of these documents",
    "title_named": "the question names what a document's title is about (住房公积金, 劳动合同, 轨道交通 …)",
    "length": "log of the number of the question's words",
}

# Signals of the domain model alone (the refuse-or-answer model reads SIGNALS): how near the question comes to
# the two banks blind writers wrote (knowledge.unanswered). Questions about live documents that they do not answer
# are in the domain all the same (the reply says the knowledge base lacks the fact); messages outside it altogether
# (weather, restaurants, another city's programme) tend to come closer to one another than to any question written
# for a passage (docs/benchmarks.md, seventeenth and eighteenth sections).
BANK_SIGNALS: dict[str, str] = {
    "unanswered_top1": "cosine of the question and the nearest written question about a live document that it "
                       "does not answer (knowledge.unanswered): in the domain, though unanswered",
    "outside_top1": "cosine of the question and the nearest written out-of-domain message",
    "outside_margin": "outside_top1 minus asked_top1: nearer a message outside the domain than a question inside it",
}
READ = (*SIGNALS, *BANK_SIGNALS)


# A follow-up ("那医院呢？") says little on its own: read alone it looks like chatter, and half the tune
# follow-ups refused were turned away as out of domain. The same signals of the message read with the topic
# it continues let the model tell it from an out-of-domain turn of an in-domain conversation (那泰国落地签要
# 准备啥？). Cross-validated on tune (3,239 items), the trained model catches 0.910 of out-of-domain questions
# instead of 0.884 at the same 0.019 in-domain turned away (in the experiment: 8 follow-ups of 540 turned away
# instead of 19; docs/benchmarks.md, tenth section). For a first message both views are the same.
IN_CONTEXT = "in_context_"
INPUTS: tuple[str, ...] = (*READ, *(IN_CONTEXT + k for k in READ))


def read_question(searcher, a: QueryAnalysis, hidden: frozenset[str] = frozenset()
                  ) -> tuple[dict[str, float], dict[str, float], np.ndarray]:
    """The signals of an understood message, the same read with the earlier topic it continues (a first
    message: the same dict), and its vector. ``searcher``: a ``HybridSearcher``; ``hidden``: sources whose
    written questions are left out (``HybridSearcher.domain_signals``)."""
    signals, vector = searcher.domain_signals(a.question, hidden)
    return signals, searcher.domain_signals(a.retrieval_text, hidden)[0] if a.topic else signals, vector


def row(signals: dict[str, float], vector: np.ndarray, in_context: dict[str, float] | None = None) -> np.ndarray:
    """The model's input: the named signals, the same read in context (a first message: the same again), then
    the question vector."""
    in_context = signals if in_context is None else in_context
    return np.concatenate([[signals[k] for k in READ], [in_context[k] for k in READ],
                           np.asarray(vector, dtype=np.float64)])


NO_WRITTEN_MATCH = 1.01  # above any cosine: a model file without the cutoff never overrides the probability


class DomainModelError(ModelFileError):
    """The domain model file is missing, unreadable or was trained on other signals."""


class DomainModel(LinearModel):
    """P(out of domain); ``threshold``: at or above it the question gets the domain reply."""

    INPUTS = INPUTS
    INPUTS_KEY = "signals"
    NAME = "domain model"
    REBUILD = "bot train-domain"
    ERROR = DomainModelError

    def probability_of(self, signals: dict[str, float], vector: np.ndarray,
                       in_context: dict[str, float] | None = None) -> float:
        return float(self.probability(row(signals, vector, in_context)))

    @property
    def written_match(self) -> float:
        """The written-question cosine from which a question is in the domain whatever its probability."""
        return float(self.meta.get("written_match", NO_WRITTEN_MATCH))

    def out_of_domain(self, signals: dict[str, float], vector: np.ndarray,
                      in_context: dict[str, float] | None = None) -> bool:
        if signals["asked_top1"] >= self.written_match:
            return False
        return self.probability_of(signals, vector, in_context) >= self.threshold

    @classmethod
    def load(cls, path: Path = DOMAIN_PATH) -> DomainModel:
        """The model; a missing, unreadable or stale file is an error at start, never a silent default."""
        return cls.read(path)
