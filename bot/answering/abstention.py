"""P(the knowledge base answers this question): the refuse-or-answer decision, made once per question.

The sentence model (``answerability``) says how likely each sentence answers; whether to answer at all
depends on more than its best probability: whether any quote states the kind of fact asked, how the
runners-up score, how close the question comes to the corpus (the domain signals). Gradient-boosted trees
over those question-level features, trained on the tune split (answerable against unanswerable in-domain
items, every sentence scored by a model not trained on the item), replace the best-sentence threshold
and the rule that refused when no quote states the asked kind. The threshold is chosen out of fold on
tune for at most 3% of answerable questions refused. Weights and threshold are data
(``knowledge/data/abstention.json``), rebuilt by ``bot train-abstention``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bot.answering.answerability import FEATURES
from knowledge.domain import SIGNALS
from knowledge.linear import ModelFileError
from knowledge.models import Hit
from knowledge.trees import BoostedModel

ABSTENTION_PATH = Path(__file__).resolve().parents[2] / "knowledge" / "data" / "abstention.json"

RUNNERS_UP = 3  # sentences whose mean probability is a feature
KIND_WINDOW = 5  # the most probable sentences among which one stating the asked kind counts

QUESTION_FEATURES: dict[str, str] = {
    **{f"top_{name}": f"the most probable sentence's {name} feature" for name in FEATURES},
    "best": "P(answers) of the most probable sentence",
    "second": "P(answers) of the second most probable sentence",
    "top_mean": f"mean P(answers) of the {RUNNERS_UP} most probable sentences",
    "kind_near_top": f"one of the {KIND_WINDOW} most probable sentences states a kind of fact asked",
    "kind_asked": "the question asks a specific kind of fact (an amount, a period, a place …)",
    "all_unstated": "no quote states any kind of fact asked of the question's subject",
    "some_unstated": "some kind of fact asked is stated by no quote",
    "kinds_asked": "how many kinds of fact the question asks",
    "passage_score": "retrieval score of the first passage",
    **{f"domain_{name}": text for name, text in SIGNALS.items()},
    # Blind writers' questions about the documents that the documents do not answer (knowledge.unanswered): an
    # unanswerable question retrieves the right passage and its sentences score much like an answerable one's,
    # but it tends to come closer to one of those than to any question written for a passage that answers it.
    # Out of fold on tune (the same rows, five fold assignments, the bank's 1,497 questions) the margin took
    # unanswerable questions refused at 3% false refusals from 0.687 to 0.731 on average; the nearest bank cosine
    # alone did worse (0.710 on the shipped folds), beside the margin no better (docs/benchmarks.md, fifteenth).
    # The signal kept growing with the bank (ten fold assignments: 0.730 at 1,497, 0.745 at 2,234, 0.764 at
    # 2,592, 0.765 at 2,963 questions). Restricting both nearest questions to the first passage's document did
    # no better beside the margin and worse instead of it; the bank's questions as extra unanswerable training
    # rows did no better (weight 0.25) or worse (0.5, 1) (docs/benchmarks.md, sixteenth).
    "unanswered_margin": "cosine of the question and the nearest written question the documents do not answer, "
                         "minus the nearest written answerable question's (domain_asked_top1)",
    # A follow-up (那…呢？) is short and its quotes answer the earlier question's subject: its probabilities and
    # signals sit lower than a first question's. Out of fold on tune (4-fold, same rows) the flag took the
    # answerable follow-ups refused at 3% false refusals from 18 to 6 of 489 and unanswerable refused from 0.718
    # to 0.727; unanswerable follow-ups refused went from 10 to 7 of 14 (docs/benchmarks.md, tenth section).
    "followup": "the message continues an earlier question (read with its topic)",
    # What the question asks that the most probable sentence does not say (bot.answering.uncovered): grouped by
    # writer batch, out of fold on tune, unanswerable refused at 3% false refusals 0.751 → 0.833
    # (docs/benchmarks.md, twenty-first section).
    "uncovered": "P(unanswerable) from the question's words the most probable sentence does not contain",
}


class AbstentionModelError(ModelFileError):
    """The abstention model file is missing, unreadable or was trained on other features."""


class AbstentionModel(BoostedModel):
    """P(answerable); ``threshold``: below it the question is refused."""

    INPUTS = tuple(QUESTION_FEATURES)
    NAME = "abstention model"
    REBUILD = "bot train-abstention"
    ERROR = AbstentionModelError

    def refuses(self, row: np.ndarray) -> bool:
        return float(self.probability(row)[0]) < self.threshold

    @classmethod
    def untrained(cls) -> AbstentionModel:
        """Never refuses: for the training commands, which compute features before any model exists."""
        return cls(None, 0.0, {"untrained": True})

    @classmethod
    def load(cls, path: Path = ABSTENTION_PATH) -> AbstentionModel:
        return cls.read(path)


def question_features(x: np.ndarray, scores: np.ndarray, hits: list[Hit], needed: set[str], unstated: set[str],
                      signals: dict[str, float], followup: bool = False, unanswered: float = 0.0,
                      uncovered: float = 0.5) -> np.ndarray:
    """One row: ``x`` the candidate sentences' features (``answerability.FEATURES``), ``scores`` their
    P(answers), ``needed`` the kinds of fact asked, ``unstated`` those no quote states, ``signals`` the
    question's domain signals (``HybridSearcher.domain_signals``), ``followup`` whether it continues an
    earlier question, ``unanswered`` its ``HybridSearcher.unanswered_top1``, ``uncovered`` the left-over words
    model's probability (``bot.answering.uncovered``)."""
    kind_col = list(FEATURES).index("kind_stated")
    if len(scores):
        order = np.argsort(-scores)
        top, best = x[order[0]], float(scores[order[0]])
        second = float(scores[order[1]]) if len(order) > 1 else 0.0
        top_mean = float(scores[order[:RUNNERS_UP]].mean())
        kind_near = float(x[order[:KIND_WINDOW], kind_col].max())
    else:
        top, best, second, top_mean, kind_near = np.zeros(len(FEATURES)), 0.0, 0.0, 0.0, 0.0
    row = [*top, best, second, top_mean, kind_near, float(bool(needed)), float(bool(needed) and unstated == needed),
           float(bool(unstated)), float(len(needed)), hits[0].score if hits else 0.0,
           *(signals[k] for k in SIGNALS), unanswered - signals["asked_top1"], float(followup), uncovered]
    return np.array(row, dtype=np.float64).reshape(1, len(QUESTION_FEATURES))
